// Ledger statistics: problems by source (bar) and registered vs closed by month, from a json_script block.
(function () {
  "use strict";

  function options(kind, data) {
    if (kind === "source") {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 16, top: 10, bottom: 10, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.sources, inverse: true },
        series: [{ name: "问题数", type: "bar", data: data.source_counts, label: { show: true, position: "right" } }],
      };
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { data: ["挂号", "销号"], top: 0 },
      grid: { left: 8, right: 16, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "挂号", type: "bar", data: data.registered },
        { name: "销号", type: "line", data: data.closed },
      ],
    };
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.qjSource);
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var kind = el.dataset.qjLedgerChart;
    var rows = kind === "source" ? data.sources.length : 0;
    if (kind === "source" && rows === 0) return; // the table below says there is nothing to show
    el.style.width = "100%";
    el.style.height = (kind === "source" ? Math.max(160, rows * 32 + 40) : 280) + "px";
    var chart = echarts.init(el);
    chart.setOption(options(kind, data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-qj-ledger-chart]").forEach(draw);
  });
})();
