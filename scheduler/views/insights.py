"""The insights page: which window and which kind of post work best for an agent, or a team."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contacts.models import Persona
from content.models import Category
from scheduler.insights import (
    COUNTED_STATUSES,
    DEFAULT_DAYS,
    MAX_DAYS,
    insight_agents,
    insights_charts,
    insights_for,
    insights_scope,
    led_team,
)
from scheduler.models import PostStatus


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@login_required
def insights_page(request: HttpRequest) -> HttpResponse:
    """An agent's own figures; a lead's team's, or one agent's of it (404 for anyone else)."""
    user = request.user
    scope = insights_scope(
        viewer=user,
        agent_id=_int(request.GET.get("agent")),
        persona_id=_int(request.GET.get("persona")),
    )
    days = min(max(_int(request.GET.get("days"), DEFAULT_DAYS) or DEFAULT_DAYS, 1), MAX_DAYS)
    insights = insights_for(
        viewer=user, agent=scope.agent, team=scope.team, persona=scope.persona, days=days
    )
    personas = Persona.objects.visible_to(user).select_related("owner")
    if scope.agent is not None:
        personas = personas.filter(owner=scope.agent)
    else:
        personas = personas.filter(owner__team=scope.team)
    return render(
        request,
        "scheduler/insights.html",
        {
            "insights": insights,
            "days": days,
            "agents": list(insight_agents(user)),
            "team": led_team(user),  # offered as "whole team" in the agent menu
            "personas": personas.order_by("owner__username", "pk"),
            "mix_rows": [
                (label, insights.mix.get(key, 0), insights.target.get(key, 0))
                for key, label in Category.choices
            ],
            "status_rows": [
                (PostStatus(status).label, insights.by_status.get(status, 0))
                for status in COUNTED_STATUSES
            ],
            **insights_charts(insights),
        },
    )
