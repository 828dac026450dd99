"""Reading contact spreadsheets: CSV (UTF-8, UTF-8 with BOM, GBK) and .xlsx into plain rows.

No database here: ``read_rows`` turns a file into ``SheetRows`` (canonical column names,
``(row_number, {column: text})`` pairs, and a note for every column it does not read) and
``clean_row`` checks one row. The import service (``contacts.services.imports``) does the
database work.

What is read. Every column the export writes (``contacts.services.exports.HEADERS``) comes back:
headers match the export's Chinese ones, the contact form's labels in Chinese and English
("姓名", "Name"), the model's field names, and the spellings in ``HEADER_ALIASES``. A column
Siyu keeps itself (the date a contact was added, warmth, last interaction) and a column it does
not know are not read, and the report names each with the reason. A value that cannot be read
(an impossible date, a workbook formula without a saved result, an unknown persona) is that
row's error, naming the column; the other rows still go in. Each cell loses the one leading
apostrophe an export puts before formula-like text (``crm.spreadsheets.unneutralise``).

Messages are stored as English msgids with their params and translated when the report is
shown, in the language of whoever reads it (the worker that writes them has no reader).
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.translation import gettext_noop

from contacts.models import Stage
from contacts.phones import PhoneError, normalise_phone
from crm.spreadsheets import (
    FORMULA_WITHOUT_RESULT,
    Formula,
    SpreadsheetError,
    cell_date,
    cell_text,
    message_text,
    read_table,
    unneutralise,
)

MAX_ROWS = 50_000
MAX_BYTES = 10 * 1024 * 1024

# Canonical column -> header spellings (compared after NFKC, lower-casing and removing spaces,
# underscores, dashes and asterisks), besides the form's labels and the model's field names
# in both languages. Chinese first: Chinese Excel users write those.
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
    "persona": ("人设", "微信账号", "persona"),
    "next_follow_up": ("下次跟进", "下次跟进日期", "跟进日期", "nextfollowup", "followup"),
    "marketing_consent": ("营销同意", "同意营销", "marketingconsent", "consent"),
    "notes": ("备注记录", "笔记", "notes", "note"),
}
# Columns an export writes, or a user may bring, that Siyu keeps itself: named in the report.
KEPT_BY_SIYU: dict[str, tuple[str, ...]] = {
    "created": ("添加时间", "创建时间", "添加日期", "created", "added"),
    "updated": ("更新时间", "修改时间", "updated"),
    "warmth": ("热度", "温度", "warmth", "tier"),
    "last_interaction": ("最近互动", "最后互动", "lastinteraction", "lasttouch"),
}
# The contact form's field (for the label the report uses) and the model's, where not the same.
FORM_FIELDS = {"group": "groups"}
MODEL_FIELDS = {
    "group": "groups",
    "warmth": "warmth_ref",
    "last_interaction": "last_interaction_at",
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
# Also read: what the export writes for consent (``consent_text``) in either language.
CONSENT_WORDS = {
    True: ("是", "yes", "y", "true", "1", "同意", "已同意", "✓", "√"),
    False: ("否", "no", "n", "false", "0", "不同意", "未同意", "拒绝", "✗", "×"),
}

NOT_A_COLUMN = gettext_noop("Siyu has no such column; not imported.")
KEPT_BY_SIYU_REASON = gettext_noop("Siyu keeps this itself; a file cannot change it.")
SAME_COLUMN_TWICE = gettext_noop("Column %(first)s already gives this; not imported.")
NO_HEADER = gettext_noop("The first row gives this column no name; not imported.")
NOT_A_DATE = gettext_noop("%(value)s is not a date; write it like 2026-12-19.")
NOT_YES_OR_NO = gettext_noop("%(value)s is neither yes nor no.")
NO_SUCH_PERSONA = gettext_noop("You have no persona called %(value)s.")
PERSONA_TWICE = gettext_noop("More than one of your personas is called %(value)s.")
NAME_MISSING = gettext_noop("The name is missing.")
TOO_LONG = gettext_noop("Longer than %(n)s characters.")
UNKNOWN_STAGE = gettext_noop("Unknown stage %(value)s.")
TOO_LARGE = gettext_noop("The file is larger than 10 MB; split it into smaller files.")
TOO_MANY_ROWS = gettext_noop("The file has more than %(max)s rows; split it.")
NO_NAME_COLUMN = gettext_noop(
    "No name column (姓名 or name) in the first row. Columns found: %(seen)s"
)


class ImportFileError(SpreadsheetError):
    """The whole file cannot be read (no name column, unknown encoding, not a spreadsheet)."""


@dataclass
class ColumnNote:
    """A column of the file that was not read, and why (a msgid and its params)."""

    position: str  # the spreadsheet's letter: "K"
    header: str  # as the file wrote it
    column: str  # the canonical column, "" for one Siyu does not know
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "header": self.header,
            "column": self.column,
            "message": self.message,
            "params": self.params,
        }


@dataclass
class SheetRows:
    columns: list[str]
    rows: list[tuple[int, dict[str, str | Formula]]] = field(default_factory=list)
    notes: list[ColumnNote] = field(default_factory=list)


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
    notes: str = ""
    next_follow_up: dt.date | None = None  # None = not given
    marketing_consent: bool | None = None  # None = not given
    persona_id: int | None = None  # None = not given


@dataclass
class RowProblem:
    """Why a row was not imported: the column and a msgid with its params."""

    row: int
    column: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason in the active language."""
        return message_text(self.message, self.params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "params": self.params,
        }


def column_label(column: str) -> str:
    """The column as the contact form names it (``姓名``), in the active language; for a column
    the form does not have, the model's name for it; else the key itself."""
    from contacts.forms import ContactForm
    from contacts.models import Contact

    form_field = ContactForm.base_fields.get(FORM_FIELDS.get(column, column))
    if form_field is not None:
        return str(form_field.label)
    try:
        return str(Contact._meta.get_field(MODEL_FIELDS.get(column, column)).verbose_name)
    except FieldDoesNotExist:
        return column


def _header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return "".join(ch for ch in text if ch not in " _-*\t\ufeff")


@functools.cache
def _header_lookup() -> dict[str, str]:
    """Header key -> canonical column: the aliases, then the form's labels and the model's
    field names in both languages. Built once (translations do not change while running)."""
    from contacts.models import Contact

    lookup: dict[str, str] = {}
    columns = {**HEADER_ALIASES, **KEPT_BY_SIYU}
    for column, aliases in columns.items():
        for alias in (column, *aliases):
            lookup.setdefault(_header_key(alias), column)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for column in columns:
                lookup.setdefault(_header_key(column_label(column)), column)
                try:
                    model_field = Contact._meta.get_field(MODEL_FIELDS.get(column, column))
                except FieldDoesNotExist:
                    continue
                lookup.setdefault(_header_key(str(model_field.verbose_name)), column)
    return lookup


def _letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column as the spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _read_columns(header: list[Any]) -> tuple[dict[int, str], list[ColumnNote], list[int]]:
    """Which cell of a row holds which column; a note for each header not read; and the
    positions without a header (noted later, if any row has a value there)."""
    lookup = _header_lookup()
    readable: dict[int, str] = {}
    first_header: dict[str, str] = {}
    notes: list[ColumnNote] = []
    unnamed: list[int] = []
    for index, cell in enumerate(header):
        text = unneutralise(cell_text(cell))
        key = _header_key(text)
        if not key:
            unnamed.append(index)
            continue
        column = lookup.get(key, "")
        note = None
        if not column:
            note = ColumnNote(_letter(index), text, "", NOT_A_COLUMN)
        elif column in KEPT_BY_SIYU:
            note = ColumnNote(_letter(index), text, column, KEPT_BY_SIYU_REASON)
        elif column in first_header:
            note = ColumnNote(
                _letter(index), text, column, SAME_COLUMN_TWICE, {"first": first_header[column]}
            )
        if note is not None:
            notes.append(note)
            continue
        readable[index] = column
        first_header[column] = text
    return readable, notes, unnamed


def read_rows(file: IO[bytes], filename: str) -> SheetRows:
    """Read a .csv or .xlsx file into canonical columns and numbered rows.

    Row numbers are the spreadsheet's own (the header is row 1). Blank rows are left out. A
    cell's value is its text with the export's leading apostrophe taken off, or a ``Formula``
    (a workbook formula without a saved result) for ``clean_row`` to report. Raises
    ``ImportFileError`` with a user-facing message when the file cannot be used at all.
    """
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportFileError(TOO_LARGE)
    try:
        raw = read_table(data, filename)
    except SpreadsheetError as exc:
        raise ImportFileError(exc.message, exc.params) from exc
    readable, notes, unnamed = _read_columns(raw[0])
    if "name" not in readable.values():
        seen = ", ".join(cell_text(cell) for cell in raw[0] if cell_text(cell)) or "-"
        raise ImportFileError(NO_NAME_COLUMN, {"seen": seen})
    sheet = SheetRows(columns=list(dict.fromkeys(readable.values())), notes=notes)
    used_unnamed: set[int] = set()
    for index, raw_row in enumerate(raw[1:], start=2):
        values: dict[str, str | Formula] = {}
        for position, cell in enumerate(raw_row):
            column = readable.get(position)
            if column is None:
                if position in unnamed and cell_text(cell):
                    used_unnamed.add(position)
                continue
            values[column] = cell if isinstance(cell, Formula) else unneutralise(cell_text(cell))
        if any(values.values()):
            sheet.rows.append((index, values))
        if len(sheet.rows) > MAX_ROWS:
            raise ImportFileError(TOO_MANY_ROWS, {"max": MAX_ROWS})
    sheet.notes += [ColumnNote(_letter(i), "", "", NO_HEADER) for i in sorted(used_unnamed)]
    sheet.notes.sort(key=lambda note: (len(note.position), note.position))
    return sheet


def _stage_lookup() -> dict[str, str]:
    lookup = dict(STAGE_SYNONYMS)
    for value, _label in Stage.choices:
        lookup[value] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(Stage(value).label).lower()] = value
    return lookup


def stage_lookup() -> dict[str, str]:
    """Every spelling of a stage (value, English and Chinese label, common words) -> value."""
    return _stage_lookup()


def consent_text(consent: bool) -> str:
    """What the export writes for marketing consent, in the active language."""
    if consent:
        return translation.pgettext("marketing consent", "yes")
    return translation.pgettext("marketing consent", "no")


@functools.cache
def _consent_lookup() -> dict[str, bool]:
    lookup = {word: value for value, words in CONSENT_WORDS.items() for word in words}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value in (True, False):
                lookup.setdefault(consent_text(value).lower(), value)
    return lookup


def clean_row(
    row: int,
    values: dict[str, str | Formula],
    stages: dict[str, str],
    personas: dict[str, int | None] | None = None,
) -> CleanRow | RowProblem:
    """Check one row: a ``CleanRow`` to write, or the first ``RowProblem`` found in it.

    ``personas`` maps the owner's persona nicknames to their ids (``None`` for a nickname two
    personas share); without it a persona column cannot be read.
    """
    from contacts.services.contacts import normalise_notes, split_names

    for column, value in values.items():
        if isinstance(value, Formula):
            return RowProblem(row, column, FORMULA_WITHOUT_RESULT, {"formula": value.text})
    text = {column: str(value) for column, value in values.items()}
    name = text.get("name", "")
    if not name:
        return RowProblem(row, "name", NAME_MISSING)
    for column, limit in MAX_LENGTHS.items():
        if len(text.get(column, "")) > limit:
            return RowProblem(row, column, TOO_LONG, {"n": limit})
    try:
        phone = normalise_phone(text.get("phone", ""))
    except PhoneError as exc:
        return RowProblem(row, "phone", exc.msgid, {"value": exc.value})
    stage = ""
    if text.get("stage"):
        stage = stages.get(text["stage"].strip().lower(), "")
        if not stage:
            return RowProblem(row, "stage", UNKNOWN_STAGE, {"value": text["stage"]})
    try:
        next_follow_up = cell_date(text.get("next_follow_up"))
    except ValueError:
        return RowProblem(row, "next_follow_up", NOT_A_DATE, {"value": text["next_follow_up"]})
    consent = None
    if text.get("marketing_consent"):
        consent = _consent_lookup().get(text["marketing_consent"].strip().lower())
        if consent is None:
            value = text["marketing_consent"]
            return RowProblem(row, "marketing_consent", NOT_YES_OR_NO, {"value": value})
    persona_id = None
    if text.get("persona"):
        nickname = text["persona"]
        known = personas or {}
        if nickname not in known:
            return RowProblem(row, "persona", NO_SUCH_PERSONA, {"value": nickname})
        persona_id = known[nickname]
        if persona_id is None:
            return RowProblem(row, "persona", PERSONA_TWICE, {"value": nickname})
    return CleanRow(
        row=row,
        name=name,
        remark=text.get("remark", ""),
        wechat_id=text.get("wechat_id", ""),
        phone=phone,
        tags=split_names(text.get("tags", "")),
        groups=split_names(text.get("group", "")),
        source=text.get("source", ""),
        city=text.get("city", ""),
        stage=stage,
        notes=normalise_notes(text.get("notes", "")),
        next_follow_up=next_follow_up,
        marketing_consent=consent,
        persona_id=persona_id,
    )
