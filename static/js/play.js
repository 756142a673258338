// Tier 1 interaction: clicks on vis elements with data-op-index send moves over
// the page's WebSocket (through the hidden ws-send form #click-move), but only
// when that operator is applicable for this player, as #operators says.
(function () {
  "use strict";

  function applicableSet() {
    var ops = document.getElementById("operators");
    if (!ops) return null;
    var list = (ops.getAttribute("data-applicable") || "").split(",").filter(Boolean);
    return { role: ops.getAttribute("data-role"), version: ops.getAttribute("data-version"),
             indexes: list };
  }

  function setField(form, name, value) {
    form.querySelector('[name="' + name + '"]').value = value;
  }

  function sendMove(index, argsText) {
    var allowed = applicableSet();
    if (!allowed || allowed.role === "" || allowed.indexes.indexOf(String(index)) < 0) return false;
    var paramForm = document.querySelector('#operators details form[data-op-index="' + index + '"]');
    if (!argsText && paramForm) {
      paramForm.parentElement.open = true;
      var first = paramForm.querySelector("input:not([type=hidden]), textarea");
      if (first) first.focus();
      return true;
    }
    var form = document.getElementById("click-move");
    setField(form, "op", index);
    setField(form, "role", allowed.role);
    setField(form, "args", argsText || "[]");
    setField(form, "state_version", allowed.version);
    if (form.requestSubmit) form.requestSubmit(); else htmx.trigger(form, "submit");
    return true;
  }

  function showInfo(text, x, y) {
    var popup = document.getElementById("info-popup");
    if (!popup) return;
    popup.textContent = text;
    popup.style.left = Math.max(8, x) + "px";
    popup.style.top = Math.max(8, y) + "px";
    popup.hidden = false;
  }

  document.addEventListener("click", function (evt) {
    var popup = document.getElementById("info-popup");
    if (popup && !popup.hidden && !popup.contains(evt.target)) popup.hidden = true;
    var view = document.getElementById("state-view");
    if (!view || !view.contains(evt.target)) return;
    var target = evt.target.closest("[data-op-index], [data-info]");
    if (!target || !view.contains(target)) return;
    if (target.hasAttribute("data-op-index")) {
      if (sendMove(target.getAttribute("data-op-index"), target.getAttribute("data-op-args"))) {
        evt.preventDefault();
        return;
      }
    }
    if (target.hasAttribute("data-info")) {
      evt.preventDefault();
      showInfo(target.getAttribute("data-info"), evt.pageX + 8, evt.pageY + 8);
    }
  });

  // Mark clickable vis elements so the stylesheet can highlight them on hover.
  function markInteractive() {
    var allowed = applicableSet();
    var view = document.getElementById("state-view");
    if (!allowed || !view) return;
    view.querySelectorAll("[data-op-index]").forEach(function (el) {
      var ok = allowed.indexes.indexOf(el.getAttribute("data-op-index")) >= 0;
      el.classList.toggle("op-live", ok);
    });
  }
  document.addEventListener("DOMContentLoaded", markInteractive);
  document.addEventListener("htmx:wsAfterMessage", markInteractive);
})();
