"""Issue 16.2: a training day's accounts from the union's own sheet (.xlsx or .csv), with a
per-row preview in Vietnamese, idempotent re-import, and bad sheets handled."""

import io
import time

import pytest
from openpyxl import Workbook

from cslp_forms.extensions import db
from cslp_forms.models import User
from tests.conftest import assert_problem

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Họ tên", "Số điện thoại", "Đơn vị", "Vai trò"]
GOOD = [
    ["Nguyễn Thị Lan", "0912345601", "31633", "Cán bộ"],
    ["Trần Thị Mai", "0912 345 602", "An Thạnh 3", "cán bộ"],      # unit by name
    ["Lê Thị Hoa", 912345603, "Xã An Thạnh 2", ""],                # leading zero eaten
    ["Phạm Thị Cúc", "+84912345604", "945", "Giám sát"],
]


def xlsx(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_body(rows, header=HEADER, sep=",") -> bytes:
    lines = [sep.join(header)] + [sep.join(str(c) for c in row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines)).encode()


def send(session, body, *, dry_run=False, content_type=XLSX):
    url = "/api/users/import" + ("?dry_run=true" if dry_run else "")
    return session.post(url, data=body, content_type=content_type)


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(User.id)))


def test_preview_then_import_then_again(app, login):
    admin = login("admin.tinh")
    sheet = xlsx([*GOOD, ["Võ Thị Sen", "0912345605", "Xã Không Có", "cán bộ"]])
    before = count_users(app)

    res = send(admin, sheet, dry_run=True)
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    assert [(r["row"], r["status"]) for r in body["rows"]] == [
        (2, "new"), (3, "new"), (4, "new"), (5, "new"), (6, "error")]
    assert body["rows"][5 - 1]["errors"] == [
        "Không có đơn vị “Xã Không Có” (mã hoặc tên) đang hoạt động."]
    assert body["rows"][1]["unit"] == "31633" and body["rows"][2]["username"] == "0912345603"
    assert body["summary"] == {"new": 4, "created": 0, "unchanged": 0, "error": 1}
    assert count_users(app) == before and "sign_in_code" not in str(body)

    body = send(admin, sheet).get_json()
    assert [r["status"] for r in body["rows"]] == ["created"] * 4 + ["error"]
    assert count_users(app) == before + 4
    code = body["rows"][0]["sign_in_code"]["code"]
    res = app.test_client().post("/api/auth/login", json={"username": "0912345601",
                                                          "code": code})
    assert res.status_code == 200 and res.get_json()["must_change_password"] is True
    assert res.get_json()["unit"]["code"] == "31633"

    # The same sheet again, its bad row fixed: only that row is new.
    fixed = xlsx([*GOOD, ["Võ Thị Sen", "0912345605", "31630", "cán bộ"]])
    body = send(admin, fixed).get_json()
    assert [r["status"] for r in body["rows"]] == ["unchanged"] * 4 + ["created"]
    assert count_users(app) == before + 5
    audit = admin.get("/api/audit/accounts").get_json()["entries"]
    assert sum(e["change"] == "created" for e in audit) == 5


def test_csv_with_semicolons_works_the_same(app, login):
    admin = login("admin.tinh")
    body = send(admin, csv_body(GOOD, sep=";"), content_type="text/csv").get_json()
    assert [r["status"] for r in body["rows"]] == ["created"] * 4


def test_each_bad_row_says_what_is_wrong(app, login):
    admin = login("admin.tinh")
    admin.patch("/api/users/canbo.thienmy", json={"phone": "0912345699"})
    admin.patch("/api/users/canbo.anthanh2", json={"phone": "0912345698"})
    rows = [
        ["Nguyễn Thị Lan", "0912345601", "31633", "cán bộ"],
        ["Trùng Số", "0912345601", "31633", "cán bộ"],              # phone repeated
        ["", "12345", "", "trưởng ban"],                             # everything wrong
        ["Khác Đơn Vị", "0912345698", "31633", "cán bộ"],            # phone of another
        ["Cấp Tỉnh", "0912345610", "94", "cán bộ"],                  # officer at province
        ["Công Thức", "=HYPERLINK(\"http://x\")", "31633", "cán bộ"],  # a formula
        ["Châu Thành", "0912345611", "Châu Thành", "cán bộ"],        # ambiguous name
        ["Thiên Mỹ", "0912345699", "31585", "cán bộ"],               # already there
    ]
    body = send(admin, xlsx(rows), dry_run=True).get_json()
    got = {r["row"]: (r["status"], r["errors"]) for r in body["rows"]}
    assert got[2] == ("new", [])
    assert got[3] == ("error", ["Số điện thoại 0912345601 trùng với dòng 2."])
    assert got[4][1] == [
        "Thiếu họ tên.",
        "Số điện thoại “12345” không đúng: số di động gồm 10 chữ số, bắt đầu bằng 0.",
        "Vai trò “trưởng ban” không có: ghi cán bộ, giám sát hoặc quản trị.",
        "Thiếu đơn vị."]
    assert got[5][1] == ["Số điện thoại 0912345698 đã có tài khoản canbo.anthanh2 (Xã An "
                         "Thạnh 2, cán bộ) khác dòng này; hãy sửa trên màn hình Tài khoản."]
    assert got[6][1] == ["Vai trò cán bộ không gắn được với Tỉnh Sóc Trăng (cấp province)."]
    assert got[7][1] == ["Ô “số điện thoại” có công thức; hãy dán giá trị (Paste Values) "
                         "thay cho công thức."]
    assert got[8][1][0].startswith("Tên đơn vị “Châu Thành” trùng nhiều nơi")
    assert got[9] == ("unchanged", [])


def test_a_title_above_the_header_and_an_empty_first_column(app, login):
    """As the union's lists look: a title, a date, then STT | Họ và tên | SĐT | …, with
    the STT column left empty on some rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(["DANH SÁCH CÁN BỘ TẬP HUẤN"])
    sheet.append(["Ngày 09/11/2026"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "SĐT", "Mã đơn vị", "Chức vụ"])
    sheet.append([None, "Nguyễn Thị Lan", "0912345601", "31633", "Cán bộ"])
    sheet.append([2, "Trần Thị Mai", "0912345602", "31630", "Cán bộ"])
    out = io.BytesIO()
    book.save(out)
    body = send(login("admin.tinh"), out.getvalue(), dry_run=True).get_json()
    assert [(r["row"], r["status"]) for r in body["rows"]] == [(5, "new"), (6, "new")]


def test_a_district_admin_imports_only_into_her_district(app, login):
    from cslp_forms.services.users import create_user

    with app.app_context():
        create_user(username="admin.cld", display_name="QT CLĐ", password="lua-chin-vang-1x",
                    role="admin", unit_code="945")
        db.session.commit()
    login("admin.tinh").patch("/api/users/canbo.thienmy", json={"phone": "0912345699"})
    admin = login("admin.cld", "lua-chin-vang-1x")
    body = send(admin, xlsx([["A", "0912345601", "31633", "cán bộ"],
                             ["B", "0912345602", "31585", "cán bộ"],
                             ["C", "0912345699", "31633", "cán bộ"]]), dry_run=True).get_json()
    assert [r["status"] for r in body["rows"]] == ["new", "error", "error"]
    assert "ngoài phạm vi" in body["rows"][1]["errors"][0]
    # Another district's account is not named to her.
    assert body["rows"][2]["errors"] == ["Số điện thoại 0912345699 đã có tài khoản ở đơn vị "
                                         "ngoài phạm vi của bạn; hãy liên hệ Hội tỉnh."]
    assert_problem(send(login("giamsat.culaodung"), xlsx(GOOD)), 403, "auth.forbidden")


@pytest.mark.parametrize("body, content_type, code", [
    (xlsx(GOOD, header=["Họ tên", "Đơn vị", "Vai trò"]), XLSX, "import.missing_columns"),
    (b"\x89PNG\r\n\x1a\n not a sheet", "image/png", "import.unreadable"),
    (b"PK\x03\x04 a broken zip", XLSX, "import.unreadable"),
    ("Họ tên,Số điện thoại\n".encode("utf-16"), "text/csv", "import.unreadable"),
    (b"", "text/csv", "import.unreadable"),
])
def test_sheets_that_cannot_be_read_are_400(login, body, content_type, code):
    res = send(login("admin.tinh"), body, content_type=content_type)
    problem = assert_problem(res, 400, code)
    if code == "import.missing_columns":
        assert "số điện thoại" in problem["detail"]


def test_a_zip_bomb_is_not_unpacked(login):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (65 * 1024 * 1024))
    assert len(out.getvalue()) < 200_000
    assert_problem(send(login("admin.tinh"), out.getvalue()), 400, "import.unreadable")


def test_the_same_people_created_meanwhile_is_409_not_500(app, login, monkeypatch):
    """Two administrators importing one sheet at once: the second one's rows collide."""
    from cslp_forms.services import users as user_service

    real = user_service.issue_sign_in_code

    def meanwhile(user, **kw):
        if user.phone == "0912345602":  # someone else creates her after our checks
            db.session.add(User(username="0912345602", display_name="X", role="officer",
                                unit=user.unit, phone=None, active=True,
                                password_hash="!none:x"))
        return real(user, **kw)

    monkeypatch.setattr(user_service, "issue_sign_in_code", meanwhile)
    before = count_users(app)
    assert_problem(send(login("admin.tinh"), xlsx(GOOD)), 409, "import.conflict")
    assert count_users(app) == before


def test_more_rows_than_allowed_is_413(app, login):
    app.config["IMPORT_MAX_ROWS"] = 5
    rows = [[f"Người {i}", f"09123456{i:02d}", "31633", "cán bộ"] for i in range(6)]
    assert_problem(send(login("admin.tinh"), xlsx(rows), dry_run=True), 413,
                   "import.too_many_rows")


def test_ten_thousand_rows_in_reasonable_time(app, login):
    """Issue 16.6: a 10,000-row sheet. The figure is in the README (Accounts)."""
    units = ["31630", "31633", "31585", "31569"]
    rows = [[f"Cán bộ {i}", f"09{i:08d}", units[i % 4], "cán bộ"] for i in range(10000)]
    sheet = xlsx(rows)
    admin = login("admin.tinh")
    start = time.perf_counter()
    body = send(admin, sheet, dry_run=True).get_json()
    dry = time.perf_counter() - start
    assert body["summary"]["new"] == 10000
    start = time.perf_counter()
    body = send(admin, sheet).get_json()
    real = time.perf_counter() - start
    assert body["summary"]["created"] == 10000
    print(f"\n10,000 rows: dry run {dry:.1f} s, import {real:.1f} s")
    assert dry < 60 and real < 120
    start = time.perf_counter()
    body = send(admin, sheet).get_json()
    assert body["summary"]["unchanged"] == 10000
    print(f"10,000 rows again (all unchanged): {time.perf_counter() - start:.1f} s")
