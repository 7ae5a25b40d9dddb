// Filling a form: rendered from its definition, saved as she types (at most a second
// behind), validated with the same rules as the server, sent to the outbox with "Gửi".
import { t, currentLang } from "../i18n/index.js";
import { el, toast, ask, lbl } from "../ui.js";
import { definitionFor } from "../forms/definition.js";
import { renderForm, errorText, findSpec } from "../forms/render.js";
import { sectionize, keepAboveBar } from "../forms/sections.js";
import { isAnswered, validate } from "../forms/validate.js";
import { discardDraft, enqueue, getRecord, neverAccepted, opensInForm, putRecord, saveDraft } from "../outbox.js";
import { api } from "../api.js";
import { drain } from "../sync.js";
import { addPhoto, photoUrl } from "../photos.js";
import { unitTree } from "../units.js";

// Typing is written to the phone at most SAVE_MS after it (so a tab the browser kills
// loses at most the last second), at once when she leaves a field, the screen or the app,
// and not on every key: one IndexedDB write per key cost more than the key itself.
const SAVE_MS = 1000;
// The forms drawn (a drawing that lost its turn is never shown): their writes of what is
// pending, by the form's node.
const unsaved = new Map();

// Writes what she typed in the open form now (route() calls it before leaving a screen).
export function saveTyping() {
  const writes = [];
  for (const [flush, node] of unsaved) {
    writes.push(flush());
    if (!node.isConnected) unsaved.delete(flush);  // left: this was its last write
  }
  return Promise.all(writes);
}

addEventListener("pagehide", () => { saveTyping(); });
document.addEventListener("visibilitychange", () => { if (document.hidden) saveTyping(); });

export async function renderFormView(view, { uuid, onSent, onLeave }) {
  const lang = currentLang();
  let record = await getRecord(uuid);
  if (!record) {
    // Opened from a notification before the phone synced: fetch, then look again.
    await drain();
    record = await getRecord(uuid);
  }
  if (!record) { onLeave(); return; }
  const definition = await definitionFor(record.form, record.version);
  if (!opensInForm(record)) { onLeave(`#/record/${uuid}`); return; }
  if (record.sensitive && record.answers === undefined) {
    // A sent incident is a stub on the phone: to correct it, open it online (logged).
    try {
      Object.assign(record, await openOnline(uuid, "form"));
    } catch {
      view.replaceChildren(el("p", { class: "card warn", id: "needs-network" }, t("incident.needs_network")));
      return;
    }
    await putRecord(record);
  }

  let saving = Promise.resolve();
  let dirty = false;
  let timer = null;
  const status = el("p", { class: "muted small", id: "save-status", "aria-live": "polite" });
  // An ordinary draft's write starts at once (IndexedDB keeps the order of writes, and a
  // write begun in `pagehide` is kept); a sealed one waits for the one before it and its
  // encryption. "Saved" shows once the last change is written.
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    if (!dirty) return saving;
    dirty = false;
    const write = record.sensitive ? saving.then(() => saveDraft(record)) : saveDraft(record);
    saving = write.then(() => { if (!dirty) status.textContent = t("form.saved"); });
    return saving;
  };
  const drop = () => { clearTimeout(timer); timer = null; dirty = false; };
  // The progress lines are counted again only when what they count changed (not per key),
  // in the next frame: a repeat's rows and photos change them with no input event. Only
  // counted: the errors shown (the server's, on a returned record) stay until she edits.
  let recount = true;
  let countFrame = null;
  const form = renderForm(definition, record, {
    lang, units: await unitTree(), onPhoto: addPhoto, photoUrl,
    onCounts: () => {
      recount = true;
      countFrame ??= requestAnimationFrame(() => { countFrame = null; if (recount) countProgress(); });
    },
    onChange: () => {
      if (status.textContent) status.textContent = "";
      dirty = true;
      timer ??= setTimeout(flush, SAVE_MS);
    },
  });
  form.node.addEventListener("focusout", flush);
  unsaved.set(flush, form.node);
  let showing = false;
  const summary = el("div", { class: "error-summary", id: "error-summary", role: "alert", hidden: true });
  const labelOf = (wrapper) => lbl(findSpec(definition, wrapper.dataset.path)?.label, lang);
  // A supervisor's comment on a question stands beside that question.
  for (const [path, comment] of Object.entries(record.server_status === "returned" ? record.review?.field_comments || {} : {})) {
    const wrapper = form.node.querySelector(`[data-path="${CSS.escape(path)}"]`);
    wrapper?.firstElementChild?.after(el("p", { class: "field-comment", role: "note" },
      el("strong", {}, `${t("form.reviewer_note")}: `), comment));
  }
  const sections = sectionize(form.node, record.answers, labelOf);
  const progress = el("p", { class: "muted small", id: "form-progress", "aria-live": "polite" });
  // The form's own questions (not those inside a repeat's rows): drawn once.
  const questions = [...form.node.querySelectorAll(".field[data-path]")]
    .filter((f) => !f.closest(".repeat") && f.parentElement.closest(".field") === null);
  function countProgress() {
    recount = false;
    const shown = questions.filter((f) => !f.hidden);
    const done = shown.filter((f) => isAnswered(record.answers[f.dataset.path])).length;
    const text = t("form.progress", { done, total: shown.length });
    if (progress.textContent !== text) progress.textContent = text;
    sections.update();
  }
  const jumpToFirstError = () => {
    const first = form.firstInvalid();
    if (!first) return;
    sections.reveal(first);
    first.scrollIntoView({ block: "center" });
    first.querySelector("input, select, textarea")?.focus({ preventScroll: true });
  };

  let summaryKey = null;
  function show(errors) {
    const unplaced = form.showErrors(errors);
    const lines = unplaced.map((e) => `${e.field}: ${errorText(e, definition, lang)}`);
    const jump = Boolean(form.firstInvalid());
    const key = JSON.stringify([errors.length, lines, jump]);
    if (key !== summaryKey) {
      // Redrawn only when what it says changed (this runs as she types, after "Gửi").
      summaryKey = key;
      summary.hidden = errors.length === 0;
      summary.replaceChildren(el("p", {}, t("form.has_errors", { n: errors.length })),
        ...lines.map((line) => el("p", {}, line)),
        jump ? el("button", { type: "button", class: "secondary small", id: "jump-first-error", onclick: jumpToFirstError }, t("form.jump_first_error")) : null);
    }
    countProgress();
  }

  const send = el("button", { type: "button", id: "send", onclick: async () => {
    await flush();
    const errors = validate(definition, record.answers, record.attachments || []);
    showing = true;
    show(errors);
    if (errors.length) {
      jumpToFirstError();
      return;
    }
    await saveDraft(record);
    await enqueue(record.uuid);
    toast(t("form.queued"), "ok");
    onSent();
  } }, t("form.send"));

  const bar = el("div", { class: "actions sticky", id: "send-bar" }, send,
    el("button", { type: "button", class: "secondary", id: "save-exit", onclick: async () => { await flush(); onLeave(); } },
      t("form.save_exit")));

  // After "Gửi", every change revalidates (and recounts), once per frame however many keys
  // and events came in it; before it, the count frame above is all a change needs.
  let frame = null;
  const refresh = () => {
    if (!showing) return;
    frame ??= requestAnimationFrame(() => {
      frame = null;
      show(validate(definition, record.answers, record.attachments || []));
    });
  };
  form.node.addEventListener("input", refresh);
  form.node.addEventListener("change", refresh);

  const returned = record.server_status === "returned" && record.review
    ? el("section", { class: "card warn", id: "review-comment" },
      el("h3", {}, t("form.returned_comment")),
      el("p", { id: "review-comment-text" }, record.review.comment || ""),
      Object.entries(record.review.field_comments || {}).map(([f, c]) =>
        el("p", { class: "small" }, el("strong", {}, `${lbl(findSpec(definition, f)?.label, lang) || f}: `), c)),
      el("p", { class: "muted small" }, `${record.review.by} · ${record.review.unit?.name || ""}`))
    : null;

  view.replaceChildren(
    // Each question is its own <form> (render.js), so this is not one.
    el("div", { class: "card fill", id: "record-form" },
      el("h2", {}, lbl(definition.title, lang)),
      returned, progress, summary, form.node, status,
      neverAccepted(record) ? el("div", { class: "actions" },
        el("button", { type: "button", class: "secondary danger", id: "discard", onclick: async () => {
          if (await ask(t("form.discard_ask"), t("form.discard"))) {
            drop();
            await saving;
            await discardDraft(record.uuid);
            onLeave();
          }
        } }, t("form.discard"))) : null,
      bar));
  keepAboveBar(form.node, bar);
  queueMicrotask(countProgress);

  if (record.state === "rejected" && record.errors?.length) {
    showing = true;
    show(record.errors);
  }
}

// The server's copy of a sent sensitive record, for this screen only.
export async function openOnline(uuid, screen) {
  const detail = await api(`/api/submissions/${uuid}`, { headers: { "X-CSLP-Screen": screen } });
  return { answers: detail.answers, attachments: detail.attachments, base_revision: detail.revision,
    revision: detail.revision, review: detail.review, server_status: detail.status };
}
