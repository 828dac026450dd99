"""``POST /api/v1/auth/token/``: a token for a username and password, under brute-force guard."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import AnonRateThrottle


class ObtainAuthTokenView(ObtainAuthToken):
    """DRF's token view, with two changes.

    ``authenticate()`` gets Django's own request, so django-axes counts failures per username
    and address and its middleware answers a locked-out pair with a 429; and the anonymous
    API throttle applies (DRF's view has none).
    """

    throttle_classes = [AnonRateThrottle]

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "request": self.request._request}

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer("Token", {"token": serializers.CharField()}),
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Locked out after failed logins, or throttled."),
        },
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
