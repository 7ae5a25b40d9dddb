// Supervisors and administrators: the plan's indicators against its targets for a unit
// and a period, with progress bars, a table of the units below, and drill-down
// province → district → commune → the records. The last figures fetched are kept on the
// phone, so offline the screen shows them, marked with their date.
import { api, ApiProblem } from "../api.js";
import { kv } from "../db.js";
import { currentDefinitions } from "../forms/definition.js";
import { t, currentLang } from "../i18n/index.js";
import { el, formatDate, formatDateTime, toast, problemText, vietnamToday } from "../ui.js";
import { isAdmin } from "../roles.js";
import { unitTree, placeName } from "../units.js";

const PERIODS = ["year", "Q1", "Q2", "Q3", "Q4", "H1", "9M"];
const MONTHS = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, "0"));
const KEEP = 12; // saved dashboards kept on the phone
let scrollToUnits = false;

function stylesheet() {
  if (document.getElementById("reports-css")) return;
  document.head.append(el("link", { rel: "stylesheet", href: "/pwa/css/reports.css", id: "reports-css" }));
}

function thisYear() {
  return Number(vietnamToday().slice(0, 4));
}

function number(value) {
  if (value === null || value === undefined) return "–";
  if (typeof value === "string") return value; // "<5" or "*": hidden to protect survivors
  return value.toLocaleString(currentLang() === "en" ? "en-GB" : "vi-VN", { maximumFractionDigits: 1 });
}

function shown(ind, value) {
  return ind.target_basis === "percent" && typeof value === "number" ? `${number(value)}%` : number(value);
}

function bar(progress, label, relative = false) {
  const width = Math.max(0, Math.min(100, progress || 0));
  const tone = relative || progress === null || progress === undefined ? "none" : progress >= 100 ? "done" : progress >= 50 ? "half" : "low";
  // The width is set through the CSSOM: the CSP (style-src 'self') refuses a style attribute.
  const fill = el("span", { "data-width": String(width) });
  fill.style.width = `${width}%`;
  return el("div", { class: `bar ${tone}`, role: "progressbar", "aria-label": label,
    "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(Math.round(width)) }, fill);
}

async function remember(key, data) {
  await kv.set(key, { data, saved_at: new Date().toISOString() });
  const recent = ((await kv.get("dashboard:recent")) || []).filter((k) => k !== key);
  recent.unshift(key);
  for (const old of recent.slice(KEEP)) await kv.remove(old);
  await kv.set("dashboard:recent", recent.slice(0, KEEP));
}

function exportPeriod(year, period) {
  if (period === "year") return String(year);
  return /^\d{4}-\d{2}$/.test(period) ? period : `${year}-${period}`;
}

// One load at a time: while the figures of a new choice load, the screen says so and the
// controls drawn for the previous one ignore taps (a tick built from the old year would
// switch the year back); only the latest load draws.
let loads = 0;

export async function renderDashboard(view, { me, params }) {
  const ticket = ++loads;
  // Still the latest load, and she is still on the dashboard (not gone back meanwhile).
  const current = () => ticket === loads && (location.hash || "").startsWith("#/dashboard");
  const before = [...view.children];
  if (view.querySelector("#dashboard")) {
    for (const node of before) node.inert = true;
    view.prepend(el("p", { class: "notice", id: "dashboard-loading", role: "status" }, t("dash.loading")));
  } else {
    view.replaceChildren(el("section", { class: "card", id: "dashboard-loading", role: "status" }, t("dash.loading")));
  }
  view.setAttribute("aria-busy", "true");
  try {
    await draw(view, { me, params }, current);
  } finally {
    if (ticket === loads) {
      view.removeAttribute("aria-busy");
      view.querySelector("#dashboard-loading")?.remove();
      for (const node of before) node.inert = false;
    }
  }
}

async function draw(view, { me, params }, current) {
  stylesheet();
  const query = new URLSearchParams(params);
  const unit = query.get("unit") || me.unit.code;
  const year = Number(query.get("year")) || thisYear();
  const period = query.get("period") || "year";
  // The union's reporting months (15th to 14th), as the Word report counts, unless she
  // unticks it for calendar months.
  const cutoff = query.get("cutoff") !== "0";
  const pending = query.get("pending") === "1";
  const apiQuery = new URLSearchParams({ unit, year, period, union_cutoff: cutoff, include_pending: pending });
  const key = `dashboard:/api/reports/indicators?${apiQuery}`;
  let data;
  let savedAt = null;
  try {
    data = await api(`/api/reports/indicators?${apiQuery}`);
    await remember(key, data);
  } catch (err) {
    if (!current()) return;
    if (!(err instanceof ApiProblem && err.code === "network")) {
      view.replaceChildren(el("section", { class: "card warn" }, el("p", { class: "error" }, problemText(err)),
        el("a", { class: "button secondary", href: "#/" }, t("common.back"))));
      return;
    }
    const saved = await kv.get(key);
    if (!current()) return;
    if (!saved) {
      view.replaceChildren(el("section", { class: "card warn", id: "dashboard-offline" }, el("p", {}, t("dash.offline_none")),
        el("a", { class: "button secondary", href: "#/" }, t("common.back"))));
      return;
    }
    data = saved.data;
    savedAt = saved.saved_at;
  }
  const focus = query.get("k") || "K01";
  const link = (changes) => {
    const next = new URLSearchParams(params);
    next.set("unit", unit);
    next.set("year", year);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "" || v === false) next.delete(k); else next.set(k, v);
    }
    return `#/dashboard?${next}`;
  };
  const go = (changes) => { location.hash = link(changes); };

  const stamp = savedAt
    ? el("p", { class: "notice", id: "dashboard-stale", role: "status" }, t("dash.offline_from", { time: formatDateTime(savedAt, currentLang()) }))
    : el("p", { class: "muted small", id: "dashboard-fresh" }, t("dash.updated", { time: formatDateTime(data.generated_at, currentLang()) }));
  const crumbs = el("nav", { class: "crumbs", "aria-label": t("dash.path"), id: "dashboard-path" },
    data.path.flatMap((u, i) => [i ? " › " : "", i === data.path.length - 1
      ? el("strong", { "aria-current": "page" }, u.name)
      : el("a", { href: link({ unit: u.code, k: focus }) }, u.name)]));

  const years = [...new Set([year, thisYear(), thisYear() - 1, 2024])].sort((a, b) => b - a);
  const filters = el("div", { class: "filters", id: "dashboard-filters" },
    el("select", { id: "dash-year", "aria-label": t("dash.year"), onchange: (e) => go({ year: e.target.value }) },
      years.map((y) => el("option", { value: y, selected: y === year }, String(y)))),
    el("select", { id: "dash-period", "aria-label": t("dash.period"), onchange: (e) => go({ period: e.target.value === "year" ? null : e.target.value }) },
      PERIODS.map((p) => el("option", { value: p, selected: p === period }, t(`dash.period.${p}`))),
      MONTHS.map((m) => el("option", { value: `${year}-${m}`, selected: period === `${year}-${m}` }, t("dash.month", { m: Number(m) })))));
  const toggles = el("div", { class: "toggles" },
    el("label", { class: "choice" }, el("input", { type: "checkbox", id: "dash-cutoff", checked: cutoff, onchange: (e) => go({ cutoff: e.target.checked ? null : "0" }) }), t("dash.cutoff")),
    el("label", { class: "choice" }, el("input", { type: "checkbox", id: "dash-pending", checked: pending, onchange: (e) => go({ pending: e.target.checked ? "1" : null }) }), t("dash.pending")));

  const cards = data.indicators.map((ind) => indicatorCard(ind, { me, data, unit, year, focus, link, online: !savedAt }));
  const focused = data.indicators.find((i) => i.code === focus) || data.indicators[0];
  const units = unitsTable(focused, data, { link, focus });
  const records = data.unit.level === "commune" || !data.children.length
    ? await recordsList({ unit, year, period, cutoff, pending, focus: focused, offline: !!savedAt }) : null;

  const exportForm = el("select", { id: "export-form", "aria-label": t("dash.export_form") },
    (await currentDefinitions()).map((d) => el("option", { value: d.form }, t(`form.short.${d.form}`))));
  const download = (format) => {
    const q = new URLSearchParams({ form: exportForm.value, format, unit, period: exportPeriod(year, period), union_cutoff: cutoff });
    location.href = `/api/reports/export?${q}`;
  };
  const downloads = el("section", { class: "card", id: "dashboard-downloads" },
    el("h3", {}, t("dash.downloads")),
    el("a", { class: "button", id: "download-year-end", href: `/api/reports/year-end?unit=${unit}&year=${year}`, download: "" }, t("dash.year_end")),
    el("div", { class: "actions" }, exportForm,
      el("button", { type: "button", id: "export-xlsx", onclick: () => download("xlsx") }, t("dash.export_xlsx")),
      el("button", { type: "button", class: "secondary", id: "export-csv", onclick: () => download("csv") }, t("dash.export_csv"))),
    el("p", { class: "muted small" }, t("dash.export_note")));

  const law = data.law_day;
  const missed = law && law.missed.length ? el("details", { class: "card", id: "law-day-missed" },
    el("summary", {}, t("dash.law_missed", { n: law.missed.length, total: law.units })),
    el("ul", { class: "small" }, law.missed.map((m) => el("li", {}, `${m.unit.name}${m.parent ? ` (${m.parent})` : ""}: `,
      m.months.map((x) => `${Number(x.slice(5))}/${x.slice(0, 4)}`).join(", "))))) : null;

  if (!current()) return;
  view.replaceChildren(...[
    el("section", { class: "card", id: "dashboard" },
      el("h2", {}, t("dash.title")), crumbs,
      el("p", { id: "dashboard-period" }, `${data.period.label} · ${pending ? t("dash.with_pending") : t("dash.approved_only")}`),
      stamp, filters, toggles),
    el("section", { class: "indicator-grid", id: "indicators", "aria-label": t("dash.indicators") }, cards),
    units, records, missed, savedAt ? null : downloads,
    el("a", { class: "button secondary", href: "#/" }, t("common.back"))].filter(Boolean));
  if (scrollToUnits) {
    scrollToUnits = false;
    document.getElementById("units")?.scrollIntoView();
  }
}

function partsLine(ind) {
  return ind.parts.filter((p) => p.key !== "sessions" || ind.code !== "K01")
    .map((p) => `${t(`dash.part.${p.key}`)} ${number(p.value)}`).join(" · ");
}

function indicatorCard(ind, { me, data, unit, year, focus, link, online }) {
  const hasTarget = ind.target !== null && ind.target !== undefined;
  const figure = ind.available === false ? t("dash.unavailable")
    : hasTarget ? `${shown(ind, ind.actual)} / ${ind.target_basis === "percent" ? `${number(ind.target)}%` : number(ind.target)}`
      : shown(ind, ind.actual);
  const editable = online && isAdmin(me) && ind.available !== false && ind.code !== "K02" && unit === data.unit.code;
  const card = el("details", { class: `indicator ${ind.code === focus ? "focused" : ""}`, id: `ind-${ind.code}`, "data-code": ind.code },
    el("summary", {},
      el("span", { class: "code" }, ind.code),
      el("span", { class: "name" }, t(`ind.${ind.code}`)),
      el("strong", { class: "figure", id: `fig-${ind.code}` }, figure),
      hasTarget && ind.available !== false ? bar(ind.progress, `${ind.code} ${number(ind.progress)}%`) : null),
    hasTarget && ind.progress !== null ? el("p", { class: "small" }, t("dash.progress", { p: number(ind.progress) })) : null,
    ind.parts.length ? el("p", { class: "small muted" }, partsLine(ind)) : null,
    ind.places?.length ? el("ul", { class: "small places" }, ind.places.map((p) =>
      el("li", { class: p.done ? "done" : "" }, `${p.done ? "✓" : p.pending ? "…" : "○"} ${p.name}`))) : null,
    ind.by_type?.length ? el("p", { class: "small muted" }, ind.by_type.map((b) => `${b.label}: ${b.value}`).join(" · ")) : null,
    ind.incident ? el("p", { class: "small muted" }, t("dash.consent_only")) : null,
    ind.available === false ? el("p", { class: "small muted" }, t("dash.k14_none_due")) : null,
    el("div", { class: "card-actions" },
      ind.units.length ? el("a", { href: link({ k: ind.code }), class: "small", id: `by-unit-${ind.code}`,
        onclick: () => { scrollToUnits = true; } }, t("dash.by_unit")) : null,
      editable ? el("button", { type: "button", class: "secondary small", id: `edit-target-${ind.code}`,
        onclick: () => editTarget(card, ind, { unit, year }) }, t("dash.edit_target")) : null));
  return card;
}

function editTarget(card, ind, { unit, year }) {
  const input = el("input", { type: "number", min: "0", step: "any", id: `target-${ind.code}`,
    value: ind.target ?? "", "aria-label": t("dash.target_value") });
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { class: "target-form", onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api(`/api/reports/targets/${year}/${unit}/${ind.code}`, { method: "PUT", body: { value: Number(input.value) } });
      toast(t("dash.target_saved"), "ok");
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    } catch (err) {
      error.textContent = err instanceof ApiProblem ? (err.body.errors?.[0]?.message || problemText(err)) : String(err);
    }
  } }, input, el("button", { type: "submit", class: "small", id: `save-target-${ind.code}` }, t("dash.save")), error);
  card.append(form);
  input.focus();
}

function unitsTable(ind, data, { link, focus }) {
  if (!ind.units.length) return null;
  const max = Math.max(1, ...ind.units.map((r) => (typeof r.actual === "number" ? r.actual : 0)));
  const percent = ind.target_basis === "percent";
  return el("section", { class: "card", id: "units" },
    el("h3", {}, t("dash.units_for", { code: ind.code, label: t(`ind.${ind.code}`) })),
    el("label", { for: "dash-focus" }, t("dash.indicator")),
    el("select", { id: "dash-focus", onchange: (e) => { location.hash = link({ k: e.target.value }); } },
      data.indicators.filter((i) => i.units.length).map((i) => el("option", { value: i.code, selected: i.code === focus }, `${i.code} ${t(`ind.${i.code}`)}`))),
    el("div", { class: "table-wrap" }, el("table", { id: "units-table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("completeness.unit")),
        el("th", { scope: "col" }, t("dash.actual")), el("th", { scope: "col", class: "chart-col" }, t("dash.chart")))),
      el("tbody", {}, ind.units.map((row) => {
        const value = row.actual;
        // No figure (hidden, or nothing due): no bar, rather than an empty red one.
        const width = row.target ? (row.progress ?? 0) : typeof value !== "number" ? null : percent ? value : (100 * value) / max;
        const name = row.unit.own ? t("dash.own", { name: row.unit.name }) : row.unit.name;
        return el("tr", { "data-unit": row.unit.code },
          el("th", { scope: "row" }, row.unit.own ? name : el("a", { href: link({ unit: row.unit.code }), class: "drill" }, name)),
          el("td", {}, row.target ? `${number(value)}/${number(row.target)}` : shown(ind, value),
            ind.incident && row.cases !== undefined && ind.code !== "K10" ? el("span", { class: "small muted" }, ` (${number(row.cases)})`) : null),
          el("td", { class: "chart-col" }, bar(width, `${row.unit.name} ${number(value)}`, !row.target && !percent)));
      })))),
    ind.incident ? el("p", { class: "small muted" }, t("dash.hidden_note")) : null);
}

async function recordsList({ unit, year, period, cutoff, pending, focus, offline }) {
  const section = el("section", { class: "card", id: "records-behind" }, el("h3", {}, t("dash.records", { code: focus.code })));
  if (focus.incident) {
    section.append(el("p", { class: "muted" }, t("dash.records_private")));
    return section;
  }
  if (offline) {
    section.append(el("p", { class: "muted" }, t("dash.records_offline")));
    return section;
  }
  const q = new URLSearchParams({ unit, year, period, union_cutoff: cutoff, include_pending: pending, limit: 100 });
  if (focus.code !== "K14") q.set("indicator", focus.code);
  try {
    const data = await api(`/api/reports/records?${q}`);
    const tree = await unitTree();
    section.append(el("p", { class: "muted small" }, t("review.total", { n: data.total })),
      data.records.length ? el("ul", { class: "records", id: "records-list" }, data.records.map((r) =>
        el("li", {}, el("a", { class: "record", href: `#/review/${r.uuid}`, "data-uuid": r.uuid },
          el("span", { class: "record-form" }, r.kind_label || t(`form.short.${r.form}`)),
          el("span", { class: "record-detail" }, [formatDate(r.record_date), placeName(tree, r.unit.code, r.unit.name), r.title].filter(Boolean).join(" · ")),
          el("span", { class: "badge" }, t(`status.${r.status}`)))))) : el("p", { class: "muted" }, t("review.empty")));
  } catch (err) {
    section.append(el("p", { class: "error" }, err instanceof ApiProblem ? problemText(err) : String(err)));
  }
  return section;
}
