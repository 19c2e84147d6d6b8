// A small toolbar over the story's textarea: each button wraps the selection in a tag the
// newsroom allows. The stored HTML is sanitised on the server whatever is typed.
(function () {
  "use strict";
  var toolbar = document.querySelector("[data-editor-toolbar]");
  if (!toolbar) return;
  var area = document.getElementById(toolbar.dataset.editorFor);
  if (!area) return;
  toolbar.hidden = false;
  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-tag]");
    if (!button) return;
    var tag = button.dataset.tag;
    var start = area.selectionStart, end = area.selectionEnd;
    var chosen = area.value.slice(start, end);
    var open = "<" + tag + ">", close = "</" + tag + ">";
    if (tag === "a") {
      open = '<a href="https://">';
    } else if (tag === "ul") {
      open = "<ul>\n<li>"; close = "</li>\n</ul>";
    }
    area.setRangeText(open + chosen + close, start, end, "end");
    area.focus();
  });
})();
