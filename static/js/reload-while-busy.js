/*
 * Reloads the page every few seconds while something on it is still being made (an element
 * marked data-busy), instead of a <meta http-equiv="refresh">, which screen readers and axe
 * flag: the reload waits while the reader is typing in a form or has focus in one, and stops
 * once nothing is busy.
 */
(function () {
  "use strict";
  if (!document.querySelector("[data-busy]")) { return; }
  function reloadWhenIdle() {
    var active = document.activeElement;
    var typing = active && active.closest && active.closest("form");
    if (typing) {
      window.setTimeout(reloadWhenIdle, 3000);
      return;
    }
    window.location.reload();
  }
  window.setTimeout(reloadWhenIdle, 3000);
})();
