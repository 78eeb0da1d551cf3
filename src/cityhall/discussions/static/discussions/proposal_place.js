/* The proposal form's place: a point or an area on the map (geo/map.js, Leaflet.draw), written
   into the form's hidden fields lat/lon or area (GeoJSON Polygon). A click puts the point; the
   drawing tools draw an area; with the keyboard the buttons put the point or the corners at the
   centre of the map (a cross marks it). A place outside the discussion's territory is said next
   to the map and changes nothing in the form; the server checks the same on submitting.
   Without JavaScript the address field does it. Messages come from data attributes. */
(function () {
  "use strict";

  var wrap = document.querySelector("[data-place-map]");
  if (!wrap || !window.cityhallMaps || !window.cityhallDrawing) return;
  function byData(name) { return document.getElementById(wrap.getAttribute("data-" + name)); }
  var lat = byData("lat");
  var lon = byData("lon");
  var area = byData("area");
  var address = byData("address");
  var status = document.getElementById("proposal-place-status");
  function label(name) { return wrap.getAttribute("data-label-" + name) || ""; }
  function say(text) { if (status) status.textContent = text; }

  /* Inside the territory: ray casting over every ring of a Polygon or MultiPolygon. */
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inPolygon(x, y, rings) {
    if (!inRing(x, y, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) { if (inRing(x, y, rings[k])) return false; }
    return true;
  }
  function inside(territory, lonValue, latValue) {
    if (!territory) return true;
    var polygons = territory.type === "MultiPolygon" ? territory.coordinates
      : [territory.coordinates];
    return polygons.some(function (rings) { return inPolygon(lonValue, latValue, rings); });
  }

  window.cityhallMaps.whenReady(wrap.getAttribute("data-place-map"), function (handle) {
    var L = handle.L;
    var map = handle.map;
    var shapes = handle.config.shapes;
    var territory = shapes.length ? shapes[0].geometry : null;
    var style = { color: "#7a5200", weight: 2, fillColor: "#f2c14e", fillOpacity: 0.55 };
    var placed = new L.FeatureGroup().addTo(map);

    function clearForm() {
      lat.value = "";
      lon.value = "";
      area.value = "";
    }

    function putPoint(latlng) {
      if (!inside(territory, latlng.lng, latlng.lat)) { say(label("outside")); return; }
      placed.clearLayers();
      placed.addLayer(L.marker(latlng, {
        icon: L.divIcon({ className: "city-map-pin city-map-pin--picked", iconSize: [22, 22] }),
        keyboard: false, interactive: false
      }));
      clearForm();
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      if (address) address.value = "";
      say(label("chosen").replace("{place}", latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5)));
    }

    function putArea(layer) {
      var ring = layer.toGeoJSON().geometry.coordinates[0];
      var outside = ring.some(function (c) { return !inside(territory, c[0], c[1]); });
      if (outside) { say(label("outside")); return; }
      placed.clearLayers();
      layer.setStyle(style);
      placed.addLayer(layer);
      clearForm();
      area.value = JSON.stringify(layer.toGeoJSON().geometry);
      if (address) address.value = "";
      say(label("drawn").replace("{n}", String(ring.length - 1)));
    }

    /* What the form already holds (sent back with a message) is shown again. */
    try {
      if (area.value.trim() && area.value.trim() !== "null") {
        var kept = L.geoJSON(JSON.parse(area.value), { style: style }).getLayers()[0];
        if (kept) { placed.addLayer(kept); map.fitBounds(kept.getBounds(), { maxZoom: 16 }); }
      } else if (lat.value && lon.value) {
        var point = L.latLng(Number(lat.value), Number(lon.value));
        placed.addLayer(L.marker(point, {
          icon: L.divIcon({ className: "city-map-pin city-map-pin--picked", iconSize: [22, 22] }),
          keyboard: false, interactive: false
        }));
        map.setView(point, Math.max(map.getZoom(), 15));
      }
    } catch (e) { /* not GeoJSON: the server says so */ }

    var drawing = false;
    if (window.cityhallDrawing.addTools(L, map, label, style, null)) {
      map.on("draw:drawstart", function () { drawing = true; });
      map.on("draw:drawstop", function () { drawing = false; });
      map.on("draw:created", function (event) { putArea(event.layer); });
    }
    map.on("click", function (event) { if (!drawing) putPoint(event.latlng); });

    /* Keyboard: the point or an area's corners at the centre of the map. */
    var corners = [];
    var outline = L.polyline([], {
      color: "#a4161a", weight: 2, dashArray: "4 4", interactive: false
    }).addTo(map);
    var tools = window.cityhallDrawing.buttonRow("place-keyboard");
    var button = tools.add;
    function sayCorners() {
      outline.setLatLngs(corners);
      say(label("corners").replace("{n}", String(corners.length)));
    }
    button(label("point"), function () { putPoint(map.getCenter()); });
    button(label("corner"), function () { corners.push(map.getCenter()); sayCorners(); });
    button(label("undo"), function () { corners.pop(); sayCorners(); });
    button(label("finish"), function () {
      if (corners.length < 3) { say(label("too-few")); return; }
      putArea(L.polygon(corners));
      corners = [];
      outline.setLatLngs([]);
    });
    button(label("clear"), function () {
      placed.clearLayers();
      corners = [];
      outline.setLatLngs([]);
      clearForm();
      say(label("cleared"));
    });
    if (address) {
      address.addEventListener("input", function () {
        if (address.value.trim()) { placed.clearLayers(); clearForm(); }
      });
    }
    wrap.classList.add("place-map-ready");
    Array.prototype.forEach.call(wrap.querySelectorAll(".js-only"), function (p) { p.hidden = false; });
    wrap.insertBefore(tools.element, status);
  });
})();
