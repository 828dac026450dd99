"""Reads: the planner's input from the database, calendars, reminders.

``plan_request_for`` is the thin loader of ARCHITECTURE path 3: it turns a persona's windows,
the approved library, the persona's posts around the range and its leads' reactions into the
pure planner's plain values. Its query count does not grow with the library or the history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, BooleanField, Func, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from contacts.models import Contact, Interaction, Persona
from content.models import ContentImage, ContentItem
from content.models import Status as ContentStatus
from crm.models import User
from scheduler import planner
from scheduler.cards import CardRow
from scheduler.models import MomentPost, PostingWindow, PostStatus, Reminder

# Posts that count as the persona's history for "not reused within 30 days".
HISTORY_STATUSES = (
    PostStatus.PENDING_REVIEW,
    PostStatus.SCHEDULED,
    PostStatus.SENT,
    PostStatus.POSTED,
    PostStatus.MISSED,
)
# Posts a re-plan keeps in place: approved (scheduled), sent, posted, or missed (it happened).
KEPT_STATUSES = (PostStatus.SCHEDULED, PostStatus.SENT, PostStatus.POSTED, PostStatus.MISSED)
TOPIC_LOOKBACK_DAYS = 90  # reactions older than this no longer say what leads care about


def window_spec(window: PostingWindow) -> planner.WindowSpec | None:
    """The planner's value for a window (None for a window too short to hold a minute)."""
    try:
        return planner.WindowSpec(
            key=str(window.pk),
            name=window.name,
            start=window.start,
            end=window.end,
            weekdays=frozenset(day for day in range(7) if window.weekdays & (1 << day)),
        )
    except ValueError:
        return None


def topic_interest(persona: Persona, now: dt.datetime) -> dict[str, float]:
    """Topic -> summed weight of what the persona's warm and hot leads reacted to, by the
    topics of the posts they reacted to (last 90 days)."""
    team = persona.owner.team
    half_life = team.warmth_half_life_days if team else 14
    leads = Contact.objects.filter(persona=persona).active()
    warm_or_hot = leads.warm(now, half_life) | leads.hot(now, half_life)
    rows = (
        Interaction.objects.filter(
            contact__in=warm_or_hot.values("pk"),
            post__content__isnull=False,
            at__gte=now - dt.timedelta(days=TOPIC_LOOKBACK_DAYS),
        )
        .values("post__content__topic_tags__name")
        .annotate(weight=Sum("weight"))
    )
    return {
        row["post__content__topic_tags__name"]: float(row["weight"] or 0)
        for row in rows
        if row["post__content__topic_tags__name"]
    }


def plan_library(start: dt.date) -> QuerySet[ContentItem]:
    """Approved items still valid on or after ``start`` (the planner checks each date)."""
    return (
        ContentItem.objects.filter(status=ContentStatus.APPROVED)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=start))
        .prefetch_related("topic_tags")
    )


@dataclass
class PlanInput:
    request: planner.PlanRequest
    windows: dict[str, PostingWindow]
    replaceable: list[MomentPost] = field(default_factory=list)


def plan_request_for(
    *,
    persona: Persona,
    start: dt.date,
    days: int,
    seed: int,
    library: list[planner.LibraryItem] | None = None,
    now: dt.datetime | None = None,
) -> PlanInput:
    """Everything the planner needs for ``persona`` over ``days`` local days from ``start``.

    ``library`` may be passed in when planning many personas at once (it is the same shared
    library). ``replaceable`` are the posts in the range a re-plan replaces (drafts, posts in
    review, sent-back posts); kept posts go to the planner as ``kept``.
    """
    now = now or timezone.now()
    agent: User = persona.owner
    tz = agent.tzinfo
    windows = {str(w.pk): w for w in PostingWindow.objects.effective_for(agent)}
    specs = [spec for w in windows.values() if (spec := window_spec(w)) is not None]
    if library is None:
        library = library_items(plan_library(start))

    range_start = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    range_end = range_start + dt.timedelta(days=days)
    reuse = dt.timedelta(days=planner.DEFAULT_REUSE_DAYS)
    around = MomentPost.objects.filter(
        persona=persona,
        scheduled_at__gte=range_start - reuse,
        scheduled_at__lt=range_end + reuse,
    ).only("pk", "content_id", "category", "scheduled_at", "window_id", "status")
    history, kept, replaceable = [], [], []
    for post in around:
        at = post.scheduled_at.astimezone(tz)
        key = str(post.window_id) if post.window_id else ""
        in_range = range_start <= post.scheduled_at < range_end
        if in_range and post.status in KEPT_STATUSES:
            kept.append(
                planner.KeptPost(
                    local_date=at.date(),
                    window_key=key,
                    # A post whose library item was deleted still holds its slot.
                    content_id=post.content_id or -post.pk,
                    category=post.category,
                    at=at,
                )
            )
        elif in_range and post.status in (
            PostStatus.DRAFT,
            PostStatus.PENDING_REVIEW,
            PostStatus.REJECTED,
        ):
            replaceable.append(post)
        elif post.status in HISTORY_STATUSES and post.content_id:
            history.append(
                planner.PastPost(
                    content_id=post.content_id,
                    category=post.category,
                    local_date=at.date(),
                    window_key=key,
                    at=at,
                )
            )
    team = agent.team
    mix = (
        {"story": team.mix_story, "value": team.mix_value, "ad": team.mix_ad}
        if team
        else dict(planner.DEFAULT_MIX)
    )
    request = planner.PlanRequest(
        persona_id=persona.pk,
        start=start,
        days=days,
        library=library,
        tz=tz,
        windows=specs,
        history=history,
        kept=kept,
        mix=mix,
        nurturing=persona.is_nurturing(start),
        topic_interest=topic_interest(persona, now),
        seed=seed,
    )
    return PlanInput(request=request, windows=windows, replaceable=replaceable)


def library_items(items: QuerySet[ContentItem]) -> list[planner.LibraryItem]:
    return [
        planner.LibraryItem(
            id=item.pk,
            category=item.category,
            topics=frozenset(tag.name for tag in item.topic_tags.all()),
            valid_from=item.valid_from,
            valid_until=item.valid_until,
            compliant=not item.has_block,
        )
        for item in items
    ]


def content_for_posts(ids: set[int]) -> dict[int, ContentItem]:
    """The chosen items with their images in order (two queries)."""
    images = Prefetch("images", queryset=ContentImage.objects.order_by("position", "pk"))
    return {
        item.pk: item for item in ContentItem.objects.filter(pk__in=ids).prefetch_related(images)
    }


# ----------------------------------------------------------------------------- calendar


def posts_for_calendar(
    *, user: User, start: dt.date, days: int, agent: User | None = None
) -> QuerySet[MomentPost]:
    """The posts the user may see whose time falls in the ``days`` days from ``start`` in the
    user's (or the chosen agent's) zone; cancelled posts left out. Constant query count."""
    tz = (agent or user).tzinfo
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    posts = (
        MomentPost.objects.visible_to(user)
        .between(begin, begin + dt.timedelta(days=days))
        .exclude(status=PostStatus.CANCELLED)
        .select_related("persona", "persona__owner")
        .order_by("scheduled_at", "pk")
    )
    if agent is not None:
        posts = posts.filter(persona__owner=agent)
    return posts


class EpochMicroseconds(Func):
    """A date-time column as whole microseconds since 1970-01-01 UTC (a ``bigint``).

    The calendar reads its posts' times this way: the date-time loader Django installs in the
    PostgreSQL driver is a Python class (for its time zone handling) and cost about 3.5 µs a
    row, a third of a team week's read; an integer loads in C, and
    ``datetime.fromtimestamp(us / 1e6, tz)`` gives back the exact local time (a double holds
    any microsecond count of the next 280 years exactly, and the quotient rounds to the same
    microsecond)."""

    arity = 1
    output_field = BigIntegerField()

    def get_db_converters(self, connection) -> list:
        # Both databases hand back a Python int already: no int() call per row.
        return []

    def as_postgresql(self, compiler, connection, **extra):
        # EXTRACT gives an exact numeric (PostgreSQL 14+, which Django 5.2 requires).
        template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: whole seconds from julianday
        # (exact once rounded), the microseconds from the text (julianday keeps milliseconds).
        template = (
            "(CAST(ROUND((julianday(substr(%(expressions)s, 1, 19)) - 2440587.5) * 86400) "
            "AS INTEGER) * 1000000 + CAST(substr(%(expressions)s || '.000000', 21, 6) AS INTEGER))"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


class JsonTruthy(Func):
    """Whether a JSON column's value is true in Python (``bool(json.loads(value))``): a
    non-empty array, object or string, a non-zero number, or ``true``.

    A card only shows whether its post has findings; decoding every post's findings list with
    ``json.loads`` to learn that was a tenth of the team week's read."""

    arity = 1
    output_field = BooleanField()

    def as_postgresql(self, compiler, connection, **extra):
        template = (
            "CASE jsonb_typeof(%(expressions)s) "
            "WHEN 'array' THEN jsonb_array_length(%(expressions)s) > 0 "
            "WHEN 'object' THEN %(expressions)s <> '{}'::jsonb "
            "WHEN 'string' THEN %(expressions)s <> '\"\"'::jsonb "
            "WHEN 'number' THEN %(expressions)s <> '0'::jsonb "
            "WHEN 'boolean' THEN %(expressions)s = 'true'::jsonb "
            "ELSE false END"
        )
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = (
            "CASE json_type(%(expressions)s) "
            "WHEN 'array' THEN json_array_length(%(expressions)s) > 0 "
            "WHEN 'object' THEN json(%(expressions)s) <> '{}' "
            "WHEN 'text' THEN json_extract(%(expressions)s, '$') <> '' "
            "WHEN 'integer' THEN json_extract(%(expressions)s, '$') <> 0 "
            "WHEN 'real' THEN json_extract(%(expressions)s, '$') <> 0 "
            "WHEN 'true' THEN 1 ELSE 0 END"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def calendar_cards(posts: QuerySet[MomentPost], tz: dt.tzinfo) -> list[CardRow]:
    """``posts`` as light rows holding only what a calendar card and the week grid read, with
    the post's time in ``tz`` and the persona's agent as ``owner_id``; in time order (then by
    id), whatever order ``posts`` had.

    A team's week is ~200 posts: loading each as a model with its persona and agent (about 30
    date-times a post) was a third of the team calendar's time; model instances were another
    fifth. The time comes as an integer (:class:`EpochMicroseconds`) and the findings as a flag
    (:class:`JsonTruthy`), neither of which needs a Python loader per row. The rows are sorted
    here, as (time, id) tuples at C speed: PostgreSQL's sort copied every row, text and all,
    and cost it a fifth of the query."""
    rows = list(
        posts.select_related(None)
        .order_by()
        .values_list(
            EpochMicroseconds("scheduled_at"),
            "pk",
            "persona_id",
            "persona__owner_id",
            "window_name",
            "status",
            "category",
            "title",
            "text",
            "has_block",
            JsonTruthy("findings"),
            "review_comment",
            "last_error",
        )
    )
    rows.sort()  # by time, then id (unique): the tuples' first two items
    local = dt.datetime.fromtimestamp
    new = tuple.__new__
    return [new(CardRow, (*row[1:], local(row[0] / 1_000_000, tz))) for row in rows]


def calendar_grid(
    *, posts: Iterable[CardRow], tz: dt.tzinfo, row_key: Callable[[CardRow], Hashable]
) -> dict[Hashable, dict[dt.date, list[CardRow]]]:
    """Posts grouped by ``row_key(post)`` then by local date in ``tz``: the week grid's cells.
    Missing rows and days read as empty (nested defaultdicts)."""
    grid: dict[Hashable, dict[dt.date, list[CardRow]]] = defaultdict(lambda: defaultdict(list))
    for post in posts:
        # Rows from calendar_cards are in ``tz`` already: astimezone returns them as they are.
        grid[row_key(post)][post.at.astimezone(tz).date()].append(post)
    return grid


def open_reminders(user: User) -> QuerySet[Reminder]:
    """The agent's reminders not yet dismissed, newest first: ready posts and held ones."""
    return (
        Reminder.objects.owned_by(user)
        .filter(dismissed_at__isnull=True)
        .select_related("post", "post__persona")
        .order_by("-created", "-pk")
    )
