// Supervisors: the review queue, one record with its history and the decision buttons,
// and which communes have sent what this month. These screens need the network.
import { api, ApiProblem } from "../api.js";
import { t, currentLang } from "../i18n/index.js";
import { el, toast, formatDateTime, formatDate, lbl, problemText, vietnamToday } from "../ui.js";
import { definitionFor, currentDefinitions } from "../forms/definition.js";
import { findSpec } from "../forms/render.js";
import { unitTree, unitSelect, placeName } from "../units.js";
import { groupedRows } from "./unit-rows.js";
import { formatValue } from "./display.js";

function offline(view) {
  view.replaceChildren(el("section", { class: "card warn" }, el("p", {}, t("review.offline")),
    el("a", { class: "button secondary", href: "#/" }, t("common.back"))));
}

function thisMonth() {
  return vietnamToday().slice(0, 7);
}

const PAGE = 50;

// Her queue in two lists, each paged from the server ("Xem thêm" asks for the next page):
// what waits for her decision first, then what is decided or at another unit's step.
// The filters live in the URL (#/review?form=…&unit=…), so back and reload keep them.
export async function renderQueue(view, { me, params }) {
  const lang = currentLang();
  const definitions = await currentDefinitions();
  const query = new URLSearchParams(params);
  const page = (waiting, offset = 0) => {
    const q = new URLSearchParams(query);
    q.set("waiting", waiting);
    q.set("limit", PAGE);
    q.set("offset", offset);
    return api(`/api/review/queue?${q}`);
  };
  let mine, others;
  try {
    [mine, others] = await Promise.all([page("me"), page("others")]);
  } catch (err) {
    if (err instanceof ApiProblem && err.code === "network") return offline(view);
    throw err;
  }
  const formTitle = (form) => lbl(definitions.find((d) => d.form === form)?.title, lang) || form;
  const refilter = (name, value) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value); else next.delete(name);
    location.hash = `#/review?${next}`;
  };
  const filter = (name, options) => el("select", { id: `filter-${name}`, "aria-label": t(`review.filter.${name}`),
    onchange: (e) => refilter(name, e.target.value) }, el("option", { value: "" }, t(`review.filter.${name}`)),
  options.map(([value, text]) => el("option", { value, selected: query.get(name) === value }, text)));
  const tree = await unitTree();
  const districts = me.unit.level === "province" ? tree : tree.filter((d) => d.code === me.unit.code);
  const unitPick = unitSelect(districts, { id: "filter-unit", value: query.get("unit") || "", levels: ["district", "commune"],
    empty: t("review.filter.unit"), label: t("review.filter.unit"), search: t("units.search"),
    districtText: (d) => t("review.whole", { name: d.name }), onchange: (value) => refilter("unit", value) }).wrap;
  const place = (u) => placeName(tree, u.code, u.name);
  const checks = [];
  const row = (r) => {
    const box = r.can_decide
      ? el("input", { type: "checkbox", "aria-label": `${t("review.select")} ${r.title || formTitle(r.form)}`, "data-uuid": r.uuid, "data-revision": r.revision })
      : null;
    if (box) checks.push(box);
    return el("li", { class: "review-row" }, box ? el("label", { class: "pick" }, box) : null,
      el("a", { href: `#/review/${r.uuid}`, class: `record ${r.awaiting_me ? "mine" : ""}`, "data-uuid": r.uuid },
        el("span", { class: "record-form" }, formTitle(r.form)),
        el("span", { class: "record-detail" }, [formatDate(r.record_date), place(r.unit), r.title].filter(Boolean).join(" · ")),
        el("span", { class: "badge" }, t(`status.${r.status}`)),
        r.awaiting_me ? el("span", { class: "record-message" }, t("review.awaiting_me"))
          : r.awaiting ? el("span", { class: "record-message" }, t("review.awaiting", { unit: r.awaiting.name })) : null));
  };
  const part = (waiting, first, id, heading) => {
    const list = el("ul", { class: "records", id }, first.records.map(row));
    const count = el("p", { class: "muted small", id: `${id}-count` });
    const more = el("button", { type: "button", class: "secondary", id: `${id}-more` }, t("review.more"));
    let next = first.next_offset;
    const shownNow = () => {
      count.textContent = t("review.shown", { n: list.children.length, total: first.total });
      more.hidden = next === null;
    };
    more.addEventListener("click", async () => {
      if (more.disabled) return;
      more.disabled = true;
      try {
        const data = await page(waiting, next);
        list.append(...data.records.map(row));
        next = data.next_offset;
        first.total = data.total;
      } catch (err) {
        toast(err instanceof ApiProblem ? problemText(err) : String(err), "error");
      }
      more.disabled = false;
      shownNow();
    });
    shownNow();
    return el("section", { class: "queue-part", "aria-labelledby": `${id}-title` },
      el("h3", { id: `${id}-title` }, heading),
      first.records.length ? [count, list, more] : el("p", { class: "muted", id: `${id}-empty` }, t("review.empty")));
  };
  const approveSelected = el("button", { type: "button", id: "approve-selected", onclick: async () => {
    const items = checks.filter((c) => c.checked).map((c) => ({ uuid: c.dataset.uuid, revision: Number(c.dataset.revision) }));
    if (!items.length) return toast(t("review.select_first"), "warn");
    try {
      const { results } = await api("/api/review/decisions", { method: "POST", body: { decision: "approve", items } });
      const ok = results.filter((r) => r.ok).length;
      toast(t("review.approved_n", { n: ok, total: results.length }), ok === results.length ? "ok" : "warn");
    } catch (err) {
      toast(err instanceof ApiProblem ? (err.body.detail || problemText(err)) : String(err), "error");
    }
    renderQueue(view, { me, params });
  } }, t("review.approve_selected"));
  view.replaceChildren(el("section", { class: "card", id: "review-queue" },
    el("h2", {}, t("review.title")),
    el("div", { class: "filters" },
      filter("form", definitions.map((d) => [d.form, lbl(d.title, lang)])),
      filter("status", ["submitted", "in_review", "returned", "approved", "rejected"].map((s) => [s, t(`status.${s}`)])),
      unitPick,
      el("input", { type: "month", id: "filter-period", "aria-label": t("review.filter.period"), value: query.get("period") || "",
        onchange: (e) => refilter("period", e.target.value) })),
    part("me", mine, "queue", t("review.mine", { n: mine.total })),
    mine.records.some((r) => r.can_decide) ? el("div", { class: "actions" }, approveSelected) : null,
    part("others", others, "queue-others", t("review.others", { n: others.total }))),
  el("a", { class: "button secondary", href: "#/" }, t("common.back")));
}

function historyList(definition, events, lang) {
  return el("ol", { class: "history", id: "history" }, events.map((e) => {
    if (e.kind === "revision") {
      return el("li", {}, el("strong", {}, t("review.history.revision", { n: e.revision })),
        ` · ${e.by} · ${formatDateTime(e.at, lang)}`,
        e.revision > 1 ? el("ul", {}, e.changes.map((c) => {
          const spec = findSpec(definition, c.field);
          const name = spec ? lbl(spec.label, lang) : c.field;
          return el("li", { class: "small" }, `${name}: ${spec ? formatValue(definition, spec, c.before, lang) : c.before} → ${spec ? formatValue(definition, spec, c.after, lang) : c.after}`);
        })) : null);
    }
    return el("li", {}, el("strong", {}, t(`review.decision.${e.decision}`)), ` · ${e.by} (${e.unit.name}) · ${formatDateTime(e.at, lang)}`,
      e.comment ? el("p", { class: "small" }, e.comment) : null,
      Object.entries(e.field_comments || {}).map(([f, c]) => el("p", { class: "small" }, `${lbl(findSpec(definition, f)?.label, lang) || f}: ${c}`)));
  }));
}

export async function renderReviewRecord(view, { uuid }) {
  const lang = currentLang();
  let record, history;
  try {
    [record, history] = await Promise.all([api(`/api/submissions/${uuid}`), api(`/api/submissions/${uuid}/history`)]);
  } catch (err) {
    if (err instanceof ApiProblem && err.code === "network") return offline(view);
    view.replaceChildren(el("p", { class: "error" }, problemText(err)));
    return;
  }
  const definition = await definitionFor(record.form, record.version);
  const units = await unitTree();
  const answers = el("dl", { class: "answers", id: "review-answers" }, definition.fields.flatMap((spec) => {
    const value = record.answers[spec.name];
    if (value === undefined) return [];
    if (spec.type === "photo") {
      return [el("dt", {}, lbl(spec.label, lang)), el("dd", { class: "thumbs" }, value.map((h) =>
        el("img", { src: `/api/attachments/${h}`, alt: lbl(spec.label, lang), width: 120, height: 120, loading: "lazy" })))];
    }
    return [el("dt", {}, lbl(spec.label, lang)), el("dd", {}, formatValue(definition, spec, value, lang, units))];
  }));
  const comment = el("textarea", { id: "review-comment", rows: 3, maxlength: 2000 });
  const fieldComments = {};
  const fieldPick = el("select", { id: "field-pick", "aria-label": t("review.field_comment") },
    el("option", { value: "" }, t("review.field_comment")),
    definition.fields.map((f) => el("option", { value: f.name }, lbl(f.label, lang))));
  const fieldText = el("input", { id: "field-comment-text", maxlength: 500, "aria-label": t("review.field_comment_text") });
  const fieldList = el("ul", { class: "small", id: "field-comments" });
  const error = el("p", { class: "error", role: "alert", id: "decision-error" });

  async function send(decision) {
    error.textContent = "";
    if (decision !== "approve" && !comment.value.trim()) {
      error.textContent = t("review.comment_required");
      comment.focus();
      return;
    }
    try {
      await api(`/api/review/${uuid}/decisions`, { method: "POST", body: {
        decision, revision: record.revision, comment: comment.value.trim() || null,
        field_comments: Object.keys(fieldComments).length ? fieldComments : null } });
      toast(t(`review.done.${decision}`), "ok");
      location.hash = "#/review";
    } catch (err) {
      error.textContent = !(err instanceof ApiProblem) ? String(err)
        : err.body.errors?.length ? err.body.errors.map((e) => e.message).join(" ")
          : err.body.detail || err.body.title || problemText(err);
    }
  }

  const panel = record.can_decide ? el("section", { class: "card", id: "decision" },
    el("h3", {}, t("review.decide")),
    el("label", { for: "review-comment" }, t("review.comment")), comment,
    el("div", { class: "field-comment" }, fieldPick, fieldText,
      el("button", { type: "button", class: "secondary small", onclick: () => {
        if (!fieldPick.value || !fieldText.value.trim()) return;
        fieldComments[fieldPick.value] = fieldText.value.trim();
        fieldList.replaceChildren(...Object.entries(fieldComments).map(([f, c]) =>
          el("li", {}, `${lbl(findSpec(definition, f)?.label, lang)}: ${c}`)));
        fieldText.value = "";
      } }, t("review.add_field_comment"))),
    fieldList, error,
    el("div", { class: "actions" },
      el("button", { type: "button", id: "approve", onclick: () => send("approve") }, t("review.approve")),
      el("button", { type: "button", class: "secondary", id: "return", onclick: () => send("return") }, t("review.return")),
      el("button", { type: "button", class: "secondary danger", id: "reject", onclick: () => send("reject") }, t("review.reject"))))
    : null;

  view.replaceChildren(...[
    el("section", { class: "card", id: "review-record" },
      el("h2", {}, lbl(definition.title, lang)),
      el("p", {}, `${placeName(units, record.unit.code, record.unit.name)} · ${record.author_name} · `, el("span", { class: "badge", id: "review-status" }, t(`status.${record.status}`)),
        ` · ${t("review.revision", { n: record.revision })}`),
      record.awaiting ? el("p", { class: "muted small" }, record.can_decide ? t("review.awaiting_me")
        : t("review.awaiting", { unit: record.awaiting.name })) : null,
      answers),
    panel,
    el("section", { class: "card" }, el("h3", {}, t("review.history")), historyList(definition, history.events, lang)),
    el("a", { class: "button secondary", href: "#/review" }, t("common.back"))].filter(Boolean));
}

export async function renderCompleteness(view, { params }) {
  const lang = currentLang();
  const query = new URLSearchParams(params);
  const period = query.get("period") || thisMonth();
  let data;
  try {
    data = await api(`/api/review/completeness?period=${period}`);
  } catch (err) {
    if (err instanceof ApiProblem && err.code === "network") return offline(view);
    throw err;
  }
  const head = data.forms.map((f) => t(`form.short.${f}`));
  const tree = await unitTree();
  const { body, box } = groupedRows(tree, data.units.map((row) => [row.unit.code,
    el("tr", { class: row.missing ? "missing" : null, "data-unit": row.unit.code },
      el("th", { scope: "row" }, row.unit.name, row.missing ? el("span", { class: "badge problem" }, t("completeness.nothing")) : null),
      data.forms.map((f) => el("td", {}, String(row.counts[f]))))]),
  { columns: 1 + data.forms.length, id: "completeness-search", search: t("units.search") });
  view.replaceChildren(el("section", { class: "card", id: "completeness" },
    el("h2", {}, t("completeness.title")),
    el("label", { for: "period" }, t("review.filter.period")),
    el("input", { type: "month", id: "period", value: period, onchange: (e) => { location.hash = `#/completeness?period=${e.target.value}`; } }),
    el("p", { id: "completeness-summary" }, t("completeness.summary", { n: data.missing, total: data.units.length })),
    box,
    el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("completeness.title") }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("completeness.unit")), head.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, body)))),
  el("a", { class: "button secondary", href: "#/" }, t("common.back")));
}
