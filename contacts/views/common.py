"""Shared by the contacts pages: who may use them, and service errors shown on forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from crm.roles import Role
from crm.scoping import sees_everything

POOL_ROLES = {Role.AGENT, Role.LEAD}


def pool_user_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Agents and leads (who keep contacts) and administrators; curators get a 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if user.role not in POOL_ROLES and not sees_everything(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
