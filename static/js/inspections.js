// Countdown page: changing a filter reloads the list at once (the form still works without script).
(function () {
  var form = document.getElementById("countdown-filters");
  if (!form) return;
  Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
    select.addEventListener("change", function () { form.submit(); });
  });
})();
