// Similar proposals as the author types (issue 20.13). Without JavaScript the form's
// "Check for similar proposals" button does the same in a step of its own.
(function () {
  "use strict";
  var form = document.getElementById("proposal-form");
  var box = document.getElementById("similar");
  if (!form || !box || !window.fetch) { return; }
  var text = form.querySelector("textarea[name=text]");
  var list = box.querySelector("ul");
  if (!text || !list) { return; }
  var timer = null;
  var asked = "";

  function show(items) {
    list.textContent = "";
    if (!items.length) {
      var none = document.createElement("li");
      none.textContent = form.dataset.empty;
      list.appendChild(none);
    }
    items.forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = form.dataset.proposalBase + item.number + "/";
      link.textContent = "№ " + item.number;
      li.appendChild(link);
      li.appendChild(document.createTextNode(": " + item.excerpt.slice(0, 200)));
      list.appendChild(li);
    });
    box.hidden = false;
  }

  function ask() {
    var value = text.value.trim();
    if (value.length < 15 || value === asked) { return; }
    asked = value;
    fetch(form.dataset.similarUrl + "?text=" + encodeURIComponent(value.slice(0, 2000)), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && value === asked) { show(data.items); }
    }).catch(function () { /* suggestions are a help, never a condition */ });
  }

  text.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 700);
  });
})();
