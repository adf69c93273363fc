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

  // The assessment form: "all sources" fills the three source ratings; a warning before
  // leaving with unsaved entries; the draft kept across a language switch (sessionStorage).
  var form = document.getElementById("assessment-form");
  if (form) {
    var draftKey = "kinerja-draft:" + window.location.pathname;
    var dirty = false;
    var fields = function () {
      return Array.prototype.slice.call(form.elements).filter(function (el) {
        return el.name && el.name !== "csrf_token" && el.type !== "submit";
      });
    };
    var saved = window.sessionStorage && window.sessionStorage.getItem(draftKey);
    if (saved) {
      window.sessionStorage.removeItem(draftKey);
      try {
        var values = JSON.parse(saved);
        fields().forEach(function (el) {
          if (!(el.name in values)) { return; }
          if (el.type === "checkbox") {
            el.checked = values[el.name].indexOf(el.value) !== -1;
          } else {
            el.value = values[el.name][0];
          }
        });
        dirty = true;
      } catch (ignored) { /* a damaged draft is dropped */ }
    }
    form.addEventListener("change", function (event) {
      dirty = true;
      var select = event.target;
      if (select instanceof HTMLSelectElement && select.classList.contains("rating-all") &&
          select.value) {
        var fieldset = select.closest("fieldset");
        fieldset.querySelectorAll("select.rating-select").forEach(function (other) {
          if (other === select) { return; }
          other.value = /-combined$/.test(other.name) ? "" : select.value;
        });
      }
    });
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = form.getAttribute("data-unsaved-warning") || "";
      }
    });
    document.querySelectorAll(".lang-switch").forEach(function (switcher) {
      switcher.addEventListener("submit", function () {
        if (dirty && window.sessionStorage) {
          var values = {};
          fields().forEach(function (el) {
            values[el.name] = values[el.name] || [];
            if (el.type !== "checkbox" || el.checked) { values[el.name].push(el.value); }
          });
          window.sessionStorage.setItem(draftKey, JSON.stringify(values));
        }
        dirty = false;  // the draft is kept: no warning for the switch itself
      });
    });
  }

  // After a failed submission, move focus to the list of errors so it is read out first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
