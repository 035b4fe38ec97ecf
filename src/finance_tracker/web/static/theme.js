// Runs in <head> so the page paints in the chosen theme with no flash.
(function () {
  var saved = null;
  try { saved = localStorage.getItem("ft-theme"); } catch (e) { /* private mode */ }
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-theme", saved || (dark ? "dark" : "light"));
})();
