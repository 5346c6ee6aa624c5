"""What the indicator pages show, built from ``platform.indicators`` (an ``IndicatorService``):
numbers in the page's language, "geheim" for a value CBS kept secret, "–" with a reason for a
missing one, comparison tables with their sort, and the choice of period per indicator.

No HTTP here: ``indicator_pages`` and ``indicator_figures`` call these and render the result.
Computed in the web layer from what the interface gives (documented in docs/portal.md):
the latest period per indicator for a set of regions, the rank within a comparison, and the
resolution of region names typed in a form.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stadsdata.errors import NotFoundError, StadsdataError
from stadsdata.indicators.model import Direction, IndicatorDef, IndicatorValue, Level, Region
from stadsdata.web.i18n import Translator
from stadsdata.web.maps import MapLabels

MAX_REGIONS = 25  # regions in one comparison
PEERS = 8  # similar gemeenten next to the chosen one
SEARCH_RESULTS = 50


def number(t: Translator, value: float, decimals: int = 1) -> str:
    """``1234.5`` -> "1.234,5" in Dutch, "1,234.5" in English, with the definition's decimals."""
    text = f"{value:,.{max(0, decimals)}f}"
    if t.lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def labels(t: Translator, decimals: int = 1) -> MapLabels:
    return MapLabels(
        fmt=lambda v: number(t, v, decimals),
        places=lambda v, places: number(t, v, places),
        secret=t("ind.secret"),
        missing=t("ind.no_value"),
        legend=t("ind.map.legend"),
        classes_note=t("ind.map.classes"),
        regions=t("ind.map.regions"),
    )


@dataclass(frozen=True)
class Shown:
    """A value as a cell shows it."""

    text: str  # "48,0", "geheim" or "–"
    raw: float | None = None
    secret: bool = False
    missing: bool = False
    reason: str | None = None  # why a value is missing
    period: int | None = None

    @property
    def sort_value(self) -> str:
        return "" if self.raw is None else repr(self.raw)


def shown(t: Translator, definition: IndicatorDef, value: IndicatorValue | None, *, reason: str | None = None) -> Shown:
    if value is None:
        return Shown("–", missing=True, reason=reason or t("ind.missing.no_data"))
    if value.value is None:
        return Shown(t("ind.secret"), secret=True, period=value.period)
    return Shown(number(t, value.value, definition.decimals), raw=value.value, period=value.period)


def missing_reason(t: Translator, definition: IndicatorDef, level: Level, period: int | None = None) -> str:
    if level not in definition.levels:
        return t("ind.missing.level", level=t(f"ind.level.{level.value}"))
    if period is not None:
        return t("ind.missing.period", period=period)
    return t("ind.missing.no_data")


def direction_text(t: Translator, direction: Direction) -> str:
    return t(f"ind.direction.{direction.value}")


# -- regions ---------------------------------------------------------------------------------
def find_regions(service: Any, text: str, *, limit: int = SEARCH_RESULTS) -> list[Region]:
    """Regions whose code or name contains every word of ``text`` (case ignored); exact code first."""
    words = text.lower().split()
    if not words:
        return []
    everything: list[Region] = list(service.regions())
    exact = [r for r in everything if r.code.lower() == text.strip().lower()]
    found = [r for r in everything if r not in exact and all(w in f"{r.code} {r.name}".lower() for w in words)]
    order = {Level.land: 0, Level.gemeente: 1, Level.wijk: 2, Level.buurt: 3}
    found.sort(key=lambda r: (order.get(r.level, 9), r.name.lower()))
    return (exact + found)[:limit]


def resolve_region(service: Any, text: str) -> Region:
    """One region from a code or a name typed in a form; a clear error when it is not one."""
    text = text.strip()
    if not text:
        raise StadsdataError("regio: give a region code (GM0518, WK051801, BU05180101) or a name")
    try:
        return service.region(text.upper())  # type: ignore[no-any-return]
    except NotFoundError:
        pass
    everything = list(service.regions())
    named = [r for r in everything if r.name.lower() == text.lower()]
    if len(named) == 1:
        return named[0]
    gemeenten = [r for r in named if r.level == Level.gemeente]
    if len(gemeenten) == 1:
        return gemeenten[0]
    candidates = find_regions(service, text, limit=6)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        names = ", ".join(f"{r.name} ({r.code})" for r in candidates[:5])
        raise StadsdataError(f"regio: '{text[:60]}' is not one region; did you mean one of: {names}?")
    raise StadsdataError(f"regio: no region has the code or name '{text[:60]}'; expected e.g. GM0518 or 's-Gravenhage")


def split_regions(values: Iterable[str]) -> list[str]:
    """Region fields as typed: several per field, separated by commas or semicolons."""
    out: list[str] = []
    for value in values:
        out.extend(p.strip() for p in value.replace(";", ",").split(",") if p.strip())
    return out


# -- choosing periods ------------------------------------------------------------------------
def latest_values(values: Iterable[IndicatorValue], period: int | None = None) -> dict[tuple[str, str], IndicatorValue]:
    """Per (indicator, region) the value of ``period``, or else of the one period per indicator
    in which most of these regions have a value (secret counts), the latest on a tie: so a column
    compares like with like, and a year only one city published does not hide the others."""
    values = list(values)
    if period is not None:
        return {(v.indicator, v.region): v for v in values if v.period == period}
    coverage: dict[tuple[str, int], int] = {}
    for v in values:
        coverage[(v.indicator, v.period)] = coverage.get((v.indicator, v.period), 0) + 1
    best: dict[str, tuple[int, int]] = {}
    for (indicator, year), count in coverage.items():
        best[indicator] = max(best.get(indicator, (count, year)), (count, year))
    return {(v.indicator, v.region): v for v in values if v.period == best[v.indicator][1]}


# -- tables ----------------------------------------------------------------------------------
@dataclass
class Column:
    key: str  # "naam" or an indicator id
    title: str
    unit: str = ""
    period: int | None = None
    href: str | None = None
    sort_url: str = ""
    sorted: str | None = None  # "ascending" / "descending"


@dataclass
class TableRow:
    region: Region
    cells: list[Shown] = field(default_factory=list)
    highlight: bool = False
    rank_note: str | None = None


@dataclass
class Table:
    caption: str
    columns: list[Column]  # the first is the region name
    rows: list[TableRow]
    sort: str

    def csv_rows(self) -> tuple[list[str], list[list[str]]]:
        """The table as CSV: code, name, then one column per indicator (its period in the header);
        a secret value is the word "geheim", a missing value an empty cell (never 0)."""
        header = ["code", self.columns[0].title] + [
            f"{c.title} ({c.unit}, {c.period})" if c.period else f"{c.title} ({c.unit})" for c in self.columns[1:]
        ]
        body = []
        for row in self.rows:
            line = [row.region.code, row.region.name]
            for cell in row.cells:
                line.append("geheim" if cell.secret else ("" if cell.missing else repr(cell.raw)))
            body.append(line)
        return header, body


def region_table(
    t: Translator,
    definitions: Sequence[IndicatorDef],
    regions: Sequence[Region],
    values: Iterable[IndicatorValue],
    *,
    caption: str,
    sort: str = "",
    period: int | None = None,
    url: Any = None,
    highlight: str | None = None,
) -> Table:
    """Rows = regions, columns = indicators (each at its latest period with values, or ``period``).

    ``sort``: "naam", or an indicator id, "-" before it for descending; missing and secret values
    sort last either way. ``url(sort=...)`` makes the column headers' links."""
    chosen = latest_values(values, period)
    periods = {i: v.period for (i, _r), v in chosen.items()}
    key, descending = sort.lstrip("-"), sort.startswith("-")
    valid = {"naam"} | {d.id for d in definitions}
    if key and key not in valid:
        raise StadsdataError(
            f"sort: expected 'naam' or an indicator id of this table, optionally with '-'; got '{sort[:60]}'"
        )
    columns = [Column("naam", t("ind.table.region"))]
    for d in definitions:
        columns.append(
            Column(d.id, t.text(d.title).value, t.text(d.unit).value, periods.get(d.id), href=f"/indicatoren/{d.id}")
        )
    rows = []
    for region in regions:
        cells = [
            shown(t, d, chosen.get((d.id, region.code)), reason=missing_reason(t, d, region.level, periods.get(d.id)))
            for d in definitions
        ]
        rows.append(TableRow(region, cells, highlight=region.code == highlight))
    if key == "naam":
        rows.sort(key=lambda r: r.region.name.lower(), reverse=descending)
    elif key:
        index = [c.key for c in columns].index(key) - 1
        with_value = [r for r in rows if r.cells[index].raw is not None]
        without = [r for r in rows if r.cells[index].raw is None]
        with_value.sort(key=lambda r: r.cells[index].raw or 0.0, reverse=descending)
        rows = with_value + without
    for column in columns:
        if column.key == key:
            column.sorted = "descending" if descending else "ascending"
        if url is not None:
            next_sort = f"-{column.key}" if column.key == key and not descending else column.key
            column.sort_url = url(sort=next_sort)
    return Table(caption, columns, rows, sort)


def rank_in(definition: IndicatorDef, values: Sequence[IndicatorValue], code: str) -> tuple[int, int] | None:
    """The rank of ``code`` among ``values`` (1 = best by the direction; neutral: highest) and how many."""
    known = [v for v in values if v.value is not None]
    mine = next((v for v in known if v.region == code), None)
    if mine is None or mine.value is None:
        return None
    better = sum(
        1
        for v in known
        if v.value is not None
        and (v.value < mine.value if definition.direction == Direction.lower_is_better else v.value > mine.value)
    )
    return better + 1, len(known)
