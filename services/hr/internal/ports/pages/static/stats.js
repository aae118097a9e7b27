// Draws the statistics page's charts with the vendored Chart.js from the JSON block the server
// rendered; no inline script, so the platform's Content-Security-Policy (script-src 'self') holds.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("chart-data");
    if (!data || typeof Chart === "undefined") { return; }
    var d = JSON.parse(data.textContent);
    var cat = document.getElementById("chart-category");
    if (cat) {
      new Chart(cat, {
        type: "bar",
        data: { labels: d.categories.labels, datasets: [{ label: "Số người", data: d.categories.values, backgroundColor: "#1d4f91" }] },
        options: { animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    }
    var lv = document.getElementById("chart-levels");
    if (lv) {
      var palette = ["#1d4f91", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#ad1457"];
      new Chart(lv, {
        type: "bar",
        data: { labels: d.levels.labels, datasets: d.levels.series.map(function (s, i) {
          return { label: s.label, data: s.values, backgroundColor: palette[i % palette.length] };
        }) },
        options: { animation: false, scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "% số người" } } } }
      });
    }
    document.body.setAttribute("data-charts-drawn", "true");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
