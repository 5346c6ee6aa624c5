// Progressive enhancement only: every page reads and works without this script.
// Copy buttons: a button with data-copy="ID" copies the text of element ID to the clipboard.
// Its messages come from data-copied / data-failed, so all strings stay in the i18n catalogue.
// Filters: a <details> rendered open; on a narrow screen the script folds it so results come first.
(function () {
  "use strict";
  document.querySelectorAll("details[data-collapse-below]").forEach(function (details) {
    var query = "(max-width: " + details.getAttribute("data-collapse-below") + ")";
    if (window.matchMedia && window.matchMedia(query).matches) {
      details.open = false;
    }
  });
})();

(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentElement.querySelector(".copy-status");
    if (!source) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          if (status) status.textContent = button.getAttribute("data-copied");
        },
        function () {
          if (status) status.textContent = button.getAttribute("data-failed");
        }
      );
    });
  });
})();
