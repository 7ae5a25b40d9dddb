// Sync: push the outbox to POST /api/sync, pull /api/sync/changes, back off on failure.
// Runs in the page and in the service worker (Background Sync); both may drain at once,
// which the server's idempotency on the record UUID makes safe. No DOM here.
import { api, ApiProblem } from "./api.js";
import { all, get, put, update, kv } from "./db.js";
import { OUTBOX, UNSENT, getRecord, putRecord } from "./outbox.js";
import { isOpen } from "./vault.js";

const BATCH = 50;
const BACKOFF_BASE = 2000;
const BACKOFF_CAP = 5 * 60 * 1000;
const channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("cslp-sync") : null;
let running = null;
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

export function drain() {
  if (!running) running = run().finally(() => { running = null; });
  return running;
}

async function run() {
  const me = await kv.get("me");
  if (!me) return { ok: false, reason: "signed_out" };
  if (await kv.get("paused")) return { ok: false, reason: "auth" };
  emit({ type: "start" });
  try {
    await uploadPhotos(me.username);
    await push(me.username);
    await pull(me.username);
    await kv.set("last_sync", new Date().toISOString());
    await kv.set("failures", 0);
    emit({ type: "done", ok: true });
    return { ok: true };
  } catch (err) {
    await release(me.username);
    if (err instanceof ApiProblem && err.status === 401) {
      await kv.set("paused", true);
      emit({ type: "done", ok: false, reason: "auth" });
      return { ok: false, reason: "auth" };
    }
    const failures = ((await kv.get("failures")) || 0) + 1;
    await kv.set("failures", failures);
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

// Entries left "sending" by a failed request go back to the queue.
async function release(owner) {
  for (const r of await all("records", "owner", owner)) {
    if (r.state === "sending") await update("records", r.uuid, (x) => x && x.state === "sending" ? { ...x, state: "queued" } : undefined);
  }
}

async function uploadPhotos(owner) {
  const records = (await all("records", "owner", owner)).filter((r) => OUTBOX.includes(r.state));
  for (const digest of new Set(records.flatMap((r) => r.attachments || []))) {
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
  return { uuid: r.uuid, form: r.form, version: r.version, unit: r.unit, base_revision: r.base_revision,
    answers: r.answers, attachments: r.attachments || [] };
}

async function push(owner) {
  // A sealed record (an incident) can only be sent while the vault is open: never by
  // the service worker, which has no key.
  const queued = (await all("records", "owner", owner))
    .filter((r) => OUTBOX.includes(r.state) && (!r.sealed || isOpen()))
    .sort((a, b) => ((a.queued_at || "") < (b.queued_at || "") ? -1 : 1));
  for (let i = 0; i < queued.length; i += BATCH) {
    const chunk = await Promise.all(queued.slice(i, i + BATCH).map((r) => (r.sealed ? getRecord(r.uuid) : r)));
    const sentAt = new Map(chunk.map((r) => [r.uuid, r.updated_at]));
    for (const r of chunk) await update("records", r.uuid, (x) => x && { ...x, state: "sending" });
    emit({ type: "progress" });
    const { results } = await api("/api/sync", { method: "POST", body: { items: chunk.map(toItem) } });
    for (const result of results) {
      const stored = await get("records", result.uuid);
      if (stored?.sealed) {
        const record = { ...(await getRecord(result.uuid)), state: "sending" };
        await putRecord(applyResult(record, result, sentAt.get(result.uuid)));
      } else {
        await update("records", result.uuid, (r) => r && applyResult(r, result, sentAt.get(result.uuid)));
      }
    }
    emit({ type: "progress" });
  }
}

// What the server's answer to one item means for the copy on the phone. If she edited
// the record while it was being sent, her edit stays (as a draft on the new revision).
export function applyResult(record, result, sentUpdatedAt) {
  const edited = record.updated_at !== sentUpdatedAt;
  const r = { ...record, message: null };
  if (result.status === "accepted" || result.status === "duplicate") {
    r.revision = result.revision;
    r.base_revision = result.revision;
    r.server_status = "submitted";
    r.review = null;
    r.errors = null;
    r.server = null;
    r.missing = result.missing_attachments || [];
    if (!edited) { r.state = "synced"; r.sent_at = new Date().toISOString(); }
  } else if (result.status === "rejected") {
    r.state = edited ? r.state : "rejected";
    r.errors = result.errors || [];
  } else if (result.status === "conflict") {
    r.state = "conflict";
    r.server = result.server;
  } else if (result.status === "locked") {
    r.state = "locked";
    r.server = result.server;
    r.server_status = result.server?.status || "approved";
    r.revision = result.revision;
  }
  return r;
}

async function pull(owner) {
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
    for (const change of page.changes) {
      if (change.author !== owner) continue;
      await update("records", change.uuid, (r) => mergeChange(r, change, owner));
    }
    cursor = page.cursor;
    await kv.set(key, cursor);
    emit({ type: "progress" });
    if (!page.has_more) break;
  }
}

const SERVER_STATES = { approved: "locked", rejected: "locked" };

// The server's copy of one of her records. Unsent local changes are never overwritten:
// only what the server says about the record (status, reviewer's comment) is taken.
export function mergeChange(record, change, owner) {
  const fromServer = {
    revision: change.revision, server_status: change.status, review: change.review || null,
    missing: change.missing_attachments || [],
  };
  if (record && UNSENT.includes(record.state)) return { ...record, ...fromServer };
  const merged = {
    ...(record || { owner, created_at: change.created_at }),
    ...fromServer,
    uuid: change.uuid, form: change.form, version: change.version, unit: change.unit.code,
    answers: change.answers, attachments: change.attachments, base_revision: change.revision,
    state: SERVER_STATES[change.status] || "synced", errors: null, server: null,
    // An incident arrives as a stub: its details are opened online, one at a time.
    sensitive: Boolean(change.stub || record?.sensitive), category: change.category ?? null,
    updated_at: record?.updated_at || change.updated_at,
  };
  if (change.stub) { delete merged.answers; delete merged.attachments; }
  return merged;
}
