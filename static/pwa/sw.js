// Service worker: precaches the shell under a versioned cache so the app opens with no
// network; never caches /api/*. Old cslp-* caches are dropped on activate.
const VERSION = "2026-11-28.1";
const CACHE = `cslp-static-${VERSION}`;
const SHELL = [
  "/",
  "/manifest.webmanifest",
  "/pwa/css/app.css",
  "/pwa/js/app.js",
  "/pwa/js/api.js",
  "/pwa/js/i18n/index.js",
  "/pwa/js/i18n/vi.js",
  "/pwa/js/i18n/en.js",
  "/pwa/icons/icon-192.png",
];

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
    const cached = await caches.match(event.request, { ignoreSearch: true });
    if (cached) return cached;
    try {
      return await fetch(event.request);
    } catch (err) {
      if (event.request.mode === "navigate") return caches.match("/");
      throw err;
    }
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});
