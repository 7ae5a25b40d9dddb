// Small DOM and text helpers shared by the views.
import { t, hasKey } from "./i18n/index.js";

// A { vi, en } text of a form definition in `lang` (Vietnamese where it has no other).
export const lbl = (text, lang) => (text ? text[lang] || text.vi : "");

// A problem from the server in her words.
export function problemText(problem) {
  if (problem.code === "network") return t("error.network");
  const key = `error.${problem.code}`;
  const minutes = Math.ceil((problem.body.retry_after || 60) / 60);
  return hasKey(key) ? t(key, { minutes }) : problem.body.title || t("error.server.error");
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else if (value === true) node.setAttribute(key, "");
    else if (value !== false && value != null) node.setAttribute(key, value);
  }
  node.append(...children.flat().filter((c) => c != null && c !== false));
  return node;
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.className = `toast ${kind}`;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

// A modal question; resolves true or false. Used before anything that could lose work.
export function ask(question, yes, no = t("common.cancel")) {
  return new Promise((resolve) => {
    const dialog = el("dialog", { class: "ask", "aria-labelledby": "ask-text" },
      el("p", { id: "ask-text" }, question),
      el("div", { class: "actions" },
        el("button", { type: "button", id: "ask-yes", onclick: () => close(true) }, yes),
        el("button", { type: "button", class: "secondary", id: "ask-no", onclick: () => close(false) }, no)));
    function close(answer) {
      dialog.close();
      dialog.remove();
      resolve(answer);
    }
    dialog.addEventListener("cancel", () => close(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Vietnam's clock is UTC+7 all year (no daylight saving since 1975): a time is shown by
// arithmetic, not Intl, whose first date format of a page costs ~80 ms on a slow phone
// (ICU loading its data) and lay on every draw of home. Day first, as formatDate.
const VIETNAM_MS = 7 * 3600 * 1000;
const two = (n) => String(n).padStart(2, "0");

// Today's date in Vietnam, YYYY-MM-DD.
export const vietnamToday = () => new Date(Date.now() + VIETNAM_MS).toISOString().slice(0, 10);

export function formatDateTime(iso, lang) {
  if (!iso) return "";
  const at = new Date(Date.parse(iso) + VIETNAM_MS);
  if (Number.isNaN(at.getTime())) return String(iso);
  const date = `${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${at.getUTCFullYear()}`;
  const time = `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}`;
  return lang === "en" ? `${date}, ${time}` : `${time} ${date}`;
}

export function formatDate(isoDate) {
  if (!isoDate || !/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) return isoDate || "";
  const [y, m, d] = isoDate.split("-");
  return `${d}/${m}/${y}`;
}
