"""\"Tình hình gửi phiếu\" at 360 px: the page never scrolls sideways; the table scrolls in
its own box with the unit column kept in view, and the names are grouped by district."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import serious

pytestmark = pytest.mark.e2e


def test_completeness_fits_a_360px_screen(page, live_server):
    page.goto(live_server)
    sign_in(page, "giamsat.tinh")
    page.click("#open-completeness")
    expect(page.locator("#completeness-summary")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    wrap = page.locator("#completeness .table-wrap")
    first = page.locator("#completeness tbody tr[data-unit] th").first
    left = first.bounding_box()["x"]
    wide = wrap.evaluate("(w) => w.scrollWidth > w.clientWidth")
    if wide:  # the table scrolls in its box; the unit column stays where it was
        wrap.evaluate("(w) => { w.scrollLeft = w.scrollWidth; }")
        page.wait_for_timeout(100)
        assert abs(first.bounding_box()["x"] - left) <= 1
    cells = page.locator("#completeness thead th").all()
    assert all(c.bounding_box()["width"] >= 40 for c in cells)  # headers readable, not crushed
    assert page.locator("#completeness tr.group").count() >= 10
    assert serious(page) == []
