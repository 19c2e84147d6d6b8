// A district picker and the street picker under it ([data-place-district], [data-place-street]
// in one form): the street list shows only the streets of the chosen district (all of them while none is
// chosen; a street alone says its district). A street's code
// starts with its district's six digits. Without this script every street is listed and the
// server refuses one of another district, by name.
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    var district = form.querySelector("select[data-place-district]");
    var street = form.querySelector("select[data-place-street]");
    if (!district || !street) return;

    function narrow() {
      var chosen = district.value;
      street.querySelectorAll("optgroup").forEach(function (group) {
        var options = group.querySelectorAll("option");
        var inside = chosen === "" ||
          (options.length > 0 && options[0].value.slice(0, 6) === chosen);
        group.hidden = !inside;
        group.disabled = !inside;
      });
      var selected = street.selectedOptions[0];
      if (selected && selected.value !== "" && selected.parentElement.disabled) {
        street.value = "";
      }
    }

    district.addEventListener("change", narrow);
    narrow();
  });
})();
