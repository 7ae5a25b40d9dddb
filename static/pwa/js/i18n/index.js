// t(key, params): the one way the app turns a message key into text.
import vi from "./vi.js";
import en from "./en.js";

const TABLES = { vi, en };
let lang = localStorage.getItem("cslp.lang") === "en" ? "en" : "vi";

export function currentLang() {
  return lang;
}

export function setLang(next) {
  lang = TABLES[next] ? next : "vi";
  localStorage.setItem("cslp.lang", lang);
  document.documentElement.lang = lang;
}

export function t(key, params = {}) {
  const text = TABLES[lang][key] ?? TABLES.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

// A lazily loaded screen's own texts ({ vi: {...}, en: {...} }), so the shell's stay small.
export function addTexts(tables) {
  for (const [name, table] of Object.entries(tables)) Object.assign(TABLES[name], table);
}

export function hasKey(key) {
  return key in TABLES[lang] || key in TABLES.vi;
}
