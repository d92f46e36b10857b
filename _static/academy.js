/* MTSS Academy: charts that fit the screen, explorers that speak, and a few
 * accessibility repairs to the theme. Served locally; loads nothing remote.
 *
 * window.mtssEmbed(el, spec) draws one Vega-Lite chart (called by the inline
 * script mtss_teach.sphinxext writes for each chart):
 *  - narrow column: side-by-side panels are stacked, view widths fitted to
 *    the column, long titles wrapped; anything still wider is scaled down;
 *  - explorers: the text panels named "live..." are copied into an HTML
 *    status region (aria-live) right above the controls, so the result a
 *    control changes stays in view and is read out;
 *  - every control gets a name that says what it is ("1.1 Team
 *    Composition: 2", not "2").
 */
(function () {
  "use strict";

  var NARROW_PAD = 24; // room for the y-axis labels and title of a view

  function clone(x) { return JSON.parse(JSON.stringify(x)); }

  function wrapWords(text, maxChars) {
    if (typeof text !== "string" || text.length <= maxChars) { return text; }
    var words = text.split(/\s+/), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > maxChars) { lines.push(line); line = w; }
      else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function wrapTitle(t, maxChars) {
    if (typeof t === "string") { return wrapWords(t, maxChars); }
    if (t && typeof t === "object" && !Array.isArray(t)) {
      var o = clone(t);
      if (typeof o.text === "string") { o.text = wrapWords(o.text, maxChars); }
      if (Array.isArray(o.subtitle)) { o.subtitle = [].concat.apply([], o.subtitle.map(function (s) { return wrapWords(s, maxChars); })); }
      else if (typeof o.subtitle === "string") { o.subtitle = wrapWords(o.subtitle, maxChars); }
      return o;
    }
    return t;
  }

  // Re-lay a spec for a column `avail` pixels wide.
  function fitSpec(spec, avail) {
    var s = clone(spec);
    var viewMax = Math.max(140, avail - 80);
    var chars = Math.max(24, Math.floor(avail / 7.2));
    function walk(node, live) {
      if (!node || typeof node !== "object") { return; }
      var isLive = live || (typeof node.name === "string" && node.name.indexOf("live") === 0);
      if (node.hconcat) { node.vconcat = node.hconcat; delete node.hconcat; }
      if (node.concat && node.columns) { node.columns = 1; }
      if (node.facet && node.columns) { node.columns = 1; }
      if (node.facet && node.facet.column && !node.facet.row) { node.facet.row = node.facet.column; delete node.facet.column; }
      if (node.encoding && node.encoding.column && !node.encoding.row) {
        node.encoding.row = node.encoding.column; delete node.encoding.column;
      }
      if (typeof node.width === "number" && node.width > viewMax) {
        if (node.encoding && node.encoding.x && node.encoding.x.type === "nominal") {
          // a bar per category: keep the bars, narrower
        }
        node.width = viewMax;
      }
      if (node.title) { node.title = wrapTitle(node.title, chars); }
      if (node.encoding && typeof node.encoding === "object") {
        Object.keys(node.encoding).forEach(function (ch) {
          var enc = node.encoding[ch];
          if (!enc || typeof enc !== "object") { return; }
          if (enc.legend && typeof enc.legend === "object" && /^(left|right)$/.test(enc.legend.orient || "")) {
            enc.legend.orient = "bottom";
          }
          var axisChars = Math.max(20, Math.floor(Math.min(viewMax, node.width || viewMax) / 6.5));
          if (ch === "x" || ch === "x2") {
            if (typeof enc.title === "string") { enc.title = wrapWords(enc.title, axisChars); }
            if (enc.axis && typeof enc.axis.title === "string") { enc.axis.title = wrapWords(enc.axis.title, axisChars); }
          }
        });
      }
      if (isLive && node.mark) {
        var m = typeof node.mark === "string" ? {type: node.mark} : node.mark;
        if (m.type === "text") { m.limit = avail - 16; node.mark = m; }
      }
      ["vconcat", "concat", "layer"].forEach(function (k) {
        if (Array.isArray(node[k])) { node[k].forEach(function (c) { walk(c, isLive); }); }
      });
      if (node.spec) { walk(node.spec, isLive); }
    }
    walk(s, false);
    s.config = s.config || {};
    s.config.legend = Object.assign({}, s.config.legend || {}, {orient: "bottom"});
    s.config.axis = Object.assign({labelLimit: 120}, s.config.axis || {});
    return s;
  }

  // Text of the marks whose name starts with "live", in drawing order.
  function liveLines(view) {
    var out = [];
    function visitMark(mark, live) {
      if (!mark) { return; }
      var isLive = live || (typeof mark.name === "string" && mark.name.indexOf("live") === 0);
      (mark.items || []).forEach(function (item) {
        if (mark.marktype === "text" && isLive && mark.role === "mark") {
          if (item.opacity === 0 || item.fillOpacity === 0 || item.text == null) { return; }
          var t = Array.isArray(item.text) ? item.text.join(" ") : String(item.text);
          if (t.trim()) { out.push(t.trim()); }
        }
        (item.items || []).forEach(function (m) { visitMark(m, isLive); });
      });
    }
    var sg = view.scenegraph();
    visitMark(sg.root || sg, false);
    return out;
  }

  function nameControls(el) {
    el.querySelectorAll(".vega-bind").forEach(function (bind, i) {
      var nameEl = bind.querySelector(".vega-bind-name");
      var name = nameEl ? nameEl.textContent.trim().replace(/[:\s]+$/, "") : "";
      if (!name) { return; }
      var radios = bind.querySelectorAll("input[type=radio]");
      if (radios.length) {
        var group = bind.querySelector(".vega-bind-radio") || bind;
        if (!nameEl.id) { nameEl.id = (el.id || "mtss-chart") + "-control-" + i; }
        group.setAttribute("role", "radiogroup");
        group.setAttribute("aria-labelledby", nameEl.id);
        radios.forEach(function (r) {
          var lab = r.closest("label");
          var text = lab ? lab.textContent.trim() : r.value;
          r.setAttribute("aria-label", name + ": " + text);
        });
      }
      bind.querySelectorAll("input[type=range], select, input[type=checkbox], input[type=text]").forEach(function (c) {
        c.setAttribute("aria-label", name);
      });
    });
  }

  function attachLive(el, result, spec) {
    var view = result.view;
    var params = (spec.params || []).filter(function (p) { return p.bind; }).map(function (p) { return p.name; });
    if (!params.length) { return; }
    var region = document.createElement("div");
    region.className = "mtss-live";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-atomic", "true");
    var bindings = el.querySelector(".vega-bindings");
    if (bindings) { el.insertBefore(region, bindings); } else { el.appendChild(region); }
    var last = null;
    function update() {
      var lines = liveLines(view);
      var key = lines.join("\n");
      if (key === last) { return; }
      last = key;
      region.textContent = "";
      if (!lines.length) { region.hidden = true; return; }
      region.hidden = false;
      var head = document.createElement("p");
      head.className = "mtss-live-head";
      head.textContent = "With these settings:";
      region.appendChild(head);
      lines.forEach(function (l) {
        var p = document.createElement("p");
        p.textContent = l;
        region.appendChild(p);
      });
    }
    params.forEach(function (name) {
      try { view.addSignalListener(name, function () { view.runAfter(update); }); } catch (e) { /* not a signal */ }
    });
    update();
  }

  function naturalWidth(el) {
    var svg = el.querySelector("svg.marks") || el.querySelector("svg");
    if (!svg) { return 0; }
    return parseFloat(svg.getAttribute("width")) || svg.getBoundingClientRect().width;
  }

  function draw(el, spec, fitted) {
    var old = el.__mtssView;
    if (old && old.finalize) { old.finalize(); }
    Array.prototype.slice.call(el.childNodes).forEach(function (n) {
      if (n.nodeName !== "NOSCRIPT") { el.removeChild(n); }
    });
    var avail = el.clientWidth || 0;
    var s = fitted ? fitSpec(spec, avail) : spec;
    var opts = {actions: false, renderer: "svg"};
    if (fitted) {
      // Several legends under a narrow chart: stack them instead of setting them side by side.
      opts.patch = function (vg) {
        vg.config = vg.config || {};
        var lg = vg.config.legend = vg.config.legend || {};
        lg.layout = Object.assign({}, lg.layout || {}, {bottom: {anchor: "start", direction: "vertical", margin: 6}});
        lg.direction = "vertical";
        lg.labelLimit = Math.max(120, avail - 60);
        return vg;
      };
    }
    return vegaEmbed(el, s, opts).then(function (result) {
      el.__mtssView = result;
      el.classList.toggle("mtss-fitted", !!fitted);
      if (!fitted && avail && naturalWidth(el) > avail + 1) {
        return draw(el, spec, true);
      }
      nameControls(el);
      // Marks without a description of their own (a reference rule, say) are hidden from
      // screen readers: the chart's figure label already says what it shows.
      el.querySelectorAll("svg [role^='graphics-']").forEach(function (g) {
        if (g.closest("svg") === g) { return; }
        if (!g.getAttribute("aria-label") && !g.querySelector(":scope > title")) {
          g.setAttribute("aria-hidden", "true");
        }
      });
      attachLive(el, result, spec);
      el.setAttribute("data-mtss-ready", "1");
      return result;
    });
  }

  window.mtssEmbed = function (el, spec) {
    if (typeof vegaEmbed === "undefined") {
      el.textContent = "This chart could not be drawn: the page is missing its chart library.";
      return;
    }
    var lastWidth = el.clientWidth;
    draw(el, spec, false).catch(function (err) { console.error(err); });
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var w = el.clientWidth;
        if (Math.abs(w - lastWidth) < 40) { return; }
        lastWidth = w;
        draw(el, spec, false).catch(function (err) { console.error(err); });
      }, 250);
    });
  };

  // --- Theme repairs -------------------------------------------------------
  // The theme's search button is labelled "Search" but shows "Search Ctrl+K";
  // its colour-mode button shows icons whose titles are not in its name.
  function repairTheme() {
    document.querySelectorAll(".search-button__button[aria-label]").forEach(function (b) {
      if (b.textContent.trim()) { b.removeAttribute("aria-label"); }
    });
    document.querySelectorAll(".theme-switch-button svg, .theme-switch-button i").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("aria-labelledby");
      icon.removeAttribute("role");
      var t = icon.querySelector("title");
      if (t) { t.remove(); }
    });
    // The bibliography's entries carry a deprecated role inside a list (axe: critical).
    document.querySelectorAll("[role='doc-biblioentry']").forEach(function (e) { e.setAttribute("role", "listitem"); });
    // Scrolling output boxes must be reachable from the keyboard.
    document.querySelectorAll(".cell_output, .output, div.highlight pre, .table-wrapper").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1) {
        var st = getComputedStyle(box);
        if (/(auto|scroll)/.test(st.overflowX + st.overflowY) && !box.hasAttribute("tabindex")) {
          box.setAttribute("tabindex", "0");
        }
      }
    });
  }

  // --- Leader tables on a narrow screen --------------------------------------
  // A leader table wider than its column (a row of twenty weeks, say) is shown
  // stacked: one block per row, each value beside its column's name (data-label,
  // styled in academy.css). Explicit ARIA roles keep it a table for screen readers.
  function stackWideTables() {
    document.querySelectorAll("table.leader-table").forEach(function (t) {
      t.classList.remove("mtss-stacked");
      var box = t.parentElement;
      if (!box || t.getBoundingClientRect().width <= box.clientWidth + 1) { return; }
      var heads = t.querySelectorAll("thead tr");
      var last = heads.length ? heads[heads.length - 1] : null;
      var names = last ? Array.prototype.map.call(last.children, function (c) { return c.textContent.trim(); }) : [];
      t.setAttribute("role", "table");
      t.querySelectorAll("tr").forEach(function (r) { r.setAttribute("role", "row"); });
      t.querySelectorAll("thead th").forEach(function (c) { c.setAttribute("role", "columnheader"); });
      t.querySelectorAll("thead, tbody").forEach(function (g) { g.setAttribute("role", "rowgroup"); });
      t.querySelectorAll("tbody tr").forEach(function (r) {
        Array.prototype.forEach.call(r.children, function (c, i) {
          c.setAttribute("role", c.tagName === "TH" ? "rowheader" : "cell");
          if (names[i] != null) { c.setAttribute("data-label", names[i]); }
        });
      });
      t.classList.add("mtss-stacked");
    });
  }

  function start() {
    stackWideTables();
    var stackTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(stackTimer);
      stackTimer = setTimeout(stackWideTables, 200);
    });
    window.addEventListener("load", stackWideTables);
    repairTheme();
    if (window.MutationObserver) {
      var pending = false;
      var obs = new MutationObserver(function () {
        if (pending) { return; }
        pending = true;
        requestAnimationFrame(function () { pending = false; repairTheme(); });
      });
      obs.observe(document.body, {childList: true, subtree: true});
      setTimeout(function () { obs.disconnect(); }, 5000);
    }
    document.documentElement.setAttribute("data-mtss-a11y", "1");
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
