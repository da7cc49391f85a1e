// Weekly analysis (一周一分析): visits and verified per day (bars) and the 8-week trend (bars for
// visits and verified, a line for the covered rate on its own axis), from a json_script block.
(function () {
  "use strict";

  function daily(data) {
    return {
      tooltip: { trigger: "axis" },
      legend: { data: ["走访", "校核"], top: 0 },
      grid: { left: 8, right: 16, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "走访", type: "bar", data: data.day_visits },
        { name: "校核", type: "bar", data: data.day_verified },
      ],
    };
  }

  function trend(data) {
    return {
      tooltip: { trigger: "axis" },
      legend: { data: ["走访", "校核", "覆盖率"], top: 0 },
      grid: { left: 8, right: 8, top: 30, bottom: 10, containLabel: true },
      xAxis: { type: "category", data: data.weeks },
      yAxis: [
        { type: "value", minInterval: 1, name: "次" },
        { type: "value", min: 0, max: 100, name: "%", splitLine: { show: false } },
      ],
      series: [
        { name: "走访", type: "bar", data: data.week_visits },
        { name: "校核", type: "bar", data: data.week_verified },
        { name: "覆盖率", type: "line", yAxisIndex: 1, data: data.week_rate, connectNulls: true },
      ],
    };
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.qjSource);
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    el.style.width = "100%";
    el.style.height = "300px";
    var chart = echarts.init(el);
    chart.setOption(el.dataset.qjSummaryChart === "trend" ? trend(data) : daily(data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-qj-summary-chart]").forEach(draw);
  });
})();
