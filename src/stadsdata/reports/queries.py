"""The aggregations of a reports dataset as SQL, handed to the engine (``engine.query``).

Every statement reads one table named ``meldingen`` (the dataset's current version) and uses only
portable constructs, so a Spark engine runs it as DuckDB does: ``CAST``, ``CASE``, ``COUNT``,
``SUM``, ``MIN``/``MAX``, ``ROUND``, ``COALESCE``, ``date_trunc('week', ...)`` (the Monday of the
ISO week in both engines) and ``percentile_disc(...) WITHIN GROUP (ORDER BY ...)`` (SQL:2003,
Spark 3.3 and later). Column names are plain identifiers (the type's names), never quoted.

Dates are the UTC dates of ``created_at`` (the engine's session time zone).
``percentile_disc`` gives an observed value: with ``days_open`` in whole days, the median and the
90th percentile are whole days too, matching the source's one-day resolution.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stadsdata.reports.dataset_type import ReportsError

TABLE = "meldingen"
CREATED_DAY = "CAST(created_at AS DATE)"
WEEK = "CAST(date_trunc('week', created_at) AS DATE)"
OPEN = "SUM(CASE WHEN resolved_date IS NULL THEN 1 ELSE 0 END)"
MAX_TEXT = 200  # a filter value longer than this is not a category


def lit(value: str) -> str:
    """A SQL string literal (standard quoting: a quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


def _date(text: str | None, field: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) == 10 else dt.date.fromisoformat(text)
    except ValueError:
        raise ReportsError(f"{field}: expected a date as YYYY-MM-DD, e.g. 2026-06-01; got {text[:40]!r}") from None


@dataclass(frozen=True)
class ReportFilter:
    """Which reports: by main and sub category, and by the day they were created (both ends included)."""

    hoofdcategorie: str | None = None
    subcategorie: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @classmethod
    def parse(
        cls, hoofdcategorie: str | None, subcategorie: str | None, van: str | None, tot: str | None
    ) -> ReportFilter:
        """From form fields (``van``/``tot`` as YYYY-MM-DD); empty fields mean no filter."""
        main = (hoofdcategorie or "").strip() or None
        sub = (subcategorie or "").strip() or None
        for field, value in (("hoofdcategorie", main), ("subcategorie", sub)):
            if value is not None and len(value) > MAX_TEXT:
                raise ReportsError(f"{field}: expected a category name of at most {MAX_TEXT} characters")
            if value is not None and any(ord(c) < 32 or c == "\x7f" for c in value):
                raise ReportsError(f"{field}: expected a category name without control characters")
        start, end = _date(van, "van"), _date(tot, "tot")
        if start and end and end < start:
            raise ReportsError(
                f"tot: {end.isoformat()} is before van {start.isoformat()}; expected tot on or after van"
            )
        return cls(main, sub, start, end)

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.hoofdcategorie, self.subcategorie, self.start, self.end))

    def where(self) -> str:
        parts = []
        if self.hoofdcategorie is not None:
            parts.append(f"hoofdcategorie = {lit(self.hoofdcategorie)}")
        if self.subcategorie is not None:
            parts.append(f"subcategorie = {lit(self.subcategorie)}")
        if self.start is not None:
            parts.append(f"{CREATED_DAY} >= DATE {lit(self.start.isoformat())}")
        if self.end is not None:
            parts.append(f"{CREATED_DAY} <= DATE {lit(self.end.isoformat())}")
        return (" WHERE " + " AND ".join(parts)) if parts else ""

    def params(self) -> list[tuple[str, str]]:
        """The filter as query parameters (for links and downloads)."""
        out = []
        if self.hoofdcategorie:
            out.append(("hoofdcategorie", self.hoofdcategorie))
        if self.subcategorie:
            out.append(("subcategorie", self.subcategorie))
        if self.start:
            out.append(("van", self.start.isoformat()))
        if self.end:
            out.append(("tot", self.end.isoformat()))
        return out


# Every part returns the same columns, so that one statement (the parts joined by UNION ALL)
# answers a whole dashboard in one scan plan: each query costs a round trip to the engine.
#   part   which aggregation
#   k1-k3  keys as text (category, area, week, dates)
#   n      reports; nog_open: of them still open
#   a-c    whole numbers whose meaning depends on the part (see each builder)
#   x, y   coordinates (points only)
SHAPE = ("part", "k1", "k2", "k3", "n", "nog_open", "a", "b", "c", "x", "y")
_NO_TEXT = "CAST(NULL AS STRING)"
_NO_INT = "CAST(NULL AS BIGINT)"
_NO_NUM = "CAST(NULL AS DOUBLE)"
TIMES = f"CASE WHEN resolved_date >= {CREATED_DAY} THEN days_open END"  # valid times only


def _text(expr: str) -> str:
    return f"CAST({expr} AS STRING)"


def _select(
    part: str,
    k1: str = _NO_TEXT,
    k2: str = _NO_TEXT,
    k3: str = _NO_TEXT,
    *,
    open_: str = OPEN,
    a: str = _NO_INT,
    b: str = _NO_INT,
    c: str = _NO_INT,
    x: str = _NO_NUM,
    y: str = _NO_NUM,
) -> str:
    return (
        f"SELECT {lit(part)} AS part, {k1} AS k1, {k2} AS k2, {k3} AS k3, COUNT(*) AS n, "
        f"CAST({open_} AS BIGINT) AS nog_open, CAST({a} AS BIGINT) AS a, CAST({b} AS BIGINT) AS b, "
        f"CAST({c} AS BIGINT) AS c, CAST({x} AS DOUBLE) AS x, CAST({y} AS DOUBLE) AS y"
    )


def _percentile(share: float) -> str:
    return f"percentile_disc({share}) WITHIN GROUP (ORDER BY {TIMES})"


def totals_sql(f: ReportFilter, part: str = "totals", *, observed: bool = True) -> str:
    """Part ``totals``, one row: k1 first day created, k2 last day created, k3 first day anything
    was resolved; a: resolved before the day they were created (inconsistent; left out of the
    times); b: created before the first day anything was resolved in the WHOLE dataset (when the
    collection probably started; 0 without ``observed``)."""
    select = _select(
        part,
        _text(f"MIN({CREATED_DAY})"),
        _text(f"MAX({CREATED_DAY})"),
        _text("MIN(resolved_date)"),
        a=f"SUM(CASE WHEN resolved_date < {CREATED_DAY} THEN 1 ELSE 0 END)",
        b=f"SUM(CASE WHEN {CREATED_DAY} < w.waargenomen_vanaf THEN 1 ELSE 0 END)" if observed else "0",
    )
    start = f" CROSS JOIN (SELECT MIN(resolved_date) AS waargenomen_vanaf FROM {TABLE}) AS w" if observed else ""
    return select + f" FROM {TABLE}{start}{f.where()}"


def categories_sql(f: ReportFilter, part: str = "category") -> str:
    """Part ``category``: per main (k1) and sub category (k2)."""
    return _select(part, "hoofdcategorie", "subcategorie") + (
        f" FROM {TABLE}{f.where()} GROUP BY hoofdcategorie, subcategorie"
    )


def wijken_sql(f: ReportFilter) -> str:
    """Part ``wijk``: per area (k1; '' when the report has none); a: median days open."""
    area = "COALESCE(wijk, '')"
    return _select("wijk", area, a=_percentile(0.5)) + f" FROM {TABLE}{f.where()} GROUP BY {area}"


def weeks_sql(f: ReportFilter) -> str:
    """Part ``week``: per ISO week of creation (k1: the week's Monday)."""
    return _select("week", _text(WEEK)) + f" FROM {TABLE}{f.where()} GROUP BY {WEEK}"


def resolution_sql(f: ReportFilter, by: str) -> str:
    """Part ``resolution``: time to resolution per ``by`` (hoofdcategorie or subcategorie; '' for
    all reports together, part ``overall``): a resolved (with a valid time), b the median and c the
    90th percentile of days open of the resolved ones."""
    if by not in ("hoofdcategorie", "subcategorie", ""):
        raise ValueError(by)
    select = _select(
        "resolution" if by else "overall",
        by or "''",
        a=f"COUNT({TIMES})",
        b=_percentile(0.5),
        c=_percentile(0.9),
    )
    return select + f" FROM {TABLE}{f.where()}" + (f" GROUP BY {by}" if by else "")


def _where_and(f: ReportFilter, condition: str) -> str:
    where = f.where()
    return f"{where} AND {condition}" if where else f" WHERE {condition}"


def points_sql(f: ReportFilter, decimals: int = 5) -> str:
    """Part ``point``: per point (x lon, y lat rounded to ``decimals``; 5 is about a metre), for binning."""
    lon, lat = f"ROUND(lon, {decimals})", f"ROUND(lat, {decimals})"
    return _select("point", x=lon, y=lat) + (
        f" FROM {TABLE}{_where_and(f, 'lon IS NOT NULL AND lat IS NOT NULL')} GROUP BY {lon}, {lat}"
    )


def union(*parts: str) -> str:
    return " UNION ALL ".join(parts)


def overview_sql() -> str:
    """The whole dataset, unfiltered: parts ``all_totals`` and ``all_category`` (the filter's choices)."""
    return union(
        totals_sql(ReportFilter(), "all_totals", observed=False), categories_sql(ReportFilter(), "all_category")
    )


def dashboard_sql(f: ReportFilter, by: str) -> str:
    """Everything a dashboard shows for filter ``f``, and the overview, in one statement."""
    return union(
        overview_sql(),
        totals_sql(f),
        categories_sql(f),
        wijken_sql(f),
        weeks_sql(f),
        resolution_sql(f, by),
        resolution_sql(f, ""),
        points_sql(f),
    )
