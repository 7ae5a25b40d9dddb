// t(key, params): the one way the app turns a message key into text.
// Vietnamese comes with the shell; English is fetched the first time it is chosen (most
// phones never do), and until it is here a text shows in Vietnamese.
import vi from "./vi.js";

const TABLES = { vi, en: {} };
const LOADERS = { en: () => import("./en.js") };
const loading = {};
let lang = localStorage.getItem("cslp.lang") === "en" ? "en" : "vi";

export function currentLang() {
  return lang;
}

// Resolves once the language's texts are here.
export function setLang(next) {
  lang = TABLES[next] ? next : "vi";
  localStorage.setItem("cslp.lang", lang);
  document.documentElement.lang = lang;
  const name = lang;
  if (!LOADERS[name]) return Promise.resolve();
  loading[name] ??= LOADERS[name]().then((module) => {
    // A screen's own texts (addTexts) may have arrived first: they stay.
    TABLES[name] = { ...module.default, ...TABLES[name] };
  }, () => { delete loading[name]; });  // not fetched (offline, no worker yet): Vietnamese
  return loading[name];
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
