// Reviewer screens only (kept out of the officer's shell): table rows of units grouped
// by district, with a search box.
import { districtOf, placeName, searchBox } from "../units.js";

// Table rows grouped under a row naming their district (units of one district stay
// together, in the order given), with a search box that narrows them. `rows`: [code, tr].
export function groupedRows(tree, rows, { columns, id, search }) {
  const order = [];
  const byDistrict = new Map();
  for (const [code, tr] of rows) {
    const district = districtOf(tree, code);
    const key = district?.code || "";
    if (!byDistrict.has(key)) { byDistrict.set(key, { district, rows: [] }); order.push(key); }
    byDistrict.get(key).rows.push([code, tr]);
  }
  const groups = [];
  const body = [];
  for (const key of order) {
    const { district, rows: members } = byDistrict.get(key);
    const head = document.createElement("tr");
    head.className = "group";
    const th = document.createElement("th");
    th.colSpan = columns;
    th.scope = "colgroup";
    th.textContent = district ? district.name : "";
    head.append(th);
    if (district && order.length > 1) body.push(head);
    body.push(...members.map(([, tr]) => tr));
    groups.push([head, members.map(([, tr]) => tr)]);
  }
  const box = searchBox({ id, label: search, groups: () => groups,
    items: () => rows.map(([code, tr]) => [tr, `${placeName(tree, code, tr.textContent)}`]) });
  return { body, box };
}
