/*
 * Keeps an analysis run's progress bar up to date without reloading the page: polls the run's
 * progress.json every 1.5 s while it is queued or running, updates the bar and the status text
 * (in an aria-live region, so screen readers hear the change), and reloads once when it ends.
 */
(function () {
  "use strict";
  var box = document.querySelector("[data-run-progress]");
  if (!box) { return; }
  var url = box.getAttribute("data-run-progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-run-step]");
  var status = document.querySelector("[data-run-status]");

  function update(state) {
    bar.value = state.progress;
    bar.textContent = state.progress + "%";
    text.textContent = state.progress + "% – " + (state.step || "waiting for a worker");
    if (status) { status.textContent = state.status_label; }
    if (state.finished) {
      window.location.reload();
      return;
    }
    window.setTimeout(poll, 1500);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(update)
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1500);
})();
