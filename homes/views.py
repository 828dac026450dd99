"""The home page: what each role sees first (thin: the reads are ``homes.selectors``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.translation import gettext

from content.models import Category
from crm.charts import Bar, Segment, stacked_bars
from crm.models import User
from homes import selectors
from scheduler.cards import cards_version


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_curator and not user.is_superuser:
        return render(request, "homes/home_curator.html", selectors.curator_home(user))
    if user.is_lead:
        get_token(request)  # the session's CSRF secret, part of the cached queue's key
        return render(request, "homes/home_lead.html", _lead_context(user))
    if user.is_admin_role:
        return render(request, "homes/home_admin.html")
    return render(request, "homes/home_agent.html", {"home": selectors.agent_home(user)})


def _lead_context(user: User) -> dict:
    home = selectors.lead_home(user)
    if home is None:
        return {"team": None}
    posts_chart = stacked_bars(
        [
            Bar(
                str(row.agent),
                [
                    Segment(row.posted, "seg-posted", gettext("Posted")),
                    Segment(row.missed, "seg-missed", gettext("Missed")),
                    Segment(
                        row.planned - row.posted - row.missed, "seg-planned", gettext("Still to go")
                    ),
                ],
            )
            for row in home.agents
        ],
        title=gettext("Posts this week per agent: posted, missed, still to go"),
    )
    pool_chart = stacked_bars(
        [
            Bar(
                str(row.agent),
                [
                    Segment(row.hot, "seg-hot", gettext("Hot")),
                    Segment(row.warm, "seg-warm", gettext("Warm")),
                    Segment(row.cold, "seg-cold", gettext("Cold")),
                ],
            )
            for row in home.agents
        ],
        title=gettext("Each agent's leads by warmth: hot, warm, cold"),
    )
    total = sum(home.mix.values())
    mix = [
        {
            "category": label,
            "count": home.mix.get(key, 0),
            "share": round(100 * home.mix.get(key, 0) / total) if total else 0,
            "target": home.target[key],
        }
        for key, label in Category.choices
    ]
    return {
        "team": user.led_team,
        "home": home,
        "posts_chart": posts_chart,
        "pool_chart": pool_chart,
        "mix": mix,
        # The review queue's fragment cache key (``home_lead.html``): what it shows.
        "queue_version": cards_version(
            [
                (f"{post.persona.owner} {post.persona.nickname}", [[post]])
                for post in home.review_queue
            ]
        ),
    }
