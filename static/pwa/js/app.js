// Boot and routing: who is signed in (offline too), which screen, when to sync, and
// offering (never forcing) an app update.
import { abortReads, api, setCsrfToken } from "./api.js";
import { kv } from "./db.js";
import { t, setLang, currentLang } from "./i18n/index.js";
import { el, ask, toast } from "./ui.js";
import { refreshDefinitions, currentDefinitions } from "./forms/definition.js";
import { renderLogin } from "./views/login.js";
import * as vault from "./vault.js";
import { followScreens } from "./scroll.js";
// The sign-in screen runs the modules above and nothing else: what a signed-in phone runs
// (home, the forms, the outbox, the sync) is signed-in.js, loaded with import() as this
// starts (later()); the shell preloads its modules behind the sign-in screen's.

const view = document.getElementById("view");
const banner = document.getElementById("banner");
let me = null;
let waitingWorker = null;
const IDLE_MS = 5 * 60 * 1000;
let idleTimer = null;
let screens = null;  // signed-in.js, once it is here
let loadingScreens = null;

// signed-in.js, imported once (again if its fetch failed); a sync's redraw of home is
// hooked to it as it arrives.
function later() {
  loadingScreens ??= import("./signed-in.js").then((module) => {
    if (!screens) {
      screens = module;
      module.onSyncEvent((event) => {
        // Refresh the counts only on screens that show them, never under her fingers: the
        // address must still be home or a record list too (right after a tap on a form the
        // old home is still drawn, and routing again would draw the form twice, losing what
        // she had begun to type).
        if (event.type === "done" && onListing()) route();
      });
    }
    return module;
  }, (err) => { loadingScreens = null; throw err; });  // not fetched (offline, no worker yet)
  return loadingScreens;
}

// The form definitions are public: on the sign-in screen they are fetched while she types
// (or while her sign-in is under way), and home does not wait for them after it.
let earlyDefinitions = null;
// Each screen change takes a turn. A screen is drawn into the view as its own turn sees
// it: its writes land only while it is the latest, so a drawing that finishes late (a
// sync's redraw of the screen she has left, a slow list, a second route) draws nothing
// and cannot cover what she has opened since (a PIN to choose, a new form). A tap that
// draws on the screen takes the turn back (claim).
let turn = 0;
let signingOut = false;
function claimView() {
  turn += 1;
}

function claimScreen() {
  let mine = ++turn;
  const stale = () => mine !== turn;
  const guarded = new Proxy(view, {
    get(target, key) {
      if (key === "replaceChildren" || key === "prepend" || key === "append") {
        return (...nodes) => { if (!stale()) target[key](...nodes); };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(target, key, value) {
      target[key] = value;
      return true;
    },
  });
  return { view: guarded, stale, claim: () => { mine = ++turn; } };
}

// Show a screen: a new address routes through hashchange (followScreens), the same one
// routes here; never both, or two drawings of one screen race each other.
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function langButton() {
  return el("button", { type: "button", class: "secondary", id: "lang-switch", onclick: async () => {
    await setLang(currentLang() === "vi" ? "en" : "vi");
    showNet();
    route();
  } }, t("lang.switch"));
}

function showNet() {
  document.getElementById("app-title").textContent = t("app.title");
  const badge = document.getElementById("net-status");
  badge.textContent = navigator.onLine ? t("net.online") : t("net.offline");
  badge.classList.toggle("offline", !navigator.onLine);
}

// The password she typed in this page, kept in memory only to reopen a vault locked by
// five wrong PINs (the server gives the recovery secret only against it).
let typedPassword = null;

// Signed in, from the sign-in screen or (`drawn`) behind a screen already drawn from the
// phone at boot. The calls that do not need each other run at once; home is drawn as soon
// as what it shows is here (the forms, the storage warning), the unit tree comes behind
// it (a form's unit picker waits for it: units.js).
async function signedIn(user, { drawn = false } = {}) {
  const before = JSON.stringify(me);
  me = { ...user };
  delete me.csrf_token;
  vault.setOwner(me.username);
  await Promise.all([kv.set("me", me), kv.set("paused", false)]);  // the token: api.js
  if (me.must_change_password) {
    // Signed in with a one-time code: nothing else until she has her own password.
    go("#/");
    return;
  }
  // units.js is its own import, so that the tree is asked for before the rest is here.
  const { refreshUnits } = await import("./units.js");
  refreshUnits(me.unit_path[0].code).catch(() => { /* offline: pickers use the last list */ });
  if (drawn) {
    // Her screen is up already: the sync brings new form versions (and redraws home when
    // it ends); home is drawn again now only if who she is changed, and only if nothing
    // newer has been opened on top of it.
    checkStorage();
    if (JSON.stringify(me) !== before && onListing()) route();
    (await later()).drain();
    return;
  }
  const early = earlyDefinitions;
  earlyDefinitions = null;
  const definitions = early ? early.then((fetched) => fetched || refreshDefinitions()) : refreshDefinitions();
  await Promise.all([definitions, checkStorage(), later()]);
  const stay = location.hash && !/^#\/(login|code)\b/.test(location.hash);
  go(stay ? location.hash : "#/");
  registerWorkerSoon();
  screens.drain();
}

// Home or a record list is on screen, and the address still says so (right after a tap
// on a form the old home is still drawn, and routing again would draw over the form).
function onListing() {
  const [, screen] = (location.hash || "#/").split("?")[0].split("/");
  return (!screen || screen === "records") && Boolean(view.querySelector("#home, #records, #records-empty"));
}

// What the browser allows us to keep; the home screen warns with it where it matters
// (unsent work on the phone), not as a banner on every screen.
async function checkStorage() {
  const notes = [];
  if (navigator.storage?.persist) {
    const persisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
    if (!persisted) notes.push("refused");
  }
  if (navigator.storage?.estimate) {
    const { usage = 0, quota = 0 } = await navigator.storage.estimate();
    if (quota && (quota - usage < 50 * 1024 * 1024 || usage / quota > 0.9)) notes.push("low");
  }
  await kv.set("storage_notes", notes);
}

async function logout() {
  const { listRecords, isUnsent, settled, forgetSent } = await later();
  const records = await listRecords(me.username);
  const unsent = records.filter(isUnsent).length;
  if (unsent && !(await ask(t("logout.ask_keep", { n: unsent }), t("home.logout")))) return;
  // From here no screen is drawn until the sign-in (not hers over it, nor the sign-in
  // before what she leaves is forgotten), no read of hers is left under way, and the sync
  // under way ends before the session does (after it, its report would be refused).
  signingOut = true;
  claimView();
  abortReads();
  await settled();
  try { await api("/api/auth/logout", { method: "POST" }); } catch { /* offline: forget locally */ }
  try {
    await forgetSent(records);
    await (await import("./cases.js")).forgetParents(me.username);
    vault.lock();
    await kv.remove("me");
    await setCsrfToken(null);
  } finally {
    me = null;
    signingOut = false;
    go("#/login");
  }
}

function showLogin(notice = "", slip = null, into = view) {
  const typed = (user, password) => { typedPassword = password; return signedIn(user); };
  renderLogin(into, { onSignedIn: typed, langButton, notice,
    username: slip ? slip.get("u") || "" : me?.username || "", code: slip ? slip.get("c") || "" : null });
}

// A new record of a form. From a link (#/new/<form>, e.g. a deadline reminder) the draft
// replaces the link in the history, so going back does not start yet another draft.
async function newForm(definition, { fromLink = false } = {}) {
  const { renderPinSetup, startDraft } = await later();
  if (definition.sensitive && (await vault.state()) === "none") {
    claimView();
    renderPinSetup(view, { onDone: () => newForm(definition, { fromLink }),
      onCancel: () => (fromLink ? location.replace("#/") : route()) });
    return;
  }
  const record = await startDraft({ form: definition.form, version: definition.version, unit: me.unit.code,
    owner: me.username, sensitive: Boolean(definition.sensitive) });
  if (fromLink) location.replace(`#/edit/${record.uuid}`);
  else location.hash = `#/edit/${record.uuid}`;
}

function showLock(status, into = view) {
  const { renderRecover, renderUnlock, drain } = screens;  // route() loaded it
  if (status === "locked_out" && typedPassword) {
    // Five wrong PINs, then a fresh sign-in: the recovery secret reopens the vault.
    renderRecover(into, { password: typedPassword,
      onDone: () => { typedPassword = null; route(); drain(); } });
    return true;
  }
  if (status === "locked_out") {
    showLogin(t("pin.locked_out", { max: vault.MAX_TRIES }), null, into);
    return true;
  }
  if (status !== "locked") return false;
  renderUnlock(into, {
    onUnlocked: () => { route(); drain(); },
    onLockedOut: () => showLogin(t("pin.locked_out", { max: vault.MAX_TRIES }), null, into),
  });
  return true;
}

function lockNow() {
  vault.lock();
  route();
}

function resetIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(async () => { if ((await vault.state()) === "open") lockNow(); }, IDLE_MS);
}

function showLockButton(status) {
  const button = document.getElementById("lock-now");
  button.textContent = t("pin.lock_now");
  button.hidden = !me || status !== "open";
}

async function sendNow() {
  const result = await (await later()).drain();
  toast(result.ok ? t("sync.done") : t(`sync.${result.reason === "auth" ? "auth" : "retry"}`), result.ok ? "ok" : "warn");
  route();
}

let lastEdit = null;

export async function route() {
  if (signingOut) return;
  const { view, stale, claim } = claimScreen();
  const [hash, params = ""] = (location.hash || "#/").split("?");
  const [, screen, arg] = hash.split("/");
  // What she typed in the form she is leaving is written first (no form was drawn before
  // signed-in.js is here).
  if (screens) await screens.saveTyping();
  if (lastEdit && !(screen === "edit" && arg === lastEdit) && me) await (await later()).discardIfEmpty(me.username, lastEdit);
  lastEdit = screen === "edit" ? arg : null;
  if (screen === "code") {
    // The QR code of a sign-in slip: her username and one-time code, filled in.
    showLogin("", new URLSearchParams(params), view);
    return;
  }
  if (!me || screen === "login") {
    showLogin((await kv.get("paused")) ? t("login.again") : "", null, view);
    return;
  }
  if (me.must_change_password) {
    const { renderChoosePassword } = await import("./views/password.js");
    renderChoosePassword(view, { onLogout: logout, onDone: (user, password) => {
      typedPassword = password;
      toast(t("password.saved"), "ok");
      return signedIn(user);
    } });
    return;
  }
  const { listRecords, isNewDraft, renderFormView, renderHome, drain, isReviewer, isAdmin, isProvinceAdmin } =
    await later();
  const vaultState = await vault.state();
  showLockButton(vaultState);
  if (showLock(vaultState, view)) return;
  if (stale()) return;  // she signed out, or another screen began, meanwhile
  const leave = (to = "#/") => { location.hash = to; };
  if (screen === "new" && arg) {
    const definition = (await currentDefinitions()).find((d) => d.form === arg);
    if (!definition) return location.replace("#/");
    // A reminder tapped again reopens the unsent new draft rather than starting another.
    const draft = (await listRecords(me.username)).find((r) => r.form === arg && isNewDraft(r));
    if (draft) return location.replace(`#/edit/${draft.uuid}`);
    return newForm(definition, { fromLink: true });
  }
  if (screen === "edit" && arg) return renderFormView(view, { uuid: arg, onSent: () => { leave(); drain(); }, onLeave: leave });
  if (screen === "record" && arg && !params && await (await import("./cases.js")).isParent(me, arg)) {
    return location.replace(`#/case/${arg}`);
  }
  // A record and the lists of them load on first use: her first home and form do not wait.
  if (screen === "record" && arg) {
    const { renderRecord } = await import("./views/record.js");
    return renderRecord(view, { uuid: arg, onLeave: leave, onChanged: () => { leave("#/records/all"); drain(); } });
  }
  if (screen === "records") return (await import("./views/records.js")).renderRecords(view, { me, filter: arg || "all" });
  // Cases and groups after approval: a module of their own, loaded on first use.
  if (["cases", "groups", "case", "entry"].includes(screen)) {
    const cases = await import("./views/cases.js");
    if (screen === "case" && arg) return cases.renderCase(view, { me, uuid: arg });
    if (screen === "entry" && arg) return cases.renderEntry(view, { me, uuid: arg });
    if (!arg) return cases.renderCaseList(view, { me, kind: screen.slice(0, -1) });
  }
  // Screens not every phone opens load on demand (from the worker's cache when offline),
  // so an officer's first screen does not wait for them.
  if (screen === "notifications") return (await import("./views/notifications.js")).renderNotifications(view);
  const reviewer = isReviewer(me);
  if (reviewer && ["review", "completeness"].includes(screen)) {
    const review = await import("./views/review.js");
    if (screen === "completeness") return review.renderCompleteness(view, { params });
    return arg ? review.renderReviewRecord(view, { uuid: arg }) : review.renderQueue(view, { me, params });
  }
  if (reviewer && screen === "deadlines") return (await import("./views/deadlines.js")).renderDeadlines(view, { params });
  if (reviewer && screen === "dashboard") return (await import("./views/dashboard.js")).renderDashboard(view, { me, params });
  if (reviewer && screen === "devices") {
    const { renderDevices } = await import("./views/devices.js");
    return renderDevices(view, { params });
  }
  if (isAdmin(me) && screen === "admin") {
    // The admin console: loaded only when an administrator opens it.
    const { renderAdmin } = await import("./views/admin.js");
    return renderAdmin(view, { me, page: hash.split("/").slice(2).join("/") || "accounts", params });
  }
  if (isProvinceAdmin(me) && screen === "forms-admin") {
    return (await import("./views/forms-admin.js")).renderFormsAdmin(view, { params });
  }
  return renderHome(view, { me, stale, claim, onNew: newForm, onSendNow: sendNow, onLogout: logout,
    onSignInAgain: () => { location.hash = "#/login"; }, langButton });
}

function offerUpdate(worker) {
  waitingWorker = worker;
  const editing = (location.hash || "").startsWith("#/edit/");
  banner.replaceChildren(
    el("span", {}, `${t("update.ready")} ${editing ? t("update.later") : ""}`),
    el("button", { type: "button", id: "apply-update", onclick: () => waitingWorker.postMessage("skip-waiting") },
      t("update.apply")));
  banner.hidden = false;
}

// The worker's install precaches every shell file: on 3G that would share the link with
// her first screen. It is registered once a screen is drawn and the page is idle; on the
// sign-in screen a few seconds later (she is typing; a sign-in under way goes first),
// or as soon as home is drawn after it.
const WORKER_WAIT_AT_SIGN_IN = 5000;
let workerTimer = null;
let workerAsked = false;

function registerWorkerSoon(delay = 0) {
  if (workerAsked) return;
  clearTimeout(workerTimer);
  workerTimer = setTimeout(() => {
    const idle = globalThis.requestIdleCallback || ((run) => setTimeout(run, 50));
    idle(() => {
      if (workerAsked) return;
      workerAsked = true;
      registerWorker();
    }, { timeout: 2000 });
  }, delay);
}

function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    // Only after she pressed "Cập nhật": the first install also changes the controller.
    if (waitingWorker && !reloading) { reloading = true; location.reload(); }
  });
  navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" }).then((registration) => {
    if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
    registration.addEventListener("updatefound", () => {
      const worker = registration.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
      });
    });
  }).catch(() => {});
}

async function boot() {
  const stored = kv.get("me");  // opens IndexedDB while the rest starts
  await setLang(currentLang());  // English is fetched only when it is her language
  showNet();
  addEventListener("online", () => { showNet(); later().then((s) => s.drain(), () => {}); });
  addEventListener("offline", showNet);
  followScreens(route);
  me = (await stored) || null;
  later().catch(() => { /* offline before the worker has it: the sign-in says so */ });
  vault.setOwner(me?.username);
  document.getElementById("lock-now").addEventListener("click", lockNow);
  for (const name of ["pointerdown", "keydown", "touchstart"]) addEventListener(name, resetIdle, { passive: true });
  resetIdle();
  if (!me) {
    // Nobody has signed in on this phone: the server could only answer 401. (route()
    // shows the sign-in, filled in when she came by a slip's QR code, #/code?u=…&c=….)
    earlyDefinitions = refreshDefinitions().catch(() => false);
    await route();
    registerWorkerSoon(WORKER_WAIT_AT_SIGN_IN);
    return;
  }
  // Draw first, from the phone (online or not); the server is asked behind the screen.
  const drawing = route();
  const first = turn;
  drawing.then(() => registerWorkerSoon(), (err) => { registerWorkerSoon(); throw err; });
  let fresh;
  try {
    fresh = await api("/api/auth/me");
  } catch (problem) {
    if (problem.status === 401) {
      // The session ended: the outbox waits, the records stay. The sign-in replaces the
      // screen drawn at boot, never one she has opened since (home then says it).
      await kv.set("paused", true);
      await drawing;
      if (turn === first && !(location.hash || "").startsWith("#/code")) {
        claimView();  // nothing drawn for the old session lands over the sign-in
        showLogin(t("login.again"));
      }
      return;
    }
    // Offline (or the server is away): she works on what the phone has.
    (await later()).drain();
    return;
  }
  await signedIn(fresh, { drawn: true });
}

boot();
