// Draws the dashboard charts from the JSON blocks the page carries as data, never as inline
// script, so a strict Content-Security-Policy can forbid inline scripts. Redraws on a theme change.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var CATEGORY_COLOURS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#8cd17d", "#86bcb6", "#bab0ac"
  ];
  var drawn = [];

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function dataFor(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-source"));
    return block ? JSON.parse(block.textContent) : null;
  }

  function formatter(data, digits) {
    var shown = digits === undefined ? data.digits : digits;
    var format = new Intl.NumberFormat("en-US", {
      style: "currency", currency: data.currency,
      minimumFractionDigits: shown, maximumFractionDigits: shown
    });
    return function (value) { return format.format(value); };
  }

  // Amounts arrive as decimal strings; numbers are needed only to size slices and bars.
  function numbers(values) { return values.map(function (v) { return parseFloat(v); }); }

  function colourOf(index) { return CATEGORY_COLOURS[index % CATEGORY_COLOURS.length]; }

  // Colour the swatches of the list that names the slices (a style set from script is
  // allowed by a Content-Security-Policy; a style attribute in the HTML would not be).
  function colourLegend(source) {
    var list = document.querySelector('[data-legend-for="' + source + '"]');
    if (!list) { return; }
    list.querySelectorAll(".swatch").forEach(function (swatch, index) {
      swatch.style.backgroundColor = colourOf(index);
    });
  }

  function categoriesChart(canvas, data, theme) {
    var money = formatter(data);
    colourLegend(canvas.getAttribute("data-source"));
    return new window.Chart(canvas, {
      type: "doughnut",
      data: {
        labels: data.categories.labels,
        datasets: [{
          data: numbers(data.categories.values),
          backgroundColor: data.categories.labels.map(function (_, i) { return colourOf(i); }),
          borderColor: theme.background,
          borderWidth: 2
        }]
      },
      options: {
        maintainAspectRatio: false,
        cutout: "62%",
        plugins: {
          legend: { display: false },  // the list under the chart is the legend, with amounts
          tooltip: { callbacks: { label: function (item) { return " " + item.label + ": " + money(item.raw); } } }
        }
      }
    });
  }

  function cashFlowChart(canvas, data, theme) {
    var money = formatter(data);
    var roundMoney = formatter(data, 0);  // axis ticks: whole units are easier to scan
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.flow.labels,
        datasets: [
          { label: "Income", data: numbers(data.flow.income), backgroundColor: theme.positive, borderRadius: 3 },
          { label: "Spending", data: numbers(data.flow.spending), backgroundColor: theme.negative, borderRadius: 3 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { color: theme.muted, maxRotation: 0, autoSkip: true }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { color: theme.muted, callback: function (v) { return roundMoney(v); } },
               grid: { color: theme.grid } }
        },
        plugins: {
          legend: { labels: { color: theme.text, boxWidth: 12 } },
          tooltip: { callbacks: { label: function (item) { return " " + item.dataset.label + ": " + money(item.raw); } } }
        }
      }
    });
  }

  function draw() {
    drawn.forEach(function (chart) { chart.destroy(); });
    drawn = [];
    var theme = {
      text: cssVar("--pico-color", "#373c44"),
      muted: cssVar("--pico-muted-color", "#646b79"),
      grid: cssVar("--pico-muted-border-color", "#e7eaf0"),
      background: cssVar("--pico-card-background-color", "#ffffff"),
      positive: cssVar("--ft-positive", "#2e7d32"),
      negative: cssVar("--ft-negative", "#c62828")
    };
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.Chart.defaults.animation = reduceMotion ? false : { duration: 400 };
    window.Chart.defaults.font.family = cssVar("--pico-font-family", "system-ui, sans-serif");
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = dataFor(canvas);
      if (!data) { return; }
      var make = canvas.getAttribute("data-chart") === "categories" ? categoriesChart : cashFlowChart;
      var chart = make(canvas, data, theme);
      canvas.setAttribute("data-drawn", "true");
      drawn.push(chart);
    });
  }

  draw();
  new MutationObserver(draw).observe(document.documentElement, {
    attributes: true, attributeFilter: ["data-theme"]
  });
})();
