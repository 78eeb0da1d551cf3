"""``{% web_map the_map %}`` and its assets: the interactive map component (geo.web_map)."""

from __future__ import annotations

from django import template

from ..web_map import WebMap, tile_settings

register = template.Library()


@register.inclusion_tag("geo/includes/web_map.html")
def web_map(the_map: WebMap | None) -> dict:
    """The map box, its JSON settings, legend, fallback notice and text alternative."""
    return {"map": the_map, "config": the_map.config() if the_map else None}


@register.inclusion_tag("geo/includes/web_map_assets.html")
def web_map_assets(the_map: WebMap | None = None) -> dict:
    """Style sheets for the page's ``head`` block (Leaflet, Leaflet.draw when drawing)."""
    return {"draw": bool(the_map and the_map.draw)}


@register.inclusion_tag("geo/includes/web_map_scripts.html")
def web_map_scripts(the_map: WebMap | None = None) -> dict:
    """Scripts for the page's ``scripts`` block (Leaflet, the PMTiles reader when the base
    layer is an archive, geo/map.js; Leaflet.draw and geo/map-drawing.js when drawing)."""
    tiles = tile_settings() or {}
    return {"draw": bool(the_map and the_map.draw), "archive": tiles.get("archive", "")}
