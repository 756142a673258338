// Job pages: when an export asked from this browser is ready, its download starts
// by itself (the link stays on the page).  Only once: the address loses its
// ?auto=1, so reloading the page does not download the file again.
(function () {
  "use strict";
  var started = false;

  function autoDownload() {
    var link = document.querySelector("a[data-auto-download]");
    if (!link || started) return;
    started = true;
    link.click();
    if (window.history && window.history.replaceState) {
      var url = new URL(window.location.href);
      url.searchParams.delete("auto");
      window.history.replaceState(null, "", url.pathname + url.search);
    }
  }

  document.addEventListener("DOMContentLoaded", autoDownload);
  document.addEventListener("htmx:afterSwap", autoDownload);
  document.addEventListener("htmx:afterSettle", autoDownload);
})();
