/*
 * MTSS Academy resource hub: topic and audience filters for the table that
 * book/resource-hub.md renders from book/data/resources.yml.
 *
 * Dependency-free and self-contained: no network requests, no other script.
 * Loaded on every page (html_js_files); does nothing where there is no hub.
 * Without JavaScript the full table stays visible and the menus stay hidden.
 *
 * Markup contract (see render_hub in book/resource-hub.md):
 *   [data-resource-hub]                the container
 *     [data-rh-filters]                menus wrapper, hidden until this runs
 *       select[data-rh-filter=topics]  value "" means all
 *       select[data-rh-filter=audience]
 *       button[data-rh-reset]
 *     [data-rh-count]                  live status text
 *     tbody tr[data-topics][data-audience]   JSON arrays of strings
 *     [data-rh-empty]                  shown when nothing matches
 */
(function () {
  "use strict";

  function parseList(row, name) {
    var raw = row.getAttribute(name);
    if (!raw) {
      return [];
    }
    try {
      var value = JSON.parse(raw);
      return Array.isArray(value) ? value : [];
    } catch (err) {
      return [];
    }
  }

  function rowMatches(row, wanted) {
    var keys = Object.keys(wanted);
    for (var i = 0; i < keys.length; i++) {
      var choice = wanted[keys[i]];
      if (choice && parseList(row, "data-" + keys[i]).indexOf(choice) === -1) {
        return false;
      }
    }
    return true;
  }

  function setUp(hub) {
    if (hub.getAttribute("data-rh-ready") === "1") {
      return;
    }
    hub.setAttribute("data-rh-ready", "1");
    var selects = hub.querySelectorAll("select[data-rh-filter]");
    var rows = hub.querySelectorAll("tbody tr");
    var count = hub.querySelector("[data-rh-count]");
    var empty = hub.querySelector("[data-rh-empty]");
    var reset = hub.querySelector("[data-rh-reset]");
    var filters = hub.querySelector("[data-rh-filters]");

    function apply() {
      var wanted = {};
      for (var i = 0; i < selects.length; i++) {
        wanted[selects[i].getAttribute("data-rh-filter")] = selects[i].value;
      }
      var shown = 0;
      for (var j = 0; j < rows.length; j++) {
        var ok = rowMatches(rows[j], wanted);
        rows[j].hidden = !ok;
        if (ok) {
          shown++;
        }
      }
      if (count) {
        count.textContent = shown === rows.length
          ? "Showing all " + rows.length + " resources."
          : "Showing " + shown + " of " + rows.length + " resources.";
      }
      if (empty) {
        empty.hidden = shown !== 0;
      }
    }

    for (var k = 0; k < selects.length; k++) {
      selects[k].addEventListener("change", apply);
    }
    if (reset) {
      reset.addEventListener("click", function () {
        for (var m = 0; m < selects.length; m++) {
          selects[m].value = "";
        }
        apply();
      });
    }
    if (filters) {
      filters.hidden = false;
    }
    apply();
  }

  function init() {
    var hubs = document.querySelectorAll("[data-resource-hub]");
    for (var i = 0; i < hubs.length; i++) {
      setUp(hubs[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
