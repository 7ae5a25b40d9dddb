// Records on this phone and their way out: the one module that changes a record's state
// and writes the records store (sync.js brings the server's answers here).
// A record's `state` is where it stands here:
//   draft → queued → sending → synced, or rejected / conflict / locked after an answer.
// `server_status` is the review state the server last told us (submitted, returned…).
// An outbox entry leaves the outbox only on `accepted` or `duplicate`; nothing is ever
// deleted without the officer asking.
import { all, get, put, update, remove, kv } from "./db.js";
import { isOpen, openJson, sealJson } from "./vault.js";

const OUTBOX = ["queued", "sending"];
// States in which the phone holds changes the server does not have yet.
const UNSENT = ["draft", "queued", "sending", "rejected", "conflict"];

const now = () => new Date().toISOString();

// What a sensitive record (an incident) keeps in IndexedDB unencrypted: enough to list it
// and move it through the outbox. Everything else is sealed by the vault, and once the
// server has the record, only this stub stays on the phone.
const DETAILS = ["answers", "attachments", "errors", "server", "message", "missing", "review"];
const SURVIVOR_CODE = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

// The two writes: store() a whole record at once (a reload right after a keystroke keeps
// it); write() a change as one read-modify-write transaction (page and service worker
// lose none of each other's); `change` returns the new value, undefined to leave it.
const store = (record) => put("records", record);
const write = (uuid, change) => update("records", uuid, change);

function survivorCode() {
  const pick = () => SURVIVOR_CODE[crypto.getRandomValues(new Uint8Array(1))[0] % SURVIVOR_CODE.length];
  return `${Array.from({ length: 4 }, pick).join("")}-${Array.from({ length: 4 }, pick).join("")}`;
}

// `parent`: the case or group an entry belongs to (null for an ordinary record).
export function newRecord({ form, version, unit, owner, sensitive = false, parent = null, answers = {} }) {
  const at = now();
  return {
    uuid: crypto.randomUUID(), form, version, unit, owner, sensitive, parent,
    // A pseudonym minted here for a new case: the survivor's name is never asked for.
    answers: sensitive && !parent ? { survivor_code: survivorCode(), ...answers } : { ...answers }, attachments: [],
    state: "draft", server_status: null, base_revision: null, revision: null,
    errors: null, server: null, review: null, created_at: at, updated_at: at,
  };
}

// A new record of a form, stored as a draft.
export async function startDraft(fields) {
  const record = newRecord(fields);
  await putRecord(record);
  return record;
}

// A record with its details; a sealed one needs the vault open (else VaultLocked).
export async function getRecord(uuid) {
  const stored = await get("records", uuid);
  if (!stored?.sealed) return stored;
  const { sealed, ...stub } = stored;
  return { ...stub, ...(await openJson(sealed)) };
}

// Records for lists: sealed ones as their stubs, without opening them.
export async function listRecords(owner) {
  const records = await all("records", "owner", owner);
  return records.map(({ sealed, ...r }) => (sealed ? { ...r, answers: {}, attachments: [] } : r))
    .sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1));
}

export async function saveDraft(record) {
  record.updated_at = now();
  if (record.state !== "draft") record.state = "draft";
  return putRecord(record);
}

export async function putRecord(record) {
  if (!record.sensitive) return store(record);
  const stub = { ...record };
  const details = {};
  for (const key of DETAILS) { details[key] = record[key]; delete stub[key]; }
  stub.category = record.answers?.case_category ?? record.category ?? null;
  // Whether anything was typed, so an empty draft can be dropped without opening it.
  stub.sealed_has_answers = Object.keys(record.answers || {}).some((k) => k !== "survivor_code");
  if (record.state !== "synced" && record.state !== "locked") stub.sealed = await sealJson(details);
  await store(stub);
  return record;
}

export async function enqueue(uuid) {
  const record = await write(uuid, (r) => r && {
    ...r, state: "queued", errors: null, message: null, queued_at: now(), updated_at: now(),
  });
  requestBackgroundSync();
  return record;
}

// Never accepted by the server (a rejected one included): it may still be thrown away.
export const neverAccepted = (record) => record.base_revision === null;

// A draft of a new record, not yet sent.
export const isNewDraft = (record) => record.state === "draft" && neverAccepted(record);

export async function discardDraft(uuid) {
  const record = await getRecord(uuid);
  if (record && isNewDraft(record)) {
    await remove("records", uuid);
    return true;
  }
  return false;
}

// A draft left without a single answer typed is not kept (it would only pile up).
export async function discardIfEmpty(owner, uuid) {
  const record = (await listRecords(owner)).find((r) => r.uuid === uuid);
  const typed = Object.keys(record?.answers || {}).filter((k) => k !== "survivor_code");
  if (record && isNewDraft(record) && !record.sealed_has_answers
      && !typed.length && !(record.attachments || []).length) await discardDraft(uuid);
}

// Conflict, her way: her version becomes the next revision of the server's.
export async function keepMine(record) {
  await putRecord({ ...record, base_revision: record.server.revision, server: null, state: "draft" });
  await enqueue(record.uuid);
}

// Conflict, the server's way: its copy replaces hers.
export async function takeServer(record) {
  const s = record.server;
  await putRecord({ ...record, answers: s.answers, attachments: s.attachments, revision: s.revision,
    base_revision: s.revision, server_status: s.status, server: null, state: "synced" });
}

// A record waiting, or sent and not decided, can be opened again to edit.
export const canReopen = (record) => record.state === "queued"
  || (record.state === "synced" && !["approved", "rejected"].includes(record.server_status));

export async function reopen(record) {
  await putRecord({ ...record, state: "draft" });
}

// What the form screen opens; the rest shows on the record screen.
export const opensInForm = (record) => !["queued", "sending", "locked", "conflict"].includes(record.state);

// Whether a list links the record to the record screen (else to the form).
export const linksToRecord = (record) => record.state === "conflict" || record.state === "locked"
  || (record.state === "synced" && record.server_status !== "returned");

export const isUnsent = (record) => UNSENT.includes(record.state);

// At sign-out: sent records (of her list `records`) leave the phone with the photos no
// unsent one needs; unsent ones stay for her next sign-in.
export async function forgetSent(records) {
  const keep = new Set();
  for (const r of records) {
    if (isUnsent(r)) (r.attachments || []).forEach((h) => keep.add(h));
    else await remove("records", r.uuid);
  }
  for (const photo of await all("photos")) {
    if (!keep.has(photo.sha256)) await remove("photos", photo.sha256);
  }
}

// Ask the service worker to send when the network returns, even if the page is closed.
function requestBackgroundSync() {
  if (typeof navigator === "undefined" || !navigator.serviceWorker) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync && registration.sync.register("outbox"))
    .catch(() => {});
}

export function countByBucket(records) {
  const counts = { draft: 0, waiting: 0, sent: 0, returned: 0, problem: 0 };
  for (const r of records) counts[bucket(r)] += 1;
  return counts;
}

// Which list on the home screen a record belongs to.
export function bucket(record) {
  if (record.server_status === "returned" && !OUTBOX.includes(record.state)) return "returned";
  if (record.state === "draft") return "draft";
  if (OUTBOX.includes(record.state)) return "waiting";
  if (record.state === "rejected" || record.state === "conflict") return "problem";
  return "sent";
}

// The label of a record's state, as an i18n key.
export function stateKey(record) {
  if (record.state === "synced" || record.state === "locked") {
    return `status.${record.server_status || "submitted"}`;
  }
  if (record.state === "draft" && record.server_status === "returned") return "status.returned";
  return `state.${record.state}`;
}

export async function signedInUser() {
  return kv.get("me");
}

// For sync.js: what goes out, and what the server's answers mean here.

// Photos to upload before the outbox (a sealed entry lists none: they are in its seal).
export async function outboxAttachments(owner) {
  const records = (await all("records", "owner", owner)).filter((r) => OUTBOX.includes(r.state));
  return new Set(records.flatMap((r) => r.attachments || []));
}

// What can be sent now, oldest first. A sealed record (an incident) only while the vault
// is open: never by the service worker, which has no key.
export async function sendable(owner) {
  return (await all("records", "owner", owner))
    .filter((r) => OUTBOX.includes(r.state) && (!r.sealed || isOpen()))
    .sort((a, b) => ((a.queued_at || "") < (b.queued_at || "") ? -1 : 1));
}

export function openForSending(entries) {
  return Promise.all(entries.map((r) => (r.sealed ? getRecord(r.uuid) : r)));
}

export async function markSending(records) {
  for (const r of records) await write(r.uuid, (x) => x && { ...x, state: "sending" });
}

// Entries left "sending" by a failed request go back to the queue.
export async function releaseSending(owner) {
  for (const r of await all("records", "owner", owner)) {
    if (r.state === "sending") await write(r.uuid, (x) => x && x.state === "sending" ? { ...x, state: "queued" } : undefined);
  }
}

// The server's answer to one item; `sentUpdatedAt`: the updated_at of the copy sent.
export async function recordResult(result, sentUpdatedAt) {
  const stored = await get("records", result.uuid);
  if (stored?.sealed) {
    const record = { ...(await getRecord(result.uuid)), state: "sending" };
    await putRecord(applyResult(record, result, sentUpdatedAt));
  } else {
    await write(result.uuid, (r) => r && applyResult(r, result, sentUpdatedAt));
  }
}

// What the server's answer to one item means for the copy on the phone. If she edited
// the record while it was being sent, her edit stays (as a draft on the new revision).
function applyResult(record, result, sentUpdatedAt) {
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

export function mergeServerChange(change, owner) {
  return write(change.uuid, (r) => mergeChange(r, change, owner));
}

const SERVER_STATES = { approved: "locked", rejected: "locked" };

// The server's copy of one of her records. Unsent local changes are never overwritten:
// only what the server says about the record (status, reviewer's comment) is taken.
function mergeChange(record, change, owner) {
  const fromServer = {
    revision: change.revision, server_status: change.status, review: change.review || null,
    missing: change.missing_attachments || [],
  };
  if (record && UNSENT.includes(record.state)) return { ...record, ...fromServer };
  const merged = {
    ...(record || { owner, created_at: change.created_at }),
    ...fromServer,
    uuid: change.uuid, form: change.form, version: change.version, unit: change.unit.code,
    parent: change.parent ?? null, answers: change.answers, attachments: change.attachments, base_revision: change.revision,
    state: SERVER_STATES[change.status] || "synced", errors: null, server: null,
    // An incident arrives as a stub: its details are opened online, one at a time.
    sensitive: Boolean(change.stub || record?.sensitive), category: change.category ?? null,
    updated_at: record?.updated_at || change.updated_at,
  };
  if (change.stub) { delete merged.answers; delete merged.attachments; }
  return merged;
}
