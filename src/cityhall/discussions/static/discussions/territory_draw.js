/* The organiser's territory page: draw the territory on the interactive map (geo/map.js with
   Leaflet.draw), with the mouse or with the keyboard (pan the map with the arrow keys, then
   "Add a corner at the centre of the map"). The drawing is written as GeoJSON into the form's
   text field, which the server reads; without JavaScript the field, the district, suburb and
   building choices and the file upload do the same. Messages come from data attributes. */
(function () {
  "use strict";

  var wrap = document.querySelector("[data-draw-map]");
  if (!wrap || !window.cityhallMaps || !window.cityhallDrawing) return;
  var field = document.getElementById(wrap.getAttribute("data-draw-field"));
  var status = document.getElementById("territory-draw-status");
  function label(name) { return wrap.getAttribute("data-label-" + name) || ""; }
  function say(text) { if (status) status.textContent = text; }

  window.cityhallMaps.whenReady(wrap.getAttribute("data-draw-map"), function (handle) {
    var L = handle.L;
    var map = handle.map;
    var drawn = new L.FeatureGroup().addTo(map);
    var style = { color: "#083b67", weight: 2, fillColor: "#9cc3e6", fillOpacity: 0.5 };

    function polygons(geometry) {
      if (!geometry) return [];
      if (geometry.type === "Polygon") return [geometry.coordinates];
      if (geometry.type === "MultiPolygon") return geometry.coordinates;
      if (geometry.type === "Feature") return polygons(geometry.geometry);
      return [];
    }

    function write() {
      var all = [];
      drawn.eachLayer(function (layer) {
        all = all.concat(polygons(layer.toGeoJSON().geometry));
      });
      if (!all.length) {
        field.value = "";
        say(label("cleared"));
      } else {
        field.value = JSON.stringify(all.length === 1
          ? { type: "Polygon", coordinates: all[0] }
          : { type: "MultiPolygon", coordinates: all });
        say(label("drawn").replace("{n}", String(all.length)));
      }
    }

    /* What the field already holds (the current territory) becomes the editable drawing. */
    try {
      if (field.value.trim()) {
        polygons(JSON.parse(field.value)).forEach(function (rings) {
          drawn.addLayer(L.geoJSON({ type: "Polygon", coordinates: rings }, { style: style })
            .getLayers()[0]);
        });
        if (drawn.getLayers().length) map.fitBounds(drawn.getBounds(), { maxZoom: 16 });
      }
    } catch (e) { /* not GeoJSON: the server says so on saving */ }

    if (window.cityhallDrawing.addTools(L, map, label, style, drawn)) {
      map.on("draw:created", function (event) { drawn.addLayer(event.layer); write(); });
      map.on("draw:edited draw:deleted", write);
    }

    /* Keyboard drawing: corners at the centre of the map (a cross marks it). */
    var corners = [];
    var outline = L.polyline([], { color: "#a4161a", weight: 2, dashArray: "4 4" }).addTo(map);
    var tools = window.cityhallDrawing.buttonRow("territory-keyboard");
    var button = tools.add;
    function sayCorners() {
      outline.setLatLngs(corners);
      say(label("corners").replace("{n}", String(corners.length)));
    }
    button(label("corner"), function () { corners.push(map.getCenter()); sayCorners(); });
    button(label("undo"), function () { corners.pop(); sayCorners(); });
    button(label("finish"), function () {
      if (corners.length < 3) { say(label("too-few")); return; }
      drawn.addLayer(L.polygon(corners, style));
      corners = [];
      outline.setLatLngs([]);
      write();
    });
    button(label("clear"), function () {
      drawn.clearLayers();
      corners = [];
      outline.setLatLngs([]);
      write();
    });
    wrap.classList.add("territory-draw-ready");
    Array.prototype.forEach.call(wrap.querySelectorAll(".js-only"), function (p) { p.hidden = false; });
    wrap.insertBefore(tools.element, status);
  });
})();
