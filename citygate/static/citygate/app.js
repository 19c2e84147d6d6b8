/*
 * CityGate's page script. Everything works without it; it only adds what a browser can do
 * on top: the service worker that shows an offline page when there is no network.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var workerUrl = script && script.getAttribute("data-service-worker");

  if (workerUrl && "serviceWorker" in navigator) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(function () {
        // No worker means no offline page; the site itself works the same.
      });
    });
  }
})();
