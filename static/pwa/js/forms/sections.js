// A long form in sections she can fold: each section's summary says how many of its
// questions are answered and how many have an error; "jump to the first error" opens the
// section that holds it. Sections follow the definition's order, about SIZE questions each.
import { el } from "../ui.js";
import { t } from "../i18n/index.js";
import { isAnswered } from "./validate.js";

const SIZE = 7;

export function sectionize(node, answers, labelOf) {
  const fields = [...node.children].filter((c) => c.classList.contains("field"));
  const chunks = [];
  for (let i = 0; i < fields.length; i += SIZE) chunks.push(fields.slice(i, i + SIZE));
  if (chunks.length < 2) return { update() {}, reveal() {} };
  const sections = chunks.map((members, n) => {
    const progress = el("span", { class: "section-progress" });
    const title = el("span", { class: "section-title" }, t("form.section", { n: n + 1, total: chunks.length, first: labelOf(members[0]) }));
    const section = el("details", { class: "form-section", open: true, id: `section-${n + 1}` },
      el("summary", {}, title, progress));
    members[0].before(section);
    section.append(...members);
    return { section, members, progress };
  });
  function update() {
    for (const { members, progress, section } of sections) {
      const shown = members.filter((m) => !m.hidden);
      const done = shown.filter((m) => isAnswered(answers[m.dataset.path])).length;
      const errors = members.filter((m) => m.classList.contains("invalid")).length;
      const text = errors ? t("form.section_errors", { done, total: shown.length, n: errors })
        : t("form.section_done", { done, total: shown.length });
      // Runs as she types: the page is written only where a count changed.
      if (progress.textContent !== text) progress.textContent = text;
      if (section.classList.contains("has-errors") !== errors > 0) section.classList.toggle("has-errors", errors > 0);
      if (section.hidden !== (shown.length === 0)) section.hidden = shown.length === 0;
    }
  }
  // Open the section that holds `target` (so it can be scrolled to and focused).
  function reveal(target) {
    const section = target?.closest("details.form-section");
    if (section) section.open = true;
  }
  update();
  return { update, reveal };
}

// Keep the focused field above the sticky bar at the bottom of the screen (the bar and,
// on a phone, the keyboard would otherwise hide what she types).
export function keepAboveBar(formNode, bar) {
  const check = () => {
    const active = document.activeElement;
    if (!active || !formNode.contains(active) || bar.contains(active)) return;
    const box = active.getBoundingClientRect();
    const top = Math.min(bar.getBoundingClientRect().top, window.visualViewport?.height ?? innerHeight);
    if (box.bottom > top - 8) scrollBy(0, box.bottom - top + 16);
  };
  formNode.addEventListener("focusin", () => requestAnimationFrame(check));
  window.visualViewport?.addEventListener("resize", check);
}
