// Placing a report on the map (issue 14), on the resident's form and the call-centre screen.
// A click on the map (geo/map.js in pick mode), "put the pin in the centre", "use my location"
// or the typed address asks new/place.json where that is: the pin snaps to the building, the
// form's building, address and point are filled, the line next to the map names who will
// receive the request, and the open requests of the same problem there are listed, each with
// "this is my problem too" (a button sending the form to its follow address). A point outside
// the city is said next to the map and nothing typed is changed. Without JavaScript the form's
// step shows the same from the typed address or point.
(function () {
  "use strict";
  var box = document.getElementById("earlier-reports");
  var category = document.getElementById("id_category");
  var address = document.getElementById("id_address");
  var latField = document.getElementById("id_lat");
  var lonField = document.getElementById("id_lon");
  var status = document.getElementById("place-status");
  var place = document.getElementById("report-place");
  if (!box || !category || !address || !window.fetch || !window.URLSearchParams) { return; }
  var list = box.querySelector("ul");
  var url = (place && place.dataset.url) || box.dataset.url;
  var handle = null;
  var nearby = null;
  var asked = "";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }
  function buildingField() {
    return document.querySelector("input[name=building][type=hidden]");
  }
  function chosenBuilding() {
    var chosen = document.querySelector("input[name=building]:checked, input[name=building][type=hidden]");
    return chosen ? chosen.value : "";
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "reported-item";
    if (data.photo) {
      var img = document.createElement("img");
      img.src = data.photo;
      img.width = 96;
      img.alt = box.dataset.photoLabel + " " + data.number;
      li.appendChild(img);
    }
    var span = document.createElement("span");
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.number;
    span.appendChild(link);
    var facts = " — " + data.category + ", " + data.status + " (" + data.submitted + "), " + data.where;
    if (data.address && data.where.indexOf(" m") !== -1) { facts += ": " + data.address; }
    if (data.followers) { facts += "; " + data.followers_text; }
    span.appendChild(document.createTextNode(facts));
    li.appendChild(span);
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "button button-secondary";
    button.formAction = data.follow_url;
    button.formNoValidate = true;
    if (box.dataset.forCaller) { button.name = "for_caller"; button.value = "1"; }
    button.textContent = box.dataset.followLabel;
    var hiddenNumber = document.createElement("span");
    hiddenNumber.className = "visually-hidden";
    hiddenNumber.textContent = " — " + data.number;
    button.appendChild(hiddenNumber);
    li.appendChild(button);
    return li;
  }

  function showNearby(items) {
    if (!handle) { return; }
    if (!nearby) { nearby = handle.L.layerGroup().addTo(handle.map); }
    nearby.clearLayers();
    items.forEach(function (data) {
      if (data.lat === null || data.lon === null) { return; }
      var marker = handle.L.marker([data.lat, data.lon], {
        icon: handle.L.divIcon({ className: "city-map-pin city-map-pin--request", iconSize: [22, 22] }),
        title: (place ? place.dataset.textReported + ": " : "") + data.number,
        keyboard: true
      });
      var popup = document.createElement("a");
      popup.href = data.url;
      popup.textContent = data.number + " — " + data.category + ", " + data.status;
      marker.bindPopup(popup);
      nearby.addLayer(marker);
    });
  }

  function show(data, moved) {
    var lines = [];
    if (data.message) { lines.push(data.message); }
    if (!data.inside_city) {
      // Said next to the map; the form's answers stay as they were.
      if (status) { status.textContent = data.message; }
      return;
    }
    if (moved) {
      var hidden = buildingField();
      if (hidden) { hidden.value = data.building ? String(data.building.id) : ""; }
      if (data.building) { address.value = data.building.address; }
      if (latField && lonField && data.lat !== null) {
        latField.value = data.lat.toFixed(6);
        lonField.value = data.lon.toFixed(6);
      }
    }
    if (data.building && place) { lines.push(fill(place.dataset.textPlace, { address: data.building.address })); }
    if (data.organisation && place) {
      lines.push(fill(place.dataset.textOrganisation, { organisation: data.organisation }));
    }
    if (status) { status.textContent = lines.join(" "); }
    if (handle && data.lat !== null && handle.setPick) {
      handle.setPick(data.lat, data.lon);
      if (moved !== "click") { handle.map.setView([data.lat, data.lon], Math.max(handle.map.getZoom(), 16)); }
    }
    list.textContent = "";
    data.items.forEach(function (entry) { list.appendChild(item(entry)); });
    box.hidden = data.items.length === 0;
    showNearby(data.items);
  }

  function ask(params, moved) {
    params.set("category", category.value);
    var query = params.toString();
    if (query === asked) { return; }
    asked = query;
    if (status && place) { status.textContent = place.dataset.textLooking; }
    fetch(url + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data === null || query !== asked) { return; }  // an older answer
        show(data, moved);
      })
      .catch(function () { /* the form still works; its step shows the list after sending */ });
  }

  function atPoint(lat, lon, how) {
    var params = new URLSearchParams({ lat: lat.toFixed(6), lon: lon.toFixed(6) });
    ask(params, how);
  }
  function fromFields() {
    var params = new URLSearchParams();
    var building = chosenBuilding();
    if (building) { params.set("building", building); }
    else if (latField && lonField && latField.value && lonField.value) {
      params.set("lat", latField.value);
      params.set("lon", lonField.value);
    } else if (address.value.trim()) { params.set("address", address.value); }
    else { box.hidden = true; return; }
    ask(params, "fields");
  }

  category.addEventListener("change", fromFields);
  address.addEventListener("input", function () {
    // A new address: the building and point chosen before no longer hold.
    var hidden = buildingField();
    if (hidden) { hidden.value = ""; }
    if (latField && lonField) { latField.value = ""; lonField.value = ""; }
  });
  address.addEventListener("change", fromFields);
  if (latField) { latField.addEventListener("change", fromFields); }
  if (lonField) { lonField.addEventListener("change", fromFields); }

  if (place && window.cityhallMaps) {
    window.cityhallMaps.whenReady("report-map", function (h) {
      handle = h;
      h.element.setAttribute("aria-describedby", "report-map-help place-status");
      h.element.addEventListener("cityhall-map:pick", function (event) {
        atPoint(event.detail.lat, event.detail.lon, "click");
      });
      var centre = document.getElementById("pin-centre");
      if (centre) {
        centre.hidden = false;
        centre.addEventListener("click", function () {
          var c = h.map.getCenter();
          atPoint(c.lat, c.lng, "click");
        });
      }
      var locate = document.getElementById("use-location");
      if (locate && navigator.geolocation) {
        locate.hidden = false;
        locate.addEventListener("click", function () {
          navigator.geolocation.getCurrentPosition(
            function (position) { atPoint(position.coords.latitude, position.coords.longitude, "located"); },
            function () { if (status) { status.textContent = place.dataset.textNoLocation; } },
            { enableHighAccuracy: true, timeout: 10000 }
          );
        });
      }
      if (chosenBuilding() || address.value.trim() || (latField && latField.value)) { fromFields(); }
    });
  } else if (chosenBuilding() || address.value.trim()) {
    fromFields();
  }
})();
