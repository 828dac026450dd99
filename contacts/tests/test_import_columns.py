"""Import reads every column the export writes, names each column it does not read, and makes
every value it cannot read that row's error (column and reason) while the good rows go in."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from contacts.models import Contact, ContactImport, DuplicatePolicy, ImportStatus
from contacts.services import contact_import_run, contact_import_start, contacts_export
from contacts.tests.factories import ContactFactory, PersonaFactory
from crm.spreadsheets import read_table
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def csv_file(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_file(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_import(owner, data: bytes, filename: str, **kwargs) -> ContactImport:
    started = contact_import_start(
        owner=owner, file=SimpleUploadedFile(filename, data), filename=filename, **kwargs
    )
    result = contact_import_run(import_id=started.pk)
    assert result.status == ImportStatus.DONE, result.failure_text
    return result


def english_errors(result: ContactImport) -> list[tuple[int, str, str]]:
    with translation.override("en"):
        return [(e["row"], e["column"], e["reason"]) for e in result.error_rows]


def follow_ups(owner) -> dict[str, dt.date | None]:
    return dict(Contact.objects.filter(owner=owner).values_list("name", "next_follow_up"))


def test_next_follow_up_is_read_from_dates_written_the_ways_chinese_users_write_them():
    owner = AgentFactory()
    data = csv_file(
        [
            "姓名,下次跟进",
            "甲,2026-12-19",
            "乙,2026/12/19",
            "丙,2026年12月19日",
            "丁,2026.1.5",
            "戊,２０２６／１２／１９",
            "己,20261219",
            "庚,",
        ]
    )
    result = run_import(owner, data, "c.csv")
    assert result.errors == []
    day = dt.date(2026, 12, 19)
    assert follow_ups(owner) == {
        "甲": day,
        "乙": day,
        "丙": day,
        "丁": dt.date(2026, 1, 5),
        "戊": day,
        "己": day,
        "庚": None,
    }


def test_next_follow_up_is_read_from_real_xlsx_date_and_date_time_cells():
    owner = AgentFactory()
    data = xlsx_file(
        [
            ["姓名", "下次跟进"],
            ["甲", dt.date(2026, 12, 19)],
            ["乙", dt.datetime(2026, 12, 20, 0, 0)],
            ["丙", dt.datetime(2026, 12, 21, 15, 30)],
        ]
    )
    result = run_import(owner, data, "c.xlsx")
    assert result.errors == []
    assert follow_ups(owner) == {
        "甲": dt.date(2026, 12, 19),
        "乙": dt.date(2026, 12, 20),
        "丙": dt.date(2026, 12, 21),
    }


@pytest.mark.parametrize("bad", ["2026/13/45", "2026-02-30", "下周一", "46375"])
def test_an_impossible_date_is_that_rows_error_and_the_good_rows_still_go_in(bad):
    owner = AgentFactory()
    data = csv_file(["姓名,下次跟进", "好,2026/12/19", f"坏,{bad}", "也好,"])
    result = run_import(owner, data, "c.csv")
    assert (result.created_count, result.skipped_count) == (2, 1)
    [(row, column, reason)] = english_errors(result)
    assert (row, column) == (3, "next_follow_up")
    assert bad in reason and "2026-12-19" in reason
    assert follow_ups(owner) == {"好": dt.date(2026, 12, 19), "也好": None}


def test_an_xlsx_formula_without_a_saved_result_is_that_rows_error_not_an_empty_cell():
    owner = AgentFactory()
    data = xlsx_file([["姓名", "备注"], ["张三", "=1+1"], ["李四", "李总"]])
    result = run_import(owner, data, "c.xlsx")
    [(row, column, reason)] = english_errors(result)
    assert (row, column) == (2, "remark")
    assert "=1+1" in reason and "formula" in reason
    assert list(Contact.objects.filter(owner=owner).values_list("name", "remark")) == [
        ("李四", "李总")
    ]


def with_saved_results(data: bytes, results: dict[str, str]) -> bytes:
    """The workbook as Excel would save it: each formula cell keeps the result it computed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = content.decode()
                for ref, value in results.items():
                    xml, count = re.subn(
                        rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                        rf'<c r="{ref}" t="str"><f>\2</f><v>{value}</v>',
                        xml,
                    )
                    assert count == 1, xml
                content = xml.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_an_xlsx_formula_with_a_saved_result_is_read_as_that_result():
    owner = AgentFactory()
    plain = xlsx_file([["姓名", "备注"], ['="张"&"三"', "=B9"], ["李四", '="#REF!"']])
    data = with_saved_results(plain, {"A2": "张三", "B2": "张总", "B3": "#REF!"})
    result = run_import(owner, data, "c.xlsx")
    # An error for a result is no value either: that row's error, naming the formula.
    [(row, column, reason)] = english_errors(result)
    assert (row, column) == (3, "remark") and '="#REF!"' in reason
    assert list(Contact.objects.filter(owner=owner).values_list("name", "remark")) == [
        ("张三", "张总")
    ]


def test_columns_it_does_not_read_are_named_in_the_report_with_the_reason():
    owner = AgentFactory()
    data = csv_file(
        [
            "姓名,添加时间,热度,生日,手机,电话,,城市",
            "张三,2026-01-01 10:00,48.6,1990-01-01,13800138000,13900139000,多余,上海",
        ]
    )
    result = run_import(owner, data, "c.csv")
    assert result.created_count == 1
    with translation.override("en"):
        notes = [
            (n["position"], n["header"], n["column"], n["reason"]) for n in result.column_notes
        ]
    assert notes == [
        ("B", "添加时间", "created", "Siyu keeps this itself; a file cannot change it."),
        ("C", "热度", "warmth", "Siyu keeps this itself; a file cannot change it."),
        ("D", "生日", "", "Siyu has no such column; not imported."),
        ("F", "电话", "phone", "Column 手机 already gives this; not imported."),
        ("G", "", "", "The first row gives this column no name; not imported."),
    ]
    contact = Contact.objects.get(owner=owner)
    assert (contact.phone, contact.city) == ("+8613800138000", "上海")


def test_every_column_the_export_writes_is_read_or_named_as_kept_by_siyu():
    from contacts.services.exports import HEADERS

    owner = AgentFactory()
    ContactFactory(owner=owner)
    exported = contacts_export(actor=owner, contacts=Contact.objects.all(), fmt="csv")
    result = run_import(owner, exported.content, "c.csv", on_duplicate=DuplicatePolicy.UPDATE)
    assert [n["column"] for n in result.column_notes] == ["created"]
    assert [column for column, _header in HEADERS if column != "created"] == [
        "name",
        "remark",
        "wechat_id",
        "phone",
        "tags",
        "group",
        "source",
        "city",
        "stage",
        "next_follow_up",
        "marketing_consent",
        "persona",
        "notes",
    ]


def test_consent_persona_notes_and_follow_up_are_set_on_new_and_updated_contacts():
    persona = PersonaFactory(nickname="小李-保险规划师")
    owner = persona.owner
    ContactFactory(owner=owner, name="老客户", phone="+8613800000001", marketing_consent=True)
    data = csv_file(
        [
            "姓名,手机,营销同意,人设,备注记录,下次跟进",
            '新客户,13800000002,是,小李-保险规划师,"想了解重疾险\n周末联系",2026-12-19',
            "老客户,13800000001,否,,,",
        ]
    )
    result = run_import(owner, data, "c.csv", on_duplicate=DuplicatePolicy.UPDATE)
    assert (result.created_count, result.updated_count, result.errors) == (1, 1, [])
    new = Contact.objects.get(owner=owner, name="新客户")
    assert (new.marketing_consent, new.persona, new.next_follow_up) == (
        True,
        persona,
        dt.date(2026, 12, 19),
    )
    assert new.notes == "想了解重疾险\n周末联系"
    old = Contact.objects.get(owner=owner, name="老客户")
    assert (old.marketing_consent, old.persona, old.notes) == (False, None, "")


def test_consent_is_read_from_a_workbooks_true_and_false_cells():
    owner = AgentFactory()
    ContactFactory(owner=owner, name="乙", phone="+8613800000002", marketing_consent=True)
    data = xlsx_file(
        [["姓名", "手机", "营销同意"], ["甲", 13800000001, True], ["乙", 13800000002, False]]
    )
    result = run_import(owner, data, "c.xlsx", on_duplicate=DuplicatePolicy.UPDATE)
    assert (result.created_count, result.updated_count) == (1, 1)
    consent = dict(Contact.objects.filter(owner=owner).values_list("name", "marketing_consent"))
    assert consent == {"甲": True, "乙": False}


def test_an_unknown_persona_or_consent_word_is_that_rows_error():
    persona = PersonaFactory(nickname="小李")
    PersonaFactory(owner=persona.owner, nickname="双胞胎")
    PersonaFactory(owner=persona.owner, nickname="双胞胎")
    PersonaFactory(nickname="别人的")  # another agent's persona is not one of yours
    data = csv_file(
        [
            "姓名,人设,营销同意",
            "甲,小李,yes",
            "乙,别人的,",
            "丙,双胞胎,",
            "丁,,也许",
        ]
    )
    result = run_import(persona.owner, data, "c.csv")
    assert result.created_count == 1
    assert english_errors(result) == [
        (3, "persona", "You have no persona called 别人的."),
        (4, "persona", "More than one of your personas is called 双胞胎."),
        (5, "marketing_consent", "也许 is neither yes nor no."),
    ]


@pytest.mark.parametrize(
    "header",
    [
        # The contact form's labels, in English and in Chinese, and the model's field names.
        ["Name", "Remark name (备注)", "Mobile", "Source channel", "Next follow-up", "Notes"],
        ["姓名", "备注名", "手机", "来源渠道", "下次跟进", "备注记录"],
        ["name", "remark name", "mobile", "source", "next follow-up", "notes"],
    ],
)
def test_headers_are_matched_as_the_form_and_the_export_name_the_columns(header):
    owner = AgentFactory()
    row = ["张三", "张总", "13800138000", "展会", "2026-12-19", "记一笔"]
    result = run_import(owner, csv_file([",".join(header), ",".join(row)]), "c.csv")
    assert (result.created_count, result.column_notes) == (1, [])
    contact = Contact.objects.get(owner=owner)
    assert (contact.name, contact.remark, contact.phone, contact.source) == (
        "张三",
        "张总",
        "+8613800138000",
        "展会",
    )
    assert (contact.next_follow_up, contact.notes) == (dt.date(2026, 12, 19), "记一笔")


def test_a_formula_from_elsewhere_stays_text_and_the_next_export_neutralises_it_again():
    owner = AgentFactory()
    # A CSV from another tool: a bare formula, and one neutralised the way our export does.
    data = csv_file(["姓名,备注,来源", "=1+1,'=2+2,''=3+3"])
    run_import(owner, data, "c.csv")
    contact = Contact.objects.get(owner=owner)
    assert (contact.name, contact.remark, contact.source) == ("=1+1", "=2+2", "'=3+3")
    exported = contacts_export(actor=owner, contacts=Contact.objects.all(), fmt="csv")
    header, row = csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))
    cells = dict(zip(header, row, strict=True))
    assert (cells["姓名"], cells["备注"], cells["来源"]) == ("'=1+1", "'=2+2", "''=3+3")


def test_an_xlsx_export_leaves_out_control_characters_a_workbook_cannot_hold():
    owner = AgentFactory()
    ContactFactory(owner=owner, name="王\x0b五", notes="第一行\n第二行\x1f", wechat_id="wang5")
    exported = contacts_export(actor=owner, contacts=Contact.objects.all(), fmt="xlsx")
    rows = read_table(exported.content, exported.filename)
    assert rows[1][0] == "王五"
    assert "第一行\n第二行" in rows[1]
