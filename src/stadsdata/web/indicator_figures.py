"""The charts, maps and tables of the indicator pages as ``Figure`` objects, built from query
parameters, so one figure has one address per use: on its page, as a download
(``/indicatoren/download/{kind}.{csv|svg|png}?...``) and embedded (``/embed/{kind}?...``).

Kinds and their parameters (all Dutch, like the portal's):

- ``kaart``: ``indicator``, ``niveau`` (gemeente, wijk, buurt), ``gemeente`` (for wijk and buurt),
  ``periode``, ``regio`` (outlined). A choropleth (``maps.choropleth``) and its values.
- ``trend``: ``indicator``, ``regio`` (repeat). A line per region over the periods.
- ``staaf``: ``indicator``, ``regio`` (repeat), ``periode``, ``uitgelicht``. Bars, in the order given.
- ``vergelijking``: ``regio`` (repeat), ``thema``, ``periode``, ``sort``. The comparison table.
- ``monitor``: ``monitor``, ``sort``. The monitor's table (its regions x its indicators).
- ``profiel``: ``regio``, ``periode``. Every indicator of a region with the reference value and rank.

A bad parameter is a ``StadsdataError`` whose one line says what was expected (a 400).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from stadsdata.errors import StadsdataError
from stadsdata.indicators.model import IndicatorDef, Level, Region
from stadsdata.web import charts, maps
from stadsdata.web.i18n import Translator
from stadsdata.web.indicator_views import (
    MAX_REGIONS,
    Shown,
    Table,
    labels,
    latest_values,
    missing_reason,
    number,
    region_table,
    resolve_region,
    shown,
    split_regions,
)

KINDS = ("kaart", "trend", "staaf", "vergelijking", "monitor", "profiel")
CHARTS = {"kaart", "trend", "staaf"}  # kinds with a picture (SVG, PNG); every kind has CSV
MAP_LEVELS = (Level.gemeente, Level.wijk, Level.buurt)


@dataclass
class Figure:
    kind: str
    title: str
    params: list[tuple[str, str]]  # the canonical query
    page: str  # the full page it belongs to
    svg: str | None = None
    table: Table | None = None
    header: list[str] = field(default_factory=list)  # CSV, when there is no ``table``
    rows: list[list[str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def query(self) -> str:
        return urlencode(self.params)

    def download(self, fmt: str) -> str:
        return f"/indicatoren/download/{self.kind}.{fmt}?{self.query}"

    @property
    def embed(self) -> str:
        return f"/embed/{self.kind}?{self.query}"

    @property
    def formats(self) -> tuple[str, ...]:
        return ("csv", "svg", "png") if self.svg else ("csv",)

    def csv(self) -> str:
        header, rows = self.table.csv_rows() if self.table else (self.header, self.rows)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()

    @property
    def filename(self) -> str:
        parts = [self.kind] + [v for k, v in self.params if k in ("indicator", "monitor", "thema", "niveau", "regio")]
        safe = "-".join(p for p in parts if p)[:120]
        return "".join(c if c.isalnum() or c in "-_" else "_" for c in safe)


class Params:
    """Query parameters, read strictly: a value that is not what a figure needs is one clear line."""

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self.items = [(k, v[:200]) for k, v in items]

    def one(self, name: str, default: str | None = None) -> str | None:
        found = [v for k, v in self.items if k == name and v.strip()]
        return found[-1].strip() if found else default

    def many(self, name: str) -> list[str]:
        found = split_regions(v for k, v in self.items if k == name)
        if len(found) > MAX_REGIONS:
            raise StadsdataError(f"{name}: at most {MAX_REGIONS} regions at once; got {len(found)}")
        return found

    def period(self) -> int | None:
        text = self.one("periode")
        if text is None:
            return None
        if not (text.isdigit() and len(text) == 4):
            raise StadsdataError(f"periode: expected a year such as 2019; got '{text[:20]}'")
        return int(text)

    def level(self, default: Level = Level.gemeente) -> Level:
        text = self.one("niveau", default.value)
        try:
            return Level(text)
        except ValueError:
            raise StadsdataError(f"niveau: expected gemeente, wijk or buurt; got '{str(text)[:20]}'") from None


def build(service: Any, t: Translator, kind: str, params: Params) -> Figure:
    if kind not in KINDS:
        raise StadsdataError(f"expected one of {', '.join(KINDS)}; got '{kind[:30]}'")
    builder = {
        "kaart": map_figure,
        "trend": trend_figure,
        "staaf": bars_figure,
        "vergelijking": comparison_figure,
        "monitor": monitor_figure,
        "profiel": profile_figure,
    }[kind]
    return builder(service, t, params)


def _definition(service: Any, params: Params) -> IndicatorDef:
    indicator = params.one("indicator")
    if not indicator:
        raise StadsdataError("indicator: expected the id of an indicator (see /api/v1/indicators)")
    return service.definition(indicator)  # type: ignore[no-any-return]  # NotFoundError: 404


def _sources(values: Sequence[Any]) -> list[str]:
    return sorted({v.source for v in values if getattr(v, "source", None)})


# -- map ---------------------------------------------------------------------------------------
def map_gemeenten(service: Any, level: Level) -> list[Region]:
    """The gemeenten whose ``level`` regions (wijken, buurten) have boundaries to draw, the
    monitors' gemeenten first."""
    features = service.boundaries(level).get("features", [])
    codes = {"GM" + str(f["properties"]["code"])[2:6] for f in features if f.get("properties", {}).get("code")}
    first = [m.gemeente for m in service.monitors()]
    found = [r for r in service.regions(level=Level.gemeente) if r.code in codes]
    return sorted(found, key=lambda r: (r.code not in first, r.name.lower()))


def map_figure(service: Any, t: Translator, params: Params) -> Figure:
    definition = _definition(service, params)
    level = params.level()
    if level not in MAP_LEVELS:
        raise StadsdataError(f"niveau: a map shows gemeente, wijk or buurt; got '{level.value}'")
    if level not in definition.levels:
        raise StadsdataError(f"niveau: '{definition.id}' is not computed per {level.value}")
    gemeente = None
    if level != Level.gemeente:
        choices = map_gemeenten(service, level)
        gemeente = params.one("gemeente", choices[0].code if choices else None)
        if gemeente is None or gemeente.upper() not in {g.code for g in choices}:
            known = ", ".join(g.code for g in choices) or "none"
            raise StadsdataError(f"gemeente: expected a gemeente with {level.value} data ({known}); got '{gemeente}'")
        gemeente = gemeente.upper()
    period = params.period()
    every = service.values(indicators=[definition.id], level=level, gemeente=gemeente)
    periods = sorted({v.period for v in every})
    asked = period
    if period is not None and period not in periods and period not in service.periods(definition.id):
        known = ", ".join(str(p) for p in service.periods(definition.id)) or "none"
        raise StadsdataError(f"periode: '{definition.id}' has the periods {known}; got {period}")
    if period is None or period not in periods:  # the year with the most regions (the latest on a tie)
        counts = {p: sum(1 for v in every if v.period == p) for p in periods}
        period = max(periods, key=lambda p: (counts[p], p)) if periods else None
    values = [v for v in every if v.period == period]
    highlight = params.one("regio")
    geojson = service.boundaries(level, gemeente=gemeente)
    cells = {v.region: maps.Cell(v.value, secret=v.value is None) for v in values}
    title = t("ind.map.title", indicator=t.text(definition.title).value, level=t(f"ind.levels.{level.value}"))
    if gemeente:
        title += f", {service.region(gemeente).name}"
    if period:
        title += f", {period}"
    unit = t.text(definition.unit).value
    svg = maps.choropleth(
        geojson,
        cells,
        title=title,
        unit=unit,
        labels=labels(t, definition.decimals),
        href=lambda code: f"/indicatoren/regio/{code}",
        highlight=highlight,
        uid=f"map-{definition.id}-{level.value}",
    )
    notes = []
    if asked is not None and asked != period:  # a year of the indicator, but not at this level (a form switch)
        notes.append(t("ind.map.period_other", asked=asked, level=t(f"ind.levels.{level.value}"), period=period or "–"))
    shapes = {str(f.get("properties", {}).get("code")) for f in geojson.get("features", [])}
    mismatches = {  # like IndicatorService.boundary_mismatches, but for this indicator's values
        "values_without_boundary": sorted(set(cells) - shapes),
        "boundaries_without_values": sorted(shapes - set(cells)),
    }
    for key, codes in mismatches.items():
        if codes:
            notes.append(f"{t(f'ind.map.mismatch.{key}')}: {', '.join(codes)}")
    query = [("indicator", definition.id), ("niveau", level.value)]
    if gemeente:
        query.append(("gemeente", gemeente))
    if period:
        query.append(("periode", str(period)))
    if highlight:
        query.append(("regio", highlight))
    regions = sorted({(v.region, v.region_name) for v in values}, key=lambda r: r[1].lower())
    table = _value_table(t, definition, regions, {v.region: v for v in values}, title)
    page = f"/indicatoren/{definition.id}?" + urlencode([q for q in query if q[0] != "indicator"])
    return Figure("kaart", title, query, page, svg=svg, table=table, sources=_sources(values), notes=notes)


def _value_table(
    t: Translator,
    definition: IndicatorDef,
    regions: Sequence[tuple[str, str]],
    by_code: Mapping[str, Any],
    caption: str,
) -> Table:
    from stadsdata.web.indicator_views import Column, TableRow

    rows = []
    for code, name in regions:
        region = Region(code, name, by_code[code].level, None)
        rows.append(TableRow(region, [shown(t, definition, by_code.get(code))]))
    columns = [
        Column("naam", t("ind.table.region")),
        Column(definition.id, t.text(definition.title).value, t.text(definition.unit).value),
    ]
    some = next(iter(by_code.values()), None)
    if some is not None:
        columns[1].period = some.period
    return Table(caption, columns, rows, "naam")


# -- trend and bars --------------------------------------------------------------------------
def _regions(service: Any, params: Params, name: str = "regio") -> list[Region]:
    wanted = params.many(name)
    if not wanted:
        raise StadsdataError(f"{name}: expected one or more region codes, e.g. {name}=GM0518")
    regions: list[Region] = []
    for text in wanted:
        region = resolve_region(service, text)
        if region not in regions:
            regions.append(region)
    return regions


def trend_figure(service: Any, t: Translator, params: Params) -> Figure:
    definition = _definition(service, params)
    regions = _regions(service, params)
    values = service.values(indicators=[definition.id], regions=[r.code for r in regions])
    series = [
        charts.Series(r.name, tuple(sorted((v.period, v.value) for v in values if v.region == r.code))) for r in regions
    ]
    series = [s for s in series if s.points]
    title = t("ind.trend.title", indicator=t.text(definition.title).value)
    unit = t.text(definition.unit).value
    width = _int(params.one("breedte"), 640, 320, 1280, "breedte") if params.one("breedte") else 640
    svg = charts.line_chart(
        series, title=title, unit=unit, labels=labels(t, definition.decimals), uid=f"trend-{definition.id}", width=width
    )
    header = ["code", t("ind.table.region"), t("ind.table.period"), f"{t.text(definition.title).value} ({unit})"]
    rows = [
        [v.region, v.region_name, str(v.period), "geheim" if v.value is None else repr(v.value)]
        for v in sorted(values, key=lambda v: (v.region, v.period))
    ]
    query = [("indicator", definition.id)] + [("regio", r.code) for r in regions]
    if width != 640:
        query.append(("breedte", str(width)))
    page = f"/indicatoren/{definition.id}?" + urlencode([("regio", r.code) for r in regions])
    return Figure("trend", title, query, page, svg=svg, header=header, rows=rows, sources=_sources(values))


def bars_figure(service: Any, t: Translator, params: Params) -> Figure:
    definition = _definition(service, params)
    regions = _regions(service, params)
    period = params.period()
    highlight = params.one("uitgelicht")
    values = service.values(indicators=[definition.id], regions=[r.code for r in regions])
    chosen = {region: v for (_i, region), v in latest_values(values, period).items()}
    period = period or next((v.period for v in chosen.values()), None)
    bars = []
    for r in regions:
        v = chosen.get(r.code)
        bars.append(
            charts.Bar(
                r.name,
                None if v is None else v.value,
                highlight=r.code == highlight,
                href=f"/indicatoren/regio/{r.code}",
                missing=v is None,
            )
        )
    title = t("ind.bars.title", indicator=t.text(definition.title).value, period=period or "–")
    unit = t.text(definition.unit).value
    svg = charts.bar_chart(
        bars, title=title, unit=unit, labels=labels(t, definition.decimals), uid=f"bars-{definition.id}"
    )
    header = ["code", t("ind.table.region"), t("ind.table.period"), f"{t.text(definition.title).value} ({unit})"]
    rows = []
    for r in regions:
        v = chosen.get(r.code)
        cell = "" if v is None else ("geheim" if v.value is None else repr(v.value))
        rows.append([r.code, r.name, str(period or ""), cell])
    query = [("indicator", definition.id)] + [("regio", r.code) for r in regions]
    if period:
        query.append(("periode", str(period)))
    if highlight:
        query.append(("uitgelicht", highlight))
    page = "/indicatoren/vergelijk?" + urlencode([("regio", r.code) for r in regions])
    return Figure("staaf", title, query, page, svg=svg, header=header, rows=rows, sources=_sources(chosen.values()))


# -- tables ------------------------------------------------------------------------------------
@dataclass
class Comparison:
    """Who is compared with whom, and why (the page's explanation)."""

    regions: list[Region]
    focus: Region | None  # the region the comparison is about (peers, or a wijk against its city)
    mode: str  # "peers", "city", "chosen"
    distances: dict[str, float] = field(default_factory=dict)


def comparison(service: Any, params: Params) -> Comparison:
    regions = _regions(service, params)
    if len(regions) == 1:
        focus = regions[0]
        if focus.level == Level.gemeente:
            peers = service.peers(focus.code, n=_int(params.one("aantal"), 8, 5, 10))
            return Comparison(
                [focus, *[p.region for p in peers]], focus, "peers", {p.region.code: p.distance for p in peers}
            )
        if focus.gemeente and focus.gemeente != focus.code:
            city = service.region(focus.gemeente)
            return Comparison([focus, city], focus, "city")
    return Comparison(regions, regions[0], "chosen")


def _int(text: str | None, default: int, low: int, high: int, name: str = "aantal") -> int:
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise StadsdataError(f"{name}: expected a whole number from {low} to {high}; got '{text[:20]}'")
    return int(text)


def theme_for(service: Any, params: Params) -> Any:
    themes = list(service.themes())
    wanted = params.one("thema")
    if wanted is None:
        if not themes:
            raise StadsdataError("thema: there are no themes")
        return themes[0]
    return service.theme(wanted)  # NotFoundError: 404


def comparison_figure(service: Any, t: Translator, params: Params) -> Figure:
    compared = comparison(service, params)
    theme = theme_for(service, params)
    definitions = [service.definition(i) for i in theme.indicators]
    codes = [r.code for r in compared.regions]
    period = params.period()
    values = service.values(indicators=[d.id for d in definitions], regions=codes)
    title = t("ind.compare.table", theme=t.text(theme.title).value)
    query = [("regio", c) for c in params.many("regio")] + [("thema", theme.id)]
    if period:
        query.append(("periode", str(period)))
    sort = params.one("sort", "") or ""

    def url(**extra: str) -> str:
        kept = [(k, v) for k, v in query if k != "sort"]
        return "/indicatoren/vergelijk?" + urlencode(kept + [("sort", extra["sort"])]) + "#vergelijking"

    table = region_table(
        t,
        definitions,
        compared.regions,
        values,
        caption=title,
        sort=sort,
        period=period,
        url=url,
        highlight=compared.focus.code if compared.focus else None,
    )
    if sort:
        query.append(("sort", sort))
    page = "/indicatoren/vergelijk?" + urlencode(query)
    return Figure("vergelijking", title, query, page, table=table, sources=_sources(values))


def monitor_figure(service: Any, t: Translator, params: Params) -> Figure:
    wanted = params.one("monitor")
    if not wanted:
        raise StadsdataError("monitor: expected the id of a monitor (see /indicatoren)")
    monitor = service.monitor(wanted)
    definitions = [service.definition(i) for i in monitor.indicators]
    regions = sorted(service.regions(level=monitor.level, gemeente=monitor.gemeente), key=lambda r: r.code)
    values = service.values(indicators=[d.id for d in definitions], level=monitor.level, gemeente=monitor.gemeente)
    title = t.text(monitor.title).value
    sort = params.one("sort", "") or ""
    query = [("monitor", monitor.id)]

    def url(**extra: str) -> str:
        return f"/indicatoren/monitor/{monitor.id}?" + urlencode([("sort", extra["sort"])]) + "#tabel"

    table = region_table(t, definitions, regions, values, caption=title, sort=sort, url=url)
    if sort:
        query.append(("sort", sort))
    page = f"/indicatoren/monitor/{monitor.id}"
    return Figure("monitor", title, query, page, table=table, sources=_sources(values))


@dataclass
class ProfileLine:
    definition: IndicatorDef
    value: Shown
    reference: Shown | None
    rank: tuple[int, int] | None


def profile_rows(service: Any, region: Region, period: int | None) -> list[Any]:
    """The region's ``ProfileRow`` per indicator. With a period: that period's profile. Without
    one: per indicator the latest period in which the region has a value that can be ranked
    (other regions of its level have one too), else the latest with any value (secret counts),
    so a profile mixes years rather than showing "no data" for indicators a newer source lacks,
    or "1 of 1" for a year only this city published (the service's own profile takes one
    period, the region's latest, for all)."""
    if period is not None:
        return list(service.profile(region.code, period))
    chosen: dict[str, Any] = {}
    order: list[str] = []
    for year in sorted(service.periods(), reverse=True):
        for row in service.profile(region.code, year):
            if row.indicator.id not in order:
                order.append(row.indicator.id)
            current = chosen.get(row.indicator.id)
            if current is None or _better(row, current):
                chosen[row.indicator.id] = row
    return [chosen[i] for i in order]


def _better(row: Any, current: Any) -> bool:
    """Whether an older period's row beats a newer one: a value over none, a ranked value over
    an unranked one."""
    if current.value is None:
        return row.value is not None
    ranked = current.value.value is not None and current.peers_of > 1
    return not ranked and row.value is not None and row.value.value is not None and row.peers_of > 1


def profile_lines(service: Any, t: Translator, region: Region, period: int | None) -> list[ProfileLine]:
    lines = []
    for row in profile_rows(service, region, period):
        d = row.indicator
        reason = missing_reason(t, d, region.level, period)
        value = shown(t, d, row.value, reason=reason)
        reference = shown(t, d, row.reference) if row.reference is not None else None
        rank = (row.rank, row.peers_of) if row.rank is not None and row.value is not None else None
        lines.append(ProfileLine(d, value, reference, rank))
    return lines


def profile_figure(service: Any, t: Translator, params: Params) -> Figure:
    text = params.one("regio")
    if not text:
        raise StadsdataError("regio: expected a region code, e.g. regio=GM0518")
    region = resolve_region(service, text)
    period = params.period()
    lines = profile_lines(service, t, region, period)
    reference = _reference_name(service, t, region)
    header = [
        "indicator",
        t("ind.profile.indicator"),
        t("ind.table.unit"),
        t("ind.table.period"),
        t("ind.profile.value"),
        f"{t('ind.profile.reference')} ({reference})",
        t("ind.profile.rank"),
        t("ind.profile.of"),
    ]
    rows = []
    for line in lines:
        rows.append(
            [
                line.definition.id,
                t.text(line.definition.title).value,
                t.text(line.definition.unit).value,
                str(line.value.period or ""),
                _csv_cell(line.value),
                _csv_cell(line.reference) if line.reference else "",
                str(line.rank[0]) if line.rank else "",
                str(line.rank[1]) if line.rank else "",
            ]
        )
    query = [("regio", region.code)] + ([("periode", str(period))] if period else [])
    title = t("ind.profile.title", name=region.name)
    return Figure("profiel", title, query, f"/indicatoren/regio/{region.code}", header=header, rows=rows)


def _csv_cell(cell: Shown) -> str:
    return "geheim" if cell.secret else ("" if cell.missing else repr(cell.raw))


def _reference_name(service: Any, t: Translator, region: Region) -> str:
    if region.level in (Level.wijk, Level.buurt) and region.gemeente:
        return str(service.region(region.gemeente).name)
    return t("ind.reference.land")


__all__ = ["CHARTS", "KINDS", "Figure", "Params", "build", "number"]
