"""Insights: which window and which kind of post earn this agent the most reactions.

A Buffer-style "best time" from the agent's own data: over the last N days, the interactions
logged against each post (``Interaction.post``) are counted per window and per category, and
divided by the posts that went out there. Two queries, whatever the number of posts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from contacts.models import Persona
from content.models import Category
from crm.charts import Bar, Segment, stacked_bars
from crm.models import User
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


@dataclass
class Insights:
    agent: User
    persona: Persona | None
    since: dt.datetime
    until: dt.datetime
    by_window: list[Line] = field(default_factory=list)
    by_category: list[Line] = field(default_factory=list)
    mix: dict[str, int] = field(default_factory=dict)  # planned posts per category
    target: dict[str, int] = field(default_factory=dict)  # percent per category

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


def insights_for(
    *,
    viewer: User,
    agent: User,
    persona: Persona | None = None,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> Insights:
    """Figures for ``agent`` (optionally one ``persona``) over the last ``days`` days, read
    through ``viewer``'s scoping: a viewer who may not see the agent's posts gets zeros."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    posts = MomentPost.objects.visible_to(viewer).filter(
        persona__owner=agent, scheduled_at__gte=since, scheduled_at__lt=now
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
    for row in (
        posts.filter(status__in=PLANNED).values("category").annotate(n=Count("pk")).order_by()
    ):
        mix[row["category"]] = row["n"]
    team = agent.team
    target = (
        {"story": team.mix_story, "value": team.mix_value, "ad": team.mix_ad}
        if team
        else {"story": 40, "value": 40, "ad": 20}
    )
    # Windows in the agent's day order; names no longer in use (renamed windows) go last.
    order = {w.name: i for i, w in enumerate(PostingWindow.objects.effective_for(agent))}
    return Insights(
        agent=agent,
        persona=persona,
        since=since,
        until=now,
        by_window=sorted(
            windows.values(), key=lambda line: (order.get(line.key, len(order)), line.key)
        ),
        by_category=list(categories.values()),
        mix=mix,
        target=target,
    )


def insights_charts(insights: Insights) -> dict:
    """Server-drawn SVG charts of ``insights``: reactions per window and per category."""

    def per_post_bars(lines: list[Line]) -> list[Bar]:
        return [
            Bar(
                line.label or gettext("no window"),
                [Segment(round(line.per_post, 1), "seg-posted", gettext("Interactions per post"))],
            )
            for line in lines
        ]

    return {
        "window_chart": stacked_bars(
            per_post_bars(insights.by_window),
            title=gettext("Interactions earned per post, by window"),
        ),
        "category_chart": stacked_bars(
            per_post_bars(insights.by_category),
            title=gettext("Interactions earned per post, by category"),
        ),
        "outcome_chart": stacked_bars(
            [
                Bar(
                    gettext("Posts"),
                    [
                        Segment(insights.posted, "seg-posted", gettext("Posted")),
                        Segment(insights.missed, "seg-missed", gettext("Missed")),
                    ],
                )
            ],
            title=gettext("Posted against missed"),
        ),
    }
