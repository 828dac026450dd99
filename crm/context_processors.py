from django.http import HttpRequest
from django.urls import reverse

from crm.navigation import items_for
from crm.roles import Role


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = Role.ADMIN if user.is_superuser else user.role
    current = request.resolver_match.view_name if request.resolver_match else None
    return {
        "nav_items": [
            {"label": item.label, "url": reverse(item.url_name), "active": item.url_name == current}
            for item in items_for(role)
        ],
        "show_admin_link": user.is_staff,
    }
