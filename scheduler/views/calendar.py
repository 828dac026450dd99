"""Pages: the agent's week calendar, the lead's team week, today's ready posts.

Thin: every read starts from ``visible_to`` (through the selectors).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone

from contacts.models import Persona
from crm.roles import Role
from scheduler.cards import cards_version
from scheduler.models import MomentPost, PostingWindow, PostStatus, window_label
from scheduler.selectors import (
    REPLACED_STATUSES,
    calendar_grid,
    open_reminders,
    posts_for_calendar,
    team_week,
)

S = PostStatus


def week_start(request: HttpRequest, tz) -> dt.date:
    """The Monday of the requested (``?start=``) or the current local week."""
    raw = request.GET.get("start") or request.POST.get("start")
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate(timezone.now(), tz)
    except ValueError:
        day = timezone.localdate(timezone.now(), tz)
    return day - dt.timedelta(days=day.weekday())


def _window_rows(windows: list[tuple[str, str]], posts: list[MomentPost]) -> list[tuple[str, str]]:
    """(name, label) of the grid's rows: the effective windows' (``windows``), then any other
    window name a post of the week still carries (a window since deleted or renamed)."""
    names = {name for name, _ in windows}
    extra = sorted({p.window_name for p in posts} - names)
    return windows + [(name, window_label(name)) for name in extra]


@login_required
def calendar_week(request: HttpRequest) -> HttpResponse:
    """The agent's week: for each persona, windows down, days across."""
    user = request.user
    tz = user.tzinfo
    start = week_start(request, tz)
    days = [start + dt.timedelta(days=i) for i in range(7)]
    personas = list(Persona.objects.visible_to(user).owned_by(user).order_by("nickname", "pk"))
    posts = list(posts_for_calendar(user=user, start=start, days=7, agent=user))
    rows = _window_rows(PostingWindow.objects.effective_labels_for(user), posts)
    cells = calendar_grid(posts=posts, tz=tz, row_key=lambda p: (p.persona_id, p.window_name))
    replaced = Counter(p.persona_id for p in posts if p.status in REPLACED_STATUSES)
    sections = [
        {
            "persona": persona,
            # What "Plan this week" would cancel and replace: the button asks first.
            "replaced": replaced[persona.pk],
            "rows": [
                {"label": label, "cells": [cells[(persona.pk, name)].get(d, []) for d in days]}
                for name, label in rows
            ],
        }
        for persona in personas
    ]
    return render(
        request,
        "scheduler/week.html",
        {
            "start": start,
            "days": days,
            "sections": sections,
            "prev": start - dt.timedelta(days=7),
            "next": start + dt.timedelta(days=7),
            "today": timezone.localdate(timezone.now(), tz),
        },
    )


@login_required
def calendar_team(request: HttpRequest) -> HttpResponse:
    """The lead's week: agents x windows down, days across, with review actions."""
    user = request.user
    if user.role != Role.LEAD:
        raise Http404
    tz = user.tzinfo
    start = week_start(request, tz)
    days = [start + dt.timedelta(days=i) for i in range(7)]
    week = team_week(lead=user, start=start)
    if week is None:
        raise Http404
    agents, posts = week.members, week.posts
    rows = _window_rows(week.windows, posts)
    cells = calendar_grid(posts=posts, tz=tz, row_key=lambda p: (p.persona.owner_id, p.window_name))
    sections = []
    for agent in agents:
        grid = [(label, [cells[(agent.pk, name)].get(d, []) for d in days]) for name, label in rows]
        sections.append(
            {
                "agent": agent,
                "rows": [{"label": label, "cells": row} for label, row in grid],
                # The grid's fragment cache key (``team_week.html``): what it shows.
                "version": cards_version(grid),
            }
        )
    get_token(request)  # the session's CSRF secret, part of the cached grid's key, set now
    pending = sum(1 for p in posts if p.status == S.PENDING_REVIEW)
    return render(
        request,
        "scheduler/team_week.html",
        {
            "team": week.team,
            "start": start,
            "days": days,
            "sections": sections,
            "pending": pending,
            # As ``|date:"Y-m-d"`` would write them, without the filter's cost five times over.
            "first_day": days[0].isoformat(),
            "last_day": days[-1].isoformat(),
            "prev_start": (start - dt.timedelta(days=7)).isoformat(),
            "next_start": (start + dt.timedelta(days=7)).isoformat(),
            "today": timezone.localdate(timezone.now(), tz),
        },
    )


@login_required
def today(request: HttpRequest) -> HttpResponse:
    """Ready posts to copy out and held posts to fix (the reminder publisher's output)."""
    reminders = list(open_reminders(request.user)[:50])
    return render(request, "scheduler/today.html", {"reminders": reminders})
