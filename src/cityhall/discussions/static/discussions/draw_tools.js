/* What the discussions' drawing maps share (the territory page, the proposal form's place):
   Leaflet.draw's area tools with their names from the page, and a row of keyboard buttons.
   Loaded before the page's own script; names come through the page's label function. */
(function () {
  "use strict";

  window.cityhallDrawing = {
    /* The polygon and rectangle tools (and editing ``edit``'s layers when given). */
    addTools: function (L, map, label, style, edit) {
      if (!L.Control.Draw) return false;
      var local = L.drawLocal;
      local.draw.toolbar.buttons.polygon = label("polygon");
      local.draw.toolbar.buttons.rectangle = label("rectangle");
      local.edit.toolbar.buttons.edit = label("edit");
      local.edit.toolbar.buttons.remove = label("remove");
      map.addControl(new L.Control.Draw({
        position: "topleft",
        draw: {
          polygon: { allowIntersection: false, showArea: false, shapeOptions: style },
          rectangle: { shapeOptions: style },
          polyline: false, circle: false, marker: false, circlemarker: false
        },
        edit: edit ? { featureGroup: edit } : false
      }));
      return true;
    },

    /* A paragraph of buttons: ``add(text, action)`` appends one. */
    buttonRow: function (className) {
      var row = document.createElement("p");
      row.className = className;
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
  };
})();
