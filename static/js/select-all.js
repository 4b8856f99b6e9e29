// "全选" for a list's checkboxes: <input type="checkbox" data-select-all="task"> ticks every enabled checkbox
// named "task" in its form (rows that must be handled one by one, 重大敏感 in the review queue, have none).
// Shown only when this script runs: without it the box would do nothing.
(function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form || all.closest("form");
    if (!form) return;
    function boxes() {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.type === "checkbox" && el.name === all.dataset.selectAll && !el.disabled;
      });
    }
    function sync() {
      var list = boxes(), ticked = list.filter(function (b) { return b.checked; }).length;
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    }
    if (!boxes().length) return;
    all.addEventListener("change", function () {
      boxes().forEach(function (b) { b.checked = all.checked; });
      all.indeterminate = false;
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all && event.target.name === all.dataset.selectAll) sync();
    });
    var holder = all.closest("[hidden]");
    if (holder) holder.hidden = false;
    sync();
  });
})();
