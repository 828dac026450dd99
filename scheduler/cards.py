"""What a post card shows of a post's stored compliance findings, as plain data for the card's
template (``templates/scheduler/_card.html``, through ``scheduler_tags``) and the edit page.

A stored ``MomentPost.findings`` is a list of ``content.services.finding_as_dict`` dicts; a
hand-edited row may hold anything else, which the card leaves out rather than failing.
"""

from __future__ import annotations

import hashlib
from typing import Any


def shown_findings(findings: Any) -> list[dict[str, Any]]:
    """The stored findings a card shows: the dicts of the list."""
    if not isinstance(findings, list):
        return []
    return [finding for finding in findings if isinstance(finding, dict)]


def finding_said(finding: dict[str, Any]) -> str:
    """One finding as a line of plain text: rule, the text it found, why (``R05 “最好”: …``)."""
    code = str(finding.get("code") or "")
    matched = str(finding.get("matched") or "")
    head = f"{code} “{matched}”" if matched else code
    message = str(finding.get("message") or "")
    return f"{head}: {message}" if head and message else head or message


def has_span(finding: dict[str, Any]) -> bool:
    """Whether a stored finding points at some text (``start < end``, both numbers)."""
    start, end = finding.get("start"), finding.get("end")
    return isinstance(start, int) and isinstance(end, int) and start < end


# What a card shows of a post: a change to any of these changes the card.
_SHOWN = (
    "pk",
    "status",
    "category",
    "title",
    "text",
    "findings",
    "has_block",
    "image_paths",
    "review_comment",
    "last_error",
    "window_name",
)


def cards_version(rows: list[tuple[str, list[list[Any]]]]) -> str:
    """A version of what a week grid shows: ``rows`` of (label, cells), a cell being its posts.
    Equal versions draw equal grids (in one language, zone, page and session), so the grid's
    fragment cache is keyed by it and is never stale."""
    shown = [
        (label, [[[getattr(p, f) for f in _SHOWN] + [p.scheduled_at] for p in c] for c in cells])
        for label, cells in rows
    ]
    return hashlib.sha256(repr(shown).encode()).hexdigest()
