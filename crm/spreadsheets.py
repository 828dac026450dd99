"""Spreadsheets in and out, for every importer and exporter: reading an uploaded .csv or .xlsx
into rows of cells, reading a cell as a date, and the formula neutralisation an export applies
and an import undoes.

CSV comes as UTF-8 (with or without BOM) or as GBK/GB18030, the two encodings Chinese Excel
users save, with ``,`` ``;`` or tab between fields. The first sheet of a workbook is read.
What a row means is the importer's business (``contacts.importing``, ``content.importing``).

Formulas. An export prefixes an apostrophe to any text a spreadsheet would run as a formula
(``neutralise``) and to text that itself starts with an apostrophe, so that an import can take
exactly one leading apostrophe off every text cell (``unneutralise``) and get back what was
exported, whatever it was. A formula from elsewhere never runs: a CSV cell is text, stored as
text and neutralised again by the next export. A workbook's formula cell is read as the result
the file saved with it (Excel and WPS always save one); a formula without a saved result, or
with an error for a result (``#REF!``), is read as a ``Formula``, which an importer reports as
that row's error instead of reading it as an empty cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop

# What a spreadsheet runs as a formula when a cell starts with it (OWASP's CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The apostrophe an export puts in front: Excel's own "this is text" mark.
TEXT_MARK = "'"
# A ``Formula`` cell, reported by an importer as that row's error.
FORMULA_WITHOUT_RESULT = gettext_noop(
    "The cell holds a formula (%(formula)s) with no result saved in the file; "
    "paste the column as values and import again."
)
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)


def message_text(message: str, params: dict[str, Any] | None = None) -> str:
    """A stored message (an English msgid and its params) in the active language.

    Importers run in a worker, with no request and no viewer: they store the msgid and the
    params, and whoever reads the report gets it in their own language.
    """
    translated = gettext(message) if message else ""
    if not params:
        return translated
    try:
        return translated % params
    except (KeyError, TypeError, ValueError):  # a translation that lost a placeholder
        return message % params


class SpreadsheetError(Exception):
    """The file cannot be read at all; ``str()`` says why in the active language, and
    ``message`` and ``params`` are kept for a report that is read later, in another one."""

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params = params or {}

    def __str__(self) -> str:
        return message_text(self.message, self.params)


@dataclass(frozen=True)
class Formula:
    """A workbook cell holding a formula whose result the file does not hold (written by a
    program rather than saved by Excel or WPS) or whose result is an error. ``text`` is the
    formula as written, for the report."""

    text: str

    def __str__(self) -> str:
        return self.text


def neutralise(value: str) -> str:
    """Make a cell that a spreadsheet would run as a formula (``=HYPERLINK(...)``) plain text.

    The OWASP advice: prefix a single quote to anything starting with = + - @ tab or CR. Text
    that starts with a quote gets one more, so ``unneutralise`` reads back every value exactly.
    """
    if value and value.startswith((*FORMULA_PREFIXES, TEXT_MARK)):
        return TEXT_MARK + value
    return value


def unneutralise(text: str) -> str:
    """The value ``neutralise`` was given: one leading apostrophe off, if there is one.

    Applied to every text cell of an imported file: a spreadsheet program never writes the
    apostrophe itself into a CSV (Excel's typed ``'`` only marks the cell as text), so a leading
    one is an exporter's mark. The value stays text; what looks like a formula is neutralised
    again by the next export.
    """
    return text[1:] if text.startswith(TEXT_MARK) else text


def decode_text(data: bytes) -> str:
    # UTF-8 (with or without BOM) first: a GBK file is almost never valid UTF-8, while UTF-8
    # Chinese text fails GBK decoding only sometimes. GB18030 is the superset of GBK/GB2312.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(gettext_noop("The file's text encoding is not UTF-8 or GBK."))


def _csv_rows(data: bytes) -> list[list[Any]]:
    text = decode_text(data)
    # Only the delimiter is guessed; quoting is Excel's (and the export's): the sniffer reads
    # doubled quotes as "no doublequote" when the first lines have none, and cuts such a
    # field short further down.
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:  # a field past the csv module's size limit, a stray NUL ...
        raise SpreadsheetError(
            gettext_noop("Line %(line)s cannot be read as CSV: %(reason)s"),
            {"line": reader.line_num, "reason": str(exc)},
        ) from exc


def _first_sheet(data: bytes, *, data_only: bool) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many types for a broken or foreign file
        raise SpreadsheetError(gettext_noop("The file is not a readable .xlsx workbook.")) from exc
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    rows = _first_sheet(data, data_only=False)
    # Read with data_only=False, a formula cell is its text ("=A1&B1") or, for an array or a
    # data-table formula, an object of openpyxl's. Text that starts with "=" reads the same
    # way here; the second read tells them apart (text is itself in both).
    formulas = {
        (r, c)
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if (isinstance(value, str) and value.startswith("="))
        or isinstance(value, ArrayFormula | DataTableFormula)
    }
    if not formulas:  # every file our own export writes
        return rows
    saved = _first_sheet(data, data_only=True)  # each formula's saved result, or None
    for r, c in formulas:
        written = rows[r][c]
        result = saved[r][c] if r < len(saved) and c < len(saved[r]) else None
        if result is None or (isinstance(result, str) and result in EXCEL_ERRORS):
            text = written if isinstance(written, str) else getattr(written, "text", None)
            rows[r][c] = Formula(str(text or "="))
        else:
            rows[r][c] = result
    return rows


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    """Every row of the file as a list of cells (text for CSV; numbers, dates or None as
    the workbook stores them for .xlsx, a formula as its saved result or as a ``Formula``).
    Raises ``SpreadsheetError`` for a file that is empty, of another type, or unreadable."""
    if not data:
        raise SpreadsheetError(gettext_noop("The file is empty."))
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lower.endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise SpreadsheetError(gettext_noop("Upload a .csv or .xlsx file."))
    if not rows:
        raise SpreadsheetError(gettext_noop("The file is empty."))
    return rows


def cell_text(value: Any) -> str:
    """A cell as text: Excel stores phones as numbers (13812345678.0) and dates as dates."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a workbook's TRUE / FALSE: FALSE is a value, not a blank
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# 2026-12-19, 2026/12/19, 2026.12.19, 2026年12月19日 (months and days with one digit too),
# optionally followed by a time of day, which a date column does not keep; or 20261219.
_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"|(?P<y8>\d{4})(?P<m8>\d{2})(?P<d8>\d{2})"
)


def cell_date(value: Any) -> dt.date | None:
    """A cell as a date: a workbook's date or date-time cell, or text in the ways a Chinese
    user writes a date. ``None`` for an empty cell; ``ValueError`` for anything else, an
    impossible date (2026/13/45) included."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Formula | bool):
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()  # full-width digits too
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(text)
    if match["y"]:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    return dt.date(int(match["y8"]), int(match["m8"]), int(match["d8"]))
