"""The reports area: which datasets are reports datasets, and their aggregations for a dashboard.

``Reports(catalog, engine)`` finds every dataset whose contract is of the reports type
(``dataset_type``), and ``dashboard(dataset_id, filter)`` runs the aggregations of ``queries`` on
its current version through the engine: counts per category, area and week with a trend, times to
resolution per category, and the points binned in a grid (``grid``). Access is the caller's job:
the portal asks the policy before it calls in (docs/reports.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from stadsdata.catalog import Catalog
from stadsdata.engine import Engine, TableRef
from stadsdata.errors import NotFoundError
from stadsdata.metastore.records import DatasetRecord
from stadsdata.reports import queries
from stadsdata.reports.dataset_type import ReportsError, is_reports, require_reports
from stadsdata.reports.grid import DEFAULT_SIZE, GridCell, bin_points
from stadsdata.reports.queries import ReportFilter

TREND_WEEKS = 4  # the trend compares the last so many complete weeks with the ones before


@dataclass(frozen=True)
class CategoryCount:
    hoofdcategorie: str
    subcategorie: str
    meldingen: int
    nog_open: int


@dataclass(frozen=True)
class MainCount:
    hoofdcategorie: str
    meldingen: int
    nog_open: int
    subcategorieen: int


@dataclass(frozen=True)
class AreaCount:
    wijk: str  # '' when the report has no area
    meldingen: int
    nog_open: int
    mediaan_dagen: int | None


@dataclass(frozen=True)
class WeekCount:
    start: dt.date  # the Monday
    meldingen: int
    complete: bool  # the whole week lies in the observed period (counts compare)

    @property
    def label(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Trend:
    weeks: int  # complete weeks in each half
    recent: float  # mean reports per week in the last ``weeks`` complete weeks
    previous: float  # the same for the ``weeks`` before them
    first_recent: dt.date
    last_recent: dt.date

    @property
    def change_pct(self) -> float | None:
        return None if not self.previous else round(100 * (self.recent / self.previous - 1), 1)


@dataclass(frozen=True)
class Resolution:
    group: str  # the category ('' for all reports together)
    meldingen: int
    afgehandeld: int  # with a valid time (resolved on or after the day created)
    nog_open: int
    mediaan_dagen: int | None
    p90_dagen: int | None


@dataclass(frozen=True)
class Totals:
    meldingen: int
    nog_open: int
    eerste: dt.date | None
    laatste: dt.date | None
    eerste_afgehandeld: dt.date | None
    inconsistent: int  # resolved before the day they were created: left out of the times

    @property
    def before_observation(self) -> bool:
        """Reports were created before anything was seen resolved: the collection (a daily list of
        open reports, as for Assen) probably started on ``eerste_afgehandeld``."""
        return bool(self.eerste and self.eerste_afgehandeld and self.eerste < self.eerste_afgehandeld)


@dataclass
class Dashboard:
    dataset_id: str
    title: dict[str, Any]
    version: int
    filter: ReportFilter
    totals: Totals
    before_observation: int  # reports (in the filter) created before the first resolved day
    observed_from: dt.date | None  # the whole dataset's first resolved day (the collection's start)
    observed_to: dt.date | None  # the whole dataset's last day created
    categories: list[CategoryCount]
    main: list[MainCount]
    areas: list[AreaCount]
    weeks: list[WeekCount]
    trend: Trend | None
    resolution_by: str  # hoofdcategorie, or subcategorie when one main category is chosen
    resolution: list[Resolution]
    overall: Resolution
    cells: list[GridCell]
    cell_size: int
    points: list[tuple[float, float, int]]
    options: dict[str, list[str]] = field(default_factory=dict)  # main -> its sub categories (all reports)


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class Reports:
    def __init__(self, catalog: Catalog, engine: Engine) -> None:
        self.catalog = catalog
        self.engine = engine

    # -- which datasets ------------------------------------------------------------------------
    def datasets(self) -> list[DatasetRecord]:
        """Every dataset of the reports type that has a version, by id (access is the caller's job)."""
        return [r for r in self.catalog.list() if r.current_version is not None and is_reports(r.contract)]

    def record(self, dataset_id: str) -> DatasetRecord:
        try:
            record = self.catalog.metastore.get_dataset(dataset_id)
        except NotFoundError:
            raise NotFoundError(f"dataset {dataset_id!r} not found; see `stadsdata catalog list`") from None
        require_reports(dataset_id, record.contract)
        if record.current_version is None:
            raise ReportsError(f"dataset {dataset_id!r} has no version yet; deliver a file with `stadsdata ingest`")
        return record

    # -- aggregations --------------------------------------------------------------------------
    def _parts(self, sql: str, table: TableRef) -> dict[str, list[dict[str, Any]]]:
        """Run one UNION ALL statement of ``queries`` and split its rows by part."""
        out: dict[str, list[dict[str, Any]]] = {}
        for row in _rows(self.engine.query(sql, {queries.TABLE: table})):
            out.setdefault(str(row["part"]), []).append(row)
        return out

    def overview(self, dataset_id: str) -> tuple[Totals, dict[str, list[str]]]:
        """The whole dataset's totals, and main category -> its sub categories (for the filter form)."""
        self.record(dataset_id)
        return _overview(self._parts(queries.overview_sql(), self.catalog.table_ref(dataset_id)))

    def options(self, dataset_id: str) -> dict[str, list[str]]:
        return self.overview(dataset_id)[1]

    @staticmethod
    def check_filter(f: ReportFilter, options: dict[str, list[str]]) -> None:
        """A category the dataset does not have is a mistake, not an empty result: say which exist."""
        if f.hoofdcategorie is not None and f.hoofdcategorie not in options:
            raise ReportsError(f"hoofdcategorie: expected one of {', '.join(options)}; got {f.hoofdcategorie[:60]!r}")
        if f.subcategorie is not None:
            every = sorted({s for v in options.values() for s in v}, key=str.lower)
            allowed = options[f.hoofdcategorie] if f.hoofdcategorie else every
            if f.subcategorie not in allowed:
                where = f" of {f.hoofdcategorie!r}" if f.hoofdcategorie else ""
                shown = ", ".join(allowed[:12]) + (" ..." if len(allowed) > 12 else "")
                raise ReportsError(
                    f"subcategorie: expected a sub category{where} ({shown}); got {f.subcategorie[:60]!r}"
                )

    def dashboard(self, dataset_id: str, f: ReportFilter | None = None, *, cell_size: int = DEFAULT_SIZE) -> Dashboard:
        """Every aggregation of the dashboard for the reports ``f`` selects (one engine query)."""
        f = f or ReportFilter()
        record = self.record(dataset_id)
        by = "subcategorie" if f.hoofdcategorie else "hoofdcategorie"
        parts = self._parts(queries.dashboard_sql(f, by), self.catalog.table_ref(dataset_id))
        whole, options = _overview(parts)
        self.check_filter(f, options)  # after the one query: an unknown category only selects nothing
        # the observed period of the whole dataset (not only the filter): from the first day anything
        # was resolved (a collection of daily open lists starts then) to the last day created
        observed_from, observed_to = whole.eerste_afgehandeld, whole.laatste
        totals_row = parts["totals"][0]
        categories = sorted(
            (
                CategoryCount(str(r["k1"]), str(r["k2"]), int(r["n"]), int(r["nog_open"] or 0))
                for r in parts.get("category", [])
            ),
            key=lambda c: (c.hoofdcategorie.lower(), -c.meldingen, c.subcategorie.lower()),
        )
        main: dict[str, list[CategoryCount]] = {}
        for c in categories:
            main.setdefault(c.hoofdcategorie, []).append(c)
        mains = sorted(
            (
                MainCount(name, sum(c.meldingen for c in subs), sum(c.nog_open for c in subs), len(subs))
                for name, subs in main.items()
            ),
            key=lambda m: (-m.meldingen, m.hoofdcategorie.lower()),
        )
        areas = sorted(
            (
                AreaCount(str(r["k1"]), int(r["n"]), int(r["nog_open"] or 0), _int(r["a"]))
                for r in parts.get("wijk", [])
            ),
            key=lambda a: (-a.meldingen, a.wijk.lower()),
        )
        weeks = _weeks(parts.get("week", []), f, observed_from, observed_to)
        resolution = sorted(
            (_resolution(r) for r in parts.get("resolution", [])), key=lambda r: (-r.meldingen, r.group.lower())
        )
        points = [(float(r["x"]), float(r["y"]), int(r["n"])) for r in parts.get("point", [])]
        points.sort()
        return Dashboard(
            dataset_id=dataset_id,
            title=record.contract.get("title", {"nl": dataset_id}),
            version=int(record.current_version or 0),
            filter=f,
            totals=_totals(totals_row),
            before_observation=int(totals_row["b"] or 0),
            observed_from=observed_from,
            observed_to=observed_to,
            categories=categories,
            main=mains,
            areas=areas,
            weeks=weeks,
            trend=trend(weeks),
            resolution_by=by,
            resolution=resolution,
            overall=_resolution(parts["overall"][0]),
            cells=bin_points(points, cell_size),
            cell_size=cell_size,
            points=points,
            options=options,
        )


def _overview(parts: dict[str, list[dict[str, Any]]]) -> tuple[Totals, dict[str, list[str]]]:
    options: dict[str, list[str]] = {}
    for row in parts.get("all_category", []):
        options.setdefault(str(row["k1"]), []).append(str(row["k2"]))
    ordered = {k: sorted(v, key=str.lower) for k, v in sorted(options.items(), key=lambda kv: kv[0].lower())}
    return _totals(parts["all_totals"][0]), ordered


def _totals(r: dict[str, Any]) -> Totals:
    return Totals(int(r["n"]), int(r["nog_open"] or 0), _day(r["k1"]), _day(r["k2"]), _day(r["k3"]), int(r["a"] or 0))


def _resolution(r: dict[str, Any]) -> Resolution:
    return Resolution(
        str(r["k1"] or ""), int(r["n"]), int(r["a"] or 0), int(r["nog_open"] or 0), _int(r["b"]), _int(r["c"])
    )


def _weeks(
    rows: list[dict[str, Any]], f: ReportFilter, observed_from: dt.date | None, observed_to: dt.date | None
) -> list[WeekCount]:
    """The weeks in order; a week is complete when it lies wholly in both the observed period and
    the filter's period (only complete weeks compare)."""
    starts = [d for d in (f.start, observed_from) if d is not None]
    ends = [d for d in (f.end, observed_to) if d is not None]
    start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    out = []
    for r in rows:
        monday = _day(r["k1"])
        if monday is None:
            continue
        sunday = monday + dt.timedelta(days=6)
        complete = (start is None or monday >= start) and (end is None or sunday <= end)
        out.append(WeekCount(monday, int(r["n"]), complete))
    return sorted(out, key=lambda w: w.start)


def trend(weeks: list[WeekCount], n: int = TREND_WEEKS) -> Trend | None:
    """The mean reports per week of the last ``n`` complete weeks against the ``n`` before them
    (fewer when there are fewer than 2n complete weeks; None with fewer than two). Only the last
    run of consecutive complete weeks counts, so a gap in the data never joins two periods."""
    run: list[WeekCount] = []
    for week in weeks:
        if week.complete and run and (week.start - run[-1].start).days == 7:
            run.append(week)
        elif week.complete:
            run = [week]
    # weeks without reports have no row: fill the run's gaps with zeros is not possible after the
    # fact, so a run is broken by a missing week (above); fine for report data, where weeks are full
    half = min(n, len(run) // 2)
    if half < 1:
        return None
    recent, previous = run[-half:], run[-2 * half : -half]
    return Trend(
        half,
        sum(w.meldingen for w in recent) / half,
        sum(w.meldingen for w in previous) / half,
        recent[0].start,
        recent[-1].start + dt.timedelta(days=6),
    )
