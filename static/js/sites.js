// Column tree on a site's page: fold and unfold branches, show one update category. Works without it too.
(function () {
  "use strict";
  var table = document.getElementById("column-tree");
  if (!table) { return; }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
  var byParent = {};
  rows.forEach(function (row) {
    var parent = row.getAttribute("data-parent") || "";
    (byParent[parent] = byParent[parent] || []).push(row);
  });
  var collapsed = {};

  function hiddenByAncestor(row) {
    var parent = row.getAttribute("data-parent");
    while (parent) {
      if (collapsed[parent]) { return true; }
      var up = table.querySelector('tr[data-id="' + parent + '"]');
      parent = up ? up.getAttribute("data-parent") : "";
    }
    return false;
  }

  function render() {
    var category = document.getElementById("category-filter").value;
    rows.forEach(function (row) {
      var folded = !category && hiddenByAncestor(row);
      var filtered = category && row.getAttribute("data-category") !== category;
      row.hidden = folded || filtered;
      var toggle = row.querySelector(".toggle");
      if (toggle) {
        var open = !collapsed[row.getAttribute("data-id")];
        toggle.textContent = open ? "▾" : "▸";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      }
    });
  }

  table.addEventListener("click", function (event) {
    var toggle = event.target.closest(".toggle");
    if (!toggle) { return; }
    var id = toggle.closest("tr").getAttribute("data-id");
    collapsed[id] = !collapsed[id];
    render();
  });
  document.getElementById("category-filter").addEventListener("change", render);
  document.getElementById("expand-all").addEventListener("click", function () { collapsed = {}; render(); });
  document.getElementById("collapse-all").addEventListener("click", function () {
    Object.keys(byParent).forEach(function (id) { if (id) { collapsed[id] = true; } });
    render();
  });
  document.getElementById("column-tools").hidden = false;
})();
