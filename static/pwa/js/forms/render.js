// Renders a form definition into DOM controls bound to `record.answers`. On a change,
// only the questions whose rules (relevant, required_if) read the changed answer are
// evaluated again, and the page is touched only where a result changed; an answer to a
// question that stops applying is cleared (so what is sent always passes the server's
// `relevant` rule), and what reads that answer follows.
import { el, toast, lbl } from "../ui.js";
import { t, hasKey } from "../i18n/index.js";
import { conditionFields, isAnswered, isRelevant, isRequired, scopeLookup } from "./validate.js";
import { unitSelect } from "../units.js";

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

// `form`: what the functions below share, with each field drawn so far by its path.
// onChange: an answer changed; onCounts: what a count of answered questions reads changed
// (an answer given or emptied, a question shown or hidden), not on every key.
export function renderForm(definition, record, { lang, units = [], onChange, onCounts, onPhoto, photoUrl }) {
  // readers: answer name -> paths of the drawn questions whose rules read it (a name, not
  // a path: a row's rule may read the row's answer or one above it; evaluating one more
  // question than needed is harmless).
  const form = { definition, record, lang, units, onChange, onCounts, onPhoto, photoUrl, wrappers: new Map(),
    readers: new Map(), node: null };
  form.node = el("div", { class: "form-fields" },
    definition.fields.map((spec) => field(form, spec, record.answers, "", null, definition.fields)));
  queueMicrotask(() => applyRelevance(form));
  return { node: form.node, showErrors: (errors) => showErrors(form, errors),
    firstInvalid: () => form.node.querySelector(".field.invalid") };
}

function field(form, spec, scope, prefix, outer, siblings) {
  const path = prefix + spec.name;
  const id = `f${++uid}`;
  const errorId = `${id}-error`;
  const requiredMark = el("span", { class: "req" });
  const input = control(form, spec, scope, id);
  const hint = spec.hint ? el("p", { class: "hint", id: `${id}-hint` }, lbl(spec.hint, form.lang)) : null;
  const error = el("p", { class: "field-error", id: errorId, role: "alert", hidden: true });
  const target = input.matches?.("input, select, textarea") ? input : input.querySelector?.("input, select, textarea");
  target?.setAttribute("aria-describedby", [hint && `${id}-hint`, errorId].filter(Boolean).join(" "));
  // A question of the form (not a row's) is a <form> of its own: on every key Chrome's
  // autofill reads the form that owns the field typed into, each of its controls (85 in
  // the activity form, a forced style update each: a third of a key's time); its own
  // question's are a few. Enter in it sends nothing.
  const wrapper = el(prefix ? "div" : "form", { class: `field type-${spec.type}`, "data-path": path,
    novalidate: prefix ? null : true, onsubmit: prefix ? null : (e) => e.preventDefault() },
  heading(form, spec, id, requiredMark), hint, input, error);
  form.wrappers.set(path, { wrapper, spec, scope, requiredMark, error, input: target,
    lookup: scopeLookup(siblings, scope, outer), mark: "", errorText: "" });
  for (const name of readsOf(spec)) {
    if (!form.readers.has(name)) form.readers.set(name, new Set());
    form.readers.get(name).add(path);
  }
  return wrapper;
}

// One control has a <label for>; a group of them, a labelled div.
function heading(form, spec, id, requiredMark) {
  const text = [lbl(spec.label, form.lang), " ", requiredMark];
  return spec.type === "repeat" || spec.type === "select_multiple" || asRadios(form.definition, spec)
    ? el("div", { class: "label", id: `${id}-label` }, ...text)
    : el("label", { for: id, id: `${id}-label` }, ...text);
}

// Yes/no or a choice of a few: radio buttons; a longer choice: a <select>.
function asRadios(definition, spec) {
  return spec.type === "yes_no"
    || (spec.type === "select_one" && definition.choice_lists[spec.choices].choices.length <= RADIO_LIMIT);
}

function setValue(form, scope, name, value) {
  const had = isAnswered(scope[name]);
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) {
    delete scope[name];
  } else {
    scope[name] = value;
  }
  if (isAnswered(scope[name]) !== had) form.onCounts?.();
  applyRelevance(form, name);
  form.onChange?.();
}

function control(form, spec, scope, id) {
  const draw = CONTROLS[spec.type];
  return draw ? draw(form, spec, scope, id) : el("span", {}, spec.type);
}

function textInput(form, spec, scope, id) {
  return el("input", { id, type: "text", value: scope[spec.name] ?? "", maxlength: spec.max_length || 500,
    oninput: (e) => setValue(form, scope, spec.name, e.target.value) });
}

function longText(form, spec, scope, id) {
  const area = el("textarea", { id, rows: 4, maxlength: spec.max_length || 5000,
    oninput: (e) => setValue(form, scope, spec.name, e.target.value) });
  area.value = scope[spec.name] ?? "";
  return area;
}

function integerInput(form, spec, scope, id) {
  return el("input", { id, type: "text", inputmode: "numeric", autocomplete: "off",
    value: scope[spec.name] ?? "", oninput: (e) => {
      const text = e.target.value.trim();
      setValue(form, scope, spec.name, /^-?\d{1,15}$/.test(text) ? Number(text) : text);
    } });
}

function dateInput(form, spec, scope, id) {
  return el("input", { id, type: "date", value: scope[spec.name] ?? "",
    onchange: (e) => setValue(form, scope, spec.name, e.target.value) });
}

// A retired choice is not offered for a new answer; a record that has it still shows it.
function offered(choices, kept) {
  return choices.filter((c) => !c.retired || kept(c.value));
}

function choiceOne(form, spec, scope, id) {
  const value = scope[spec.name];
  const options = spec.type === "yes_no"
    ? [{ value: true, label: { vi: t("common.yes"), en: t("common.yes") } },
      { value: false, label: { vi: t("common.no"), en: t("common.no") } }]
    : offered(form.definition.choice_lists[spec.choices].choices, (v) => v === value);
  if (asRadios(form.definition, spec)) {
    return el("div", { class: "choices", role: "radiogroup", "aria-labelledby": `${id}-label` },
      options.map((o, i) => el("label", { class: "choice" },
        el("input", { type: "radio", name: id, id: i === 0 ? id : null, value: String(o.value), checked: value === o.value,
          onchange: () => setValue(form, scope, spec.name, o.value) }),
        el("span", {}, lbl(o.label, form.lang)))));
  }
  return el("select", { id, onchange: (e) => setValue(form, scope, spec.name, e.target.value) },
    el("option", { value: "" }, t("form.choose")),
    options.map((o) => el("option", { value: o.value, selected: value === o.value }, lbl(o.label, form.lang))));
}

// The answer keeps the choice list's order, not the taps'.
function choiceMany(form, spec, scope, id) {
  const choices = form.definition.choice_lists[spec.choices].choices;
  const chosen = new Set(Array.isArray(scope[spec.name]) ? scope[spec.name] : []);
  return el("div", { class: "choices", role: "group", "aria-labelledby": `${id}-label` },
    offered(choices, (v) => chosen.has(v)).map((o, i) => el("label", { class: "choice" },
      el("input", { type: "checkbox", id: i === 0 ? id : null, value: o.value, checked: chosen.has(o.value),
        onchange: (e) => {
          const now = new Set(Array.isArray(scope[spec.name]) ? scope[spec.name] : []);
          if (e.target.checked) now.add(o.value); else now.delete(o.value);
          setValue(form, scope, spec.name, choices.map((c) => c.value).filter((v) => now.has(v)));
        } }),
      el("span", {}, lbl(o.label, form.lang)))));
}

function unitPicker(form, spec, scope, id) {
  return unitSelect(form.units, { id, value: scope[spec.name], levels: spec.levels || ["commune"],
    empty: t("form.choose"), search: t("units.search"),
    onchange: (value) => setValue(form, scope, spec.name, value) }).wrap;
}

function repeat(form, spec, scope, id) {
  const box = el("div", { class: "repeat", id });
  function draw() {
    const rows = Array.isArray(scope[spec.name]) ? scope[spec.name] : [];
    box.replaceChildren(
      ...rows.map((row, i) => el("fieldset", { class: "row" },
        el("legend", {}, t("form.row", { n: i + 1 })),
        spec.fields.map((sub) => field(form, sub, row, `${spec.name}.${i}.`, scope, spec.fields)),
        el("button", { type: "button", class: "secondary small", onclick: () => {
          rows.splice(i, 1);
          setValue(form, scope, spec.name, rows);
          draw();
        } }, t("form.remove_row")))),
      el("button", { type: "button", class: "secondary", onclick: () => {
        const next = [...rows, {}];
        setValue(form, scope, spec.name, next);
        draw();
      } }, t("form.add_row")));
    applyRelevance(form);
  }
  queueMicrotask(draw);
  return box;
}

function photos(form, spec, scope, id) {
  const { record } = form;
  const box = el("div", { class: "photos" });
  const thumbs = el("div", { class: "thumbs" });
  async function draw() {
    const list = Array.isArray(scope[spec.name]) ? scope[spec.name] : [];
    thumbs.replaceChildren(...await Promise.all(list.map(async (digest) => el("figure", {},
      el("img", { src: await form.photoUrl(digest), alt: lbl(spec.label, form.lang), width: 96, height: 96 }),
      el("button", { type: "button", class: "secondary small", onclick: () => {
        setValue(form, scope, spec.name, list.filter((d) => d !== digest));
        record.attachments = (record.attachments || []).filter((d) => d !== digest);
        form.onChange?.();
        draw();
      } }, t("form.remove_photo"))))));
  }
  async function picked(event) {
    for (const file of event.target.files) {
      try {
        const digest = await form.onPhoto(file);
        const list = Array.isArray(scope[spec.name]) ? scope[spec.name] : [];
        if (!list.includes(digest)) {
          record.attachments = [...new Set([...(record.attachments || []), digest])];
          setValue(form, scope, spec.name, [...list, digest]);
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

const CONTROLS = { text: textInput, long_text: longText, integer: integerInput, date: dateInput,
  select_one: choiceOne, yes_no: choiceOne, select_multiple: choiceMany, unit: unitPicker, repeat, photo: photos };

// The answer names a question's rules read, worked out once per question of a definition.
const READS = new WeakMap();
function readsOf(spec) {
  if (!READS.has(spec)) READS.set(spec, new Set([...conditionFields(spec.relevant), ...conditionFields(spec.required_if)]));
  return READS.get(spec);
}

// `changed`: the name of the answer that changed (only its readers are evaluated), or
// none to evaluate every drawn question (first drawing, rows added or removed). Fields
// gone from the screen (a removed row) are dropped from form.wrappers.
function applyRelevance(form, changed) {
  const cleared = [];
  if (changed === undefined) {
    for (const [path, w] of form.wrappers) {
      if (!form.node.contains(w.wrapper)) { form.wrappers.delete(path); continue; }
      if (evaluateField(form, w)) cleared.push(w.spec.name);
    }
    form.onCounts?.();  // every question looked at again (first drawing, a repeat's rows)
  } else {
    cleared.push(changed);
  }
  const done = new Set();
  while (cleared.length) {
    const name = cleared.pop();
    if (done.has(name)) continue;
    done.add(name);
    for (const path of form.readers.get(name) || []) {
      const w = form.wrappers.get(path);
      if (!w) continue;
      if (!form.node.contains(w.wrapper)) { form.wrappers.delete(path); continue; }
      if (evaluateField(form, w)) cleared.push(w.spec.name);
    }
  }
}

// One question's relevance and required mark, written only where they changed; true when
// its answer was cleared (it stopped applying).
function evaluateField(form, w) {
  const relevant = isRelevant(w.spec, w.lookup);
  if (w.wrapper.hidden !== !relevant) {
    w.wrapper.hidden = !relevant;
    form.onCounts?.();
  }
  let cleared = false;
  if (!relevant && w.spec.name in w.scope) {
    delete w.scope[w.spec.name];
    resetControl(w);
    form.onCounts?.();
    cleared = true;
  }
  const mark = relevant && isRequired(w.spec, w.lookup) ? t("form.required_mark") : "";
  if (w.mark !== mark) {
    w.requiredMark.textContent = mark;
    w.mark = mark;
  }
  return cleared;
}

function resetControl(w) {
  for (const input of w.wrapper.querySelectorAll("input, select, textarea")) {
    if (input.type === "radio" || input.type === "checkbox") input.checked = false;
    else if (input.type !== "file") input.value = "";
  }
}

// Each error under its field or the nearest drawn one above; returns those with none.
// Only the fields whose text changed are touched (this runs on every key once she has
// tried to send).
function showErrors(form, errors) {
  const texts = new Map();
  const unplaced = [];
  for (const error of errors) {
    const w = form.wrappers.get(drawnPath(form, error.field));
    if (!w) { unplaced.push(error); continue; }
    const text = errorText(error, form.definition, form.lang);
    texts.set(w, texts.has(w) ? `${texts.get(w)} ${text}` : text);
  }
  for (const w of form.wrappers.values()) setError(w, texts.get(w) || "");
  return unplaced;
}

function drawnPath(form, path) {
  while (path && !form.wrappers.has(path)) path = path.includes(".") ? path.slice(0, path.lastIndexOf(".")) : "";
  return path;
}

function setError(w, text) {
  if (w.errorText === text) return;
  w.errorText = text;
  w.error.hidden = !text;
  w.error.textContent = text;
  w.wrapper.classList.toggle("invalid", Boolean(text));
  if (text) w.input?.setAttribute("aria-invalid", "true");
  else w.input?.removeAttribute("aria-invalid");
}
