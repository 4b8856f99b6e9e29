/* The supervisor's dashboard charts (Apache ECharts, served from static/vendor). The tables beside each chart
   hold the same numbers, so the page reads without scripts and on any phone. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var c = window.echarts.init(el, null, { renderer: "svg" });
    c.setOption(option);
    charts.push(c);
  }

  var grid = { left: 8, right: 8, top: 32, bottom: 8, containLabel: true };
  chart("chart-accounts", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid,
    xAxis: { type: "category", data: data.accounts.platforms }, yAxis: { type: "value", minInterval: 1 },
    series: data.accounts.series.map(function (s) { return { name: s.name, type: "bar", stack: "status", data: s.data }; })
  });
  chart("chart-findings", {
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid,
    xAxis: { type: "value", minInterval: 1 }, yAxis: { type: "category", data: data.findings.units, inverse: true },
    series: [{ name: "待整改", type: "bar", stack: "f", data: data.findings.open, color: "#b26a00" },
             { name: "逾期", type: "bar", stack: "f", data: data.findings.overdue, color: "#b71c1c" }]
  });
  chart("chart-review", {
    tooltip: { trigger: "axis" }, grid: grid,
    xAxis: { type: "category", data: data.review.days }, yAxis: { type: "value", minInterval: 1 },
    series: [{ name: "办结环节", type: "line", smooth: true, areaStyle: {}, data: data.review.decided }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
