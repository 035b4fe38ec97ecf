// Draws the dashboard and report charts from the JSON blocks the page carries as data, never as
// inline script, so a strict Content-Security-Policy can forbid inline scripts. Redraws on a theme
// change.
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var CATEGORY_COLOURS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#8cd17d", "#86bcb6", "#bab0ac"
  ];
  var drawn = [];
  // Amounts as the person writes them: the page carries their locale (<html data-locale>).
  var LOCALE = document.documentElement.getAttribute("data-locale") || "en-US";

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
    var format = new Intl.NumberFormat(LOCALE, {
      style: "currency", currency: data.currency,
      minimumFractionDigits: shown, maximumFractionDigits: shown
    });
    return function (value) { return format.format(value); };
  }

  // The axis of amounts. Chart.js picks ticks at nice steps (1, 2, 5 times a power of ten) for
  // the range; `precision` keeps the step a whole number of the currency's minor unit (a cent,
  // a yen), and each label shows whole units where every tick is one and the currency's own
  // decimals otherwise: $0.00 $0.20 … $1.60, never $0 $0 $1 $1.
  function amountAxis(data, theme) {
    var whole = formatter(data, 0);
    var exact = formatter(data);
    var minorUnit = Math.pow(10, -data.digits);
    function isWhole(tick) { return Math.abs(tick.value - Math.round(tick.value)) < minorUnit / 2; }
    return {
      ticks: {
        color: theme.muted,
        precision: data.digits,
        callback: function (value, index, ticks) { return (ticks.every(isWhole) ? whole : exact)(value); }
      },
      grid: { color: theme.grid }
    };
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
    var amounts = amountAxis(data, theme);
    amounts.beginAtZero = true;
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.flow.labels,
        datasets: [
          { label: data.flow.series[0], data: numbers(data.flow.income), backgroundColor: theme.positive, borderRadius: 3 },
          { label: data.flow.series[1], data: numbers(data.flow.spending), backgroundColor: theme.negative, borderRadius: 3 }
        ]
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { color: theme.muted, maxRotation: 0, autoSkip: true }, grid: { display: false } },
          y: amounts
        },
        plugins: {
          legend: { labels: { color: theme.text, boxWidth: 12 } },
          tooltip: { callbacks: { label: function (item) { return " " + item.dataset.label + ": " + money(item.raw); } } }
        }
      }
    });
  }

  // A report chart, described by its data block: {type: "bar" | "line" | "doughnut", labels,
  // series: [{label, values, colour: "palette" | "positive" | "negative" | "primary" | "muted",
  // line}], horizontal, links}. A link per label makes its bar or slice open that page.
  function reportChart(canvas, data, theme) {
    var money = formatter(data);
    var roles = { positive: theme.positive, negative: theme.negative, primary: theme.primary, muted: theme.muted };
    var palette = data.labels.map(function (_, i) { return colourOf(i); });
    var doughnut = data.type === "doughnut";
    if (doughnut) { colourLegend(canvas.getAttribute("data-source")); }
    var datasets = data.series.map(function (series) {
      var colour = series.colour === "palette" ? palette : (roles[series.colour] || theme.primary);
      var set = { label: series.label, data: numbers(series.values), backgroundColor: colour, borderColor: colour };
      if (doughnut) {
        set.borderColor = theme.background;
        set.borderWidth = 2;
      } else if (series.line || data.type === "line") {
        set.type = "line";
        set.order = 0;  // drawn over the bars
        set.borderWidth = 2;
        set.pointRadius = 3;
        set.tension = 0.2;
        set.fill = false;
      } else {
        set.order = 1;
        set.borderRadius = 3;
      }
      return set;
    });
    var options = {
      maintainAspectRatio: false,
      plugins: {
        legend: {
          display: !doughnut && data.series.length > 1,
          labels: { color: theme.text, boxWidth: 12, sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } }
        },
        tooltip: { callbacks: { label: function (item) {
          return " " + (doughnut ? item.label : item.dataset.label) + ": " + money(item.raw);
        } } }
      }
    };
    if (doughnut) {
      options.cutout = "62%";
    } else {
      var values = amountAxis(data, theme);
      values.beginAtZero = data.type !== "line";
      var names = { ticks: { color: theme.muted, autoSkip: !data.horizontal }, grid: { display: false } };
      if (!data.horizontal) { names.ticks.maxRotation = 0; }
      options.indexAxis = data.horizontal ? "y" : "x";
      options.scales = data.horizontal ? { x: values, y: names } : { x: names, y: values };
    }
    if (data.links) {
      var linkAt = function (elements) {
        return elements.length ? data.links[elements[0].index] : null;
      };
      options.onClick = function (event, elements) {
        var link = linkAt(elements);
        if (link) { window.location.assign(link); }
      };
      options.onHover = function (event, elements) {
        canvas.style.cursor = linkAt(elements) ? "pointer" : "default";
      };
    }
    return new window.Chart(canvas, { type: doughnut ? "doughnut" : (data.type === "line" ? "line" : "bar"), data: { labels: data.labels, datasets: datasets }, options: options });
  }

  var MAKERS = { categories: categoriesChart, "cash-flow": cashFlowChart, report: reportChart };

  function draw() {
    drawn.forEach(function (chart) { chart.destroy(); });
    drawn = [];
    var theme = {
      text: cssVar("--pico-color", "#373c44"),
      muted: cssVar("--pico-muted-color", "#646b79"),
      grid: cssVar("--pico-muted-border-color", "#e7eaf0"),
      background: cssVar("--pico-card-background-color", "#ffffff"),
      positive: cssVar("--ft-positive", "#2e7d32"),
      negative: cssVar("--ft-negative", "#c62828"),
      primary: cssVar("--pico-primary", "#0172ad")
    };
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.Chart.defaults.animation = reduceMotion ? false : { duration: 400 };
    window.Chart.defaults.font.family = cssVar("--pico-font-family", "system-ui, sans-serif");
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var data = dataFor(canvas);
      var make = MAKERS[canvas.getAttribute("data-chart")];
      if (!data || !make) { return; }
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
