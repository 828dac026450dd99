"""Celery tasks: thin "go look" ticks. They take no due times; the database has them."""

from __future__ import annotations

from celery import shared_task

from scheduler import dispatch
from scheduler.services import posts_mark_missed


@shared_task(name="scheduler.tasks.dispatch_due")
def dispatch_due() -> dict[str, int]:
    """Claim and send what is due now (see scheduler.dispatch). Safe to run twice, or on
    many workers at once."""
    report = dispatch.dispatch_due()
    return {
        "claimed": report.claimed,
        "sent": report.sent,
        "held": report.held,
        "retried": report.retried,
        "failed": report.failed,
        "lost_lease": report.lost_lease,
    }


@shared_task(name="scheduler.tasks.mark_missed")
def mark_missed() -> int:
    """Sent posts unconfirmed past their window and grace period become missed."""
    return posts_mark_missed()
