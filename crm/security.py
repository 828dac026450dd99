"""Response hardening: the Content-Security-Policy header and the brute-force lockout answer."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext

CSP_HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` on every response that has none of its own.

    With scripts and styles only from our own origin, a stored ``<script>`` that slipped past
    escaping still would not run, and ``frame-ancestors 'none'`` keeps pages out of frames.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and CSP_HEADER not in response:
            response[CSP_HEADER] = policy
        return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out login gets (django-axes' ``AXES_LOCKOUT_CALLABLE``): a 429.

    The API answers JSON with ``detail``; the web login shows the login page with the reason.
    Both carry ``Retry-After`` in seconds, the cool-off.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60))
    message = ngettext(
        "Too many failed logins for this account from your address. Try again in %(minutes)s "
        "minute.",
        "Too many failed logins for this account from your address. Try again in %(minutes)s "
        "minutes.",
        minutes,
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
