// Notifications: turn Web Push on (after a tap), and the in-app list of the same messages.
import { api, ApiProblem } from "../api.js";
import { t, currentLang } from "../i18n/index.js";
import { el, formatDateTime, toast } from "../ui.js";
import { disablePush, enablePush, pushState } from "../push.js";

export async function renderNotifications(view) {
  const lang = currentLang();
  const state = await pushState().catch(() => "unsupported");
  let list = { notifications: [], unread: 0 };
  try { list = await api("/api/notifications"); } catch (err) { if (!(err instanceof ApiProblem)) throw err; }
  const toggle = state === "on"
    ? el("button", { type: "button", class: "secondary", id: "push-off", onclick: async () => {
      await disablePush(); renderNotifications(view); } }, t("notify.off"))
    : el("button", { type: "button", id: "push-on", disabled: state === "unsupported" || state === "denied",
      onclick: async () => {
        const result = await enablePush().catch(() => "failed");
        toast(t(`notify.result.${result}`), result === "on" ? "ok" : "warn");
        renderNotifications(view);
      } }, t("notify.on"));
  const unread = list.notifications.filter((n) => !n.read).map((n) => n.id);
  if (unread.length) api("/api/notifications/read", { method: "POST", body: { ids: unread } }).catch(() => {});
  view.replaceChildren(el("section", { class: "card", id: "notifications" },
    el("h2", {}, t("notify.title")),
    el("p", { id: "push-state" }, t(`notify.state.${state}`)),
    el("div", { class: "actions" }, toggle),
    list.notifications.length
      ? el("ul", { class: "records", id: "notification-list" }, list.notifications.map((n) =>
        el("li", {}, el("a", { class: `record ${n.read ? "" : "mine"}`, href: n.url.replace(/^\//, "") || "#/" },
          el("span", { class: "record-form" }, n.title), el("span", {}, n.body),
          el("span", { class: "muted small" }, formatDateTime(n.created_at, lang))))))
      : el("p", { class: "muted" }, t("notify.empty"))),
  el("a", { class: "button secondary", href: "#/" }, t("common.back")));
}
