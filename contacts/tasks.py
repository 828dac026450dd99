"""Celery tasks: take ids, call a service. Safe to run twice (the service claims the row)."""

from celery import shared_task

from contacts.services import contact_import_run


@shared_task(name="contacts.tasks.contact_import_task")
def contact_import_task(import_id: int) -> str:
    """Run one contact import; returns its final status."""
    return contact_import_run(import_id=import_id).status


@shared_task(name="contacts.tasks.warmth_recompute_task")
def warmth_recompute_task(team_id: int | None = None, owner_id: int | None = None) -> int:
    """Rebuild stored warmth from history (optionally one team or agent); returns rows changed."""
    from contacts.services import warmth_recompute

    return warmth_recompute(team_id=team_id, owner_id=owner_id)


@shared_task(name="contacts.tasks.interactions_reweigh_task")
def interactions_reweigh_task(kind_ids: list[int]) -> int:
    """Apply edited kind weights to past interactions, then recompute; returns rows changed."""
    from contacts.models import InteractionKind
    from contacts.services import interactions_reweigh

    return interactions_reweigh(kinds=InteractionKind.objects.filter(pk__in=kind_ids))


@shared_task(name="contacts.tasks.warmth_alerts_tick")
def warmth_alerts_tick() -> int:
    """Beat tick: raise today's alerts for every agent now past 08:00 local and not yet run."""
    from contacts.warmth.alerts import alerts_run_due

    return alerts_run_due()
