/* foyer: a "Print" button for pages that have one (the printable ticket).
   The button stays hidden without JavaScript, where the browser's own
   print command does the same. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
