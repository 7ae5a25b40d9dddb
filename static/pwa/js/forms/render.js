// Renders a form definition into DOM controls bound to `record.answers`. Relevance is
// re-evaluated on every change; an answer to a question that stops applying is cleared
// (so what is sent always passes the server's `relevant` rule).
import { el, toast } from "../ui.js";
import { t, hasKey } from "../i18n/index.js";
import { lbl } from "../text.js";
import { isRelevant, isRequired, scopeLookup } from "./validate.js";

const RADIO_LIMIT = 6;
let uid = 0;

export function errorText(error, definition, lang) {
  if (error.check?.message) return lbl(error.check.message, lang);
  const check = (definition.checks || []).find((c) => c.code === error.code && c.field === error.field);
  if (check?.message) return lbl(check.message, lang);
  const spec = findSpec(definition, error.field);
  if (error.code === "field.invalid_type" && spec?.type === "integer") return t("error.field.not_integer");
  const key = `error.${error.code}`;
  if (hasKey(key)) return t(key, { min: spec?.min ?? "", max: spec?.max ?? "" });
  return error.message || error.code;
}

export function findSpec(definition, path) {
  let specs = definition.fields;
  let spec = null;
  for (const part of String(path).split(".")) {
    if (/^\d+$/.test(part)) continue;
    spec = specs.find((s) => s.name === part);
    if (!spec) return null;
    specs = spec.fields || [];
  }
  return spec;
}

export function renderForm(definition, record, { lang, units = [], onChange, onPhoto, photoUrl }) {
  const answers = record.answers;
  const wrappers = new Map();

  function changed() {
    applyRelevance();
    onChange?.();
  }

  function setValue(scope, name, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) {
      delete scope[name];
    } else {
      scope[name] = value;
    }
    changed();
  }

  function control(spec, scope, id) {
    const value = scope[spec.name];
    const type = spec.type;
    if (type === "text") {
      return el("input", { id, type: "text", value: value ?? "", maxlength: spec.max_length || 500,
        oninput: (e) => setValue(scope, spec.name, e.target.value) });
    }
    if (type === "long_text") {
      const area = el("textarea", { id, rows: 4, maxlength: spec.max_length || 5000,
        oninput: (e) => setValue(scope, spec.name, e.target.value) });
      area.value = value ?? "";
      return area;
    }
    if (type === "integer") {
      return el("input", { id, type: "text", inputmode: "numeric", autocomplete: "off",
        value: value ?? "", oninput: (e) => {
          const text = e.target.value.trim();
          setValue(scope, spec.name, /^-?\d{1,15}$/.test(text) ? Number(text) : text);
        } });
    }
    if (type === "date") {
      return el("input", { id, type: "date", value: value ?? "",
        onchange: (e) => setValue(scope, spec.name, e.target.value) });
    }
    if (type === "select_one" || type === "yes_no") {
      const options = type === "yes_no"
        ? [{ value: true, label: { vi: t("common.yes"), en: t("common.yes") } },
          { value: false, label: { vi: t("common.no"), en: t("common.no") } }]
        : definition.choice_lists[spec.choices].choices;
      if (options.length <= RADIO_LIMIT) {
        return el("div", { class: "choices", role: "radiogroup", "aria-labelledby": `${id}-label` },
          options.map((o, i) => el("label", { class: "choice" },
            el("input", { type: "radio", name: id, id: i === 0 ? id : null, value: String(o.value), checked: value === o.value,
              onchange: () => setValue(scope, spec.name, o.value) }),
            el("span", {}, lbl(o.label, lang)))));
      }
      const select = el("select", { id, onchange: (e) => setValue(scope, spec.name, e.target.value) },
        el("option", { value: "" }, t("form.choose")),
        options.map((o) => el("option", { value: o.value, selected: value === o.value }, lbl(o.label, lang))));
      return select;
    }
    if (type === "select_multiple") {
      const chosen = new Set(Array.isArray(value) ? value : []);
      return el("div", { class: "choices", role: "group", "aria-labelledby": `${id}-label` },
        definition.choice_lists[spec.choices].choices.map((o, i) => el("label", { class: "choice" },
          el("input", { type: "checkbox", id: i === 0 ? id : null, value: o.value, checked: chosen.has(o.value),
            onchange: (e) => {
              const now = new Set(Array.isArray(scope[spec.name]) ? scope[spec.name] : []);
              if (e.target.checked) now.add(o.value); else now.delete(o.value);
              const order = definition.choice_lists[spec.choices].choices.map((c) => c.value);
              setValue(scope, spec.name, order.filter((v) => now.has(v)));
            } }),
          el("span", {}, lbl(o.label, lang)))));
    }
    if (type === "unit") {
      const levels = spec.levels || ["commune"];
      const groups = units.map((d) => {
        const options = [];
        if (levels.includes("district")) options.push(d);
        if (levels.includes("commune")) options.push(...d.children);
        return el("optgroup", { label: d.name }, options.map((u) =>
          el("option", { value: u.code, selected: value === u.code }, u.name)));
      });
      return el("select", { id, onchange: (e) => setValue(scope, spec.name, e.target.value) },
        el("option", { value: "" }, t("form.choose")), groups);
    }
    if (type === "repeat") return repeat(spec, scope, id);
    if (type === "photo") return photos(spec, scope, id);
    return el("span", {}, type);
  }

  function repeat(spec, scope, id) {
    const box = el("div", { class: "repeat", id });
    function draw() {
      const rows = Array.isArray(scope[spec.name]) ? scope[spec.name] : [];
      box.replaceChildren(
        ...rows.map((row, i) => el("fieldset", { class: "row" },
          el("legend", {}, t("form.row", { n: i + 1 })),
          spec.fields.map((sub) => field(sub, row, `${spec.name}.${i}.`, scope, spec.fields)),
          el("button", { type: "button", class: "secondary small", onclick: () => {
            rows.splice(i, 1);
            setValue(scope, spec.name, rows);
            draw();
          } }, t("form.remove_row")))),
        el("button", { type: "button", class: "secondary", onclick: () => {
          const next = [...rows, {}];
          setValue(scope, spec.name, next);
          draw();
        } }, t("form.add_row")));
      applyRelevance();
    }
    queueMicrotask(draw);
    return box;
  }

  function photos(spec, scope, id) {
    const box = el("div", { class: "photos" });
    const thumbs = el("div", { class: "thumbs" });
    async function draw() {
      const list = Array.isArray(scope[spec.name]) ? scope[spec.name] : [];
      thumbs.replaceChildren(...await Promise.all(list.map(async (digest) => el("figure", {},
        el("img", { src: await photoUrl(digest), alt: lbl(spec.label, lang), width: 96, height: 96 }),
        el("button", { type: "button", class: "secondary small", onclick: () => {
          setValue(scope, spec.name, list.filter((d) => d !== digest));
          record.attachments = (record.attachments || []).filter((d) => d !== digest);
          onChange?.();
          draw();
        } }, t("form.remove_photo"))))));
    }
    async function picked(event) {
      for (const file of event.target.files) {
        try {
          const digest = await onPhoto(file);
          const list = Array.isArray(scope[spec.name]) ? scope[spec.name] : [];
          if (!list.includes(digest)) {
            record.attachments = [...new Set([...(record.attachments || []), digest])];
            setValue(scope, spec.name, [...list, digest]);
          }
        } catch {
          toast(t("form.photo_failed"), "error");
        }
      }
      event.target.value = "";
      draw();
    }
    const camera = el("input", { type: "file", accept: "image/*", capture: "environment", id, class: "visually-hidden", onchange: picked });
    const gallery = el("input", { type: "file", accept: "image/*", multiple: true, id: `${id}-gallery`, class: "visually-hidden", onchange: picked });
    box.append(thumbs,
      el("div", { class: "actions" },
        el("label", { for: id, class: "button secondary" }, t("form.take_photo")), camera,
        el("label", { for: `${id}-gallery`, class: "button secondary" }, t("form.pick_photo")), gallery));
    draw();
    return box;
  }

  function field(spec, scope, prefix, outer, siblings) {
    const path = prefix + spec.name;
    const id = `f${++uid}`;
    const errorId = `${id}-error`;
    const requiredMark = el("span", { class: "req" });
    const heading = spec.type === "repeat" || spec.type === "select_multiple"
      || ((spec.type === "select_one" || spec.type === "yes_no") && (spec.type === "yes_no"
        || definition.choice_lists[spec.choices].choices.length <= RADIO_LIMIT))
      ? el("div", { class: "label", id: `${id}-label` }, lbl(spec.label, lang), " ", requiredMark)
      : el("label", { for: id, id: `${id}-label` }, lbl(spec.label, lang), " ", requiredMark);
    const input = control(spec, scope, id);
    const hint = spec.hint ? el("p", { class: "hint", id: `${id}-hint` }, lbl(spec.hint, lang)) : null;
    const error = el("p", { class: "field-error", id: errorId, role: "alert", hidden: true });
    const target = input.matches?.("input, select, textarea") ? input : input.querySelector?.("input, select, textarea");
    target?.setAttribute("aria-describedby", [hint && `${id}-hint`, errorId].filter(Boolean).join(" "));
    const wrapper = el("div", { class: `field type-${spec.type}`, "data-path": path }, heading, hint, input, error);
    wrappers.set(path, { wrapper, spec, scope, outer, siblings, requiredMark, error, input: target });
    return wrapper;
  }

  function applyRelevance() {
    for (const [path, w] of wrappers) {
      if (!node.contains(w.wrapper)) { wrappers.delete(path); continue; }
      const lookup = scopeLookup(w.siblings, w.scope, w.outer);
      const relevant = isRelevant(w.spec, lookup);
      w.wrapper.hidden = !relevant;
      if (!relevant && w.spec.name in w.scope) {
        delete w.scope[w.spec.name];
        resetControl(w);
      }
      w.requiredMark.textContent = relevant && isRequired(w.spec, lookup) ? t("form.required_mark") : "";
    }
  }

  function resetControl(w) {
    for (const input of w.wrapper.querySelectorAll("input, select, textarea")) {
      if (input.type === "radio" || input.type === "checkbox") input.checked = false;
      else if (input.type !== "file") input.value = "";
    }
  }

  const node = el("div", { class: "form-fields" },
    definition.fields.map((spec) => field(spec, answers, "", null, definition.fields)));
  queueMicrotask(applyRelevance);

  function showErrors(errors) {
    for (const w of wrappers.values()) { w.error.hidden = true; w.error.textContent = ""; w.wrapper.classList.remove("invalid"); w.input?.removeAttribute("aria-invalid"); }
    const unplaced = [];
    for (const error of errors) {
      let path = error.field;
      while (path && !wrappers.has(path)) path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
      const w = wrappers.get(path);
      if (!w) { unplaced.push(error); continue; }
      w.error.hidden = false;
      const text = errorText(error, definition, lang);
      w.error.textContent = w.error.textContent ? `${w.error.textContent} ${text}` : text;
      w.wrapper.classList.add("invalid");
      w.input?.setAttribute("aria-invalid", "true");
    }
    return unplaced;
  }

  function firstInvalid() {
    return node.querySelector(".field.invalid");
  }

  return { node, showErrors, firstInvalid, refresh: applyRelevance };
}
