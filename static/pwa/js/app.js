// Boot: register the service worker, find out who is signed in, show the right screen.
import { api, ApiProblem, setCsrfToken } from "./api.js";
import { t, setLang, currentLang, hasKey } from "./i18n/index.js";

const view = document.getElementById("view");
const ME_KEY = "cslp.me";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== false && value != null) node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c != null));
  return node;
}

function problemText(problem) {
  if (problem.code === "network") return t("error.network");
  const key = `error.${problem.code}`;
  const minutes = Math.ceil((problem.body.retry_after || 60) / 60);
  return hasKey(key) ? t(key, { minutes }) : problem.body.title || t("error.server.error");
}

function showNet() {
  const badge = document.getElementById("net-status");
  badge.textContent = navigator.onLine ? t("net.online") : t("net.offline");
  badge.classList.toggle("offline", !navigator.onLine);
}

function renderLogin(message = "") {
  const error = el("p", { class: "error", role: "alert", id: "login-error" }, message);
  const username = el("input", { id: "username", name: "username", autocomplete: "username",
    autocapitalize: "none", required: true });
  const password = el("input", { id: "password", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const submit = el("button", { type: "submit" }, t("login.submit"));
  const form = el("form", { class: "card", id: "login-form", novalidate: true },
    el("h2", {}, t("login.title")),
    el("label", { for: "username" }, t("login.username")), username,
    el("label", { for: "password" }, t("login.password")), password,
    error,
    el("div", { class: "actions" }, submit, langButton(() => renderLogin())));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!navigator.onLine) { error.textContent = t("login.offline"); return; }
    submit.disabled = true;
    submit.textContent = t("login.busy");
    try {
      const me = await api("/api/auth/login", { method: "POST",
        body: { username: username.value.trim(), password: password.value } });
      signedIn(me);
    } catch (problem) {
      error.textContent = problem instanceof ApiProblem ? problemText(problem) : String(problem);
      submit.disabled = false;
      submit.textContent = t("login.submit");
    }
  });
  view.replaceChildren(form);
  username.focus();
}

function langButton(rerender) {
  return el("button", { type: "button", class: "secondary", id: "lang-switch",
    onclick: () => { setLang(currentLang() === "vi" ? "en" : "vi"); showNet(); rerender(); } },
  t("lang.switch"));
}

function renderHome(me) {
  const path = me.unit_path.map((u) => u.name).join(" › ");
  view.replaceChildren(
    el("section", { class: "card", id: "home" },
      el("h2", {}, t("home.hello", { name: me.display_name })),
      el("p", { id: "home-role" }, `${t(`role.${me.role}`)} · ${me.unit.name}`),
      el("p", { class: "path", id: "unit-path" }, path),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "secondary", id: "logout", onclick: logout },
          t("home.logout")),
        langButton(() => renderHome(me)))));
}

function signedIn(me) {
  setCsrfToken(me.csrf_token);
  localStorage.setItem(ME_KEY, JSON.stringify({ ...me, csrf_token: undefined }));
  renderHome(me);
}

async function logout() {
  try { await api("/api/auth/logout", { method: "POST" }); } catch { /* offline: still forget */ }
  localStorage.removeItem(ME_KEY);
  setCsrfToken(null);
  renderLogin();
}

async function boot() {
  setLang(currentLang());
  document.getElementById("app-title").textContent = t("app.title");
  showNet();
  addEventListener("online", showNet);
  addEventListener("offline", showNet);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" }).catch(() => {});
  }
  try {
    signedIn(await api("/api/auth/me"));
  } catch (problem) {
    const cached = localStorage.getItem(ME_KEY);
    if (problem.code === "network" && cached) renderHome(JSON.parse(cached));
    else renderLogin();
  }
}

boot();
