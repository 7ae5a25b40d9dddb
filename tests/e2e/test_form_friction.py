"""The long activity form on a phone: sections she can fold, each saying how much is
answered; "send" with errors opens the section of the first one and puts her there; the
sticky send bar never covers the field she is typing in."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import serious
from tests.e2e.test_officer_flow import field, fill_activity

pytestmark = pytest.mark.e2e


def open_activity(page, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    page.click("#new-activity")
    page.wait_for_selector("#record-form")


def test_sections_fold_show_progress_and_send_jumps_to_the_first_error(page, live_server):
    open_activity(page, live_server)
    sections = page.locator("details.form-section")
    assert sections.count() >= 3
    first = sections.first
    expect(first.locator("summary")).to_contain_text("Phần 1/")
    expect(first.locator(".section-progress")).to_contain_text("đã trả lời 0/")
    expect(page.locator("#form-progress")).to_contain_text("Đã trả lời 0/")
    first.locator("summary").click()  # folded: its questions out of the way
    expect(field(page, "start_date")).to_be_hidden()
    page.click("#send")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(field(page, "start_date")).to_be_visible()  # its section opened again
    assert page.evaluate("document.activeElement.closest('.field.invalid') !== null")
    expect(first.locator(".section-progress")).to_contain_text("lỗi")
    page.evaluate("scrollTo(0, document.body.scrollHeight)")
    page.click("#jump-first-error")
    assert page.evaluate("document.activeElement.closest('.field.invalid') !== null")
    assert serious(page) == []
    fill_activity(page)
    expect(page.locator("#form-progress")).not_to_contain_text("Đã trả lời 0/")


def test_the_send_bar_never_covers_the_focused_field(page, live_server):
    open_activity(page, live_server)
    bar = page.locator("#send-bar")
    target = field(page, "participants_total").locator("input")
    # Put the field just under the bar's top edge, where the bar would hide it.
    page.evaluate("""(el) => {
      const bar = document.getElementById('send-bar').getBoundingClientRect();
      const box = el.getBoundingClientRect();
      scrollBy(0, box.top - (bar.top + 4));
    }""", target.element_handle())
    assert target.bounding_box()["y"] + target.bounding_box()["height"] > bar.bounding_box()["y"]
    target.focus()
    page.wait_for_timeout(200)
    box, top = target.bounding_box(), bar.bounding_box()["y"]
    assert box["y"] + box["height"] <= top, (box, top)


def test_progress_follows_answers_given_emptied_and_questions_shown_before_send(page,
                                                                                  live_server):
    """The progress lines are counted again only when what they count changed (an answer
    given or emptied, a question shown or hidden, an answer cleared as its question goes),
    not on every key: each of those still shows at once, before "Gửi" (after it, every
    change revalidates and recounts)."""
    import re

    open_activity(page, live_server)
    progress = page.locator("#form-progress")
    expect(progress).to_contain_text("Đã trả lời 0/")

    def counts():
        return tuple(int(n) for n in re.search(r"(\d+)/(\d+)", progress.inner_text()).groups())

    _, total = counts()
    title = field(page, "title_content").locator("input")
    title.type("Tuyên truyền")
    expect(progress).to_contain_text(f"Đã trả lời 1/{total}")
    field(page, "activity_type").locator("select").select_option("giam_sat")
    expect(progress).not_to_contain_text(f"/{total}")
    answered, shown = counts()
    assert answered == 2 and shown > total  # the supervision questions came into view
    field(page, "supervised_entity").locator("input").fill("UBND xã An Thạnh 2")
    expect(progress).to_contain_text(f"Đã trả lời 3/{shown}")
    # Another type: the supervision questions go, and the answer given to one of them.
    field(page, "activity_type").locator("select").select_option("hoa_giai")
    expect(progress).not_to_contain_text(f"/{shown}")
    assert counts()[0] == 2
    field(page, "activity_type").locator("select").select_option("giam_sat")
    expect(progress).to_contain_text(f"Đã trả lời 2/{shown}")
    title.fill("")
    expect(progress).to_contain_text(f"Đã trả lời 1/{shown}")
    def section(name):
        return page.locator("details.form-section", has=field(page, name)).locator(
            ".section-progress")

    expect(section("activity_type")).to_contain_text("đã trả lời 1/")
    expect(section("title_content")).to_contain_text("đã trả lời 0/")
    assert serious(page) == []
