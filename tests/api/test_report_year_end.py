"""The year-end .docx read back with python-docx: the plan's headings, the figures of the
hand-worked fixture (on the union's year, 15/12/2023 to 14/12/2024), the targets table and
the units that missed the monthly Law Day activity."""

import io

import pytest
from docx import Document

from cslp_forms.services.reports.year_end import ITEMS
from tests.api import report_fixture
from tests.api.test_report_targets import seed_plan
from tests.conftest import assert_problem


@pytest.fixture
def records(app, login):
    seed_plan(app)
    return report_fixture.build(login)


def read(res):
    assert res.status_code == 200, res.get_data(as_text=True)[:300]
    assert res.mimetype.endswith("wordprocessingml.document")
    return Document(io.BytesIO(res.get_data()))


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def tables(document) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def test_province_report_follows_the_plan_and_has_the_figures(records, login):
    res = login("admin.tinh").get("/api/reports/year-end?unit=94&year=2024")
    assert 'filename="bao_cao_cslp_2024_94.docx"' in res.headers["Content-Disposition"]
    document = read(res)
    lines = texts(document)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ITEMS
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"][:3] == [
        "I. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG CỦA KẾ HOẠCH",
        "II. CHỈ TIÊU KẾ HOẠCH VÀ KẾT QUẢ THỰC HIỆN",
        "III. ĐƠN VỊ CHƯA ĐẠT YÊU CẦU HOẠT ĐỘNG HƯỞNG ỨNG NGÀY PHÁP LUẬT HẰNG THÁNG"]
    assert "Kết quả thực hiện công tác Chính sách – Luật pháp năm 2024" in lines
    body = "\n".join(lines)
    assert "từ ngày 15/12/2023 đến ngày 14/12/2024" in body
    assert ("Tổ chức 2 cuộc giám sát (chủ trì 1, phối hợp 1); nêu 5 kiến nghị, 3 kiến nghị "
            "được tiếp thu, giải quyết.") in lines
    assert ("Đã giám sát 2/4 địa bàn theo kế hoạch, đạt 50% chỉ tiêu (4): Huyện Cù Lao Dung "
            "(945): đã giám sát; Xã An Thạnh 2 (31630): chưa có; Huyện Châu Thành (942): chưa "
            "có; Xã Thiện Mỹ (31585): đã giám sát.") in lines
    assert ("Tổ chức 4 cuộc tuyên truyền, phổ biến, giáo dục pháp luật với 110 lượt người "
            "(nữ 83, nam 17, người dân tộc thiểu số 10).") in lines
    assert ("Phát hiện, hỗ trợ 3 phụ nữ, trẻ em gái bị bạo lực gia đình; 2 người đã tiếp cận "
            "ít nhất một dịch vụ trợ giúp xã hội (66,7%, chỉ tiêu 100%).") in lines
    assert "Tư vấn pháp luật 12 lượt; tham gia hòa giải 3 vụ, hòa giải thành 2 vụ." in lines
    # A15 (20/12/2023) belongs to the union's 2024.
    assert any(line.startswith("Tổ chức 2 hoạt động hưởng ứng Ngày Pháp luật (9/11). Yêu "
                               "cầu mỗi đơn vị ít nhất 1 hoạt động mỗi tháng: đạt 2/1.440")
               for line in lines)
    letterhead, targets, missed, _signature = tables(document)
    assert letterhead[0][0].strip().startswith("HỘI LHPN TỈNH SÓC TRĂNG")
    assert targets[0] == ["STT", "Chỉ tiêu", "Kế hoạch", "Thực hiện", "Tỷ lệ", "Ghi chú"]
    rows = {r[1][:3]: r for r in targets[1:]}
    assert rows["K03"][2:5] == ["4", "2", "50%"]
    assert rows["K07"][2:5] == ["3", "1", "33,3%"]
    assert rows["K08"][2:5] == ["100%", "66,7%", "66,7%"]
    assert rows["K14"][3] == "Chưa có số liệu"
    assert len(missed) == 121
    an_thanh_2 = next(r for r in missed if r[1] == "Xã An Thạnh 2")
    assert an_thanh_2[2:] == ["Huyện Cù Lao Dung", ", ".join(f"{m}/2024" for m in range(2, 12))]


def test_commune_report_hides_small_case_counts(records, login):
    document = read(login("admin.tinh").get("/api/reports/year-end?unit=31630&year=2024"))
    lines = texts(document)
    assert ("Phát hiện, hỗ trợ <5 phụ nữ, trẻ em gái bị bạo lực gia đình; <5 người đã tiếp "
            "cận ít nhất một dịch vụ trợ giúp xã hội.") in lines
    assert tables(document)[0][0][0].strip().startswith("HỘI LHPN XÃ AN THẠNH 2")
    assert not any("GHI-CHU-MAT" in line for line in lines)


def test_year_end_needs_a_reviewer_in_scope(login):
    assert_problem(login("canbo.anthanh2").get("/api/reports/year-end?year=2024"), 403,
                   "report.not_allowed")
    assert_problem(login("giamsat.culaodung").get("/api/reports/year-end?unit=942&year=2024"),
                   403, "report.not_allowed")
    assert_problem(login("giamsat.culaodung").get("/api/reports/year-end"), 400,
                   "request.invalid")


def test_the_report_says_when_it_was_made_in_local_time(records, login, monkeypatch):
    from datetime import UTC, datetime

    import cslp_forms.reports.views as report_views

    # 19:30 UTC on 2 January is 02:30 on 3 January in Sóc Trăng.
    monkeypatch.setattr(report_views, "utcnow", lambda: datetime(2025, 1, 2, 19, 30, tzinfo=UTC))
    lines = texts(read(login("admin.tinh").get("/api/reports/year-end?unit=94&year=2024")))
    [line] = [x for x in lines if "lập lúc" in x]
    assert "lập lúc 02:30 ngày 03/01/2025." in line and "UTC" not in line, line
