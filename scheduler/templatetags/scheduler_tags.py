"""Filters for the post card (``templates/scheduler/_card.html``): what its status offers, and
what its compliance findings say and mark. Thin: the rules live in ``scheduler.workflow`` and
``scheduler.cards``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString

from content.highlight import highlight
from content.models import thumbnail_name
from scheduler import cards, workflow

register = template.Library()


@register.filter
def card_actions(status: str, reviewer: bool = False) -> frozenset[str]:
    """The slugs of the actions a card offers for ``status`` (``workflow.card_actions``)."""
    return workflow.card_actions(status, reviewer=bool(reviewer))


@register.filter
def shown_findings(findings: Any) -> list[dict[str, Any]]:
    return cards.shown_findings(findings)


@register.filter
def findings_said(findings: list[dict[str, Any]]) -> str:
    """The findings as one line of plain text, for the compliance badge's title."""
    return "; ".join(filter(None, map(cards.finding_said, findings)))


@register.filter
def marked(text: str, findings: list[dict[str, Any]]) -> SafeString:
    """``text`` escaped, with what the findings point at marked (``content.highlight``)."""
    spans = [finding for finding in findings if cards.has_span(finding)]
    return highlight(text, spans) if spans else SafeString(escape(text))


@register.filter
def pictures(paths: Any) -> list[str]:
    """A post's image paths (its snapshot; anything but a name is left out)."""
    return [path for path in paths or () if isinstance(path, str)]


@register.filter
def thumbnail(path: str) -> str:
    return thumbnail_name(path)
