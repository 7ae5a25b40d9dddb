// Cases and model groups after approval (loaded lazily from app.js): the officer's
// "Vụ việc đang hỗ trợ" and "Mô hình của xã" lists from what the phone keeps, a case's or
// group's timeline with its derived state, the entry form ("Thêm theo dõi", "Thêm buổi
// sinh hoạt") with the phone-side refusals beside the field; the supervisor's lists and
// views, online. Closing, reopening, transfer and dissolving are entries that go to the
// review screens like records.
import { api, ApiProblem } from "../api.js";
import { t, currentLang, addTexts } from "../i18n/index.js";
import texts from "../i18n/cases.js";
import { el, toast, ask, lbl, formatDate, formatDateTime, problemText } from "../ui.js";
import { definitionFor, currentDefinitions } from "../forms/definition.js";
import { renderForm, errorText, findSpec } from "../forms/render.js";
import { validate } from "../forms/validate.js";
import { discardDraft, enqueue, getRecord, neverAccepted, saveDraft } from "../outbox.js";
import { drain, onSyncEvent } from "../sync.js";
import { unitTree, unitName } from "../units.js";
import * as vault from "../vault.js";
import { isReviewer } from "../roles.js";
import { entryRefusal, anyServiceReached, deriveState, ordered } from "../timeline.js";
import { CASE_FORM, GROUP_FORM, ENTRY_FORM, listParents, loadParent, needsReview, refreshParents, startEntry,
  today } from "../cases.js";
import { renderPinSetup } from "./lock.js";
import { openOnline } from "./form.js";
import { choiceLabel, formatValue } from "./display.js";

addTexts(texts);

const FORM_OF = { case: CASE_FORM, group: GROUP_FORM };
const SERVICE_REACHED = "da_nhan";
const HEAD = ["entry_date", "entry_kind"];

const back = (href = "#/") => el("a", { class: "button secondary", href }, t("common.back"));

// Re-draw a screen when a sync finishes, while it is still the one shown.
function redrawOnSync(view, marker, redraw) {
  const stop = onSyncEvent((event) => {
    if (event.type !== "done") return;
    if (!view.contains(marker)) { stop(); return; }
    stop();
    redraw();
  });
}

function spec(definition, name) {
  return definition.fields.find((f) => f.name === name);
}

function choice(definition, name, value, lang) {
  const s = spec(definition, name);
  return s && value != null ? choiceLabel(definition, s, value, lang) : value ?? "";
}

// What tells one case or group from another in a list.
function titleOf(definition, record, lang) {
  const a = record.answers || {};
  if (record.form === CASE_FORM) {
    const cats = Array.isArray(a.case_category) ? a.case_category : record.category || [];
    const catSpec = spec(definition, "case_category");
    return [a.survivor_code, catSpec && cats.length ? formatValue(definition, catSpec, cats, lang) : ""].filter(Boolean).join(" · ");
  }
  return [a.name, choice(definition, "model_type", a.model_type, lang)].filter(Boolean).join(" · ");
}

function statusText(parentDef, entryDef, state, lang) {
  if (state.kind === "case") return choice(parentDef, "case_status", state.status, lang);
  return entryDef ? choiceLabel(entryDef, spec(entryDef, "group_status"), state.status, lang) : state.status;
}

function followupLine(state) {
  if (state.kind !== "case") return null;
  if (!state.next_followup_date) return el("span", { class: "muted small" }, t("cases.no_followup"));
  const late = state.next_followup_date < today();
  return el("span", { class: late ? "record-message" : "small", "data-next": state.next_followup_date },
    `${t("cases.next_followup")}: ${formatDate(state.next_followup_date)}${late ? ` (${t("cases.overdue")})` : ""}`);
}

function groupLine(state) {
  if (state.kind !== "group") return null;
  return el("span", { class: "small" }, `${t("groups.last_meeting")}: ${formatDate(state.last_meeting_date) || t("cases.none")}`
    + ` · ${t("groups.meetings_quarter")}: ${state.meetings_this_quarter}`);
}

// --- lists ------------------------------------------------------------------------

// A case is kept sealed: without a PIN yet, the phone asks for one first.
async function askedForPin(view, then) {
  if ((await vault.state()) !== "none") return false;
  view.replaceChildren(el("section", { class: "card warn", id: "cases-pin" },
    el("p", {}, t("cases.needs_pin")),
    el("div", { class: "actions" }, el("button", { type: "button", id: "cases-set-pin", onclick: () =>
      renderPinSetup(view, { onDone: then, onCancel: () => { location.hash = "#/"; } }) },
    t("cases.set_pin")), back())));
  return true;
}

export async function renderCaseList(view, { me, kind }) {
  if (isReviewer(me)) return renderSupervisorList(view, { me, kind });
  const lang = currentLang();
  const form = FORM_OF[kind];
  if (form === CASE_FORM && await askedForPin(view, () => renderCaseList(view, { me, kind }))) return;
  const draw = async () => {
    const [items, definitions] = await Promise.all([listParents(me, form), currentDefinitions()]);
    const parentDef = definitions.find((d) => d.form === form);
    const entryDef = definitions.find((d) => d.form === ENTRY_FORM[form]);
    const row = ({ record, state }) => el("li", {}, el("a", { href: `#/case/${record.uuid}`, class: "record", "data-uuid": record.uuid },
      el("span", { class: "record-form" }, titleOf(parentDef, record, lang) || formatDate(record.record_date)),
      el("span", { class: "badge" }, statusText(parentDef, entryDef, state, lang)),
      followupLine(state), groupLine(state)));
    const open = items.filter((x) => !x.state.closed);
    const closed = items.filter((x) => x.state.closed);
    const marker = el("section", { class: "card", id: `${kind}-list` },
      el("h2", {}, t(`${kind}s.title`)),
      open.length ? el("ul", { class: "records", id: "parents" }, open.map(row))
        : el("p", { class: "muted", id: "parents-empty" }, t(`${kind}s.empty`)),
      closed.length ? el("details", { id: "closed-parents" }, el("summary", {}, t("cases.closed_list", { n: closed.length })),
        el("ul", { class: "records" }, closed.map(row))) : null);
    view.replaceChildren(marker, back());
    redrawOnSync(view, marker, refreshed);
    return marker;
  };
  const refreshed = async () => {
    if (navigator.onLine && await refreshParents(me).catch(() => false) && view.contains(marker)) await draw();
  };
  const marker = await draw();
  await refreshed();
}

async function entryDefinition(form) {
  const defs = await currentDefinitions();
  return defs.find((d) => d.form === ENTRY_FORM[form]) || null;
}

// "Nhắc": push and in-app to whoever follows this case or group, once a day (the text
// names no detail of a case). A line no nudge would reach anyone from says so instead.
function nudgeControl({ uuid, nudgeable }) {
  if (nudgeable === false) return el("span", { class: "nudge nobody", "data-nobody": uuid }, t("followup.nobody_short"));
  const button = el("button", { type: "button", class: "secondary nudge", "data-nudge": uuid,
    onclick: async () => {
      button.disabled = true;
      try {
        const { notified, message } = await api("/api/reminders/overdue/nudge", { method: "POST", body: { uuid } });
        toast(notified ? t("followup.nudged", { text: message }) : t("followup.nudged_already"), "ok");
      } catch (err) {
        toast(err instanceof ApiProblem && err.code === "network" ? t("followup.nudge_offline") : problemText(err), "error");
      } finally { button.disabled = false; }
    } }, t("followup.nudge"));
  return button;
}

// The supervisor's lists: first those to follow up (GET /api/reminders/overdue: cases
// with no entry for 30 days, active groups with no meeting this quarter), then every
// approved case or group of her area (the review queue's records); each opens the case
// view.
async function renderSupervisorList(view, { kind }) {
  const lang = currentLang();
  const form = FORM_OF[kind];
  const [definitions, units] = await Promise.all([currentDefinitions(), unitTree()]);
  const title = lbl(definitions.find((d) => d.form === form)?.title, lang);
  let data, late;
  try {
    [data, late] = await Promise.all([api(`/api/review/queue?form=${form}&status=approved&limit=200`),
      api("/api/reminders/overdue")]);
  } catch (err) {
    view.replaceChildren(el("p", { class: "card warn" }, err instanceof ApiProblem && err.code === "network"
      ? t("review.offline") : problemText(err)), back());
    return;
  }
  const parentDef = definitions.find((d) => d.form === form);
  const overdue = kind === "case" ? late.cases.map((c) => el("li", { class: "nudgeable" }, nudgeControl(c),
    el("a", { href: `#/case/${c.uuid}`, class: "record", "data-uuid": c.uuid },
      el("span", { class: "record-form" }, `${title} · ${formatDate(c.record_date)}`),
      el("span", { class: "record-message" }, t("cases.days_without_entry", { n: c.days_without_entry })),
      el("span", { class: "record-detail" }, [unitName(units, c.unit.code) || c.unit.name, c.worker,
        parentDef ? choice(parentDef, "case_status", c.status, lang) : c.status].filter(Boolean).join(" · ")))))
    : late.groups.map((g) => el("li", { class: "nudgeable" }, nudgeControl(g),
      el("a", { href: `#/case/${g.uuid}`, class: "record", "data-uuid": g.uuid },
        el("span", { class: "record-form" }, g.name || title),
        el("span", { class: "record-message" }, `${t("groups.last_meeting")}: ${formatDate(g.last_meeting_date) || t("cases.none")}`),
        el("span", { class: "record-detail" }, [g.unit.name, parentDef && g.model_type
          ? choice(parentDef, "model_type", g.model_type, lang) : null].filter(Boolean).join(" · ")))));
  view.replaceChildren(
    el("nav", { class: "tabs" }, ["case", "group"].map((k) =>
      el("a", { href: `#/${k}s`, "aria-current": k === kind ? "page" : null }, t(`${k}s.title_all`)))),
    el("section", { class: "card", id: `${kind}-overdue` },
      el("h2", {}, t(`${kind}s.overdue_title`, { n: late.stale_days })),
      (kind === "case" ? late.cases : late.groups).some((item) => item.nudgeable === false)
        ? el("p", { class: "muted", id: "overdue-nobody" }, t("followup.nobody_note")) : null,
      overdue.length ? el("ul", { class: "records", id: "overdue" }, overdue)
        : el("p", { class: "muted", id: "overdue-empty" }, t("cases.overdue_none"))),
    el("section", { class: "card", id: `${kind}-list` },
      el("h2", {}, t(`${kind}s.title_all`)),
      data.records.length ? el("ul", { class: "records", id: "parents" }, data.records.map((r) =>
        el("li", {}, el("a", { href: `#/case/${r.uuid}`, class: "record", "data-uuid": r.uuid },
          el("span", { class: "record-form" }, r.title || `${title} · ${formatDate(r.record_date)}`),
          el("span", { class: "record-detail" }, [r.unit.name, r.author].filter(Boolean).join(" · "))))))
        : el("p", { class: "muted", id: "parents-empty" }, t(`${kind}s.empty_area`))), back());
}

// --- one case or group -----------------------------------------------------------

function stateList(parentDef, entryDef, state, lang, units) {
  const row = (key, value, id) => [el("dt", {}, t(key)), el("dd", { id }, value ?? t("cases.none"))];
  const serviceDef = entryDef || parentDef;
  if (state.kind === "case") {
    const services = state.services_reached.map((s) =>
      `${choice(serviceDef, "referral_service", s.service_type, lang)} (${formatDate(s.date)})`).join("; ");
    return el("dl", { class: "answers", id: "case-state" },
      row("cases.status", statusText(parentDef, entryDef, state, lang), "state-status"),
      row("cases.services_reached", services || null, "state-services"),
      row("cases.first_service", formatDate(state.first_service_date) || null, "state-first-service"),
      state.open_referrals.length ? row("cases.open_referrals", state.open_referrals.map((r) =>
        `${choice(serviceDef, "referral_service", r.service_type, lang)} (${formatDate(r.date)})`).join("; "), "state-referrals") : null,
      row("cases.next_followup", formatDate(state.next_followup_date) || null, "state-next"),
      row("cases.holder", unitName(units, state.holder_unit) || state.holder_unit, "state-holder"),
      row("cases.worker", state.worker_name || state.worker, "state-worker"),
      state.holders.length > 1 ? row("cases.holders", state.holders.map((h) =>
        `${unitName(units, h.unit) || h.unit} (${formatDate(h.from)}–${formatDate(h.to) || "…"})`).join("; "), "state-holders") : null,
      row("cases.last_entry", formatDate(state.last_entry_date) || null, "state-last-entry"));
  }
  return el("dl", { class: "answers", id: "case-state" },
    row("cases.status", statusText(parentDef, entryDef, state, lang), "state-status"),
    row("groups.last_meeting", formatDate(state.last_meeting_date) || null, "state-last-meeting"),
    row("groups.meetings_quarter", String(state.meetings_this_quarter), "state-meetings-quarter"),
    row("groups.meetings_total", String(state.meetings_total), "state-meetings-total"),
    row("groups.members", state.members_total == null ? null
      : `${state.members_total} (${state.members_female ?? "?"} / ${state.members_male ?? "?"})`, "state-members"),
    row("groups.trained", String(state.tot_trained_count), "state-trained"));
}

function entryBadge(entry) {
  if (entry.local && !["synced", "locked"].includes(entry.local)) {
    const key = entry.status === "problem" ? "problem" : entry.local;
    return el("span", { class: `badge ${key === "problem" ? "problem" : "waiting"}` }, t(`cases.local.${key}`));
  }
  if (entry.status === "approved") return null;
  return el("span", { class: `badge ${entry.status === "returned" ? "returned" : "waiting"}` }, t(`status.${entry.status}`));
}

function timelineList(me, entryDef, entries, lang, units) {
  if (!entries.length) return el("p", { class: "muted", id: "timeline-empty" }, t("cases.timeline_empty"));
  return el("ol", { class: "records timeline", id: "timeline" }, entries.map((e) => {
    const a = e.answers || {};
    const details = entryDef ? entryDef.fields.filter((f) => !HEAD.includes(f.name) && a[f.name] !== undefined)
      .map((f) => el("span", { class: "small" }, `${lbl(f.label, lang)}: ${formatValue(entryDef, f, a[f.name], lang, units)}`)) : [];
    return el("li", { class: "record", "data-uuid": e.uuid, "data-date": e.record_date },
      el("span", { class: "record-form" }, `${formatDate(e.record_date)} · ${a.entry_kind && entryDef
        ? choiceLabel(entryDef, spec(entryDef, "entry_kind"), a.entry_kind, lang) : ""}`),
      entryBadge(e), ...details,
      e.status === "returned" && e.review?.comment
        ? el("p", { class: "notice small", "data-comment": e.uuid }, `${t("form.returned_comment")}: ${e.review.comment}`) : null,
      (e.status === "returned" || e.status === "problem") && e.author === me.username
        ? el("a", { class: "button secondary small", href: `#/entry/${e.uuid}`, "data-edit": e.uuid }, t("form.edit")) : null,
      isReviewer(me) && ["submitted", "in_review"].includes(e.status)
        ? el("a", { class: "button small", href: `#/review/${e.uuid}`, "data-review": e.uuid }, t("cases.review_entry")) : null,
      e.author_name ? el("span", { class: "muted small" }, t("cases.by", { name: e.author_name })) : null);
  }));
}

export async function renderCase(view, { me, uuid }) {
  const lang = currentLang();
  const reviewer = isReviewer(me);
  let item;
  if (reviewer) {
    try {
      const { timeline = [], state, ...record } = await api(`/api/submissions/${uuid}`, { headers: { "X-CSLP-Screen": "case" } });
      item = { record, timeline: ordered(timeline), drafts: [], state: state || deriveState(record, timeline, today()) };
    } catch (err) {
      view.replaceChildren(el("p", { class: "card warn", id: "needs-network" }, err instanceof ApiProblem && err.code === "network"
        ? t("review.offline") : problemText(err)), back("#/cases"));
      return;
    }
  } else {
    if (navigator.onLine) await refreshParents(me, { only: uuid }).catch(() => false);
    item = await loadParent(me, uuid).catch((err) => { if (err instanceof vault.VaultLocked) return null; throw err; });
    if (!item && await askedForPin(view, () => renderCase(view, { me, uuid }))) return;
    if (!item) {
      view.replaceChildren(el("p", { class: "card warn", id: "needs-network" }, t("cases.needs_network")), back());
      return;
    }
  }
  const { record, timeline, drafts, state } = item;
  const kind = record.form === CASE_FORM ? "case" : "group";
  const [parentDef, entryDef, units] = await Promise.all([definitionFor(record.form, record.version),
    entryDefinition(record.form), unitTree()]);
  // A case: the commune holding it now (a transfer moves it). A group: her commune's,
  // including those of a commune hers succeeded (the server shows her only those).
  const holds = !reviewer && (kind === "group" || state.holder_unit === me.unit.code);
  const add = (label, id, preset) => el("button", { type: "button", id, class: id.endsWith("followup") || id.endsWith("meeting") ? null : "secondary",
    onclick: async (event) => {
      event.currentTarget.disabled = true;  // one tap, one draft
      const entry = await startEntry(me, record, state, preset);
      location.hash = `#/entry/${entry.uuid}`;
    } }, label);
  let actions = [];
  if (holds && kind === "case") {
    actions = state.closed ? [add(t("cases.reopen"), "add-reopening", { entry_kind: "reopening" })]
      : [add(t("cases.add_followup"), "add-followup", { entry_kind: "followup" }),
        add(t("cases.close"), "add-closure", { entry_kind: "closure" })];
  } else if (holds) {
    actions = [add(t("groups.add_meeting"), "add-meeting", { entry_kind: "meeting" }),
      add(t("groups.add_update"), "add-update", {})];
  }
  const intake = el("li", { class: "record muted small" }, `${formatDate(record.record_date)} · ${t("cases.intake")}`);
  const marker = el("section", { class: "card", id: "case-view", "data-kind": kind },
    el("h2", {}, lbl(parentDef.title, lang)),
    el("p", { class: "record-detail", id: "case-title" }, titleOf(parentDef, record, lang)),
    !reviewer && !navigator.onLine && item.fetched_at
      ? el("p", { class: "muted small", id: "kept-copy" }, t("cases.offline_kept", { time: formatDateTime(item.fetched_at, lang) })) : null,
    !reviewer && kind === "case" && !holds ? el("p", { class: "notice", id: "not-holder" }, t("cases.not_holder")) : null,
    stateList(parentDef, entryDef, state, lang, units),
    actions.length ? el("div", { class: "actions", id: "case-actions" }, actions) : null,
    el("p", {}, el("a", { href: reviewer ? `#/review/${uuid}` : `#/record/${uuid}?intake`, id: "open-intake" }, t("cases.open_record"))));
  const draftList = drafts.length ? el("section", { class: "card", id: "case-drafts" },
    el("h3", {}, t("cases.drafts")),
    el("ul", { class: "records" }, drafts.map((d) => el("li", {},
      el("a", { class: "record", href: `#/entry/${d.uuid}`, "data-uuid": d.uuid },
        `${formatDate(d.record_date)} · ${d.answers?.entry_kind && entryDef ? choiceLabel(entryDef, spec(entryDef, "entry_kind"), d.answers.entry_kind, lang) : ""}`))))) : null;
  const list = timelineList(me, entryDef, timeline, lang, units);
  if (list.id === "timeline") list.prepend(intake);
  view.replaceChildren(...[marker, draftList,
    el("section", { class: "card", id: "case-timeline" }, el("h3", {}, t("cases.timeline")), list),
    back(`#/${kind}s`)].filter(Boolean));
  if (!reviewer) redrawOnSync(view, marker, () => renderCase(view, { me, uuid }));
}

// --- the entry form ----------------------------------------------------------------

export async function renderEntry(view, { me, uuid }) {
  const lang = currentLang();
  const record = await getRecord(uuid);
  if (!record) { location.hash = "#/"; return; }
  const definition = await definitionFor(record.form, record.version);
  if (!["draft", "rejected"].includes(record.state)
      && !(record.state === "synced" && record.server_status === "returned")) {
    location.replace(`#/case/${record.parent}`);
    return;
  }
  if (record.sensitive && record.answers === undefined) {
    try {
      Object.assign(record, await openOnline(uuid, "entry"));
    } catch {
      view.replaceChildren(el("p", { class: "card warn", id: "needs-network" }, t("incident.needs_network")), back());
      return;
    }
  }
  const refused = record.state === "rejected" ? record.errors || [] : [];
  if (record.state !== "draft") await saveDraft(record);
  const parent = await loadParent(me, record.parent);
  const others = (parent?.timeline || []).filter((e) => e.uuid !== uuid);
  const refusal = () => {
    if (parent?.record.form !== CASE_FORM) return null;
    const own = (record.answers.services || []).some((s) => s?.status === SERVICE_REACHED);
    const found = entryRefusal(parent.record, others, record.answers, own || anyServiceReached(parent.record, others));
    return found ? { field: found[0], code: found[1] } : null;
  };

  let saving = Promise.resolve();
  let showing = false;
  const status = el("p", { class: "muted small", id: "save-status", "aria-live": "polite" });
  const summary = el("div", { class: "error-summary", id: "error-summary", role: "alert", hidden: true });
  const form = renderForm(definition, record, {
    lang, units: await unitTree(),
    onChange: () => {
      status.textContent = "";
      const write = record.sensitive ? (saving = saving.then(() => saveDraft(record))) : saveDraft(record);
      saving = write.then(() => { status.textContent = t("form.saved"); });
    },
  });
  const errorsNow = () => {
    const found = refusal();
    return [...(showing ? validate(definition, record.answers, []) : []), ...(found ? [found] : [])];
  };
  function show(errors) {
    const unplaced = form.showErrors(errors);
    summary.hidden = !showing || errors.length === 0;
    summary.replaceChildren(el("p", {}, t("form.has_errors", { n: errors.length })),
      ...unplaced.map((e) => el("p", {}, `${e.field}: ${errorText(e, definition, lang)}`)));
  }
  const reviewNote = el("p", { class: "notice small", id: "review-note", hidden: true }, t("cases.entry_review_note"));
  const refresh = () => queueMicrotask(() => {
    reviewNote.hidden = !needsReview(definition, record.answers);
    show(errorsNow());
  });
  form.node.addEventListener("input", refresh);
  form.node.addEventListener("change", refresh);

  const send = el("button", { type: "button", id: "send", onclick: async () => {
    await saving;
    showing = true;
    const errors = errorsNow();
    show(errors);
    if (errors.length) {
      form.firstInvalid()?.scrollIntoView({ block: "center" });
      form.firstInvalid()?.querySelector("input, select, textarea")?.focus();
      return;
    }
    await saveDraft(record);
    await enqueue(record.uuid);
    toast(t("cases.entry_queued"), "ok");
    location.hash = `#/case/${record.parent}`;
    if (navigator.onLine) drain();
  } }, t("form.send"));

  const returned = record.server_status === "returned" && record.review
    ? el("section", { class: "card warn", id: "review-comment" },
      el("h3", {}, t("form.returned_comment")),
      el("p", { id: "review-comment-text" }, record.review.comment || ""),
      Object.entries(record.review.field_comments || {}).map(([f, c]) =>
        el("p", { class: "small" }, el("strong", {}, `${lbl(findSpec(definition, f)?.label, lang) || f}: `), c)))
    : null;

  view.replaceChildren(
    // Each question is its own <form> (forms/render.js), so this is not one.
    el("div", { class: "card fill", id: "entry-form" },
      el("h2", {}, lbl(definition.title, lang)),
      parent ? el("p", { class: "record-detail" }, titleOf(await definitionFor(parent.record.form, parent.record.version), parent.record, lang)) : null,
      returned, reviewNote, summary, form.node, status,
      neverAccepted(record) ? el("div", { class: "actions" },
        el("button", { type: "button", class: "secondary danger", id: "discard", onclick: async () => {
          if (await ask(t("form.discard_ask"), t("form.discard"))) { await discardDraft(record.uuid); location.hash = `#/case/${record.parent}`; }
        } }, t("form.discard"))) : null,
      el("div", { class: "actions sticky" }, send,
        el("button", { type: "button", class: "secondary", id: "save-exit", onclick: async () => {
          await saving; location.hash = `#/case/${record.parent}`;
        } }, t("form.save_exit")))));
  if (refused.length) { showing = true; show(refused); } else refresh();
}
