// Words shown to her that come from data: a definition's bilingual text, and a
// problem's answer from the server in her language.
import { t, hasKey } from "./i18n/index.js";

// A { vi, en } text of a form definition in `lang`, Vietnamese where it has no other.
export const lbl = (text, lang) => (text ? text[lang] || text.vi : "");

export function problemText(problem) {
  if (problem.code === "network") return t("error.network");
  const key = `error.${problem.code}`;
  const minutes = Math.ceil((problem.body.retry_after || 60) / 60);
  return hasKey(key) ? t(key, { minutes }) : problem.body.title || t("error.server.error");
}
