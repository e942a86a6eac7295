/* Gonghui: small enhancements only; every page works without this file. */
(function () {
  "use strict";
  // Ask once before a destructive or irreversible action: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
