// A calendar beside every date field (input[data-date-input]). The field is text in the person's
// own format (31.12.2026, 12/31/2026: the server reads it with Babel); the calendar writes that
// format, starts its weeks on the locale's first day (data-first-day, 0 = Monday as Babel counts)
// and names months and weekdays in the page's language (Intl, <html data-locale>). Typing stays
// the first way in; without JavaScript the field is what there is.
(function () {
  "use strict";
  var LOCALE = document.documentElement.getAttribute("data-locale") || "en-US";
  var LANGUAGE = document.documentElement.getAttribute("lang") || "en";
  // Month and weekday names in the page's language, with the locale's region when they agree.
  var NAMES = LANGUAGE === LOCALE.split("-")[0] ? LOCALE : LANGUAGE;
  var words = JSON.parse((document.getElementById("ui-words") || {}).textContent || "{}");
  var SVG = "http://www.w3.org/2000/svg";
  var openPicker = null;

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) { text = "0" + text; }
    return text;
  }

  // The CLDR pattern the server sent (dd.MM.yyyy, M/d/yyyy, yyyy-MM-dd): only d, M and y occur.
  function format(date, pattern) {
    return pattern.replace(/d+|M+|y+/g, function (token) {
      if (token.charAt(0) === "d") { return token.length > 1 ? pad(date.getDate(), 2) : String(date.getDate()); }
      if (token.charAt(0) === "M") { return token.length > 1 ? pad(date.getMonth() + 1, 2) : String(date.getMonth() + 1); }
      return pad(date.getFullYear(), 4);
    });
  }

  function parse(text, pattern) {
    var iso = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text);
    var parts = iso ? iso.slice(1) : (text.match(/\d+/g) || []);
    var order = iso ? ["y", "M", "d"] : (pattern.match(/d+|M+|y+/g) || []).map(function (t) { return t.charAt(0); });
    if (parts.length !== 3 || order.length !== 3) { return null; }
    var value = {};
    order.forEach(function (key, index) { value[key] = parseInt(parts[index], 10); });
    if (value.y < 100) { value.y += 2000; }
    var date = new Date(value.y, value.M - 1, value.d);
    return date.getMonth() === value.M - 1 && date.getDate() === value.d ? date : null;
  }

  function sameDay(a, b) {
    return a && b && a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  function icon() {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    [["rect", { x: 3, y: 5, width: 18, height: 16, rx: 2 }], ["path", { d: "M3 10h18M8 3v4M16 3v4" }]]
      .forEach(function (shape) {
        var element = document.createElementNS(SVG, shape[0]);
        Object.keys(shape[1]).forEach(function (name) { element.setAttribute(name, shape[1][name]); });
        svg.appendChild(element);
      });
    return svg;
  }

  function close() {
    if (!openPicker) { return; }
    openPicker.panel.hidden = true;
    openPicker.button.setAttribute("aria-expanded", "false");
    openPicker = null;
  }

  function enhance(input) {
    var pattern = input.getAttribute("data-date-input");
    // Babel counts Monday as 0, JavaScript's getDay() Sunday as 0.
    var firstDay = (parseInt(input.getAttribute("data-first-day") || "0", 10) + 1) % 7;
    var group = document.createElement("div");
    group.className = "date-field";
    input.parentNode.insertBefore(group, input);
    group.appendChild(input);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "date-picker-toggle secondary outline";
    button.setAttribute("aria-label", words.chooseDate || "Choose a date");
    button.setAttribute("aria-expanded", "false");
    button.appendChild(icon());
    group.appendChild(button);
    var panel = document.createElement("div");
    panel.className = "date-picker";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", words.chooseDate || "Choose a date");
    panel.hidden = true;
    group.appendChild(panel);
    var shown = null;  // the first of the month on show
    var focused = null;  // the day the arrow keys move

    var monthName = new Intl.DateTimeFormat(NAMES, { month: "long", year: "numeric" });
    var weekdayName = new Intl.DateTimeFormat(NAMES, { weekday: "short" });
    var dayName = new Intl.DateTimeFormat(NAMES, { dateStyle: "full" });

    function pick(date) {
      input.value = format(date, pattern);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      close();
      input.focus();
    }

    function render() {
      panel.replaceChildren();
      var head = document.createElement("div");
      head.className = "date-picker-head";
      var previous = document.createElement("button");
      previous.type = "button";
      previous.className = "secondary outline small";
      previous.textContent = "‹";
      previous.setAttribute("aria-label", words.previousMonth || "Previous month");
      previous.setAttribute("data-step", "-1");
      var next = previous.cloneNode(false);
      next.textContent = "›";
      next.setAttribute("aria-label", words.nextMonth || "Next month");
      next.setAttribute("data-step", "1");
      var title = document.createElement("strong");
      title.setAttribute("aria-live", "polite");
      title.textContent = monthName.format(shown);
      head.append(previous, title, next);
      panel.appendChild(head);

      var table = document.createElement("table");
      table.setAttribute("role", "grid");
      var row = document.createElement("tr");
      for (var column = 0; column < 7; column++) {
        var weekday = new Date(2024, 0, 7 + ((firstDay + column) % 7));  // 7 January 2024: a Sunday
        var cell = document.createElement("th");
        cell.scope = "col";
        cell.textContent = weekdayName.format(weekday);
        row.appendChild(cell);
      }
      var headRow = document.createElement("thead");
      headRow.appendChild(row);
      table.appendChild(headRow);
      var body = document.createElement("tbody");
      var start = new Date(shown.getFullYear(), shown.getMonth(), 1 - ((shown.getDay() - firstDay + 7) % 7));
      var chosen = parse(input.value, pattern);
      var today = new Date();
      for (var week = 0; week < 6; week++) {
        row = document.createElement("tr");
        for (var day = 0; day < 7; day++) {
          var date = new Date(start.getFullYear(), start.getMonth(), start.getDate() + week * 7 + day);
          var td = document.createElement("td");
          var choice = document.createElement("button");
          choice.type = "button";
          choice.textContent = String(date.getDate());
          choice.setAttribute("aria-label", dayName.format(date));
          choice.setAttribute("data-date", format(date, "yyyy-MM-dd"));
          choice.tabIndex = sameDay(date, focused) ? 0 : -1;
          if (date.getMonth() !== shown.getMonth()) { choice.className = "other-month"; }
          if (sameDay(date, chosen)) { choice.setAttribute("aria-pressed", "true"); }
          if (sameDay(date, today)) { choice.setAttribute("aria-current", "date"); }
          td.appendChild(choice);
          row.appendChild(td);
        }
        body.appendChild(row);
      }
      table.appendChild(body);
      panel.appendChild(table);
    }

    function show(date, keepFocus) {
      focused = date;
      shown = new Date(date.getFullYear(), date.getMonth(), 1);
      render();
      if (!keepFocus) {
        var current = panel.querySelector('button[tabindex="0"]');
        if (current) { current.focus(); }
      }
    }

    button.addEventListener("click", function () {
      if (openPicker && openPicker.panel === panel) { close(); return; }
      close();
      panel.hidden = false;
      button.setAttribute("aria-expanded", "true");
      openPicker = { panel: panel, button: button };
      show(parse(input.value, pattern) || new Date());
    });

    panel.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target) { return; }
      var step = target.getAttribute("data-step");
      if (step) {
        show(new Date(shown.getFullYear(), shown.getMonth() + parseInt(step, 10), 1), true);
        return;
      }
      var parts = target.getAttribute("data-date").split("-");
      pick(new Date(parseInt(parts[0], 10), parseInt(parts[1], 10) - 1, parseInt(parts[2], 10)));
    });

    panel.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
      if (event.key === "Escape") {
        event.preventDefault();
        close();
        button.focus();
      } else if (moves[event.key] && event.target.getAttribute("data-date")) {
        event.preventDefault();
        show(new Date(focused.getFullYear(), focused.getMonth(), focused.getDate() + moves[event.key]));
      } else if (event.key === "PageUp" || event.key === "PageDown") {
        event.preventDefault();
        show(new Date(focused.getFullYear(), focused.getMonth() + (event.key === "PageUp" ? -1 : 1), focused.getDate()));
      }
    });
  }

  document.querySelectorAll("input[data-date-input]").forEach(enhance);
  document.addEventListener("mousedown", function (event) {
    if (openPicker && !openPicker.panel.parentNode.contains(event.target)) { close(); }
  });
})();
