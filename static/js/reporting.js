/* Reports: start a background export, show its progress from the result backend, then offer the download.
   Without JavaScript the direct download links and the self-refreshing progress page still work. */
(function () {
  "use strict";

  function csrf(root) {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // A refusal's own words (DRF's "detail" or the first field message), never the raw JSON.
  function reason(body) {
    if (body && typeof body.detail === "string") return body.detail;
    for (var key in body || {}) {
      var value = body[key];
      if (Array.isArray(value) && typeof value[0] === "string") return value[0];
      if (typeof value === "string") return value;
    }
    return "请稍后重试。";
  }

  function start(root, format, onDone) {
    var bar = root.querySelector("progress");
    var status = root.querySelector(".export-status");
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "已提交，排队中…";
    fetch(root.dataset.api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(root), "Accept": "application/json" },
      body: JSON.stringify({ kind: root.dataset.kind, period: root.dataset.period,
                             organisation: Number(root.dataset.organisation), format: format })
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (!res.ok) { status.textContent = "提交失败：" + reason(res.body); return; }
      poll(root, res.body.status_url, res.body.id, onDone);
    }).catch(function () { status.textContent = "网络错误，请重试。"; });
  }

  function poll(root, url, id, onDone) {
    var bar = root.querySelector("progress");
    var status = root.querySelector(".export-status");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.progress) {
          bar.max = body.progress.total;
          bar.value = body.progress.step;
          status.textContent = body.progress.text;
        }
        if (body.state === "SUCCESS") {
          bar.max = 1; bar.value = 1;
          onDone(body, id);
        } else if (body.state === "FAILURE") {
          status.textContent = body.error || "生成失败。";
        } else {
          if (!body.progress) { status.textContent = "排队中…"; }
          window.setTimeout(function () { poll(root, url, id, onDone); }, 1500);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(root, url, id, onDone); }, 3000); });
  }

  document.querySelectorAll("[data-export]").forEach(function (root) {
    root.querySelectorAll("button[data-format]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();  // with JavaScript the page shows the progress itself; without, the form posts
        start(root, button.dataset.format, function (body) {
          var status = root.querySelector(".export-status");
          status.textContent = "";
          var link = document.createElement("a");
          link.href = body.download_url;
          link.textContent = "下载 " + body.filename;
          link.className = "export-download";
          status.appendChild(link);
        });
      });
    });
  });

  // A big region's page report: built by the worker as JSON, then the page reloads showing it.
  document.querySelectorAll("[data-background-report]").forEach(function (root) {
    start(root, "json", function (body, id) {
      var params = new URLSearchParams(window.location.search);
      params.set(root.dataset.kind === "quarterly" ? "quarter" : "month", root.dataset.period);
      params.set("organisation", root.dataset.organisation);
      params.set("result", id);
      window.location.search = params.toString();
    });
  });
})();
