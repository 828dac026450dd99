"""The slot rules: where a persona's post may sit. Pure: plain values in, plain values out.

One home for the rules every path that places a post obeys: the planner (``scheduler.planner``
chooses with these predicates), and on the Django side ``services.slot_violations`` (moving a
post from the calendar or the API, and a sent-back or failed post coming back into the
calendar). A post that breaks one is refused with the rule's code.

The rules, by code:

``window_taken``
    One post per persona per window on a day.
``ad_today``
    At most one ad per persona per local day.
``ad_adjacent``
    Never two ads as consecutive posts of the persona's time line (posts in time order;
    empty windows in between do not separate them).
``nurturing_ad``
    No ads while the account is young (养号, ``Persona.is_nurturing``).
``weekday``
    The window is open on that weekday.
``past``
    The post's time has not passed yet.

The planner's reason codes for passing over an ad are these codes with ``skip_`` in front
(``skip_ad_today``, ``skip_ad_adjacent``); ``past`` is the same code in both. Messages are
English and double as gettext msgids (marked below; ``services`` translates them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

AD = "ad"
ALL_WEEKDAYS: frozenset[int] = frozenset(range(7))  # 0 = Monday

WINDOW_TAKEN = "window_taken"
AD_TODAY = "ad_today"
AD_ADJACENT = "ad_adjacent"
NURTURING_AD = "nurturing_ad"
WEEKDAY = "weekday"
PAST = "past"

# How far either side of a post its neighbours are looked for: the planner's loader reads the
# persona's posts this far around a plan (its reuse span), so both see the same time line.
LOOKAROUND_DAYS = 30


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages without importing Django (the module stays pure)."""
    return message


# Rule code -> English message (a gettext msgid; the Django side translates it).
MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        WINDOW_TAKEN: gettext_noop("This persona already has a post in that window on that day."),
        AD_TODAY: gettext_noop("This persona already has an ad on that day: one ad a day."),
        AD_ADJACENT: gettext_noop(
            "Two ads in a row: the persona's post just before or after this one is an ad."
        ),
        NURTURING_AD: gettext_noop("The account is still being nurtured (养号): no ads yet."),
        WEEKDAY: gettext_noop("This window is not open on that day."),
        PAST: gettext_noop("That time has already passed."),
    }
)
RULES: tuple[str, ...] = tuple(MESSAGES)


@dataclass(frozen=True)
class SlotPost:
    """A post as the rules see it: when (aware), which local day and window, what category.

    ``window_key`` identifies the window (the planner's key, the Django side's primary key
    as a string); ``id`` tells the post being placed apart from the others (None: a new one).
    """

    at: dt.datetime
    local_date: dt.date
    window_key: str
    category: str
    id: int | None = None


@dataclass(frozen=True)
class SlotViolation:
    """One broken rule: its code (one of :data:`RULES`) and its English message."""

    rule: str

    @property
    def message(self) -> str:
        return MESSAGES[self.rule]


# ----------------------------------------------------------------- the predicates


def window_open(weekdays: Collection[int], day: dt.date) -> bool:
    """Whether a window open on ``weekdays`` (0 = Monday) is open on ``day``."""
    return day.weekday() in weekdays


def is_past(at: dt.datetime, now: dt.datetime | None) -> bool:
    """Whether a post at ``at`` would be in the past (never, when ``now`` is None)."""
    return now is not None and at <= now


def ads_allowed(*, nurturing: bool) -> bool:
    """Whether the persona may post ads at all: not while the account is nurtured."""
    return not nurturing


def ad_on_day(category: str, day: dt.date, ad_days: Collection[dt.date]) -> bool:
    """Whether an ad on ``day`` would be a second ad that day (``ad_days``: days with one)."""
    return category == AD and day in ad_days


def ad_next_to_ad(category: str, before: str | None, after: str | None) -> bool:
    """Whether an ad would sit next to an ad: the categories of the posts right before and
    right after it on the time line (None: no post there)."""
    return category == AD and AD in (before, after)


# ------------------------------------------------------------------------ the check


def neighbours(candidate: SlotPost, others: Iterable[SlotPost]) -> tuple[SlotPost | None, ...]:
    """The persona's posts right before and right after ``candidate`` in time order (by
    instant, then window key and id, so two posts at one instant have an order)."""

    def key(post: SlotPost) -> tuple:
        return (post.at, post.window_key, post.id or 0)

    here = key(candidate)
    before = after = None
    for post in others:
        k = key(post)
        if k < here and (before is None or k > key(before)):
            before = post
        elif k > here and (after is None or k < key(after)):
            after = post
    return before, after


def check_slot(
    candidate: SlotPost,
    others: Iterable[SlotPost],
    *,
    weekdays: Collection[int],
    nurturing: bool,
    now: dt.datetime | None,
) -> list[SlotViolation]:
    """Every rule ``candidate`` breaks among the persona's ``others`` posts (those that hold
    a slot; the candidate itself, by ``id``, is left out), in the order of :data:`RULES`.

    ``weekdays`` are the days the candidate's window is open; ``nurturing`` whether the
    account is young on the candidate's day; ``now`` None skips the ``past`` rule (a post
    staying where it is). An empty list: the post may sit there.
    """
    rest = [p for p in others if candidate.id is None or p.id != candidate.id]
    broken: list[str] = []
    if any(
        p.local_date == candidate.local_date and p.window_key == candidate.window_key for p in rest
    ):
        broken.append(WINDOW_TAKEN)
    ad_days = {p.local_date for p in rest if p.category == AD}
    if ad_on_day(candidate.category, candidate.local_date, ad_days):
        broken.append(AD_TODAY)
    before, after = neighbours(candidate, rest)
    if ad_next_to_ad(
        candidate.category,
        before.category if before else None,
        after.category if after else None,
    ):
        broken.append(AD_ADJACENT)
    if candidate.category == AD and not ads_allowed(nurturing=nurturing):
        broken.append(NURTURING_AD)
    if not window_open(weekdays, candidate.local_date):
        broken.append(WEEKDAY)
    if is_past(candidate.at, now):
        broken.append(PAST)
    return [SlotViolation(rule) for rule in broken]
