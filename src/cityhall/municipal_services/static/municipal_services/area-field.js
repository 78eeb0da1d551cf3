// A service form's field answered by drawing an area on the map (area_field.py): Leaflet.draw
// with the mouse or touch, or corners placed at the map's centre from the keyboard (the arrow
// keys pan the map; a cross marks the centre). The drawing is written as a GeoJSON Polygon into
// the field's text box, which the server reads and checks; without JavaScript the outline is
// pasted there. One area per field: a new drawing replaces the old. Texts come from the
// fieldset's data attributes.
(function () {
  "use strict";
  if (!window.cityhallMaps) { return; }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-area-field]"), function (box) {
    var field = box.querySelector("textarea[name='" + box.dataset.areaField + "']");
    var status = box.querySelector("[data-area-status]");
    function say(text) { status.textContent = text; }
    window.cityhallMaps.whenReady(box.dataset.map, function (handle) {
      var L = handle.L;
      var map = handle.map;
      var style = { color: "#083b67", weight: 2, fillColor: "#9cc3e6", fillOpacity: 0.5 };
      var drawn = new L.FeatureGroup().addTo(map);

      function write() {
        var layers = drawn.getLayers();
        if (!layers.length) { field.value = ""; say(box.dataset.textCleared); return; }
        var geometry = layers[layers.length - 1].toGeoJSON().geometry;
        field.value = JSON.stringify({ type: "Polygon", coordinates: geometry.coordinates });
        say(fill(box.dataset.textDrawn, { corners: geometry.coordinates[0].length - 1 }));
      }
      function replace(layer) {
        drawn.clearLayers();
        drawn.addLayer(layer);
        write();
      }

      // What the box already holds (a saved answer) becomes the editable drawing.
      try {
        var saved = field.value.trim() ? JSON.parse(field.value) : null;
        if (saved && saved.type === "Polygon") {
          drawn.addLayer(L.polygon(L.GeoJSON.coordsToLatLngs(saved.coordinates, 1), style));
          map.fitBounds(drawn.getBounds(), { maxZoom: 17 });
        }
      } catch (e) { /* not GeoJSON: the server says so */ }

      if (L.Control.Draw) {
        var local = L.drawLocal;
        local.draw.toolbar.buttons.polygon = box.dataset.labelPolygon;
        local.edit.toolbar.buttons.edit = box.dataset.labelEdit;
        local.edit.toolbar.buttons.remove = box.dataset.labelRemove;
        map.addControl(new L.Control.Draw({
          position: "topleft",
          draw: {
            polygon: { allowIntersection: false, showArea: false, shapeOptions: style },
            polyline: false, rectangle: false, circle: false, marker: false, circlemarker: false
          },
          edit: { featureGroup: drawn }
        }));
        map.on("draw:created", function (event) { replace(event.layer); });
        map.on("draw:edited draw:deleted", write);
      }

      // Keyboard drawing: corners at the centre of the map.
      var corners = [];
      var outline = L.polyline([], { color: "#a4161a", weight: 2, dashArray: "4 4" }).addTo(map);
      var tools = document.createElement("p");
      tools.className = "area-keyboard";
      function button(text, action) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button button-secondary";
        b.textContent = text;
        b.addEventListener("click", action);
        tools.appendChild(b);
        tools.appendChild(document.createTextNode(" "));
      }
      function sayCorners() {
        outline.setLatLngs(corners);
        say(fill(box.dataset.textCorners, { n: corners.length }));
      }
      button(box.dataset.labelCorner, function () { corners.push(map.getCenter()); sayCorners(); });
      button(box.dataset.labelUndo, function () { corners.pop(); sayCorners(); });
      button(box.dataset.labelFinish, function () {
        if (corners.length < 3) { say(box.dataset.textTooFew); return; }
        replace(L.polygon(corners, style));
        corners = [];
        outline.setLatLngs([]);
      });
      button(box.dataset.labelClear, function () {
        drawn.clearLayers();
        corners = [];
        outline.setLatLngs([]);
        write();
      });
      handle.element.parentNode.classList.add("city-map-wrap--crosshair");
      status.parentNode.insertBefore(tools, status);
      Array.prototype.forEach.call(box.querySelectorAll(".js-only"), function (p) { p.hidden = false; });
      field.addEventListener("change", function () {
        // Pasted GeoJSON is drawn too, so what is sent is what the map shows.
        try {
          var typed = JSON.parse(field.value);
          if (typed && typed.type === "Polygon") {
            drawn.clearLayers();
            drawn.addLayer(L.polygon(L.GeoJSON.coordsToLatLngs(typed.coordinates, 1), style));
            map.fitBounds(drawn.getBounds(), { maxZoom: 17 });
          }
        } catch (e) { /* the server says what is wrong */ }
      });
    });
  });
})();
