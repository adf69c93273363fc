/* Kinerja: small progressive enhancements. Everything works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // "Print report" buttons (no inline handlers: the Content-Security-Policy forbids them).
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("[data-print]")) {
      window.print();
    }
  });

  // A printed report shows each recommendation's explanation; restore the screen afterwards.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details[data-print-open]:not([open])").forEach(function (el) {
      el.open = true;
      openedForPrint.push(el);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (el) { el.open = false; });
    openedForPrint = [];
  });

  // After a failed submission, move focus to the list of errors so it is read out first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
