// Signed in with a one-time code (loaded only then): her own password before anything else.
import { api, ApiProblem } from "../api.js";
import { t } from "../i18n/index.js";
import { el, problemText } from "../ui.js";

export function renderChoosePassword(view, { onDone, onLogout }) {
  const error = el("p", { class: "error", role: "alert", id: "password-error" });
  const first = el("input", { id: "new-password", type: "password", autocomplete: "new-password", required: true });
  const again = el("input", { id: "new-password-again", type: "password", autocomplete: "new-password", required: true });
  const submit = el("button", { type: "submit" }, t("password.save"));
  const form = el("form", { class: "card", id: "password-form", novalidate: true },
    el("h2", {}, t("password.title")),
    el("p", {}, t("password.why")),
    el("label", { for: "new-password" }, t("password.new")), first,
    el("label", { for: "new-password-again" }, t("password.again")), again,
    error,
    el("div", { class: "actions" }, submit,
      el("button", { type: "button", class: "secondary", onclick: onLogout }, t("home.logout"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (first.value !== again.value) { error.textContent = t("password.mismatch"); return; }
    submit.disabled = true;
    try {
      const me = await api("/api/auth/password", { method: "POST", body: { password: first.value } });
      await onDone(me, first.value);
    } catch (problem) {
      const field = problem.body?.errors?.[0];
      error.textContent = field?.message || (problem instanceof ApiProblem ? problemText(problem) : String(problem));
      submit.disabled = false;
    }
  });
  view.replaceChildren(form);
  first.focus();
}
