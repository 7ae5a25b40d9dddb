// Validation from a form definition: the JavaScript twin of cslp_forms/services/base/forms.py.
// Pure (no DOM, no storage), so the service worker and the vector tests can import it.
// Every rule here must give the same {field, code} as the server; tests/vectors hold
// both to that.
const SHA256 = /^[0-9a-f]{64}$/;
const UNIT_CODE = /^[0-9]{2,5}$/;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const DEFAULT_INT_MAX = 2 ** 31 - 1;
const DEFAULTS = { text: 500, long_text: 5000, repeat: 100, photo: 5 };
const COMPARE = { gt: (a, b) => a > b, gte: (a, b) => a >= b, lt: (a, b) => a < b, lte: (a, b) => a <= b };

const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isNumber = (v) => typeof v === "number";

export function isAnswered(value) {
  if (value === null || value === undefined) return false;
  if (typeof value === "string") return value.trim() !== "";
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

// JSON-value equality as the server sees it: true is not 1, "1" is not 1.
function same(a, b) {
  return typeof a === typeof b && a === b;
}

export function evaluate(condition, lookup) {
  if (has(condition, "all")) return condition.all.every((c) => evaluate(c, lookup));
  if (has(condition, "any")) return condition.any.some((c) => evaluate(c, lookup));
  if (has(condition, "not")) return !evaluate(condition.not, lookup);
  const value = lookup(condition.field);
  if (has(condition, "eq")) return same(value, condition.eq);
  if (has(condition, "in")) return condition.in.some((v) => same(value, v));
  if (has(condition, "includes")) return Array.isArray(value) && value.some((x) => same(x, condition.includes));
  if (has(condition, "includes_any")) {
    return Array.isArray(value) && value.some((x) => condition.includes_any.some((v) => same(x, v)));
  }
  if (has(condition, "answered")) return isAnswered(value) === condition.answered;
  for (const [op, compare] of Object.entries(COMPARE)) {
    if (has(condition, op)) return isNumber(value) && compare(value, condition[op]);
  }
  throw new Error(`unknown condition ${JSON.stringify(condition)}`);
}

// The answer names a condition reads (none for no condition).
export function conditionFields(condition, out = new Set()) {
  if (!condition) return out;
  if (has(condition, "all")) condition.all.forEach((c) => conditionFields(c, out));
  else if (has(condition, "any")) condition.any.forEach((c) => conditionFields(c, out));
  else if (has(condition, "not")) conditionFields(condition.not, out);
  else out.add(condition.field);
  return out;
}

// A lookup for conditions: a name is found in the current row first, then above it.
export function scopeLookup(specs, scope, outer) {
  const names = new Set(specs.map((s) => s.name));
  return (name) => {
    const source = outer && !names.has(name) ? outer : scope;
    return has(source, name) ? source[name] : null;
  };
}

export function isRelevant(spec, lookup) {
  return !spec.relevant || evaluate(spec.relevant, lookup);
}

export function isRequired(spec, lookup) {
  return Boolean(spec.required) || Boolean(spec.required_if && evaluate(spec.required_if, lookup));
}

function validDate(text) {
  if (!DATE.test(text)) return false;
  const [y, m, d] = text.split("-").map(Number);
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return d <= days;
}

function choicesOf(definition, spec) {
  return new Set(definition.choice_lists[spec.choices].choices.map((c) => c.value));
}

function count(value, min, max) {
  if (min && value.length < min) return "field.too_few";
  if (max !== undefined && max !== null && value.length > max) return "field.too_many";
  return null;
}

// Type, range and choice errors of one answer (marshmallow's part on the server).
function fieldErrors(definition, spec, value, path, out) {
  const add = (code, at = path) => out.push({ field: at, code });
  const type = spec.type;
  if (type === "text" || type === "long_text") {
    if (typeof value !== "string") return add("field.invalid_type");
    if ([...value].length > (spec.max_length ?? DEFAULTS[type])) add("field.too_long");
    if (spec.pattern && !new RegExp(`^(?:${spec.pattern})$`, "u").test(value)) add("field.pattern_mismatch");
  } else if (type === "integer") {
    if (typeof value !== "number" || !Number.isInteger(value)) return add("field.invalid_type");
    if (spec.min !== undefined && value < spec.min) add("field.below_min");
    else if (value > (spec.max ?? DEFAULT_INT_MAX)) add("field.above_max");
  } else if (type === "date") {
    if (typeof value !== "string" || !validDate(value)) add("field.invalid_type");
  } else if (type === "select_one") {
    if (typeof value !== "string") return add("field.invalid_type");
    if (!choicesOf(definition, spec).has(value)) add("field.not_a_choice");
  } else if (type === "select_multiple") {
    if (!Array.isArray(value)) return add("field.invalid_type");
    const choices = choicesOf(definition, spec);
    let itemErrors = 0;
    value.forEach((v, i) => {
      if (typeof v !== "string") { add("field.invalid_type", `${path}.${i}`); itemErrors++; }
      else if (!choices.has(v)) { add("field.not_a_choice", `${path}.${i}`); itemErrors++; }
    });
    if (itemErrors) return;
    if (new Set(value).size !== value.length) add("field.duplicate_choice");
    const c = count(value, spec.min_items, spec.max_items);
    if (c) add(c);
  } else if (type === "yes_no") {
    if (typeof value !== "boolean") add("field.invalid_type");
  } else if (type === "unit") {
    if (typeof value !== "string") return add("field.invalid_type");
    if (!UNIT_CODE.test(value)) add("field.invalid_unit");
  } else if (type === "repeat") {
    if (!Array.isArray(value)) return add("field.invalid_type");
    const before = out.length;
    value.forEach((row, i) => {
      if (!isObject(row)) add("field.invalid_type", `${path}.${i}`);
      else objectErrors(definition, spec.fields, row, `${path}.${i}.`, out);
    });
    if (out.length > before) return;
    const c = count(value, spec.min_items, spec.max_items ?? DEFAULTS.repeat);
    if (c) add(c);
  } else if (type === "photo") {
    if (!Array.isArray(value)) return add("field.invalid_type");
    let bad = 0;
    value.forEach((v, i) => {
      if (typeof v !== "string" || !SHA256.test(v)) { add("field.invalid_type", `${path}.${i}`); bad++; }
    });
    if (bad) return;
    const c = count(value, null, spec.max_items ?? DEFAULTS.photo);
    if (c) add(c);
  }
}

function objectErrors(definition, specs, answers, prefix, out) {
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const key of Object.keys(answers)) {
    if (!byName.has(key)) out.push({ field: prefix + key, code: "field.unknown" });
  }
  for (const spec of specs) {
    if (has(answers, spec.name) && answers[spec.name] !== null) {
      fieldErrors(definition, spec, answers[spec.name], prefix + spec.name, out);
    }
  }
}

// required / required_if / relevant, on the raw answers (the server's schema validator).
function conditionErrors(specs, scope, outer, prefix, out) {
  const lookup = scopeLookup(specs, scope, outer);
  for (const spec of specs) {
    const value = has(scope, spec.name) ? scope[spec.name] : null;
    const path = prefix + spec.name;
    if (!isRelevant(spec, lookup)) {
      if (isAnswered(value)) out.push({ field: path, code: "field.not_relevant" });
      continue;
    }
    if (isRequired(spec, lookup) && !isAnswered(value)) out.push({ field: path, code: "field.required" });
    if (spec.type === "repeat" && Array.isArray(value)) {
      value.forEach((row, i) => {
        if (isObject(row)) conditionErrors(spec.fields, row, scope, `${path}.${i}.`, out);
      });
    }
  }
}

function checkErrors(definition, answers) {
  const out = [];
  for (const check of definition.checks || []) {
    // Applies once the whole and at least one part are numbers; a blank part counts as 0.
    const get = (n) => (has(answers, n) ? answers[n] : null);
    const whole = get(check.lte);
    const parts = check.sum.map(get);
    const numbers = parts.filter(isNumber);
    if (isNumber(whole) && numbers.length && parts.every((p) => p === null || isNumber(p))) {
      if (numbers.reduce((a, b) => a + b, 0) > whole) out.push({ field: check.field, code: check.code, check });
    }
  }
  return out;
}

// [] when valid, else [{field, code}] with dotted paths such as "services.0.status".
export function validate(definition, answers, attachments = []) {
  if (!isObject(answers)) return [{ field: "answers", code: "field.invalid_type" }];
  const out = [];
  objectErrors(definition, definition.fields, answers, "", out);
  conditionErrors(definition.fields, answers, null, "", out);
  out.push(...checkErrors(definition, answers));
  const listed = new Set(attachments);
  for (const spec of definition.fields) {
    const value = answers[spec.name];
    if (spec.type === "photo" && has(answers, spec.name) && Array.isArray(value)) {
      value.forEach((digest, i) => {
        if (typeof digest === "string" && SHA256.test(digest) && !listed.has(digest)) {
          out.push({ field: `${spec.name}.${i}`, code: "field.attachment_not_listed" });
        }
      });
    }
  }
  return out;
}
