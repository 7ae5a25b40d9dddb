// Answers shown as text (record view, conflict comparison, outbox list).
import { t } from "../i18n/index.js";
import { formatDate, lbl } from "../ui.js";
import { unitName } from "../units.js";

export function choiceLabel(definition, spec, value, lang) {
  const choice = definition.choice_lists[spec.choices]?.choices.find((c) => c.value === value);
  return choice ? lbl(choice.label, lang) : String(value);
}

export function formatValue(definition, spec, value, lang, units = []) {
  if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) {
    return t("common.none");
  }
  switch (spec.type) {
    case "select_one": return choiceLabel(definition, spec, value, lang);
    case "select_multiple": return value.map((v) => choiceLabel(definition, spec, v, lang)).join("; ");
    case "yes_no": return value === true ? t("common.yes") : value === false ? t("common.no") : String(value);
    case "date": return formatDate(value);
    case "unit": return unitName(units, value);
    case "photo": return t("form.photos_count", { n: value.length });
    case "repeat": return value.map((row, i) => `${i + 1}. ` + spec.fields
      .filter((f) => row[f.name] !== undefined)
      .map((f) => `${lbl(f.label, lang)}: ${formatValue(definition, f, row[f.name], lang, units)}`).join(", ")).join(" | ");
    default: return String(value);
  }
}

// One line that tells records apart in a list.
export function recordTitle(definition, record, lang) {
  const answers = record.answers || {};
  const named = ["title_content", "name", "survivor_code"].find((k) => answers[k]);
  const date = formatDate(answers[definition?.date_field]) || formatDate((record.created_at || "").slice(0, 10));
  const form = definition ? lbl(definition.title, lang) : record.form;
  // A sealed or sent incident shows only its category (its stub).
  const spec = definition?.fields.find((f) => f.name === "case_category");
  const category = !named && spec && Array.isArray(record.category)
    ? formatValue(definition, spec, record.category, lang) : "";
  return { form, detail: [date, named ? answers[named] : category].filter(Boolean).join(" · ") };
}
