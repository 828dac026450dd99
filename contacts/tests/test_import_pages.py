"""The import page: upload, a progress fragment that htmx polls, and the row report."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import ContactImport, ImportStatus
from contacts.services import contact_import_run
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_upload_then_poll_progress_until_the_report_shows(
    client, django_capture_on_commit_callbacks
):
    agent = AgentFactory(language="en")
    client.force_login(agent)
    data = "姓名,手机\r\n张三,13800138000\r\n李四,123\r\n".encode("gbk")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("contacts:import"),
            {"file": SimpleUploadedFile("客户.csv", data), "on_duplicate": "skip"},
        )
    assert len(callbacks) == 1  # the task is enqueued once the upload is committed
    contact_import = ContactImport.objects.get(owner=agent)
    detail = reverse("contacts:import-detail", args=[contact_import.pk])
    assert response.status_code == 302 and response.url == detail

    waiting = client.get(detail, headers={"HX-Request": "true"})
    html = waiting.content.decode()
    assert 'hx-trigger="every 1s"' in html and "<html" not in html  # a fragment that polls

    contact_import_run(import_id=contact_import.pk)
    done = client.get(detail, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done  # polling stops
    assert "1 created, 0 updated, 1 not imported." in done
    assert "123 is not a valid mobile number." in done
    full = client.get(detail).content.decode()
    assert "<html" in full and "Rows not imported" in full


def test_upload_of_a_wrong_file_type_is_a_form_error(client):
    agent = AgentFactory(language="en")
    client.force_login(agent)
    response = client.post(
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4"), "on_duplicate": "skip"},
    )
    assert response.status_code == 400
    assert "Upload a .csv or .xlsx file." in response.content.decode()
    assert not ContactImport.objects.exists()


def test_failed_import_shows_its_reason(client):
    agent = AgentFactory(language="en")
    client.force_login(agent)
    client.post(
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("c.csv", "城市\r\n上海\r\n".encode()), "on_duplicate": "skip"},
    )
    contact_import = contact_import_run(import_id=ContactImport.objects.get().pk)
    assert contact_import.status == ImportStatus.FAILED
    page = client.get(reverse("contacts:import-detail", args=[contact_import.pk]))
    assert "No name column" in page.content.decode()


def test_the_report_names_columns_in_the_users_language(client):
    agent = AgentFactory(language="zh-hans")
    client.force_login(agent)
    data = "姓名,手机,阶段,分组\r\n张三,123,新好友,老客户\r\n,13800138000,,\r\n李四,,不存在,\r\n"
    client.post(
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("c.csv", data.encode()), "on_duplicate": "skip"},
    )
    contact_import = contact_import_run(import_id=ContactImport.objects.get().pk)
    assert [e["column"] for e in contact_import.errors] == ["phone", "name", "stage"]
    page = client.get(reverse("contacts:import-detail", args=[contact_import.pk]))
    cells = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", page.content.decode())
    assert cells == [("2", "手机"), ("3", "名称"), ("4", "阶段")]  # as the contact form says
