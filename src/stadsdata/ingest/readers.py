"""Readers for the non-CSV formats: XLSX, JSON and GeoJSON become Arrow tables of raw values.

Values are handed to the engine as text (or WKB for geometry); the engine casts them to the
contract's types and reports the first value that does not fit, with its row and column.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import shapely
from pyproj import CRS, Transformer

from stadsdata.errors import DeliveryError

WGS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326", "urn:ogc:def:crs:EPSG:4326"}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if text.strip() != "" else None


def _table(header: list[str], rows: list[list[Any]]) -> pa.Table:
    columns = {
        name: pa.array([_text(r[i]) if i < len(r) else None for r in rows], pa.string())
        for i, name in enumerate(header)
    }
    return pa.table(columns)


def _check_header(header: list[Any], display: str, where: str) -> list[str]:
    names: list[str] = []
    for position, raw in enumerate(header, start=1):
        name = "" if raw is None else str(raw).strip()
        if not name:
            raise DeliveryError(
                f"{display}: {where}, column {position}: empty column name; expected a name in every header cell"
            )
        if name.lower() in (n.lower() for n in names):
            raise DeliveryError(
                f"{display}: {where}, column {position}: column name {name!r} appears twice; expected unique names"
            )
        names.append(name)
    return names


def read_xlsx(path: Path, display: str) -> tuple[list[str], pa.Table]:
    """The first sheet: row 1 is the header (no merged cells), the rows below are data."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise DeliveryError(f"{display}: not a readable XLSX workbook ({exc}); expected an Excel .xlsx file") from None
    sheet = workbook.worksheets[0]
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= 1:
            raise DeliveryError(
                f"{display}: sheet {sheet.title!r}, cells {merged.coord}: merged header cells; "
                "expected one header cell per column in row 1"
            )
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    while rows and all(v is None or str(v).strip() == "" for v in rows[-1]):
        rows.pop()
    if not rows:
        raise DeliveryError(f"{display}: sheet {sheet.title!r} is empty; expected a header in row 1 and data below")
    header_cells = rows[0]
    while header_cells and header_cells[-1] is None:
        header_cells = header_cells[:-1]
    header = _check_header(header_cells, display, f"sheet {sheet.title!r}, row 1")
    return header, _table(header, rows[1:])


def _json_records(path: Path, display: str) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        try:  # newline-delimited JSON
            data = [json.loads(ln) for ln in lines]
        except json.JSONDecodeError:
            raise DeliveryError(
                f"{display}: line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg}); expected JSON"
            ) from None
    if isinstance(data, dict):
        for key in ("data", "rows", "records", "items", "results"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        raise DeliveryError(
            f"{display}: top level is a {type(data).__name__}; expected a list of objects (one per row)"
        )
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise DeliveryError(f"{display}: row {index}: a {type(item).__name__}; expected an object of field: value")
    return data


def read_json(path: Path, display: str) -> tuple[list[str], pa.Table]:
    records = _json_records(path, display)
    if not records:
        raise DeliveryError(f"{display}: the list is empty; expected at least one row")
    header: list[str] = []
    seen: set[str] = set()
    for record in records:
        for key in record:
            if key not in seen:
                seen.add(key)
                header.append(key)
    _check_header(header, display, "field names")
    rows = [[record.get(k) for k in header] for record in records]
    return header, _table(header, rows)


def read_geojson(path: Path, display: str, geometry_column: str) -> tuple[list[str], pa.Table]:
    """Properties as columns, geometry as WKB in WGS84; invalid geometries are rejected."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise DeliveryError(
            f"{display}: line {exc.lineno}, column {exc.colno}: invalid JSON ({exc.msg}); expected GeoJSON"
        ) from None
    except UnicodeDecodeError as exc:
        raise DeliveryError(f"{display}: byte {exc.start}: not UTF-8; expected GeoJSON in UTF-8 (RFC 7946)") from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise DeliveryError(
            f'{display}: not a GeoJSON FeatureCollection; expected {{"type": "FeatureCollection", "features": [...]}}'
        )
    features = data["features"]
    if not features:
        raise DeliveryError(f"{display}: the FeatureCollection has no features; expected at least one")
    header: list[str] = []
    seen: set[str] = set()
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise DeliveryError(
                f'{display}: feature {index}: not a GeoJSON Feature; expected {{"type": "Feature", ...}}'
            )
        for key in feature.get("properties") or {}:
            if key not in seen:
                seen.add(key)
                header.append(key)
    geometries = []
    for index, feature in enumerate(features, start=1):
        geometry = feature.get("geometry")
        if geometry is None:
            geometries.append(None)
            continue
        try:
            geometries.append(shapely.from_geojson(json.dumps(geometry)))
        except Exception as exc:  # shapely raises GEOSException for broken structures
            raise DeliveryError(
                f"{display}: feature {index}, column {geometry_column}: unreadable geometry ({exc}); "
                "expected a GeoJSON geometry"
            ) from None
    array = shapely.from_wkb(shapely.to_wkb(geometries)) if geometries else []
    valid = shapely.is_valid(array)
    present = ~shapely.is_missing(array)
    bad = [i for i in range(len(array)) if present[i] and not valid[i]]
    if bad:
        index = bad[0]
        props = features[index].get("properties") or {}
        label = next(iter(props.values()), None)
        reason = shapely.is_valid_reason(array[index])
        raise DeliveryError(
            f"{display}: feature {index + 1}{f' ({label})' if label else ''}, column {geometry_column}: "
            f"invalid geometry ({reason}); expected a valid geometry (OGC simple features)"
            + (f" ({len(bad)} invalid in all)" if len(bad) > 1 else "")
        )
    array = _to_wgs84(array, data.get("crs"), display)
    rows = [[(f.get("properties") or {}).get(k) for k in header] for f in features]
    table = _table(header, rows)
    wkb = shapely.to_wkb(array)
    table = table.append_column(geometry_column, pa.array(list(wkb), pa.binary()))
    return header + [geometry_column], table


def _to_wgs84(array: Any, crs_member: Any, display: str) -> Any:
    if not crs_member:
        return array
    name = (crs_member.get("properties") or {}).get("name") if isinstance(crs_member, dict) else None
    if not name or name in WGS84_NAMES:
        return array
    try:
        source = CRS.from_user_input(name)
    except Exception:
        raise DeliveryError(
            f"{display}: unknown coordinate reference system {name!r}; expected WGS84 or an EPSG code"
        ) from None
    transformer = Transformer.from_crs(source, CRS.from_epsg(4326), always_xy=True)
    return shapely.transform(array, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))
