// A service form's field answered by drawing an area on the map (area_field.py) with geo's
// drawing module (geo/map-drawing.js): Leaflet.draw's polygon tool with the mouse or touch, or
// corners placed at the map's centre from the keyboard. The drawing is written as a GeoJSON
// Polygon into the field's text box, which the server reads and checks; without JavaScript the
// outline is pasted there (and, with it, a pasted outline is drawn). One area per field: a new
// drawing replaces the old. Texts come from the fieldset's data attributes.
(function () {
  "use strict";
  if (!window.cityhallDrawing) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-area-field]"), function (box) {
    window.cityhallDrawing.attach(box, {
      map: box.dataset.map,
      status: box.querySelector("[data-area-status]"),
      area: box.querySelector("textarea[name='" + box.dataset.areaField + "']"),
      shapes: ["polygon"],
      editable: true,
      redrawTyped: true,
      zoom: 17
    });
  });
})();
