// The service designer without a round trip: "Insert" puts the chosen field at the cursor of
// the text in the chosen language (the server does the same without JavaScript, at the end).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-designer-insert]");
  if (!button) return;
  const form = button.form;
  const value = form.elements.insert.value;
  const box = form.elements[`body_${form.elements.insert_language.value || "ru"}`];
  if (!value || !box) return;
  event.preventDefault();
  const at = box.selectionStart ?? box.value.length;
  box.value = box.value.slice(0, at) + value + box.value.slice(box.selectionEnd ?? at);
  box.focus();
  box.selectionStart = box.selectionEnd = at + value.length;
});
