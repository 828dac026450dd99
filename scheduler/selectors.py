"""Reads: the planner's input from the database, calendars, reminders.

``plan_request_for`` is the thin loader of ARCHITECTURE path 3: it turns a persona's windows,
the approved library, the persona's posts around the range and its leads' reactions into the
pure planner's plain values. Its query count does not grow with the library or the history.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BigIntegerField, Func, Prefetch, Q, QuerySet, Sum
from django.utils import dateparse, timezone

from contacts.models import Contact, Interaction, Persona
from content.models import ContentImage, ContentItem
from content.models import Status as ContentStatus
from crm.models import Team, User
from crm.reads import Statement, read_together
from crm.scoping import compiled_for_viewer
from scheduler import planner
from scheduler.cards import CARD_FIELDS, CardRow
from scheduler.models import (
    MomentPost,
    PostingWindow,
    PostStatus,
    Reminder,
    WindowLayer,
    effective_labels,
)

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
# Posts a re-plan cancels and replaces: drafts, posts in review, sent-back posts.
REPLACED_STATUSES = (PostStatus.DRAFT, PostStatus.PENDING_REVIEW, PostStatus.REJECTED)
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
        elif in_range and post.status in REPLACED_STATUSES:
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


def calendar_cards(posts: QuerySet[MomentPost], tz: dt.tzinfo) -> list[CardRow]:
    """``posts`` as light rows holding only what a calendar card and the week grid read, with
    the post's time in ``tz`` and the persona's agent as ``owner_id``; in time order (then by
    id), whatever order ``posts`` had.

    A team's week is ~200 posts: loading each as a model with its persona and agent (about 30
    date-times a post) was a third of the team calendar's time; model instances were another
    fifth. The time comes as an integer (:class:`EpochMicroseconds`), which needs no Python
    loader per row. The rows are sorted
    here, as (time, id) tuples at C speed: PostgreSQL's sort copied every row, text and all,
    and cost it a fifth of the query."""
    rows = list(posts.select_related(None).order_by().values_list(*_card_columns()))
    return _cards_from_rows(rows, tz)


def _card_columns() -> tuple:
    """What a card reads of a post (``CARD_FIELDS``), its time first (as
    :class:`EpochMicroseconds`)."""
    return (EpochMicroseconds("scheduled_at"), *CARD_FIELDS[:-1])


def _cards_from_rows(rows: list[tuple], tz: dt.tzinfo) -> list[CardRow]:
    rows.sort()  # by time, then id (unique): the tuples' first two items
    local = dt.datetime.fromtimestamp
    new = tuple.__new__
    return [new(CardRow, (*row[1:], local(row[0] / 1_000_000, tz))) for row in rows]


# ------------------------------------------------------------------------------ team week


@dataclass(frozen=True)
class TeamWeek:
    """What the lead's team week shows: see :func:`team_week`."""

    team: Team
    members: list[User]  # only their ids, names and team's id loaded
    windows: list[tuple[str, str]]
    posts: list[CardRow]


def team_week(*, lead: User, start: dt.date) -> TeamWeek | None:
    """The week from ``start`` (a local date in the lead's zone) of the team ``lead`` leads:
    the team; its active agents and leads (``User.objects.visible_to(lead)``, by username)
    as users with only their names loaded; the lead's effective windows (as
    ``PostingWindow.objects.effective_labels_for(lead)``); and, as :func:`calendar_cards`
    rows in the lead's zone, the posts of the team's members the lead may see
    (``MomentPost.objects.visible_to(lead)``) in that week, cancelled ones left out. ``None``
    if the lead leads no team.

    The three reads go to the database together (``crm.reads.read_together``), as SQL
    compiled once per process: the posts' once per kind of viewer
    (``crm.scoping.compiled_for_viewer``), with the week's bounds bound after it; the members'
    and windows' once per viewer (:func:`_compiled_for_user`), as they also read the viewer's
    team. Building and compiling the three querysets cost the page about 1.5 ms of CPU, more
    than the database took to run them, and each read was a round trip of its own."""
    tz = lead.tzinfo
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    adapt = connections[DEFAULT_DB_ALIAS].ops.adapt_datetimefield_value
    bounds = (adapt(begin), adapt(begin + dt.timedelta(days=7)), PostStatus.CANCELLED.value)
    member_rows, layer_rows, post_rows = read_together(
        [
            _statement(_compiled_for_user, "scheduler.team_members", _team_members_sql, lead),
            _statement(_compiled_for_user, "scheduler.window_layers", _window_layers_sql, lead),
            _statement(compiled_for_viewer, "scheduler.team_posts", _team_posts_sql, lead, bounds),
        ]
    )
    if member_rows:
        first = member_rows[0]  # its team's id, then (last) its team's name
        team = Team.from_db(DEFAULT_DB_ALIAS, ("id", "name"), (first[4], first[-1]))
    else:  # no active member left: the team itself, if any
        team = getattr(lead, "led_team", None)
        if team is None:
            return None
    members = [User.from_db(DEFAULT_DB_ALIAS, _MEMBER_FIELDS, row[:-1]) for row in member_rows]
    # As the ORM converts them: SQLite gives times as text and booleans as 0 or 1.
    parse = dateparse.parse_time
    layers = [
        WindowLayer(name, at if isinstance(at, dt.time) else parse(at), *owners, bool(active))
        for name, at, *owners, active in layer_rows
    ]
    # Read as plain SQL: the JSON columns (findings, image paths) come as text on both
    # databases, and SQLite's booleans as 0 or 1.
    loads = json.loads
    post_rows = [
        (*row[:9], bool(row[9]), loads(row[10]), loads(row[11]), *row[12:]) for row in post_rows
    ]
    return TeamWeek(
        team=team,
        members=members,
        windows=effective_labels(layers),
        posts=_cards_from_rows(post_rows, tz),
    )


def _statement(
    compiled: Callable, name: str, build: Callable, user: User, more: tuple = ()
) -> Statement | None:
    """``compiled(name, build, user)`` with ``more`` parameters after its own; ``None`` if
    the user sees none of its rows (``visible_to`` gave ``none()``)."""
    try:
        sql, params = compiled(name, build, user)
    except EmptyResultSet:
        return None
    return Statement(sql, (*params, *more))


# The members' columns ``User.from_db`` takes, in the model's order of fields.
_MEMBER_FIELDS = ("id", "username", "first_name", "last_name", "team_id", "display_name")


def _team_members_sql(lead: User) -> tuple[str, tuple]:
    members = (
        User.objects.visible_to(lead)
        .filter(team__lead=lead)
        .agents()
        .order_by("username", "pk")
        .values_list(*_MEMBER_FIELDS, "team__name")
    )
    return members.query.sql_with_params()


def _window_layers_sql(lead: User) -> tuple[str, tuple]:
    return PostingWindow.objects.layer_rows_for(lead).query.sql_with_params()


def _team_posts_sql(lead: User) -> tuple[str, tuple]:
    """The team's posts the lead sees, the week's bounds and the left-out status as the last
    three parameters, after the viewer's (all of them inside the ``WITH``)."""
    scoped = (
        MomentPost.objects.visible_to(lead)
        .filter(persona__owner__team__lead=lead)
        .order_by()
        .values_list(*_card_columns(), "scheduled_at")
    )
    sql, params = scoped.query.sql_with_params()
    names = [f'"c{n}"' for n in range(len(_card_columns()))]
    return (
        f'WITH "p" ({", ".join(names)}, "moment") AS ({sql}) '
        f'SELECT {", ".join(names)} FROM "p" '
        # "c5" is the status
        'WHERE "moment" >= %s AND "moment" < %s AND "c5" <> %s',
        params,
    )


@functools.lru_cache(maxsize=512)
def _user_statement(
    name: str,
    build: Callable[[User], tuple[str, tuple]],
    pk: int,
    team_id: int | None,
    role: str,
    is_active: bool,
    is_superuser: bool,
) -> tuple[str, tuple]:
    stand_in = User(
        pk=pk, team_id=team_id, role=role, is_active=is_active, is_superuser=is_superuser
    )
    sql, params = build(stand_in)
    return sql, tuple(params)


def _compiled_for_user(
    name: str, build: Callable[[User], tuple[str, tuple]], user: User
) -> tuple[str, tuple]:
    """``build(user)``'s SQL and parameters, compiled once per process for each state of the
    user that a ``visible_to`` reads (id, team, role, active, superuser): ``build`` is given
    a stand-in user with only those, so the statement cannot depend on anything else of the
    user, and is used only for a user in the same state. For reads that depend on the
    viewer's team, which ``compiled_for_viewer`` refuses."""
    return _user_statement(
        name, build, user.pk, user.team_id, user.role, user.is_active, user.is_superuser
    )


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
    """The agent's open reminders (``ReminderQuerySet.open``), newest first: ready posts and
    held ones."""
    return (
        Reminder.objects.visible_to(user)
        .owned_by(user)
        .open()
        .select_related("post", "post__persona")
        .order_by("-created", "-pk")
    )


def closed_reminder_ids(user: User, post: MomentPost) -> list[int]:
    """The ids of ``post``'s reminders of the user's own that are closed: a page still showing
    one shows it stale."""
    return list(
        Reminder.objects.visible_to(user)
        .owned_by(user)
        .filter(post=post, dismissed_at__isnull=False)
        .values_list("pk", flat=True)
    )
