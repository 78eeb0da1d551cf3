/* The proposal form's place: a point or an area on the map with geo's drawing module
   (geo/map-drawing.js), written into the form's hidden fields lat/lon or area (GeoJSON
   Polygon). A click puts the point; the drawing tools draw an area; with the keyboard the
   buttons put the point or the corners at the centre of the map. A place outside the
   discussion's territory (the map's outlined shape) is said next to the map and changes nothing
   in the form; the server checks the same on submitting. A place and a typed address exclude
   each other; without JavaScript the address field does it. Messages come from data attributes. */
(function () {
  "use strict";

  var box = document.querySelector("[data-place-map]");
  if (!box || !window.cityhallDrawing) return;
  function byData(name) { return document.getElementById(box.getAttribute("data-" + name)); }
  var address = byData("address");
  window.cityhallDrawing.attach(box, {
    map: box.getAttribute("data-place-map"),
    status: document.getElementById("proposal-place-status"),
    area: byData("area"),
    lat: byData("lat"),
    lon: byData("lon"),
    shapes: ["point", "polygon", "rectangle"],
    insideShape: true,
    style: { color: "#7a5200", weight: 2, fillColor: "#f2c14e", fillOpacity: 0.55 },
    onPlace: function () { if (address) address.value = ""; },
    ready: function (drawing) {
      if (!address) return;
      address.addEventListener("input", function () {
        if (address.value.trim()) drawing.forget();
      });
    }
  });
})();
