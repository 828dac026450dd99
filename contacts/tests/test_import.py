"""Import of CSV and .xlsx files: encodings, Chinese/English headers, duplicates, row report."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from contacts.models import Contact, ContactImport, DuplicatePolicy, ImportStatus, Stage
from contacts.services import contact_import_run, contact_import_start
from contacts.tests.factories import ContactFactory, PersonaFactory
from crm.tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

HEADER_ZH = ["姓名", "备注", "微信号", "手机", "标签", "分组", "来源", "城市", "阶段"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def fifty_rows_with_three_bad() -> list[list[str]]:
    """50 data rows (spreadsheet rows 2-51); rows 11, 21 and 31 are bad."""
    rows = []
    for i in range(50):
        sheet_row = i + 2
        rows.append(
            [
                f"{SURNAMES[i % len(SURNAMES)]}先生{i}",
                f"备注{i}",
                f"wx_import_{i:03d}",
                f"139{i:08d}",
                "宝妈\uff0c高意向、重疾" if i % 2 else "车险",
                "老客户群",
                "转介绍",
                "上海",
                "有意向" if i % 3 == 0 else "",
            ]
        )
        if sheet_row == 11:
            rows[-1][3] = "12345"  # bad phone
        if sheet_row == 21:
            rows[-1][0] = ""  # missing name
        if sheet_row == 31:
            rows[-1][3] = "139" + f"{0:08d}"  # same phone as row 2
            rows[-1][2] = "wx_other_031"
    return rows


def csv_bytes(rows: list[list[str]], header=HEADER_ZH, encoding="gbk") -> bytes:
    lines = [",".join(header)] + [",".join(f'"{cell}"' for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]], header=HEADER_ZH) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def run_import(owner, data: bytes, filename: str, **kwargs) -> ContactImport:
    upload = SimpleUploadedFile(filename, data)
    started = contact_import_start(owner=owner, file=upload, filename=filename, **kwargs)
    assert started.status == ImportStatus.PENDING
    return contact_import_run(import_id=started.pk)


def assert_47_and_the_3_bad_rows(result: ContactImport, owner) -> None:
    assert result.status == ImportStatus.DONE, result.failure
    assert (result.total, result.processed) == (50, 50)
    assert (result.created_count, result.updated_count, result.skipped_count) == (47, 0, 3)
    assert Contact.objects.filter(owner=owner).count() == 47
    assert [(e["row"], e["column"]) for e in result.errors] == [
        (11, "phone"),
        (21, "name"),
        (31, "phone"),
    ]
    reasons = {e["row"]: e["reason"] for e in result.error_rows}
    assert "12345" in reasons[11]
    assert "2" in reasons[31]  # names the row it duplicates
    assert all(e["reason"] for e in result.error_rows)
    first = Contact.objects.get(owner=owner, wechat_id="wx_import_001")
    assert first.phone == "+8613900000001"
    assert sorted(t.name for t in first.tags.all()) == ["宝妈", "重疾", "高意向"]
    assert [g.name for g in first.groups.all()] == ["老客户群"]
    assert Contact.objects.get(owner=owner, wechat_id="wx_import_000").stage == Stage.INTERESTED
    assert first.stage == Stage.NEW_FRIEND


def test_gbk_csv_of_50_rows_imports_47_and_reports_the_3_bad_rows(english):
    owner = AgentFactory()
    data = csv_bytes(fifty_rows_with_three_bad(), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK, as Chinese Excel saves it
    assert_47_and_the_3_bad_rows(run_import(owner, data, "客户.csv"), owner)


def test_xlsx_of_50_rows_imports_47_and_reports_the_3_bad_rows(english):
    owner = AgentFactory()
    rows = fifty_rows_with_three_bad()
    for row in rows:  # Excel keeps phone numbers as numbers
        if row[3].isdigit() and len(row[3]) == 11:
            row[3] = int(row[3])
    assert_47_and_the_3_bad_rows(run_import(owner, xlsx_bytes(rows), "客户.xlsx"), owner)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_csv_with_and_without_bom_and_english_headers(encoding):
    owner = AgentFactory()
    header = ["Name", "Remark", "WeChat ID", "Phone", "Tags", "Group", "Source", "City", "Stage"]
    rows = [
        ["张三", "张总", "zhangsan", "+86 138-0013-8000", "VIP", "群1", "展会", "北京", "customer"]
    ]
    result = run_import(owner, csv_bytes(rows, header=header, encoding=encoding), "c.csv")
    assert result.created_count == 1, result.errors
    contact = Contact.objects.get(owner=owner)
    assert (contact.name, contact.remark, contact.phone) == ("张三", "张总", "+8613800138000")
    assert (contact.source, contact.city, contact.stage) == ("展会", "北京", Stage.CUSTOMER)


def test_existing_contacts_are_skipped_and_reported_when_chosen():
    owner = AgentFactory(language="en")
    ContactFactory(owner=owner, name="旧名字", phone="+8613900000001", wechat_id="")
    rows = [["新名字", "", "", "13900000001", "", "", "", "深圳", ""]]
    result = run_import(owner, csv_bytes(rows), "c.csv", on_duplicate=DuplicatePolicy.SKIP)
    assert (result.created_count, result.updated_count, result.skipped_count) == (0, 0, 1)
    with translation.override("en"):
        assert [(e["row"], e["column"], e["reason"]) for e in result.error_rows] == [
            (2, "phone", "You already have this contact; row skipped.")
        ]
    assert Contact.objects.get(owner=owner).name == "旧名字"


def test_existing_contacts_are_updated_when_chosen_and_blank_cells_keep_values():
    owner = AgentFactory()
    ContactFactory(owner=owner, name="旧名字", city="杭州", phone="", wechat_id="wx_keep")
    rows = [["新名字", "", "wx_keep", "13900000002", "新标签", "", "", "", ""]]
    result = run_import(owner, csv_bytes(rows), "c.csv", on_duplicate=DuplicatePolicy.UPDATE)
    assert (result.created_count, result.updated_count, result.skipped_count) == (0, 1, 0)
    contact = Contact.objects.get(owner=owner)
    assert (contact.name, contact.city, contact.phone) == ("新名字", "杭州", "+8613900000002")
    assert [t.name for t in contact.tags.all()] == ["新标签"]


def test_another_agents_contact_with_the_same_phone_is_not_a_duplicate():
    ContactFactory(phone="+8613900000003")
    owner = AgentFactory()
    result = run_import(owner, csv_bytes([["李四", "", "", "13900000003"] + [""] * 5]), "c.csv")
    assert result.created_count == 1


def test_file_without_a_name_column_fails_with_a_message():
    owner = AgentFactory(language="en")
    result = run_import(owner, "手机,城市\r\n13900000001,上海\r\n".encode(), "c.csv")
    assert result.status == ImportStatus.FAILED
    with translation.override("en"):
        assert "No name column" in result.failure_text and "手机" in result.failure_text
    assert Contact.objects.count() == 0


def test_persona_is_assigned_to_imported_contacts():
    persona = PersonaFactory()
    result = run_import(persona.owner, csv_bytes([["王五"] + [""] * 8]), "c.csv", persona=persona)
    assert result.created_count == 1
    assert Contact.objects.get(owner=persona.owner).persona == persona


def test_running_a_finished_import_again_changes_nothing():
    owner = AgentFactory()
    result = run_import(owner, csv_bytes([["王五"] + [""] * 8]), "c.csv")
    again = contact_import_run(import_id=result.pk)
    assert again.created_count == 1
    assert Contact.objects.filter(owner=owner).count() == 1


def test_start_refuses_other_file_types_with_a_field_error(english):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        contact_import_start(
            owner=AgentFactory(), file=SimpleUploadedFile("x.pdf", b"%PDF"), filename="x.pdf"
        )
    assert "file" in caught.value.message_dict


def test_start_enqueues_the_task_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        contact_import_start(
            owner=AgentFactory(), file=SimpleUploadedFile("c.csv", b"name\n1\n"), filename="c.csv"
        )
    assert len(callbacks) == 1


def test_a_report_written_before_reasons_were_stored_as_message_ids_still_reads():
    old = ContactImport(
        owner=AgentFactory(),
        errors=[{"row": 2, "column": "phone", "reason": "123 不是有效的手机号。"}],
        failure="文件的编码不是 UTF-8 或 GBK。",
    )
    with translation.override("en"):
        assert [(e["row"], e["column_label"], e["reason"]) for e in old.error_rows] == [
            (2, "Mobile", "123 不是有效的手机号。")
        ]
        assert old.failure_text == "文件的编码不是 UTF-8 或 GBK。"
