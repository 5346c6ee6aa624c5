"""Reports binned in a regular grid of square cells in RD New (EPSG:28992), for the map.

Why a grid: the reports name their area (``wijk``) in the source's own, mixed naming, and there
are no polygons for those areas; a grid needs no boundaries, works for any city, and its cells
have equal areas, so counts compare fairly. Cells are ``size`` metres square and aligned to
multiples of ``size`` in RD coordinates (a cell's code is its south-west corner in metres), so
the same point always falls in the same cell.

``outline`` picks the gemeente (from CBS boundaries as GeoJSON) that holds most of the points,
to draw under the cells. Pure functions: points in, cells out; pyproj and shapely, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pyproj import Transformer

DEFAULT_SIZE = 250  # metres
RD = "EPSG:28992"
WGS84 = "EPSG:4326"


@cache
def _to_rd() -> Transformer:
    return Transformer.from_crs(WGS84, RD, always_xy=True)


@cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs(RD, WGS84, always_xy=True)


@dataclass(frozen=True)
class GridCell:
    x: int  # south-west corner in RD (metres)
    y: int
    size: int
    count: int

    @property
    def code(self) -> str:
        return f"{self.x}_{self.y}"

    def ring(self) -> list[list[float]]:
        """The cell as a closed WGS84 ring (lon, lat), clockwise from the south-west corner."""
        corners = [(self.x, self.y), (self.x, self.y + self.size), (self.x + self.size, self.y + self.size)]
        corners += [(self.x + self.size, self.y), (self.x, self.y)]
        lons, lats = _to_wgs84().transform([c[0] for c in corners], [c[1] for c in corners])
        return [[round(lon, 6), round(lat, 6)] for lon, lat in zip(lons, lats, strict=True)]

    def feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "properties": {"code": self.code, "meldingen": self.count, "cel_m": self.size},
            "geometry": {"type": "Polygon", "coordinates": [self.ring()]},
        }


def bin_points(points: Iterable[tuple[float, float, int]], size: int = DEFAULT_SIZE) -> list[GridCell]:
    """Sum the counts of (lon, lat, count) points per ``size`` m cell; cells without points are left out."""
    if size <= 0:
        raise ValueError("cell size must be positive")
    pts = [(float(lon), float(lat), int(n)) for lon, lat, n in points]
    if not pts:
        return []
    xs, ys = _to_rd().transform([p[0] for p in pts], [p[1] for p in pts])
    cells: dict[tuple[int, int], int] = {}
    for x, y, (_, _, n) in zip(xs, ys, pts, strict=True):
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        key = (math.floor(x / size) * size, math.floor(y / size) * size)
        cells[key] = cells.get(key, 0) + n
    return [GridCell(x, y, size, n) for (x, y), n in sorted(cells.items())]


def collection(cells: Iterable[GridCell]) -> dict[str, Any]:
    """The cells as a GeoJSON FeatureCollection (WGS84), properties code, meldingen and cel_m."""
    return {"type": "FeatureCollection", "features": [c.feature() for c in cells]}


def outline(boundaries: Mapping[str, Any], points: Iterable[tuple[float, float, int]]) -> dict[str, Any] | None:
    """The feature of ``boundaries`` (a GeoJSON FeatureCollection) that holds the most reports of
    ``points``; None when no feature holds any."""
    from shapely.geometry import Point, shape
    from shapely.prepared import prep

    pts = [(float(lon), float(lat), int(n)) for lon, lat, n in points]
    if not pts:
        return None
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    box = (min(lons), min(lats), max(lons), max(lats))
    best: tuple[int, dict[str, Any]] | None = None
    for feature in boundaries.get("features", []):
        geometry = feature.get("geometry")
        if not geometry:
            continue
        shp = shape(geometry)
        left, bottom, right, top = shp.bounds
        if right < box[0] or left > box[2] or top < box[1] or bottom > box[3]:
            continue
        inside = prep(shp)
        held = sum(n for lon, lat, n in pts if inside.contains(Point(lon, lat)))
        if held and (best is None or held > best[0]):
            best = (held, dict(feature))
    return best[1] if best else None
