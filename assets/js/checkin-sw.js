/* foyer check-in: the service worker behind /checkin/. Served from
   /checkin/sw.js with FOYER_ASSETS (the content-hashed URLs of the page's
   styles and scripts) and FOYER_VERSION written in front of this file.

   It keeps the check-in page and its files so that a reload without network
   still opens the page. It keeps nothing from the API: the guest list lives
   in the page's IndexedDB, and API answers pass straight through. */
"use strict";

var CACHE = "foyer-checkin-" + FOYER_VERSION;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(FOYER_ASSETS); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("foyer-checkin-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// A page under /checkin/ asks to be kept as soon as the worker runs: its
// first load came before the worker could see it.
self.addEventListener("message", function (e) {
  var path = e.data && e.data.cachePage;
  if (typeof path !== "string" || path.indexOf("/checkin/") !== 0) return;
  var client = e.source;
  e.waitUntil(fetch(path, { credentials: "same-origin" }).then(function (res) {
    if (!res.ok || res.redirected) return;
    return caches.open(CACHE).then(function (c) { return c.put(self.location.origin + path, res); }).then(function () {
      if (client) client.postMessage({ cached: path });
    });
  }).catch(function () {}));
});

// pageKey drops the query (?lang=de) so that one copy of the page is kept
// per event, the last one loaded.
function pageKey(url) {
  var u = new URL(url);
  return u.origin + u.pathname;
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && url.pathname.indexOf("/checkin/") === 0) {
    // The network first, so the page is fresh when it can be; the copy
    // when the network fails or takes too long.
    e.respondWith(new Promise(function (resolve) {
      var settled = false;
      var fallback = function () {
        if (settled) return;
        caches.open(CACHE).then(function (c) { return c.match(pageKey(req.url)); }).then(function (hit) {
          if (settled) return;
          if (hit) { settled = true; resolve(hit); }
        });
      };
      var timer = setTimeout(fallback, 4000);
      fetch(req).then(function (res) {
        clearTimeout(timer);
        if (res.ok && !res.redirected) {
          var copy = res.clone();
          caches.open(CACHE).then(function (c) { return c.put(pageKey(req.url), copy); });
        }
        if (!settled) { settled = true; resolve(res); }
      }, function () {
        clearTimeout(timer);
        caches.open(CACHE).then(function (c) { return c.match(pageKey(req.url)); }).then(function (hit) {
          if (settled) return;
          settled = true;
          resolve(hit || Response.error());
        });
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    e.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
  }
});
