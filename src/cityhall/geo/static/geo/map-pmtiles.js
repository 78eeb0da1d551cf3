/* The map's base layer read from a PMTiles archive (geo/tile_archive.py, ADR 0029): the pinned
 * `pmtiles` library (geo/vendor/pmtiles) asks the archive by HTTP range requests; each raster
 * tile (PNG, JPEG, WebP) is decoded and painted on a canvas, so no blob: image address is
 * needed under the Content-Security-Policy. A tile that cannot be read (the archive is
 * unreachable, or holds vector tiles, which this layer does not draw) is reported to Leaflet as
 * a tile error: geo/map.js then falls back to the city's own vector layers with its notice. */
(function () {
  "use strict";
  if (!window.L || !window.pmtiles) { return; }
  var L = window.L;
  var RASTER = { 2: true, 3: true, 4: true, 5: true }; // PNG, JPEG, WebP, AVIF

  function archiveLayer(tiles) {
    var source = new window.pmtiles.PMTiles(tiles.url);
    var header = source.getHeader().then(function (h) {
      if (!RASTER[h.tileType]) { throw new Error("not a raster archive"); }
      return h;
    });
    var Layer = L.GridLayer.extend({
      createTile: function (coords, done) {
        var canvas = document.createElement("canvas");
        var size = this.getTileSize();
        canvas.width = size.x;
        canvas.height = size.y;
        var controller = window.AbortController ? new AbortController() : null;
        canvas.cityhallCancel = function () { if (controller) { controller.abort(); } };
        header.then(function () {
          return source.getZxy(coords.z, coords.x, coords.y, controller && controller.signal);
        }).then(function (found) {
          if (!found) { return null; } // outside the archive: an empty tile, not an error
          return window.createImageBitmap(new Blob([found.data]));
        }).then(function (picture) {
          if (picture) { canvas.getContext("2d").drawImage(picture, 0, 0, size.x, size.y); }
          done(null, canvas);
        }).catch(function (error) {
          if (error && error.name === "AbortError") { return; }
          done(error || new Error("tile"), canvas);
        });
        return canvas;
      },
      _removeTile: function (key) {
        var tile = this._tiles[key];
        if (tile && tile.el.cityhallCancel) { tile.el.cityhallCancel(); }
        L.GridLayer.prototype._removeTile.call(this, key);
      }
    });
    var layer = new Layer({ attribution: tiles.attribution, maxZoom: tiles.maxZoom });
    header.then(function (h) {
      // Deeper than the archive goes, its deepest tiles are enlarged.
      layer.options.maxNativeZoom = h.maxZoom;
      layer.options.minNativeZoom = h.minZoom;
      if (layer._map) { layer.redraw(); }
    }).catch(function () { /* every tile reports the error */ });
    return layer;
  }

  window.cityhallTileSources = window.cityhallTileSources || {};
  window.cityhallTileSources.pmtiles = archiveLayer;
})();
