// Units for pickers: the province's districts and their communes, fetched once and kept
// in IndexedDB for offline use.
import { api } from "./api.js";
import { kv } from "./db.js";

export async function refreshUnits(rootCode) {
  const districts = (await api(`/api/units?parent=${rootCode}`)).units;
  const tree = [];
  for (const district of districts) {
    const communes = (await api(`/api/units?parent=${district.code}`)).units;
    tree.push({ ...district, children: communes });
  }
  await kv.set("units", { root: rootCode, tree, fetched_at: new Date().toISOString() });
  return tree;
}

export async function unitTree() {
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
