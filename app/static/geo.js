/* "Use my position": fills the hidden lat/lon fields of a form from the browser. No eval, no inline code;
   without JavaScript (or without permission) the form simply has no position. */
(function () {
  "use strict";
  function fill(box) {
    var form = box.closest("form");
    var status = box.querySelector("[data-geo-status]");
    if (!form || !navigator.geolocation) return;
    if (status) status.textContent = box.dataset.geoWaiting || "";
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("input[name=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("input[name=lon]").value = pos.coords.longitude.toFixed(6);
      if (status) status.textContent = box.dataset.geoDone || "";
    }, function () {
      if (status) status.textContent = box.dataset.geoFailed || "";
    }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }
  function init() {
    document.querySelectorAll("[data-geo]").forEach(function (box) {
      if (box.dataset.geoReady) return;
      box.dataset.geoReady = "1";
      box.hidden = false;
      var button = box.querySelector("button");
      if (button) button.addEventListener("click", function (e) { e.preventDefault(); fill(box); });
      if (box.dataset.geoAuto) fill(box);
    });
  }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:load", init);
})();
