// Adds a "print the receipt" button where the page leaves room for one. Without this script
// the browser's own print command prints the same page (the stylesheet hides the frame).
(function () {
  "use strict";
  var slot = document.querySelector("[data-print-button]");
  if (!slot || typeof window.print !== "function") {
    return;
  }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button--secondary";
  button.textContent = slot.getAttribute("data-label") || "Print";
  button.addEventListener("click", function () {
    window.print();
  });
  slot.replaceWith(button);
})();
