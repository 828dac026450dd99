"""Loader: active ComplianceRule rows -> one cached ``content.compliance.Checker``.

A rule change also enqueues ``content.tasks.content_recheck_all`` after the commit, so the
reports stored on items follow the rules (see ``content.services.content_recheck_all``).

Building a checker compiles every phrase into one automaton, so it is built once per process
and reused. A version stamp says when the rows changed:

- saving or deleting a rule (admin, service, data migration via the model) bumps the stamp in
  the shared cache, so every process that shares the cache (Redis in production) rebuilds on
  its next check;
- the stamp itself comes from the rows (count, latest ``updated``, largest id) when the cache
  has none, and is kept only ``VERSION_TTL`` seconds, so a process on a per-process cache
  (the demo's locmem) still picks up another process's edit within that time.
"""

from __future__ import annotations

import logging
import threading

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from kombu.exceptions import OperationalError

from content.compliance import Checker
from content.models import ComplianceRule

logger = logging.getLogger(__name__)

VERSION_KEY = "content:compliance-rules:version"
VERSION_TTL = 30  # seconds a process may use a stamp before asking the database again

_lock = threading.Lock()
_built: tuple[str, Checker] | None = None


def rules_version_in_db() -> str:
    """The rows' own stamp (count, largest id, latest ``updated``), read now, never cached."""
    figures = ComplianceRule.objects.aggregate(n=Count("pk"), at=Max("updated"), top=Max("pk"))
    at = figures["at"].isoformat() if figures["at"] else "-"
    return f"{figures['n']}:{figures['top']}:{at}"


def rules_version() -> str:
    """A string that changes whenever the active rule set may have changed."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = rules_version_in_db()
        cache.set(VERSION_KEY, version, VERSION_TTL)
    return version


def _checker_for(version: str) -> Checker:
    global _built
    built = _built
    if built is not None and built[0] == version:
        return built[1]
    with _lock:
        if _built is not None and _built[0] == version:
            return _built[1]
        rules = [row.to_rule() for row in ComplianceRule.objects.filter(active=True)]
        checker = Checker(rules)
        _built = (version, checker)
        return checker


def compliance_checker() -> Checker:
    """The checker for the active rules, rebuilt only when the rules changed."""
    return _checker_for(rules_version())


def compliance_checker_now() -> tuple[str, Checker]:
    """The rows' stamp as read now and a checker at least that new, bypassing the shared stamp.

    For jobs that must not work from a stamp up to ``VERSION_TTL`` seconds old (re-checking the
    library after a rule change); they compare ``rules_version_in_db()`` with the returned
    stamp later to learn whether the rules moved on meanwhile.
    """
    version = rules_version_in_db()
    return version, _checker_for(version)


def rules_changed() -> None:
    """Forget the built checker here and the stamp everywhere: the next check rebuilds."""
    global _built
    with _lock:
        _built = None
    cache.delete(VERSION_KEY)


def _enqueue_recheck() -> None:
    from content.tasks import content_recheck_all

    try:
        content_recheck_all.delay()
    except OperationalError:
        # The rule is saved either way; the stored reports catch up with the next rule change
        # (or a run started by hand), so a broker outage must not turn the save into a 500.
        logger.exception("could not enqueue the library re-check after a rule change")


@receiver(post_save, sender=ComplianceRule, dispatch_uid="content-rules-saved")
@receiver(post_delete, sender=ComplianceRule, dispatch_uid="content-rules-deleted")
def _on_rule_change(sender, **kwargs) -> None:
    rules_changed()
    # Again after commit: a process that read the rows before the commit may have cached the
    # old stamp in between.
    transaction.on_commit(rules_changed)
    # The stored reports (has_block, which keeps items out of the planner's library) were
    # made under the old rules: re-check the library once the new rules are visible.
    transaction.on_commit(_enqueue_recheck)
