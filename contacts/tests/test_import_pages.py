"""The import page: upload, a progress fragment that htmx polls, and the row report."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from contacts.models import ContactImport, ImportStatus
from contacts.services import contact_import_run
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

# The report's messages (msgids), translated when the page is drawn.
NOT_A_MOBILE = "%(value)s is not a valid mobile number."
NOT_A_DATE = "%(value)s is not a date; write it like 2026-12-19."
NOT_A_COLUMN = "Siyu has no such column; not imported."
NO_NAME_COLUMN = "No name column (姓名 or name) in the first row. Columns found: %(seen)s"


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
    assert cells == [("2", "手机"), ("3", "姓名"), ("4", "阶段")]  # as the contact form says


class ReportTables(HTMLParser):
    """The report's tables, each under the text of the heading before it: {heading: rows}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._heading: str | None = None
        self._in_heading = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self._heading, self._in_heading = "", True
        elif tag == "tbody":
            self._in_body = True
            self.tables[self._heading or ""] = []
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_heading = False
        elif tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._heading or ""].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_heading:
            self._heading += data.strip()
        elif self._cell is not None:
            self._cell.append(data)


def report_tables(html: str) -> dict[str, list[list[str]]]:
    parser = ReportTables()
    parser.feed(html)
    return parser.tables


def in_language(language: str, msgid: str, **params) -> str:
    with translation.override(language):
        text = translation.gettext(msgid)
    return text % params if params else text


def test_the_report_reads_in_the_language_of_whoever_opens_it(client):
    agent = AgentFactory(language="zh-hans")
    client.force_login(agent)
    data = "姓名,手机,下次跟进,生日\r\n张三,123,,\r\n李四,,2026/13/45,\r\n王五,,,1990-01-01\r\n"
    client.post(
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("c.csv", data.encode()), "on_duplicate": "skip"},
    )
    contact_import = contact_import_run(import_id=ContactImport.objects.get().pk)
    detail = reverse("contacts:import-detail", args=[contact_import.pk])

    for language in ("zh-hans", "en", "zh-hans"):
        client.post(reverse("set_language"), {"language": language})
        tables = report_tables(client.get(detail).content.decode())
        rows = in_language(language, "Rows not imported")
        columns = in_language(language, "Columns not imported")
        assert tables[rows] == [
            [
                "2",
                in_language(language, "Mobile"),
                in_language(language, NOT_A_MOBILE, value="123"),
            ],
            [
                "3",
                in_language(language, "Next follow-up"),
                in_language(language, NOT_A_DATE, value="2026/13/45"),
            ],
        ]
        assert tables[columns] == [["D", "生日", in_language(language, NOT_A_COLUMN)]]
    assert in_language("en", NOT_A_DATE, value="x") != in_language("zh-hans", NOT_A_DATE, value="x")


def test_a_failed_import_says_why_in_the_language_of_whoever_opens_it(client):
    agent = AgentFactory(language="zh-hans")
    client.force_login(agent)
    client.post(
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("c.csv", "城市\r\n上海\r\n".encode()), "on_duplicate": "skip"},
    )
    contact_import = contact_import_run(import_id=ContactImport.objects.get().pk)
    detail = reverse("contacts:import-detail", args=[contact_import.pk])
    client.post(reverse("set_language"), {"language": "en"})
    assert "No name column (姓名 or name) in the first row. Columns found: 城市" in (
        client.get(detail).content.decode()
    )
    client.post(reverse("set_language"), {"language": "zh-hans"})
    assert in_language("zh-hans", NO_NAME_COLUMN, seen="城市") in (
        client.get(detail).content.decode()
    )
