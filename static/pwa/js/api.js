// fetch wrapper: JSON in and out, the CSRF header on every state-changing call, and
// problem+json answers raised as ApiProblem so callers switch on a stable code.
let csrfToken = null;

export class ApiProblem extends Error {
  constructor(status, body) {
    super(body?.title || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || (status === 0 ? "network" : "server.error");
    this.body = body || {};
  }
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export async function api(path, { method = "GET", body, headers = {} } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD" && csrfToken) {
    init.headers["X-CSRF-Token"] = csrfToken;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiProblem(0, { code: "network", title: String(err) });
  }
  const type = response.headers.get("Content-Type") || "";
  const data = type.includes("json") ? await response.json().catch(() => null) : null;
  if (!response.ok) throw new ApiProblem(response.status, data);
  return data;
}
