// The admin console, loaded only when an administrator opens it (app.js imports it
// dynamically): accounts of her subtree, importing a training day's list with a preview,
// one-time codes and their printable slips, and the audit logs. Works at 360 px; wider
// screens get tables side by side (css/admin.css).
import { api, ApiProblem } from "../api.js";
import { t, addTexts, currentLang } from "../i18n/index.js";
import { el, ask, toast, problemText, formatDateTime } from "../ui.js";
import { isProvinceAdmin } from "../roles.js";
import texts from "../i18n/admin.js";

addTexts(texts);
if (!document.querySelector("link[data-admin-css]")) {
  document.head.append(el("link", { rel: "stylesheet", href: "/pwa/css/admin.css", "data-admin-css": true }));
}

const ROLES = ["officer", "supervisor", "admin"];
let signedIn = null; // who opened the console (renderAdmin), for what the menu offers

function say(err) {
  if (!(err instanceof ApiProblem)) return String(err);
  const field = err.body?.errors?.[0];
  return field?.message || err.body?.detail || problemText(err);
}

function nav(page) {
  return el("nav", { class: "admin-nav", "aria-label": t("home.admin") },
    ["accounts", "import", "plan", "audit"].map((p) => el("a", {
      class: `button ${p === page ? "" : "secondary"}`, href: `#/admin/${p}`, id: `admin-nav-${p}`,
      "aria-current": p === page ? "page" : false }, t(`adm.${p}`))),
    // Form versions are a screen of their own (province administrators only).
    isProvinceAdmin(signedIn) ? el("a", { class: "button secondary", href: "#/forms-admin", id: "admin-nav-forms" },
      t("home.forms_admin")) : null,
    el("a", { class: "button secondary", href: "#/" }, t("common.back")));
}

function shell(view, page, ...content) {
  view.replaceChildren(el("div", { class: "admin", id: `admin-${page}` }, nav(page), ...content));
}

export async function renderAdmin(view, { me, page, params }) {
  signedIn = me;
  const [name, ...rest] = page.split("/");
  try {
    if (name === "user" && rest.length) return await renderUser(view, decodeURIComponent(rest.join("/")));
    if (name === "new") return renderNew(view, me);
    if (name === "import") return renderImport(view);
    if (name === "plan") {
      const { renderPlan } = await import("./admin-plan.js");
      return await renderPlan(view, { me, params, shell });
    }
    if (name === "audit") return await renderAudit(view, new URLSearchParams(params));
    return await renderAccounts(view, new URLSearchParams(params));
  } catch (err) {
    shell(view, name, el("p", { class: "card warn", role: "alert" }, say(err)));
  }
}

// --- Accounts -------------------------------------------------------------------------

function badges(user) {
  return [
    user.locked ? el("span", { class: "badge problem" }, t("adm.badge.locked")) : null,
    user.active ? null : el("span", { class: "badge returned" }, t("adm.badge.inactive")),
    user.incident_reviewer ? el("span", { class: "badge waiting" }, t("adm.badge.reviewer")) : null,
    user.must_change_password ? el("span", { class: "badge draft" }, t("adm.badge.code")) : null,
  ];
}

async function renderAccounts(view, query) {
  const { users } = await api("/api/users");
  const search = el("input", { id: "account-search", type: "search", placeholder: t("adm.search"),
    "aria-label": t("adm.search"), value: query.get("q") || "" });
  const units = new Map(users.map((u) => [u.unit.code, u.unit]));
  const unitPick = el("select", { id: "account-unit", "aria-label": t("adm.unit") },
    el("option", { value: "" }, t("adm.all_units")),
    [...units.values()].sort((a, b) => a.name.localeCompare(b.name, "vi"))
      .map((u) => el("option", { value: u.code, selected: u.code === query.get("unit") }, `${u.name} (${u.code})`)));
  const list = el("div", { id: "account-list" });
  const count = el("p", { class: "muted", id: "account-count" });
  const fold = (s) => (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
  const draw = () => {
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    const shown = users.filter((u) => (!unitPick.value || u.unit.code === unitPick.value)
      && words.every((w) => fold(`${u.display_name} ${u.username} ${u.phone || ""}`).includes(w)));
    count.textContent = t("adm.count", { n: shown.length });
    const groups = new Map();
    for (const u of shown) {
      if (!groups.has(u.unit.code)) groups.set(u.unit.code, []);
      groups.get(u.unit.code).push(u);
    }
    const sorted = [...groups.values()].sort((a, b) => a[0].unit.name.localeCompare(b[0].unit.name, "vi"));
    list.replaceChildren(...(sorted.length ? sorted.map((group) => el("section", { class: "unit-group" },
      el("h3", {}, `${group[0].unit.name} (${group[0].unit.code})`),
      el("ul", { class: "accounts" }, group.slice(0, 300).map((u) => el("li", {},
        el("a", { href: `#/admin/user/${encodeURIComponent(u.username)}`, class: "account", "data-username": u.username },
          el("strong", {}, u.display_name),
          el("span", { class: "muted" }, [u.username, u.phone && u.phone !== u.username ? u.phone : null, t(`role.${u.role}`)].filter(Boolean).join(" · ")),
          el("span", { class: "badges" }, badges(u)))))))) : [el("p", {}, t("adm.none"))]));
  };
  search.addEventListener("input", draw);
  unitPick.addEventListener("change", draw);
  shell(view, "accounts", el("section", { class: "card" },
    el("h2", {}, t("adm.accounts")),
    el("div", { class: "filters" }, search, unitPick,
      el("a", { class: "button", href: "#/admin/new", id: "account-new" }, t("adm.new"))),
    count, list));
  draw();
}

function roleSelect(id, value) {
  return el("select", { id }, ROLES.map((r) => el("option", { value: r, selected: r === value }, t(`role.${r}`))));
}

function field(label, input, hint) {
  return [el("label", { for: input.id }, label), input, hint ? el("p", { class: "muted small" }, hint) : null];
}

function codeBox(code) {
  const box = el("section", { class: "card code-box", id: "code-box", role: "status" },
    el("h3", {}, t("adm.code_for", { name: code.display_name || code.username })),
    el("p", { class: "one-time-code", id: "one-time-code" }, code.code),
    el("p", { class: "muted" }, t("adm.code_note", { date: formatDateTime(code.expires_at, currentLang()) })));
  box.append(printButton([{ username: code.username, code: code.code }], box));
  return box;
}

// The slips of codes just given: the server renders the A4 page; it opens in a new tab.
function printButton(accounts, where) {
  return el("button", { type: "button", class: "secondary", id: "print-sheet", onclick: async (event) => {
    event.target.disabled = true;
    try {
      const blob = await api("/api/users/sheet", { method: "POST", body: { accounts }, blob: true });
      const url = URL.createObjectURL(blob);
      where.querySelector("#sheet-link")?.remove();
      where.append(el("a", { class: "button", id: "sheet-link", href: url, target: "_blank", rel: "noopener" }, t("adm.print_open")));
    } catch (err) {
      toast(say(err), "error");
    } finally {
      event.target.disabled = false;
    }
  } }, t("adm.print"));
}

async function renderUser(view, username) {
  const { users } = await api("/api/users");
  const user = users.find((u) => u.username === username);
  if (!user) throw new ApiProblem(404, { code: "user.not_found", title: t("adm.none") });
  const error = el("p", { class: "error", role: "alert", id: "account-error" });
  const inputs = {
    display_name: el("input", { id: "acc-name", value: user.display_name, maxlength: 120 }),
    phone: el("input", { id: "acc-phone", type: "tel", value: user.phone || "", inputmode: "tel" }),
    unit: el("input", { id: "acc-unit", value: user.unit.code, inputmode: "numeric" }),
    role: roleSelect("acc-role", user.role),
  };
  const reviewer = el("input", { id: "acc-reviewer", type: "checkbox", checked: user.incident_reviewer });
  const after = el("div", { id: "account-after" });
  const reload = () => renderUser(view, username);
  const act = async (promise, message) => {
    error.textContent = "";
    try {
      const result = await promise;
      if (message) toast(message, "ok");
      return result;
    } catch (err) {
      error.textContent = say(err);
      return null;
    }
  };
  const save = async () => {
    const changes = {};
    for (const [key, input] of Object.entries(inputs)) {
      const before = key === "unit" ? user.unit.code : user[key] ?? "";
      if (input.value.trim() !== String(before)) changes[key] = input.value.trim();
    }
    if (changes.phone === "") changes.phone = null;
    if (reviewer.checked !== user.incident_reviewer) changes.incident_reviewer = reviewer.checked;
    if (!Object.keys(changes).length) return toast(t("adm.nothing"));
    if (await act(api(`/api/users/${encodeURIComponent(username)}`, { method: "PATCH", body: changes }), t("adm.saved"))) reload();
  };
  const name = user.display_name;
  const buttons = [
    el("button", { type: "button", id: "acc-save", onclick: save }, t("adm.save")),
    el("button", { type: "button", class: "secondary", id: "acc-reset", onclick: async () => {
      if (!(await ask(t("adm.reset_ask", { name }), t("adm.reset")))) return;
      const code = await act(api(`/api/users/${encodeURIComponent(username)}/sign-in-code`, { method: "POST" }));
      if (code) after.replaceChildren(codeBox(code));
    } }, t("adm.reset")),
    user.locked ? el("button", { type: "button", class: "secondary", id: "acc-unlock", onclick: async () => {
      if (await act(api(`/api/users/${encodeURIComponent(username)}/unlock`, { method: "POST" }), t("adm.unlocked"))) reload();
    } }, t("adm.unlock")) : null,
    el("button", { type: "button", class: "secondary danger", id: "acc-active", onclick: async () => {
      if (user.active && !(await ask(t("adm.deactivate_ask", { name }), t("adm.deactivate")))) return;
      if (await act(api(`/api/users/${encodeURIComponent(username)}`, { method: "PATCH", body: { active: !user.active } }), t("adm.saved"))) reload();
    } }, user.active ? t("adm.deactivate") : t("adm.reactivate")),
  ];
  shell(view, "accounts", el("section", { class: "card", id: "account-edit", "data-username": username },
    el("h2", {}, name), el("p", { class: "muted" }, `${user.username} · ${user.unit.name}`),
    el("p", { class: "badges" }, badges(user)),
    el("div", { class: "form-grid" },
      field(t("adm.name"), inputs.display_name), field(t("adm.phone"), inputs.phone),
      field(t("adm.unit"), inputs.unit), field(t("adm.role"), inputs.role)),
    el("label", { class: "check" }, reviewer, t("adm.reviewer")),
    error, el("div", { class: "actions" }, buttons)), after);
}

function renderNew(view) {
  const inputs = {
    display_name: el("input", { id: "new-name", maxlength: 120, required: true }),
    phone: el("input", { id: "new-phone", type: "tel", inputmode: "tel" }),
    username: el("input", { id: "new-username", autocapitalize: "none" }),
    unit: el("input", { id: "new-unit", inputmode: "numeric", required: true }),
    role: roleSelect("new-role", "officer"),
  };
  const error = el("p", { class: "error", role: "alert", id: "new-error" });
  const after = el("div", { id: "new-after" });
  const submit = el("button", { type: "submit", id: "new-submit" }, t("adm.create"));
  const form = el("form", { class: "card", id: "account-new-form", novalidate: true },
    el("h2", {}, t("adm.new")),
    el("div", { class: "form-grid" },
      field(t("adm.name"), inputs.display_name), field(t("adm.phone"), inputs.phone),
      field(t("adm.username"), inputs.username, t("adm.username_hint")),
      field(t("adm.unit"), inputs.unit), field(t("adm.role"), inputs.role)),
    error, el("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.value.trim()]));
    if (!body.username) body.username = body.phone.replace(/[^0-9]/g, "");
    if (!body.phone) delete body.phone;
    try {
      const user = await api("/api/users", { method: "POST", body });
      form.reset();
      after.replaceChildren(codeBox(user.sign_in_code));
    } catch (err) {
      error.textContent = say(err);
    }
  });
  shell(view, "accounts", form, after);
}

// --- Import ---------------------------------------------------------------------------

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function renderImport(view) {
  const file = el("input", { id: "import-file", type: "file", accept: ".xlsx,.csv,text/csv," + XLSX });
  const error = el("p", { class: "error", role: "alert", id: "import-error" });
  const out = el("div", { id: "import-result" });
  const send = async (dryRun) => {
    error.textContent = "";
    const chosen = file.files[0];
    if (!chosen) return null;
    const type = /\.csv$/i.test(chosen.name) ? "text/csv" : XLSX;
    try {
      return await api(`/api/users/import${dryRun ? "?dry_run=true" : ""}`, { method: "POST",
        raw: chosen, headers: { "Content-Type": type }, timeout: 120000 });
    } catch (err) {
      error.textContent = say(err);
      return null;
    }
  };
  const check = el("button", { type: "button", id: "import-check", onclick: async () => {
    const result = await send(true);
    if (!result) return;
    const confirm = result.summary.new ? el("button", { type: "button", id: "import-confirm", onclick: async (e) => {
      e.target.disabled = true;
      const done = await send(false);
      e.target.disabled = false;
      if (done) showDone(done);
    } }, t("adm.confirm", { n: result.summary.new })) : null;
    out.replaceChildren(el("section", { class: "card" },
      el("p", { id: "import-summary" }, t("adm.preview", result.summary)),
      rowsTable(result.rows, false), el("div", { class: "actions" }, confirm)));
  } }, t("adm.check"));
  const showDone = (result) => {
    const made = result.rows.filter((r) => r.sign_in_code)
      .map((r) => ({ username: r.username, code: r.sign_in_code.code }));
    const card = el("section", { class: "card" },
      el("p", { id: "import-summary" }, t("adm.done", result.summary)), rowsTable(result.rows, true));
    if (made.length) card.append(el("div", { class: "actions" }, printButton(made, card)));
    out.replaceChildren(card);
  };
  file.addEventListener("change", () => out.replaceChildren());
  shell(view, "import", el("section", { class: "card" },
    el("h2", {}, t("home.admin_import")),
    el("label", { for: "import-file" }, t("adm.file")), file,
    error, el("div", { class: "actions" }, check)), out);
}

function rowsTable(rows, withCodes) {
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("adm.status") }, el("table", { id: "import-rows" },
    el("thead", {}, el("tr", {}, [t("adm.row"), t("adm.name"), t("adm.phone"), t("adm.unit"), t("adm.role"),
      t("adm.status"), withCodes ? t("adm.code") : null].filter(Boolean).map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((r) => el("tr", { class: `st-${r.status}`, "data-row": r.row },
      el("td", {}, String(r.row)), el("td", {}, r.display_name || ""), el("td", {}, r.username || ""),
      el("td", {}, r.unit || ""), el("td", {}, r.role ? t(`role.${r.role}`) : ""),
      el("td", {}, el("span", { class: `badge ${r.status === "error" ? "problem" : r.status === "unchanged" ? "draft" : "sent"}` },
        t(`adm.st.${r.status}`)), r.errors.length ? el("ul", { class: "row-errors" }, r.errors.map((e) => el("li", {}, e))) : null),
      withCodes ? el("td", { class: "mono" }, r.sign_in_code?.code || "") : null)))));
}

// --- Audit ----------------------------------------------------------------------------

function shortValue(value) {
  if (value == null) return "–";
  try {
    const data = JSON.parse(value);
    if (data && typeof data === "object") {
      return Object.entries(data).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ");
    }
  } catch { /* plain text */ }
  return value;
}

async function renderAudit(view, query) {
  const tab = query.get("tab") === "access" ? "access" : "admin";
  const lang = currentLang();
  const go = (changes) => {
    const next = new URLSearchParams({ tab, ...changes });
    for (const [k, v] of [...next]) if (!v) next.delete(k);
    location.hash = `#/admin/audit?${next}`;
  };
  const tabs = el("div", { class: "actions", role: "tablist" }, ["admin", "access"].map((name) =>
    el("button", { type: "button", role: "tab", id: `audit-tab-${name}`, "aria-selected": String(name === tab),
      class: name === tab ? "" : "secondary", onclick: () => go({ tab: name }) }, t(`adm.audit_${name}`))));
  let form;
  let table;
  if (tab === "admin") {
    const target = el("input", { id: "audit-target", value: query.get("target") || "", autocapitalize: "none" });
    const kind = el("select", { id: "audit-kind" }, ["", "user", "target", "rule", "form"].map((k) =>
      el("option", { value: k, selected: k === (query.get("kind") || "") }, t(`adm.kind.${k || "all"}`))));
    form = el("form", { class: "filters", id: "audit-form" }, field(t("adm.target"), target), field(t("adm.kind"), kind),
      el("button", { type: "submit" }, t("adm.find")));
    form.addEventListener("submit", (e) => { e.preventDefault(); go({ target: target.value.trim(), kind: kind.value }); });
    const args = new URLSearchParams();
    for (const k of ["target", "kind"]) if (query.get(k)) args.set(k, query.get(k));
    const { entries } = await api(`/api/audit/admin?${args}`);
    table = entries.length ? el("table", { id: "audit-entries" },
      el("thead", {}, el("tr", {}, [t("adm.at"), t("adm.actor"), t("adm.action"), t("adm.target"), t("adm.change")].map((h) =>
        el("th", { scope: "col" }, h.split(" (")[0])))),
      el("tbody", {}, entries.map((e) => el("tr", { "data-action": e.action, "data-target": e.target },
        el("td", {}, formatDateTime(e.at, lang)), el("td", {}, e.actor || "–"),
        el("td", {}, t(`adm.act.${e.action}`)), el("td", { class: "mono" }, e.target),
        el("td", {}, `${shortValue(e.before)} → ${shortValue(e.after)}`))))) : el("p", {}, t("adm.empty"));
  } else {
    const record = el("input", { id: "audit-record", value: query.get("record") || "", autocapitalize: "none" });
    const user = el("input", { id: "audit-user", value: query.get("user") || "", autocapitalize: "none" });
    form = el("form", { class: "filters", id: "audit-form" }, field(t("adm.record"), record), field(t("adm.user"), user),
      el("button", { type: "submit" }, t("adm.find")));
    form.addEventListener("submit", (e) => { e.preventDefault(); go({ record: record.value.trim(), user: user.value.trim() }); });
    const args = new URLSearchParams();
    for (const k of ["record", "user"]) if (query.get(k)) args.set(k, query.get(k));
    const { entries } = await api(`/api/audit/access?${args}`);
    table = entries.length ? el("table", { id: "audit-entries" },
      el("thead", {}, el("tr", {}, [t("adm.at"), t("adm.user"), t("adm.action"), t("adm.record"), t("adm.screen"), t("adm.allowed")]
        .map((h) => el("th", { scope: "col" }, h.split(" (")[0])))),
      el("tbody", {}, entries.map((e) => el("tr", {},
        el("td", {}, formatDateTime(e.at, lang)), el("td", {}, e.user), el("td", {}, e.action),
        el("td", { class: "mono" }, e.record || "–"), el("td", {}, e.screen || ""),
        el("td", {}, e.allowed ? t("common.yes") : t("common.no")))))) : el("p", {}, t("adm.empty"));
  }
  shell(view, "audit", el("section", { class: "card" }, el("h2", {}, t("adm.audit")), tabs, form,
    el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": t("adm.audit") }, table)));
}
