// Sign-up: fill the time zone from the browser, and say so, so the member can confirm or
// change it before creating the account. Progressive enhancement only: without this
// script the field is empty and the member types or picks their zone.
(function () {
  "use strict";
  var field = document.querySelector("[data-detect-time-zone]");
  if (!field || field.value || !window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var list = field.list;
  var known = false;
  if (zone && list) {
    for (var i = 0; i < list.options.length; i += 1) {
      if (list.options[i].value === zone) {
        known = true;
        break;
      }
    }
  }
  if (!known) {
    return;
  }
  field.value = zone;
  var status = document.querySelector("[data-time-zone-status]");
  if (status) {
    status.textContent = "We filled in " + zone + " from your browser. Change it if it is not right.";
  }
})();
