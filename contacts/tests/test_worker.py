"""An import runs end to end in a real Celery worker on PostgreSQL and Redis."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import wait_for
from contacts.models import Contact, ContactImport, ImportStatus
from contacts.services import contact_import_start
from contacts.tests.test_import import (
    assert_47_and_the_3_bad_rows,
    csv_bytes,
    fifty_rows_with_three_bad,
)
from crm.tests.factories import AgentFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_gbk_import_runs_in_a_real_worker(celery_worker_process):
    # The worker reads the uploaded file from the same media folder as the test.
    worker = celery_worker_process(extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)})
    owner = AgentFactory()
    data = csv_bytes(fifty_rows_with_three_bad(), encoding="gbk")
    started = contact_import_start(
        owner=owner,
        file=SimpleUploadedFile("客户.csv", data),
        filename="客户.csv",
        queue=worker.queue,  # enqueued on commit, to this test's own queue
    )

    def finished():
        row = ContactImport.objects.get(pk=started.pk)
        return row if row.is_finished else None

    result = wait_for(finished, timeout=90)
    assert worker.proc.poll() is None, worker.output()
    assert_47_and_the_3_bad_rows(result, owner)
    assert Contact.objects.filter(owner=owner).count() == 47
    assert result.status == ImportStatus.DONE
