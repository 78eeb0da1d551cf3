/* The interactive map component (geo/web_map.py documents its settings and extension points).
 * Every element with data-map-config becomes a Leaflet map built from its JSON settings.
 * No inline code or style: colours are SVG attributes, sizes are CSS classes. */
(function () {
  "use strict";
  if (!window.L) { return; }
  var L = window.L;
  var handles = {};
  var waiting = {};

  function text(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  function popupContent(item, strings) {
    var box = document.createElement("div");
    box.className = "city-map-popup";
    var title = document.createElement("p");
    title.className = "city-map-popup-title";
    title.textContent = item.title;
    box.appendChild(title);
    if (item.image) {
      // A photo's thumbnail (the server sends only those everyone may see) with its alt text.
      var photo = document.createElement("img");
      photo.className = "city-map-popup-photo";
      photo.src = item.image;
      photo.alt = item.image_alt || "";
      photo.width = 160;
      photo.loading = "lazy";
      box.appendChild(photo);
    }
    (item.lines || []).forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      box.appendChild(p);
    });
    if (item.url) {
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = strings.open;
      link.setAttribute("aria-label", strings.open + ": " + item.title);
      box.appendChild(link);
    }
    return box;
  }

  function label(marker, name) {
    var el = marker.getElement();
    if (el) {
      el.setAttribute("aria-label", name);
      el.setAttribute("role", "button");
    }
  }

  function pinMarker(item, strings) {
    var marker = L.marker([item.lat, item.lon], {
      icon: L.divIcon({
        className: "city-map-pin city-map-pin--" + (item.kind || "place"),
        iconSize: [22, 22],
        iconAnchor: [11, 11],
        popupAnchor: [0, -10]
      }),
      title: item.title,
      keyboard: true,
      riseOnHover: true
    });
    marker.bindPopup(popupContent(item, strings));
    marker.on("add", function () { label(marker, item.title); });
    return marker;
  }

  function clusterMarker(map, item, strings) {
    var count = item.count;
    var size = count < 10 ? "s" : count < 100 ? "m" : count < 1000 ? "l" : "xl";
    var name = text(strings.cluster, { count: count });
    var marker = L.marker([item.lat, item.lon], {
      icon: L.divIcon({
        className: "city-map-cluster city-map-cluster--" + size,
        html: "<span>" + String(count) + "</span>",
        iconSize: null
      }),
      title: name,
      keyboard: true
    });
    if (item.url) {
      // Everything at one place (a building): the cluster opens like a pin, with its link.
      name = item.title;
      marker.options.title = name;
      marker.bindPopup(popupContent(item, strings));
    } else {
      marker.on("click", function () {
        map.setView([item.lat, item.lon], Math.min(map.getZoom() + 2, map.getMaxZoom()));
      });
    }
    marker.on("add", function () { label(marker, name); });
    return marker;
  }

  function baseStyle(feature) {
    if (feature.properties.kind === "suburb") {
      return { color: "#5a5a5a", weight: 1, dashArray: "4 4", fill: false };
    }
    return { color: "#3d3d3d", weight: 1.5, fillColor: "#eef1f4", fillOpacity: 0.6 };
  }

  function vectorBase(map, config) {
    var layer = L.geoJSON(null, {
      interactive: false,
      style: baseStyle,
      pointToLayer: function (_f, latlng) {
        return L.circleMarker(latlng, {
          radius: 3, color: "#6b7280", weight: 1, fillColor: "#d1d5db", fillOpacity: 1,
          interactive: false
        });
      }
    }).addTo(map);
    layer.bringToBack();
    var request = 0;
    function load() {
      var b = map.getBounds();
      var ask = ++request;
      var url = config.baseUrl + "?bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (n) { return n.toFixed(5); }).join(",") + "&zoom=" + Math.round(map.getZoom());
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (data) {
          if (ask !== request) { return; }
          layer.clearLayers();
          layer.addData(data);
          layer.bringToBack();
        }).catch(function () { /* the list beside the map still has everything */ });
    }
    map.on("moveend", load);
    load();
    return layer;
  }

  /* The configured tile source: an XYZ URL template, or an archive read by the script that
   * registered itself for its kind in window.cityhallTileSources (geo/map-pmtiles.js). */
  function tileLayerOf(tiles, emptyTile) {
    var archive = tiles.archive && (window.cityhallTileSources || {})[tiles.archive];
    if (archive) { return archive(tiles); }
    var Layer = emptyTile ? quietTileLayer(emptyTile) : L.TileLayer;
    return new Layer(tiles.url, { attribution: tiles.attribution, maxZoom: tiles.maxZoom });
  }

  /* Leaflet stops a tile's loading (on zoom, on removal) by pointing it at a data: picture,
   * which the Content-Security-Policy refuses (img-src 'self'): this tile layer points it at
   * the platform's own empty picture instead; otherwise Leaflet's own code. */
  function quietTileLayer(emptyTile) {
    return L.TileLayer.extend({
      _abortLoading: function () {
        for (var key in this._tiles) {
          var tile = this._tiles[key];
          if (tile.coords.z === this._tileZoom) { continue; }
          var img = tile.el;
          img.onload = L.Util.falseFn;
          img.onerror = L.Util.falseFn;
          if (!img.complete) {
            img.src = emptyTile;
            L.DomUtil.remove(img);
            delete this._tiles[key];
            this.fire("tileabort", { tile: img, coords: tile.coords });
          }
        }
      },
      _removeTile: function (key) {
        var tile = this._tiles[key];
        if (!tile) { return; }
        tile.el.setAttribute("src", emptyTile);
        return L.GridLayer.prototype._removeTile.call(this, key);
      }
    });
  }

  function baseLayer(map, config, element) {
    if (!config.tiles) { element.classList.add("city-map--vector"); return vectorBase(map, config); }
    var tiles = tileLayerOf(config.tiles, config.emptyTile);
    var loaded = 0;
    var failed = 0;
    var fellBack = false;
    tiles.on("tileload", function () { loaded += 1; });
    tiles.on("tileerror", function () {
      failed += 1;
      if (fellBack || loaded > 0 || failed < 3) { return; }
      fellBack = true;
      map.removeLayer(tiles);
      element.classList.add("city-map--vector");
      vectorBase(map, config);
      var notice = document.getElementById(config.id + "-notice");
      if (notice) { notice.textContent = config.strings.tilesFailed; notice.hidden = false; }
    });
    tiles.addTo(map);
    return tiles;
  }

  function shapes(map, config) {
    if (!config.shapes.length) { return null; }
    return L.geoJSON({ type: "FeatureCollection", features: config.shapes }, {
      style: function (feature) {
        var fill = feature.properties.fill;
        return fill
          ? { color: "#1a1a1a", weight: 1.5, fillColor: fill, fillOpacity: 0.75 }
          : { color: "#1a1a1a", weight: 2, dashArray: "6 4", fill: false };
      },
      onEachFeature: function (feature, layer) {
        // Areas are for pointing; their facts are in the page's text beside the map, so
        // keyboard users are not walked through every outline before the pins.
        layer.on("add", function () {
          var path = layer.getElement();
          if (path) { path.setAttribute("tabindex", "-1"); }
        });
        if (feature.properties.title) {
          layer.bindTooltip(feature.properties.title, { sticky: true });
          layer.bindPopup(popupContent(feature.properties, config.strings));
        }
      }
    }).addTo(map);
  }

  function clusters(map, config, element) {
    var layer = L.layerGroup().addTo(map);
    var status = document.getElementById(config.id + "-status");
    var request = 0;
    function load() {
      var b = map.getBounds();
      var ask = ++request;
      var query = new URLSearchParams(window.location.search);
      query.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (n) { return n.toFixed(5); }).join(","));
      query.set("zoom", String(Math.round(map.getZoom())));
      fetch(config.clustersUrl + "?" + query.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (ask !== request) { return; }
          // A pin with the focus is about to be replaced: keep the focus on the map.
          var hadFocus = element.contains(document.activeElement) &&
            document.activeElement !== element;
          layer.clearLayers();
          if (hadFocus) { element.focus(); }
          var total = 0;
          data.features.forEach(function (feature) {
            var p = feature.properties;
            var item = {
              lat: feature.geometry.coordinates[1], lon: feature.geometry.coordinates[0],
              count: p.count, title: p.title, url: p.url, lines: p.lines, kind: p.kind
            };
            total += p.count;
            layer.addLayer(p.count > 1 ? clusterMarker(map, item, config.strings)
                                       : pinMarker(item, config.strings));
          });
          if (status) { status.textContent = text(config.strings.shown, { count: total }); }
          element.dispatchEvent(new CustomEvent("cityhall-map:loaded", {
            bubbles: true, detail: { count: total }
          }));
        }).catch(function () { /* the list beside the map still has everything */ });
    }
    // An open pin (its popup pans the map into view) is not replaced under the reader:
    // the moved view is loaded once the popup closes.
    var popupOpen = false;
    var pending = false;
    map.on("popupopen", function () { popupOpen = true; });
    map.on("popupclose", function () {
      popupOpen = false;
      if (pending) { pending = false; load(); }
    });
    map.on("moveend", function () {
      if (popupOpen) { pending = true; } else { load(); }
    });
    load();
    return layer;
  }

  function picker(map, config, element) {
    var marker = null;
    function setPick(lat, lon) {
      if (!marker) {
        marker = L.marker([lat, lon], {
          icon: L.divIcon({ className: "city-map-pin city-map-pin--picked", iconSize: [22, 22] }),
          title: config.strings.picked, keyboard: false
        }).addTo(map);
      } else {
        marker.setLatLng([lat, lon]);
      }
    }
    map.on("click", function (event) {
      setPick(event.latlng.lat, event.latlng.lng);
      element.dispatchEvent(new CustomEvent("cityhall-map:pick", {
        bubbles: true, detail: { lat: event.latlng.lat, lon: event.latlng.lng }
      }));
    });
    return setPick;
  }

  function build(element) {
    var source = document.getElementById(element.getAttribute("data-map-config"));
    if (!source) { return; }
    var config = JSON.parse(source.textContent);
    element.hidden = false;
    var map = L.map(element, {
      zoomControl: false, keyboard: true, attributionControl: true, zoomSnap: 0.25, zoomDelta: 1
    });
    map.attributionControl.setPrefix(false);
    L.control.zoom({ zoomInTitle: config.strings.zoomIn, zoomOutTitle: config.strings.zoomOut })
      .addTo(map);
    var b = config.bounds;
    if (b) {
      map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { maxZoom: 17 });
    } else {
      map.setView([55.79, 49.12], 11);
    }
    baseLayer(map, config, element);
    shapes(map, config);
    var pins = L.layerGroup().addTo(map);
    if (!config.clustersUrl) {
      config.pins.forEach(function (pin) { pins.addLayer(pinMarker(pin, config.strings)); });
    } else {
      clusters(map, config, element);
    }
    map.on("popupopen", function (event) {
      var link = event.popup.getElement().querySelector(".city-map-popup a");
      if (link) { link.focus(); }
    });
    var handle = { map: map, L: L, config: config, element: element, pins: pins, setPick: null };
    if (config.pick) { handle.setPick = picker(map, config, element); }
    handles[config.id] = handle;
    element.dispatchEvent(new CustomEvent("cityhall-map:ready", { bubbles: true, detail: handle }));
    (waiting[config.id] || []).forEach(function (callback) { callback(handle); });
    delete waiting[config.id];
  }

  window.cityhallMaps = {
    get: function (id) { return handles[id] || null; },
    whenReady: function (id, callback) {
      if (handles[id]) { callback(handles[id]); return; }
      (waiting[id] = waiting[id] || []).push(callback);
    }
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map-config]"), build);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
