// A service form's repeating group (group_field.py, _group_field.html) in the page: "add
// another" copies the blank row the server rendered in <template> (labels, help and
// translations are the server's), "remove" takes its row out, and the rows are renumbered so
// that the names posted are rooms.0.name, rooms.1.name… in the order shown, as the server reads
// them. Focus moves to the new row, or after a removal to the row before (else the next, else
// "add another"); the group's fewest and most items hide "remove" and "add another"; the
// status line says what changed. Without JavaScript the same buttons submit the form and the
// server shows it again with a row more or less.
(function () {
  "use strict";
  var ROW = "__row__";
  var NUMBER = "__number__";
  var FIELDS = "input:not([type=hidden]), select, textarea";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  function enhance(group) {
    var blank = group.querySelector("template[data-group-template]");
    if (!blank || !blank.content) { return; }
    var name = group.dataset.groupField;
    var idPrefix = group.id + "-";
    var fewest = parseInt(group.dataset.minItems || "0", 10) || 0;
    var most = group.dataset.maxItems ? parseInt(group.dataset.maxItems, 10) : Infinity;
    var count = group.querySelector("[data-group-count]");
    var add = group.querySelector("[data-group-add]");
    var status = group.querySelector("[data-group-status]");

    function rows() {
      return Array.prototype.filter.call(group.children, function (child) {
        return child.hasAttribute("data-group-row");
      });
    }

    function label(number) {
      return group.dataset.itemLabel.split(NUMBER).join(String(number));
    }

    // Give a row the index ``to`` in every name, id and reference (rooms.1.name, f-rooms-1-name)
    // and its number in its labels ("Room 2").
    function renumber(row, to) {
      var from = row.getAttribute("data-group-row").slice(name.length + 1);
      var names = [name + "." + from + ".", name + "." + to + "."];
      var ids = [idPrefix + from + "-", idPrefix + to + "-"];
      function swap(value, pair) {
        return value.indexOf(pair[0]) === 0 ? pair[1] + value.slice(pair[0].length) : value;
      }
      var elements = [row].concat(Array.prototype.slice.call(row.querySelectorAll("*")));
      elements.forEach(function (element) {
        if (element.hasAttribute("name")) {
          element.setAttribute("name", swap(element.getAttribute("name"), names));
        }
        ["id", "for", "aria-describedby", "aria-labelledby"].forEach(function (attribute) {
          if (!element.hasAttribute(attribute)) { return; }
          var tokens = element.getAttribute(attribute).split(/\s+/).map(function (token) {
            return swap(token, ids);
          });
          element.setAttribute(attribute, tokens.join(" "));
        });
      });
      row.setAttribute("data-group-row", name + "." + to);
      row.querySelector("[data-group-remove]").value = name + "." + to;
      Array.prototype.forEach.call(row.querySelectorAll("[data-group-label]"), function (text) {
        text.textContent = label(to + 1);
      });
    }

    function settle() {
      var all = rows();
      count.value = String(all.length);
      add.hidden = all.length >= most;
      all.forEach(function (row) {
        row.querySelector("[data-group-remove]").hidden = all.length <= fewest;
      });
    }

    function say(template, number) {
      // A new text in the polite status line is read out once the screen reader is free.
      status.textContent = fill(template, { row: label(number) });
    }

    function firstField(row) {
      return row.querySelector(FIELDS);
    }

    function addRow() {
      var all = rows();
      if (all.length >= most) { return; }
      var row = blank.content.firstElementChild.cloneNode(true);
      renumber(row, all.length);
      row.querySelector("[data-group-remove]").type = "button";
      group.insertBefore(row, all.length ? all[all.length - 1].nextSibling : blank);
      settle();
      say(group.dataset.textAdded, all.length + 1);
      (firstField(row) || row.querySelector("[data-group-remove]")).focus();
    }

    function removeRow(row) {
      var all = rows();
      if (all.length <= fewest) { return; }
      var at = all.indexOf(row);
      row.parentNode.removeChild(row);
      all.splice(at, 1);
      all.forEach(function (other, index) { renumber(other, index); });
      settle();
      say(group.dataset.textRemoved, at + 1);
      var next = all[at - 1] || all[at];
      var target = next ? firstField(next) : null;
      (target || add).focus();
    }

    // From here on the buttons act in the page: as plain buttons they no longer submit the form
    // (nor does Enter in a text field press them).
    add.type = "button";
    rows().forEach(function (row) { row.querySelector("[data-group-remove]").type = "button"; });
    add.addEventListener("click", function (event) {
      event.preventDefault();
      addRow();
    });
    group.addEventListener("click", function (event) {
      var button = event.target.closest("[data-group-remove]");
      if (!button || button.closest("[data-group-field]") !== group) { return; }
      event.preventDefault();
      removeRow(button.closest("[data-group-row]"));
    });
    settle();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-group-field]"), enhance);
})();
