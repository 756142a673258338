// Job pages: when an export asked from this browser is ready, its download starts
// by itself (the link stays on the page).  The server marks the link only the
// first time it shows the finished job, so a reload does not download it again.
(function () {
  "use strict";
  var started = false;

  function autoDownload() {
    var link = document.querySelector("a[data-auto-download]");
    if (!link || started) return;
    started = true;
    link.click();
  }

  document.addEventListener("DOMContentLoaded", autoDownload);
  document.addEventListener("htmx:afterSwap", autoDownload);
  document.addEventListener("htmx:afterSettle", autoDownload);
})();
