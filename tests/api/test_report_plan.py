"""The year's plan as a whole (issue 16, item 4): copy last year's, and the plan as an
Excel sheet downloaded, filled in and uploaded back."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.api.test_report_targets import seed_plan
from tests.conftest import assert_problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def targets_of(session, year, unit="94") -> dict:
    body = session.get(f"/api/reports/targets?unit={unit}&year={year}").get_json()
    return {t["indicator"]: (t["basis"], t["value"], t["detail"].get("places"))
            for t in body["targets"]}


def test_copying_the_2024_plan_starts_2026_and_keeps_what_was_set(app, login):
    seed_plan(app)
    admin = login("admin.tinh")
    assert admin.put("/api/reports/targets/2026/94/K07", json={"value": 9}).status_code == 200
    res = admin.post("/api/reports/targets/copy", json={"from_year": 2024, "to_year": 2026})
    assert res.status_code == 200, res.get_json()
    assert res.get_json()["kept"] == ["K07"] and "K03" in res.get_json()["created"]
    old, new = targets_of(admin, 2024), targets_of(admin, 2026)
    assert new.pop("K07") == ("count", 9.0, None)
    assert new == {k: v for k, v in old.items() if k != "K07"}
    assert new["K03"] == ("count", 4.0, ["945", "31630", "942", "31585"])
    again = admin.post("/api/reports/targets/copy", json={"from_year": 2024, "to_year": 2026})
    assert again.get_json()["created"] == []
    # The 2026 dashboard reads them.
    ind = admin.get("/api/reports/indicators?unit=94&year=2026").get_json()
    k07 = next(i for i in ind["indicators"] if i["code"] == "K07")
    assert k07["target"] == 9


def test_copy_refusals(app, login):
    seed_plan(app)
    admin = login("admin.tinh")
    assert_problem(admin.post("/api/reports/targets/copy",
                              json={"from_year": 2019, "to_year": 2026}), 404,
                   "report.target_not_found")
    body = assert_problem(admin.post("/api/reports/targets/copy",
                                     json={"from_year": 2024, "to_year": 2024}), 400,
                          "request.invalid")
    assert body["errors"][0]["field"] == "to_year"
    assert_problem(admin.post("/api/reports/targets/copy", json={"from_year": "2024",
                                                                 "to_year": 2026}),
                   400, "request.invalid")
    assert_problem(login("giamsat.tinh").post("/api/reports/targets/copy", json={
        "from_year": 2024, "to_year": 2026}), 403, "report.not_allowed")


def _sheet(rows, header=None) -> bytes:
    from cslp_forms.services.reports.plan import HEADERS, SHEET

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(header or HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_sheet_round_trips_and_an_unchanged_upload_changes_nothing(app, login):
    seed_plan(app)
    admin = login("admin.tinh")
    res = admin.get("/api/reports/targets/2024.xlsx")
    assert res.status_code == 200 and res.mimetype == XLSX
    sheet = load_workbook(io.BytesIO(res.data))["Chỉ tiêu"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 14 and rows["K03"][3] == 4 and rows["K03"][4] == "945, 31630, 942, 31585"
    assert rows["K01"][3] is None  # not set in the 2024 plan
    same = admin.post("/api/reports/targets/2024/import", data=res.data, content_type=XLSX)
    assert same.status_code == 200, same.get_json()
    assert same.get_json()["counts"] == {"created": 0, "changed": 0, "unchanged": 8,
                                         "empty": 6, "error": 0}


def test_an_uploaded_plan_is_checked_row_by_row_and_a_dry_run_changes_nothing(app, login):
    admin = login("admin.tinh")
    data = _sheet([
        ["K01", "", "Số lượng", 120, "", "Mỗi huyện 10 cuộc"],
        ["K03", "", "", 3, "945, 31630", ""],
        ["K08", "", "Tỷ lệ %", 150, "", ""],         # over 100 %
        ["K99", "", "", 1, "", ""],                   # no such indicator
        ["K04", "", "", 2, "99999", ""],              # no such unit; and not K03
        ["K05", "", "", "=1+1", "", ""],              # a formula
        ["K06", "", "", "mười", "", ""],              # not a number
        ["K07", "", "", None, "", ""],                # left empty
    ])
    dry = admin.post("/api/reports/targets/2026/import?dry_run=true", data=data,
                     content_type=XLSX)
    assert dry.status_code == 200, dry.get_json()
    body = dry.get_json()
    status = {r["row"]: (r["indicator"], r["status"]) for r in body["rows"]}
    assert status == {2: ("K01", "created"), 3: ("K03", "created"), 4: (None, "error"),
                      5: (None, "error"), 6: (None, "error"), 7: (None, "error"),
                      8: (None, "error"), 9: ("K07", "empty")}
    messages = {r["row"]: [e["message"] for e in r["errors"]] for r in body["rows"]}
    assert messages[4] == ["Tối đa 100%."]
    assert messages[5] == ["Không có chỉ tiêu mã K99."]
    assert "Không có đơn vị mã 99999 trong năm này." in messages[6]
    assert "công thức" in messages[7][0]
    assert targets_of(admin, 2026) == {}
    done = admin.post("/api/reports/targets/2026/import", data=data, content_type=XLSX)
    assert done.get_json()["counts"]["created"] == 2
    assert targets_of(admin, 2026) == {"K01": ("count", 120.0, None),
                                       "K03": ("count", 3.0, ["945", "31630"])}


@pytest.mark.parametrize("body, detail", [
    (b"not a spreadsheet", "không phải bảng tính"),
    (None, "Dòng đầu của bảng"),
])
def test_a_wrong_file_is_a_clear_problem(app, login, body, detail):
    data = body if body is not None else _sheet([["K01", 1]], header=["Mã", "Số"])
    res = login("admin.tinh").post("/api/reports/targets/2026/import", data=data,
                                   content_type=XLSX)
    assert detail in assert_problem(res, 400, "request.invalid")["detail"]


def test_only_administrators_upload_and_only_in_their_subtree(app, login):
    data = _sheet([["K01", "", "", 5, "", ""]])
    assert_problem(login("giamsat.culaodung").post("/api/reports/targets/2026/import",
                                                   data=data, content_type=XLSX),
                   403, "report.not_allowed")
    assert_problem(login("canbo.anthanh2").get("/api/reports/targets/2026.xlsx"), 403,
                   "report.not_allowed")
