// A service form's field answered on the map (place_field.py): a click on the map (or "put the
// pin in the centre" from the keyboard) asks the city's "where is this point" API; the pin snaps
// to the building within 60 m and the field's address, building and coordinates are filled.
// A point outside the city is said next to the map and nothing typed changes. Without
// JavaScript the address or the coordinates typed are the answer.
(function () {
  "use strict";
  if (!window.fetch || !window.cityhallMaps) { return; }
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-point-field]"), function (box) {
    var name = box.dataset.pointField;
    var field = function (part) { return box.querySelector("[name='" + name + "." + part + "']"); };
    var status = box.querySelector("[data-point-status]");
    window.cityhallMaps.whenReady(box.dataset.map, function (handle) {
      function place(lat, lon) {
        var query = new URLSearchParams({ lat: lat.toFixed(6), lon: lon.toFixed(6) });
        fetch(box.dataset.locateUrl + "?" + query.toString(), { headers: { Accept: "application/json" } })
          .then(function (response) {
            if (response.status === 404) { return { outside: true }; }
            return response.ok ? response.json() : null;
          })
          .then(function (data) {
            if (data === null) { return; }
            if (data.outside) { status.textContent = box.dataset.textOutside; return; }
            var building = data.building;
            var at = building ? [building.lat, building.lon] : [lat, lon];
            field("lat").value = at[0].toFixed(6);
            field("lon").value = at[1].toFixed(6);
            field("building").value = building ? String(building.id) : "";
            if (building) { field("address").value = building.address; }
            handle.setPick(at[0], at[1]);
            status.textContent = building
              ? fill(box.dataset.textPlace, { address: building.address })
              : fill(box.dataset.textPoint, { lat: at[0].toFixed(5), lon: at[1].toFixed(5) });
          })
          .catch(function () { /* the address and coordinates still work */ });
      }
      var lat0 = parseFloat(field("lat").value.replace(",", "."));
      var lon0 = parseFloat(field("lon").value.replace(",", "."));
      if (!isNaN(lat0) && !isNaN(lon0)) { handle.setPick(lat0, lon0); }
      handle.element.addEventListener("cityhall-map:pick", function (event) {
        place(event.detail.lat, event.detail.lon);
      });
      var centre = box.querySelector("[data-pin-centre]");
      centre.hidden = false;
      centre.addEventListener("click", function () {
        var c = handle.map.getCenter();
        place(c.lat, c.lng);
      });
      field("address").addEventListener("input", function () {
        // A new address: the point chosen before no longer holds; the server finds the building.
        field("lat").value = "";
        field("lon").value = "";
        field("building").value = "";
      });
    });
  });
})();
