// The transaction form without clutter: show the fields the chosen kind needs, ask for the
// amount received only when a transfer crosses currencies, add split rows in place, and
// suggest payees and their category. Without JavaScript every field shows, "+ Add a line" asks
// the server for another row, and rules still fill in the category when the form is saved.
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

  // Payees from the person's own history as they type ("Li" offers "Lidl", in the datalist the
  // browser shows under the field), then the category that payee likely takes: their rule's, or
  // the one used last time. Filled in only while the person has not chosen a category.
  var payee = form.querySelector("#payee");
  var suggestions = document.getElementById("payee-suggestions");
  var category = form.querySelector("#category_id");
  var note = form.querySelector("[data-category-note]");
  var payeesUrl = form.getAttribute("data-payees-url");
  var categoryUrl = form.getAttribute("data-category-url");
  if (payee && suggestions && payeesUrl) {
    var asked = 0;
    var timer = null;
    var chosenByPerson = Boolean(category && category.value);
    if (category) {
      category.addEventListener("change", function (event) {
        if (event.isTrusted) { chosenByPerson = true; if (note) { note.hidden = true; } }
      });
    }
    var getJson = function (url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        });
    };
    var offer = function () {
      var text = payee.value.trim();
      var ticket = ++asked;
      if (!text) { suggestions.replaceChildren(); return; }
      getJson(payeesUrl + "?q=" + encodeURIComponent(text)).then(function (answer) {
        if (ticket !== asked) { return; }
        suggestions.replaceChildren.apply(suggestions, answer.payees.map(function (found) {
          var option = document.createElement("option");
          option.value = found.payee;
          return option;
        }));
      }).catch(function () { /* no suggestions: typing goes on as before */ });
    };
    var fillCategory = function () {
      if (!category || !categoryUrl || chosenByPerson || category.disabled) { return; }
      var text = payee.value.trim();
      if (!text) { return; }
      var query = new URLSearchParams({ payee: text });
      var account = form.querySelector("#account_id");
      var amount = form.querySelector("#amount");
      if (account && account.value) { query.set("account_id", account.value); }
      if (amount && amount.value) { query.set("amount", amount.value); }
      getJson(categoryUrl + "?" + query.toString()).then(function (answer) {
        if (chosenByPerson || answer.category_id === null || answer.category_id === undefined) { return; }
        var value = String(answer.category_id);
        if (!category.querySelector('option[value="' + value + '"]')) { return; }
        category.value = value;
        if (note) { note.textContent = answer.note; note.hidden = false; }
      }).catch(function () { /* the person picks the category themselves */ });
    };
    payee.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(offer, 150);
    });
    payee.addEventListener("change", fillCategory);
  }

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
