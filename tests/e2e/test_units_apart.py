"""Units with the same name told apart (three communes are called "Phường 1"):
everywhere a unit is picked or listed she sees its district, units are grouped by
district, and she can search (without diacritics)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import serious
from tests.e2e.test_officer_flow import field

pytestmark = pytest.mark.e2e


def shown_texts(locator) -> list[str]:
    return locator.evaluate_all("(nodes) => nodes.filter((n) => !n.hidden"
                                " && !(n.parentElement && n.parentElement.hidden))"
                                ".map((n) => n.textContent.trim())")


def test_form_picker_names_the_district_and_searches(page, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    page.click("#new-activity")
    picker = field(page, "location_unit")
    picker.locator("input[type=search]").fill("phuong 1")
    options = shown_texts(picker.locator("select option[value]:not([value=''])"))
    assert len(set(options)) == len(options) and all(o.startswith("Phường 1") for o in options)
    assert {"Phường 1 (Thành phố Sóc Trăng)", "Phường 1 (Thị xã Ngã Năm)",
            "Phường 1 (Thị xã Vĩnh Châu)"} <= set(options), options
    assert serious(page) == []


def test_deadlines_group_by_district_name_parents_and_search(page, live_server):
    page.goto(live_server)
    sign_in(page, "giamsat.tinh")
    page.click("#open-deadlines")
    groups = page.locator("#deadline-table tr.group")
    expect(groups.first).to_be_visible()
    assert groups.count() >= 10  # the province's districts and towns
    page.fill("#deadline-search", "Phuong 1")
    rows = page.locator("#deadline-table tr[data-unit]")
    visible = [r for r in rows.all() if r.is_visible()]
    assert len(visible) >= 3
    labels = [r.locator("input").get_attribute("aria-label") for r in visible]
    assert len(set(labels)) == len(labels) and all("Phường 1" in x for x in labels), labels
    assert "Chọn Phường 1 (Thị xã Vĩnh Châu)" in labels
    shown_groups = [g for g in groups.all() if g.is_visible()]
    assert len(shown_groups) == 3  # Thành phố Sóc Trăng, Thị xã Ngã Năm, Thị xã Vĩnh Châu
    assert serious(page) == []


def test_queue_unit_filter_is_grouped_and_searchable(page, live_server):
    page.goto(live_server)
    sign_in(page, "giamsat.tinh")
    page.click("#open-review")
    page.fill("#filter-unit-search", "phuong 1")
    options = shown_texts(page.locator("#filter-unit option:not([value=''])"))
    assert len(options) >= 3 and all(o.startswith("Phường 1") for o in options), options
    page.select_option("#filter-unit", label="Phường 1 (Thị xã Ngã Năm)")
    assert "unit=" in page.url
    expect(page.locator("#queue-empty")).to_be_visible()
