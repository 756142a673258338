// Play-through viewer: the left and right arrow keys step through the log
// (they follow the page's Previous / Next links), unless the focus is in a
// form field. The current event is scrolled into view in the event list.
(function () {
  "use strict";

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" ||
      (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (typing(event.target)) return;
    var which = event.key === "ArrowLeft" ? "prev" : event.key === "ArrowRight" ? "next" : null;
    if (!which) return;
    var link = document.querySelector('a[data-step="' + which + '"]');
    if (!link) return;
    event.preventDefault();
    window.location.assign(link.href);
  });

  document.addEventListener("DOMContentLoaded", function () {
    var current = document.querySelector("#event-list li.current");
    if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
  });
})();
