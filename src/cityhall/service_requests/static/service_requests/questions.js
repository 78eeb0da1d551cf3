// The request form's category questions revealed in place: choosing a category shows its
// questions (and hides and disables the others, so they are not sent). Without JavaScript the
// "Show the questions" button sends the form back with the chosen category's questions.
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  if (!select) { return; }
  var sets = document.querySelectorAll("fieldset[data-category]");
  var steps = document.querySelectorAll(".questions-step");
  for (var k = 0; k < steps.length; k++) { steps[k].remove(); }  // not the form's default button
  function reveal() {
    for (var i = 0; i < sets.length; i++) {
      var chosen = sets[i].dataset.category === select.value;
      sets[i].hidden = !chosen;
      sets[i].disabled = !chosen;
    }
  }
  select.addEventListener("change", reveal);
  reveal();
})();

// "Already reported in this building" (issue 16.7): as the category and the address are
// chosen, the open requests of that category in that building are fetched and listed before
// the resident sends the form. Without JavaScript the form's step shows the same list.
(function () {
  "use strict";
  var box = document.getElementById("earlier-reports");
  var category = document.getElementById("id_category");
  var address = document.getElementById("id_address");
  if (!box || !category || !address || !window.fetch) { return; }
  var list = box.querySelector("ul");
  var asked = "";
  function building() {
    var chosen = document.querySelector("input[name=building]:checked, input[name=building][type=hidden]");
    return chosen ? chosen.value : "";
  }
  function check() {
    var params = new URLSearchParams({ category: category.value, address: address.value, building: building() });
    var query = params.toString();
    if (query === asked) { return; }
    asked = query;
    if (!category.value || !(address.value.trim() || building())) {
      box.hidden = true;
      return;
    }
    fetch(box.dataset.url + "?" + query, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (data) {
        if (query !== asked) { return; }  // an older answer
        list.textContent = "";
        data.items.forEach(function (item) {
          var li = document.createElement("li");
          var link = document.createElement("a");
          link.href = item.url;
          link.textContent = item.number;
          li.appendChild(link);
          li.appendChild(document.createTextNode(
            " — " + item.category + ", " + item.status + " (" + item.submitted + ")"));
          list.appendChild(li);
        });
        box.hidden = data.items.length === 0;
      })
      .catch(function () { /* the form still works; the step shows the list after sending */ });
  }
  category.addEventListener("change", check);
  address.addEventListener("change", check);
  address.addEventListener("blur", check);
})();
