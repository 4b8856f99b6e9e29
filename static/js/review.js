// Step page: a return needs a comment; say so before the round trip, and jump to the first marked warning.
(function () {
  var form = document.getElementById("decide");
  if (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      var comment = document.getElementById("comment");
      if (button && button.value === "return" && !comment.value.trim()) {
        event.preventDefault();
        comment.setCustomValidity("退回须填写意见。");
        comment.reportValidity();
        comment.addEventListener("input", function () { comment.setCustomValidity(""); }, { once: true });
      }
    });
  }
  document.querySelectorAll("#warnings li").forEach(function (item, index) {
    item.style.cursor = "pointer";
    item.addEventListener("click", function () {
      var marks = document.querySelectorAll("article mark");
      if (marks[index]) marks[index].scrollIntoView({ behavior: "smooth", block: "center" });
    });
  });
})();
