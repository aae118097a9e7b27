// Draws the dashboard's charts with the vendored Chart.js from the JSON the page carries in
// <script type="application/json" id="chart-data">: no inline script, so the CSP stays strict.
(function () {
  "use strict";
  var el = document.getElementById("chart-data");
  if (!el || typeof Chart === "undefined") { return; }
  var data = JSON.parse(el.textContent);
  var colours = ["#1d4f91", "#b3261e", "#2e7d32", "#8e5a00", "#6a1b9a"];
  // On a phone (a chart narrower than 600 px) Chart.js's default, twice as wide as high, leaves
  // the plot a sliver under a legend that wraps over several lines: the chart is made taller
  // than wide there, the legend goes below with small boxes, and the months stand upright and
  // thinned out instead of slanted.
  function layout(canvas) {
    var phone = canvas.parentNode.clientWidth < 600;
    return {
      phone: phone,
      aspectRatio: phone ? 0.8 : 2,
      legend: phone ? { position: "bottom", labels: { boxWidth: 12, font: { size: 11 } } } : { position: "top" },
      x: phone ? { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 4 } } : {}
    };
  }
  var trend = document.getElementById("trend-chart");
  if (trend) {
    new Chart(trend, {
      type: "line",
      data: {
        labels: data.months,
        datasets: data.series.map(function (s, i) {
          return { label: s.label, data: s.values, borderColor: colours[i % colours.length],
                   backgroundColor: colours[i % colours.length], spanGaps: true, tension: 0.2 };
        })
      },
      options: (function (l) {
        return { animation: false, responsive: true, aspectRatio: l.aspectRatio, plugins: { legend: l.legend },
                 scales: { x: l.x, y: { beginAtZero: true, suggestedMax: 100 } } };
      })(layout(trend))
    });
  }
  var units = document.getElementById("units-chart");
  if (units && data.units && data.units.length) {
    new Chart(units, {
      type: "bar",
      data: {
        labels: data.units,
        datasets: [
          { label: "Tỷ lệ đúng hạn (%)", data: data.bars.on_time_rate, backgroundColor: colours[0] },
          { label: "Tỷ lệ hài lòng (%)", data: data.bars.satisfaction, backgroundColor: colours[2] }
        ]
      },
      options: (function (l) {
        return { animation: false, responsive: true, aspectRatio: l.aspectRatio, plugins: { legend: l.legend },
                 scales: { x: l.phone ? { ticks: { autoSkip: false } } : {}, y: { beginAtZero: true, max: 100 } } };
      })(layout(units))
    });
  }
  document.documentElement.setAttribute("data-charts", "ready");
})();
