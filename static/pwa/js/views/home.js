// Home: the forms, counts of records by state, connection and last sync, "Send now".
import { t, currentLang } from "../i18n/index.js";
import { el, formatDateTime, lbl } from "../ui.js";
import { countByBucket, listRecords } from "../outbox.js";
import { currentDefinitions } from "../forms/definition.js";
import { kv } from "../db.js";
import { isReviewer } from "../roles.js";

export async function renderHome(view, { me, onNew, onSendNow, onLogout, onSignInAgain, langButton }) {
  const lang = currentLang();
  const [records, definitions, lastSync, paused] = await Promise.all([
    listRecords(me.username), currentDefinitions(), kv.get("last_sync"), kv.get("paused")]);
  const counts = countByBucket(records);
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
        el("a", { class: "button secondary", href: "#/cases", id: "open-cases" }, t("home.cases")),
        el("a", { class: "button secondary", href: "#/groups", id: "open-groups" }, t("home.groups")))) : null,
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
