"""Reading contact spreadsheets: CSV (UTF-8, UTF-8 with BOM, GBK) and .xlsx into plain rows.

No models here: ``read_rows`` turns a file into ``SheetRows`` (canonical column names and
``(row_number, {column: text})`` pairs) and ``clean_row`` checks one row. The import service
(``contacts.services.imports``) does the database work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from contacts.models import Stage
from contacts.phones import normalise_phone
from crm.spreadsheets import SpreadsheetError, cell_text, read_table

MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024

# Canonical column -> header spellings (compared after lower-casing and removing spaces,
# underscores, dashes and asterisks). Chinese first: Chinese Excel users write those.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "客户姓名", "称呼", "name", "fullname"),
    "remark": ("备注", "备注名", "remark", "remarkname", "alias"),
    "wechat_id": ("微信号", "微信", "微信id", "wechatid", "wechat", "weixin", "wxid"),
    "phone": ("手机", "手机号", "手机号码", "电话", "phone", "mobile", "tel"),
    "tags": ("标签", "tags", "tag"),
    "group": ("分组", "群组", "组", "group", "groups"),
    "source": ("来源", "渠道", "来源渠道", "source", "channel"),
    "city": ("城市", "所在城市", "city"),
    "stage": ("阶段", "客户阶段", "stage"),
}
MAX_LENGTHS = {"name": 60, "remark": 60, "wechat_id": 40, "source": 40, "city": 40}
STAGE_SYNONYMS = {
    "新好友": Stage.NEW_FRIEND,
    "新朋友": Stage.NEW_FRIEND,
    "互动": Stage.ENGAGED,
    "意向": Stage.INTERESTED,
    "有意向": Stage.INTERESTED,
    "方案": Stage.PROPOSAL,
    "客户": Stage.CUSTOMER,
    "已成交": Stage.CUSTOMER,
    "成交": Stage.CUSTOMER,
    "转介绍": Stage.ADVOCATE,
    "流失": Stage.LOST,
}


class ImportFileError(Exception):
    """The whole file cannot be read (no name column, unknown encoding, not a spreadsheet)."""


@dataclass
class SheetRows:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


@dataclass
class CleanRow:
    row: int
    name: str
    remark: str = ""
    wechat_id: str = ""
    phone: str = ""
    tags: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    source: str = ""
    city: str = ""
    stage: str = ""  # "" = not given: keep the default or the existing value


def _header_key(text: str) -> str:
    return "".join(ch for ch in str(text or "").strip().lower() if ch not in " _-*\t\ufeff")


_ALIAS_TO_COLUMN = {
    _header_key(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases
}


def read_rows(file: IO[bytes], filename: str) -> SheetRows:
    """Read a .csv or .xlsx file into canonical columns and numbered rows.

    Row numbers are the spreadsheet's own (the header is row 1). Blank rows are left out.
    Raises ``ImportFileError`` with a user-facing message when the file cannot be used at all.
    """
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 10 MB; split it into smaller files."))
    try:
        raw = read_table(data, filename)
    except SpreadsheetError as exc:
        raise ImportFileError(str(exc)) from exc
    headers = [_ALIAS_TO_COLUMN.get(_header_key(cell)) for cell in raw[0]]
    if "name" not in headers:
        seen = ", ".join(cell_text(cell) for cell in raw[0] if cell_text(cell)) or "-"
        raise ImportFileError(
            _("No name column (姓名 or name) in the first row. Columns found: %(seen)s")
            % {"seen": seen}
        )
    sheet = SheetRows(columns=[h for h in dict.fromkeys(headers) if h])
    for index, raw_row in enumerate(raw[1:], start=2):
        values: dict[str, str] = {}
        for column, cell in zip(headers, raw_row, strict=False):
            if column and column not in values:
                values[column] = cell_text(cell)
        if any(values.values()):
            sheet.rows.append((index, values))
        if len(sheet.rows) > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)s rows; split it.") % {"max": MAX_ROWS}
            )
    return sheet


def _stage_lookup() -> dict[str, str]:
    lookup = dict(STAGE_SYNONYMS)
    for value, _label in Stage.choices:
        lookup[value] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(Stage(value).label).lower()] = value
    return lookup


@dataclass
class RowProblem:
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


def clean_row(row: int, values: dict[str, str], stages: dict[str, str]) -> CleanRow | RowProblem:
    """Check one row: a ``CleanRow`` to write, or the first ``RowProblem`` found in it."""
    from contacts.services.contacts import split_names

    name = values.get("name", "")
    if not name:
        return RowProblem(row, "name", _("The name is missing."))
    for column, limit in MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            return RowProblem(row, column, _("Longer than %(n)s characters.") % {"n": limit})
    try:
        phone = normalise_phone(values.get("phone", ""))
    except ValidationError as exc:
        return RowProblem(row, "phone", exc.messages[0])
    stage = ""
    if values.get("stage"):
        stage = stages.get(values["stage"].strip().lower(), "")
        if not stage:
            return RowProblem(
                row, "stage", _("Unknown stage %(value)s.") % {"value": values["stage"]}
            )
    return CleanRow(
        row=row,
        name=name,
        remark=values.get("remark", ""),
        wechat_id=values.get("wechat_id", ""),
        phone=phone,
        tags=split_names(values.get("tags", "")),
        groups=split_names(values.get("group", "")),
        source=values.get("source", ""),
        city=values.get("city", ""),
        stage=stage,
    )


def stage_lookup() -> dict[str, str]:
    """Every spelling of a stage (value, English and Chinese label, common words) -> value."""
    return _stage_lookup()
