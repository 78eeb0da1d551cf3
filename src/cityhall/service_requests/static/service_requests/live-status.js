// Live status on a request's page: every 30 s ask the server for the current status and, when
// it changed, update the text (announced politely to screen readers) and offer a reload.
// Without JavaScript the page simply shows the status as of loading.
(function () {
  "use strict";
  var target = document.getElementById("live-status");
  if (!target || !target.dataset.url || !window.fetch) { return; }
  var version = target.dataset.version;
  var note = document.getElementById("live-reload-note");
  function check() {
    fetch(target.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || String(data.version) === String(version)) { return; }
        version = data.version;
        target.textContent = data.status_display;
        if (note) {
          note.hidden = false;
          note.classList.remove("visually-hidden");
          target.parentNode.appendChild(note);
        }
      })
      .catch(function () { /* offline: try again next time */ });
  }
  window.setInterval(check, 30000);
})();
