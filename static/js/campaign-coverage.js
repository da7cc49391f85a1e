// "5+2+7" coverage: org / work / overall coverage rate of every carrier as grouped bars, from a json_script block.
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.dataset.qjSource);
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    if (!data.names.length) return; // the tables below say there is no carrier yet
    var phone = window.matchMedia("(max-width: 575.98px)").matches;
    el.style.width = "100%";
    el.style.height = (phone ? Math.max(260, data.names.length * 46 + 60) : 340) + "px";
    var percent = function (v) { return v === null || v === undefined ? "—" : v + "%"; };
    var category = { type: "category", data: data.names, axisLabel: { interval: 0, rotate: phone ? 0 : 30 } };
    var value = { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } };
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", valueFormatter: percent },
      legend: { data: ["组织覆盖率", "工作覆盖率", "覆盖率"], top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: phone ? value : category,
      yAxis: phone ? Object.assign({}, category, { inverse: true }) : value,
      series: [
        { name: "组织覆盖率", type: "bar", data: data.org },
        { name: "工作覆盖率", type: "bar", data: data.work },
        { name: "覆盖率", type: "bar", data: data.covered },
      ],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-qj-coverage-chart]").forEach(draw);
  });
})();
