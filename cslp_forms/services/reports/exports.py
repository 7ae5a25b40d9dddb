"""Exports of one form's records as CSV or XLSX, with Vietnamese headers and values,
filtered by unit, period and status. Rows are read from the database in batches and
written as they come (CSV straight to the response; XLSX through openpyxl's write-only
mode into a temporary file), so memory stays flat whatever the number of records.

Case (incident) exports leave out every free-text answer unless the user holds the
privileged permission (for now: an administrator of the province), and each one is
written to the export log before the first byte leaves."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from ...extensions import db
from ...models import REVIEWER_ROLES, ExportLog, Submission, Unit, User
from ...problems import BAD_TEXT, Problem, say
from ..base.clock import local_today
from ..base.forms import FormDefinition, registry
from ..base.periods import Period, parse_export_period
from ..base.units import find_version, in_subtree
from ..records.access import log_access
from ..records.sealing import open_answers
from ..records.timeline import (
    CASE_FORM,
    any_service_reached,
    derive_state,
    entries_of,
    entry_form_of,
    plain_view,
)

BATCH = 500
TEXT_TYPES = ("text", "long_text")
STATUS_LABELS = {"submitted": "Đã gửi", "in_review": "Đang duyệt", "approved": "Đã duyệt",
                 "returned": "Bị trả lại", "rejected": "Không được chấp nhận"}
META_HEADERS = ["Mã phiếu", "Mã đơn vị", "Đơn vị", "Đơn vị cấp trên", "Ngày", "Kỳ (tháng)",
                "Trạng thái", "Người nhập", "Lần sửa", "Cập nhật lúc (UTC)"]
# An entry's row names its case or group; a case's or group's row ends with its derived
# state (services/records/timeline.py, from the plain columns: nothing more is unsealed).
PARENT_HEADER = "Thuộc vụ việc / mô hình (mã phiếu)"
CASE_STATE_HEADERS = ["Trạng thái hiện tại", "Đã nhận ít nhất 1 dịch vụ",
                      "Lần ghi nhận gần nhất", "Ngày theo dõi tiếp theo",
                      "Đơn vị đang phụ trách", "Số lần ghi nhận sau duyệt"]
GROUP_STATE_HEADERS = ["Tình trạng hiện tại", "Buổi sinh hoạt gần nhất",
                       "Số buổi sinh hoạt", "Số thành viên hiện tại",
                       "Số lần ghi nhận sau duyệt"]
# A cell whose text starts with one of these can be run as a formula by Excel or
# LibreOffice (OWASP, "CSV Injection", whose list this is): `=WEBSERVICE(...)` sends the
# sheet's data away, `+`, `-` and `@` start formulas too, and some spreadsheets skip a
# leading tab or CR and then see the formula behind it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def privileged(user: User) -> bool:
    """Who may export the restricted free text of case records: an incident reviewer of
    the province (need to know: the province's own case workers' supervisors)."""
    return user.incident_reviewer and user.unit.level == "province"


def reads_details(user: User) -> bool:
    """Who may export case details at all (everyone else gets the plain fields only)."""
    return bool(user.incident_reviewer)


@dataclass
class Export:
    definition: FormDefinition
    columns: list[dict]
    query: object
    rows: int
    unit: Unit
    period: Period | None
    status: str | None
    with_text: bool
    unit_names: dict[str, str]
    parents: dict[int, str]

    @property
    def is_entry(self) -> bool:
        return self.definition.parent_form is not None

    @property
    def has_timeline(self) -> bool:
        return entry_form_of(self.definition.form)

    @property
    def headers(self) -> list[str]:
        meta = META_HEADERS[:1] + [PARENT_HEADER] + META_HEADERS[1:] if self.is_entry \
            else META_HEADERS
        state = []
        if self.has_timeline:
            state = CASE_STATE_HEADERS if self.definition.form == CASE_FORM \
                else GROUP_STATE_HEADERS
        return meta + [c["label"] for c in self.columns] + state

    def filename(self, fmt: str) -> str:
        period = self.period.key if self.period and self.period.key != "year" else (
            str(self.period.year) if self.period else "tat-ca")
        return f"cslp_{self.definition.form}_{self.unit.code}_{period}.{fmt}"

    def records(self) -> Iterator[list]:
        """One list of values per record, oldest first; date cells stay dates."""
        for row in db.session.execute(self.query.execution_options(yield_per=BATCH)):
            # A case's details are sealed; they are opened only for the columns she may see.
            answers = open_answers(row, row.uuid) if row.sealed is not None else row.answers or {}
            meta = [str(row.uuid), row.unit_code, row.unit_name,
                    self.parents.get(row.parent_id, ""), row.record_date, row.period,
                    STATUS_LABELS.get(row.status, row.status), row.author, row.revision,
                    row.updated_at.replace(tzinfo=None) if row.updated_at else None]
            if self.is_entry:
                meta.insert(1, str(row.parent_uuid) if row.parent_uuid else None)
            values = meta + [self._value(c, answers.get(c["name"])) for c in self.columns]
            yield values + (self._state(row) if self.has_timeline else [])

    def _state(self, row) -> list:
        """The derived state of a case or group, from its plain columns and its entries'."""
        record = {"uuid": str(row.uuid), "form": self.definition.form, "status": row.status,
                  "record_date": row.record_date.isoformat(), "created_at": "",
                  "unit": {"code": row.unit_code}, "author": row.author,
                  "author_name": row.author, "answers": row.answers or {}}
        entries = entries_of(row.uuid)
        state = derive_state(record, [plain_view(e) for e in entries],
                             local_today().isoformat())
        holder = state["holder_unit"]
        if self.definition.form == CASE_FORM:
            reached = any_service_reached(_Plain(row.answers), entries)
            return [self._choice({"choices": "case_status"}, state["status"]),
                    "Có" if reached else "Không",
                    _day(state["last_entry_date"]), _day(state["next_followup_date"]),
                    f"{holder} {self.unit_names.get(holder, '')}".strip(), state["entries"]]
        return [self._choice({"choices": "model_status"}, state["status"])
                if state["status"] else None, _day(state["last_meeting_date"]),
                state["meetings_total"], state["members_total"], state["entries"]]

    def _value(self, column: dict, value):
        spec = column["spec"]
        if value is None or value == "" or value == []:
            return None
        kind = spec["type"]
        if kind == "select_one":
            return self._choice(spec, value)
        if kind == "select_multiple":
            return "; ".join(self._choice(spec, v) for v in value)
        if kind == "yes_no":
            return "Có" if value is True else "Không" if value is False else str(value)
        if kind == "date":
            try:
                return date.fromisoformat(value)
            except (TypeError, ValueError):
                return str(value)
        if kind == "unit":
            return f"{value} {self.unit_names.get(value, '')}".strip()
        if kind == "photo":
            return len(value)
        if kind == "repeat":
            return " | ".join(self._row(spec, i, row) for i, row in enumerate(value, 1))
        return value

    def _row(self, spec: dict, index: int, row: dict) -> str:
        parts = []
        for sub in spec["fields"]:
            if sub["type"] in TEXT_TYPES and not self.with_text:
                continue
            value = self._value({"spec": sub}, row.get(sub["name"]))
            if value is not None:
                if isinstance(value, date):
                    value = value.strftime("%d/%m/%Y")
                parts.append(f"{sub['label']['vi']}: {value}")
        return f"{index}. " + "; ".join(parts)

    def _choice(self, spec: dict, value) -> str:
        for choice in self.definition.data["choice_lists"][spec["choices"]]["choices"]:
            if choice["value"] == value:
                return choice["label"]["vi"]
        return str(value)


@dataclass
class _Plain:
    """What any_service_reached reads of a record: its plain answers."""

    answers: dict | None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def prepare_export(*, actor: User, form: str, fmt: str, unit_code: str | None,
                   period_text: str | None, status: str | None, union_cutoff: bool,
                   now: datetime) -> Export:
    """Check the request, count the rows, log a case export, and return what streams."""
    if actor.role not in REVIEWER_ROLES:
        raise Problem("report.not_allowed", say("report.export_supervisors"))
    definition = next((d for d in registry().current() if d.form == form), None)
    if definition is None:
        raise Problem("form.not_found")
    period = parse_export_period(period_text, union_cutoff=union_cutoff)
    code = unit_code or actor.unit.code
    versions = list(db.session.scalars(select(Unit).where(Unit.code == code)))
    if not versions:
        raise Problem("unit.not_found", say("unit.no_such_code", code=code))
    if not all(actor.unit.contains(u) for u in versions):
        raise Problem("report.not_allowed")
    unit = find_version(code, period.end) if period else None
    unit = unit or find_version(code)
    with_text = not definition.sensitive or privileged(actor)
    plain = set(definition.data.get("plain_fields", []))
    details = not definition.sensitive or reads_details(actor)
    columns = [{"name": f["name"], "label": f["label"]["vi"], "spec": f}
               for f in definition.data["fields"]
               if (with_text or f["type"] not in TEXT_TYPES)
               and (details or f["name"] in plain)]

    conditions = [Submission.form == form, in_subtree(versions, Submission.unit_id)]
    if period:
        conditions.append(Submission.record_date.between(period.start, period.end))
    if status:
        conditions.append(Submission.status == status)
    rows = db.session.scalar(select(func.count()).select_from(Submission).where(*conditions))
    query = (select(Submission.uuid, Submission.record_date, Submission.period,
                    Submission.status, Submission.revision, Submission.updated_at,
                    Submission.answers, Submission.sealed, Submission.key_id,
                    Submission.parent_uuid, Unit.code.label("unit_code"),
                    Unit.name.label("unit_name"), Unit.parent_id,
                    User.display_name.label("author"))
             .join(Unit, Unit.id == Submission.unit_id)
             .join(User, User.id == Submission.author_id)
             .where(*conditions).order_by(Submission.record_date, Submission.uuid))
    names = dict(db.session.execute(select(Unit.code, Unit.name).order_by(Unit.valid_from)).all())
    parents = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    if definition.sensitive:
        log_access(actor, None, "export")
        db.session.add(ExportLog(
            user_id=actor.id, form=form, format=fmt, unit_id=unit.id, privileged=with_text,
            rows=rows, created_at=now,
            filters={"unit": code, "period": period_text, "status": status,
                     "union_cutoff": union_cutoff}))
        db.session.flush()
    return Export(definition, columns, query, rows, unit, period, status, with_text, names,
                  parents)


def writable(text: str) -> str:
    """The text with what XML 1.0 cannot hold (and UTF-8 cannot encode) replaced by U+FFFD.
    Input refuses these (problems.BAD_TEXT); a record stored before that rule, or put
    in the database by hand, is exported with a visible mark instead of failing the
    whole export."""
    return BAD_TEXT.sub("\ufffd", text)


def csv_chunks(export: Export) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so Excel and LibreOffice read Vietnamese right.

    CSV has no cell types, so a text that would start a formula gets a leading "'", as
    OWASP advises (the apostrophe shows; the value cannot run). Every text cell is quoted
    (QUOTE_NONNUMERIC): a spreadsheet that splits on ";" (the list separator of a
    Vietnamese Windows) must not cut "a;=1+2" into a cell that starts with "=". Numbers
    stay bare, and a spreadsheet still reads quoted ISO dates as dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)
    buffer.write("\ufeff")
    writer.writerow([_csv(h) for h in export.headers])
    for n, values in enumerate(export.records(), 1):
        writer.writerow([_csv(v) for v in values])
        if n % BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _csv(value):
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        value = writable(value)
        return "'" + value if value.startswith(FORMULA_START) else value
    return "" if value is None else value


def _xlsx_row(sheet, values) -> list:
    """The cells of one row. Text is always an explicit string cell: openpyxl would
    store a str that starts with "=" as a formula (an <f> element). A text that would
    start a formula also gets the quotePrefix style, Excel's own mark for a value typed
    with a leading apostrophe: it reads back exactly as she typed it and stays text
    even when someone edits the cell. Numbers and dates keep their types."""
    row = []
    for value in values:
        if isinstance(value, str):
            text = writable(value)
            cell = WriteOnlyCell(sheet, value=text)
            cell.data_type = "s"
            if text.startswith(FORMULA_START):
                cell.quotePrefix = True
            row.append(cell)
        elif isinstance(value, date) and not isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = "DD/MM/YYYY"
            row.append(cell)
        else:
            row.append(value)
    return row


def xlsx_file(export: Export, *, actor: User, now: datetime):
    """The workbook in a temporary file (rows on disk as they are written), rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Phiếu")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = _xlsx_row(sheet, export.headers)
    for cell in header:
        cell.font = bold
    sheet.append(header)
    count = 0
    for values in export.records():
        sheet.append(_xlsx_row(sheet, values))
        count += 1
    last = get_column_letter(len(export.headers))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    about = workbook.create_sheet("Bộ lọc")
    period = export.period.label if export.period else "Tất cả"
    for key, value in [
        ("Biểu mẫu", export.definition.data["title"]["vi"]),
        ("Đơn vị", f"{export.unit.code} {export.unit.name} (và các đơn vị trực thuộc)"),
        ("Kỳ", period), ("Trạng thái", STATUS_LABELS.get(export.status, "Tất cả")),
        ("Số phiếu", count),
        ("Nội dung tự do của vụ việc", "Có" if export.with_text else "Đã lược bỏ"),
        ("Người xuất", actor.display_name),
        ("Thời điểm xuất (UTC)", now.replace(tzinfo=None, microsecond=0)),
    ]:
        about.append(_xlsx_row(about, [key, value]))
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(spool, size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()
