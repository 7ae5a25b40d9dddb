// Province administrators: a form's value lists on screen (add, relabel, retire a
// choice) or its XLSForm sheet downloaded and uploaded back; the server's plain-language
// preview and refusals first, then publish. Loaded only when she opens it.
import { api, ApiProblem } from "../api.js";
import { t, addTexts, currentLang } from "../i18n/index.js";
import texts from "../i18n/forms-admin.js";
import { el, toast, lbl } from "../ui.js";
import { currentDefinitions, refreshDefinitions } from "../forms/definition.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
addTexts(texts);

// A list is named by the question that uses it.
function listTitle(definition, name, lang) {
  const walk = (specs) => {
    for (const spec of specs) {
      if (spec.choices === name) return lbl(spec.label, lang);
      const inner = spec.fields && walk(spec.fields);
      if (inner) return inner;
    }
    return null;
  };
  return walk(definition.fields) || name;
}

export async function renderFormsAdmin(view, { params }) {
  const lang = currentLang();
  const query = new URLSearchParams(params);
  await refreshDefinitions();
  const definitions = await currentDefinitions();
  const definition = definitions.find((d) => d.form === query.get("form")) || definitions[0];
  if (!definition) {
    view.replaceChildren(el("p", { class: "card warn" }, t("review.offline")));
    return;
  }
  // What would be published: the JSON she edits on screen, or the sheet she uploaded.
  const draft = structuredClone(definition);
  let pending = null;
  const preview = el("div", { id: "forms-preview", "aria-live": "polite" });
  const publishButton = el("button", { type: "button", id: "forms-publish", disabled: true,
    onclick: () => send(false) }, t("formsadmin.publish"));

  const body = () => pending || { body: draft };
  async function send(dryRun) {
    const { body: json, raw } = body();
    const url = `/api/forms/${definition.form}/versions${dryRun ? "?dry_run=true" : ""}`;
    try {
      const answer = raw
        ? await api(url, { method: "POST", raw, headers: { "Content-Type": XLSX } })
        : await api(url, { method: "POST", body: json });
      if (dryRun) return show(answer.changes, answer.refusals);
      toast(t("formsadmin.published", { version: answer.version }), "ok");
      await refreshDefinitions();
      location.hash = `#/forms-admin?form=${definition.form}&v=${answer.version}`;
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      show(err.body?.changes || [], err.body?.errors || [], err.body?.detail || err.body?.title);
    }
  }

  function show(changes, refusals, note) {
    publishButton.disabled = !changes.length || refusals.length > 0;
    preview.replaceChildren(...[
      note ? el("p", { class: "card warn", id: "forms-note" }, note) : null,
      el("h3", {}, t("formsadmin.changes")),
      changes.length ? el("ul", { id: "forms-changes" }, changes.map((c) => el("li", {}, c)))
        : el("p", { class: "muted" }, t("formsadmin.no_changes")),
      refusals.length ? el("h3", {}, t("formsadmin.refusals")) : null,
      refusals.length ? el("ul", { id: "forms-refusals", class: "problems" },
        refusals.map((r) => el("li", {}, r.message || r.code))) : null].filter(Boolean));
  }

  const listNames = Object.keys(draft.choice_lists || {});
  let listName = query.get("list") && draft.choice_lists[query.get("list")] ? query.get("list") : listNames[0];
  const choicesBox = el("div", { id: "forms-choices" });
  function choiceRow(c) {
    const text = (lang2, cls) => el("input", { type: "text", class: cls, value: c.label[lang2],
      "aria-label": `${t(`formsadmin.label_${lang2}`)} ${c.value}`,
      oninput: (e) => { c.label = { ...c.label, [lang2]: e.target.value }; pending = null; } });
    const retired = el("input", { type: "checkbox", class: "choice-retired", checked: Boolean(c.retired),
      onchange: (e) => {
        if (e.target.checked) c.retired = true; else delete c.retired;
        pending = null;
      } });
    return el("fieldset", { class: "choice-edit", "data-value": c.value }, el("legend", {}, c.value),
      text("vi", "choice-vi"), text("en", "choice-en"),
      el("label", { class: "choice small" }, retired, t("formsadmin.retired")));
  }
  function drawChoices() {
    choicesBox.replaceChildren(...draft.choice_lists[listName].choices.map(choiceRow));
  }
  const newValue = el("input", { type: "text", id: "new-choice-value", placeholder: "vd: chien_dich_2026",
    autocomplete: "off", "aria-label": t("formsadmin.value") });
  const newVi = el("input", { type: "text", id: "new-choice-vi", "aria-label": t("formsadmin.label_vi"),
    placeholder: t("formsadmin.label_vi") });
  const newEn = el("input", { type: "text", id: "new-choice-en", "aria-label": t("formsadmin.label_en"),
    placeholder: t("formsadmin.label_en") });
  const addChoice = () => {
    const value = newValue.value.trim();
    if (!value) return toast(t("formsadmin.value_needed"), "warn");
    draft.choice_lists[listName].choices.push({ value, label: { vi: newVi.value.trim(), en: newEn.value.trim() } });
    pending = null;
    newValue.value = newVi.value = newEn.value = "";
    drawChoices();
  };
  drawChoices();

  const upload = el("input", { type: "file", id: "forms-upload", accept: `.xlsx,${XLSX}`,
    "aria-label": t("formsadmin.upload"), onchange: async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      pending = { raw: await file.arrayBuffer() };
      await send(true);
    } });

  view.replaceChildren(el("section", { class: "card", id: "forms-admin" },
    el("h2", {}, t("formsadmin.title")),
    el("label", {}, t("formsadmin.form"), el("select", { id: "forms-pick",
      onchange: (e) => { location.hash = `#/forms-admin?form=${e.target.value}`; } },
    definitions.map((d) => el("option", { value: d.form, selected: d.form === definition.form }, lbl(d.title, lang))))),
    el("p", { id: "forms-version" }, t("formsadmin.version", { version: definition.version })),
    el("h3", {}, t("formsadmin.sheet")),
    el("p", { class: "muted" }, t("formsadmin.sheet_help")),
    el("div", { class: "actions" },
      el("a", { class: "button secondary", id: "forms-download", download: `${definition.form}.v${definition.version}.xlsx`,
        href: `/api/forms/${definition.form}/${definition.version}.xlsx` }, t("formsadmin.download"))),
    el("label", {}, t("formsadmin.upload"), upload),
    el("h3", {}, t("formsadmin.lists")),
    el("label", {}, t("formsadmin.list"), el("select", { id: "forms-list", onchange: (e) => {
      listName = e.target.value;
      drawChoices();
    } }, listNames.map((n) => el("option", { value: n, selected: n === listName }, listTitle(draft, n, lang))))),
    choicesBox,
    el("fieldset", { id: "forms-add" }, el("legend", {}, t("formsadmin.add")), newValue, newVi, newEn,
      el("button", { type: "button", class: "secondary", id: "forms-add-choice", onclick: addChoice }, t("formsadmin.add"))),
    el("div", { class: "actions" },
      el("button", { type: "button", id: "forms-preview-button", onclick: () => send(true) }, t("formsadmin.preview")),
      publishButton),
    preview));
}
