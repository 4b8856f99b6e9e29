// The filing form: add and remove menu and team rows in place. Without JavaScript the form still works:
// the server renders the saved rows plus one blank row, and blank rows are ignored.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var body = document.querySelector("#" + add.dataset.addRow + " tbody");
      var template = document.getElementById(add.dataset.template);
      var row = template.content.firstElementChild.cloneNode(true);
      body.appendChild(row);
      var first = row.querySelector("input, select");
      if (first) { first.focus(); }
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var tr = remove.closest("tr");
      var tbody = tr.parentNode;
      tr.remove();
      // Keep one row to type into.
      if (!tbody.querySelector("tr")) {
        var table = tbody.closest("table");
        var button = document.querySelector('[data-add-row="' + table.id + '"]');
        if (button) { button.click(); }
      }
    }
  });
})();

// After a draft was saved but could not be submitted, the page answering the post to /filings/new/ already
// belongs to that draft (its form posts to the draft's edit page): show the draft's address too, so that a
// reload or a bookmark returns to the same draft instead of posting a new one.
(function () {
  "use strict";
  var form = document.getElementById("filing-form");
  var target = form && form.getAttribute("action");
  if (target && window.history.replaceState && window.location.pathname !== target) {
    window.history.replaceState(null, "", target);
  }
})();
