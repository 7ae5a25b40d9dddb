// Cases and model groups on the officer's phone: each approved case or group with its
// timeline, as GET /api/submissions/<uuid> last gave it (need to know is the server's:
// the phone keeps only what that answer held), plus her own entries not yet on it. A
// case (sensitive) is kept sealed by the vault like an incident's answers; a group plain.
// Entries are records like any other: outbox.js writes them, sync.js sends them.
import { api, ApiProblem } from "./api.js";
import { kv } from "./db.js";
import { getRecord, listRecords, startDraft } from "./outbox.js";
import { isOpen, openJson, sealJson, VaultLocked } from "./vault.js";
import { deriveState, ordered } from "./timeline.js";
import { evaluate } from "./forms/validate.js";
import { vietnamToday } from "./ui.js";
import { currentDefinitions } from "./forms/definition.js";

export const CASE_FORM = "incident";
export const GROUP_FORM = "model_group";
export const ENTRY_FORM = { [CASE_FORM]: "incident_entry", [GROUP_FORM]: "model_group_entry" };
const PARENT_FORMS = [CASE_FORM, GROUP_FORM];

const cacheKey = (owner) => `timelines:${owner}`;
const staleKey = (owner) => `stale:${owner}`;

export const today = vietnamToday;

// Whether an entry with these answers goes up the review chain (its form's review.when).
export function needsReview(definition, answers) {
  const when = definition?.review?.when;
  return Boolean(when) && evaluate(when, (name) => (answers && name in answers ? answers[name] : null));
}

async function readCache(owner) {
  return (await kv.get(cacheKey(owner))) || {};
}

async function writeEntry(owner, uuid, value) {
  const cache = await readCache(owner);
  if (value) cache[uuid] = value; else delete cache[uuid];
  await kv.set(cacheKey(owner), cache);
}

// The server's copy of a case or group, kept for offline use. A case needs the vault
// open (its copy is sealed); a group does not.
export async function fetchParent(owner, uuid) {
  let detail;
  try {
    detail = await api(`/api/submissions/${uuid}`, { headers: { "X-CSLP-Screen": "case" } });
  } catch (err) {
    // Not hers to read any more (need to know): the phone forgets its copy.
    if (err instanceof ApiProblem && [403, 404].includes(err.status)) await writeEntry(owner, uuid, null);
    throw err;
  }
  const { timeline = [], state, ...record } = detail;
  const data = { record, timeline };
  const sensitive = record.form === CASE_FORM;
  if (sensitive && !isOpen()) throw new VaultLocked();
  await writeEntry(owner, uuid, { uuid, form: record.form, sensitive, fetched_at: new Date().toISOString(),
    ...(sensitive ? { sealed: await sealJson(data) } : { data }) });
  const stale = (await kv.get(staleKey(owner))) || [];
  if (stale.includes(uuid)) await kv.set(staleKey(owner), stale.filter((u) => u !== uuid));
  return { ...data, server_state: state };
}

async function openEntry(entry) {
  if (!entry) return null;
  return entry.sealed ? openJson(entry.sealed) : entry.data;
}

// Her cases or groups the phone should hold: her approved ones, those the feed says
// changed or arrived (a transfer to her commune), and those already kept.
async function parentUuids(me) {
  const own = (await listRecords(me.username))
    .filter((r) => PARENT_FORMS.includes(r.form) && r.server_status === "approved" && !r.parent)
    .map((r) => r.uuid);
  const stale = (await kv.get(staleKey(me.username))) || [];
  return { all: [...new Set([...own, ...stale, ...Object.keys(await readCache(me.username))])], stale };
}

// Online: fetch what is missing or stale (`force`: everything). Stops at the first
// network failure; what was kept stays. Cases are skipped while the vault is closed.
export async function refreshParents(me, { force = false, only = null } = {}) {
  const cache = await readCache(me.username);
  const { all, stale } = await parentUuids(me);
  for (const uuid of only ? [only] : all) {
    if (!force && cache[uuid] && !stale.includes(uuid)) continue;
    try {
      await fetchParent(me.username, uuid);
    } catch (err) {
      if (err instanceof VaultLocked) continue;
      if (err instanceof ApiProblem && err.code === "network") return false;
      if (err instanceof ApiProblem && !err.retryable) continue;
      throw err;
    }
  }
  return true;
}

// An entry on the phone as the timeline shows it (the API's record payload shape).
function localEntry(record, definition) {
  const answers = record.answers || {};
  let status;
  if (record.state === "draft") status = "draft";
  else if (["rejected", "conflict"].includes(record.state)) status = "problem";
  else if (["synced", "locked"].includes(record.state) && record.server_status && record.server_status !== "submitted") {
    status = record.server_status;
  } else status = needsReview(definition, answers) ? "submitted" : "approved";
  return {
    uuid: record.uuid, form: record.form, version: record.version, status, revision: record.revision,
    record_date: answers.entry_date || (record.created_at || "").slice(0, 10), answers,
    author: record.owner, author_name: null, unit: { code: record.unit }, parent: record.parent,
    created_at: record.created_at, review: record.review || null, local: record.state, stub: record.answers === undefined,
  };
}

// Her own entries on this parent that the server's copy does not show yet (or that she
// is changing again), opened when sealed.
async function localEntries(me, uuid, definitions) {
  const mine = (await listRecords(me.username)).filter((r) => r.parent === uuid);
  const out = [];
  for (const stub of mine) {
    const record = stub.sensitive && isOpen() ? await getRecord(stub.uuid) : stub;
    out.push(localEntry(record, definitions.find((d) => d.form === record.form)));
  }
  return out;
}

// One case or group: the kept copy, her entries merged in, the state derived here.
export async function loadParent(me, uuid) {
  const entry = (await readCache(me.username))[uuid];
  const data = await openEntry(entry);
  if (!data) return null;
  const definitions = await currentDefinitions();
  const local = await localEntries(me, uuid, definitions);
  const byUuid = new Map(data.timeline.map((e) => [e.uuid, e]));
  for (const e of local) {
    const server = byUuid.get(e.uuid);
    // The server's copy once it has hers; hers while she holds changes it has not.
    if (e.local === "draft" || (server && ["synced", "locked"].includes(e.local))) continue;
    byUuid.set(e.uuid, server && e.stub ? server : { ...server, ...e });
  }
  const timeline = ordered([...byUuid.values()]);
  const drafts = local.filter((e) => e.local === "draft");
  return { record: data.record, timeline, drafts, state: deriveState(data.record, timeline, today()),
    fetched_at: entry.fetched_at };
}

// Every kept case or group of one form, the next follow-up first (cases), the longest
// without a meeting first (groups).
export async function listParents(me, form) {
  const cache = await readCache(me.username);
  const out = [];
  for (const [uuid, entry] of Object.entries(cache)) {
    if (entry.form !== form) continue;
    try {
      const item = await loadParent(me, uuid);
      if (item) out.push(item);
    } catch (err) {
      if (!(err instanceof VaultLocked)) throw err;
    }
  }
  const key = form === CASE_FORM ? (x) => x.state.next_followup_date : (x) => x.state.last_meeting_date;
  const far = form === CASE_FORM ? "9999-12-31" : "0000-00-00";
  return out.sort((a, b) => ((key(a) || far) < (key(b) || far) ? -1 : (key(a) || far) > (key(b) || far) ? 1 : 0));
}

// A new entry on a case or group, filed under the unit that holds it now: a case's
// holder; for a group, her own commune (after the 2025 reorganisation the successor of
// the group's commune takes its new entries).
export async function startEntry(me, parent, state, preset = {}) {
  const definitions = await currentDefinitions();
  const definition = definitions.find((d) => d.form === ENTRY_FORM[parent.form]);
  const unit = parent.form === GROUP_FORM ? me.unit.code : state.holder_unit;
  return startDraft({ form: definition.form, version: definition.version, unit,
    owner: me.username, sensitive: Boolean(definition.sensitive), parent: parent.uuid,
    answers: { entry_date: today(), ...preset } });
}

// Whether a link to a record (a follow-up reminder, a transfer's push) names an approved
// case or group of hers, whose screen is its timeline.
export async function isParent(me, uuid) {
  const record = (await listRecords(me.username)).find((r) => r.uuid === uuid);
  if (record) return PARENT_FORMS.includes(record.form) && !record.parent && record.server_status === "approved";
  const stale = (await kv.get(staleKey(me.username))) || [];
  return stale.includes(uuid) || uuid in (await readCache(me.username));
}

// At sign-out: the kept copies leave the phone with her sent records.
export async function forgetParents(owner) {
  await kv.remove(cacheKey(owner));
  await kv.remove(staleKey(owner));
}
