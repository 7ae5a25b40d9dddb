// A case's or a group's derived state, from the record and its timeline as the API
// returns them (GET /api/submissions/<uuid>: the record, `timeline`), and the rules an
// entry must keep given that state. Pure: the same as services/records/timeline.py
// (derive_state, entry_refusal); tests/vectors/timeline/ holds both to the same results.

const CASE_FORM = "incident";
const GROUP_FORM = "model_group";
const CLOSED = "da_dong";
const SUPPORTED = "dang_ho_tro";
const REFERRED = "da_chuyen_tuyen";
const NEW = "moi";
const SERVICE_REACHED = "da_nhan";
const REFERRED_STATUS = "da_chuyen";
const DECLINED_STATUS = "tu_choi";
const GROUP_ACTIVE = "dang_hoat_dong";
// A case with no service received closes only with one of these reasons.
export const CLOSURE_WITHOUT_SERVICE = ["tu_choi_ho_tro", "mat_lien_lac", "chuyen_noi_khac", "khac"];
const PENDING = ["submitted", "in_review", "returned"];

const isStr = (v) => typeof v === "string" && v !== "";
const isInt = (v) => Number.isInteger(v);
const pad = (n, w) => String(n).padStart(w, "0");

function quarter(day) {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  const first = Math.floor((month - 1) / 3) * 3 + 1;
  return [`${pad(year, 4)}-${pad(first, 2)}-01`, `${pad(year, 4)}-${pad(first + 2, 2)}-31`];
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// Oldest first, by entry date; entries of one day in the order they arrived.
export function ordered(timeline) {
  return [...timeline].sort((a, b) => cmp(a.record_date, b.record_date)
    || cmp(a.created_at || "", b.created_at || "") || cmp(a.uuid, b.uuid));
}

function pendingOf(entries) {
  return entries.filter((e) => PENDING.includes(e.status)).map((e) => ({
    uuid: e.uuid, kind: (e.answers || {}).entry_kind ?? null, status: e.status,
    record_date: e.record_date,
  }));
}

export function deriveState(record, timeline, today) {
  const entries = ordered(timeline);
  const approved = entries.filter((e) => e.status === "approved");
  if (record.form === GROUP_FORM) return groupState(record, approved, entries, today);
  return caseState(record, approved, entries);
}

function caseState(record, approved, entries) {
  const answers = record.answers || {};
  let status = answers.case_status || NEW;
  let holder = record.unit.code;
  const holders = [{ unit: holder, from: record.record_date, to: null }];
  let worker = record.author;
  let workerName = record.author_name ?? null;
  const reached = new Map();
  const referrals = [];
  let nextDate = null;
  let lastEntry = null;

  const services = (rows, day, source) => {
    for (const row of Array.isArray(rows) ? rows : []) {
      if (!row || typeof row !== "object" || !row.service_type) continue;
      const when = isStr(row.date) ? row.date : day;
      const kind = row.service_type;
      if (row.status === SERVICE_REACHED) {
        const known = reached.get(kind);
        if (!known || when < known.date) {
          reached.set(kind, { service_type: kind, provider: row.provider ?? null, date: when });
        }
        for (const ref of referrals) if (ref.service_type === kind && ref.date <= when) ref.open = false;
      } else if (row.status === REFERRED_STATUS) {
        referrals.push({ service_type: kind, provider: row.provider ?? null, date: when, uuid: source, open: true });
      } else if (row.status === DECLINED_STATUS) {
        for (const ref of referrals) if (ref.service_type === kind && ref.date <= when) ref.open = false;
      }
    }
  };

  services(answers.services, record.record_date, record.uuid);
  for (const row of answers.followups || []) {
    if (row && typeof row === "object" && typeof row.next_date === "string") nextDate = row.next_date;
  }
  for (const entry of approved) {
    const a = entry.answers || {};
    const kind = a.entry_kind;
    const day = entry.record_date;
    lastEntry = day;
    // The follow-up that was due has happened (maybe early).
    if (nextDate !== null && (day >= nextDate || kind === "followup")) nextDate = null;
    if (kind === "closure") status = CLOSED;
    else if (kind === "reopening") status = SUPPORTED;
    else if (kind === "transfer" && a.transfer_unit) {
      holders[holders.length - 1].to = day;
      holder = a.transfer_unit;
      holders.push({ unit: holder, from: day, to: null });
      worker = null;
      workerName = null;
    } else if (status !== CLOSED) status = kind === "referral" ? REFERRED : SUPPORTED;
    if (kind === "referral" && a.referral_service) {
      referrals.push({ service_type: a.referral_service, provider: a.referral_to ?? null, date: day, uuid: entry.uuid, open: true });
    }
    services(a.services, day, entry.uuid);
    if (typeof a.next_followup_date === "string") nextDate = a.next_followup_date;
    if (worker === null && kind !== "transfer" && entry.unit.code === holder) {
      worker = entry.author;
      workerName = entry.author_name ?? null;
    }
  }
  const closed = status === CLOSED;
  const servicesReached = [...reached.values()].sort((x, y) => cmp(x.date, y.date) || cmp(x.service_type, y.service_type));
  return {
    kind: "case",
    status,
    closed,
    services_reached: servicesReached,
    first_service_date: servicesReached.length ? servicesReached[0].date : null,
    open_referrals: closed ? [] : referrals.filter((r) => r.open).map((r) => ({
      service_type: r.service_type, provider: r.provider, date: r.date, uuid: r.uuid,
    })),
    next_followup_date: closed ? null : nextDate,
    holder_unit: holder,
    holders,
    worker,
    worker_name: workerName,
    last_entry_date: lastEntry,
    entries: approved.length,
    pending: pendingOf(entries),
  };
}

function groupState(record, approved, entries, today) {
  const answers = record.answers || {};
  const [start, end] = quarter(today);
  const meetings = (answers.meetings || [])
    .filter((row) => row && typeof row === "object" && typeof row.date === "string")
    .map((row) => row.date);
  let status = answers.status ?? null;
  const keys = ["members_total", "members_female", "members_male"];
  let members = Object.fromEntries(keys.map((k) => [k, answers[k] ?? null]));
  let trained = answers.tot_trained_count || 0;
  let lastEntry = null;
  for (const entry of approved) {
    const a = entry.answers || {};
    const day = entry.record_date;
    lastEntry = day;
    if (a.entry_kind === "meeting") meetings.push(day);
    else if (a.entry_kind === "status" && a.group_status) status = a.group_status;
    else if (a.entry_kind === "membership") members = Object.fromEntries(keys.map((k) => [k, a[k] ?? null]));
    else if (a.entry_kind === "training" && isInt(a.tot_trained_count)) trained += a.tot_trained_count;
  }
  return {
    kind: "group",
    status,
    active: status === GROUP_ACTIVE,
    last_meeting_date: meetings.length ? meetings.reduce((m, d) => (d > m ? d : m)) : null,
    meetings_total: meetings.length,
    meetings_this_quarter: meetings.filter((d) => start <= d && d <= end).length,
    ...members,
    tot_trained_count: trained,
    holder_unit: record.unit.code,
    last_entry_date: lastEntry,
    entries: approved.length,
    pending: pendingOf(entries),
  };
}

// [field, code] when this entry may not be added now (the server says the same when it
// arrives), else null. `anyService`: a service was received (intake or entries).
export function entryRefusal(record, timeline, answers, anyService) {
  if (record.form !== CASE_FORM) return null;
  const state = deriveState(record, timeline, record.record_date);
  const kind = answers.entry_kind;
  if (state.closed && kind !== "reopening") return ["entry_kind", "entry.case_closed"];
  if (kind === "reopening" && !state.closed) return ["entry_kind", "entry.case_not_closed"];
  if (kind === "closure" && !anyService && !CLOSURE_WITHOUT_SERVICE.includes(answers.closure_reason)) {
    return ["closure_reason", "entry.closure_needs_reason"];
  }
  if (kind === "transfer" && answers.transfer_unit === state.holder_unit) return ["transfer_unit", "entry.same_unit"];
  return null;
}

// Whether a service was received, as entryRefusal needs it, from the full answers the
// phone holds (the server reads the same from each record's plain flag).
export function anyServiceReached(record, timeline) {
  return deriveState(record, timeline, record.record_date).services_reached.length > 0;
}
