/*
 * CityGate service worker (served from /sw.js with scope /).
 *
 * It keeps only the frame's static files and the offline page. Pages are always fetched
 * from the network and never stored, so nothing personal stays on the device; when the
 * network is down, a page request gets the offline page instead. The API and the account
 * pages are not touched at all.
 */
"use strict";

const CACHE = "citygate-shell-{{ version|escapejs }}";
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const STATIC_PREFIX = "{{ static_prefix|escapejs }}";
const SHELL = [{% for url in shell_urls %}"{{ url|escapejs }}", {% endfor %}OFFLINE_URL];
const NEVER = ["/api/", "/account/", "/privacy/", "/dev/"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys
            .filter((key) => key.startsWith("citygate-") && key !== CACHE)
            .map((key) => caches.delete(key))
        )
      )
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }

  if (request.mode === "navigate") {
    // Network first, never stored; the offline page only when the network fails.
    event.respondWith(
      fetch(request).catch(() =>
        caches.match(OFFLINE_URL).then((page) => page || Response.error())
      )
    );
    return;
  }
  if (NEVER.some((prefix) => url.pathname.startsWith(prefix))) {
    return;
  }
  if (url.pathname.startsWith(STATIC_PREFIX)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
