"""Import content items from a spreadsheet (CSV or xlsx) with a per-row error report.

Columns (English or Chinese headers, any order): title/标题, body/正文, category/类别,
product_line/产品线, topic_tags/话题标签, audience_tags/人群标签, valid_from/生效日期,
valid_until/失效日期. Good rows become checked drafts; a bad row is reported with its line
number and reason and does not stop the others.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from content.models import Category, ContentItem, ProductLine
from content.services import content_create
from crm.models import User
from crm.spreadsheets import (
    FORMULA_WITHOUT_RESULT,
    Formula,
    SpreadsheetError,
    cell_date,
    message_text,
    read_table,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000

HEADERS = {
    "title": {"title", "标题"},
    "body": {"body", "正文", "内容"},
    "category": {"category", "类别", "分类"},
    "product_line": {"product_line", "product line", "产品线", "险种"},
    "topic_tags": {"topic_tags", "topic tags", "tags", "话题标签", "标签"},
    "audience_tags": {"audience_tags", "audience tags", "人群标签", "受众"},
    "valid_from": {"valid_from", "valid from", "生效日期", "开始日期"},
    "valid_until": {"valid_until", "valid until", "失效日期", "结束日期"},
}
REQUIRED = ("title", "body", "category")

CATEGORY_WORDS = {"故事": Category.STORY, "价值": Category.VALUE, "广告": Category.AD}
PRODUCT_WORDS = {
    "重疾": ProductLine.CRITICAL_ILLNESS,
    "重疾险": ProductLine.CRITICAL_ILLNESS,
    "医疗": ProductLine.MEDICAL,
    "医疗险": ProductLine.MEDICAL,
    "意外": ProductLine.ACCIDENT,
    "意外险": ProductLine.ACCIDENT,
    "寿险": ProductLine.LIFE,
    "年金": ProductLine.ANNUITY,
    "年金险": ProductLine.ANNUITY,
    "分红": ProductLine.PARTICIPATING,
    "分红险": ProductLine.PARTICIPATING,
    "万能": ProductLine.UNIVERSAL,
    "万能险": ProductLine.UNIVERSAL,
    "投连": ProductLine.UNIT_LINKED,
    "投连险": ProductLine.UNIT_LINKED,
}
TAG_SPLIT = re.compile(r"[,，、;；|｜/]+")


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did: the items created and, per bad row, its line and reason."""

    created: list[ContentItem] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class SpreadsheetRefused(ValidationError):
    """The whole file cannot be read (wrong type, too large, no header); says why."""


def _header_map(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = str(raw).strip().lower()
        for key, names in HEADERS.items():
            if name in names and key not in columns:
                columns[key] = index
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        raise SpreadsheetRefused(
            _("The first row must name the columns; missing: %(cols)s.")
            % {"cols": ", ".join(missing)}
        )
    return columns


def _choice(value: str, choices: type, words: dict[str, Any], label: str) -> str:
    text = value.strip()
    if text in choices.values:
        return text
    if text.lower() in choices.values:
        return text.lower()
    for choice in choices:
        if text == str(choice.label) or text.lower() == str(choice.label).lower():
            return choice.value
    if text in words:
        return words[text]
    raise ValueError(_("unknown %(what)s “%(value)s”") % {"what": label, "value": text})


def _date(value: Any, label: str) -> datetime.date | None:
    try:
        return cell_date(value)
    except ValueError:
        raise ValueError(
            _("%(what)s “%(value)s” is not a date like 2026-03-31")
            % {"what": label, "value": value}
        ) from None


def _parse_row(row: list[Any], columns: dict[str, int]) -> dict[str, Any]:
    def cell(key: str) -> Any:
        index = columns.get(key)
        if index is None or index >= len(row):
            return ""
        value = row[index]
        if isinstance(value, Formula):  # a formula whose result the file does not hold
            raise ValueError(message_text(FORMULA_WITHOUT_RESULT, {"formula": value.text}))
        return value.strip() if isinstance(value, str) else value

    title, body = str(cell("title")), str(cell("body"))
    if not title:
        raise ValueError(_("the title is empty"))
    if len(title) > 120:
        raise ValueError(_("the title is longer than 120 characters"))
    if not body:
        raise ValueError(_("the body is empty"))
    category = _choice(str(cell("category")), Category, CATEGORY_WORDS, _("category"))
    product = str(cell("product_line"))
    product_line = (
        _choice(product, ProductLine, PRODUCT_WORDS, _("product line")) if product else ""
    )
    return {
        "title": title,
        "body": body,
        "category": category,
        "product_line": product_line,
        "topic_tags": TAG_SPLIT.split(str(cell("topic_tags"))),
        "audience_tags": TAG_SPLIT.split(str(cell("audience_tags"))),
        "valid_from": _date(cell("valid_from"), _("valid from")),
        "valid_until": _date(cell("valid_until"), _("valid until")),
    }


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def content_import(*, file: IO[bytes] | Any, filename: str, actor: User | None) -> ImportReport:
    """Create a draft item for every good row of ``file`` (.csv or .xlsx).

    Raises ``SpreadsheetRefused`` when the file as a whole cannot be read; otherwise returns
    the report, with each bad row's spreadsheet line number (the header is line 1).
    """
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise SpreadsheetRefused(_("The file is larger than 5 MB."))
    try:
        header, *rows = read_table(data, filename)
    except SpreadsheetError as exc:
        raise SpreadsheetRefused(str(exc)) from exc
    report = ImportReport()
    columns = _header_map(header)
    for line, row in enumerate(rows, start=2):
        row = ["" if value is None else value for value in row]  # an empty workbook cell
        if not any(str(value).strip() for value in row):
            continue
        if line - 1 > MAX_ROWS:
            report.errors.append(
                RowError(line, _("more than %(n)s rows; the rest were not read") % {"n": MAX_ROWS})
            )
            break
        try:
            values = _parse_row(row, columns)
            with transaction.atomic():
                report.created.append(content_create(actor=actor, **values))
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc)))
        except ValidationError as exc:
            report.errors.append(RowError(line, _messages(exc)))
    return report
