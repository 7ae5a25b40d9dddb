// What a signed-in phone runs: home, the forms, the outbox, the sync. app.js loads it with
// import() as it starts (later()), and the shell preloads its modules behind the sign-in
// screen's (cslp_forms/pwa later_modules()), so the sign-in screen waits for none of it.
// The unit tree is not here: app.js imports units.js on its own, to ask for the tree first.
export { startDraft, listRecords, discardIfEmpty, forgetSent, isNewDraft, isUnsent } from "./outbox.js";
export { drain, onSyncEvent, settled } from "./sync.js";
export { renderHome } from "./views/home.js";
export { renderFormView, saveTyping } from "./views/form.js";
export { renderPinSetup, renderRecover, renderUnlock } from "./views/lock.js";
export { isReviewer, isAdmin, isProvinceAdmin } from "./roles.js";
