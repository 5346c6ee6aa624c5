"""Choropleth maps as SVG text, drawn in Python from GeoJSON: no tiles, no CDN, works offline.

**Projection.** Longitude and latitude (WGS84) are projected equirectangularly, with longitude
scaled by the cosine of the map's middle latitude, so shapes at Dutch latitudes keep their
proportions (at 52° a degree of longitude is 0.62 of a degree of latitude). Good enough for a
country or a city on a screen; not for measuring.

**Classes.** Values are put in (at most) five classes by **quantiles**: each class holds about
as many regions as the others, so a skewed indicator (a few wijken with very high values) still
shows differences across the city. Equal values never straddle a break (breaks are deduplicated,
so there may be fewer classes). The legend gives each class's range and its number of regions.

**No value.** A region whose value CBS kept secret gets a hatched fill ("geheim"); a region
without any value (not computed there, or no data) a light grey one ("geen waarde"); both have
their own legend entry. Every region is an ``<a href>`` to its profile with a ``<title>`` (name
and value, shown on hover) and an ``aria-label``.

Pure functions: GeoJSON and values in, SVG text out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stadsdata.web.charts import FONT, MUTED, TEXT, Labels, attr, role

PALETTE = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")  # ColorBrewer Blues, light to dark
NO_VALUE = "#e6e6e6"
SECRET_LINE = "#6b6b6b"
STROKE = "#ffffff"
MIN_STEP = 0.6  # pixels: a vertex closer than this to the previous one is dropped


@dataclass(frozen=True)
class MapLabels(Labels):
    legend: str = "Legenda"
    classes_note: str = "klassen: kwantielen"
    regions: str = "{count} gebieden"


@dataclass(frozen=True)
class Cell:
    """The value of one region on the map; ``value`` None with ``secret``: kept secret."""

    value: float | None
    secret: bool = False


def quantile_breaks(values: Iterable[float], classes: int = 5) -> list[float]:
    """The upper bounds of each class but the last, by quantiles; no duplicates."""
    ordered = sorted(v for v in values if v is not None and math.isfinite(v))
    if len(ordered) < 2:
        return []
    breaks: list[float] = []
    for i in range(1, classes):
        position = i * len(ordered) / classes
        value = ordered[min(len(ordered) - 1, max(0, math.ceil(position) - 1))]
        if value < ordered[-1] and (not breaks or value > breaks[-1]):
            breaks.append(value)
    return breaks


def class_of(value: float, breaks: Sequence[float]) -> int:
    for i, upper in enumerate(breaks):
        if value <= upper:
            return i
    return len(breaks)


@dataclass(frozen=True)
class LegendClass:
    low: float
    high: float
    colour: str
    count: int

    def label(self, fmt: Callable[[float], str]) -> str:
        """ "low – high", or one number when both read the same (a class of only ones is "1")."""
        low, high = fmt(self.low), fmt(self.high)
        return low if low == high else f"{low} – {high}"


def legend_classes(values: Sequence[float], breaks: Sequence[float]) -> list[LegendClass]:
    palette = _palette(len(breaks) + 1)
    found: list[LegendClass] = []
    for i in range(len(breaks) + 1):
        members = [v for v in values if class_of(v, breaks) == i]
        if members:
            found.append(LegendClass(min(members), max(members), palette[i], len(members)))
    return found


def _palette(n: int) -> tuple[str, ...]:
    if n >= len(PALETTE):
        return PALETTE
    picks = {1: (3,), 2: (1, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4)}[max(1, n)]
    return tuple(PALETTE[i] for i in picks)


@dataclass(frozen=True)
class Projection:
    lon0: float
    lat_max: float
    kx: float  # cos(mid latitude)
    scale: float
    pad: float

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (self.pad + (lon - self.lon0) * self.kx * self.scale, self.pad + (self.lat_max - lat) * self.scale)


def _rings(geometry: Mapping[str, Any]) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def projection_for(features: Sequence[Mapping[str, Any]], width: float, pad: float = 4) -> tuple[Projection, float]:
    """The projection fitting the features into ``width`` pixels, and the height it needs."""
    lons = [p[0] for f in features for ring in _rings(f.get("geometry") or {}) for p in ring]
    lats = [p[1] for f in features for ring in _rings(f.get("geometry") or {}) for p in ring]
    if not lons:
        return Projection(0, 0, 1, 1, pad), 2 * pad
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * kx, 1e-9)
    span_y = max(lats) - min(lats)
    scale = (width - 2 * pad) / span_x
    return Projection(min(lons), max(lats), kx, scale, pad), span_y * scale + 2 * pad


def path_data(geometry: Mapping[str, Any], project: Projection) -> str:
    parts = []
    for ring in _rings(geometry):
        points: list[tuple[float, float]] = []
        for lon, lat, *_ in ring:
            px, py = project(lon, lat)
            if points and abs(px - points[-1][0]) < MIN_STEP and abs(py - points[-1][1]) < MIN_STEP:
                continue
            points.append((px, py))
        if len(points) >= 3:
            parts.append("M" + "L".join(f"{px:.1f},{py:.1f}" for px, py in points) + "Z")
    return "".join(parts)


def choropleth(
    geojson: Mapping[str, Any],
    cells: Mapping[str, Cell],
    *,
    title: str,
    unit: str,
    labels: MapLabels,
    href: Callable[[str], str | None] = lambda code: None,
    highlight: str | None = None,
    uid: str = "map",
    width: int = 640,
) -> str:
    """The regions of ``geojson`` (properties ``code`` and ``name``) coloured by ``cells[code]``.

    A region without a cell has no value; a cell with ``secret`` is hatched. The legend below the
    map lists the classes (quantiles, see the module), then "geheim" and "geen waarde" when the map
    has such regions."""
    features = [f for f in geojson.get("features", []) if f.get("geometry")]
    interactive = any(href(str(f.get("properties", {}).get("code"))) for f in features)
    project, map_h = projection_for(features, width)
    known = [c.value for c in cells.values() if c.value is not None]
    breaks = quantile_breaks(known)
    classes = legend_classes(known, breaks)
    palette = _palette(len(breaks) + 1)
    codes = {str(f.get("properties", {}).get("code")) for f in features}
    missing_n = sum(1 for code in codes if code not in cells or (cells[code].value is None and not cells[code].secret))
    secret_n = sum(1 for code in codes if code in cells and cells[code].value is None and cells[code].secret)
    entries = [(c.colour, c.label(labels.fmt), c.count) for c in classes]
    if secret_n:
        entries.append((f"url(#{uid}-secret)", labels.secret, secret_n))
    if missing_n:
        entries.append((NO_VALUE, labels.missing, missing_n))
    legend_h = 46 + 22 * len(entries)
    height = map_h + legend_h
    described = f"{unit}. " + "; ".join(f"{text}: {labels.regions.format(count=n)}" for _, text, n in entries)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" role="{role(interactive)}" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{FONT}" font-size="13" class="chart chart--map">',
        f'<title id="{uid}-title">{attr(title)}</title>',
        f'<desc id="{uid}-desc">{attr(described)}</desc>',
        f'<defs><pattern id="{uid}-secret" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{SECRET_LINE}" stroke-width="2"/></pattern></defs>',
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>',
        '<g stroke-linejoin="round">',
    ]
    last = []
    for feature in features:
        props = feature.get("properties", {})
        code, name = str(props.get("code")), str(props.get("name") or props.get("code"))
        cell = cells.get(code)
        if cell is None or (cell.value is None and not cell.secret):
            fill, shown = NO_VALUE, labels.missing
        elif cell.value is None:
            fill, shown = f"url(#{uid}-secret)", labels.secret
        else:
            fill, shown = palette[class_of(cell.value, breaks)], labels.fmt(cell.value)
        d = path_data(feature["geometry"], project)
        if not d:
            continue
        selected = code == highlight
        stroke = f'stroke="{TEXT}" stroke-width="2.5"' if selected else f'stroke="{STROKE}" stroke-width="0.6"'
        label = f"{name}: {shown}"
        shape = (
            f'<path d="{d}" fill="{fill}" fill-rule="evenodd" {stroke} data-code="{attr(code)}">'
            f"<title>{attr(label)}</title></path>"
        )
        link = href(code)
        if link:
            shape = f'<a href="{attr(link)}" aria-label="{attr(label)}">{shape}</a>'
        (last if selected else out).append(shape)
    out.extend(last)  # the highlighted region on top, so its outline is whole
    out.append("</g>")
    y = map_h + 22
    out.append(f'<text x="4" y="{y:.0f}" fill="{TEXT}" font-weight="bold">{attr(labels.legend)}: {attr(unit)}</text>')
    out.append(f'<text x="4" y="{y + 18:.0f}" fill="{MUTED}">{attr(labels.classes_note)}</text>')
    for i, (fill, text, count) in enumerate(entries):
        ey = y + 30 + i * 22
        out.append(
            f'<rect x="4" y="{ey:.0f}" width="18" height="16" fill="{fill}" stroke="{MUTED}" stroke-width="0.6"/>'
        )
        out.append(
            f'<text x="30" y="{ey + 13:.0f}" fill="{TEXT}">{attr(text)} '
            f'<tspan fill="{MUTED}">({attr(labels.regions.format(count=count))})</tspan></text>'
        )
    out.append("</svg>")
    return "\n".join(out)
