// Supervisors: which units have met a deadline rule this period, and a one-tap nudge to
// the officers of those that have not.
import { api, ApiProblem } from "../api.js";
import { t } from "../i18n/index.js";
import { el, toast, formatDate } from "../ui.js";
import { unitTree, placeName, groupedRows } from "../units.js";

export async function renderDeadlines(view, { params }) {
  const query = new URLSearchParams(params);
  const on = query.get("on") || "";
  let rules, data, code;
  const go = (changes) => {
    const next = new URLSearchParams({ rule: code, on, ...changes });
    if (!next.get("on")) next.delete("on");
    location.hash = `#/deadlines?${next}`;
  };
  try {
    ({ rules } = await api("/api/reminders/rules"));
    code = query.get("rule") || rules[0]?.code;
    const asOf = on ? `&on=${encodeURIComponent(on)}` : "";
    data = code ? await api(`/api/reminders/compliance?rule=${encodeURIComponent(code)}${asOf}`) : null;
  } catch (err) {
    if (err instanceof ApiProblem && err.code === "network") {
      view.replaceChildren(el("p", { class: "card warn" }, t("review.offline")));
      return;
    }
    throw err;
  }
  const picker = el("select", { id: "rule-pick", "aria-label": t("deadlines.rule"),
    onchange: (e) => go({ rule: e.target.value }) },
  rules.map((r) => el("option", { value: r.code, selected: r.code === data?.rule }, r.title)));
  // Another day: a past period (last year's plans and reports), or one ahead.
  const day = el("label", { class: "small" }, t("deadlines.on"),
    el("input", { type: "date", id: "deadline-on", value: on, onchange: (e) => go({ on: e.target.value }) }));
  const tree = await unitTree();
  const checks = [];
  const rows = (data?.units || []).map((row) => {
    const box = row.state === "met" ? null
      : el("input", { type: "checkbox", "data-unit": row.unit.code, "aria-label": `${t("deadlines.pick")} ${placeName(tree, row.unit.code, row.unit.name)}` });
    if (box) checks.push(box);
    const state = row.state === "met" && !row.on_time ? "late" : row.state;
    return [row.unit.code, el("tr", { class: `state-${state}`, "data-unit": row.unit.code },
      el("td", {}, box ? el("label", { class: "pick" }, box) : null), el("th", { scope: "row" }, row.unit.name),
      el("td", {}, el("span", { class: `badge ${state === "met" ? "sent" : state === "overdue" ? "problem" : "waiting"}` },
        t(`deadlines.state.${state}`))))];
  });
  const { body, box: search } = groupedRows(tree, rows, { columns: 3, id: "deadline-search", search: t("units.search") });
  view.replaceChildren(el("section", { class: "card", id: "deadlines" },
    el("h2", {}, t("deadlines.title")), picker, day,
    data?.period ? el("p", { id: "deadline-period" }, t("deadlines.period", {
      from: formatDate(data.period.start), to: formatDate(data.period.end), due: formatDate(data.period.due) }))
      : el("p", { class: "muted" }, t("deadlines.no_period")),
    rows.length > 8 ? search : null,
    rows.length ? el("div", { class: "table-wrap" }, el("table", { id: "deadline-table" }, el("tbody", {}, body))) : null,
    checks.length ? el("div", { class: "actions" }, el("button", { type: "button", id: "nudge", onclick: async () => {
      const units = checks.filter((c) => c.checked).map((c) => c.dataset.unit);
      if (!units.length) return toast(t("review.select_first"), "warn");
      try {
        const { notified } = await api("/api/reminders/nudge", { method: "POST", body: { rule: data.rule, units } });
        toast(t("deadlines.nudged", { n: notified }), "ok");
      } catch (err) {
        toast(err.body?.detail || err.body?.title || String(err), "error");
      }
    } }, t("deadlines.nudge"))) : null),
  el("a", { class: "button secondary", href: "#/" }, t("common.back")));
}
