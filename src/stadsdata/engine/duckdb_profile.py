"""Column profiles in SQL: every column of a table in two scans, however many columns it has.

- Row count: ``count(*)`` over the files, which DuckDB answers from the Parquet footers. It decides
  whether distinct counts are exact (``count(DISTINCT)``, up to ``EXACT_DISTINCT_ROWS`` rows) or
  estimated (``approx_count_distinct``, HyperLogLog); above that size integer and number columns
  get no distinct count (``None``): the estimate cost more than half of the profile.
- Scan 1: one SELECT with, for every column, its non-empty count and distinct count and by type
  the minimum, maximum and mean (integer, number: finite values only, plus the count of NaN and
  infinities), the first and last date or time, or the shortest and longest text.
- Scan 2: one SELECT with ``histogram(col, boundaries)`` for every integer and number column with
  at least two different values (the boundaries follow from scan 1's minimum and maximum) and
  ``histogram(col)`` (value -> count) for every string and boolean column with at most
  ``TOP_DISTINCT`` distinct values; the top values are picked from those maps here. The scan is
  left out when no column needs it.

A column with ``values_hidden`` (personal data) takes part in the counts only: no aggregate that
returns one of its values (minimum, maximum, mean, lengths, histogram, top values) is ever built
for it. Geometry columns (WKB) get only their empties. The result is JSON-safe (plain ints, floats,
strings, bools, None); its format is documented in docs/quality.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

import duckdb

from stadsdata.core.contract import ColumnType
from stadsdata.engine.base import ProfileColumn
from stadsdata.engine.duckdb_sql import lit, q

#: Up to this many rows distinct counts are exact; above it they are estimates.
EXACT_DISTINCT_ROWS = 1_000_000
#: String and boolean columns with at most this many distinct values get their top values.
TOP_DISTINCT = 1000
TOP = 10
BINS = 10
MEAN_DIGITS = 6  # significant digits of a mean (never fewer than its whole part needs)
ISO_UTC = "%Y-%m-%dT%H:%M:%S.%fZ"

NUMERIC = (ColumnType.integer, ColumnType.number)
COUNTED = (ColumnType.string, ColumnType.boolean)


@dataclass
class _Plan:
    """One column's aggregates: scan-1 expressions by statistic, their results, and scan 2's."""

    column: ProfileColumn
    aggregates: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    edges: list[int | float] = field(default_factory=list)
    boundaries: list[int | float] = field(default_factory=list)
    histogram: str | None = None  # scan-2 expression, when the column needs one
    counts: dict[Any, int] = field(default_factory=dict)  # its result: boundary or value -> count

    @property
    def shows_values(self) -> bool:
        return not self.column.values_hidden and self.column.type != ColumnType.geometry


def profile(con: duckdb.DuckDBPyConnection, files: list[Path], columns: list[ProfileColumn]) -> dict[str, Any]:
    plans = [_Plan(c) for c in columns]
    rows = 0
    if files:
        source = "read_parquet([" + ", ".join(lit(str(f)) for f in files) + "], union_by_name=true)"
        rows = int(_one(con, f"SELECT count(*) FROM {source}")[0])
        _first_scan(con, source, plans, exact=rows <= EXACT_DISTINCT_ROWS)
        _second_scan(con, source, plans)
    exact = rows <= EXACT_DISTINCT_ROWS
    return {"rows": rows, "columns": [_result(p, rows, exact=exact) for p in plans]}


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    return row


# -- scan 1 ----------------------------------------------------------------------------------
def _aggregates(column: ProfileColumn, *, exact: bool) -> dict[str, str]:
    col = q(column.name)
    out = {"filled": f"count({col})"}
    if column.type == ColumnType.geometry:
        return out
    if exact:
        out["distinct"] = f"count(DISTINCT {col})"
    elif column.type not in NUMERIC:
        # above EXACT_DISTINCT_ROWS a HyperLogLog estimate, for text, booleans and dates only: on
        # numbers it cost more than half of a 10-million-row profile (bench/quality.py)
        out["distinct"] = f"approx_count_distinct({col})"
    if column.values_hidden:
        return out
    if column.type == ColumnType.integer:
        out |= {"min": f"min({col})", "max": f"max({col})", "mean": f"avg({col})"}
    elif column.type == ColumnType.number:
        finite = _finite(col)
        out |= {
            "min": f"min({finite})",
            "max": f"max({finite})",
            "mean": f"avg({finite})",
            "finite": f"count({finite})",
        }
    elif column.type == ColumnType.date:
        out |= {"min": f"CAST(min({col}) AS VARCHAR)", "max": f"CAST(max({col}) AS VARCHAR)"}
    elif column.type == ColumnType.datetime:
        out |= {
            "min": f"strftime(timezone('UTC', min({col})), {lit(ISO_UTC)})",
            "max": f"strftime(timezone('UTC', max({col})), {lit(ISO_UTC)})",
        }
    elif column.type == ColumnType.string:
        out |= {"min_length": f"min(length({col}))", "max_length": f"max(length({col}))"}
    return out


def _finite(col: str) -> str:
    """A number column without NaN and infinities. (A CASE, not an aggregate FILTER: DuckDB copies
    every input column for each filtered aggregate, which made scan 1 ten times slower.)"""
    return f"CASE WHEN isfinite({col}) THEN {col} END"


def _first_scan(con: duckdb.DuckDBPyConnection, source: str, plans: list[_Plan], *, exact: bool) -> None:
    for plan in plans:
        plan.aggregates = _aggregates(plan.column, exact=exact)
    expressions = [e for p in plans for e in p.aggregates.values()]
    if not expressions:
        return
    values = iter(_one(con, f"SELECT {', '.join(expressions)} FROM {source}"))
    for plan in plans:
        plan.values = {key: next(values) for key in plan.aggregates}


# -- scan 2 ----------------------------------------------------------------------------------
def _second_scan(con: duckdb.DuckDBPyConnection, source: str, plans: list[_Plan]) -> None:
    for plan in plans:
        _plan_histogram(plan)
    needed = [p for p in plans if p.histogram]
    if not needed:
        return
    found = _one(con, f"SELECT {', '.join(str(p.histogram) for p in needed)} FROM {source}")
    for plan, counts in zip(needed, found, strict=True):
        plan.counts = counts or {}


def _plan_histogram(plan: _Plan) -> None:
    column, values = plan.column, plan.values
    if not plan.shows_values:
        return
    col = q(column.name)
    if column.type in NUMERIC:
        low, high = values.get("min"), values.get("max")
        if low is None or high is None or not low < high:
            return
        integer = column.type == ColumnType.integer
        plan.edges, plan.boundaries = _bins(low, high, integer=integer)
        if integer:
            listed = ", ".join(str(int(b)) for b in plan.boundaries)
            plan.histogram = f"histogram({col}, [{listed}])"
        else:
            listed = ", ".join(f"CAST({lit(repr(float(b)))} AS DOUBLE)" for b in plan.boundaries)
            plan.histogram = f"histogram({_finite(col)}, [{listed}])"
    elif column.type in COUNTED and 0 < int(values["distinct"]) <= TOP_DISTINCT:
        plan.histogram = f"histogram({col})"


def _bins(low: float, high: float, *, integer: bool) -> tuple[list[int | float], list[int | float]]:
    """Round bin edges around [low, high] and the boundaries that make DuckDB count them.

    The width has one significant digit (1, 2, ... 9 times a power of ten; at least 1 for integers)
    and the first edge is the multiple of it at or below ``low``: at most ``BINS`` bins, each
    ``from <= x < to``, the last also ``x == to``. An integer column with at most ``BINS`` possible
    values gets one bin per value. DuckDB's ``histogram(x, [b1, b2, ...])`` counts ``x <= b1``,
    ``b1 < x <= b2``, ...; so a bin ending at edge ``e`` gets boundary ``e - 1`` (integers) or the
    double just below ``e``, and the last bin ``high`` itself.
    """
    lo, hi = Decimal(low), Decimal(high)
    width = _round_up(max((hi - lo) / BINS, Decimal(1) if integer else Decimal(0)))
    while True:
        start = (lo / width).to_integral_value(ROUND_FLOOR) * width
        if integer and width == 1:
            n = int(hi - start) + 1
        else:
            n = max(int(((hi - start) / width).to_integral_value(ROUND_CEILING)), 1)
        if n <= BINS:
            break
        width = _round_up(width + Decimal(1).scaleb(width.adjusted()))  # the next round width
    exact = [start + i * width for i in range(n + 1)]
    if integer:
        edges: list[int | float] = [int(e) for e in exact]
        return edges, [e - 1 for e in edges[1:-1]] + [int(high)]
    floats: list[int | float] = [float(exact[0])]
    for edge in exact[1:]:
        if float(edge) > floats[-1]:  # an edge lost to double precision merges two bins
            floats.append(float(edge))
    return floats, [math.nextafter(e, -math.inf) for e in floats[1:-1]] + [float(high)]


def _round_up(value: Decimal) -> Decimal:
    """The smallest number with one significant digit (d * 10^k) that is at least ``value``."""
    if value <= 0:
        return Decimal(1).scaleb(-15)
    exponent = value.adjusted()
    digit = (value.scaleb(-exponent)).to_integral_value(ROUND_CEILING)
    if digit == 10:
        digit, exponent = Decimal(1), exponent + 1
    return digit.scaleb(exponent)


# -- the result --------------------------------------------------------------------------------
def _result(plan: _Plan, rows: int, *, exact: bool) -> dict[str, Any]:
    column, values = plan.column, plan.values
    filled = int(values.get("filled") or 0)
    out: dict[str, Any] = {
        "name": column.name,
        "type": column.type.value,
        "empty": rows - filled,
        "share_empty": (rows - filled) / rows if rows else 0.0,
    }
    if column.type != ColumnType.geometry:
        counted = exact or column.type not in NUMERIC
        out["distinct"] = int(values.get("distinct") or 0) if counted else None
        out["distinct_exact"] = exact
    if column.values_hidden:
        out["hidden"] = True
        return out
    kind = column.type
    if kind == ColumnType.integer:
        out |= {"min": _int(values.get("min")), "max": _int(values.get("max")), "mean": _mean(values.get("mean"))}
        out["histogram"] = _histogram(plan)
    elif kind == ColumnType.number:
        out |= {
            "min": _float(values.get("min")),
            "max": _float(values.get("max")),
            "mean": _mean(values.get("mean")),
            "not_finite": filled - int(values.get("finite") or 0),
        }
        out["histogram"] = _histogram(plan)
    elif kind in (ColumnType.date, ColumnType.datetime):
        out |= {"min": values.get("min"), "max": values.get("max")}
    elif kind == ColumnType.string:
        out |= {"min_length": _int(values.get("min_length")), "max_length": _int(values.get("max_length"))}
        out |= _top(out["distinct"], filled, plan.counts)
    elif kind == ColumnType.boolean:
        out |= _top(out["distinct"], filled, plan.counts)
    return out


def _histogram(plan: _Plan) -> list[dict[str, Any]]:
    if not plan.edges:
        return []
    return [
        {"from": plan.edges[i], "to": plan.edges[i + 1], "count": int(plan.counts.get(boundary, 0))}
        for i, boundary in enumerate(plan.boundaries)
    ]


def _top(distinct: int, filled: int, counts: dict[Any, int]) -> dict[str, Any]:
    if distinct > TOP_DISTINCT:
        return {"top": None, "top_other": None}
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    top = [{"value": value, "count": int(n)} for value, n in ranked]
    return {"top": top, "top_other": filled - sum(t["count"] for t in top)}


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    if value is None or not math.isfinite(float(value)):
        return None
    return float(value)


def _mean(value: Any) -> float | None:
    """A mean to ``MEAN_DIGITS`` significant digits, keeping every digit of its whole part."""
    number = _float(value)
    if number is None or number == 0:
        return number
    whole_digits = math.floor(math.log10(abs(number))) + 1
    return round(number, max(MEAN_DIGITS - whole_digits, 0))
