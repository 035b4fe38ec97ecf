// A file over the upload limit is refused before it is sent, instead of after a long upload.
// The server refuses it anyway (413, with the same message on the form).
(function () {
  "use strict";
  document.querySelectorAll("form[data-max-bytes]").forEach(function (form) {
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    var input = form.querySelector('input[type="file"]');
    if (!input || !max) { return; }
    var message = document.createElement("small");
    message.className = "field-error";
    message.hidden = true;
    var words = JSON.parse((document.getElementById("ui-words") || {}).textContent || "{}");
    message.textContent = words.fileTooLarge || "This file is larger than the limit: choose a smaller one.";
    input.insertAdjacentElement("afterend", message);
    function tooLarge() {
      var file = input.files && input.files[0];
      return Boolean(file && file.size > max);
    }
    input.addEventListener("change", function () { message.hidden = !tooLarge(); });
    form.addEventListener("submit", function (event) {
      if (tooLarge()) {
        event.preventDefault();
        message.hidden = false;
        input.focus();
      }
    });
  });
})();
