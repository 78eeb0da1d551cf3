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

// "Already reported" before sending (issue 16.7) is fetched by report-place.js, with the map.
