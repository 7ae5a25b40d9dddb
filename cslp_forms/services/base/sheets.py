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


HEADER_SEARCH = 20  # rows a title, a date or a blank line may take above the header


def read_table(data: bytes, *, max_rows: int, is_header=None) -> Table:
    """The first sheet of an .xlsx, or a CSV (UTF-8, comma, semicolon or tab). The header
    is the first non-empty row that `is_header(folded cells)` accepts among the first
    HEADER_SEARCH (a title above it is common), else the first non-empty row; empty rows
    are skipped. Raises import.unreadable, or import.too_many_rows past max_rows."""
    limit = max_rows + HEADER_SEARCH
    raw = _read_xlsx(data, limit) if data[:4] == b"PK\x03\x04" else _read_csv(data, limit)
    if not raw:
        raise Problem("import.unreadable")
    folded = [[fold(v) if v is not FORMULA else "" for v in cells]
              for _, cells in raw[:HEADER_SEARCH]]
    at = next((i for i, cells in enumerate(folded) if is_header and is_header(cells)), 0)
    rows = raw[at + 1:]
    if len(rows) > max_rows:
        raise Problem("import.too_many_rows", say("import.max_rows", max=max_rows))
    return Table(folded[at], rows)


# What an .xlsx of 10,000 rows unpacks to is a few MB; a small file that unpacks to more
# than this is a zip bomb (openpyxl reads the shared strings whole).
MAX_UNPACKED = 64 * 1024 * 1024


def _read_xlsx(data: bytes, limit: int) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise Problem("import.unreadable") from None
    if unpacked > MAX_UNPACKED:
        raise Problem("import.unreadable")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise Problem("import.unreadable") from None
    rows = []
    try:
        for count, cells in enumerate(sheet.iter_rows(), start=1):
            values = [FORMULA if getattr(c, "data_type", None) == "f" else _cell(c.value)
                      for c in cells]
            if not any(v for v in values):
                continue
            if len(rows) >= limit:
                raise Problem("import.too_many_rows",
                              say("import.max_rows", max=limit - HEADER_SEARCH))
            # Read-only sheets give empty cells without a row number.
            number = next((c.row for c in cells if getattr(c, "row", None)), count)
            rows.append((number, values))
    except Problem:
        raise
    except Exception:  # openpyxl on a damaged part: the file's fault, not a 500
        raise Problem("import.unreadable") from None
    finally:
        book.close()
    return rows


def _read_csv(data: bytes, limit: int) -> list[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Problem("import.unreadable") from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count)
    rows = []
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        for cells in reader:
            values = [_cell(c) for c in cells]
            if not any(values):
                continue
            if len(rows) >= limit:
                raise Problem("import.too_many_rows",
                              say("import.max_rows", max=limit - HEADER_SEARCH))
            rows.append((reader.line_num,
                         [FORMULA if v.startswith("=") else v for v in values]))
    except csv.Error:
        raise Problem("import.unreadable") from None
    return rows
