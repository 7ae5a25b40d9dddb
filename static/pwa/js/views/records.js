// All records on the phone, by state, each with the server's words.
import { t, currentLang } from "../i18n/index.js";
import { el, formatDateTime } from "../ui.js";
import { bucket, linksToRecord, listRecords, stateKey } from "../outbox.js";
import { definitionFor } from "../forms/definition.js";
import { recordTitle } from "./display.js";

const BUCKETS = ["all", "draft", "waiting", "sent", "returned", "problem"];

export async function renderRecords(view, { me, filter = "all" }) {
  const lang = currentLang();
  const records = (await listRecords(me.username)).filter((r) => filter === "all" || bucket(r) === filter);
  const items = [];
  for (const record of records) {
    let definition = null;
    try { definition = await definitionFor(record.form, record.version); } catch { /* offline, old version */ }
    const { form, detail } = recordTitle(definition, record, lang);
    const message = record.state === "rejected"
      ? t("form.server_error") + `: ${(record.errors || []).length}`
      : record.review?.comment || record.message || "";
    const href = linksToRecord(record) ? `#/record/${record.uuid}` : `#/edit/${record.uuid}`;
    items.push(el("li", {},
      el("a", { href, class: `record state-${record.state}`, "data-uuid": record.uuid },
        el("span", { class: "record-form" }, form),
        el("span", { class: "record-detail" }, detail),
        el("span", { class: `badge ${bucket(record)}` }, t(stateKey(record))),
        message ? el("span", { class: "record-message" }, message) : null,
        el("span", { class: "muted small" }, formatDateTime(record.updated_at, lang)))));
  }
  view.replaceChildren(
    el("section", { class: "card" },
      el("h2", {}, t("outbox.title")),
      el("nav", { class: "tabs", "aria-label": t("outbox.title") }, BUCKETS.map((b) =>
        el("a", { href: `#/records/${b}`, "aria-current": b === filter ? "page" : null },
          b === "all" ? t("home.outbox") : t(`bucket.${b}`)))),
      items.length ? el("ul", { class: "records", id: "records" }, items)
        : el("p", { class: "muted", id: "records-empty" }, t("outbox.empty"))),
    el("a", { class: "button secondary", href: "#/" }, t("common.back")));
}
