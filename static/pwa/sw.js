// Service worker (a module): precaches the shell so the app opens with no network, and
// sends the outbox through Background Sync. Never caches /api/*. The server fills in
// VERSION and SHELL from the files it serves, so any change to the shell is an update.
import { drain } from "/pwa/js/sync.js";

const VERSION = "__VERSION__";
const SHELL = ["__SHELL__"];
const CACHE = `cslp-static-${VERSION}`;
let opened = null;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("cslp-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/")) return;
  event.respondWith((async () => {
    // A reopen asks for thirty modules at once: the cache is opened once, and looked up
    // by the exact address (ignoreSearch walks every entry) unless there is a query.
    const cache = await (opened ??= caches.open(CACHE).catch((err) => { opened = null; throw err; }));
    const cached = await cache.match(event.request, { ignoreSearch: Boolean(url.search) })
      || (event.request.mode === "navigate" ? await cache.match("/") : undefined);
    if (cached) return cached;
    return fetch(event.request);
  })());
});

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(drain());
});

// A push: show it (title, body; the tag replaces an older one about the same record).
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch { data = { body: event.data?.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Sổ CSLP", {
    body: data.body || "", tag: data.tag, icon: "/pwa/icons/icon-192.png",
    badge: "/pwa/icons/icon-192.png", data: { url: data.url || "/" } }));
});

// Tapping it opens the record or screen it speaks of (reusing an open window).
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url || "/", self.location.origin).href;
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
      if ("navigate" in client) { await client.focus().catch(() => {}); return client.navigate(target); }
    }
    return self.clients.openWindow(target);
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});
