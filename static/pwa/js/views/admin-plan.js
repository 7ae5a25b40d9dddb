// The year's plan in the admin console (issue 16, item 4): every indicator's target for a
// year, K03's supervision places, "copy last year's plan", and the plan as an Excel sheet
// to download, fill in and upload back (a preview first). Loaded with the console only.
import { api, ApiProblem } from "../api.js";
import { t } from "../i18n/index.js";
import { el, toast, problemText } from "../ui.js";
import { placeName, unitSelect, unitTree } from "../units.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function say(err) {
  if (!(err instanceof ApiProblem)) return String(err);
  return err.body?.errors?.[0]?.message || err.body?.detail || problemText(err);
}

function row(entry, target, { year, unit, error }) {
  const value = el("input", { type: "number", min: "0", step: "any", inputmode: "decimal", id: `plan-value-${entry.code}`,
    value: target ? String(target.value) : "", "aria-label": `${entry.code} ${t("plan.value")}` });
  const basis = el("select", { id: `plan-basis-${entry.code}`, "aria-label": `${entry.code} ${t("plan.basis")}` },
    entry.bases.map((b) => el("option", { value: b, selected: b === (target?.basis || entry.bases[0]) }, t(`plan.basis.${b}`))));
  const places = entry.code === "K03" ? el("input", { id: "plan-places-K03", inputmode: "numeric",
    value: (target?.detail?.places || []).join(", "), placeholder: "945, 31630", "aria-label": t("plan.places") }) : null;
  const save = el("button", { type: "button", class: "secondary", id: `plan-save-${entry.code}`, onclick: async () => {
    error.textContent = "";
    if (value.value.trim() === "") return toast(t("plan.empty_value"), "warn");
    const body = { value: Number(value.value), basis: basis.value };
    if (places) body.detail = { places: places.value.split(/[,;\s]+/).filter(Boolean) };
    save.disabled = true;
    try {
      await api(`/api/reports/targets/${year}/${encodeURIComponent(unit)}/${entry.code}`, { method: "PUT", body });
      toast(t("plan.saved", { code: entry.code }), "ok");
    } catch (err) {
      error.textContent = `${entry.code}: ${say(err)}`;
    } finally {
      save.disabled = false;
    }
  } }, t("plan.save"));
  return el("li", { class: "card plan-row", "data-indicator": entry.code },
    el("h3", {}, el("span", { class: "badge" }, entry.code), " ", entry.label),
    el("div", { class: "plan-inputs" }, value, basis, save),
    places ? el("label", { for: places.id, class: "small" }, t("plan.places")) : null, places);
}

function preview(result, onApply) {
  const bad = result.rows.filter((r) => r.status === "error");
  return el("section", { class: "card", id: "plan-preview" },
    el("h3", {}, t(result.dry_run ? "plan.preview" : "plan.applied")),
    el("p", { id: "plan-counts" }, t("plan.counts", result.counts)),
    bad.length ? el("ul", { class: "errors", id: "plan-errors" }, bad.map((r) => el("li", { "data-row": r.row },
      t("plan.row", { row: r.row }), " ", r.errors.map((e) => e.message).join(" ")))) : null,
    result.dry_run && (result.counts.created || result.counts.changed)
      ? el("button", { type: "button", id: "plan-apply", onclick: onApply }, t("plan.apply")) : null);
}

export async function renderPlan(view, { me, params, shell }) {
  const query = new URLSearchParams(params);
  const year = Number(query.get("year")) || new Date().getFullYear();
  // Her own unit's plan, or one of a district or commune below it (?unit=).
  const unit = query.get("unit") || me.unit.code;
  const [data, tree] = await Promise.all([
    api(`/api/reports/targets?unit=${encodeURIComponent(unit)}&year=${year}`), unitTree()]);
  const have = new Map(data.targets.map((x) => [x.indicator, x]));
  const error = el("p", { class: "error", role: "alert", id: "plan-error" });
  const go = (y, u = unit) => {
    location.hash = `#/admin/plan?${new URLSearchParams({ year: y, ...(u !== me.unit.code ? { unit: u } : {}) })}`;
  };
  const own = unit === me.unit.code;
  const unitName = own ? me.unit.name : placeName(tree, unit, unit);
  const pickUnit = tree.length && me.unit.level !== "commune" ? unitSelect(tree, {
    id: "plan-unit", value: own ? "" : unit, levels: ["district", "commune"], empty: me.unit.name,
    label: t("plan.unit"), search: t("plan.unit_search"), onchange: (u) => go(year, u || me.unit.code) }) : null;
  const scoped = (path) => (own ? path : `${path}${path.includes("?") ? "&" : "?"}unit=${encodeURIComponent(unit)}`);
  const years = [...new Set([year - 1, year, year + 1, new Date().getFullYear(), ...data.years])].sort((a, b) => b - a);
  const picker = el("select", { id: "plan-year", "aria-label": t("plan.year"), onchange: (e) => go(e.target.value) },
    years.map((y) => el("option", { value: y, selected: y === year }, String(y))));
  // Copy from a year that has a plan: the latest one before this year by default.
  const sources = data.years.filter((y) => y !== year);
  const from = el("select", { id: "plan-copy-from", "aria-label": t("plan.copy_from") },
    sources.map((y) => el("option", { value: y, selected: y === (sources.find((s) => s < year) ?? sources[0]) }, String(y))));
  const copy = el("button", { type: "button", class: "secondary", id: "plan-copy", disabled: !sources.length, onclick: async () => {
    error.textContent = "";
    try {
      const done = await api("/api/reports/targets/copy", { method: "POST",
        body: { from_year: Number(from.value), to_year: year, ...(own ? {} : { unit }) } });
      await renderPlan(view, { me, params: query.toString(), shell });
      toast(t("plan.copied", { n: done.created.length, kept: done.kept.length, from: from.value }), "ok");
    } catch (err) {
      error.textContent = say(err);
    }
  } }, t("plan.copy"));
  const out = el("div", { id: "plan-upload-result" });
  const file = el("input", { type: "file", id: "plan-file", accept: ".xlsx," + XLSX });
  const send = async (dryRun) => {
    const chosen = file.files[0];
    if (!chosen) return toast(t("plan.choose_file"), "warn");
    try {
      const result = await api(scoped(`/api/reports/targets/${year}/import?dry_run=${dryRun}`), { method: "POST", raw: chosen,
        headers: { "Content-Type": XLSX } });
      out.replaceChildren(preview(result, () => send(false)));
      if (!dryRun) renderPlan(view, { me, params: query.toString(), shell }).then(() =>
        view.querySelector("#plan-upload-result")?.replaceChildren(preview(result)));
    } catch (err) {
      out.replaceChildren(el("p", { class: "error", role: "alert" }, say(err)));
    }
  };
  file.addEventListener("change", () => send(true));
  shell(view, "plan", el("section", { class: "card" },
    el("h2", {}, t("plan.title", { year })),
    el("p", { class: "muted", id: "plan-intro" }, t("plan.intro", { unit: unitName })),
    el("div", { class: "filters" }, picker, pickUnit ? pickUnit.wrap : null),
    sources.length ? el("div", { class: "filters" }, el("label", { for: "plan-copy-from" }, t("plan.copy_from")), from, copy)
      : el("p", { class: "muted" }, t("plan.no_source")),
    el("div", { class: "actions" },
      el("a", { class: "button secondary", id: "plan-download", href: scoped(`/api/reports/targets/${year}.xlsx`), download: "" }, t("plan.download")),
    ),
    el("label", { for: "plan-file" }, t("plan.upload")), file,
    out, error),
  el("ul", { class: "plain", id: "plan-rows" }, data.indicators.map((entry) => row(entry, have.get(entry.code), { year, unit, error }))),
  el("p", {}, el("a", { href: scoped(`#/dashboard?year=${year}`), id: "plan-dashboard" },
    t("plan.to_dashboard", { year }))));
}
