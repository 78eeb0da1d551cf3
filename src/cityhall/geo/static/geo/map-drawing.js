/* Drawing a place on the interactive map (geo/map.js): one module for every form that asks for
 * an area or a point (a discussion's territory, a proposal's place, a service form's "area"
 * field). With the mouse or touch, Leaflet.draw's tools draw an area (and edit or delete it
 * where the page allows); with the keyboard, the arrow keys pan the map and buttons below it put
 * the point or an area's corners at the centre of the map, which a cross marks. What is drawn
 * is written into the form's own fields, which the server reads and checks: GeoJSON (a Polygon,
 * or a MultiPolygon where several areas are allowed) or a point's latitude and longitude.
 * Without JavaScript those fields (a GeoJSON text box, an address) are the answer and nothing
 * here runs. No text is written here: every message and button name comes from the page, in
 * the reader's language, as the drawing box's ``data-label-NAME`` attributes:
 *
 *   polygon, rectangle, edit, remove   Leaflet.draw's buttons (those the page uses)
 *   point, corner, undo, finish, clear the keyboard buttons ("point" only where a point is allowed)
 *   corners {n}, too-few, drawn {n}, chosen {place}, cleared, outside   the live region's messages
 *
 * (``{n}`` or ``%(n)s``; ``drawn`` is given the number of areas where several are allowed,
 * else the area's corners, also as ``corners``). A page script configures one box with
 *
 *   window.cityhallDrawing.attach(box, {
 *     map: "map-id",            // the web_map's id (draw=True serves Leaflet.draw and this file)
 *     status: element,          // the live region (role=status) the messages go to
 *     area: element,            // the field GeoJSON is written to ("" when nothing is drawn)
 *     lat: element, lon: element,   // with "point": the point's fields
 *     shapes: ["polygon", "rectangle", "point"],   // what may be drawn
 *     several: false,           // several areas at once (a MultiPolygon) instead of one
 *     editable: false,          // Leaflet.draw's edit and delete tools
 *     insideShape: false,       // refuse a place outside the map's first shape (a territory)
 *     redrawTyped: false,       // GeoJSON typed or pasted into ``area`` is drawn on change
 *     style: {...}, zoom: 16,   // the drawing's look; the closest zoom when showing it
 *     onPlace: function () {},  // after a place is put into the fields
 *     ready: function (drawing) {}  // drawing.forget(): the place off the map and the fields
 *   });
 */
(function () {
  "use strict";

  var AREA_STYLE = { color: "#083b67", weight: 2, fillColor: "#9cc3e6", fillOpacity: 0.5 };
  var OUTLINE_STYLE = { color: "#a4161a", weight: 2, dashArray: "4 4", interactive: false };

  function fill(template, values) {
    return template.replace(/\{(\w+)\}|%\((\w+)\)s/g, function (whole, brace, percent) {
      var key = brace || percent;
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }

  /* The polygons (each a list of rings) of a Polygon, MultiPolygon or Feature holding one. */
  function polygons(geometry) {
    if (!geometry) return [];
    if (geometry.type === "Polygon") return [geometry.coordinates];
    if (geometry.type === "MultiPolygon") return geometry.coordinates;
    if (geometry.type === "Feature") return polygons(geometry.geometry);
    return [];
  }

  /* Inside a Polygon or MultiPolygon: ray casting over every ring, holes excluded. */
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function covers(geometry, lon, lat) {
    if (!geometry) return true;
    return polygons(geometry).some(function (rings) {
      if (!inRing(lon, lat, rings[0])) return false;
      for (var k = 1; k < rings.length; k++) { if (inRing(lon, lat, rings[k])) return false; }
      return true;
    });
  }

  function keyboardRow() {
    var row = document.createElement("p");
    row.className = "city-map-keys";
    return {
      element: row,
      add: function (text, action) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "button button-secondary";
        b.textContent = text;
        b.addEventListener("click", action);
        row.appendChild(b);
        row.appendChild(document.createTextNode(" "));
      }
    };
  }

  function attach(box, options) {
    if (!window.cityhallMaps) return;
    var o = options;
    var shapes = o.shapes || ["polygon"];
    function allows(shape) { return shapes.indexOf(shape) >= 0; }
    function label(name) { return box.getAttribute("data-label-" + name) || ""; }
    function say(text) { if (o.status) o.status.textContent = text; }

    window.cityhallMaps.whenReady(o.map, function (handle) {
      var L = handle.L;
      var map = handle.map;
      var style = o.style || AREA_STYLE;
      var zoom = o.zoom || 16;
      var within = o.insideShape && handle.config.shapes.length
        ? handle.config.shapes[0].geometry : null;
      var drawn = new L.FeatureGroup().addTo(map);

      function pin(latlng) {
        return L.marker(latlng, {
          icon: L.divIcon({ className: "city-map-pin city-map-pin--picked", iconSize: [22, 22] }),
          keyboard: false, interactive: false
        });
      }
      function emptyFields() {
        if (o.area) o.area.value = "";
        if (o.lat) o.lat.value = "";
        if (o.lon) o.lon.value = "";
      }

      /* The fields say what the map shows; the live region says it too. */
      function write() {
        var layers = drawn.getLayers();
        emptyFields();
        if (!layers.length) { say(label("cleared")); return; }
        if (o.several) {
          var all = [];
          layers.forEach(function (layer) {
            all = all.concat(polygons(layer.toGeoJSON().geometry));
          });
          o.area.value = JSON.stringify(all.length === 1
            ? { type: "Polygon", coordinates: all[0] }
            : { type: "MultiPolygon", coordinates: all });
          say(fill(label("drawn"), { n: all.length }));
        } else if (layers[layers.length - 1] instanceof L.Marker) {
          var at = layers[layers.length - 1].getLatLng();
          o.lat.value = at.lat.toFixed(6);
          o.lon.value = at.lng.toFixed(6);
          say(fill(label("chosen"), { place: at.lat.toFixed(5) + ", " + at.lng.toFixed(5) }));
        } else {
          var rings = layers[layers.length - 1].toGeoJSON().geometry.coordinates;
          o.area.value = JSON.stringify({ type: "Polygon", coordinates: rings });
          say(fill(label("drawn"), { n: rings[0].length - 1, corners: rings[0].length - 1 }));
        }
        if (o.onPlace) o.onPlace();
      }

      function putArea(layer) {
        var outside = layer.toGeoJSON().geometry.coordinates[0].some(function (c) {
          return !covers(within, c[0], c[1]);
        });
        if (outside) { say(label("outside")); return; }
        if (!o.several) drawn.clearLayers();
        if (layer.setStyle) layer.setStyle(style);
        drawn.addLayer(layer);
        write();
      }

      function putPoint(latlng) {
        if (!covers(within, latlng.lng, latlng.lat)) { say(label("outside")); return; }
        drawn.clearLayers();
        drawn.addLayer(pin(latlng));
        write();
      }

      /* GeoJSON in the field (a saved answer, or typed) becomes the editable drawing. */
      function show(text) {
        var geometry;
        try {
          geometry = text.trim() ? JSON.parse(text) : null;
        } catch (e) { return; /* not GeoJSON: the server says so on saving */ }
        var found = polygons(geometry);
        if (!found.length || (!o.several && geometry.type !== "Polygon")) return;
        drawn.clearLayers();
        found.forEach(function (rings) {
          drawn.addLayer(L.polygon(L.GeoJSON.coordsToLatLngs(rings, 1), style));
        });
        map.fitBounds(drawn.getBounds(), { maxZoom: zoom });
      }

      if (o.area) show(o.area.value);
      if (!drawn.getLayers().length && o.lat && o.lon && o.lat.value && o.lon.value) {
        var point = L.latLng(Number(o.lat.value), Number(o.lon.value));
        drawn.addLayer(pin(point));
        map.setView(point, Math.max(map.getZoom(), 15));
      }

      /* The mouse: Leaflet.draw's tools, named in the page's language. */
      var drawing = false;
      if (L.Control.Draw && (allows("polygon") || allows("rectangle"))) {
        var buttons = L.drawLocal;
        [["polygon", buttons.draw.toolbar.buttons], ["rectangle", buttons.draw.toolbar.buttons],
          ["edit", buttons.edit.toolbar.buttons], ["remove", buttons.edit.toolbar.buttons]]
          .forEach(function (pair) { if (label(pair[0])) pair[1][pair[0]] = label(pair[0]); });
        map.addControl(new L.Control.Draw({
          position: "topleft",
          draw: {
            polygon: allows("polygon")
              ? { allowIntersection: false, showArea: false, shapeOptions: style } : false,
            rectangle: allows("rectangle") ? { shapeOptions: style } : false,
            polyline: false, circle: false, marker: false, circlemarker: false
          },
          edit: o.editable ? { featureGroup: drawn } : false
        }));
        map.on("draw:drawstart", function () { drawing = true; });
        map.on("draw:drawstop", function () { drawing = false; });
        map.on("draw:created", function (event) { putArea(event.layer); });
        if (o.editable) map.on("draw:edited draw:deleted", write);
      }
      if (allows("point")) {
        map.on("click", function (event) { if (!drawing) putPoint(event.latlng); });
      }

      /* The keyboard: the point or the corners at the centre of the map. */
      var corners = [];
      var outline = L.polyline([], OUTLINE_STYLE).addTo(map);
      var keys = keyboardRow();
      function sayCorners() {
        outline.setLatLngs(corners);
        say(fill(label("corners"), { n: corners.length }));
      }
      function forget() {
        drawn.clearLayers();
        emptyFields();
      }
      if (allows("point")) keys.add(label("point"), function () { putPoint(map.getCenter()); });
      keys.add(label("corner"), function () { corners.push(map.getCenter()); sayCorners(); });
      keys.add(label("undo"), function () { corners.pop(); sayCorners(); });
      keys.add(label("finish"), function () {
        if (corners.length < 3) { say(label("too-few")); return; }
        putArea(L.polygon(corners, style));
        corners = [];
        outline.setLatLngs([]);
      });
      keys.add(label("clear"), function () {
        drawn.clearLayers();
        corners = [];
        outline.setLatLngs([]);
        write();
      });

      if (o.redrawTyped && o.area) {
        // Pasted GeoJSON is drawn too, so what is sent is what the map shows.
        o.area.addEventListener("change", function () { show(o.area.value); });
      }
      handle.element.parentNode.classList.add("city-map-wrap--crosshair");
      if (o.status) { o.status.parentNode.insertBefore(keys.element, o.status); }
      else { box.appendChild(keys.element); }
      Array.prototype.forEach.call(box.querySelectorAll(".js-only"), function (p) { p.hidden = false; });
      if (o.ready) o.ready({ forget: forget });
    });
  }

  window.cityhallDrawing = { attach: attach, covers: covers, polygons: polygons };
})();
