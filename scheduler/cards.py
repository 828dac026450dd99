"""The post card, drawn in Python.

The lead's team week draws a card for each of its ~200 posts. As a template include, each
card cost about 0.25 ms (Django resolves every variable, filter and ``{% url %}`` one by one),
which made the card four fifths of the page. Here everything that is the same for every card
of a request (translated labels and button texts, the action URL prefix, the CSRF input, the
page to come back to) is worked out once in a :class:`CardKit`, and a card is one string
join of escaped pieces. The kit also keeps, as they first come up, the markup shared by every
card of one category, status and block flag, and each status's actions cut where the post's
id goes, so a card's frame costs about 2 µs. Its preview (the post's text, pictures and
findings, what the lead approves) is the post's own: some 10 µs more, most of it escaping the
text. ``templates/scheduler/_post.html`` calls the same function, so there is one card,
whichever page draws it.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from html import escape as escape_text
from typing import Any, NamedTuple

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from content.highlight import highlight
from content.models import Category, thumbnail_name
from crm.html import escape, url_parts
from scheduler.models import MomentPost, PostStatus
from scheduler.services import EDITABLE, MOVABLE

S = PostStatus


# The statuses each button appears in (the services refuse the rest anyway).
REVIEWABLE = frozenset({S.PENDING_REVIEW})
SENDABLE_BACK = frozenset({S.PENDING_REVIEW, S.SCHEDULED})
SUBMITTABLE = frozenset({S.DRAFT, S.REJECTED})
CONFIRMABLE = frozenset({S.SENT, S.MISSED})
CANCELLABLE = frozenset({S.DRAFT, S.PENDING_REVIEW, S.SCHEDULED, S.REJECTED, S.FAILED})

TITLE_CHARS = 40  # as ``truncatechars:40``: the ellipsis counts
TODAY_CLASS = ' class="today"'


def post_action_prefix() -> str:
    """``reverse("scheduler-post-action", args=[pk, action])`` without its ``pk/action/`` tail,
    so ``f"{prefix}{pk}/{action}/"`` is that URL (the URL conf is ``posts/<int:pk>/<slug>/``)."""
    return url_parts("scheduler-post-action", "submit")[0]


# What a kit shares with every request in the same language (and URL prefix): worked out once
# per process rather than per request. Shared, so read only.


@functools.lru_cache(maxsize=16)
def _labels(language: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Status labels, category labels and the cards' texts in ``language`` (the active one),
    escaped."""
    return (
        {code: escape(str(label)) for code, label in S.choices},
        {code: escape(str(label)) for code, label in Category.choices},
        {
            "block": escape(_("Compliance block")),
            "warn": escape(_("Warning")),
            "approve": escape(_("Approve")),
            "comment": escape(_("Comment")),
            "send_back": escape(_("Send back")),
            "submit": escape(_("Submit")),
            "posted": escape(_("Posted")),
            "cancel": escape(_("Cancel post")),
            "cancel_question": escape(
                _("Cancel this post? It will not go out, and cannot be brought back.")
            ),
            "cancel_confirm": escape(_("Yes, cancel it")),
            "move": escape(_("Move")),
            "edit": escape(_("Edit text")),
            "window": escape(_("Window")),
            "preview": escape(_("Preview")),
            "severity_block": escape(_("block")),
            "severity_warn": escape(_("warn")),
            "suggestion": escape(_("Suggestion")),
            # Not escaped: a format, filled and escaped per image.
            "picture": _("%(title)s, picture %(n)s"),
        },
    )


@functools.lru_cache(maxsize=16)
def _action_base(script_prefix: str) -> str:
    """The escaped action URL prefix; ``script_prefix`` (which ``reverse`` puts in front of
    every URL) is the cache's key."""
    return escape(post_action_prefix())


@functools.lru_cache(maxsize=512)
def _day_head(language: str, day: dt.date) -> str:
    return escape(dateformat.format(day, "D n/j"))


@dataclass(frozen=True)
class CardKit:
    """What every card of one request shares, in the request's language, already escaped."""

    base: str
    csrf_input: str
    next_input: str
    next_query: str
    status_labels: dict[str, str]
    category_labels: dict[str, str]
    text: dict[str, str]
    tz: dt.tzinfo
    media: str = ""  # MEDIA_URL, escaped: where a post's images are
    day_heads: dict[dt.date, str] = field(default_factory=dict, compare=False)
    # Worked out on first use: see _look and _action_pieces.
    looks: dict[tuple[str, str, bool], tuple[str, str]] = field(default_factory=dict, compare=False)
    actions: dict[tuple[str, bool], list[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, *, csrf_token: str, next_path: str) -> CardKit:
        status_labels, category_labels, text = _labels(get_language())
        return cls(
            base=_action_base(get_script_prefix()),
            csrf_input=(
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
            ),
            next_input=f'<input type="hidden" name="next" value="{escape(next_path)}">',
            next_query=escape("?" + urlencode({"next": next_path})),
            status_labels=status_labels,
            category_labels=category_labels,
            text=text,
            tz=timezone.get_current_timezone(),
            media=escape(settings.MEDIA_URL),
        )

    def day_head(self, day: dt.date) -> str:
        """``day|date:"D n/j"`` (localised weekday), escaped."""
        head = self.day_heads.get(day)
        if head is None:
            head = self.day_heads[day] = _day_head(get_language(), day)
        return head

    @classmethod
    def for_request(cls, request: HttpRequest) -> CardKit:
        """The request's kit, built on first use and kept on the request per language."""
        kits = request.__dict__.setdefault("_scheduler_card_kits", {})
        language = get_language()
        kit = kits.get(language)
        if kit is None:
            kit = kits[language] = cls.build(
                csrf_token=get_token(request), next_path=page_path(request)
            )
        return kit


def page_path(request: HttpRequest) -> str:
    """The page the cards are on, where their forms come back to. A card re-drawn after an
    htmx action answers the action's URL (``/schedule/posts/7/approve/``, POST only): the
    browser's page is in the ``HX-Current-URL`` header."""
    htmx = getattr(request, "htmx", None)
    return (htmx and htmx.current_url_abs_path) or request.get_full_path()


# What a card reads of a post, as ``values_list`` names in ``CardRow``'s order
# (``scheduled_at`` for ``at``).
CARD_FIELDS = (
    "id",
    "persona_id",
    "persona__owner_id",
    "window_name",
    "status",
    "category",
    "title",
    "text",
    "has_block",
    "findings",
    "image_paths",
    "review_comment",
    "last_error",
    "scheduled_at",
)


class CardRow(NamedTuple):
    """What a card and the week grid read of a post. ``selectors.calendar_cards`` reads these
    straight from the database; :meth:`of` makes one from a ``MomentPost``."""

    pk: int
    persona_id: int
    owner_id: int | None  # the persona's agent; None from :meth:`of` (no query for it)
    window_name: str
    status: str
    category: str
    title: str
    text: str
    has_block: bool
    findings: list[dict[str, Any]]  # as stored: ``content.services.finding_as_dict``
    image_paths: list[str]
    review_comment: str
    last_error: str
    at: dt.datetime  # aware; the card shows it in the request's zone

    @property
    def has_findings(self) -> bool:
        return bool(self.findings)

    @classmethod
    def of(cls, post: MomentPost) -> CardRow:
        return cls(
            post.pk,
            post.persona_id,
            None,
            post.window_name,
            post.status,
            post.category,
            post.title,
            post.text,
            post.has_block,
            post.findings,
            post.image_paths,
            post.review_comment,
            post.last_error,
            post.scheduled_at,
        )


def _look(kit: CardKit, key: tuple[str, str, bool]) -> tuple[str, str]:
    """The markup of a card before its id and between its time and its compliance flag: the
    same for every post of one category, status and block flag. Kept in the kit."""
    category, status, has_block = key
    flagged = " flagged" if has_block else ""
    look = kit.looks[key] = (
        f'<article class="post cat-{escape(category)} status-{escape(status)}{flagged}" id="post-',
        f'</time> <span class="badge">{kit.status_labels.get(status) or escape(status)}</span> '
        f'<span class="badge cat">{kit.category_labels.get(category) or escape(category)}</span>',
    )
    return look


# ------------------------------------------------------------------ what the check found
# A card's compliance flag names its findings, and its preview shows the post as the customer
# will see it (text and pictures) with each finding: the markup of ``content/_moment.html``
# and ``content/_findings.html`` (same classes, same translated words), drawn here for the
# reason the module's docstring gives.


def shown_findings(findings: Any) -> list[dict[str, Any]]:
    """The stored findings a card shows: the dicts of the list (a hand-edited row may hold
    anything else, which is left out rather than failing the page)."""
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


def _flag(kit: CardKit, post: CardRow, findings: list[dict[str, Any]]) -> str:
    """The block or warning badge, its title and hidden text naming what it is about."""
    t = kit.text
    if post.has_block:
        klass, label = "danger", t["block"]
    elif post.has_findings:
        klass, label = "warn", t["warn"]
    else:
        return ""
    said = escape("; ".join(filter(None, map(finding_said, findings))))
    if not said:
        return f' <span class="badge {klass}">{label}</span>'
    return (
        f' <span class="badge {klass}" title="{said}">{label}'
        f'<span class="visually-hidden">: {said}</span></span>'
    )


def has_span(finding: dict[str, Any]) -> bool:
    """Whether a stored finding points at some text (``start < end``, both numbers)."""
    start, end = finding.get("start"), finding.get("end")
    return isinstance(start, int) and isinstance(end, int) and start < end


def _findings_list(kit: CardKit, findings: list[dict[str, Any]]) -> str:
    """``content/_findings.html``'s list: rule, severity, the text found, why, suggestion."""
    t = kit.text
    rows = []
    for finding in findings:
        severity = str(finding.get("severity") or "")
        said = t["severity_block"] if severity == "block" else t["severity_warn"]
        matched = finding.get("matched")
        quote = f"“{escape(matched)}” — " if matched else ""
        suggestion = finding.get("suggestion")
        hint = f" <em>{t['suggestion']}: {escape(suggestion)}</em>" if suggestion else ""
        rows.append(
            f'<li class="finding-row finding-{escape(severity)}">'
            f"<strong>{escape(finding.get('code') or '')}</strong> "
            f'<span class="severity">{said}</span> {quote}'
            f"{escape(finding.get('message') or '')}{hint}</li>"
        )
    return f'<ul class="findings">{"".join(rows)}</ul>'


def _pictures(kit: CardKit, post: CardRow) -> str:
    """``content/_moment.html``'s nine-grid: each image's thumbnail, linked to the image."""
    paths = [path for path in post.image_paths or () if isinstance(path, str)]
    if not paths:
        return ""
    media, picture, title = kit.media, kit.text["picture"], post.title or post.text[:TITLE_CHARS]
    tiles = "".join(
        f'<a href="{media}{escape(path)}"><img src="{media}{escape(thumbnail_name(path))}" '
        f'alt="{escape(picture % {"title": title, "n": n})}" loading="lazy"></a>'
        for n, path in enumerate(paths, start=1)
    )
    return f'<div class="moment-grid moment-grid-{len(paths)}">{tiles}</div>'


def _preview(kit: CardKit, post: CardRow, findings: list[dict[str, Any]], opened: bool) -> str:
    """The post as the customer will see it, what the check found marked in its text, and
    each finding listed, in a ``<details>`` (open for ``opened``)."""
    spans = [finding for finding in findings if has_span(finding)]
    text = str(highlight(post.text, spans)) if spans else escape_text(post.text)
    found = _findings_list(kit, findings) if findings else ""
    return (
        f'<details class="post-preview"{" open" if opened else ""}>'
        f"<summary>{kit.text['preview']}</summary>"
        f'<div class="moment"><p class="moment-text">{text}</p>{_pictures(kit, post)}</div>'
        f"{found}</details>"
    )


# Stands for the post's id in an action template. Every variable piece of a card is escaped
# (no "<" left in it) and the card's own tags are not <pk>, so this occurs only where the id goes.
PK_SLOT = "<pk>"


def _action_pieces(kit: CardKit, key: tuple[str, bool]) -> list[str]:
    """A card's actions for one status, for the reviewer or not, cut where the post's id goes:
    ``str(pk).join(pieces)`` is the markup. Kept in the kit."""
    status, reviewer = key
    pieces = kit.actions[key] = "".join(_actions(PK_SLOT, status, kit, reviewer)).split(PK_SLOT)
    return pieces


def _form(kit: CardKit, pk: str, action: str, inner: str, *, cls: str = "") -> str:
    url = f"{kit.base}{pk}/{action}/"
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<form method="post" action="{url}" hx-post="{url}" hx-target="#post-{pk}" '
        f'hx-swap="outerHTML"{klass}>{kit.csrf_input}{inner}</form>'
    )


def _cancel(kit: CardKit, pk: str, hidden: str) -> str:
    """The "Cancel post" action, which asks once before it cancels: its button opens a
    ``<details>`` holding the question and the form that cancels, which works with or without
    script. A cancelled post cannot be brought back."""
    t = kit.text
    form = _form(
        kit,
        pk,
        "cancel",
        f'{hidden}<button type="submit" class="danger">{t["cancel_confirm"]}</button>',
    )
    return (
        f'<details class="confirm"><summary class="link-button">{t["cancel"]}</summary>'
        f"<p>{t['cancel_question']}</p>{form}</details>"
    )


def _actions(pk: str, status: str, kit: CardKit, reviewer: bool) -> list[str]:
    t = kit.text
    parts: list[str] = []
    if reviewer:
        hidden = f'<input type="hidden" name="reviewer" value="1">{kit.next_input}'
        if status in REVIEWABLE:
            button = f'<button type="submit" class="primary">{t["approve"]}</button>'
            parts.append(_form(kit, pk, "approve", hidden + button))
        if status in SENDABLE_BACK:
            inner = (
                f'{hidden}<label for="comment-{pk}">{t["comment"]}</label>'
                f'<input id="comment-{pk}" name="comment" required>'
                f'<button type="submit">{t["send_back"]}</button>'
            )
            parts.append(_form(kit, pk, "reject", inner, cls="send-back"))
        if status in CANCELLABLE:
            parts.append(_cancel(kit, pk, hidden))
    else:
        if status in SUBMITTABLE:
            button = f'{kit.next_input}<button type="submit">{t["submit"]}</button>'
            parts.append(_form(kit, pk, "submit", button))
        if status in EDITABLE:
            url = f"{kit.base}{pk}/edit/{kit.next_query}"
            parts.append(f'<a class="link-button" href="{url}">{t["edit"]}</a>')
        if status in CONFIRMABLE:
            button = f'{kit.next_input}<button type="submit" class="primary">{t["posted"]}</button>'
            parts.append(_form(kit, pk, "posted", button))
        if status in CANCELLABLE:
            parts.append(_cancel(kit, pk, kit.next_input))
    if status in MOVABLE:
        url = f"{kit.base}{pk}/move/"
        parts.append(
            f'<a class="link-button" href="{url}{kit.next_query}" hx-get="{url}{kit.next_query}" '
            f'hx-target="#post-{pk}" hx-swap="outerHTML">{t["move"]}</a>'
        )
    return parts


def _card(
    post: CardRow, kit: CardKit, reviewer: bool, error: str = "", preview_open: bool = False
) -> str:
    status = post.status
    key = (post.category, status, post.has_block)
    look = kit.looks.get(key) or _look(kit, key)
    actions = kit.actions.get((status, reviewer)) or _action_pieces(kit, (status, reviewer))
    iso = post.at.astimezone(kit.tz).isoformat()  # same zone: returns the row's own value
    text = post.title or post.text
    if len(text) > TITLE_CHARS:  # as ``truncatechars``: the ellipsis counts
        text = text[: TITLE_CHARS - 1] + "…"
    notes = ""
    if post.review_comment and status == S.REJECTED:
        notes = f'<p class="post-comment">{escape_text(post.review_comment)}</p>'
    if post.last_error:
        notes += f'<p class="error">{escape_text(post.last_error)}</p>'
    if error:
        notes += f'<p class="error" role="alert">{escape(error)}</p>'
    pk = str(post.pk)
    findings = shown_findings(post.findings)
    # isoformat() always starts "YYYY-MM-DDTHH:MM": [11:16] is the time as "%H:%M".
    return (
        f'{look[0]}{pk}"><p class="post-meta"><time datetime="{iso}">{iso[11:16]}{look[1]}'
        f'{_flag(kit, post, findings)}</p><p class="post-text">{escape_text(text)}</p>{notes}'
        f"{_preview(kit, post, findings, preview_open)}"
        f'<div class="post-actions">{pk.join(actions)}</div></article>'
    )


def render_card(
    post: CardRow | MomentPost,
    kit: CardKit,
    *,
    reviewer: bool = False,
    error: str = "",
    preview_open: bool = False,
) -> SafeString:
    """One post's card: time, status, category, compliance flag (naming what it found),
    title, the post's preview with its findings (shown open for ``preview_open``), and the
    actions its status allows (review actions for ``reviewer``, the agent's otherwise)."""
    if not isinstance(post, CardRow):
        post = CardRow.of(post)
    return SafeString(_card(post, kit, reviewer, error, preview_open))  # every piece is escaped


def render_grid(
    *,
    rows: list[dict[str, Any]],
    days: list[Any],
    today: Any,
    caption: str,
    kit: CardKit,
    reviewer: bool = False,
) -> SafeString:
    """A week's table: one row per window (``{"label", "cells"}``, a cell being the list of
    that day's posts), one column per day, each post as its card."""
    head = "".join(
        f'<th scope="col"{TODAY_CLASS if day == today else ""}>{kit.day_head(day)}</th>'
        for day in days
    )
    parts = [
        '<div class="table-wrap"><table class="week">',
        f'<caption class="visually-hidden">{escape(caption)}</caption>',
        f'<thead><tr><th scope="col">{kit.text["window"]}</th>{head}</tr></thead><tbody>',
    ]
    for row in rows:
        parts.append(f'<tr><th scope="row">{escape(row["label"])}</th>')
        for cell in row["cells"]:
            parts.append("<td>")
            parts.extend(_card(post, kit, reviewer) for post in cell)
            parts.append("</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return SafeString("".join(parts))  # every piece above is escaped
