/* The organiser's territory page: the territory drawn on the map with geo's drawing module
   (geo/map-drawing.js: the mouse, or the keyboard's corners at the centre of the map), several
   areas and rectangles allowed, written as GeoJSON into the form's text field, which the server
   reads; without JavaScript the field, the district, suburb and building choices and the file
   upload do the same. Messages come from the box's data attributes. */
(function () {
  "use strict";

  var box = document.querySelector("[data-draw-map]");
  if (!box || !window.cityhallDrawing) return;
  window.cityhallDrawing.attach(box, {
    map: box.getAttribute("data-draw-map"),
    status: document.getElementById("territory-draw-status"),
    area: document.getElementById(box.getAttribute("data-draw-field")),
    shapes: ["polygon", "rectangle"],
    several: true,
    editable: true
  });
})();
