// Sign-in screen: a password, or the one-time code on the slip an administrator printed
// (its QR code opens #/code?u=…&c=…, filling both in).
import { api, ApiProblem } from "../api.js";
import { t } from "../i18n/index.js";
import { el, problemText } from "../ui.js";

export function renderLogin(view, { onSignedIn, langButton, notice = "", username = "", code = null }) {
  let withCode = code !== null;
  const error = el("p", { class: "error", role: "alert", id: "login-error" });
  const user = el("input", { id: "username", name: "username", autocomplete: "username",
    autocapitalize: "none", required: true, value: username });
  const password = el("input", { id: "password", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const codeInput = el("input", { id: "code", name: "code", autocomplete: "one-time-code",
    autocapitalize: "characters", spellcheck: "false", required: true, value: code || "" });
  const passwordLabel = el("label", { for: "password" }, t("login.password"));
  const codeLabel = el("label", { for: "code" }, t("login.code"));
  const toggle = el("button", { type: "button", class: "link", id: "login-toggle" });
  const show = () => {
    for (const node of [password, passwordLabel]) node.hidden = withCode;
    for (const node of [codeInput, codeLabel]) node.hidden = !withCode;
    toggle.textContent = withCode ? t("login.use_password") : t("login.use_code");
  };
  toggle.addEventListener("click", () => { withCode = !withCode; show(); (withCode ? codeInput : password).focus(); });
  const submit = el("button", { type: "submit" }, t("login.submit"));
  const form = el("form", { class: "card", id: "login-form", novalidate: true },
    el("h2", {}, t("login.title")),
    notice ? el("p", { class: "notice", id: "login-notice" }, notice) : null,
    el("label", { for: "username" }, t("login.username")), user,
    passwordLabel, password, codeLabel, codeInput, toggle,
    error,
    el("div", { class: "actions" }, submit, langButton()));
  show();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!navigator.onLine) { error.textContent = t("login.offline"); return; }
    submit.disabled = true;
    submit.textContent = t("login.busy");
    const secret = withCode ? { code: codeInput.value.trim() } : { password: password.value };
    try {
      const me = await api("/api/auth/login", { method: "POST",
        body: { username: user.value.trim(), ...secret } });
      await onSignedIn(me, withCode ? null : password.value);
    } catch (problem) {
      // A deactivated account is told whom to call (the server names them).
      const text = problem instanceof ApiProblem
        ? (problem.code === "auth.account_disabled" && problem.body.detail) || problemText(problem)
        : String(problem);
      error.textContent = text;
      submit.disabled = false;
      submit.textContent = t("login.submit");
    }
  });
  view.replaceChildren(form);
  (username ? (withCode ? codeInput : password) : user).focus();
}
