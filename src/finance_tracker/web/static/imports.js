// Import pages. The mapping screen re-reads its preview whenever a setting changes and shows
// either the amount column or the debit/credit columns; the progress page follows a running
// import. Without JavaScript, "Update preview" and "Refresh" do the same by reloading.
(function () {
  "use strict";
  var words = JSON.parse((document.getElementById("ui-words") || {}).textContent || "{}");
  var LOCALE = document.documentElement.getAttribute("data-locale") || "en-US";
  var count = new Intl.NumberFormat(LOCALE);

  // --- Mapping: live preview ---------------------------------------------------------------
  var mapping = document.querySelector("[data-mapping-form]");
  if (mapping) {
    var target = mapping.querySelector("[data-live-preview]");
    var url = mapping.getAttribute("data-sample-url");
    var latest = 0;
    var timer = null;

    mapping.querySelectorAll("[data-no-js]").forEach(function (element) { element.hidden = true; });

    // The hidden choice is disabled too, so that it is not sent.
    var showAmountMode = function () {
      var checked = mapping.querySelector('input[name="amount_mode"]:checked');
      var mode = checked ? checked.value : "single";
      mapping.querySelectorAll("[data-amount-mode]").forEach(function (element) {
        var visible = element.getAttribute("data-amount-mode") === mode;
        element.hidden = !visible;
        element.querySelectorAll("select").forEach(function (select) { select.disabled = !visible; });
      });
    };

    var refresh = function () {
      var query = new URLSearchParams();
      new FormData(mapping).forEach(function (value, key) {
        if (key !== "csrf_token") { query.append(key, value); }  // never put the token in a URL
      });
      var ticket = ++latest;
      target.setAttribute("aria-busy", "true");
      fetch(url + "?" + query.toString(), { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.text();
        })
        .then(function (html) {
          if (ticket === latest) { target.innerHTML = html; }
        })
        .catch(function () {
          if (ticket !== latest) { return; }
          var note = document.createElement("p");
          note.className = "field-error";
          note.textContent = words.previewFailed || "The preview could not be updated. Continue anyway, or reload the page.";
          target.replaceChildren(note);
        })
        .finally(function () {
          if (ticket === latest) { target.removeAttribute("aria-busy"); }
        });
    };

    mapping.addEventListener("change", function () {
      showAmountMode();
      window.clearTimeout(timer);
      refresh();
    });
    mapping.addEventListener("input", function (event) {
      if (event.target.type === "number") {
        window.clearTimeout(timer);
        timer = window.setTimeout(refresh, 300);
      }
    });
    showAmountMode();
  }

  // --- Progress of a running import ---------------------------------------------------------
  var box = document.querySelector("[data-import-status]");
  var status = box && box.getAttribute("data-import-status");
  if (box && (status === "queued" || status === "running")) {
    var statusUrl = box.getAttribute("data-status-url");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var poll = function () {
      fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (state) {
          if (state.finished) {  // the page itself says how it ended, with the next links
            window.location.reload();
            return;
          }
          if (state.total > 0) {
            bar.max = state.total;
            bar.value = state.done;
            text.textContent = (words.rowsOf || "{done} of {total} rows")
              .replace("{done}", count.format(state.done)).replace("{total}", count.format(state.total));
          }
          window.setTimeout(poll, 700);
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 400);
  }
})();
