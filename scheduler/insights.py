"""Insights: which window and which kind of post earn this agent the most reactions.

A Buffer-style "best time" from the agent's own data: over the last N days, the interactions
logged against each post (``Interaction.post``) are counted per window and per category, and
divided by the posts that went out there. Two queries, whatever the number of posts. A lead
sees the same figures for the whole team, or for one agent of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from contacts.models import Persona
from content.models import Category
from crm.charts import Bar, Segment, stacked_bars
from crm.models import Team, User
from crm.roles import Role
from scheduler.models import MomentPost, PostingWindow, PostStatus, window_label

DEFAULT_DAYS = 30
MAX_DAYS = 365
# A post that went out: the agent posted it, or it was sent and never confirmed either way.
WENT_OUT = (PostStatus.POSTED, PostStatus.SENT)
# Posts that count as planned (the mix against the target): all but drafts, rejected, cancelled.
PLANNED = (
    PostStatus.PENDING_REVIEW,
    PostStatus.SCHEDULED,
    PostStatus.SENT,
    PostStatus.POSTED,
    PostStatus.MISSED,
    PostStatus.FAILED,
)


@dataclass
class Line:
    """Figures for one window or one category."""

    key: str
    label: str = ""
    posted: int = 0
    missed: int = 0
    earned: int = 0

    @property
    def per_post(self) -> float:
        return self.earned / self.posted if self.posted else 0.0


# The statuses the page counts posts by, in the order a post reaches them.
COUNTED_STATUSES = (
    PostStatus.PENDING_REVIEW,
    PostStatus.SCHEDULED,
    PostStatus.SENT,
    PostStatus.POSTED,
    PostStatus.MISSED,
    PostStatus.FAILED,
    PostStatus.REJECTED,
)


@dataclass
class Insights:
    """The figures of one agent (``agent``) or of a whole team (``team``, ``agent`` None)."""

    agent: User | None
    persona: Persona | None
    since: dt.datetime
    until: dt.datetime
    by_window: list[Line] = field(default_factory=list)
    by_category: list[Line] = field(default_factory=list)
    mix: dict[str, int] = field(default_factory=dict)  # planned posts per category
    target: dict[str, int] = field(default_factory=dict)  # percent per category
    team: Team | None = None
    # Posts of the period per status (``COUNTED_STATUSES``), each counted for what it is.
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        """Whose figures these are: the agent's name, or the team's."""
        if self.agent is not None:
            return str(self.agent)
        return gettext("Whole team (%(team)s)") % {"team": self.team}

    @property
    def posted(self) -> int:
        return sum(line.posted for line in self.by_window)

    @property
    def missed(self) -> int:
        return sum(line.missed for line in self.by_window)

    @property
    def best_window(self) -> Line | None:
        """The window with the most interactions per post that went out, if any went out."""
        candidates = [line for line in self.by_window if line.posted]
        return max(candidates, key=lambda line: (line.per_post, line.posted), default=None)


def insight_agents(viewer: User) -> QuerySet[User]:
    """The agents whose figures ``viewer`` may open, by name: the members of the team the
    viewer leads, and anyone whose personas the viewer sees (``Persona.objects.visible_to``:
    an agent themselves, a lead herself when she posts too). An agent's lead is not one of
    them: her posts are not the agent's to see."""
    personas = Persona.objects.visible_to(viewer).values("owner_id")
    members = Q(team__lead=viewer) & ~Q(pk=viewer.pk)
    return (
        User.objects.visible_to(viewer)
        .agents()
        .filter(members | Q(pk__in=personas))
        .order_by("username", "pk")
    )


def led_team(viewer: User) -> Team | None:
    """The team ``viewer`` leads, if any: a lead's insights open on it."""
    return getattr(viewer, "led_team", None) if viewer.role == Role.LEAD else None


@dataclass(frozen=True)
class Scope:
    """Whose figures a request asks for: one agent, or (``agent`` None) the whole team."""

    agent: User | None
    team: Team | None
    persona: Persona | None


def insights_scope(
    *, viewer: User, agent_id: int | None = None, persona_id: int | None = None
) -> Scope:
    """The figures ``viewer`` asked for: agent ``agent_id`` (one of :func:`insight_agents`,
    else 404), or by default the team the viewer leads (the viewer themselves for anyone
    else); narrowed to persona ``persona_id`` (404 if the viewer may not see it; left out
    if it is not the chosen agent's or team's)."""
    team = None
    if agent_id is not None:
        agent = get_object_or_404(insight_agents(viewer), pk=agent_id)
    elif (team := led_team(viewer)) is not None:
        agent = None
    else:
        agent = viewer
    persona = None
    if persona_id is not None:
        visible = Persona.objects.visible_to(viewer).select_related("owner")
        persona = get_object_or_404(visible, pk=persona_id)
        in_scope = (
            persona.owner_id == agent.pk if agent is not None else persona.owner.team_id == team.pk
        )
        if not in_scope:
            # Another agent's of the viewer's, left chosen when the agent menu changed: the
            # figures of the agent (or team) asked for, whole.
            persona = None
    return Scope(agent=agent, team=team, persona=persona)


def insights_for(
    *,
    viewer: User,
    agent: User | None = None,
    team: Team | None = None,
    persona: Persona | None = None,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> Insights:
    """Figures for ``agent`` or for every member of ``team`` (one of the two), optionally one
    ``persona``, over the last ``days`` days, read through ``viewer``'s scoping: a viewer who
    may not see the posts gets zeros."""
    if (agent is None) == (team is None):
        raise ValueError("insights_for takes an agent or a team")
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    owners = {"persona__owner": agent} if agent is not None else {"persona__owner__team": team}
    posts = MomentPost.objects.visible_to(viewer).filter(
        scheduled_at__gte=since, scheduled_at__lt=now, **owners
    )
    if persona is not None:
        posts = posts.filter(persona=persona)

    windows: dict[str, Line] = {}
    categories: dict[str, Line] = {key: Line(key, str(label)) for key, label in Category.choices}
    rows = (
        posts.filter(status__in=[*WENT_OUT, PostStatus.MISSED])
        .values("window_name", "category")
        .annotate(
            posted=Count("pk", filter=Q(status__in=WENT_OUT), distinct=True),
            missed=Count("pk", filter=Q(status=PostStatus.MISSED), distinct=True),
            earned=Count("interactions", filter=Q(status__in=WENT_OUT)),
        )
        .order_by()
    )
    for row in rows:
        for line in (
            windows.setdefault(
                row["window_name"], Line(row["window_name"], window_label(row["window_name"]))
            ),
            categories.setdefault(row["category"], Line(row["category"], row["category"])),
        ):
            line.posted += row["posted"]
            line.missed += row["missed"]
            line.earned += row["earned"]

    mix = dict.fromkeys(Category.values, 0)
    by_status = dict.fromkeys(COUNTED_STATUSES, 0)
    for row in posts.values("category", "status").annotate(n=Count("pk")).order_by():
        if row["status"] in PLANNED:
            mix[row["category"]] = mix.get(row["category"], 0) + row["n"]
        if row["status"] in by_status:
            by_status[row["status"]] += row["n"]
    team_of = team if team is not None else agent.team
    target = (
        {"story": team_of.mix_story, "value": team_of.mix_value, "ad": team_of.mix_ad}
        if team_of
        else {"story": 40, "value": 40, "ad": 20}
    )
    # Windows in the agent's (for a team, the viewer's) day order; names no longer in use
    # (renamed windows) go last.
    day = PostingWindow.objects.effective_for(agent if agent is not None else viewer)
    order = {w.name: i for i, w in enumerate(day)}
    return Insights(
        agent=agent,
        team=team,
        persona=persona,
        since=since,
        until=now,
        by_window=sorted(
            windows.values(), key=lambda line: (order.get(line.key, len(order)), line.key)
        ),
        by_category=list(categories.values()),
        mix=mix,
        target=target,
        by_status={str(status): n for status, n in by_status.items()},
    )


def insights_charts(insights: Insights) -> dict:
    """Server-drawn SVG charts of ``insights``: reactions per post by window and by category,
    and the posts that went out against those missed; each says what its bars count."""
    per_post = gettext("Interactions per post")

    def per_post_bars(lines: list[Line]) -> list[Bar]:
        return [
            Bar(
                line.label or gettext("no window"),
                [Segment(round(line.per_post, 1), "seg-posted", per_post)],
            )
            for line in lines
        ]

    return {
        "window_chart": stacked_bars(
            per_post_bars(insights.by_window),
            title=gettext("Interactions earned per post, by window"),
            axis=per_post,
        ),
        "category_chart": stacked_bars(
            per_post_bars(insights.by_category),
            title=gettext("Interactions earned per post, by category"),
            axis=per_post,
        ),
        "outcome_chart": stacked_bars(
            [
                Bar(
                    gettext("Posts"),
                    [
                        Segment(insights.posted, "seg-posted", gettext("Went out")),
                        Segment(insights.missed, "seg-missed", gettext("Missed")),
                    ],
                )
            ],
            title=gettext("Posts that went out against posts missed"),
            axis=gettext("Number of posts"),
        ),
    }
