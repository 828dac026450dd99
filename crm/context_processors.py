import functools

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm.navigation import items_for
from crm.roles import Role


@functools.lru_cache(maxsize=256)
def _nav_list(role: str, current: str | None, admin_link: bool, language: str, prefix: str):
    """The main menu's ``<ul>``. Every page draws it, and it depends only on these arguments
    (``language`` and ``prefix`` are in the key because the labels and URLs are): worked out
    once per process rather than as nine reverses and a template loop per request."""
    items = format_html_join(
        "\n        ",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (
                reverse(item.url_name),
                SafeString(' aria-current="page"') if item.url_name == current else "",
                str(item.label),
            )
            for item in items_for(role)
        ),
    )
    admin = (
        format_html('<li><a href="{}">{}</a></li>', reverse("admin:index"), _("Admin site"))
        if admin_link
        else ""
    )
    return format_html('<ul class="nav">\n        {}\n        {}\n      </ul>', items, admin)


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_list": ""}
    role = Role.ADMIN if user.is_superuser else user.role
    current = request.resolver_match.view_name if request.resolver_match else None
    return {
        "nav_list": _nav_list(role, current, user.is_staff, get_language(), get_script_prefix())
    }
