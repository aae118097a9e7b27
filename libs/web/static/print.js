// Wires every [data-print] button to the browser's print dialog. A file, not an inline onclick:
// the pages' CSP (script-src 'self') blocks inline handlers, which left "In phiếu" dead.
(function () {
  "use strict";
  function wire() {
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
