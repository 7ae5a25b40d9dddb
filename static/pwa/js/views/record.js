// A record that is not being edited: sent, approved, waiting, or in conflict with the
// server's copy (shown side by side, her version beside the server's).
import { t, currentLang } from "../i18n/index.js";
import { el, formatDateTime, lbl } from "../ui.js";
import { definitionFor } from "../forms/definition.js";
import { canReopen, getRecord, keepMine, reopen, stateKey, takeServer } from "../outbox.js";
import { unitTree } from "../units.js";
import { openOnline } from "./form.js";
import { formatValue } from "./display.js";

function answerList(definition, answers, lang, units, compare) {
  return el("dl", { class: "answers" }, definition.fields.flatMap((spec) => {
    const value = answers?.[spec.name];
    const other = compare?.[spec.name];
    const differs = compare && JSON.stringify(value ?? null) !== JSON.stringify(other ?? null);
    if (value === undefined && !differs) return [];
    return [el("dt", { class: differs ? "differs" : null }, lbl(spec.label, lang)),
      el("dd", { class: differs ? "differs" : null }, formatValue(definition, spec, value, lang, units))];
  }));
}

export async function renderRecord(view, { uuid, onLeave, onChanged }) {
  const lang = currentLang();
  const record = await getRecord(uuid);
  if (!record) { onLeave(); return; }
  const definition = await definitionFor(record.form, record.version);
  const units = await unitTree();
  if (record.sensitive && record.answers === undefined) {
    try {
      Object.assign(record, await openOnline(uuid, "record"));
    } catch {
      view.replaceChildren(el("p", { class: "card warn", id: "needs-network" }, t("incident.needs_network")),
        el("a", { class: "button secondary", href: "#/records/all" }, t("common.back")));
      return;
    }
  }
  const back = el("a", { class: "button secondary", href: "#/records/all" }, t("common.back"));

  if (record.state === "conflict" && record.server) {
    view.replaceChildren(el("section", { class: "card", id: "conflict" },
      el("h2", {}, t("conflict.title")),
      el("p", {}, t("conflict.explain")),
      el("div", { class: "compare" },
        el("div", { id: "conflict-mine" }, el("h3", {}, t("conflict.mine")),
          answerList(definition, record.answers, lang, units, record.server.answers)),
        el("div", { id: "conflict-server" }, el("h3", {}, t("conflict.server")),
          el("p", { class: "muted small" }, `${t(`status.${record.server.status}`)} · ${formatDateTime(record.server.updated_at, lang)}`),
          answerList(definition, record.server.answers, lang, units, record.answers))),
      el("div", { class: "actions" },
        el("button", { type: "button", id: "keep-mine", onclick: async () => {
          await keepMine(record);
          onChanged();
        } }, t("conflict.keep_mine")),
        el("button", { type: "button", class: "secondary", id: "take-server", onclick: async () => {
          await takeServer(record);
          onChanged();
        } }, t("conflict.take_server"))),
      back));
    return;
  }

  const shown = record.state === "locked" && record.server ? record.server.answers : record.answers;
  view.replaceChildren(el("section", { class: "card", id: "record-view" },
    el("h2", {}, lbl(definition.title, lang)),
    el("p", {}, el("span", { class: "badge", id: "record-state" }, t(stateKey(record)))),
    record.server_status === "approved" ? el("p", { class: "muted" }, t("form.read_only")) : null,
    record.review?.comment ? el("p", { class: "notice" }, `${t("form.returned_comment")}: ${record.review.comment}`) : null,
    answerList(definition, shown, lang, units),
    el("div", { class: "actions" },
      canReopen(record) ? el("button", { type: "button", id: "edit", onclick: async () => {
        await reopen(record);
        onLeave(`#/edit/${record.uuid}`);
      } }, t("form.edit")) : null,
      back)));
}
