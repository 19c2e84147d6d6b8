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

/*
 * Web Push (citygate/inbox/channels.py): a push carries the message's title, body and link in
 * the person's language, and the delivery's id with a token to report it by. Reports go to
 * the API without the session a worker may not have, and without anything personal.
 */
const DELIVERY_REPORT = "{{ delivery_report_url|escapejs }}";
const ICON = "{{ icon_url|escapejs }}";

function report(data, event) {
  if (!data || !data.delivery || !data.token) {
    return Promise.resolve();
  }
  return fetch(DELIVERY_REPORT + encodeURIComponent(data.delivery) + "/" + event, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: data.token }),
    credentials: "omit",
  }).catch(() => undefined);
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const link = typeof data.link === "string" && data.link.startsWith("/") && !data.link.startsWith("//")
    ? data.link
    : "/messages/";
  event.waitUntil(
    Promise.all([
      self.registration.showNotification(data.title || "CityGate", {
        body: data.body || "",
        lang: data.lang || "",
        tag: data.tag || undefined,
        icon: ICON,
        data: { link: link, delivery: data.delivery, token: data.token },
      }),
      report(data, "delivered"),
    ])
  );
});

self.addEventListener("notificationclick", (event) => {
  const data = event.notification.data || {};
  event.notification.close();
  const target = new URL(data.link || "/messages/", self.location.origin).href;
  event.waitUntil(
    Promise.all([
      self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
        const open = windows.find((client) => client.url === target && "focus" in client);
        return open ? open.focus() : self.clients.openWindow(target);
      }),
      report(data, "opened"),
    ])
  );
});
