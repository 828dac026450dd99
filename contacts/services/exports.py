"""Export of an agent's contacts as CSV or .xlsx, safe to open in a spreadsheet, audit-logged.

Every column but the last comes back through the import (``contacts.importing``): a file
exported and imported again with "update existing" changes nothing. Cells are neutralised
(``crm.spreadsheets.neutralise``) and the import undoes exactly that.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.importing import consent_text
from contacts.models import Contact
from crm.models import User
from crm.services import audit_log
from crm.spreadsheets import neutralise

# (column, the header written): the import reads each of these headers back.
HEADERS = (
    ("name", "姓名"),
    ("remark", "备注"),
    ("wechat_id", "微信号"),
    ("phone", "手机"),
    ("tags", "标签"),
    ("group", "分组"),
    ("source", "来源"),
    ("city", "城市"),
    ("stage", "阶段"),
    ("next_follow_up", "下次跟进"),
    ("marketing_consent", "营销同意"),
    ("persona", "人设"),
    ("notes", "备注记录"),
    ("created", "添加时间"),  # kept by Siyu: the import names it as not imported
)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str
    rows: int


def _rows(contacts: QuerySet[Contact]) -> Iterator[list[str]]:
    queryset = (
        contacts.active()
        .select_related("persona")
        .prefetch_related("tags", "groups")
        .order_by("pk")
    )
    for contact in queryset.iterator(chunk_size=1000):
        cells = [
            contact.name,
            contact.remark,
            contact.wechat_id,
            contact.phone_national if contact.phone.startswith("+86") else contact.phone,
            "、".join(tag.name for tag in contact.tags.all()),
            "、".join(group.name for group in contact.groups.all()),
            contact.source,
            contact.city,
            str(contact.get_stage_display()),
            contact.next_follow_up.isoformat() if contact.next_follow_up else "",
            consent_text(contact.marketing_consent),
            contact.persona.nickname if contact.persona else "",
            contact.notes,
            timezone.localtime(contact.created).strftime("%Y-%m-%d %H:%M"),
        ]
        yield [neutralise(cell) for cell in cells]


def contacts_export(*, actor: User, contacts: QuerySet[Contact], fmt: str) -> ExportFile:
    """The actor's own contacts among ``contacts`` as a file; one audit event per export.

    ``fmt`` is ``"csv"`` (UTF-8 with BOM, so Excel shows Chinese) or ``"xlsx"``.
    """
    if fmt not in {"csv", "xlsx"}:
        raise ValidationError({"format": _("Choose csv or xlsx.")}, code="invalid")
    own = contacts.owned_by(actor)
    header = [chinese for _key, chinese in HEADERS]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    count = 0
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in _rows(own):
            writer.writerow(row)
            count += 1
        content = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        content_type = "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Contacts"))
        sheet.append(header)
        for row in _rows(own):
            # A workbook's XML cannot hold control characters other than tab, newline and
            # carriage return (openpyxl refuses the cell): they are left out of the xlsx,
            # the CSV keeps them.
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
            count += 1
        out = io.BytesIO()
        workbook.save(out)
        content = out.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit_log(actor=actor, action="contacts.export", format=fmt, rows=count)
    return ExportFile(content, f"contacts-{stamp}.{fmt}", content_type, count)
