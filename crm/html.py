"""Pieces for markup drawn in Python (``contacts.rows``): the pages that
draw hundreds of cards or rows a request do it in Python rather than in templates."""

from __future__ import annotations

from html import escape as _escape
from typing import Any

from django.urls import reverse

_PROBE_PK = 987654321


def escape(value: Any) -> str:
    """HTML-escape ``value`` exactly as Django's ``escape`` does, without the lazy-string
    wrapper (``keep_lazy``) around it, which cost a fifth of a calendar card. Lazy labels are
    made ``str`` here, in the active language."""
    return _escape(str(value))


def url_parts(name: str, *rest: Any) -> tuple[str, str]:
    """``reverse(name, args=[pk, *rest])`` split around the pk: that URL is
    ``f"{head}{pk}{tail}"`` for every pk. Reversed once per request rather than once per row."""
    head, tail = reverse(name, args=[_PROBE_PK, *rest]).split(str(_PROBE_PK))
    return head, tail
