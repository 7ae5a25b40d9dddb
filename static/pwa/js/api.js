// fetch wrapper: JSON in and out, the CSRF header on every state-changing call, and
// problem+json answers raised as ApiProblem so callers switch on a stable code.
// Used by the page and the service worker: the CSRF token lives in IndexedDB.
import { kv } from "./db.js";

// Reads under way, dropped at sign-out so that none comes back 401 after it.
const reads = new Set();
// A sign-in starts a new session with a new CSRF token. A write sent after its answer
// set the new cookie but before its token is stored would be refused: writes wait for it.
const SIGN_IN = "/api/auth/login";
let signingIn = null;

export function abortReads() {
  for (const controller of reads) controller.abort();
}

export class ApiProblem extends Error {
  constructor(status, body) {
    super(body?.title || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || (status === 0 ? "network" : status >= 500 ? "server.error" : "request.failed");
    this.body = body || {};
  }

  // Worth trying again later: no network, a timeout, too many requests, server trouble.
  get retryable() {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export async function setCsrfToken(token) {
  await kv.set("csrf", token);
}

// Read for every write, never kept in memory: the page and the service worker each have
// this module, and a sign-in in one changes the token for both (or in another tab). A
// write waits for a sign-in under way, and reads again if one began while it read.
async function writeToken(path) {
  if (path === SIGN_IN) return null;  // a sign-in needs none
  for (;;) {
    const during = signingIn;
    await during;
    const token = (await kv.get("csrf")) ?? null;
    if (signingIn === during) return token;
  }
}

export function api(path, options = {}) {
  const answer = send(path, options);
  if (path === SIGN_IN) signingIn = answer.catch(() => {});
  return answer;
}

async function send(path, { method = "GET", body, raw, headers = {}, timeout = 30000, blob = false } = {}) {
  const since = signingIn;
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (raw !== undefined) {
    init.body = raw;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD") {
    const csrf = await writeToken(path);
    if (csrf) init.headers["X-CSRF-Token"] = csrf;
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  init.signal = controller.signal;
  const read = method === "GET" || method === "HEAD";
  if (read) reads.add(controller);
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiProblem(0, { code: "network", title: String(err) });
  } finally {
    clearTimeout(timer);
    reads.delete(controller);
  }
  const type = response.headers.get("Content-Type") || "";
  if (blob && response.ok) return response.blob();
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiProblem(response.status, data);
  // Who she is (sign-in, /api/auth/me, a new password) comes with the session's token;
  // not the token of a session a sign-in has replaced since this request went out.
  const current = path === SIGN_IN || signingIn === since;
  if (current && typeof data?.csrf_token === "string") await setCsrfToken(data.csrf_token);
  return data;
}
