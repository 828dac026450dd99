"""Server-drawn SVG bar charts: no script, no CDN, readable by screen readers.

Every value and label goes through ``format_html``, so a nickname or a category name is
escaped like any other text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Segment:
    value: float
    css_class: str  # colour comes from the stylesheet (.seg-posted, .seg-hot ...)
    legend: str


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]

    @property
    def total(self) -> float:
        return sum(s.value for s in self.segments)


def stacked_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    axis: str = "",
    width: int = 600,
    bar_height: int = 22,
    label_width: int = 120,
) -> SafeString:
    """Horizontal stacked bars, one per row, scaled to the largest total.

    ``axis`` says what a bar's length counts ("Interactions per post"), written above the
    bars. Each segment carries a ``<title>`` (legend and value); the chart's ``aria-label``
    names it and reads out every bar's values with their legends, which is what a screen
    reader gets of it. The numbers also appear as text at the end of each bar.
    """
    gap = 8
    top = 20 if axis else 0
    height = top + max(len(bars), 1) * (bar_height + gap) + gap
    largest = max((bar.total for bar in bars), default=0) or 1
    plot = width - label_width - 48
    rows = []
    if axis:
        rows.append(
            format_html(
                '<text x="{}" y="{}" class="chart-axis">{}</text>', label_width, top - 4, axis
            )
        )
    for i, bar in enumerate(bars):
        y = top + gap + i * (bar_height + gap)
        x = float(label_width)
        rects = []
        for segment in bar.segments:
            w = plot * segment.value / largest
            if w > 0:
                rects.append(
                    (
                        f"{x:.1f}",
                        y,
                        f"{w:.1f}",
                        bar_height,
                        segment.css_class,
                        segment.legend,
                        _number(segment.value),
                    )
                )
            x += w
        rows.append(
            format_html(
                '<g><text x="{}" y="{}" class="chart-label" text-anchor="end">{}</text>{}'
                '<text x="{}" y="{}" class="chart-value">{}</text></g>',
                label_width - 6,
                y + bar_height * 0.72,
                bar.label,
                format_html_join(
                    "",
                    '<rect x="{}" y="{}" width="{}" height="{}" class="{}">'
                    "<title>{}: {}</title></rect>",
                    rects,
                ),
                f"{x + 4:.1f}",
                y + bar_height * 0.72,
                _number(bar.total),
            )
        )
    return format_html(
        '<svg class="bar-chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
        width,
        height,
        _spoken(title, axis, bars),
        format_html_join("", "{}", ((row,) for row in rows)),
    )


def _spoken(title: str, axis: str, bars: Sequence[Bar]) -> str:
    """The chart as a sentence: "Title (axis): Commute: Posted 2, Missed 1; Lunch: ..."."""
    head = f"{title} ({axis})" if axis else title
    lines = [
        f"{bar.label}: "
        + ", ".join(f"{segment.legend} {_number(segment.value)}" for segment in bar.segments)
        for bar in bars
    ]
    return f"{head}: {'; '.join(lines)}" if lines else head


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
