"""The dashboard in a real browser at 360×640: the administrator sees the plan's targets
against actuals, changes a target, drills down province → district → commune → a record,
downloads an XLSX export, and offline still sees the last figures with their date."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from cslp_forms.extensions import db
from cslp_forms.services.reports import targets as target_service
from tests.api import report_fixture
from tests.conftest import PASSWORD, Session
from tests.e2e.conftest import OFFLINE, sign_in, wait_for_worker

pytestmark = pytest.mark.e2e


def seed_records(app) -> dict[str, str]:
    with app.app_context():
        target_service.load_targets_file(target_service.PLAN_2024)
        db.session.commit()

    def login(username):
        client = app.test_client()
        res = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        return Session(client, res.get_json()["csrf_token"], res.get_json())

    return report_fixture.build(login)


def bar_fractions(page) -> dict[str, float]:
    """Each drawn bar's fill as a fraction of its track, measured in pixels, by label."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.bar')]
      .filter((b) => b.getBoundingClientRect().width > 0)
      .map((b) => [b.getAttribute('aria-label'),
        [b.querySelector('span').getBoundingClientRect().width, b.getBoundingClientRect().width,
         Number(b.getAttribute('aria-valuenow'))]]))""")


def assert_bars_drawn_as_their_figures(page, expected: dict[str, float]):
    """Every bar is as wide as the figure it says (within 3 px), and those named are the
    fraction of their track the figures on screen give."""
    bars = bar_fractions(page)
    assert bars, "no bar drawn"
    for label, (fill, track, now) in bars.items():
        assert abs(fill - track * now / 100) <= 3, (label, fill, track, now)
    for label, fraction in expected.items():
        fill, track, _ = bars[label]
        assert abs(fill - track * fraction) <= 3, (label, fill, track, fraction)


@pytest.mark.page_errors(OFFLINE)
def test_plan_against_actuals_drill_down_export_and_offline(page, context, live_server):
    uuids = seed_records(live_server.app)
    page.goto(live_server)
    sign_in(page, "admin.tinh")
    wait_for_worker(page)
    page.click("#open-dashboard")
    expect(page.locator("#dashboard-period")).to_contain_text(f"Năm {date.today().year}")
    page.select_option("#dash-year", "2024")
    expect(page.locator("#dashboard-period")).to_contain_text("Năm 2024")
    expect(page.locator("#fig-K01")).to_have_text("4")
    expect(page.locator("#fig-K03")).to_have_text("2 / 4")
    expect(page.locator("#fig-K08")).to_have_text("66,7% / 100%")
    expect(page.locator("#fig-K14")).to_have_text("Chưa có số liệu")
    assert_bars_drawn_as_their_figures(page, {"K03 50%": 2 / 4})

    page.click("#ind-K07 summary")
    page.click("#edit-target-K07")
    page.fill("#target-K07", "4")
    page.click("#save-target-K07")
    expect(page.locator("#fig-K07")).to_have_text("1 / 4")
    assert_bars_drawn_as_their_figures(page, {"K07 25%": 1 / 4, "K03 50%": 2 / 4})

    page.click("#ind-K01 summary")
    page.click("#by-unit-K01")
    expect(page.locator('#units-table tr[data-unit="945"] td').first).to_have_text("3")
    assert_bars_drawn_as_their_figures(page, {})
    page.click('#units-table tr[data-unit="945"] a')
    expect(page.locator("#dashboard-path")).to_contain_text("Tỉnh Sóc Trăng › Huyện Cù Lao Dung")
    expect(page.locator("#fig-K01")).to_have_text("3")
    page.click('#units-table tr[data-unit="31630"] a')
    expect(page.locator("#dashboard-path strong")).to_have_text("Xã An Thạnh 2")
    expect(page.locator("#records-list a.record")).to_have_count(2)
    with page.expect_download() as download:
        page.select_option("#export-form", "activity")
        page.click("#export-xlsx")
    with open(download.value.path(), "rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()))
    rows = list(book["Phiếu"].iter_rows(values_only=True))
    # A1 A2 A3 A9 A10 A12, and A15 (20/12/2023): the union's 2024 starts on 15/12/2023
    assert rows[0][0] == "Mã phiếu" and len(rows) == 1 + 7
    page.click(f'#records-list a[data-uuid="{uuids["A1"]}"]')
    expect(page.locator("#review-answers")).to_contain_text("pbgdpl 2024-11-09")

    page.goto(f"{live_server}/#/dashboard?unit=94&year=2024")
    expect(page.locator("#dashboard-fresh")).to_be_visible()
    context.set_offline(True)
    page.reload()
    expect(page.locator("#dashboard-stale")).to_contain_text("Mất mạng: đang xem số liệu đã tải")
    expect(page.locator("#fig-K07")).to_have_text("1 / 4")
    expect(page.locator("#dashboard-downloads")).to_have_count(0)
    page.goto(f"{live_server}/#/dashboard?unit=942&year=2024")
    expect(page.locator("#dashboard-offline")).to_be_visible()
    context.set_offline(False)


def test_dashboard_has_no_serious_accessibility_violations(page, live_server):
    from tests.e2e.test_accessibility import serious

    seed_records(live_server.app)
    page.goto(live_server)
    sign_in(page, "giamsat.culaodung")
    page.click("#open-dashboard")
    page.select_option("#dash-year", "2024")
    expect(page.locator("#fig-K01")).to_have_text("3")
    page.click("#ind-K08 summary")
    page.click("#by-unit-K08")
    expect(page.locator('#units-table tr[data-unit="31630"] td').first).to_contain_text("<5")
    assert serious(page) == []


def test_opens_on_this_year_counts_as_the_word_report_and_ignores_stale_taps(page, live_server):
    from docx import Document

    seed_records(live_server.app)
    page.goto(live_server)
    sign_in(page, "admin.tinh")
    page.click("#open-dashboard")
    expect(page.locator("#dashboard-period")).to_contain_text(f"Năm {date.today().year}")
    expect(page.locator("#dash-cutoff")).to_be_checked()  # the union's months, as the report
    held = []
    page.route("**/api/reports/indicators*", lambda route: held.append(route))
    page.select_option("#dash-year", "2024")
    expect(page.locator("#dashboard-loading")).to_be_visible()
    assert page.evaluate("document.getElementById('dash-pending').closest('[inert]') !== null")
    page.locator("#dash-pending").click(force=True)  # a tick on the stale controls: ignored
    page.wait_for_timeout(300)
    assert len(held) == 1 and "year=2024" in page.url and "pending" not in page.url
    held[0].continue_()
    page.unroute("**/api/reports/indicators*")
    expect(page.locator("#dashboard-period")).to_contain_text("Năm 2024")
    expect(page.locator("#dashboard-loading")).to_have_count(0)
    expect(page.locator("#dash-pending")).not_to_be_checked()
    figure = page.locator("#fig-K01").inner_text()
    res = page.request.get(f"{live_server}/api/reports/year-end?unit=94&year=2024")
    assert res.ok
    lines = [p.text for p in Document(io.BytesIO(res.body())).paragraphs]
    assert any(line.startswith(f"Tổ chức {figure} cuộc tuyên truyền") for line in lines), (
        figure, [x for x in lines if "cuộc tuyên truyền" in x])
