"""Typing costs nothing (issue 19, item 3): the draft is written at most a second behind
and at once when the page goes away; a rule reading an answer still follows it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

# Counts the page's writes to the records store (each draft write is one put()).
COUNT_PUTS = """(() => {
  window.recordPuts = 0;
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (...args) {
    if (this.name === "records") window.recordPuts += 1;
    return put.apply(this, args);
  };
})();"""

TITLE = '[data-path="title_content"] input'


def open_activity(page, live_server):
    page.goto(live_server)
    sign_in(page, "canbo.anthanh2")
    page.click("#new-activity")
    page.locator(TITLE).wait_for()


def test_typing_then_an_immediate_reload_keeps_the_text(page, live_server):
    """No write per key any more: what was typed in the last second is written when the
    page is hidden (pagehide), so a reload right after the last key keeps it."""
    open_activity(page, live_server)
    page.click(TITLE)
    page.keyboard.type("Sinh hoạt chuyên đề", delay=20)
    page.reload()
    expect(page.locator(TITLE)).to_have_value("Sinh hoạt chuyên đề")


def test_a_second_of_typing_is_written_once_or_twice_not_per_key(page, live_server):
    page.add_init_script(COUNT_PUTS)
    open_activity(page, live_server)
    page.click(TITLE)
    page.wait_for_timeout(300)
    before = page.evaluate("window.recordPuts")
    page.keyboard.type("Tuyen truyen phap luat", delay=40)  # 22 keys in about 0.9 s
    expect(page.locator("#save-status")).to_have_text("Đã lưu trên máy")
    writes = page.evaluate("window.recordPuts") - before
    assert 1 <= writes <= 3, writes
    # Leaving the field writes what is pending at once, without waiting for the second.
    page.keyboard.type(" xa")
    page.click('[data-path="hamlet"] input')
    expect(page.locator("#save-status")).to_have_text("Đã lưu trên máy")
    stored = page.evaluate("""async () => {
      const db = await import('/pwa/js/db.js');
      const [record] = await db.all('records');
      return record.answers.title_content;
    }""")
    assert stored == "Tuyen truyen phap luat xa"


# A made-up form whose rules chain: c (drawn before b) applies once b is answered, and b
# only while a is "x". Changing a must hide b, clear it, and so hide c too.
CHAINED = {
    "form": "chained", "version": 1, "title": {"vi": "Thử"}, "choice_lists": {},
    "fields": [
        {"name": "a", "type": "text", "label": {"vi": "A"}},
        {"name": "c", "type": "text", "label": {"vi": "C"},
         "relevant": {"field": "b", "answered": True},
         "required_if": {"field": "a", "eq": "x"}},
        {"name": "b", "type": "text", "label": {"vi": "B"},
         "relevant": {"field": "a", "eq": "x"}},
        {"name": "d", "type": "text", "label": {"vi": "D"}},
    ],
}

DRAW = """async (definition) => {
  const { renderForm } = await import('/pwa/js/forms/render.js');
  window.chained = { answers: {} };
  const form = renderForm(definition, window.chained, { lang: 'vi', onChange() {} });
  const box = document.createElement('div');
  box.id = 'chained';
  box.append(form.node);
  document.body.append(box);
}"""


def test_a_rule_reading_an_answer_follows_it_through_a_chain(page, live_server):
    page.goto(live_server)
    page.wait_for_selector("#login-form")
    page.evaluate(DRAW, CHAINED)

    def question(name):
        return page.locator(f'#chained [data-path="{name}"]')

    expect(question("b")).to_be_hidden()
    expect(question("c")).to_be_hidden()
    question("a").locator("input").fill("x")
    expect(question("b")).to_be_visible()
    expect(question("c")).to_be_hidden()
    question("b").locator("input").fill("có")
    expect(question("c")).to_be_visible()
    expect(question("c").locator(".req")).to_have_text("(bắt buộc)")
    question("d").locator("input").fill("không liên quan")
    expect(question("c")).to_be_visible()
    # a changes: b stops applying and is cleared, so c (drawn above b) goes too.
    question("a").locator("input").fill("y")
    expect(question("b")).to_be_hidden()
    expect(question("c")).to_be_hidden()
    assert page.evaluate("window.chained.answers") == {"a": "y", "d": "không liên quan"}
    expect(question("b").locator("input")).to_have_value("")


def test_the_activity_types_questions_follow_the_type_while_she_types(page, live_server):
    open_activity(page, live_server)

    def question(name):
        return page.locator(f'[data-path="{name}"]')

    question("activity_type").locator("select").select_option("giam_sat")
    expect(question("supervised_entity")).to_be_visible()
    expect(question("supervised_entity").locator(".req")).to_have_text("(bắt buộc)")
    expect(question("laws_covered")).to_be_hidden()
    question("supervised_entity").locator("input").fill("UBND xã")
    page.click(TITLE)
    page.keyboard.type("Giám sát")
    expect(question("supervised_entity")).to_be_visible()
    question("activity_type").locator("select").select_option("pbgdpl")
    expect(question("supervised_entity")).to_be_hidden()
    expect(question("laws_covered")).to_be_visible()
    expect(question("laws_covered").locator(".req")).to_have_text("(bắt buộc)")
    question("activity_type").locator("select").select_option("giam_sat")
    expect(question("supervised_entity").locator("input")).to_have_value("")
