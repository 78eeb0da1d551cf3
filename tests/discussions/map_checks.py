"""What the discussions' browser tests check on an interactive map (geo/map.js) as it first
appears, with no pan, zoom or resize: Leaflet's vector renderer has the map's size and every
area is drawn inside the map, and a filled one is what a pointer reaches there."""

from __future__ import annotations

from playwright.sync_api import Page

_AREAS = """(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  const svg = document.querySelector('#' + id + ' .leaflet-overlay-pane > svg');
  const rect = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const paths = Array.from(document.querySelectorAll('#' + id + ' path.leaflet-interactive'));
  return {
    renderer: [rect.width, rect.height],
    areas: paths.map((p) => {
      const r = p.getBoundingClientRect();
      const x = Math.min(Math.max(r.left + r.width / 2, box.left + 1), box.right - 1);
      const y = Math.min(Math.max(r.top + r.height / 2, box.top + 1), box.bottom - 1);
      const hit = document.elementFromPoint(x, y);
      return {
        d: p.getAttribute('d') || '',
        size: [r.width, r.height],
        inside: r.right > box.left && r.left < box.right
          && r.bottom > box.top && r.top < box.bottom,
        filled: p.getAttribute('fill') !== 'none',
        stroked: p.getAttribute('stroke') !== 'none'
          && getComputedStyle(p).visibility === 'visible',
        reached: hit === p,
      };
    }),
  };
}"""


def assert_areas_drawn(page: Page, map_id: str, *, count: int) -> None:
    """``count`` areas are drawn and visible on the map ``map_id`` as loaded."""
    page.locator(f"#{map_id} path.leaflet-interactive").nth(count - 1).wait_for(state="attached")
    seen = page.evaluate(_AREAS, map_id)
    width, height = seen["renderer"]
    assert width > 0 and height > 0, f"the map's vector renderer is {width}x{height}"
    assert len(seen["areas"]) == count, seen["areas"]
    for area in seen["areas"]:
        assert area["d"].startswith("M"), area
        assert area["size"][0] > 0 and area["size"][1] > 0, area
        assert area["inside"] and area["stroked"], area
        # A filled area is what a pointer reaches there (an outline's inside is the map's).
        assert area["reached"] or not area["filled"], area
