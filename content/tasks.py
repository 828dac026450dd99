"""Celery tasks: take ids (or a rules stamp), call a service, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from content import services
from content.compliance_rules import rules_version_in_db

# 25 batches of 200 items a task stays far inside the task time limit whatever the library's
# size; the rest of the library goes to the next task in the chain.
BATCHES_PER_TASK = 25
# How long a run's claim on its rules stamp outlives a run that died without releasing it.
CLAIM_TTL = 3600


def _claim_key(version: str) -> str:
    return f"content:recheck:{version}"


@shared_task(bind=True, name="content.tasks.content_recheck_all")
def content_recheck_all(self, after_id: int = 0, version: str | None = None) -> int:
    """Re-check the stored compliance reports of the library; returns how many changed.

    Enqueued after each rule change commits. The first task of a run takes the rules stamp as
    it is now and claims it until the run ends, so a change saved row by row (the admin's list
    editing saves several rules in one commit) runs once; a redelivered task holds the claim
    already. Each task does ``BATCHES_PER_TASK`` batches and enqueues the next one from where
    it stopped; a run whose rules changed underneath stops, the newer change's run takes over.
    """
    if version is None:
        version = rules_version_in_db()
        claimant = self.request.id or "local"
        if not cache.add(_claim_key(version), claimant, CLAIM_TTL) and (
            cache.get(_claim_key(version)) != claimant
        ):
            return 0
    run = services.content_recheck_all(
        after_id=after_id, version=version, max_batches=BATCHES_PER_TASK
    )
    if run.next_after_id is not None and not run.stale:
        content_recheck_all.delay(after_id=run.next_after_id, version=run.version)
    else:
        cache.delete(_claim_key(version))
    return run.changed
