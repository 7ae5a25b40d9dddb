"""The year's plan on screen (issue 16, item 4), as a new province administrator would: on
a laptop she copies the 2024 plan to 2026, sets K03's supervision places, and the 2026
dashboard shows the targets and the places; on a phone the same screen fits."""

import pytest
from playwright.sync_api import expect

from tests.api.test_report_targets import seed_plan
from tests.e2e.conftest import refused, sign_in

pytestmark = pytest.mark.e2e


def admin_on_a_laptop(browser, browser_context_args, live_server, page_errors):
    """The province administrator signed in at 1280×800, with last year's plan seeded."""
    seed_plan(live_server.app)
    laptop = page_errors.watch(browser.new_context(
        **{**browser_context_args, "viewport": {"width": 1280, "height": 800}}))
    page = laptop.new_page()
    page.goto(live_server)
    sign_in(page, "admin.tinh")
    return laptop, page


# The unknown place she types first is refused by the server (400), on purpose.
@pytest.mark.page_errors(refused("/api/reports/targets/2026/94/K03", 400))
def test_copy_the_2024_plan_to_2026_set_k03_places_and_see_the_dashboard(
        browser, browser_context_args, live_server, page_errors):
    laptop, page = admin_on_a_laptop(browser, browser_context_args, live_server, page_errors)
    page.click("#open-plan")
    page.select_option("#plan-year", "2026")
    expect(page.locator("#plan-rows > li")).to_have_count(14)
    expect(page.locator("#plan-value-K07")).to_have_value("")
    expect(page.locator("#plan-copy-from")).to_have_value("2024")
    page.click("#plan-copy")
    expect(page.locator("#toast")).to_contain_text("Đã chép 8 chỉ tiêu từ năm 2024")
    expect(page.locator("#plan-value-K07")).to_have_value("3")
    expect(page.locator("#plan-places-K03")).to_have_value("945, 31630, 942, 31585")
    page.fill("#plan-places-K03", "945, 31630, 99999")
    page.click("#plan-save-K03")
    expect(page.locator("#plan-error")).to_contain_text("K03")
    page.fill("#plan-places-K03", "945, 31630")
    page.fill("#plan-value-K03", "2")
    page.click("#plan-save-K03")
    expect(page.locator("#toast")).to_contain_text("Đã lưu chỉ tiêu K03")

    page.click("#plan-dashboard")
    expect(page.locator("#dash-year")).to_have_value("2026")
    expect(page.locator("#fig-K07")).to_contain_text("/ 3")
    expect(page.locator("#fig-K03")).to_contain_text("/ 2")
    page.locator("#ind-K03 summary").click()
    places = page.locator("#ind-K03 .places li")
    expect(places).to_have_count(2)
    expect(places.first).to_contain_text("Cù Lao Dung")

    phone = page_errors.watch(browser.new_context(**browser_context_args)).new_page()
    phone.goto(f"{live_server}/")
    sign_in(phone, "admin.tinh")
    phone.goto(f"{live_server}/#/admin/plan?year=2026")
    expect(phone.locator("#plan-value-K03")).to_have_value("2")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the plan screen scrolls sideways at 360 px ({width} px)"
    laptop.close()


def test_the_province_administrator_sets_a_districts_target_from_the_plan_screen(
        browser, browser_context_args, live_server, page_errors):
    laptop, page = admin_on_a_laptop(browser, browser_context_args, live_server, page_errors)
    page.goto(f"{live_server}/#/admin/plan?year=2026")
    expect(page.locator("#plan-intro")).to_contain_text("Sóc Trăng")
    page.select_option("#plan-unit", "945")
    expect(page.locator("#plan-intro")).to_contain_text("Cù Lao Dung")
    expect(page.locator("#plan-year")).to_have_value("2026")
    expect(page.locator("#plan-value-K07")).to_have_value("")
    page.fill("#plan-value-K07", "5")
    page.click("#plan-save-K07")
    expect(page.locator("#toast")).to_contain_text("Đã lưu chỉ tiêu K07")
    assert "unit=945" in page.locator("#plan-download").get_attribute("href")
    page.click("#plan-dashboard")
    expect(page.locator("#fig-K07")).to_contain_text("/ 5")
    # The province's own plan did not change.
    page.goto(f"{live_server}/#/admin/plan?year=2026")
    expect(page.locator("#plan-intro")).to_contain_text("Sóc Trăng")
    expect(page.locator("#plan-value-K07")).to_have_value("")
    laptop.close()
