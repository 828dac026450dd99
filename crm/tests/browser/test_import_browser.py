"""In a real browser, with a real Celery worker: an agent imports a CSV and reads the report.

The upload is queued before any worker runs, so the page is first seen waiting; then a worker
process starts on the test database and Redis, and the page (polling through htmx, never
reloaded) shows the import finish and lists the three bad rows with their reasons.
"""

import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from contacts.models import Contact, ContactImport, ImportStatus
from contacts.tests.test_import import csv_bytes, fifty_rows_with_three_bad
from crm.celery import app as celery_app
from crm.tests.factories import AgentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def test_queue():
    """Send this test's tasks to a queue of its own: the import view enqueues with the
    default queue, so make that this queue for the test and put it back afterwards."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = name
    yield name
    celery_app.conf.task_default_queue = previous


def test_agent_imports_a_csv_watches_it_run_and_reads_the_row_errors(
    page, live_server, login, celery_worker_process, test_queue
):
    agent = AgentFactory(display_name="小李")
    login(agent)
    page.goto(live_server.url + reverse("contacts:import"))
    page.get_by_label(zh("CSV or Excel (.xlsx) file")).set_input_files(
        files=[
            {
                "name": "客户名单.csv",
                "mimeType": "text/csv",
                "buffer": csv_bytes(fifty_rows_with_three_bad(), encoding="gbk"),
            }
        ]
    )
    page.get_by_role("button", name=zh("Upload and import")).click()
    imported = ContactImport.objects.get(owner=agent)
    detail = live_server.url + reverse("contacts:import-detail", args=[imported.pk])
    page.wait_for_url(detail)
    assert imported.status == ImportStatus.PENDING

    # No worker yet: the page says so and keeps asking (htmx polls the fragment).
    progress = page.locator("#import-progress")
    assert progress.locator("strong").inner_text() == zh("Waiting")
    with page.expect_response(
        lambda r: r.url == detail and r.request.headers.get("hx-request") == "true"
    ) as poll:
        pass
    assert poll.value.ok
    assert progress.locator("strong").inner_text() == zh("Waiting")

    # A real worker takes the queued task; the same page shows the outcome.
    worker = celery_worker_process(
        queue=test_queue, extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    )
    page.locator("#import-progress:not([hx-get])").wait_for(timeout=30_000)
    assert worker.proc.poll() is None, worker.output()
    assert progress.locator("strong").inner_text() == zh("Done")
    with translation.override("zh-hans"):
        summary = translation.gettext("%(c)s created, %(u)s updated, %(s)s not imported.") % {
            "c": 47,
            "u": 0,
            "s": 3,
        }
    assert summary in progress.inner_text()
    assert progress.get_by_role("heading", name=zh("Rows not imported")).is_visible()
    rows = progress.locator("tbody tr")
    assert rows.count() == 3
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(3)]
    # Columns named as the contact form names them, in the agent's language.
    assert [(row, column) for row, column, _ in cells] == [
        ("11", zh("Mobile")),
        ("21", zh("Name")),
        ("31", zh("Mobile")),
    ]
    assert "12345" in cells[0][2]
    assert all(reason.strip() for _, _, reason in cells)
    # Reasons are shown in the reader's language (Chinese here).
    with translation.override("zh-hans"):
        assert cells[1][2] == translation.gettext("The name is missing.")
    assert Contact.objects.filter(owner=agent).count() == 47
