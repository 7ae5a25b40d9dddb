"""Tables people make in Excel: an .xlsx or .csv body read into a header and rows of
text, with each cell's sheet row number, and formulas flagged (never evaluated)."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from ...problems import Problem, say

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = object()  # a cell holding a formula: refused, whatever Excel last computed


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list]]  # (row number as the sheet shows it, cells)


def fold(text) -> str:
    """For matching what people type: no diacritics (đ too), lower case, single spaces."""
    text = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().split())


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed as a number
    return str(value).strip()


def read_table(data: bytes, *, max_rows: int) -> Table:
    """The first sheet of an .xlsx, or a CSV (UTF-8, comma, semicolon or tab). The header
    is the first non-empty row; empty rows are skipped. Raises import.unreadable, or
    import.too_many_rows past max_rows."""
    if data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data, max_rows)
    else:
        table = _read_csv(data, max_rows)
    if not table.header:
        raise Problem("import.unreadable")
    return table


def _too_many(count: int, max_rows: int) -> None:
    if count > max_rows:
        raise Problem("import.too_many_rows", say("import.max_rows", max=max_rows))


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise Problem("import.unreadable") from None
    header, rows = [], []
    try:
        for cells in sheet.iter_rows():
            values = [FORMULA if getattr(c, "data_type", None) == "f" else _cell(c.value)
                      for c in cells]
            if not any(v for v in values):
                continue
            if not header:
                header = [fold(v) if v is not FORMULA else "" for v in values]
                continue
            _too_many(len(rows) + 1, max_rows)
            rows.append((cells[0].row, values))
    except Problem:
        raise
    except Exception:  # openpyxl on a damaged part: the file's fault, not a 500
        raise Problem("import.unreadable") from None
    finally:
        book.close()
    return Table(header, rows)


def _read_csv(data: bytes, max_rows: int) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Problem("import.unreadable") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    header, rows = [], []
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        for cells in reader:
            number = reader.line_num
            values = [_cell(c) for c in cells]
            if not any(values):
                continue
            if not header:
                header = [fold(v) for v in values]
                continue
            _too_many(len(rows) + 1, max_rows)
            rows.append((number, [FORMULA if v.startswith("=") else v for v in values]))
    except csv.Error:
        raise Problem("import.unreadable") from None
    return Table(header, rows)
