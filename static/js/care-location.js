// "Use my location" on the care directory: progressive enhancement only. Without this
// script (or without permission) people type a ZIP code or city instead. The position
// goes only to our own server, as two numbers in the search form.
(function () {
  "use strict";
  var form = document.querySelector("[data-care-search]");
  if (!form || !("geolocation" in navigator)) {
    return;
  }
  var button = form.querySelector("[data-use-location]");
  var status = form.querySelector("[data-location-status]");
  var place = form.querySelector("[name=place]");
  var lat = form.querySelector("[name=lat]");
  var lon = form.querySelector("[name=lon]");
  if (!button || !lat || !lon) {
    return;
  }
  button.hidden = false;
  // A typed place wins over an old shared location.
  if (place) {
    place.addEventListener("input", function () {
      lat.value = "";
      lon.value = "";
    });
  }
  button.addEventListener("click", function () {
    status.textContent = "Asking your browser for your location…";
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        // Two decimals is about a kilometre: plenty for "near me", and no more
        // precise than that is ever sent or kept in the browser's history.
        lat.value = position.coords.latitude.toFixed(2);
        lon.value = position.coords.longitude.toFixed(2);
        if (place) {
          place.value = "";
        }
        status.textContent = "Searching near your location…";
        form.submit();
      },
      function () {
        button.disabled = false;
        status.textContent = "We could not get your location. Please type a ZIP code or city instead.";
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
    );
  });
})();
