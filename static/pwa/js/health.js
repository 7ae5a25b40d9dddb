// This phone's health (issue 18): how many records it holds in each state and how old the
// oldest is, its last sync, storage, push. Sent after each sync (sync.js) so a supervisor
// can see work at risk before it is lost. Counts, ages and technical facts only: no
// answer, title or record id ever goes into a report. Runs in the page and the worker.
import { api } from "./api.js";
import { kv } from "./db.js";
import { bucket, listRecords } from "./outbox.js";

// The phone's buckets (outbox.js) -> the report's: "problem" is split into its two states.
const REPORTED = { draft: "draft", waiting: "queued", returned: "returned" };

function reportBucket(record) {
  const b = bucket(record);
  if (b === "problem") return record.state; // rejected or conflict
  return REPORTED[b] || null;
}

// {draft|queued|rejected|conflict|returned: {count, age_seconds}} of her records, by `now`.
export function recordHealth(records, now = Date.now()) {
  const out = Object.fromEntries(["draft", "queued", "rejected", "conflict", "returned"]
    .map((b) => [b, { count: 0, age_seconds: null }]));
  for (const r of records) {
    const b = reportBucket(r);
    if (!b) continue;
    const age = Math.max(0, Math.round((now - Date.parse(r.updated_at || r.created_at)) / 1000));
    out[b].count += 1;
    if (Number.isFinite(age) && (out[b].age_seconds === null || age > out[b].age_seconds)) out[b].age_seconds = age;
  }
  return out;
}

// The one line home shows: calm when all is sent, else the one next action (an i18n key).
export function healthLine(health) {
  if (health.rejected.count || health.conflict.count) return { key: "health.fix_rejected", n: health.rejected.count + health.conflict.count };
  if (health.returned.count) return { key: "health.fix_returned", n: health.returned.count };
  if (health.queued.count) return { key: "health.send_queued", n: health.queued.count };
  if (health.draft.count) return { key: "health.finish_drafts", n: health.draft.count };
  return { key: "health.all_sent", n: 0 };
}

async function deviceId() {
  let id = await kv.get("device_id");
  if (!id) { id = `d-${crypto.randomUUID()}`; await kv.set("device_id", id); }
  return id;
}

async function appVersion() {
  if (typeof caches === "undefined") return null;
  const name = (await caches.keys()).find((k) => k.startsWith("cslp-static-"));
  return name ? name.slice("cslp-static-".length) : null;
}

function family(ua) {
  const browser = /SamsungBrowser/.test(ua) ? "Samsung Internet" : /Edg\//.test(ua) ? "Edge"
    : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "other";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad|iOS/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows"
    : /Mac OS X/.test(ua) ? "macOS" : /Linux|CrOS/.test(ua) ? "Linux" : "other";
  return { browser, os };
}

async function registration() {
  if (typeof ServiceWorkerGlobalScope !== "undefined" && self instanceof ServiceWorkerGlobalScope) return self.registration;
  if (!navigator.serviceWorker?.controller) return null;
  return navigator.serviceWorker.ready;
}

async function pushFacts(reg) {
  const available = Boolean(reg?.pushManager);
  const subscribed = available ? Boolean(await reg.pushManager.getSubscription().catch(() => null)) : false;
  return { available, subscribed };
}

export async function buildReport(owner, now = Date.now()) {
  const storage = navigator.storage || {};
  const [records, lastSync, persisted, estimate, reg, version, id] = await Promise.all([
    listRecords(owner), kv.get("last_sync"), storage.persisted?.().catch(() => null) ?? null,
    storage.estimate?.().catch(() => ({})) ?? {}, registration(), appVersion(), deviceId()]);
  const last = lastSync ? Math.max(0, Math.round((now - Date.parse(lastSync)) / 1000)) : null;
  return {
    device_id: id, app_version: version, records: recordHealth(records, now),
    last_sync_age_seconds: Number.isFinite(last) ? last : null,
    storage: { persisted: persisted ?? null, quota: estimate?.quota ?? null, usage: estimate?.usage ?? null },
    background_sync: Boolean(reg && "sync" in reg), push: await pushFacts(reg),
    ...family(navigator.userAgent || ""),
  };
}

// Best effort: a report that cannot go now goes with the next sync.
export async function sendReport(owner) {
  try {
    await api("/api/devices/health", { method: "POST", body: await buildReport(owner) });
  } catch { /* next time */ }
}
