"""Cheap pieces for the post card (``scheduler/_post.html``), drawn up to ~130 times a page.

``get_status_display`` rebuilds a dict of the field's choices on every call and ``{% url %}``
walks the resolver on every form; on the lead's team week that was a third of the render.
Here the labels come from dicts built once per process, and the post-action URL prefix is
reversed once per request.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from content.models import Category
from scheduler.models import PostStatus

register = template.Library()

# Lazy translations: each renders in the language active when the page is drawn.
STATUS_LABELS = dict(PostStatus.choices)
CATEGORY_LABELS = dict(Category.choices)

_PROBE_PK, _PROBE_ACTION = 1, "submit"


@register.filter
def post_status_label(value: str):
    """The status's label in the active language (the code itself if unknown, as Django's
    ``get_status_display`` does)."""
    return STATUS_LABELS.get(value, value)


@register.filter
def post_category_label(value: str):
    """The category's label in the active language (the code itself if unknown)."""
    return CATEGORY_LABELS.get(value, value)


def post_action_prefix() -> str:
    """``reverse("scheduler-post-action", args=[pk, action])`` without its ``pk/action/`` tail,
    so ``f"{prefix}{pk}/{action}/"`` is that URL (the URL conf is ``posts/<int:pk>/<slug>/``)."""
    url = reverse("scheduler-post-action", args=[_PROBE_PK, _PROBE_ACTION])
    return url.removesuffix(f"{_PROBE_PK}/{_PROBE_ACTION}/")


@register.simple_tag(takes_context=True)
def post_action_base(context) -> str:
    """The post-action URL prefix, reversed once per request (kept on the request) and once
    per render where there is no request."""
    request = context.get("request")
    if request is None:
        return post_action_prefix()
    base = getattr(request, "_scheduler_post_action_base", None)
    if base is None:
        base = request._scheduler_post_action_base = post_action_prefix()
    return base
