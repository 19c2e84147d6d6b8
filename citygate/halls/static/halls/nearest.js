// "Nearest to me first" on the halls list: a progressive enhancement. Without JavaScript or
// without a position the form stays hidden and the district filter does the job.
// The position is rounded to two decimals (about a kilometre) and sent once, in a POST body.
(function () {
  "use strict";
  var form = document.querySelector("form[data-nearest]");
  if (!form || !("geolocation" in navigator)) {
    return;
  }
  var button = form.querySelector("[data-nearest-button]");
  var status = form.querySelector("[data-nearest-status]");
  form.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = form.getAttribute("data-locating");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(2);
        form.elements.longitude.value = position.coords.longitude.toFixed(2);
        form.submit();
      },
      function () {
        button.disabled = false;
        status.textContent = form.getAttribute("data-failed");
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
    );
  });
})();
