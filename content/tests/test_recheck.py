"""Stored compliance reports follow the rules: a rule change re-checks the library."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from conftest import wait_for
from content import tasks
from content.compliance_rules import rules_version_in_db
from content.models import ComplianceRule, ContentItem, Status
from content.services import content_create, content_recheck_all, content_transition

pytestmark = pytest.mark.django_db

NEW_PHRASE_TEXT = "节后给老客户送金条，心意而已。"  # clean until 送金条 becomes an R07 phrase


@pytest.fixture(autouse=True)
def _no_claims_left_behind():
    yield
    cache.delete(tasks._claim_key(rules_version_in_db()))


def approved(curator, body, title="一篇内容"):
    item = content_create(actor=curator, title=title, body=body, category="value")
    content_transition(item=item, to=Status.IN_REVIEW, actor=curator)
    return content_transition(item=item, to=Status.APPROVED, actor=curator)


def add_r07_phrase(phrase="送金条"):
    rule = ComplianceRule.objects.get(code="R07")
    rule.phrases += f"\n{phrase}"
    rule.save()


def test_a_new_phrase_blocks_stored_items_and_takes_them_out_of_the_library(curator):
    item = approved(curator, NEW_PHRASE_TEXT)
    assert not item.has_block
    retired = approved(curator, NEW_PHRASE_TEXT, title="旧内容")
    content_transition(item=retired, to=Status.RETIRED, actor=curator)
    before = ContentItem.objects.values_list("updated", "checked_at").get(pk=item.pk)
    add_r07_phrase()

    run = content_recheck_all()

    assert (run.checked, run.changed, run.next_after_id, run.stale) == (1, 1, None, False)
    item.refresh_from_db()
    assert item.has_block and [f["code"] for f in item.findings] == ["R07"]
    assert item.findings[0]["matched"] == "送金条"
    assert item.updated == before[0] and item.checked_at > before[1]
    assert not ContentItem.objects.sendable().filter(pk=item.pk).exists()
    retired.refresh_from_db()
    assert not retired.has_block  # retired items are left as they were


def test_relaxing_a_rule_clears_block_findings_and_a_second_run_changes_nothing(curator):
    item = content_create(actor=curator, title="t", body="这款年金稳赚不赔", category="value")
    assert item.has_block
    ComplianceRule.objects.get(code="R01").delete()

    assert content_recheck_all().changed == 1
    item.refresh_from_db()
    assert not item.has_block and item.findings == []
    assert content_recheck_all().changed == 0


def test_runs_in_batches_from_where_it_stopped(curator):
    items = [approved(curator, NEW_PHRASE_TEXT, title=f"第{n}篇") for n in range(5)]
    add_r07_phrase()

    first = content_recheck_all(batch_size=2, max_batches=1)
    assert (first.checked, first.next_after_id) == (2, items[1].pk)
    blocked = set(ContentItem.objects.filter(has_block=True).values_list("pk", flat=True))
    assert blocked == {items[0].pk, items[1].pk}

    rest = content_recheck_all(after_id=first.next_after_id, version=first.version, batch_size=2)
    assert (rest.checked, rest.next_after_id, rest.stale) == (3, None, False)
    assert ContentItem.objects.filter(has_block=True).count() == 5


def test_a_run_stops_when_the_rules_change_under_it(curator):
    items = [approved(curator, NEW_PHRASE_TEXT, title=f"第{n}篇") for n in range(3)]
    first = content_recheck_all(batch_size=1, max_batches=1)
    add_r07_phrase()

    stale = content_recheck_all(after_id=first.next_after_id, version=first.version)
    assert stale.stale and stale.checked == 0 and stale.next_after_id == items[0].pk
    assert not ContentItem.objects.filter(has_block=True).exists()


def test_saving_a_rule_enqueues_the_recheck_after_commit_and_it_runs(
    curator, django_capture_on_commit_callbacks, settings, monkeypatch
):
    from crm.celery import app

    items = [approved(curator, NEW_PHRASE_TEXT, title=f"第{n}篇") for n in range(3)]
    # Small tasks, so the eager run goes through the chain of follow-up tasks too.
    monkeypatch.setattr(tasks, "BATCHES_PER_TASK", 1)
    monkeypatch.setattr("content.services.RECHECK_BATCH", 1)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            add_r07_phrase()
        assert not ContentItem.objects.filter(has_block=True).exists()  # nothing before commit
        for callback in callbacks:
            callback()
    finally:
        app.conf.task_always_eager = False
    assert set(ContentItem.objects.filter(has_block=True).values_list("pk", flat=True)) == {
        item.pk for item in items
    }


def test_a_duplicate_task_for_the_same_rules_does_nothing_while_a_run_holds_the_claim(curator):
    approved(curator, NEW_PHRASE_TEXT)
    add_r07_phrase()
    cache.add(tasks._claim_key(rules_version_in_db()), "another-run", 60)

    assert tasks.content_recheck_all.apply().get() == 0
    assert not ContentItem.objects.filter(has_block=True).exists()

    cache.delete(tasks._claim_key(rules_version_in_db()))
    assert tasks.content_recheck_all.apply().get() == 1
    assert cache.get(tasks._claim_key(rules_version_in_db())) is None  # released at the end


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_recheck_runs_on_a_real_worker(migration_rows, celery_worker_process, curator):
    item = approved(curator, NEW_PHRASE_TEXT)
    # Written the way another process would (no signal, so no task on the default queue).
    ComplianceRule.objects.filter(code="R07").update(
        phrases=ComplianceRule.objects.get(code="R07").phrases + "\n送金条",
        updated=timezone.now(),
    )
    worker = celery_worker_process()
    tasks.content_recheck_all.apply_async(queue=worker.queue)
    wait_for(lambda: ContentItem.objects.get(pk=item.pk).has_block, timeout=60)
    assert ContentItem.objects.get(pk=item.pk).findings[0]["code"] == "R07"


def test_the_command_rechecks_the_library_by_hand(curator):
    from io import StringIO

    from django.core.management import call_command

    item = approved(curator, NEW_PHRASE_TEXT)
    add_r07_phrase()
    out = StringIO()
    call_command("recheck_content", stdout=out)
    assert "Re-checked 1 items" in out.getvalue() and "1 reports changed" in out.getvalue()
    item.refresh_from_db()
    assert item.has_block
