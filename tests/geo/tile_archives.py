"""Small raster PMTiles archives made in tests (the ``pmtiles`` package's writer): solid
tiles of one colour over a box, so a browser test can tell the archive's picture on the map."""

from __future__ import annotations

import io
import math
from pathlib import Path

from PIL import Image
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

__all__ = ["ARCHIVE_COLOUR", "write_raster_archive"]

ARCHIVE_COLOUR = (214, 39, 163)  # a magenta no base layer uses


def _tile_xy(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    n = 2**zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def write_raster_archive(
    path: Path,
    *,
    bounds: tuple[float, float, float, float] = (49.0, 55.75, 49.2, 55.85),
    zooms: range = range(9, 15),
) -> Path:
    """A PNG archive covering ``bounds`` (min_lon, min_lat, max_lon, max_lat) at ``zooms``."""
    picture = io.BytesIO()
    Image.new("RGB", (256, 256), ARCHIVE_COLOUR).save(picture, format="PNG")
    tile = picture.getvalue()
    min_lon, min_lat, max_lon, max_lat = bounds
    ids = []
    for z in zooms:
        x0, y0 = _tile_xy(min_lon, max_lat, z)
        x1, y1 = _tile_xy(max_lon, min_lat, z)
        ids += [zxy_to_tileid(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    with write(str(path)) as writer:
        for tile_id in sorted(ids):
            writer.write_tile(tile_id, tile)
        writer.finalize(
            {
                "tile_type": TileType.PNG,
                "tile_compression": Compression.NONE,
                "min_zoom": zooms.start,
                "max_zoom": zooms.stop - 1,
                "min_lon_e7": int(min_lon * 1e7),
                "min_lat_e7": int(min_lat * 1e7),
                "max_lon_e7": int(max_lon * 1e7),
                "max_lat_e7": int(max_lat * 1e7),
                "center_zoom": zooms.start,
                "center_lon_e7": int((min_lon + max_lon) / 2 * 1e7),
                "center_lat_e7": int((min_lat + max_lat) / 2 * 1e7),
            },
            {"attribution": "test"},
        )
    return path
