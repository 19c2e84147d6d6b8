// The reading beacon (feed/_reading_beacon.html): counts the seconds the story is visible and,
// when the page is hidden or left, sends them with the view's token. The same view may report
// again (the reader comes back to the tab): the server counts only what was added.
(function () {
  "use strict";
  var beacon = document.querySelector("[data-reading-beacon]");
  if (!beacon || !navigator.sendBeacon) return;
  var url = beacon.getAttribute("data-url");
  var view = beacon.getAttribute("data-view");
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var seconds = 0;

  function pause() {
    if (visibleSince !== null) {
      seconds += (Date.now() - visibleSince) / 1000;
      visibleSince = null;
    }
  }

  function report() {
    pause();
    var body = JSON.stringify({ seconds: Math.round(seconds), view: view });
    navigator.sendBeacon(url, new Blob([body], { type: "application/json" }));
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      report();
    } else if (visibleSince === null) {
      visibleSince = Date.now();
    }
  });
  window.addEventListener("pagehide", report);
})();
