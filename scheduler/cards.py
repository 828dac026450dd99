"""The post card, drawn in Python.

The lead's team week draws a card for each of its ~200 posts. As a template include, each
card cost about 0.25 ms (Django resolves every variable, filter and ``{% url %}`` one by one),
which made the card four fifths of the page. Here everything that is the same for every card
of a request (translated labels and button texts, the action URL prefix, the CSRF input, the
page to come back to) is worked out once in a :class:`CardKit`, and a card is one string
join of escaped pieces. The kit also keeps, as they first come up, the markup shared by every
card of one category, status and compliance flag, and each status's actions cut where the
post's id goes, so a card costs about 2 µs. ``templates/scheduler/_post.html`` calls the same
function, so there is one card, whichever page draws it.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from html import escape as escape_text
from typing import Any, NamedTuple

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from content.models import Category
from crm.html import escape, url_parts
from scheduler.models import MomentPost, PostStatus
from scheduler.services import MOVABLE

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
            "move": escape(_("Move")),
            "window": escape(_("Window")),
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
    day_heads: dict[dt.date, str] = field(default_factory=dict, compare=False)
    # Worked out on first use: see _look and _action_pieces.
    looks: dict[tuple[str, str, bool, bool], tuple[str, str]] = field(
        default_factory=dict, compare=False
    )
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


# What a card reads of a post, as ``values_list`` names in ``CardRow``'s order (``findings``
# for its ``has_findings`` flag, ``scheduled_at`` for ``at``).
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
    has_findings: bool
    review_comment: str
    last_error: str
    at: dt.datetime  # aware; the card shows it in the request's zone

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
            bool(post.findings),
            post.review_comment,
            post.last_error,
            post.scheduled_at,
        )


def _look(kit: CardKit, key: tuple[str, str, bool, bool]) -> tuple[str, str]:
    """The markup of a card before its id and between its time and its title: the same for
    every post of one category, status and compliance flag. Kept in the kit."""
    category, status, has_block, has_findings = key
    t = kit.text
    if has_block:
        flag = f' <span class="badge danger">{t["block"]}</span>'
    elif has_findings:
        flag = f' <span class="badge warn">{t["warn"]}</span>'
    else:
        flag = ""
    flagged = " flagged" if has_block else ""
    look = kit.looks[key] = (
        f'<article class="post cat-{escape(category)} status-{escape(status)}{flagged}" id="post-',
        f'</time> <span class="badge">{kit.status_labels.get(status) or escape(status)}</span> '
        f'<span class="badge cat">{kit.category_labels.get(category) or escape(category)}</span>'
        f'{flag}</p><p class="post-text">',
    )
    return look


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
            button = f'{hidden}<button type="submit" class="link-button">{t["cancel"]}</button>'
            parts.append(_form(kit, pk, "cancel", button))
    else:
        if status in SUBMITTABLE:
            button = f'{kit.next_input}<button type="submit">{t["submit"]}</button>'
            parts.append(_form(kit, pk, "submit", button))
        if status in CONFIRMABLE:
            button = f'{kit.next_input}<button type="submit" class="primary">{t["posted"]}</button>'
            parts.append(_form(kit, pk, "posted", button))
        if status in CANCELLABLE:
            button = (
                f'{kit.next_input}<button type="submit" class="link-button">{t["cancel"]}</button>'
            )
            parts.append(_form(kit, pk, "cancel", button))
    if status in MOVABLE:
        url = f"{kit.base}{pk}/move/"
        parts.append(
            f'<a class="link-button" href="{url}{kit.next_query}" hx-get="{url}{kit.next_query}" '
            f'hx-target="#post-{pk}" hx-swap="outerHTML">{t["move"]}</a>'
        )
    return parts


def _card(post: CardRow, kit: CardKit, reviewer: bool, error: str = "") -> str:
    status = post.status
    key = (post.category, status, post.has_block, post.has_findings)
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
    # isoformat() always starts "YYYY-MM-DDTHH:MM": [11:16] is the time as "%H:%M".
    return (
        f'{look[0]}{pk}"><p class="post-meta"><time datetime="{iso}">{iso[11:16]}{look[1]}'
        f'{escape_text(text)}</p>{notes}<div class="post-actions">{pk.join(actions)}</div>'
        "</article>"
    )


def render_card(
    post: CardRow | MomentPost, kit: CardKit, *, reviewer: bool = False, error: str = ""
) -> SafeString:
    """One post's card: time, status, category, compliance flag, title, and the actions its
    status allows (review actions for ``reviewer``, the agent's otherwise)."""
    if not isinstance(post, CardRow):
        post = CardRow.of(post)
    return SafeString(_card(post, kit, reviewer, error))  # every piece is escaped


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
