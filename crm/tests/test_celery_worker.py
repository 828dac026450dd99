"""A real Celery worker process, on the real Redis broker, runs a task end to end."""

import pytest

from conftest import wait_for
from crm.models import WorkerHeartbeat
from crm.tasks import heartbeat

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_worker_runs_a_task_and_its_result_lands_in_the_database(celery_worker_process):
    worker = celery_worker_process()
    heartbeat.apply_async(kwargs={"worker": "round-trip"}, queue=worker.queue)
    beat = wait_for(lambda: WorkerHeartbeat.objects.filter(worker="round-trip").first(), timeout=60)
    assert beat.seen is not None
    assert worker.proc.poll() is None, worker.output()
