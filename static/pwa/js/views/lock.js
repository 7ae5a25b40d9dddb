// PIN screens: set the PIN that protects incident records on this phone, unlock, and
// recover after five wrong PINs (signed in online again; unsent work is kept).
import { t } from "../i18n/index.js";
import { el } from "../ui.js";
import { MAX_TRIES, recover, setPin, unlock } from "../vault.js";

function pinInput(id, label) {
  return [el("label", { for: id }, label),
    el("input", { id, type: "password", inputmode: "numeric", autocomplete: "off", minlength: 6, maxlength: 12, required: true })];
}

function passwordField() {
  return [el("label", { for: "pin-password" }, t("pin.password")),
    el("input", { id: "pin-password", type: "password", autocomplete: "current-password", required: true })];
}

function pinForm(view, { title, text, fields, submit, onSubmit, extra = null, notice = null }) {
  const error = el("p", { class: "error", role: "alert", id: "pin-error" });
  const button = el("button", { type: "submit" }, submit);
  const form = el("form", { class: "card", id: "pin-form", novalidate: true },
    el("h2", {}, title), notice, text ? el("p", {}, text) : null, ...fields, error,
    el("div", { class: "actions" }, button, extra));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const message = await onSubmit(form);
      if (message) error.textContent = message;
    } catch (err) {
      error.textContent = err.code === "network" ? t("pin.needs_network")
        : err.code === "auth.invalid_credentials" ? t("pin.bad_password")
          : err.code === "auth.too_many_attempts" ? t("error.auth.too_many_attempts", { minutes: 15 })
            : String(err.message || err);
    } finally {
      button.disabled = false;
    }
  });
  view.replaceChildren(form);
  form.querySelector("input")?.focus();
}

function newPinFields() {
  return [...pinInput("pin-new", t("pin.new")), ...pinInput("pin-again", t("pin.again"))];
}

function readNewPin(form) {
  const pin = form.querySelector("#pin-new").value;
  if (!/^[0-9]{6,12}$/.test(pin)) return { error: t("pin.rule") };
  if (pin !== form.querySelector("#pin-again").value) return { error: t("pin.mismatch") };
  return { pin };
}

export function renderPinSetup(view, { onDone, onCancel }) {
  pinForm(view, { title: t("pin.setup_title"), text: t("pin.setup_text"),
    notice: navigator.onLine ? null : el("p", { class: "notice", id: "pin-offline", role: "status" }, t("pin.needs_network_now")),
    fields: [...newPinFields(), ...passwordField()],
    submit: t("pin.save"), extra: el("button", { type: "button", class: "secondary", onclick: onCancel }, t("common.cancel")),
    onSubmit: async (form) => {
      const { pin, error } = readNewPin(form);
      if (error) return error;
      if (!navigator.onLine) return t("pin.needs_network");
      await setPin(pin, form.querySelector("#pin-password").value);
      onDone();
      return null;
    } });
}

export function renderUnlock(view, { onUnlocked, onLockedOut }) {
  pinForm(view, { title: t("pin.unlock_title"), text: t("pin.unlock_text"),
    fields: pinInput("pin", t("pin.pin")), submit: t("pin.unlock"),
    onSubmit: async (form) => {
      const result = await unlock(form.querySelector("#pin").value);
      if (result.ok) { onUnlocked(); return null; }
      if (result.lockedOut) { onLockedOut(); return null; }
      return t("pin.wrong", { left: result.left, max: MAX_TRIES });
    } });
}

// `password` is the one she just typed to sign in (kept in memory only for this).
export function renderRecover(view, { onDone, password }) {
  pinForm(view, { title: t("pin.recover_title"), text: t("pin.recover_text"),
    fields: [...newPinFields(), ...(password ? [] : passwordField())],
    submit: t("pin.save"),
    onSubmit: async (form) => {
      const { pin, error } = readNewPin(form);
      if (error) return error;
      await recover(pin, password || form.querySelector("#pin-password").value);
      onDone();
      return null;
    } });
}
