// Filling a form: rendered from its definition, saved on every change, validated with
// the same rules as the server, sent to the outbox with "Gửi".
import { t, currentLang } from "../i18n/index.js";
import { el, toast, ask, lbl } from "../ui.js";
import { definitionFor } from "../forms/definition.js";
import { renderForm, errorText, findSpec } from "../forms/render.js";
import { validate } from "../forms/validate.js";
import { discardDraft, enqueue, getRecord, neverAccepted, opensInForm, putRecord, saveDraft } from "../outbox.js";
import { api } from "../api.js";
import { drain } from "../sync.js";
import { addPhoto, photoUrl } from "../photos.js";
import { unitTree } from "../units.js";
import { sectionize, keepAboveBar } from "../forms/sections.js";

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
  const status = el("p", { class: "muted small", id: "save-status", "aria-live": "polite" });
  const form = renderForm(definition, record, {
    lang, units: await unitTree(), onPhoto: addPhoto, photoUrl,
    onChange: () => {
      // An ordinary draft is written at once (IndexedDB keeps the order of writes); a
      // sealed one waits for its encryption. "Saved" shows once this change is written.
      status.textContent = "";
      const write = record.sensitive ? (saving = saving.then(() => saveDraft(record))) : saveDraft(record);
      saving = write.then(() => { status.textContent = t("form.saved"); });
    },
  });
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
  const countProgress = () => {
    const shown = [...form.node.querySelectorAll(".field[data-path]")].filter((f) => !f.hidden && !f.closest(".repeat") && f.parentElement.closest(".field") === null);
    const done = shown.filter((f) => { const v = record.answers[f.dataset.path]; return v !== undefined && v !== "" && !(Array.isArray(v) && !v.length); }).length;
    progress.textContent = t("form.progress", { done, total: shown.length });
    sections.update();
  };
  const jumpToFirstError = () => {
    const first = form.firstInvalid();
    if (!first) return;
    sections.reveal(first);
    first.scrollIntoView({ block: "center" });
    first.querySelector("input, select, textarea")?.focus({ preventScroll: true });
  };

  function show(errors) {
    const unplaced = form.showErrors(errors);
    summary.hidden = errors.length === 0;
    summary.replaceChildren(el("p", {}, t("form.has_errors", { n: errors.length })),
      ...unplaced.map((e) => el("p", {}, `${e.field}: ${errorText(e, definition, lang)}`)),
      form.firstInvalid() ? el("button", { type: "button", class: "secondary small", id: "jump-first-error", onclick: jumpToFirstError }, t("form.jump_first_error")) : null);
    countProgress();
  }

  const send = el("button", { type: "button", id: "send", onclick: async () => {
    await saving;
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
    el("button", { type: "button", class: "secondary", id: "save-exit", onclick: async () => { await saving; onLeave(); } },
      t("form.save_exit")));

  const refresh = () => {
    if (showing) show(validate(definition, record.answers, record.attachments || []));
    else queueMicrotask(countProgress);
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
    el("form", { class: "card fill", id: "record-form", novalidate: true, onsubmit: (e) => e.preventDefault() },
      el("h2", {}, lbl(definition.title, lang)),
      returned, progress, summary, form.node, status,
      neverAccepted(record) ? el("div", { class: "actions" },
        el("button", { type: "button", class: "secondary danger", id: "discard", onclick: async () => {
          if (await ask(t("form.discard_ask"), t("form.discard"))) { await discardDraft(record.uuid); onLeave(); }
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
