// Sync: push the outbox to POST /api/sync, pull /api/sync/changes, back off on failure.
// Runs in the page and in the service worker (Background Sync); both may drain at once,
// which the server's idempotency on the record UUID makes safe. No DOM here. What the
// answers mean for a record on the phone is outbox.js's to decide and write.
import { api, ApiProblem } from "./api.js";
import { get, put, kv } from "./db.js";
import { sendReport } from "./health.js";
import { refreshDefinitions } from "./forms/definition.js";
import { isReviewer } from "./roles.js";
import { markSending, mergeServerChange, openForSending, outboxAttachments, recordResult, releaseSending,
  sendable } from "./outbox.js";

const BATCH = 50;
const PARENT_FORMS = ["incident", "model_group"];
const BACKOFF_BASE = 2000;
const BACKOFF_CAP = 5 * 60 * 1000;
const channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("cslp-sync") : null;
let running = null;
let again = null;
let retryTimer = null;
const listeners = new Set();

export function onSyncEvent(listener) {
  listeners.add(listener);
  if (channel && listeners.size === 1) channel.onmessage = (e) => listeners.forEach((l) => l(e.data));
  return () => listeners.delete(listener);
}

function emit(event) {
  listeners.forEach((l) => l(event));
  channel?.postMessage(event);
}

// One sync at a time. Asked while one is under way, the answer is a sync that begins
// after it, so what changed since that one began (a return, a new record) is seen too.
export function drain() {
  if (!running) {
    running = run().finally(() => { running = null; });
    return running;
  }
  again ??= running.then(() => { again = null; return drain(); });
  return again;
}

// The sync under way (and the one asked for after it), if any, to its end; starts none.
// Sign-out waits for it: a report it sent after the session ended would be refused.
export function settled() {
  return (again || running || Promise.resolve()).catch(() => {});
}

async function run() {
  const me = await kv.get("me");
  if (!me) return { ok: false, reason: "signed_out" };
  if (await kv.get("paused")) return { ok: false, reason: "auth" };
  emit({ type: "start" });
  try {
    await uploadPhotos(me.username);
    await push(me.username);
    await pull(me.username, !isReviewer(me));
    // A version published since the last sync (an ETag'd 304 when nothing changed).
    await refreshDefinitions();
    await kv.set("last_sync", new Date().toISOString());
    await kv.set("failures", 0);
    await sendReport(me.username);
    emit({ type: "done", ok: true });
    return { ok: true };
  } catch (err) {
    await releaseSending(me.username);
    if (err instanceof ApiProblem && err.status === 401) {
      await kv.set("paused", true);
      emit({ type: "done", ok: false, reason: "auth" });
      return { ok: false, reason: "auth" };
    }
    const failures = ((await kv.get("failures")) || 0) + 1;
    await kv.set("failures", failures);
    // The server answered (busy, or refusing) while the phone is online: say what waits
    // here. With no network at all there is no one to tell; the next sync reports.
    if (err instanceof ApiProblem && err.status > 0) await sendReport(me.username);
    const delay = Math.min(BACKOFF_BASE * 2 ** (failures - 1), BACKOFF_CAP) * (0.5 + Math.random() / 2);
    const retryable = !(err instanceof ApiProblem) || err.retryable;
    if (retryable && typeof setTimeout !== "undefined") {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(drain, delay);
    }
    emit({ type: "done", ok: false, reason: retryable ? "retry" : "error", code: err.code, delay });
    return { ok: false, reason: retryable ? "retry" : "error", delay };
  }
}

async function uploadPhotos(owner) {
  for (const digest of await outboxAttachments(owner)) {
    const photo = await get("photos", digest);
    if (!photo || photo.uploaded || photo.refused) continue;
    try {
      await api(`/api/attachments/${digest}`, { method: "PUT", raw: photo.blob,
        headers: { "Content-Type": photo.type || "image/jpeg" }, timeout: 120000 });
      await put("photos", { ...photo, uploaded: true });
    } catch (err) {
      if (err instanceof ApiProblem && !err.retryable && err.status !== 401) {
        await put("photos", { ...photo, refused: err.code });
      } else {
        throw err;
      }
    }
  }
}

function toItem(r) {
  const item = { uuid: r.uuid, form: r.form, version: r.version, unit: r.unit, base_revision: r.base_revision,
    answers: r.answers, attachments: r.attachments || [] };
  if (r.parent) item.parent = r.parent;
  return item;
}

// Cases and groups whose timeline changed on the server (an entry, a transfer in): the
// case screens fetch them again when they are next online (js/cases.js).
async function noteStale(owner, changes) {
  const stale = new Set();
  for (const c of changes) {
    if (c.parent) stale.add(c.parent);
    else if (PARENT_FORMS.includes(c.form) && c.author !== owner) stale.add(c.uuid);
  }
  if (!stale.size) return;
  const key = `stale:${owner}`;
  await kv.set(key, [...new Set([...((await kv.get(key)) || []), ...stale])]);
}

async function push(owner) {
  const queued = await sendable(owner);
  for (let i = 0; i < queued.length; i += BATCH) {
    const chunk = await openForSending(queued.slice(i, i + BATCH));
    const sentAt = new Map(chunk.map((r) => [r.uuid, r.updated_at]));
    await markSending(chunk);
    emit({ type: "progress" });
    const { results } = await api("/api/sync", { method: "POST", body: { items: chunk.map(toItem) } });
    for (const result of results) await recordResult(result, sentAt.get(result.uuid));
    emit({ type: "progress" });
  }
}

async function pull(owner, keepsCases) {
  const key = `cursor:${owner}`;
  let cursor = (await kv.get(key)) || "0";
  for (let pages = 0; pages < 1000; pages++) {
    let page;
    try {
      page = await api(`/api/sync/changes?cursor=${encodeURIComponent(cursor)}&limit=200`);
    } catch (err) {
      if (err instanceof ApiProblem && err.code === "sync.bad_cursor" && cursor !== "0") { cursor = "0"; continue; }
      throw err;
    }
    if (keepsCases) await noteStale(owner, page.changes);
    for (const change of page.changes) {
      if (change.author !== owner) continue;
      await mergeServerChange(change, owner);
    }
    cursor = page.cursor;
    await kv.set(key, cursor);
    emit({ type: "progress" });
    if (!page.has_more) break;
  }
}
