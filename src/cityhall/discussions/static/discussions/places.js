/* Public discussions: address suggestions and choosing a point on the map.
   Progressive enhancement only — without it the person types an address and the server
   finds it. Messages come translated from the page's data attributes. */
(function () {
  "use strict";

  var SEARCH = "/api/v1/geo/buildings/search";
  var LOCATE = "/api/v1/geo/locate";

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function field(form, name) {
    return form ? form.querySelector("[name='" + name + "']") : null;
  }

  /* Address fields suggest buildings from the city's register (a native datalist). */
  function suggestAddresses(input, n) {
    var list = document.createElement("datalist");
    list.id = "address-suggestions-" + n;
    input.setAttribute("list", list.id);
    input.insertAdjacentElement("afterend", list);
    var ask = debounce(function (text) {
      fetch(SEARCH + "?limit=8&q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (rows) {
          list.textContent = "";
          rows.forEach(function (b) {
            var option = document.createElement("option");
            option.value = b.address;
            list.appendChild(option);
          });
        })
        .catch(function () { /* suggestions are a convenience */ });
    }, 250);
    input.addEventListener("input", function () {
      var form = input.form;
      ["lat", "lon"].forEach(function (name) {
        var hidden = field(form, name);
        if (hidden) hidden.value = "";
      });
      if (input.value.trim().length >= 2) ask(input.value.trim());
    });
  }

  /* The map: a toggle turns clicks into a chosen point (links are not followed meanwhile).
     The interactive map (geo/map.js) when the page has one, else the server-drawn picture. */
  function pickOnMap(wrap) {
    var form = document.getElementById(wrap.getAttribute("data-map-pick"));
    var live = wrap.querySelector("[data-map-config]");
    var svg = live ? null : wrap.querySelector("svg[data-bounds]");
    if ((!svg && !(live && window.cityhallMaps)) || !form) return;
    var status = document.getElementById(form.id + "-status");
    var hint = document.getElementById(form.id + "-hint");
    var active = false;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.setAttribute("aria-pressed", "false");
    button.textContent = wrap.getAttribute("data-label-pick");
    wrap.insertAdjacentElement("beforebegin", button);
    if (hint) hint.hidden = false;
    button.addEventListener("click", function () {
      active = !active;
      button.setAttribute("aria-pressed", String(active));
      wrap.classList.toggle("picking", active);
    });

    function say(text) { if (status) status.textContent = text; }

    function choose(lat, lon) {
      field(form, "lat").value = lat.toFixed(6);
      field(form, "lon").value = lon.toFixed(6);
      var address = field(form, "address");
      if (address) address.value = "";
      say(wrap.getAttribute("data-label-chosen") + " " + lat.toFixed(5) + ", " + lon.toFixed(5));
      fetch(LOCATE + "?lat=" + lat + "&lon=" + lon, { credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 404) { say(wrap.getAttribute("data-label-outside")); return null; }
          return r.ok ? r.json() : null;
        })
        .then(function (where) {
          if (!where) return;
          var name = where.building ? where.building.address
            : [where.suburb && where.suburb.name, where.district && where.district.name]
              .filter(Boolean).join(", ");
          say(wrap.getAttribute("data-label-chosen") + " " + name);
        })
        .catch(function () { /* the coordinates are already shown */ });
    }

    if (live) {
      window.cityhallMaps.whenReady(live.id, function (handle) {
        var pin = null;
        handle.map.on("click", function (event) {
          if (!active) return;
          handle.map.closePopup();
          if (!pin) {
            pin = handle.L.marker(event.latlng, {
              icon: handle.L.divIcon({
                className: "city-map-pin city-map-pin--picked", iconSize: [22, 22]
              }),
              keyboard: false
            }).addTo(handle.map);
          } else {
            pin.setLatLng(event.latlng);
          }
          choose(event.latlng.lat, event.latlng.lng);
        });
      });
      return;
    }

    var bounds = svg.getAttribute("data-bounds").split(",").map(Number);
    var box = svg.viewBox.baseVal;
    var ns = "http://www.w3.org/2000/svg";
    var marker = null;
    svg.addEventListener("click", function (event) {
      if (!active) return;
      event.preventDefault();
      var pt = svg.createSVGPoint();
      pt.x = event.clientX;
      pt.y = event.clientY;
      var p = pt.matrixTransform(svg.getScreenCTM().inverse());
      var lon = bounds[0] + (p.x - 10) / (box.width - 20) * (bounds[2] - bounds[0]);
      var lat = bounds[3] - (p.y - 10) / (box.height - 20) * (bounds[3] - bounds[1]);
      if (!marker) {
        marker = document.createElementNS(ns, "circle");
        marker.setAttribute("r", "7");
        marker.setAttribute("fill", "#b3261e");
        marker.setAttribute("stroke", "#ffffff");
        marker.setAttribute("stroke-width", "2");
        svg.appendChild(marker);
      }
      marker.setAttribute("cx", p.x.toFixed(1));
      marker.setAttribute("cy", p.y.toFixed(1));
      choose(lat, lon);
    });
  }

  var inputs = document.querySelectorAll("input[data-address-suggest]");
  for (var i = 0; i < inputs.length; i++) suggestAddresses(inputs[i], i);
  var maps = document.querySelectorAll("[data-map-pick]");
  for (var j = 0; j < maps.length; j++) pickOnMap(maps[j]);
})();
