// The transaction form without clutter: show the fields the chosen kind needs, ask for the
// amount received only when a transfer crosses currencies, and add split rows in place.
// Without JavaScript every field shows and "+ Add a line" asks the server for another row.
(function () {
  "use strict";
  var form = document.querySelector("[data-transaction-form]");
  if (!form) { return; }
  var account = form.querySelector("#account_id");
  var toAccount = form.querySelector("#to_account_id");

  function currencyOf(select) {
    var option = select && select.options[select.selectedIndex];
    return option ? option.getAttribute("data-currency") : null;
  }

  // Hidden fields are disabled too, so that they are not sent: a category left selected
  // before switching to "transfer" must not make the transfer invalid.
  function show(element, visible) {
    element.hidden = !visible;
    element.querySelectorAll("input, select, textarea, button").forEach(function (input) {
      input.disabled = !visible;
    });
  }

  function update() {
    var checked = form.querySelector('input[name="kind"]:checked');
    var kind = checked ? checked.value : "expense";
    form.querySelectorAll("[data-kind-only]").forEach(function (element) {
      show(element, element.getAttribute("data-kind-only").split(" ").indexOf(kind) >= 0);
    });
    var received = form.querySelector("[data-cross-currency]");
    if (received && kind === "transfer") {
      var from = currencyOf(account), to = currencyOf(toAccount);
      var hasError = received.querySelector(".field-error") !== null;
      show(received, hasError || Boolean(from && to && from !== to));
    }
  }

  form.addEventListener("change", update);
  update();

  var addLine = form.querySelector("[data-add-split-line]");
  var rows = form.querySelector("[data-split-rows]");
  if (!addLine || !rows) { return; }
  addLine.addEventListener("click", function (event) {
    event.preventDefault();
    var existing = rows.querySelectorAll("[data-split-row]");
    var next = 0;
    existing.forEach(function (row) {
      var match = /^splits-(\d+)-/.exec(row.querySelector("input, select").name);
      if (match) { next = Math.max(next, parseInt(match[1], 10) + 1); }
    });
    var copy = existing[existing.length - 1].cloneNode(true);
    copy.querySelectorAll(".field-error").forEach(function (error) { error.remove(); });
    copy.querySelectorAll("input, select").forEach(function (input) {
      input.name = input.name.replace(/^splits-\d+-/, "splits-" + next + "-");
      input.id = input.id.replace(/^splits-\d+-/, "splits-" + next + "-");
      input.removeAttribute("aria-invalid");
      var label = input.getAttribute("aria-label");
      if (label) { input.setAttribute("aria-label", label.replace(/\d+$/, String(existing.length + 1))); }
      if (input.tagName === "SELECT") { input.selectedIndex = 0; } else { input.value = ""; }
    });
    rows.appendChild(copy);
    copy.querySelector("select").focus();
  });
})();
