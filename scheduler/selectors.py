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

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from contacts.models import Contact, Interaction, Persona
from content.models import ContentImage, ContentItem
from content.models import Status as ContentStatus
from crm.models import Team, User
from scheduler import planner
from scheduler.models import (
    MomentPost,
    PostingWindow,
    PostStatus,
    Reminder,
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


@dataclass(frozen=True)
class TeamWeek:
    """What the lead's team week shows: see :func:`team_week`."""

    team: Team
    members: list[User]
    windows: list[tuple[str, str]]
    posts: list[MomentPost]


def team_week(*, lead: User, start: dt.date) -> TeamWeek | None:
    """The week from ``start`` (a local date in the lead's zone) of the team ``lead`` leads:
    the team; its active agents and leads (``User.objects.visible_to(lead)``, by username);
    the lead's effective windows (``PostingWindow.objects.effective_labels_for(lead)``); and
    the posts of the team's members the lead may see in that week
    (:func:`posts_for_calendar`), in time order, each with its persona and agent. ``None`` if
    the lead leads no team. Four queries, whatever the team's size."""
    team = getattr(lead, "led_team", None)
    if team is None:
        return None
    members = User.objects.visible_to(lead).filter(team=team).agents().order_by("username", "pk")
    posts = posts_for_calendar(user=lead, start=start, days=7).filter(persona__owner__team=team)
    return TeamWeek(
        team=team,
        members=list(members),
        windows=PostingWindow.objects.effective_labels_for(lead),
        posts=list(posts),
    )


def calendar_grid(
    *, posts: Iterable[MomentPost], tz: dt.tzinfo, row_key: Callable[[MomentPost], Hashable]
) -> dict[Hashable, dict[dt.date, list[MomentPost]]]:
    """Posts grouped by ``row_key(post)`` then by local date in ``tz``: the week grid's cells.
    Missing rows and days read as empty (nested defaultdicts)."""
    grid: dict[Hashable, dict[dt.date, list[MomentPost]]] = defaultdict(lambda: defaultdict(list))
    for post in posts:
        grid[row_key(post)][post.scheduled_at.astimezone(tz).date()].append(post)
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
