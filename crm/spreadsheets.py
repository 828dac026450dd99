"""Reading an uploaded spreadsheet (.csv or .xlsx) into rows of cells, for every importer.

CSV comes as UTF-8 (with or without BOM) or as GBK/GB18030, the two encodings Chinese Excel
users save, with ``,`` ``;`` or tab between fields. The first sheet of a workbook is read.
What a row means is the importer's business (``contacts.importing``, ``content.importing``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _


class SpreadsheetError(Exception):
    """The file cannot be read at all; the message says why, for the user."""


def decode_text(data: bytes) -> str:
    # UTF-8 (with or without BOM) first: a GBK file is almost never valid UTF-8, while UTF-8
    # Chinese text fails GBK decoding only sometimes. GB18030 is the superset of GBK/GB2312.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("The file's text encoding is not UTF-8 or GBK."))


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        return list(reader)
    except csv.Error as exc:  # a field past the csv module's size limit, a stray NUL ...
        raise SpreadsheetError(
            _("Line %(line)s cannot be read as CSV: %(reason)s")
            % {"line": reader.line_num, "reason": exc}
        ) from exc


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken or foreign file
        raise SpreadsheetError(_("The file is not a readable .xlsx workbook.")) from exc
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    """Every row of the file as a list of cells (text for CSV; numbers, dates or None as
    the workbook stores them for .xlsx). Raises ``SpreadsheetError`` for a file that is
    empty, of another type, or unreadable."""
    if not data:
        raise SpreadsheetError(_("The file is empty."))
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lower.endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise SpreadsheetError(_("Upload a .csv or .xlsx file."))
    if not rows:
        raise SpreadsheetError(_("The file is empty."))
    return rows


def cell_text(value: Any) -> str:
    """A cell as text: Excel stores phones as numbers (13812345678.0) and dates as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()
