// What a signed-in phone runs: home, the forms, the outbox, the sync. app.js loads it with
// import() as it starts (the shell lists these modules in <template id="later-modules">,
// and app.js preloads them at once), so the sign-in screen waits for none of it.
export { refreshUnits } from "./units.js";
export { startDraft, listRecords, discardIfEmpty, forgetSent, isNewDraft, isUnsent } from "./outbox.js";
export { drain, onSyncEvent, settled } from "./sync.js";
export { renderHome } from "./views/home.js";
export { renderFormView, saveTyping } from "./views/form.js";
export { renderPinSetup, renderRecover, renderUnlock } from "./views/lock.js";
export { isReviewer, isAdmin, isProvinceAdmin } from "./roles.js";
