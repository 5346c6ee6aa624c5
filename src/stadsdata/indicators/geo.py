"""Region boundaries for maps: GeoJSON FeatureCollections in WGS84 from the boundary datasets.

Shapes are read through the catalogue (the engine returns geometries as WKT) and converted with
shapely; one copy per dataset version is kept in memory.
"""

from __future__ import annotations

from typing import Any

from stadsdata.catalog import Catalog
from stadsdata.indicators.compute import q
from stadsdata.indicators.model import Level
from stadsdata.indicators.sources import BoundarySource


class Boundaries:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._cache: dict[str, list[dict[str, Any]]] = {}

    def features(self, source: BoundarySource) -> list[dict[str, Any]]:
        if source.label not in self._cache:
            from shapely import wkt
            from shapely.geometry import mapping

            result = self.catalog.query(
                f"SELECT CAST({q(source.code)} AS VARCHAR), CAST({q(source.name)} AS VARCHAR), {q(source.geometry)} "
                f"FROM {q(source.label)} ORDER BY 1"
            )
            self._cache[source.label] = [
                {
                    "type": "Feature",
                    "properties": {"code": code, "name": name},
                    "geometry": mapping(wkt.loads(geometry)) if geometry else None,
                }
                for code, name, geometry in result.rows
            ]
        return self._cache[source.label]

    def collection(self, sources: list[BoundarySource], level: Level, gemeente: str | None) -> dict[str, Any]:
        seen: set[str] = set()
        features = []
        for source in sources:
            if source.level != level:
                continue
            for feature in self.features(source):
                code = feature["properties"]["code"]
                if code in seen or not in_gemeente(code, gemeente):
                    continue
                seen.add(code)
                features.append(feature)
        return {"type": "FeatureCollection", "features": features}


def in_gemeente(code: str, gemeente: str | None) -> bool:
    """Whether a region code (GM, WK or BU) lies in gemeente ``GMxxxx`` (always true without one)."""
    return gemeente is None or code[2:6] == gemeente[2:6]
