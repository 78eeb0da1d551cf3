// The request form's category questions revealed in place: choosing a category shows its
// questions (and hides and disables the others, so they are not sent). Without JavaScript the
// "Show the questions" button sends the form back with the chosen category's questions.
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  if (!select) { return; }
  var sets = document.querySelectorAll("fieldset[data-category]");
  var step = document.querySelector(".questions-step");
  if (step) { step.remove(); }  // not the default button of the form any more
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
