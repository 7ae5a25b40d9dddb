// Supervisors: "Tình trạng máy" — the phones of her subtree, riskiest first: what is
// stuck and since when, and a one-tap nudge that tells the officer what to do. Loaded
// only when a reviewer opens it (app.js).
import { api, ApiProblem } from "../api.js";
import { t } from "../i18n/index.js";
import { el, toast, formatDateTime } from "../ui.js";

const BUCKETS = ["queued", "draft", "rejected", "returned", "conflict"];

function stuck(device) {
  return BUCKETS.filter((b) => device.records[b].count).map((b) => {
    const { count, age_days: age } = device.records[b];
    return t(`devices.bucket.${b}`, { n: count, days: age === null ? "?" : Math.floor(age) });
  });
}

function card(device) {
  const nudge = el("button", { type: "button", class: "secondary", "data-user": device.user.username,
    onclick: async () => {
      nudge.disabled = true;
      try {
        const { notified, message } = await api("/api/devices/nudge", { method: "POST",
          body: { username: device.user.username } });
        toast(notified ? t("devices.nudged", { text: message }) : t("devices.nudged_already"), "ok");
      } catch (err) {
        toast(err.body?.detail || err.body?.title || String(err), "error");
      } finally { nudge.disabled = false; }
    } }, t("devices.nudge"));
  const lines = stuck(device);
  return el("li", { class: `card device ${device.risk.length ? "at-risk" : "calm"}`, "data-device": device.device_id },
    el("h3", {}, device.user.display_name,
      el("span", { class: "muted" }, ` · ${device.unit.name}${device.unit.parent ? `, ${device.unit.parent}` : ""}`)),
    el("p", { class: "risks" }, device.risk.length
      ? device.risk.map((r) => el("span", { class: "badge problem", "data-risk": r }, t(`devices.risk.${r}`)))
      : el("span", { class: "badge sent" }, t("devices.calm"))),
    lines.length ? el("ul", { class: "stuck" }, lines.map((line) => el("li", {}, line))) : null,
    el("p", { class: "muted small" }, t("devices.facts", {
      sync: device.last_sync_days === null ? t("devices.never") : t("devices.days_ago", { n: Math.floor(device.last_sync_days) }),
      seen: formatDateTime(device.reported_at), browser: `${device.browser || "?"} / ${device.os || "?"}` })),
    device.risk.length ? el("div", { class: "actions" }, nudge) : null);
}

export async function renderDevices(view, { params }) {
  const unit = new URLSearchParams(params).get("unit");
  let devices;
  try {
    ({ devices } = await api(`/api/devices${unit ? `?unit=${encodeURIComponent(unit)}` : ""}`));
  } catch (err) {
    if (err instanceof ApiProblem && err.code === "network") {
      view.replaceChildren(el("p", { class: "card warn" }, t("review.offline")));
      return;
    }
    throw err;
  }
  view.replaceChildren(el("section", { id: "devices" },
    el("h2", {}, t("devices.title")),
    el("p", { class: "muted" }, t("devices.intro")),
    devices.length ? el("ul", { class: "plain", id: "device-list" }, devices.map(card))
      : el("p", { class: "card", id: "devices-empty" }, t("devices.none"))));
}
