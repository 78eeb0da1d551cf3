"""Geo API: districts, suburbs and buildings as GeoJSON."""

from ninja import Router

router = Router(tags=["geo"])
