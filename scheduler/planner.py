"""The weekly planner: a pure function from plain data to a plan of Moment posts.

No Django in here. A thin loader turns a persona's windows, the approved library, the
persona's posting history and the posts that must stay into a :class:`PlanRequest`;
:func:`plan` returns a :class:`Plan` (posts to create and slots it could not fill, each
with its reasons); a service writes the rows.

What the caller may rely on (each rule is checked by ``scheduler/tests/test_planner_properties.py``
over random libraries, windows, histories, kept posts, time zones and seeds):

Slots
    A slot is a (local date, window) with the date in ``[start, start + days)`` and its weekday
    in ``window.weekdays``. A slot holding a kept post is occupied; every other slot ends up
    exactly once in ``Plan.posts`` or ``Plan.unfilled``. At most one post per slot.

Time line
    Posts are ordered by their instant. Kept posts use ``KeptPost.at`` (or, without it, the
    start of their window, or midnight when the window is unknown); history uses
    ``PastPost.at`` the same way; at one instant kept posts come first (by window key,
    then content id). History
    dated *inside* the range is ignored: the range holds exactly the kept posts plus what
    this plan adds (so the loader may pass every post of the persona around the range as
    history, kept ones included). Kept posts outside the range are ignored too.

Mix
    Categories are chosen by deficit: for the next post, the category furthest below its
    share of all posts in the range (kept ones counted up front) goes first; if rules or the
    library forbid it, the next one (the reasons' "count of total so far" include every
    kept post of the range). A category with weight 0 is never planned. With a
    library that never runs dry, no kept posts and an ad weight of at most 25 % of the mix,
    every category's count ``n_c`` over the ``N`` posts of the range satisfies
    ``|n_c - share_c * N| < 1`` (so it is the floor or the ceiling of its target).
    Integer arithmetic throughout, so ties break the same way on every machine
    (story, then value, then ad).

Ads
    At most one ad per local day (kept ads count) and never two ads as consecutive posts of
    the time line, which runs from the history's last post before the range, through kept
    and planned posts, to the history's first post after it. Empty slots do not separate
    posts: a planned ad followed only by unfilled slots and then a kept ad is replaced by
    another category, or left unfilled.

Content
    Only ``compliant`` items whose ``valid_from <= date <= valid_until`` (both inclusive,
    ``None`` open) on the post's local date. The same content is never used twice by the
    persona less than ``reuse_days`` days apart, counting history (before and after the
    range), kept posts and the plan itself.

Preference
    Within a category: the highest topic score first (the sum of ``topic_interest`` weights
    of the item's topics), then content the persona has never used, then the least recently
    used, then a seeded pseudo-random rank (variety between seeds, ties only).

Nurturing (养号)
    No ads, and at most one post a day: only on days without a kept post, in one window
    drawn by the seed; the other slots are reported unfilled as ``nurturing_rest``.
    Story and value keep their relative weights.

Past
    With ``not_before`` set, a slot whose exact time is at or before it is unfilled as
    ``past``.

Slot rules
    The rules a post's slot obeys on every path (one per window, the ad rules, nurturing, the
    window's weekdays, the past) live in ``scheduler.slots``; the planner chooses with its
    predicates, so a plan never holds a post the move action would refuse.

Exact time
    A whole minute strictly inside ``[window.start, window.end)`` in the agent's time zone,
    never ``:00``, drawn from a generator seeded by (seed, persona, date, window key): the
    same request gives the same minute. Local times that do not exist that day (spring
    forward) are never chosen; if none of the window exists, the slot is unfilled as
    ``no_valid_time``. An ambiguous local time (fall back) means its first occurrence
    (``fold=0``).

Reasons
    Every post and unfilled slot carries ``reasons``: :class:`Reason` parts (a code and
    JSON-friendly params) whose English text comes from :data:`REASON_TEMPLATES`; ``reason``
    is the parts' texts joined with "; ". ``reason_code`` / ``reason_params`` are the main
    part's code and a merged dict, for code that wants one value. The Django side translates
    each part with the same template as msgid and the same params.

Determinism
    The plan depends on the request's values only, not on the order of its lists.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from zoneinfo import ZoneInfo

from scheduler import slots

STORY = "story"
VALUE = "value"
AD = slots.AD
CATEGORIES: tuple[str, ...] = (STORY, VALUE, AD)

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_MIX: Mapping[str, int] = MappingProxyType({STORY: 40, VALUE: 40, AD: 20})
DEFAULT_REUSE_DAYS = 30
ALL_WEEKDAYS = slots.ALL_WEEKDAYS
MAX_DAYS = 366

_UTC = dt.UTC
_MASK64 = (1 << 64) - 1

# English templates, one per reason code. They double as gettext msgids on the Django side.
REASON_TEMPLATES: Mapping[str, str] = MappingProxyType(
    {
        # Why this category.
        "mix": "{category} is furthest behind its {target}% share ({count} of {total} so far)",
        "mix_next": "{category} is next furthest behind its {target}% share "
        "({count} of {total} so far)",
        # Why a category was passed over (in posts and unfilled slots).
        "skip_ad_today": "no ad: there is already one that day",
        "skip_ad_adjacent": "no ad: it would sit next to another ad",
        "no_content": "no approved, in-date {category} content unused in {reuse_days} days",
        # Why this item.
        "topic_match": "matches the leads' interest in {topics}",
        "no_topic_match": "no topic the leads reacted to; the least recently used",
        # Why a slot stays empty (besides no_content and the ad rules).
        "ad_rules": "only ads fit the mix here and the ad rules forbid one",
        "nurturing_rest": "nurturing mode: at most one post a day",
        "no_valid_time": "the {window} window does not exist on this day (clock change)",
        "past": "that time has already passed",
        "mix_empty": "the mix allows no category that can be posted",
    }
)


# --------------------------------------------------------------------------- input


@dataclass(frozen=True)
class WindowSpec:
    """A named posting window in the agent's local day; ``start < end``, same day."""

    key: str
    name: str
    start: dt.time
    end: dt.time
    weekdays: frozenset[int] = ALL_WEEKDAYS  # 0 = Monday

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("window key must not be empty")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError(f"window {self.key!r}: start and end are local, naive times")
        if not self.start < self.end:
            raise ValueError(f"window {self.key!r}: start must be before end")
        if not set(self.weekdays) <= ALL_WEEKDAYS:
            raise ValueError(f"window {self.key!r}: weekdays are 0 (Monday) to 6")
        if not self.minutes:
            raise ValueError(f"window {self.key!r} holds no whole minute off the hour")

    @cached_property
    def minutes(self) -> tuple[dt.time, ...]:
        """Every whole minute ``m`` with ``start <= m < end`` and ``m.minute != 0``."""
        first = self.start.hour * 60 + self.start.minute
        if (self.start.second, self.start.microsecond) != (0, 0):
            first += 1
        last = self.end.hour * 60 + self.end.minute  # exclusive when end is a whole minute
        if (self.end.second, self.end.microsecond) != (0, 0):
            last += 1
        return tuple(dt.time(m // 60, m % 60) for m in range(first, last) if m % 60)


DEFAULT_WINDOWS: tuple[WindowSpec, ...] = (
    WindowSpec("commute", "Commute", dt.time(7, 30), dt.time(9, 0)),
    WindowSpec("lunch", "Lunch", dt.time(12, 0), dt.time(13, 30)),
    WindowSpec("bedtime", "Bedtime", dt.time(21, 30), dt.time(23, 0)),
)


@dataclass(frozen=True)
class LibraryItem:
    """An approved content item; ``compliant`` is False when it has a block finding."""

    id: int
    category: str
    topics: frozenset[str] = frozenset()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    compliant: bool = True

    def valid_on(self, day: dt.date) -> bool:
        """True when ``day`` lies within the item's validity (bounds inclusive)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True)
class PastPost:
    """A post of this persona (scheduled, sent or posted), before, in or after the range."""

    content_id: int
    category: str
    local_date: dt.date
    window_key: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class KeptPost:
    """A post in the range that re-planning must keep (approved, sent or posted)."""

    local_date: dt.date
    window_key: str
    content_id: int
    category: str
    at: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PlanRequest:
    """Everything the planner needs for one persona and one date range."""

    persona_id: int
    start: dt.date
    days: int
    library: Sequence[LibraryItem]
    tz: dt.tzinfo = DEFAULT_TZ
    windows: Sequence[WindowSpec] = DEFAULT_WINDOWS
    history: Sequence[PastPost] = ()
    kept: Sequence[KeptPost] = ()
    mix: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MIX))
    nurturing: bool = False
    topic_interest: Mapping[str, float] = field(default_factory=dict)
    seed: int = 0
    reuse_days: int = DEFAULT_REUSE_DAYS
    # Slots at or before this instant are left unfilled as ``past`` (None: plan every slot).
    not_before: dt.datetime | None = None


# -------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Reason:
    """One part of an explanation: a code from :data:`REASON_TEMPLATES` and its params."""

    code: str
    params: dict[str, object] = field(default_factory=dict, hash=False)

    @property
    def text(self) -> str:
        """The English sentence part (lists in params are joined with ", ")."""
        values = {
            k: ", ".join(map(str, v)) if isinstance(v, list | tuple) else v
            for k, v in self.params.items()
        }
        return REASON_TEMPLATES[self.code].format(**values)


def _join(reasons: Sequence[Reason]) -> str:
    text = "; ".join(r.text for r in reasons)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class PlannedPost:
    """A post to create: content for a slot at an exact aware time (in the request's tz)."""

    local_date: dt.date
    window_key: str
    content_id: int
    category: str
    at: dt.datetime
    reasons: tuple[Reason, ...]
    reason_code: str
    reason_params: dict[str, object] = field(hash=False)

    @property
    def reason(self) -> str:
        """Why this post, in English: the reason parts joined."""
        return _join(self.reasons)


@dataclass(frozen=True)
class UnfilledSlot:
    """A slot the planner left empty, and why."""

    local_date: dt.date
    window_key: str
    reasons: tuple[Reason, ...]
    reason_code: str
    reason_params: dict[str, object] = field(hash=False)

    @property
    def reason(self) -> str:
        """Why the slot is empty, in English: the reason parts joined."""
        return _join(self.reasons)


@dataclass(frozen=True)
class Plan:
    """The planner's answer: posts and unfilled slots, each in time order."""

    posts: tuple[PlannedPost, ...]
    unfilled: tuple[UnfilledSlot, ...]


# ------------------------------------------------------------------------- helpers


def _mix64(x: int) -> int:
    """splitmix64's finaliser: a fast, stable integer hash (Python's hash() is not stable)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _local_exists(day: dt.date, at: dt.time, tz: dt.tzinfo) -> dt.datetime | None:
    """The aware datetime for a local wall time, or None when the clock skips it that day."""
    local = dt.datetime.combine(day, at, tzinfo=tz)  # fold=0: first of two ambiguous times
    back = local.astimezone(_UTC).astimezone(tz)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local


def slot_time(
    *, seed: int, persona_id: int, day: dt.date, window: WindowSpec, tz: dt.tzinfo
) -> dt.datetime | None:
    """The exact time for a post in ``window`` on ``day``: aware, in ``tz``, reproducible.

    A whole minute in ``[start, end)``, never ``:00``; None when no minute of the window
    exists on that day (a clock change swallowed it).
    """
    # random.Random seeded by a str hashes it with SHA-512: stable across runs and machines.
    rng = random.Random(f"{seed}|{persona_id}|{day.isoformat()}|{window.key}")
    minutes = window.minutes
    chosen = _local_exists(day, minutes[rng.randrange(len(minutes))], tz)
    if chosen is not None:
        return chosen
    existing = [t for t in minutes if _local_exists(day, t, tz) is not None]
    if not existing:
        return None
    return _local_exists(day, existing[rng.randrange(len(existing))], tz)


def _validate(req: PlanRequest) -> None:
    if not 1 <= req.days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    if req.reuse_days < 1:
        raise ValueError("reuse_days must be at least 1")
    keys = [w.key for w in req.windows]
    if len(set(keys)) != len(keys):
        raise ValueError("window keys must be unique")
    ids = [i.id for i in req.library]
    if len(set(ids)) != len(ids):
        raise ValueError("library item ids must be unique")
    for what, rows in (("library", req.library), ("history", req.history), ("kept", req.kept)):
        for row in rows:
            if row.category not in CATEGORIES:
                raise ValueError(f"{what}: unknown category {row.category!r}")
    for category, weight in req.mix.items():
        if category not in CATEGORIES:
            raise ValueError(f"mix: unknown category {category!r}")
        if not isinstance(weight, int) or weight < 0:
            raise ValueError(f"mix: weight of {category!r} must be a non-negative integer")
    for post in req.kept:
        if post.at is not None and post.at.tzinfo is None:
            raise ValueError("kept: at must be an aware datetime")
    for post in req.history:
        if post.at is not None and post.at.tzinfo is None:
            raise ValueError("history: at must be an aware datetime")
    if req.not_before is not None and req.not_before.tzinfo is None:
        raise ValueError("not_before must be an aware datetime")


class _Ranked:
    """Rows in key order, sorted lazily: a plan reads the first few of thousands."""

    __slots__ = ("_heap", "_sorted")

    def __init__(self, rows: list[tuple]) -> None:
        heapq.heapify(rows)  # O(n); rows compare on their key, ending with the unique id
        self._heap = rows
        self._sorted: list[tuple] = []

    def __iter__(self) -> Iterator[tuple]:
        done, heap = self._sorted, self._heap
        index = 0
        while True:
            if index < len(done):
                yield done[index]
                index += 1
            elif heap:
                done.append(heapq.heappop(heap))
            else:
                return


@dataclass
class _Slot:
    day: dt.date
    window: WindowSpec
    at: dt.datetime
    post: PlannedPost | None = None
    unfilled: UnfilledSlot | None = None
    item: LibraryItem | None = None


@dataclass
class _Event:
    sort_key: tuple
    slot: _Slot | None = None
    kept: KeptPost | None = None


class _Planner:
    """One run of the planner; state lives here so the rules read as plain methods."""

    def __init__(self, req: PlanRequest) -> None:
        self.req = req
        self.tz = req.tz
        self.first = req.start
        self.last = req.start + dt.timedelta(days=req.days - 1)
        self.windows = sorted(req.windows, key=lambda w: (w.start, w.end, w.key))
        self.window_by_key = {w.key: w for w in self.windows}
        weights = {c: req.mix.get(c, 0) for c in CATEGORIES}
        if not slots.ads_allowed(nurturing=req.nurturing):
            weights[AD] = 0
        self.weights = weights
        self.allowed = [c for c in CATEGORIES if weights[c] > 0]
        self.weight_sum = sum(weights[c] for c in self.allowed)
        self.kept = sorted(
            (k for k in req.kept if self.first <= k.local_date <= self.last),
            key=self._kept_key,
        )
        self.unfilled: list[tuple[tuple, UnfilledSlot]] = []

        # Uses of each content item by this persona: history outside the range, kept inside.
        self.uses: dict[int, list[dt.date]] = defaultdict(list)
        last_used: dict[int, dt.date] = {}
        before: list[PastPost] = []
        after: list[PastPost] = []
        for h in req.history:
            if h.local_date < self.first:
                before.append(h)
                if h.content_id not in last_used or last_used[h.content_id] < h.local_date:
                    last_used[h.content_id] = h.local_date
            elif h.local_date > self.last:
                after.append(h)
            else:
                continue  # inside the range: replaced by kept + planned
            self.uses[h.content_id].append(h.local_date)
        for k in self.kept:
            self.uses[k.content_id].append(k.local_date)
        self.last_used = last_used
        self.prev_history = max(before, key=self._history_key, default=None)
        self.next_history = min(after, key=self._history_key, default=None)

        self.counts: Counter[str] = Counter(k.category for k in self.kept)
        self.total = len(self.kept)
        self.ad_days = {k.local_date for k in self.kept if k.category == AD}
        self.candidates = self._rank_library()

    # --- ordering -----------------------------------------------------------------

    def _fallback_at(self, day: dt.date, window_key: str) -> dt.datetime:
        window = self.window_by_key.get(window_key)
        return dt.datetime.combine(day, window.start if window else dt.time.min, tzinfo=self.tz)

    def _kept_key(self, k: KeptPost) -> tuple:
        at = k.at or self._fallback_at(k.local_date, k.window_key)
        return (k.local_date, at.astimezone(_UTC), 0, k.window_key, k.content_id)

    def _history_key(self, h: PastPost) -> tuple:
        at = h.at or self._fallback_at(h.local_date, h.window_key)
        return (h.local_date, at.astimezone(_UTC), h.window_key, h.content_id)

    # --- the library ----------------------------------------------------------------

    def _rank_library(self) -> dict[str, _Ranked]:
        """Per category, the compliant items in preference order, with their scores."""
        base = _mix64(_mix64(self.req.seed & _MASK64) ^ (self.req.persona_id & _MASK64))
        interest = self.req.topic_interest
        wanted = frozenset(t for t, w in interest.items() if w)
        last_used = self.last_used
        rows: dict[str, list[tuple]] = defaultdict(list)
        for item in self.req.library:
            if not item.compliant:
                continue
            score = 0.0
            if wanted and not wanted.isdisjoint(item.topics):
                score = sum(interest[t] for t in sorted(wanted & item.topics))
            used = last_used.get(item.id)
            # Never used (0) before the oldest use; then a cheap multiplicative hash of the
            # id, salted per persona and seed, so ties fall differently for each of them.
            rows[item.category].append(
                (
                    -score,
                    0 if used is None else used.toordinal(),
                    ((item.id ^ base) * 0x9E3779B97F4A7C15) & _MASK64,
                    item.id,
                    item,
                    score,
                )
            )
        return {category: _Ranked(category_rows) for category, category_rows in rows.items()}

    def _blocked(self, content_id: int, day: dt.date) -> bool:
        reuse = self.req.reuse_days
        return any(abs((day - u).days) < reuse for u in self.uses.get(content_id, ()))

    def _pick(self, category: str, day: dt.date) -> tuple[LibraryItem, float] | None:
        ranked = self.candidates.get(category)
        if ranked is None:
            return None
        for row in ranked:
            item = row[4]
            if item.valid_on(day) and not self._blocked(item.id, day):
                return item, row[5]
        return None

    # --- slots ----------------------------------------------------------------------

    def _unfill(self, slot_day: dt.date, window_key: str, reasons: list[Reason]) -> UnfilledSlot:
        main = next((r for r in reasons if r.code == "no_content"), reasons[0])
        if main.code.startswith("skip_ad"):
            main = Reason("ad_rules")
        params = dict(main.params)
        params["parts"] = [r.code for r in reasons]
        return UnfilledSlot(slot_day, window_key, tuple(reasons), main.code, params)

    def _free_slots(self) -> list[_Slot]:
        occupied = {(k.local_date, k.window_key) for k in self.kept}
        free: list[_Slot] = []
        day = self.first
        while day <= self.last:
            for window in self.windows:
                if not slots.window_open(window.weekdays, day) or (day, window.key) in occupied:
                    continue
                at = slot_time(
                    seed=self.req.seed,
                    persona_id=self.req.persona_id,
                    day=day,
                    window=window,
                    tz=self.tz,
                )
                if at is None:
                    key = (day, self._fallback_at(day, window.key).astimezone(_UTC), window.key)
                    reason = Reason("no_valid_time", {"window": window.name})
                    self.unfilled.append((key, self._unfill(day, window.key, [reason])))
                elif slots.is_past(at, self.req.not_before):
                    key = (day, at.astimezone(_UTC), window.key)
                    self.unfilled.append((key, self._unfill(day, window.key, [Reason("past")])))
                else:
                    free.append(_Slot(day, window, at))
            day += dt.timedelta(days=1)
        if self.req.nurturing:
            free = self._nurturing_pick(free)
        return free

    def _nurturing_pick(self, free: list[_Slot]) -> list[_Slot]:
        """Keep at most one slot per day, none on a day that already has a kept post."""
        kept_days = {k.local_date for k in self.kept}
        by_day: dict[dt.date, list[_Slot]] = defaultdict(list)
        for slot in free:
            by_day[slot.day].append(slot)
        chosen: list[_Slot] = []
        for day, day_slots in by_day.items():
            keep = None
            if day not in kept_days:
                rng = random.Random(f"{self.req.seed}|{self.req.persona_id}|{day}|nurturing")
                keep = day_slots[rng.randrange(len(day_slots))]
                chosen.append(keep)
            for slot in day_slots:
                if slot is not keep:
                    key = (slot.day, slot.at.astimezone(_UTC), slot.window.key)
                    reason = Reason("nurturing_rest")
                    self.unfilled.append((key, self._unfill(slot.day, slot.window.key, [reason])))
        return chosen

    # --- choosing -------------------------------------------------------------------

    def _choose(
        self,
        slot: _Slot,
        *,
        prev_category: str | None,
        next_category: str | None,
        no_ad: bool = False,
    ) -> None:
        """Fill ``slot`` with the most-wanted category the rules and the library allow."""
        day = slot.day
        if not self.allowed:
            slot.unfilled = self._unfill(day, slot.window.key, [Reason("mix_empty")])
            return
        n = self.total + 1
        deficit = {c: self.weights[c] * n - self.counts[c] * self.weight_sum for c in self.allowed}
        order = sorted(self.allowed, key=lambda c: (-deficit[c], CATEGORIES.index(c)))
        skipped: list[Reason] = []
        for category in order:
            if slots.ad_on_day(category, day, self.ad_days):
                skipped.append(Reason(f"skip_{slots.AD_TODAY}"))
                continue
            if (category == AD and no_ad) or slots.ad_next_to_ad(
                category, prev_category, next_category
            ):
                skipped.append(Reason(f"skip_{slots.AD_ADJACENT}"))
                continue
            picked = self._pick(category, day)
            if picked is None:
                skipped.append(
                    Reason("no_content", {"category": category, "reuse_days": self.req.reuse_days})
                )
                continue
            self._place(slot, category, picked[0], picked[1], skipped)
            return
        slot.unfilled = self._unfill(day, slot.window.key, skipped)

    def _place(
        self, slot: _Slot, category: str, item: LibraryItem, score: float, skipped: list[Reason]
    ) -> None:
        mix_params: dict[str, object] = {
            "category": category,
            "target": round(100 * self.weights[category] / self.weight_sum),
            "count": self.counts[category],
            "total": self.total,
        }
        mix = Reason("mix_next" if skipped else "mix", mix_params)
        if score > 0:
            interest = self.req.topic_interest
            topics = sorted(
                (t for t in item.topics if interest.get(t, 0.0) > 0),
                key=lambda t: (-interest[t], t),
            )
            why_item = Reason("topic_match", {"topics": topics})
        else:
            why_item = Reason("no_topic_match")
        last = self.last_used.get(item.id)
        params = {
            **mix_params,
            "topics": list(why_item.params.get("topics", [])),
            "score": score,
            "last_used_days_ago": None if last is None else (slot.day - last).days,
            "skipped": [{"code": r.code, **r.params} for r in skipped],
        }
        slot.post = PlannedPost(
            slot.day,
            slot.window.key,
            item.id,
            category,
            slot.at,
            (mix, *skipped, why_item),
            mix.code,
            params,
        )
        slot.item = item
        slot.unfilled = None
        self.counts[category] += 1
        self.total += 1
        self.uses[item.id].append(slot.day)
        if category == AD:
            self.ad_days.add(slot.day)

    def _unplace(self, slot: _Slot) -> None:
        post = slot.post
        assert post is not None
        self.counts[post.category] -= 1
        self.total -= 1
        self.uses[post.content_id].remove(slot.day)
        if post.category == AD:
            self.ad_days.discard(slot.day)
        slot.post = None
        slot.item = None

    def _repair(self, slot: _Slot) -> None:
        """A planned ad would come right before an ad we cannot move: post something else."""
        self._unplace(slot)
        self._choose(slot, prev_category=None, next_category=None, no_ad=True)

    # --- the run --------------------------------------------------------------------

    def run(self) -> Plan:
        free = self._free_slots()
        events = [_Event((s.day, s.at.astimezone(_UTC), 1, s.window.key, 0), slot=s) for s in free]
        events += [_Event(self._kept_key(k), kept=k) for k in self.kept]
        events.sort(key=lambda e: e.sort_key)

        prev_category = self.prev_history.category if self.prev_history else None
        prev_slot: _Slot | None = None  # the previous post when it is one of ours
        after_category = self.next_history.category if self.next_history else None
        for index, event in enumerate(events):
            if event.kept is not None:
                kept_ad_follows_ad = slots.ad_next_to_ad(event.kept.category, prev_category, None)
                if kept_ad_follows_ad and prev_slot is not None:
                    self._repair(prev_slot)
                prev_category, prev_slot = event.kept.category, None
                continue
            slot = event.slot
            assert slot is not None
            if index + 1 < len(events):
                following = events[index + 1].kept
                next_category = following.category if following is not None else None
            else:
                next_category = after_category
            self._choose(slot, prev_category=prev_category, next_category=next_category)
            if slot.post is not None:
                prev_category, prev_slot = slot.post.category, slot
        if slots.ad_next_to_ad(after_category or "", prev_category, None) and prev_slot is not None:
            self._repair(prev_slot)

        posts = [s.post for s in free if s.post is not None]
        for s in free:
            if s.unfilled is not None:
                self.unfilled.append(((s.day, s.at.astimezone(_UTC), s.window.key), s.unfilled))
        self.unfilled.sort(key=lambda row: row[0])
        posts.sort(key=lambda p: (p.local_date, p.at.astimezone(_UTC), p.window_key))
        return Plan(tuple(posts), tuple(u for _, u in self.unfilled))


def plan(request: PlanRequest) -> Plan:
    """Plan one persona's posts for ``request.days`` days from ``request.start``.

    Returns the posts to create and the slots left empty, in time order, each with reasons.
    Raises ValueError for malformed input (unknown category, duplicate ids or window keys,
    days outside 1..366, reuse_days < 1, naive ``at``). See the module docstring for the rules.
    """
    _validate(request)
    return _Planner(request).run()
