// Records on this phone and their way out. A record's `state` is where it stands here:
//   draft → queued → sending → synced, or rejected / conflict / locked after an answer.
// `server_status` is the review state the server last told us (submitted, returned…).
// An outbox entry leaves the outbox only on `accepted` or `duplicate`; nothing is ever
// deleted without the officer asking.
import { all, get, put, update, remove, kv } from "./db.js";
import { openJson, sealJson } from "./vault.js";

export const OUTBOX = ["queued", "sending"];
// States in which the phone holds changes the server does not have yet.
export const UNSENT = ["draft", "queued", "sending", "rejected", "conflict"];

const now = () => new Date().toISOString();

// What a sensitive record (an incident) keeps in IndexedDB unencrypted: enough to list it
// and move it through the outbox. Everything else is sealed by the vault, and once the
// server has the record, only this stub stays on the phone.
const DETAILS = ["answers", "attachments", "errors", "server", "message", "missing", "review"];
const SURVIVOR_CODE = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function survivorCode() {
  const pick = () => SURVIVOR_CODE[crypto.getRandomValues(new Uint8Array(1))[0] % SURVIVOR_CODE.length];
  return `${Array.from({ length: 4 }, pick).join("")}-${Array.from({ length: 4 }, pick).join("")}`;
}

export function newRecord({ form, version, unit, owner, sensitive = false }) {
  const at = now();
  return {
    uuid: crypto.randomUUID(), form, version, unit, owner, sensitive,
    // A pseudonym minted here: the survivor's name is never asked for.
    answers: sensitive ? { survivor_code: survivorCode() } : {}, attachments: [],
    state: "draft", server_status: null, base_revision: null, revision: null,
    errors: null, server: null, review: null, created_at: at, updated_at: at,
  };
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
  if (!record.sensitive) return put("records", record);
  const stub = { ...record };
  const details = {};
  for (const key of DETAILS) { details[key] = record[key]; delete stub[key]; }
  stub.category = record.answers?.case_category ?? record.category ?? null;
  // Whether anything was typed, so an empty draft can be dropped without opening it.
  stub.sealed_has_answers = Object.keys(record.answers || {}).some((k) => k !== "survivor_code");
  if (record.state !== "synced" && record.state !== "locked") stub.sealed = await sealJson(details);
  await put("records", stub);
  return record;
}

export async function enqueue(uuid) {
  const record = await update("records", uuid, (r) => r && {
    ...r, state: "queued", errors: null, message: null, queued_at: now(), updated_at: now(),
  });
  requestBackgroundSync();
  return record;
}

export async function discardDraft(uuid) {
  const record = await getRecord(uuid);
  if (record && record.state === "draft" && record.base_revision === null) {
    await remove("records", uuid);
    return true;
  }
  return false;
}

// Ask the service worker to send when the network returns, even if the page is closed.
export function requestBackgroundSync() {
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
  if (record.server_status === "returned" && !["queued", "sending"].includes(record.state)) return "returned";
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
