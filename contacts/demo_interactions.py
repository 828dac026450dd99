"""Demo interaction histories: some leads hot, some warm, some cooling, most cold.

``seed(stdout)`` runs after the contacts demo (it needs the demo agents' contacts). Idempotent:
a contact that already has interactions is left alone, and today's alerts are raised once.
Reactions to Moments are linked to the agent's posts when the scheduler demo has made some.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from contacts.models import Contact, Interaction, InteractionKind
from contacts.services import warmth_recompute
from contacts.warmth.alerts import alerts_raise_for
from crm.models import User

DEMO_AGENTS = ["agent1", "agent2", "agent3"]

# (share of contacts, list of (kind code, days ago) templates) — days are jittered a little.
PROFILES: list[tuple[str, float, list[tuple[str, float]]]] = [
    # Asked for a quote this week, chatting: hot.
    (
        "hot",
        0.12,
        [
            ("added", 40),
            ("liked", 12),
            ("message_in", 5),
            ("quote", 3),
            ("message_in", 1),
            ("call", 0.5),
        ],
    ),
    # Engaged lately: warm.
    ("warm", 0.25, [("added", 60), ("liked", 9), ("commented", 6), ("message_in", 2)]),
    # Was hot nine days ago (a meeting and a purchase), silent since: just fell below hot.
    ("cooling", 0.05, [("added", 90), ("meeting", 8.5), ("purchase", 8.5)]),
    # Warm three weeks ago, nothing since.
    ("fading", 0.13, [("added", 50), ("call", 24), ("quote", 22), ("message_in", 21)]),
    # Added long ago, the odd like.
    ("cold", 0.45, [("added", 120), ("liked", 70)]),
]


def _at(now: datetime, days_ago: float, rng: random.Random, exact: bool) -> datetime:
    jitter = 0 if exact else rng.uniform(-0.2, 0.2) * max(days_ago, 1)
    return now - timedelta(days=max(days_ago + jitter, 0.01))


# Profiles cycle over each agent's contacts in this pattern (20 slots), so every agent gets
# each kind of lead whatever the count: 2 hot, 5 warm, 1 cooling, 3 fading, 9 cold.
PATTERN = [name for name, share, _t in PROFILES for _ in range(round(share * 20))]
TEMPLATES = {name: template for name, _s, template in PROFILES}


def _history(
    index: int, contact: Contact, kinds: dict[str, InteractionKind], posts: list, now: datetime
) -> list[Interaction]:
    rng = random.Random(f"{contact.owner_id}-{contact.pk}")
    name = PATTERN[index % len(PATTERN)]
    template = TEMPLATES[name]
    rows = []
    for code, days in template:
        kind = kinds[code]
        post = rng.choice(posts) if posts and code in {"liked", "commented"} else None
        rows.append(
            Interaction(
                contact=contact,
                owner_id=contact.owner_id,  # bulk_create does not call save()
                kind=kind,
                at=_at(now, days, rng, exact=name == "cooling"),
                post=post,
                weight=kind.weight,
                logged_by=contact.owner,
            )
        )
    return rows


@transaction.atomic
def seed(stdout=None) -> None:
    """Give the demo agents' contacts believable histories, recompute warmth, raise alerts."""
    now = timezone.now()
    kinds = {k.code: k for k in InteractionKind.objects.all()}
    post_model = apps.get_model("scheduler", "MomentPost")
    made = 0
    for agent in User.objects.filter(username__in=DEMO_AGENTS):
        contacts = (
            Contact.objects.owned_by(agent).active().filter(interactions__isnull=True).distinct()
        )
        posts = list(post_model.objects.filter(persona__owner=agent)[:20])
        rows = [
            row
            for i, c in enumerate(contacts.order_by("pk"))
            for row in _history(i, c, kinds, posts, now)
        ]
        created = Interaction.objects.bulk_create(rows, batch_size=1000)
        # As if each had been logged when it happened (the alert job reads when rows arrived).
        Interaction.objects.filter(pk__in=[r.pk for r in created]).update(created=F("at"))
        made += len(rows)
        warmth_recompute(owner_id=agent.pk)
        alerts_raise_for(owner=agent, now=now)
    if stdout is not None:
        stdout.write(f"Interactions: {made} demo interactions added; warmth recomputed.")
