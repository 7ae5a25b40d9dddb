// Units for pickers: the province's districts and their communes, fetched once and kept
// in IndexedDB for offline use.
import { api } from "./api.js";
import { kv } from "./db.js";

// The refresh under way (sign-in runs it behind home): on a phone that has no tree yet, a
// picker drawn meanwhile waits for it, so the first form still lists every unit.
let refreshing = null;

export function refreshUnits(rootCode) {
  // The whole tree in one request (depth=2), not one per district: 12 round trips on 3G.
  const run = (async () => {
    const tree = (await api(`/api/units?parent=${rootCode}&depth=2`)).units;
    await kv.set("units", { root: rootCode, tree, fetched_at: new Date().toISOString() });
    return tree;
  })();
  refreshing = run.catch(() => null).finally(() => { if (refreshing === waiting) refreshing = null; });
  const waiting = refreshing;
  return run;
}

export async function unitTree() {
  const kept = (await kv.get("units"))?.tree;
  if (kept?.length || !refreshing) return kept || [];
  await refreshing;  // never rejects: offline, the last list (none) is used
  return (await kv.get("units"))?.tree || [];
}

export function unitName(tree, code) {
  for (const district of tree) {
    if (district.code === code) return district.name;
    const hit = district.children.find((c) => c.code === code);
    if (hit) return `${hit.name}, ${district.name}`;
  }
  return code;
}

// A unit as she can tell it apart: a commune with its district ("Phường 1 (Thành phố Sóc
// Trăng)"; three communes are called "Phường 1"). `fallback` when the code is not known.
export function placeName(tree, code, fallback = code) {
  for (const district of tree) {
    if (district.code === code) return district.name;
    const hit = district.children.find((c) => c.code === code);
    if (hit) return `${hit.name} (${district.name})`;
  }
  return fallback;
}

// The district a unit belongs to (itself for a district), or null.
export function districtOf(tree, code) {
  return tree.find((d) => d.code === code || d.children.some((c) => c.code === code)) || null;
}

// Folded for searching: no case, no diacritics ("phuong 1" finds "Phường 1").
export const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
  .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();

// A search box that narrows what `items()` lists: each item is [node, text]; nodes that do
// not match are hidden (an <optgroup> or a group row is hidden when nothing in it shows).
export function searchBox({ id, label, items, groups = () => [] }) {
  const input = document.createElement("input");
  input.type = "search";
  input.id = id;
  input.className = "unit-search";
  input.setAttribute("aria-label", label);
  input.placeholder = label;
  input.addEventListener("input", () => {
    const q = fold(input.value.trim());
    for (const [node, text] of items()) node.hidden = Boolean(q) && !fold(text).includes(q);
    for (const [group, members] of groups()) group.hidden = members.every((m) => m.hidden);
  });
  return input;
}

// A <select> of units grouped by district, each commune named with its district, and a
// search box above it. `levels`: which levels can be picked ("district", "commune").
export function unitSelect(tree, { id, value = "", levels = ["commune"], empty, onchange, label, search,
  districtText = (d) => d.name }) {
  const select = document.createElement("select");
  select.id = id;
  if (label) select.setAttribute("aria-label", label);
  select.addEventListener("change", (e) => onchange(e.target.value));
  const option = (code, text) => {
    const node = document.createElement("option");
    node.value = code;
    node.textContent = text;
    node.selected = code === value;
    return node;
  };
  if (empty) select.append(option("", empty));
  const groups = tree.map((d) => {
    const group = document.createElement("optgroup");
    group.label = d.name;
    if (levels.includes("district")) group.append(option(d.code, districtText(d)));
    if (levels.includes("commune")) group.append(...d.children.map((c) => option(c.code, `${c.name} (${d.name})`)));
    return group;
  });
  select.append(...groups);
  const box = searchBox({ id: `${id}-search`, label: search, groups: () => groups.map((g) => [g, [...g.children]]),
    items: () => groups.flatMap((g) => [...g.children].map((o) => [o, `${o.textContent} ${g.label}`])) });
  const wrap = document.createElement("div");
  wrap.className = "unit-select";
  wrap.append(box, select);
  return { wrap, select };
}

