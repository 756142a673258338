// Follow the server when it says this page belongs elsewhere (the lobby became a
// game) or shows another play-through (a rematch started): then reload.
(function () {
  "use strict";

  function followNav() {
    var nav = document.getElementById("nav");
    if (!nav) return;
    var target = nav.getAttribute("data-location");
    if (target && target !== window.location.pathname) {
      window.location.assign(target);
      return;
    }
    var live = document.getElementById("live");
    var shown = live && live.getAttribute("data-playthrough");
    var current = nav.getAttribute("data-playthrough");
    if (shown && current && shown !== current) window.location.assign(target);
  }

  document.addEventListener("htmx:wsAfterMessage", followNav);
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    if (evt.target && evt.target.id === "nav") followNav();
  });

  // A refused move's message fades after a while; the next push replaces it anyway.
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    if (!evt.target || evt.target.id !== "flash" || !evt.target.textContent.trim()) return;
    var shown = evt.target.innerHTML;
    setTimeout(function () {
      if (evt.target.innerHTML === shown) evt.target.innerHTML = "";
    }, 8000);
  });

  // <select data-autosubmit> submits its form on change (no inline handlers: CSP).
  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });
})();
