// The game page's interaction. Moves go over the page's WebSocket through the
// hidden ws-send form #click-move, and only for operators that #operators
// lists as applicable for this player (the server checks everything again).
// Tier 1: data-op-index / data-op-args / data-info / data-context on vis
// elements. Tier 2: a JSON region manifest (#wsz6-regions) over a scene.
// Also: the full-page editor for file_edit moves, the previous-state toggle
// and full-screen mode.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function opsInfo() {
    var ops = byId("operators");
    if (!ops) return null;
    var list = (ops.getAttribute("data-applicable") || "").split(",").filter(Boolean);
    return { role: ops.getAttribute("data-role"), version: ops.getAttribute("data-version"),
             indexes: list };
  }

  function isApplicable(index) {
    var info = opsInfo();
    return !!info && info.role !== "" && info.indexes.indexOf(String(index)) >= 0;
  }

  function argsText(args) {
    if (args === undefined || args === null || args === "") return "";
    return typeof args === "string" ? args : JSON.stringify(args);
  }

  function submitMove(index, text) {
    var info = opsInfo();
    var form = byId("click-move");
    form.querySelector('[name="op"]').value = index;
    form.querySelector('[name="role"]').value = info.role;
    form.querySelector('[name="args"]').value = text || "[]";
    form.querySelector('[name="state_version"]').value = info.version;
    if (form.requestSubmit) form.requestSubmit(); else htmx.trigger(form, "submit");
  }

  // Apply operator ``index``; a move with parameters and no args opens its form or editor.
  function sendMove(index, args) {
    if (window.szportal && window.szportal.isOffline()) {
      window.szportal.say(window.szportal.offlineText);
      return true;
    }
    if (!isApplicable(index)) {
      var banner = byId("turn-banner");
      if (banner && banner.classList.contains("paused") && window.szportal) {
        window.szportal.say("The game is paused: moves wait until it resumes.");
        return true;
      }
      return false;
    }
    var text = argsText(args);
    if (!text) {
      var editorButton = document.querySelector('#operators .editor-open[data-op-index="' + index + '"]');
      if (editorButton) { openEditor(editorButton); return true; }
      var paramForm = document.querySelector('#operators details form[data-op-index="' + index + '"]');
      if (paramForm) {
        paramForm.parentElement.open = true;
        var first = paramForm.querySelector("input:not([type=hidden]), textarea");
        if (first) first.focus();
        return true;
      }
    }
    submitMove(index, text);
    return true;
  }

  // -- popups: info and context menu ---------------------------------------
  function hidePopups() {
    var popup = byId("info-popup");
    var menu = byId("context-menu");
    if (popup) popup.hidden = true;
    if (menu) menu.hidden = true;
  }

  function place(el, x, y) {
    el.style.left = Math.max(8, Math.min(x, window.scrollX + window.innerWidth - 240)) + "px";
    el.style.top = Math.max(8, y) + "px";
  }

  function showInfo(text, x, y) {
    var popup = byId("info-popup");
    if (!popup) return;
    hidePopups();
    popup.textContent = text;
    place(popup, x, y);
    popup.hidden = false;
  }

  function parseJSON(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  function showMenu(items, x, y) {
    var menu = byId("context-menu");
    if (!menu || !Array.isArray(items) || !items.length) return false;
    hidePopups();
    menu.innerHTML = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "menuitem");
      button.textContent = String(item.label || "…");
      var hasOp = item.op_index !== undefined && item.op_index !== null;
      if (hasOp && !isApplicable(item.op_index) && !item.info) button.disabled = true;
      button.addEventListener("click", function (evt) {
        evt.stopPropagation();
        menu.hidden = true;
        if (hasOp && isApplicable(item.op_index)) sendMove(item.op_index, item.op_args);
        else if (item.info) showInfo(String(item.info), x, y);
      });
      li.appendChild(button);
      menu.appendChild(li);
    });
    place(menu, x, y);
    menu.hidden = false;
    var first = menu.querySelector("button:not([disabled])");
    if (first) first.focus();
    return true;
  }

  // -- Tier 2: region manifests ----------------------------------------------
  function manifest() {
    var view = byId("state-view");
    // The server turns the game's <script type="application/json" id="wsz6-regions">
    // into a data attribute (htmx removes scripts from pushed fragments).
    var tag = view && view.querySelector("#wsz6-regions");
    if (!tag) return null;
    if (tag._parsed === undefined) {
      tag._parsed = parseJSON(tag.getAttribute("data-manifest") || tag.textContent, null);
    }
    var data = tag._parsed;
    if (!data || !data.container_id || !Array.isArray(data.regions)) return null;
    var box = byId(data.container_id);
    if (!box || !view.contains(box)) return null;
    return { data: data, box: box };
  }

  function naturalPoint(scene, evt) {
    var rect = scene.box.getBoundingClientRect();
    if (!rect.width || !rect.height) return null;
    var w = Number(scene.data.scene_width) || rect.width;
    var h = Number(scene.data.scene_height) || rect.height;
    return { x: (evt.clientX - rect.left) * w / rect.width,
             y: (evt.clientY - rect.top) * h / rect.height, w: w, h: h, rect: rect };
  }

  function inPolygon(points, x, y) {
    var inside = false;
    for (var i = 0, j = points.length - 1; i < points.length; j = i++) {
      var xi = points[i][0], yi = points[i][1], xj = points[j][0], yj = points[j][1];
      if (((yi > y) !== (yj > y)) && (x < (xj - xi) * (y - yi) / (yj - yi) + xi)) inside = !inside;
    }
    return inside;
  }

  function hits(region, x, y) {
    if (region.shape === "circle") {
      var dx = x - region.cx, dy = y - region.cy;
      return dx * dx + dy * dy <= region.r * region.r;
    }
    if (region.shape === "polygon") return Array.isArray(region.points) && inPolygon(region.points, x, y);
    return x >= region.x && x <= region.x + region.w && y >= region.y && y <= region.y + region.h;
  }

  // Regions are hit-tested in order; the first match wins.
  function regionAt(scene, point) {
    for (var i = 0; i < scene.data.regions.length; i++) {
      if (hits(scene.data.regions[i], point.x, point.y)) return scene.data.regions[i];
    }
    return null;
  }

  function regionActs(region) {
    var hasOp = region.op_index !== undefined && region.op_index !== null;
    return (hasOp && isApplicable(region.op_index)) || !!region.info || !!region.context;
  }

  function bounds(region) {
    if (region.shape === "circle") {
      return { x: region.cx - region.r, y: region.cy - region.r, w: 2 * region.r, h: 2 * region.r };
    }
    if (region.shape === "polygon") {
      var xs = region.points.map(function (p) { return p[0]; });
      var ys = region.points.map(function (p) { return p[1]; });
      var x0 = Math.min.apply(null, xs), y0 = Math.min.apply(null, ys);
      return { x: x0, y: y0, w: Math.max.apply(null, xs) - x0, h: Math.max.apply(null, ys) - y0 };
    }
    return { x: region.x, y: region.y, w: region.w, h: region.h };
  }

  function clickRegion(scene, region, point, evt) {
    var hasOp = region.op_index !== undefined && region.op_index !== null;
    if (hasOp && isApplicable(region.op_index)) {
      var args = region.op_args;
      if (region.send_click_coords) {
        args = [Math.min(point.w - 1, Math.max(0, Math.floor(point.x))),
                Math.min(point.h - 1, Math.max(0, Math.floor(point.y)))];
      }
      return sendMove(region.op_index, args || null);
    }
    if (region.info) { showInfo(String(region.info), evt.pageX + 8, evt.pageY + 8); return true; }
    return false;
  }

  function hoverRegion(evt) {
    var label = byId("hover-label");
    var mark = byId("region-highlight");
    var scene = manifest();
    var point = scene && scene.box.contains(evt.target) ? naturalPoint(scene, evt) : null;
    var region = point ? regionAt(scene, point) : null;
    if (!region || !regionActs(region)) {
      if (label) label.hidden = true;
      if (mark) mark.hidden = true;
      if (scene) scene.box.style.cursor = "";
      return;
    }
    scene.box.style.cursor = "pointer";
    if (label && region.hover_label) {
      label.textContent = String(region.hover_label);
      place(label, evt.pageX + 14, evt.pageY + 14);
      label.hidden = false;
    } else if (label) {
      label.hidden = true;
    }
    if (mark) {
      var b = bounds(region), sx = point.rect.width / point.w, sy = point.rect.height / point.h;
      mark.style.left = (window.scrollX + point.rect.left + b.x * sx) + "px";
      mark.style.top = (window.scrollY + point.rect.top + b.y * sy) + "px";
      mark.style.width = (b.w * sx) + "px";
      mark.style.height = (b.h * sy) + "px";
      mark.style.borderRadius = region.shape === "circle" ? "50%" : "6px";
      mark.hidden = false;
    }
  }

  // -- clicks, right-clicks, keys on the scene -------------------------------
  function inView(el) {
    var view = byId("state-view");
    return view && view.contains(el) ? view : null;
  }

  // The Tier 2 region under the pointer: {scene, point, region}, or null.
  function sceneHit(evt) {
    var scene = manifest();
    if (!scene || !scene.box.contains(evt.target)) return null;
    var point = naturalPoint(scene, evt);
    var region = point && regionAt(scene, point);
    return region ? {scene: scene, point: point, region: region} : null;
  }

  document.addEventListener("click", function (evt) {
    var menu = byId("context-menu");
    if (menu && !menu.hidden && !menu.contains(evt.target)) menu.hidden = true;
    var popup = byId("info-popup");
    if (popup && !popup.hidden && !popup.contains(evt.target)) popup.hidden = true;
    var view = inView(evt.target);
    if (!view) return;
    var hit = sceneHit(evt);
    if (hit && clickRegion(hit.scene, hit.region, hit.point, evt)) {
      evt.preventDefault();
      return;
    }
    var target = evt.target.closest("[data-op-index], [data-info]");
    if (!target || !view.contains(target)) return;
    if (target.hasAttribute("data-op-index") &&
        sendMove(target.getAttribute("data-op-index"), target.getAttribute("data-op-args"))) {
      evt.preventDefault();
      return;
    }
    if (target.hasAttribute("data-info")) {
      evt.preventDefault();
      showInfo(target.getAttribute("data-info"), evt.pageX + 8, evt.pageY + 8);
    }
  });

  document.addEventListener("contextmenu", function (evt) {
    var view = inView(evt.target);
    if (!view) return;
    var hit = sceneHit(evt);
    if (hit && hit.region.context && showMenu(hit.region.context, evt.pageX, evt.pageY)) {
      evt.preventDefault();
      return;
    }
    var target = evt.target.closest("[data-context]");
    if (!target || !view.contains(target)) return;
    if (showMenu(parseJSON(target.getAttribute("data-context"), []), evt.pageX, evt.pageY)) {
      evt.preventDefault();
    }
  });

  document.addEventListener("mousemove", function (evt) {
    if (byId("state-view")) hoverRegion(evt);
  });

  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Escape") {
      hidePopups();
      var live = byId("live");
      if (live && live.classList.contains("fullscreen") && byId("editor").hidden) toggleFullscreen();
    }
    var el = evt.target;
    if ((evt.key === "Enter" || evt.key === " ") && el && el.classList &&
        el.classList.contains("op-live") && inView(el)) {
      evt.preventDefault();
      sendMove(el.getAttribute("data-op-index"), el.getAttribute("data-op-args"));
    }
  });

  // Clickable vis elements of applicable moves get a hover highlight and keyboard focus.
  function markInteractive() {
    var view = byId("state-view");
    if (!view) return;
    view.querySelectorAll("[data-op-index]").forEach(function (el) {
      var ok = isApplicable(el.getAttribute("data-op-index"));
      el.classList.toggle("op-live", ok);
      if (ok) { el.setAttribute("tabindex", "0"); el.setAttribute("role", "button"); }
      else { el.removeAttribute("tabindex"); }
    });
    view.querySelectorAll("[data-info], [data-context]").forEach(function (el) {
      el.classList.add("op-info");
    });
  }

  // -- the editor for file_edit moves -----------------------------------------
  var editing = null;   // {index, version} while the editor is open

  function countWords(text) {
    var words = text.trim().split(/\s+/).filter(Boolean);
    return words.length;
  }

  function updateCount() {
    var n = countWords(byId("editor-text").value);
    byId("editor-count").textContent = n + (n === 1 ? " word" : " words");
  }

  function openEditor(button) {
    var editor = byId("editor");
    editing = { index: button.getAttribute("data-op-index"), saving: false,
                version: opsInfo().version };
    byId("editor-title").textContent = button.getAttribute("data-editor-title") || "Editor";
    byId("editor-text").value = button.getAttribute("data-editor-text") || "";
    byId("editor-status").textContent = "Ctrl+Enter saves. Every save is kept as a version.";
    editor.hidden = false;
    document.body.classList.add("editor-open");
    updateCount();
    byId("editor-text").focus();
  }

  function closeEditor() {
    byId("editor").hidden = true;
    document.body.classList.remove("editor-open");
    editing = null;
  }

  function saveEditor() {
    if (!editing) return;
    if (!isApplicable(editing.index)) {
      byId("editor-status").textContent = "This move is not possible any more; copy your text before closing.";
      return;
    }
    editing.saving = true;
    editing.version = opsInfo().version;
    byId("editor-status").textContent = "Saving…";
    submitMove(editing.index, JSON.stringify([byId("editor-text").value]));
  }

  // After a push: a saved text closes the editor; a refusal is shown in it.
  function editorAfterMessage() {
    if (!editing || !editing.saving) return;
    var info = opsInfo();
    if (info && info.version !== editing.version) { closeEditor(); return; }
    var flash = byId("flash");
    if (flash && flash.textContent.trim()) {
      editing.saving = false;
      byId("editor-status").textContent = flash.textContent.trim();
    }
  }

  // A move of the moves panel without parameters: its button names the operator, and
  // the move goes out like a click on the board (role and version from #operators).
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("#operators .op-move");
    if (!button || button.disabled) return;
    evt.preventDefault();
    if (!sendMove(button.getAttribute("data-op-index")) && window.szportal) {
      window.szportal.say("That move cannot be made now.");
    }
  });

  document.addEventListener("click", function (evt) {
    var opener = evt.target.closest && evt.target.closest("#operators .editor-open");
    if (opener) { evt.preventDefault(); openEditor(opener); }
    if (evt.target.id === "editor-save") saveEditor();
    if (evt.target.id === "editor-cancel") closeEditor();
  });
  document.addEventListener("input", function (evt) {
    if (evt.target.id === "editor-text") updateCount();
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.target.id === "editor-text" && evt.key === "Enter" && (evt.ctrlKey || evt.metaKey)) {
      evt.preventDefault();
      saveEditor();
    }
  });

  // -- past states: "Show previous state" and the history's steps ----------------
  // A past state is for looking only: the turn banner gives way to the past state's
  // note and the moves panel is inert (no clicks, no focus) while it is shown.
  var previousShownFor = null;   // the version "Show previous state" was asked at
  var shownStep = null;          // the history step shown, if one was clicked

  function holdControls(on) {
    var ops = byId("operators");
    if (!ops) return;
    if (on) ops.setAttribute("inert", ""); else ops.removeAttribute("inert");
  }

  function setPrevious(show, step) {
    var button = byId("previous-toggle");
    var previous = byId("previous-view");
    if (!button || !previous) return;
    button.setAttribute("aria-pressed", show ? "true" : "false");
    button.textContent = show ? "Show current state" : "Show previous state";
    previous.hidden = !show;
    // A class on #live survives the pushes that replace #state-view.
    byId("live").classList.toggle("showing-previous", show);
    holdControls(show);
    document.querySelectorAll("#history-steps .step.shown").forEach(function (li) {
      li.classList.remove("shown");
    });
    if (!show) { previousShownFor = null; shownStep = null; return; }
    var url = byId("live").getAttribute("data-previous-url");
    shownStep = step === undefined ? null : step;
    if (shownStep !== null) {
      url += "?k=" + encodeURIComponent(shownStep);
      var li = byId("step-" + shownStep);
      if (li) li.classList.add("shown");
    }
    previousShownFor = opsInfo() && opsInfo().version;
    previous.innerHTML = '<p class="muted">Loading…</p>';
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) { if (!previous.hidden) previous.innerHTML = html; });
  }

  // Steps arrive newest first, a push prepending its own; two pushes overtaking each
  // other must not leave the list out of order or a step twice.
  function tidyHistory() {
    var list = byId("history-steps");
    if (!list) return;
    var seen = {}, items = [], sorted = true, last = Infinity;
    Array.prototype.slice.call(list.children).forEach(function (li) {
      if (li.id && seen[li.id]) { li.remove(); return; }
      if (li.id) seen[li.id] = true;
      var seq = Number(li.getAttribute("data-seq"));
      if (seq > last) sorted = false;
      last = seq;
      items.push([seq, li]);
    });
    if (sorted) return;
    items.sort(function (a, b) { return b[0] - a[0]; });
    items.forEach(function (item) { list.appendChild(item[1]); });
  }

  function toggleFullscreen() {
    var live = byId("live");
    var button = byId("fullscreen-toggle");
    var on = !live.classList.contains("fullscreen");
    live.classList.toggle("fullscreen", on);
    document.body.classList.toggle("fullscreen-on", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Leave full screen" : "Full screen";
    fitScene();
  }

  document.addEventListener("click", function (evt) {
    if (evt.target.id === "previous-toggle") setPrevious(byId("previous-view").hidden);
    var step = evt.target.closest && evt.target.closest("#history-steps .step-link");
    if (step) setPrevious(true, step.getAttribute("data-step"));
    if (evt.target.id === "fullscreen-toggle") toggleFullscreen();
  });

  // A new scene arrived: until the pointer moves, the choice now under it is not
  // highlighted, and the hover marks of the last scene go.
  function freshScene() {
    var live = byId("live");
    if (!live) return;
    live.classList.add("scene-fresh");
    ["hover-label", "region-highlight"].forEach(function (id) {
      var el = byId(id);
      if (el) el.hidden = true;
    });
  }

  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    var target = (evt.detail && evt.detail.target) || evt.target;
    if (target && target.id === "state-view") freshScene();
  });
  document.addEventListener("pointermove", function () {
    var live = byId("live");
    if (live) live.classList.remove("scene-fresh");
  });

  function afterMessage() {
    markInteractive();
    editorAfterMessage();
    tidyHistory();
    var info = opsInfo();
    // "The previous state" means another state once the game moves on; a step stays.
    if (previousShownFor !== null && shownStep === null && info &&
        info.version !== previousShownFor) setPrevious(false);
    else if (previousShownFor !== null) holdControls(true);   // #operators was replaced
  }

  // -- wide scenes fit their column ------------------------------------------
  // A scene wider than its column is scaled down (a transform: its layout keeps the
  // natural size, so the game's own sizes and coordinates stay as authored; Tier 2
  // clicks map through getBoundingClientRect, which sees the scaled box).
  function fitScene() {
    var view = byId("state-view");
    var scene = view && view.querySelector(".game-scene");
    if (!scene) return;
    scene.style.transform = "";
    scene.style.width = "";
    scene.style.marginBottom = "";
    var room = scene.clientWidth, natural = scene.scrollWidth;
    if (!room || natural <= room + 1) return;
    var scale = room / natural;
    scene.style.width = natural + "px";
    scene.style.transformOrigin = "0 0";
    scene.style.transform = "scale(" + scale + ")";
    scene.style.marginBottom = (-(scene.offsetHeight * (1 - scale))) + "px";
  }

  function afterMessageFit() { fitScene(); }

  document.addEventListener("DOMContentLoaded", markInteractive);
  document.addEventListener("DOMContentLoaded", fitScene);
  document.addEventListener("htmx:wsAfterMessage", afterMessage);
  document.addEventListener("htmx:wsAfterMessage", afterMessageFit);
  window.addEventListener("resize", fitScene);
  // An image that loads later changes the scene's size.
  document.addEventListener("load", function (evt) {
    if (evt.target.tagName === "IMG" && inView(evt.target)) fitScene();
  }, true);
})();
