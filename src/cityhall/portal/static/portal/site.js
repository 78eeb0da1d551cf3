/* cityhall — progressive enhancement shared by every page; pages work without it. */
(function () {
  "use strict";

  /* A table wider than the screen scrolls sideways inside .table-wrap. Make such a region a
     named tab stop so that keyboard users can scroll it too (WCAG 2.1.1); undo it when the
     table fits again. The name is the table's caption, else the heading before it. */
  function labelFor(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = wrap;
    while (node) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) return previous.textContent.trim();
        var inner = previous.querySelector && previous.querySelector("h1, h2, h3, h4, h5, h6");
        if (inner) return inner.textContent.trim();
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.body.getAttribute("data-table-label") || document.title;
  }

  function markScrollingTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          wrap.setAttribute("aria-label", labelFor(wrap));
        }
        wrap.setAttribute("data-scroll-marked", "");
      } else if (!scrolls && wrap.hasAttribute("data-scroll-marked")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        wrap.removeAttribute("data-scroll-marked");
      }
    }
  }

  var pending = null;
  function soon() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(markScrollingTables, 100);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markScrollingTables);
  } else {
    markScrollingTables();
  }
  window.addEventListener("resize", soon);
})();
