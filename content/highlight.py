"""Text with its compliance findings marked, as safe HTML built only from escaped pieces."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _get(finding: Any, name: str) -> Any:
    return finding[name] if isinstance(finding, Mapping) else getattr(finding, name)


def highlight(text: str, findings: Iterable[Any]) -> SafeString:
    """``text`` escaped, each span a finding covers wrapped in ``<mark>``.

    Findings may be engine ``Finding`` objects or the stored dicts. Overlapping spans are cut
    at every boundary, so each piece is marked once with all the codes that cover it; a piece
    under any block finding is marked as block. Spans outside the text are clipped.
    """
    spans = []
    for finding in findings:
        start = max(0, min(len(text), int(_get(finding, "start"))))
        end = max(start, min(len(text), int(_get(finding, "end"))))
        if end > start:
            spans.append((start, end, _get(finding, "code"), _get(finding, "severity")))
    cuts = sorted({0, len(text), *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    pieces = []
    for left, right in pairwise(cuts):
        covering = [span for span in spans if span[0] <= left and right <= span[1]]
        segment = text[left:right]
        if not covering:
            pieces.append(format_html("{}", segment))
            continue
        codes = " ".join(sorted({code for _, _, code, _ in covering}))
        severity = "block" if any(sev == "block" for *_, sev in covering) else "warn"
        pieces.append(
            format_html(
                '<mark class="finding finding-{}" data-codes="{}" title="{}">{}</mark>',
                severity,
                codes,
                codes,
                segment,
            )
        )
    return format_html_join("", "{}", ((piece,) for piece in pieces))
