// Organizational life: the compliance heat map (organizations × kinds), data from a json_script block.
(function () {
  "use strict";

  function draw(el) {
    var source = document.getElementById(el.dataset.qjHeatmap);
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    el.style.height = Math.max(240, data.organizations.length * 26 + 110) + "px";
    el.style.width = "100%";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          var v = p.value;
          var rate = v[2] === null ? "尚无到期周期" : "开展率 " + v[2] + "%";
          // A formatter's string is HTML to ECharts: names typed by users go in encoded.
          var text = echarts.format.encodeHTML;
          return text(data.organizations[v[1]]) + "<br>" + text(data.kinds[v[0]]) + "：" + rate + "<br>已开展 " + v[3] + "，未开展 " + v[4];
        },
      },
      grid: { left: 8, right: 8, top: 30, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: data.kinds, position: "top", splitArea: { show: true } },
      yAxis: { type: "category", data: data.organizations, inverse: true, splitArea: { show: true } },
      visualMap: {
        min: 0, max: 100, dimension: 2, calculable: true, orient: "horizontal", left: "center", bottom: 0,
        text: ["100%", "0%"], inRange: { color: ["#c0392b", "#f1c40f", "#27ae60"] },
      },
      series: [{
        type: "heatmap",
        data: data.points.map(function (p) { return { value: p, itemStyle: p[2] === null ? { color: "#eee" } : undefined }; }),
        label: { show: true, formatter: function (p) { return p.value[2] === null ? "—" : p.value[2]; } },
      }],
    });
    chart.on("click", function (p) {
      var link = data.links[p.value[1]];
      if (link) window.location.href = link;
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-qj-heatmap]").forEach(draw);
  });
})();
