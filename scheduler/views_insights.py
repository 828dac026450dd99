"""The insights page: which window and which kind of post work best for an agent."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from contacts.models import Persona
from content.models import Category
from crm.models import User
from scheduler.insights import DEFAULT_DAYS, MAX_DAYS, insights_charts, insights_for


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


@login_required
def insights_page(request: HttpRequest) -> HttpResponse:
    """An agent's own figures; a lead may pick an agent of their team (404 for anyone else)."""
    user = request.user
    agent_id = _int(request.GET.get("agent"))
    agent = (
        get_object_or_404(User.objects.visible_to(user).agents(), pk=agent_id) if agent_id else user
    )
    persona_id = _int(request.GET.get("persona"))
    persona = (
        get_object_or_404(Persona.objects.visible_to(user), pk=persona_id, owner=agent)
        if persona_id
        else None
    )
    days = min(max(_int(request.GET.get("days"), DEFAULT_DAYS) or DEFAULT_DAYS, 1), MAX_DAYS)
    insights = insights_for(viewer=user, agent=agent, persona=persona, days=days)
    return render(
        request,
        "scheduler/insights.html",
        {
            "insights": insights,
            "days": days,
            "agents": User.objects.visible_to(user).agents().order_by("username"),
            "personas": Persona.objects.visible_to(user).filter(owner=agent).order_by("pk"),
            "mix_rows": [
                (label, insights.mix.get(key, 0), insights.target.get(key, 0))
                for key, label in Category.choices
            ],
            **insights_charts(insights),
        },
    )
