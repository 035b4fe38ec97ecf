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
})();
