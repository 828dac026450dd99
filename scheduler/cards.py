"""The post card, drawn in Python.

The lead's team week draws a card for each of its ~200 posts. As a template include, each
card cost about 0.25 ms (Django resolves every variable, filter and ``{% url %}`` one by one),
which made the card four fifths of the page. Here everything that is the same for every card
of a request (translated labels and button texts, the action URL prefix, the CSRF input, the
page to come back to) is worked out once in a :class:`CardKit`, and a card is one string
join of escaped pieces. ``templates/scheduler/_post.html`` calls the same function, so there
is one card, whichever page draws it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import dateformat, timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from content.models import Category
from crm.html import escape, url_parts
from scheduler.models import PostStatus
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

    @classmethod
    def build(cls, *, csrf_token: str, next_path: str) -> CardKit:
        return cls(
            base=escape(post_action_prefix()),
            csrf_input=(
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
            ),
            next_input=f'<input type="hidden" name="next" value="{escape(next_path)}">',
            next_query=escape("?" + urlencode({"next": next_path})),
            status_labels={code: escape(str(label)) for code, label in S.choices},
            category_labels={code: escape(str(label)) for code, label in Category.choices},
            text={
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
            tz=timezone.get_current_timezone(),
        )

    def day_head(self, day: dt.date) -> str:
        """``day|date:"D n/j"`` (localised weekday), escaped; worked out once per day."""
        head = self.day_heads.get(day)
        if head is None:
            head = self.day_heads[day] = escape(dateformat.format(day, "D n/j"))
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


def _title(post: Any) -> str:
    text = post.title or post.text
    if len(text) > TITLE_CHARS:
        text = text[: TITLE_CHARS - 1] + "…"
    return escape(text)


def _form(kit: CardKit, pk: int, action: str, inner: str, *, cls: str = "") -> str:
    url = f"{kit.base}{pk}/{action}/"
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<form method="post" action="{url}" hx-post="{url}" hx-target="#post-{pk}" '
        f'hx-swap="outerHTML"{klass}>{kit.csrf_input}{inner}</form>'
    )


def _actions(post: Any, kit: CardKit, reviewer: bool) -> list[str]:
    pk, status, t = post.pk, post.status, kit.text
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


def render_card(post: Any, kit: CardKit, *, reviewer: bool = False, error: str = "") -> SafeString:
    """One post's card: time, status, category, compliance flag, title, and the actions its
    status allows (review actions for ``reviewer``, the agent's otherwise)."""
    pk, status, t = post.pk, post.status, kit.text
    at = post.scheduled_at.astimezone(kit.tz)
    flagged = " flagged" if post.has_block else ""
    if post.has_block:
        flag = f' <span class="badge danger">{t["block"]}</span>'
    elif post.findings:
        flag = f' <span class="badge warn">{t["warn"]}</span>'
    else:
        flag = ""
    parts = [
        f'<article class="post cat-{escape(post.category)} status-{escape(status)}{flagged}" '
        f'id="post-{pk}">',
        f'<p class="post-meta"><time datetime="{at.isoformat()}">{at:%H:%M}</time> ',
        f'<span class="badge">{kit.status_labels.get(status) or escape(status)}</span> ',
        '<span class="badge cat">',
        kit.category_labels.get(post.category) or escape(post.category),
        f"</span>{flag}</p>",
        f'<p class="post-text">{_title(post)}</p>',
    ]
    if post.review_comment and status == S.REJECTED:
        parts.append(f'<p class="post-comment">{escape(post.review_comment)}</p>')
    if post.last_error:
        parts.append(f'<p class="error">{escape(post.last_error)}</p>')
    if error:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    parts.append('<div class="post-actions">')
    parts.extend(_actions(post, kit, reviewer))
    parts.append("</div></article>")
    return SafeString("".join(parts))  # every piece above is escaped


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
            parts.extend(render_card(post, kit, reviewer=reviewer) for post in cell)
            parts.append("</td>")
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    return SafeString("".join(parts))  # every piece above is escaped
