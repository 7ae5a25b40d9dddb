// Form definitions: fetched from /api/forms (ETag, so an unchanged list costs a 304) and
// kept in IndexedDB, so every form opens offline.
import { api, ApiProblem } from "../api.js";
import { get, put, putAll, kv } from "../db.js";

// Resolves true once the phone holds the current definitions (fetched, or unchanged: a
// 304), false when they could not be fetched (offline, the server away).
export async function refreshDefinitions() {
  const etag = await kv.get("forms_etag");
  try {
    const response = await fetch("/api/forms", { headers: etag ? { "If-None-Match": etag } : {},
      credentials: "same-origin" });
    if (response.status === 304) return true;
    if (!response.ok) throw new ApiProblem(response.status, null);
    const { forms } = await response.json();
    await putAll("forms", forms);
    await kv.set("forms_current", forms.map((f) => [f.form, f.version]));
    await kv.set("forms_etag", response.headers.get("ETag"));
    return true;
  } catch (err) {
    if (err instanceof ApiProblem || err instanceof TypeError) return false;
    throw err;
  }
}

export async function currentDefinitions() {
  const current = (await kv.get("forms_current")) || [];
  // Read at once, not one after another: home waits for them.
  return (await Promise.all(current.map((key) => get("forms", key)))).filter(Boolean);
}

// The definition a record was filled with; an old version is fetched once if missing.
export async function definitionFor(form, version) {
  const cached = await get("forms", [form, version]);
  if (cached) return cached;
  const definition = await api(`/api/forms/${form}/${version}`);
  await put("forms", definition);
  return definition;
}
