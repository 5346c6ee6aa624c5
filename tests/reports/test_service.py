"""The aggregations of the reports area on the real Assen reports, checked against Python's own
count of the shipped file (csv module, no engine)."""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import Counter
from pathlib import Path

import pytest
from shapely.geometry import Point, Polygon

from stadsdata.indicators.model import Level
from stadsdata.platform import Platform
from stadsdata.reports import TEMPLATE, UNSAFE_TRAFFIC, ReportFilter, ReportsError, outline
from tests.reports.conftest import REPORTS, rows


def disc(values: list[int], share: float) -> int | None:
    """percentile_disc: the first value whose cumulative share reaches ``share``."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] if ordered else None


def created_day(row: dict[str, str]) -> dt.date:
    return dt.datetime.fromisoformat(row["created_at"]).astimezone(dt.UTC).date()


def test_the_demo_file_is_a_reports_dataset(reports_platform: Platform) -> None:
    assert [r.id for r in reports_platform.reports.datasets()] == [TEMPLATE]


def test_totals_categories_and_areas_match_the_file(reports_platform: Platform) -> None:
    d = reports_platform.reports.dashboard(TEMPLATE)
    data = rows()
    assert d.totals.meldingen == len(data)
    assert d.totals.nog_open == sum(1 for r in data if not r["resolved_date"])
    assert d.totals.eerste == min(created_day(r) for r in data)
    assert d.totals.laatste == max(created_day(r) for r in data)
    assert d.observed_from == min(dt.date.fromisoformat(r["resolved_date"]) for r in data if r["resolved_date"])
    assert d.before_observation == sum(1 for r in data if created_day(r) < d.observed_from)
    assert Counter({(c.hoofdcategorie, c.subcategorie): c.meldingen for c in d.categories}) == Counter(
        (r["hoofdcategorie"], r["subcategorie"]) for r in data
    )
    assert {m.hoofdcategorie: m.meldingen for m in d.main} == Counter(r["hoofdcategorie"] for r in data)
    assert [m.meldingen for m in d.main] == sorted((m.meldingen for m in d.main), reverse=True)
    assert {a.wijk: a.meldingen for a in d.areas} == Counter(r["wijk"] for r in data)
    assert {a.wijk: a.nog_open for a in d.areas} == Counter(r["wijk"] for r in data if not r["resolved_date"]) | {
        a.wijk: 0 for a in d.areas if a.nog_open == 0
    }


def test_resolution_times_are_the_median_and_90th_percentile_of_days_open(reports_platform: Platform) -> None:
    d = reports_platform.reports.dashboard(TEMPLATE)
    data = rows()
    assert d.resolution_by == "hoofdcategorie"
    for r in d.resolution:
        days = [int(x["days_open"]) for x in data if x["hoofdcategorie"] == r.group and x["days_open"]]
        assert r.afgehandeld == len(days)
        assert (r.mediaan_dagen, r.p90_dagen) == (disc(days, 0.5), disc(days, 0.9)), r.group
    everything = [int(x["days_open"]) for x in data if x["days_open"]]
    assert (d.overall.mediaan_dagen, d.overall.p90_dagen) == (disc(everything, 0.5), disc(everything, 0.9))
    assert d.overall.nog_open + d.overall.afgehandeld == d.overall.meldingen == len(data)


def test_weeks_are_iso_weeks_and_the_trend_uses_whole_observed_weeks(reports_platform: Platform) -> None:
    d = reports_platform.reports.dashboard(TEMPLATE)
    data = rows()
    mondays = Counter(created_day(r) - dt.timedelta(days=created_day(r).weekday()) for r in data)
    assert {w.start: w.meldingen for w in d.weeks} == mondays
    assert all(w.start.weekday() == 0 for w in d.weeks)
    observed = [w for w in d.weeks if w.complete]
    assert observed and observed[0].start >= d.observed_from
    assert observed[-1].start + dt.timedelta(days=6) <= d.observed_to
    assert d.trend is not None and d.trend.weeks == 4
    recent = observed[-4:]
    assert d.trend.recent == sum(w.meldingen for w in recent) / 4
    assert d.trend.previous == sum(w.meldingen for w in observed[-8:-4]) / 4


def test_a_filter_by_category_and_period(reports_platform: Platform) -> None:
    f = ReportFilter.parse("Wegen, verkeer en straatmeubilair", UNSAFE_TRAFFIC, "2026-06-01", "2026-07-31")
    d = reports_platform.reports.dashboard(TEMPLATE, f)
    expected = [
        r
        for r in rows()
        if r["subcategorie"] == UNSAFE_TRAFFIC and dt.date(2026, 6, 1) <= created_day(r) <= dt.date(2026, 7, 31)
    ]
    assert 0 < d.totals.meldingen == len(expected) < 156
    assert d.resolution_by == "subcategorie"
    assert [r.group for r in d.resolution] == [UNSAFE_TRAFFIC]
    assert sum(c.count for c in d.cells) == len(expected)
    # the filter's choices stay those of the whole dataset
    assert UNSAFE_TRAFFIC in d.options["Wegen, verkeer en straatmeubilair"] and len(d.options) == 8


def test_points_are_binned_in_250_m_cells_that_hold_them(reports_platform: Platform) -> None:
    d = reports_platform.reports.dashboard(TEMPLATE)
    assert d.cell_size == 250
    assert sum(c.count for c in d.cells) == len(rows())
    assert len({c.code for c in d.cells}) == len(d.cells)
    assert all(c.x % 250 == 0 and c.y % 250 == 0 for c in d.cells)
    # every point lies in the cell it was counted in (the cell's corners projected back to WGS84)
    shapes = {c.code: (Polygon(c.ring()), c.count) for c in d.cells}
    found = Counter()
    for lon, lat, n in d.points:
        inside = [code for code, (poly, _) in shapes.items() if poly.buffer(1e-7).contains(Point(lon, lat))]
        assert inside, (lon, lat)
        found[inside[0]] += n
    assert sum(found.values()) == len(rows())


def test_the_outline_is_the_gemeente_that_holds_the_reports(reports_platform: Platform) -> None:
    d = reports_platform.reports.dashboard(TEMPLATE)
    feature = outline(reports_platform.indicators.boundaries(Level.gemeente), d.points)
    assert feature is not None and feature["properties"]["code"] == "GM0106"


def test_another_city_delivers_its_export_under_the_template_contract(
    reports_platform: Platform, tmp_path: Path
) -> None:
    """Any delivery with the template's columns is a reports dataset: here a real part of the file."""
    with REPORTS.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        part = [row for row in reader if row[header.index("hoofdcategorie")] == "Afval"]
    file = tmp_path / "export.csv"
    with file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *part])
    reports_platform.ingest(file, "meldingen_afval_deel", like=TEMPLATE, title="Meldingen afval (deel)")
    assert [r.id for r in reports_platform.reports.datasets()] == ["meldingen_afval_deel", TEMPLATE]
    d = reports_platform.reports.dashboard("meldingen_afval_deel")
    assert d.totals.meldingen == len(part)
    assert [m.hoofdcategorie for m in d.main] == ["Afval"]


def test_bad_questions_get_one_line_saying_what_exists(reports_platform: Platform) -> None:
    reports = reports_platform.reports
    with pytest.raises(ReportsError, match=r"^hoofdcategorie: expected one of Afval, Civiele Constructie"):
        reports.dashboard(TEMPLATE, ReportFilter("Parkeren"))
    with pytest.raises(ReportsError, match=r"subcategorie: expected a sub category of 'Afval' \(.*Dumping"):
        reports.dashboard(TEMPLATE, ReportFilter("Afval", UNSAFE_TRAFFIC))
    with pytest.raises(ReportsError, match=r"dataset 'cbs_gemeenten_2024' is not a reports dataset: column 'id'"):
        reports.dashboard("cbs_gemeenten_2024")
    with pytest.raises(Exception, match="not found"):
        reports.dashboard("bestaat_niet")


def test_an_empty_selection_is_not_an_error(reports_platform: Platform) -> None:
    d = reports_platform.reports.dashboard(TEMPLATE, ReportFilter.parse("", "", "2030-01-01", ""))
    assert d.totals.meldingen == 0 and d.cells == [] and d.weeks == [] and d.trend is None
    assert d.overall.mediaan_dagen is None
