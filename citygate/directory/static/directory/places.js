// A district picker and the street picker under it ([data-place-district], [data-place-street]
// in one form): the street list holds only the streets of the chosen district (all of them
// while none is chosen; a street alone says its district). A street's code starts with its
// district's six digits. The other districts' groups are taken out of the list rather than
// hidden, which not every browser does for an optgroup. Without this script every street is
// listed and the server refuses one of another district, by name.
(function () {
  "use strict";
  document.querySelectorAll("form").forEach(function (form) {
    var district = form.querySelector("select[data-place-district]");
    var street = form.querySelector("select[data-place-street]");
    if (!district || !street) return;
    var groups = Array.prototype.slice.call(street.querySelectorAll("optgroup"));

    function narrow() {
      var chosen = district.value;
      var selected = street.value;
      groups.forEach(function (group) {
        var first = group.querySelector("option");
        var inside = chosen === "" || (first !== null && first.value.slice(0, 6) === chosen);
        if (inside && group.parentNode !== street) {
          street.appendChild(group);
        } else if (!inside && group.parentNode === street) {
          street.removeChild(group);
        }
      });
      // Groups come back at the end: keep them in the districts' order.
      groups.forEach(function (group) {
        if (group.parentNode === street) street.appendChild(group);
      });
      street.value = selected;
      if (street.value !== selected) street.value = "";
    }

    district.addEventListener("change", narrow);
    narrow();
  });
})();
