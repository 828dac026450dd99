"""Demo posts: this week planned for every demo agent's personas, some approved, some posted.

Runs after the contacts and content demos (INSTALLED_APPS order), so personas and an approved
library exist. Idempotent: a persona whose week already has posts is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from contacts.models import Persona
from crm.models import User
from scheduler.models import MomentPost, PostStatus
from scheduler.services import PostRefused, plan_week, post_approve, post_transition

DEMO_USERS = ("agent1", "agent2", "agent3", "lead")


@transaction.atomic
def seed(stdout=None) -> None:
    lead = User.objects.filter(username="lead").first()
    for persona in Persona.objects.filter(owner__username__in=DEMO_USERS).select_related(
        "owner__team"
    ):
        tz = persona.owner.tzinfo
        today = timezone.localdate(timezone.now(), tz)
        start = today - dt.timedelta(days=today.weekday())
        begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
        if MomentPost.objects.filter(
            persona=persona, scheduled_at__gte=begin, scheduled_at__lt=begin + dt.timedelta(days=7)
        ).exists():
            continue
        # The whole week, its past days too: they become the demo's history below.
        result = plan_week(
            persona=persona,
            start=start,
            days=7,
            seed=persona.pk,
            by=persona.owner,
            include_past=True,
        )
        now = timezone.now()
        approved = posted = 0
        for post in result.created:
            post.persona = persona
            if post.window_ends_at <= now and post.status in (
                PostStatus.PENDING_REVIEW,
                PostStatus.SCHEDULED,
            ):
                _history(post, lead)
                posted += post.status == PostStatus.POSTED
                continue
            # The week's past posts went out (above); half of the coming ones are approved.
            if post.status == PostStatus.PENDING_REVIEW and lead is not None and post.pk % 2 == 0:
                try:
                    post_approve(post=post, by=lead, comment="")
                    approved += 1
                except PostRefused:
                    pass
        if stdout is not None:
            stdout.write(
                f"scheduler: {persona.nickname}: {len(result.created)} posts planned, "
                f"{approved} approved, {posted} posted, {len(result.unfilled)} slots empty"
            )


def _history(post: MomentPost, lead: User | None) -> None:
    """Walk a past post through review, dispatch and confirmation, as the week would have,
    and let a few of the persona's leads react to the posted ones."""
    from contacts.models import Contact
    from contacts.services.interactions import interaction_log

    if post.status == PostStatus.PENDING_REVIEW:
        post_transition(post=post, to=PostStatus.SCHEDULED, by=lead, note="demo")
    post_transition(post=post, to=PostStatus.SENT, by=None, note="demo")
    owner = post.persona.owner
    if post.pk % 5 == 0:
        post_transition(post=post, to=PostStatus.MISSED, by=None, note="demo")
        return
    post_transition(post=post, to=PostStatus.POSTED, by=owner, note="demo")
    at = min(post.window_ends_at, timezone.now())
    first = post.pk % 7
    contacts = Contact.objects.filter(persona=post.persona).order_by("pk")[
        first : first + 1 + post.pk % 3
    ]
    for i, contact in enumerate(contacts):
        kind = "commented" if i % 2 else "liked"
        interaction_log(contact=contact, kind=kind, at=at, post=post, by=owner)
