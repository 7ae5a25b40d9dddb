// Home: the forms, counts of records by state, connection and last sync, "Send now".
import { t, currentLang } from "../i18n/index.js";
import { el, formatDate, formatDateTime, lbl } from "../ui.js";
import { api } from "../api.js";
import { countByBucket, listRecords, isUnsent } from "../outbox.js";
import { currentDefinitions } from "../forms/definition.js";
import { kv } from "../db.js";
import { isReviewer, isAdmin, isProvinceAdmin } from "../roles.js";
import { healthLine, recordHealth } from "../health.js";
import { state as vaultState } from "../vault.js";
import { renderPinSetup } from "./lock.js";

export async function renderHome(view, options) {
  const { me, onNew, onSendNow, onLogout, onSignInAgain, langButton, stale = () => false, claim = () => {} } = options;
  const lang = currentLang();
  const [records, definitions, lastSync, paused, vault, storageNotes, lastDue] = await Promise.all([
    listRecords(me.username), currentDefinitions(), kv.get("last_sync"), kv.get("paused"), vaultState(),
    kv.get("storage_notes"), kv.get("due_week")]);
  // Her first PIN needs the network (the server keeps its recovery key): say so while she
  // is still in the office, until it is done.
  const pinNeeded = vault === "none" && definitions.some((d) => d.sensitive)
    ? el("section", { class: "card warn", id: "pin-needed" },
      el("p", {}, t("home.pin_needed")),
      el("button", { type: "button", id: "pin-setup-now", disabled: !navigator.onLine,
        onclick: () => {
          claim();
          const back = () => renderHome(view, { ...options, stale: undefined });
          renderPinSetup(view, { onDone: back, onCancel: back });
        } },
      t("home.pin_setup_now"))) : null;
  const counts = countByBucket(records);
  const health = healthLine(recordHealth(records));
  // What is due: the last list at once, the fresh one when it comes (home never waits
  // for the network, so a slow answer cannot draw home over the next screen).
  const dueSlot = el("div", { id: "due-slot" }, dueCard(lastDue || [], counts));
  if (stale()) return;  // a newer screen began while this one was gathering
  refreshDue().then((due) => { if (due) dueSlot.replaceChildren(...[dueCard(due, counts)].filter(Boolean)); });
  // The browser may evict what is stored: that matters only while work is unsent, and
  // the one thing that helps is sending it (or installing the app, which keeps storage).
  const unsent = records.filter(isUnsent).length;
  const installed = matchMedia("(display-mode: standalone)").matches;
  const storage = unsent && storageNotes?.length ? el("section", { class: "card warn", id: "storage-warning", role: "status" },
    storageNotes.map((n) => el("p", {}, t(`storage.${n}`, { n: unsent }))),
    !installed && storageNotes.includes("refused") ? el("p", { class: "small" }, t("storage.install")) : null,
    el("button", { type: "button", id: "storage-send-now", onclick: onSendNow }, t("home.send_now"))) : null;
  const path = (me.unit_path || []).map((u) => u.name).join(" › ");
  const tile = (bucket) => el("a", { class: `tile bucket-${bucket}`, href: `#/records/${bucket}`, id: `count-${bucket}` },
    el("strong", {}, String(counts[bucket])), el("span", {}, t(`bucket.${bucket}`)));
  view.replaceChildren(...[
    el("section", { class: "card", id: "home" },
      el("h2", {}, t("home.hello", { name: me.display_name })),
      el("p", { id: "home-role" }, `${t(`role.${me.role}`)} · ${me.unit.name}`),
      el("p", { class: "path", id: "unit-path" }, path)),
    isReviewer(me) ? el("section", { class: "card", id: "reviewer" },
      el("h2", {}, t("home.review")),
      el("div", { class: "actions" },
        el("a", { class: "button", href: "#/review", id: "open-review" }, t("home.review_open")),
        el("a", { class: "button secondary", href: "#/completeness", id: "open-completeness" },
          t("home.completeness")),
        el("a", { class: "button secondary", href: "#/deadlines", id: "open-deadlines" },
          t("home.deadlines")),
        el("a", { class: "button secondary", href: "#/dashboard", id: "open-dashboard" },
          t("home.dashboard")),
        el("a", { class: "button secondary", href: "#/devices", id: "open-devices" },
          t("home.devices")),
        el("a", { class: "button secondary", href: "#/cases", id: "open-cases" }, t("home.cases")),
        el("a", { class: "button secondary", href: "#/groups", id: "open-groups" }, t("home.groups")))) : null,
    isAdmin(me) ? el("section", { class: "card", id: "admin" },
      el("h2", {}, t("home.admin")),
      el("div", { class: "actions" },
        el("a", { class: "button secondary", href: "#/admin/accounts", id: "open-accounts" }, t("home.admin_accounts")),
        el("a", { class: "button secondary", href: "#/admin/import", id: "open-import" }, t("home.admin_import")),
        el("a", { class: "button secondary", href: "#/admin/plan", id: "open-plan" }, t("home.admin_plan")),
        el("a", { class: "button secondary", href: "#/admin/audit", id: "open-audit" }, t("home.admin_audit")),
        isProvinceAdmin(me) ? el("a", { class: "button secondary", href: "#/forms-admin", id: "open-forms-admin" },
          t("home.forms_admin")) : null)) : null,
    storage, pinNeeded, dueSlot,
    paused ? el("section", { class: "card warn", id: "paused" },
      el("p", {}, t("login.again")),
      el("button", { type: "button", onclick: onSignInAgain }, t("home.resume_sign_in"))) : null,
    el("section", { class: "card" },
      el("h2", {}, t("home.forms")),
      el("div", { class: "form-buttons" }, definitions.filter((d) => !d.parent_form).map((d) =>
        el("button", { type: "button", class: "big", id: `new-${d.form}`, onclick: () => onNew(d) },
          lbl(d.title, lang))))),
    isReviewer(me) ? null : el("section", { class: "card", id: "followup" },
      el("h2", {}, t("home.followup")),
      el("div", { class: "actions" },
        el("a", { class: "button", href: "#/cases", id: "open-cases" }, t("home.cases")),
        el("a", { class: "button secondary", href: "#/groups", id: "open-groups" }, t("home.groups")))),
    el("section", { class: "card" },
      el("h2", {}, t("home.counts")),
      el("div", { class: "tiles" }, ["draft", "waiting", "sent", "returned", "problem"].map(tile)),
      el("p", { id: "health-line", class: health.n ? "health act" : "health calm" },
        t(health.key, { n: health.n })),
      el("p", { class: "muted", id: "last-sync" },
        lastSync ? t("home.last_sync", { time: formatDateTime(lastSync, lang) }) : t("home.never_synced")),
      el("div", { class: "actions" },
        el("button", { type: "button", id: "send-now", onclick: onSendNow }, t("home.send_now")),
        el("a", { class: "button secondary", href: "#/records/all" }, t("home.outbox")),
        el("a", { class: "button secondary", href: "#/notifications", id: "open-notifications" },
          t("home.notifications")))),
    el("div", { class: "actions" },
      el("button", { type: "button", class: "secondary", id: "logout", onclick: onLogout }, t("home.logout")),
      langButton())].filter(Boolean));
}

// What her unit still owes this week (or is late with), and what is returned or waiting.
function dueCard(due, counts) {
  if (!due.length && !counts.returned && !counts.waiting) return null;
  return el("section", { class: "card", id: "due-week" },
    el("h2", {}, t("home.due_title")),
    due.length ? el("ul", { class: "due-list" }, due.map((d) => el("li", { class: `due-${d.state}` },
      el("a", { href: `#/new/${d.form}`, class: "due-item" },
        el("span", {}, d.title),
        el("span", { class: "small" }, d.state === "overdue" ? t("home.due_overdue", { date: formatDate(d.due) })
          : t("home.due_on", { date: formatDate(d.due) })))))) : el("p", { class: "muted" }, t("home.due_none")),
    counts.returned ? el("p", {}, el("a", { href: "#/records/returned", id: "due-returned" }, t("home.due_returned", { n: counts.returned }))) : null,
    counts.waiting ? el("p", { class: "small muted" }, t("home.due_waiting", { n: counts.waiting })) : null);
}

// The fresh list from the server (kept for offline), or null offline or on failure.
async function refreshDue() {
  if (!navigator.onLine) return null;
  try {
    const { due } = await api("/api/reminders/due", { timeout: 8000 });
    await kv.set("due_week", due);
    return due;
  } catch {
    return null;
  }
}
