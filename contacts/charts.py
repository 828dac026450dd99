"""Server-drawn SVG charts. Only numbers we computed and our own translated labels go in."""

from __future__ import annotations

from datetime import datetime

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.warmth import Thresholds, shown


def warmth_svg(
    points: list[tuple[datetime, float]],
    *,
    thresholds: Thresholds,
    width: int = 600,
    height: int = 160,
) -> SafeString:
    """A polyline of warmth over time, with dashed warm and hot threshold lines.

    ``points`` are ``(time, warmth)`` in time order (``contacts.warmth.curve``). The picture
    scales to its container (viewBox); it carries a text alternative for screen readers.
    """
    pad = 4
    top = max([v for _at, v in points] + [thresholds.hot * 1.1])
    n = max(len(points) - 1, 1)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * i / n

    def y(value: float) -> float:
        return height - pad - (height - 2 * pad) * min(value, top) / top

    coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_at, v) in enumerate(points))
    lines = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="warmth-{}" '
        'stroke-dasharray="4 4"><title>{}</title></line>',
        (
            (pad, width - pad, f"{y(level):.1f}", f"{y(level):.1f}", name, label)
            for level, name, label in (
                (thresholds.warm, "warm", _("warm")),
                (thresholds.hot, "hot", _("hot")),
            )
        ),
    )
    now = points[-1][1] if points else 0.0
    days = round((points[-1][0] - points[0][0]).days) if points else 0
    summary = ngettext(
        "Warmth over the last %(days)s day, now %(now)s",
        "Warmth over the last %(days)s days, now %(now)s",
        days,
    ) % {"days": days, "now": shown(now, formats.get_format("DECIMAL_SEPARATOR"))}
    return format_html(
        '<svg class="warmth-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="none">{}<polyline fill="none" stroke="currentColor" '
        'stroke-width="2" points="{}"/></svg>',
        width,
        height,
        summary,
        lines,
        coords,
    )
