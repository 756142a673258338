// Follow the server when it says this page belongs elsewhere (the lobby became a
// game) or shows another play-through (a rematch started): then reload.
(function () {
  "use strict";

  // Every push carries the nav fragment, and one push runs both handlers below: go
  // only once.  Calling location.assign again while the first navigation is still
  // loading would cancel it and start over (the page arrives later, or, pushed
  // often enough, never).  Should this page still be here long after (the user
  // stopped the navigation), the next push may send it again.
  var leaving = null;

  function go(target) {
    if (leaving === target) return;
    leaving = target;
    setTimeout(function () { leaving = null; }, 30000);
    window.location.assign(target);
  }

  // htmx requests of the portal's own controls carry the CSRF token (kept in a meta
  // tag, not on an element that game markup sits inside; game markup is hx-disable'd).
  document.addEventListener("htmx:configRequest", function (evt) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var source = evt.detail.elt;
    if (!meta || (source && source.closest && source.closest("[hx-disable]"))) return;
    var url = new URL(evt.detail.path, window.location.href);
    if (url.origin === window.location.origin) evt.detail.headers["X-CSRFToken"] = meta.content;
  });

  // Game markup is inert: htmx skips hx-disable'd regions, but the ws extension finds
  // ws-send forms anywhere under the socket's element, so sends from inside a game
  // region are stopped here (as is any request that would start there).
  ["htmx:wsConfigSend", "htmx:wsBeforeSend", "htmx:beforeRequest"].forEach(function (name) {
    document.addEventListener(name, function (evt) {
      var source = evt.target;
      if (source && source.closest && source.closest("[hx-disable]")) evt.preventDefault();
    }, true);
  });

  // -- the connection: a banner while the socket is down, and no move sent offline ----
  // The ws extension queues what is sent while its socket is closed and sends it on
  // reconnect, when the player may long have moved on: a send while offline is dropped
  // here with a message instead, and the queue is emptied whenever the socket opens.
  var offline = false;
  // Reconnect soon after a drop, and never wait more than ~8 s between tries (the ws
  // extension's own back-off grows to a minute): a class is waiting.
  if (window.htmx) {
    htmx.config.wsReconnectDelay = function (retry) {
      return Math.min(8000, 500 * Math.pow(2, retry)) * (0.5 + Math.random() / 2);
    };
  }
  var OFFLINE_TEXT = "You are offline: that was not sent. Try again once the connection is back.";

  function say(text) {
    var flash = document.getElementById("flash");
    if (!flash) return;
    flash.innerHTML = "";
    var p = document.createElement("p");
    p.className = "flash error";
    p.textContent = text;
    flash.appendChild(p);
  }

  function setOffline(value) {
    offline = value;
    var live = document.getElementById("live");
    var banner = document.getElementById("connection-banner");
    if (live) live.classList.toggle("offline", value);
    if (banner) banner.hidden = !value;
  }

  function socketOpen() {
    var live = document.getElementById("live");
    var data = live && live["htmx-internal-data"];
    var socket = data && data.webSocket && data.webSocket.socket;
    return !!socket && socket.readyState === 1;
  }

  window.szportal = { isOffline: function () { return offline || !socketOpen(); },
                      say: say, offlineText: OFFLINE_TEXT };

  document.addEventListener("htmx:wsClose", function () { setOffline(true); });
  document.addEventListener("htmx:wsError", function () { setOffline(true); });
  document.addEventListener("htmx:wsOpen", function (evt) {
    var queue = evt.detail && evt.detail.socketWrapper && evt.detail.socketWrapper.queue;
    if (queue) queue.length = 0;
  });
  // The banner goes when the server's snapshot (the first push after connecting) is in.
  document.addEventListener("htmx:wsAfterMessage", function () { if (offline) setOffline(false); });
  document.addEventListener("htmx:wsConfigSend", function (evt) {
    if (offline || !socketOpen()) {
      evt.preventDefault();
      say(OFFLINE_TEXT);
    }
  }, true);

  // A page restored from the back/forward cache follows the server again.
  window.addEventListener("pageshow", function (evt) {
    if (evt.persisted) leaving = null;
  });

  function followNav() {
    var nav = document.getElementById("nav");
    if (!nav) return;
    var target = nav.getAttribute("data-location");
    if (target && target !== window.location.pathname) {
      go(target);
      return;
    }
    var live = document.getElementById("live");
    var shown = live && live.getAttribute("data-playthrough");
    var current = nav.getAttribute("data-playthrough");
    if (shown && current && shown !== current) go(target);
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

  // <button data-copy="text"> copies the text (an invite link, a join code) and says so.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");   // plain http on a school network
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target && evt.target.closest ? evt.target.closest("[data-copy]") : null;
    if (!button) return;
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    copyText(button.getAttribute("data-copy")).then(function () {
      button.textContent = "Copied";
    }, function () {
      button.textContent = "Select and copy it";
    });
    setTimeout(function () { button.textContent = label; }, 2000);
  });
})();
