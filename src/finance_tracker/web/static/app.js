// Small progressive enhancements; every page works without them.
(function () {
  document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
    button.addEventListener("click", function () {
      var root = document.documentElement;
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("ft-theme", next); } catch (e) { /* private mode */ }
    });
  });
  document.querySelectorAll("[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // A freshly created API token: one click selects it all, ready to copy.
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
  // "Select all" on the transactions list: ticks every row checkbox of its form on this page.
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var boxes = document.querySelectorAll(
      'input[type="checkbox"][name="ids"][form="' + all.getAttribute("data-select-all") + '"]'
    );
    if (!boxes.length) { return; }
    all.hidden = false;
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
  });

  // A table that cannot be narrower than its box scrolls inside it: the classes fade the edge
  // it continues past (app.css), so that a person sees there is more. Tables come and go with
  // the import's live preview, so new ones are watched as they appear.
  var watched = typeof WeakSet === "function" ? new WeakSet() : null;
  var resized = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) { markScrolling(entry.target.closest(".table-wrap")); });
  }) : null;
  function markScrolling(wrap) {
    if (!wrap) { return; }
    var more = wrap.scrollWidth - wrap.clientWidth;
    wrap.classList.toggle("scrolls", more > 1);
    wrap.classList.toggle("more-left", more > 1 && wrap.scrollLeft > 1);
    wrap.classList.toggle("more-right", more > 1 && wrap.scrollLeft < more - 1);
  }
  function watchTables() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      if (!watched || watched.has(wrap)) { return; }
      watched.add(wrap);
      wrap.addEventListener("scroll", function () { markScrolling(wrap); }, { passive: true });
      if (resized) {
        resized.observe(wrap);
        if (wrap.firstElementChild) { resized.observe(wrap.firstElementChild); }
      }
      markScrolling(wrap);
    });
  }
  watchTables();
  if (window.MutationObserver) {
    new MutationObserver(watchTables).observe(document.body, { childList: true, subtree: true });
  }

  // A figure (a balance, a month's spending) stays on one line: where its card is too narrow
  // for it, a million on a phone, it is set smaller rather than cut off.
  var figures = document.querySelectorAll(".figure");
  function fitFigures() {
    figures.forEach(function (figure) { figure.style.fontSize = ""; });
    figures.forEach(function (figure) {
      if (figure.scrollWidth <= figure.clientWidth) { return; }
      var size = parseFloat(getComputedStyle(figure).fontSize);
      figure.style.fontSize = Math.floor(size * figure.clientWidth / figure.scrollWidth) + "px";
    });
  }
  if (figures.length) {
    fitFigures();
    window.addEventListener("resize", fitFigures);
  }
})();
