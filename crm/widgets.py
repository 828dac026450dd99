"""The browser's date and time controls, written with the ISO values they accept.

An ``<input type="date">`` takes only ``YYYY-MM-DD`` (``time``: ``HH:MM``, ``datetime-local``:
``YYYY-MM-DDTHH:MM``), whatever the interface language; any other value is dropped, so the
field shows empty and saves empty. Django's ``DateInput`` and friends write the active
locale's first input format instead (``2026/12/19`` in zh-hans), so every page form with a
date or time field uses these widgets. The form fields read these values back in every
language (both locales list ``%Y-%m-%d`` and ``%H:%M``; a datetime is parsed as ISO first).

Times are written to the minute, as the browser's control shows them (its default step is
60 s).
"""

from __future__ import annotations

from typing import Any

from django import forms


class IsoDateInput(forms.DateInput):
    """``<input type="date">`` with its value as ``YYYY-MM-DD``."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class IsoTimeInput(forms.TimeInput):
    """``<input type="time">`` with its value as ``HH:MM``."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class IsoDateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` with its value as ``YYYY-MM-DDTHH:MM``, in the
    current time zone (the form field converts an aware value before it is written)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
