// Sign-in screen.
import { api, ApiProblem } from "../api.js";
import { t } from "../i18n/index.js";
import { el, problemText } from "../ui.js";

export function renderLogin(view, { onSignedIn, langButton, notice = "", username = "" }) {
  const error = el("p", { class: "error", role: "alert", id: "login-error" });
  const user = el("input", { id: "username", name: "username", autocomplete: "username",
    autocapitalize: "none", required: true, value: username });
  const password = el("input", { id: "password", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const submit = el("button", { type: "submit" }, t("login.submit"));
  const form = el("form", { class: "card", id: "login-form", novalidate: true },
    el("h2", {}, t("login.title")),
    notice ? el("p", { class: "notice", id: "login-notice" }, notice) : null,
    el("label", { for: "username" }, t("login.username")), user,
    el("label", { for: "password" }, t("login.password")), password,
    error,
    el("div", { class: "actions" }, submit, langButton()));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!navigator.onLine) { error.textContent = t("login.offline"); return; }
    submit.disabled = true;
    submit.textContent = t("login.busy");
    try {
      const me = await api("/api/auth/login", { method: "POST",
        body: { username: user.value.trim(), password: password.value } });
      await onSignedIn(me, password.value);
    } catch (problem) {
      error.textContent = problem instanceof ApiProblem ? problemText(problem) : String(problem);
      submit.disabled = false;
      submit.textContent = t("login.submit");
    }
  });
  view.replaceChildren(form);
  (username ? password : user).focus();
}
