// Post form: choosing another unit reloads the form so its columns and accounts are offered.
(function () {
  var link = document.getElementById("reload-org");
  var select = document.getElementById("id_organisation");
  if (!select || !link) return;
  function reload(event) {
    if (event) event.preventDefault();
    window.location = link.dataset.url + "?organisation=" + encodeURIComponent(select.value);
  }
  link.addEventListener("click", reload);
  select.addEventListener("change", function () {
    if (confirm("切换单位将刷新发布渠道，未保存的内容会丢失。继续？")) reload();
  });
})();
