// Pages of long work (inspections, exports, reports, scans) show its progress and its result without a reload:
// while the page carries <meta name="live-refresh" content="N"> (templates/includes/live.html), fetch the same
// address every N seconds and swap in each [data-live] region by its id (or the whole <main>), until a fetched
// page no longer carries the meta. One mechanism for every such page.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="live-refresh"]');
  if (!meta) return;
  var seconds = Math.max(1, parseInt(meta.content, 10) || 3);
  var failures = 0;

  function regions(doc) {
    var marked = doc.querySelectorAll("[data-live][id]");
    return marked.length ? Array.prototype.slice.call(marked) : [doc.querySelector("main")].filter(Boolean);
  }

  function swap(fresh) {
    var current = regions(document);
    var typing = document.activeElement && document.activeElement.matches("input, textarea, select");
    var complete = true;
    current.forEach(function (old) {
      // Never under someone's cursor: a region holding the field being filled in waits for the next round.
      if (typing && old.contains(document.activeElement)) {
        complete = false;
        return;
      }
      var replacement = old.id ? fresh.getElementById(old.id) : fresh.querySelector("main");
      if (replacement) old.replaceWith(document.importNode(replacement, true));
    });
    if (fresh.title) document.title = fresh.title;
    return complete;
  }

  function poll() {
    fetch(window.location.href, {
      credentials: "same-origin", cache: "no-store", headers: { "X-Requested-With": "live-refresh" },
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (text) {
      failures = 0;
      var fresh = new DOMParser().parseFromString(text, "text/html");
      var complete = swap(fresh);
      if (!complete || fresh.querySelector('meta[name="live-refresh"]')) {
        window.setTimeout(poll, seconds * 1000);
      } else {
        meta.remove();
        document.dispatchEvent(new CustomEvent("live:done"));
      }
    }).catch(function () {
      // A brief outage: keep trying, more slowly, and say so after a few misses.
      failures += 1;
      if (failures === 3) {
        var note = document.querySelector("[data-live-note]");
        if (note) note.textContent = "暂时无法获取最新进度，请稍后刷新本页。";
      }
      window.setTimeout(poll, seconds * 1000 * Math.min(failures + 1, 10));
    });
  }
  window.setTimeout(poll, seconds * 1000);
})();
