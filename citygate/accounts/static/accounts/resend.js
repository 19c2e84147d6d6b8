// Counts down on the "send a new code" button until the server will take another request.
// Without this script the button simply stays enabled and the server answers with the wait.
(function () {
  "use strict";
  var button = document.querySelector("[data-resend-after]");
  if (!button) {
    return;
  }
  var seconds = parseInt(button.getAttribute("data-resend-after"), 10) || 0;
  if (seconds <= 0) {
    return;
  }
  var label = button.textContent;
  var countdown = button.getAttribute("data-countdown") || "%s";
  button.disabled = true;

  function tick() {
    if (seconds <= 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.textContent = countdown.replace("%s", String(seconds));
    seconds -= 1;
    window.setTimeout(tick, 1000);
  }
  tick();
})();
