"""The Wmo forecast on the portal (issue #8): ``/indicatoren/wmo-prognose``.

Per wijk: the Wmo clients and the rate per 1,000 inhabitants of 2019 (the last observed year),
the forecast per year with its 90% interval, and the expected growth (the last forecast year
against 2019, in %). A line chart with the interval as a band for the city and for one wijk
(``?wijk=WK0518xx``), a choropleth of the growth (``maps.choropleth``), a sortable table
(``?sort=``, like the monitor's), the method in plain Dutch with the validation figures read from
the model card in the algorithm register (never typed in here), and the limits.

- ``/indicatoren/wmo-prognose/download/tabel.csv``: the table as shown (one row per wijk).
- ``/indicatoren/wmo-prognose/download/jaren.csv``: every row of ``wmo_prognose`` (wijk x year).

Everything is read through the platform: ``wmo_prognose`` and the KWB table through the catalogue,
the rate from ``platform.indicators``, the card from ``platform.algorithms``. Without
``wmo_prognose`` the page says how to make it (``stadsdata models wmo train``), with status 200.
Public: the forecast and its sources are open data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from stadsdata.errors import NotFoundError, StadsdataError
from stadsdata.indicators.model import Level, Region
from stadsdata.models.wmo.contract import DATASET
from stadsdata.models.wmo.data import base_name
from stadsdata.models.wmo.service import BASE, MODEL_NAME, TECHNICAL
from stadsdata.web import charts, maps
from stadsdata.web.i18n import Translator
from stadsdata.web.indicator_views import Column, Shown, Table, TableRow, labels, latest_values, number
from stadsdata.web.portal import _render, _translator

router = APIRouter(include_in_schema=False)
PAGE = "/indicatoren/wmo-prognose"
RATE = "wmo_clienten_per_1000"
MODEL_SOURCE_ID = f"stadsdata-model:{MODEL_NAME}"
MEASURED = "Gemeten prestaties: "  # how ModelCard.fields() joins the method and the performance
BAND = "#b9cde0"
OBSERVED = "#b3541e"


def install(app: FastAPI) -> None:
    app.include_router(router)


# -- the data --------------------------------------------------------------------------------
@dataclass
class Year:
    year: int
    forecast: int
    lower: int
    upper: int
    population: int
    per_1000: float


@dataclass
class Area:
    code: str
    name: str
    clients: int | None = None  # 2019, observed; None: secret or not published
    rate: float | None = None  # 2019, per 1,000 inhabitants (the indicator)
    secret: bool = False
    years: list[Year] = field(default_factory=list)
    note: str | None = None  # wmo_prognose.toelichting: why this wijk's forecast is uncertain

    @property
    def last(self) -> Year | None:
        return self.years[-1] if self.years else None

    @property
    def growth(self) -> float | None:
        if self.last is None or not self.clients:
            return None
        return round(100 * (self.last.forecast / self.clients - 1), 1)


@dataclass
class Forecast:
    city: Area
    wijken: list[Area]  # every wijk of the city, modelled or not, by name
    years: list[int]
    version: str
    dataset_version: int
    rows: list[dict[str, Any]]  # wmo_prognose as stored

    @property
    def modelled(self) -> list[Area]:
        return [w for w in self.wijken if w.years]


def _query(platform: Any, sql: str) -> list[dict[str, Any]]:
    result = platform.catalog.query(sql)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def _observed(platform: Any) -> dict[str, int | None]:
    """Wmo clients per wijk and gemeente in the model's base year (``WmoClienten`` of the KWB table)."""
    if not platform.metastore.has_dataset(BASE) or platform.metastore.get_dataset(BASE).current_version is None:
        return {}
    rows = _query(platform, f'SELECT * FROM "{BASE}"')
    if not rows:
        return {}
    names = {base_name(c): c for c in rows[0]}
    code, wmo = names.get("wijkenenbuurten"), names.get("wmoclienten")
    if code is None or wmo is None:
        return {}
    out: dict[str, int | None] = {}
    for row in rows:
        key = str(row[code] or "").strip()
        if key.startswith(("WK", "GM")):
            out[key] = None if row[wmo] is None else int(row[wmo])
    return out


def load(platform: Any) -> Forecast | None:
    """The forecast with the observed figures next to it; None while ``wmo_prognose`` does not exist."""
    metastore = platform.metastore
    if not metastore.has_dataset(DATASET):
        return None
    record = metastore.get_dataset(DATASET)
    if record.current_version is None:
        return None
    rows = _query(platform, f'SELECT * FROM "{DATASET}" ORDER BY gebiedsniveau DESC, gebiedscode, jaar')
    if not rows:
        return None
    gemeente = next((str(r["gebiedscode"]) for r in rows if r["gebiedsniveau"] == "gemeente"), None)
    indicators = platform.indicators
    names: dict[str, str] = {}
    rates: dict[str, Any] = {}
    if gemeente:
        try:  # the names and rates come from the indicator table; without it the page shows codes
            names = {r.code: r.name for r in indicators.regions(level=Level.wijk, gemeente=gemeente)}
            values = indicators.values(indicators=[RATE], level=Level.wijk, gemeente=gemeente)
        except NotFoundError:
            values = []
        rates = {region: v for (_i, region), v in latest_values(values, 2019).items()}
    observed = _observed(platform)
    areas: dict[str, Area] = {}
    for code in sorted(set(names) | {str(r["gebiedscode"]) for r in rows if r["gebiedsniveau"] == "wijk"}):
        value = rates.get(code)
        areas[code] = Area(
            code,
            names.get(code, code),
            clients=observed.get(code),
            rate=None if value is None else value.value,
            secret=value is not None and value.value is None,
        )
    city_name = gemeente or ""
    if gemeente:
        try:
            city_name = indicators.region(gemeente).name
        except NotFoundError:
            pass
    city = Area(gemeente or "", city_name)
    for r in rows:
        year = Year(
            int(r["jaar"]),
            int(r["prognose"]),
            int(r["ondergrens"]),
            int(r["bovengrens"]),
            int(r["inwoners"]),
            float(r["per_1000_inwoners"]),
        )
        target = city if r["gebiedsniveau"] == "gemeente" else areas[str(r["gebiedscode"])]
        target.years.append(year)
        if r.get("toelichting"):
            target.note = str(r["toelichting"])
    city.clients = observed.get(city.code)  # the gemeente's own count (CBS), secret wijken included
    return Forecast(
        city,
        sorted(areas.values(), key=lambda a: a.name.lower()),
        sorted({int(r["jaar"]) for r in rows}),
        str(rows[0]["modelversie"]),
        int(record.current_version),
        rows,
    )


@dataclass
class Card:
    id: str
    performance: str
    risks: str
    human: str

    @property
    def plain(self) -> str:
        """The measured performance in plain words (B1): the part before ``TECHNICAL``."""
        return self.performance.split(TECHNICAL, 1)[0].strip() if TECHNICAL in self.performance else ""

    @property
    def technical(self) -> str:
        return self.performance.split(TECHNICAL, 1)[1].strip() if TECHNICAL in self.performance else self.performance


def model_card(platform: Any) -> Card | None:
    """The model's entry in the algorithm register (written by ``stadsdata models wmo train``)."""
    try:
        entry = platform.algorithms.get(MODEL_SOURCE_ID)
    except NotFoundError:
        return None
    methods = str(entry.fields.get("methods_and_models", ""))
    performance = methods.split(MEASURED, 1)[1].strip() if MEASURED in methods else ""
    return Card(
        entry.id, performance, str(entry.fields.get("risks", "")), str(entry.fields.get("human_intervention", ""))
    )


# -- the views -------------------------------------------------------------------------------
def band_chart(
    observed: tuple[int, float] | None,
    years: list[Year],
    *,
    title: str,
    unit: str,
    names: dict[str, str],
    labels: charts.Labels,
    uid: str,
    width: int = 640,
) -> str:
    """The forecast as a line with its interval as a band, and the observed value as a dot."""
    periods = [y.year for y in years] + ([observed[0]] if observed else [])
    first, last = min(periods), max(periods)
    values = [v for y in years for v in (y.lower, y.upper, y.forecast)] + ([observed[1]] if observed else [])
    ticks = charts.nice_ticks(0.0, max(values) if values else 1.0)
    low, high = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1
    top, plot_h, right = 30, 220, 24.0
    left = max(56.0, max(len(labels.tick(t, ticks)) * 13 * 0.6 for t in ticks) + 16)
    entries = [(names["forecast"], "line"), (names["band"], "band")] + (
        [(names["observed"], "dot")] if observed else []
    )
    height = top + plot_h + 30 + 22 * len(entries) + 8
    span = max(1, last - first)

    def x(year: int) -> float:
        return left + (year - first) / span * (width - left - right)

    def y(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    fmt = labels.fmt
    described = "; ".join(f"{p.year}: {fmt(p.forecast)} ({fmt(p.lower)} – {fmt(p.upper)})" for p in years)
    if observed:
        described = f"{names['observed']} {observed[0]}: {fmt(observed[1])}; {described}"
    a = charts.attr
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{uid}-title {uid}-desc" font-family="{charts.FONT}" font-size="13" '
        'class="chart chart--band">',
        f'<title id="{uid}-title">{a(title)}</title>',
        f'<desc id="{uid}-desc">{a(unit)}. {a(described)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left:.1f}" y="16" fill="{charts.MUTED}">{a(unit)}</text>',
    ]
    for tick in ticks:
        out.append(
            f'<line x1="{left:.1f}" x2="{width - right:.1f}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{charts.GRID}"/>'
        )
        out.append(
            f'<text x="{left - 6:.1f}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{charts.MUTED}">'
            f"{a(labels.tick(tick, ticks))}</text>"
        )
    for year in range(first, last + 1):
        out.append(
            f'<text x="{x(year):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="{charts.MUTED}">{year}</text>'
        )
    if years:
        upper = [f"{x(p.year):.1f},{y(p.upper):.1f}" for p in years]
        lower = [f"{x(p.year):.1f},{y(p.lower):.1f}" for p in reversed(years)]
        out.append(f'<polygon points="{" ".join(upper + lower)}" fill="{BAND}" stroke="none" data-band="1"/>')
        line = " ".join(f"{x(p.year):.1f},{y(p.forecast):.1f}" for p in years)
        out.append(f'<polyline points="{line}" fill="none" stroke="{charts.HIGHLIGHT}" stroke-width="2.5"/>')
        for p in years:
            tip = f"{p.year}: {fmt(p.forecast)} ({names['band']}: {fmt(p.lower)} – {fmt(p.upper)})"
            out.append(
                f'<circle cx="{x(p.year):.1f}" cy="{y(p.forecast):.1f}" r="4.5" fill="{charts.HIGHLIGHT}">'
                f"<title>{a(tip)}</title></circle>"
            )
    if observed:
        out.append(
            f'<circle cx="{x(observed[0]):.1f}" cy="{y(observed[1]):.1f}" r="5.5" fill="{OBSERVED}">'
            f"<title>{a(names['observed'])} {observed[0]}: {a(fmt(observed[1]))}</title></circle>"
        )
    for i, (name, kind) in enumerate(entries):
        ly = top + plot_h + 36 + i * 22
        if kind == "line":
            out.append(
                f'<line x1="{left:.1f}" x2="{left + 14:.1f}" y1="{ly + 7:.1f}" y2="{ly + 7:.1f}" '
                f'stroke="{charts.HIGHLIGHT}" stroke-width="3"/>'
            )
        elif kind == "band":
            out.append(f'<rect x="{left:.1f}" y="{ly:.1f}" width="14" height="14" fill="{BAND}"/>')
        else:
            out.append(f'<circle cx="{left + 7:.1f}" cy="{ly + 7:.1f}" r="5.5" fill="{OBSERVED}"/>')
        out.append(f'<text x="{left + 20:.1f}" y="{ly + 12:.1f}" fill="{charts.TEXT}">{a(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _chart(t: Translator, area: Area, uid: str, base_year: int) -> str:
    observed = (base_year, float(area.clients)) if area.clients is not None else None
    return band_chart(
        observed,
        area.years,
        title=t("wmo.chart.title", name=area.name),
        unit=t("wmo.chart.unit"),
        names={"forecast": t("wmo.forecast"), "band": t("wmo.interval"), "observed": t("wmo.observed")},
        labels=labels(t, 0),
        uid=uid,
    )


def _map(t: Translator, platform: Any, forecast: Forecast, chosen: str | None) -> tuple[str, int]:
    try:
        geojson = platform.indicators.boundaries(Level.wijk, gemeente=forecast.city.code)
    except NotFoundError:
        geojson = {"features": []}
    if not geojson.get("features"):  # no wijk boundaries loaded: the page says so instead of a map
        return "", 0
    modelled = {w.code for w in forecast.modelled}
    cells = {w.code: maps.Cell(w.growth) for w in forecast.modelled if w.growth is not None}
    svg = maps.choropleth(
        geojson,
        cells,
        title=t("wmo.map.title", first=2019, last=forecast.years[-1], name=forecast.city.name),
        unit=t("wmo.map.unit", first=2019, last=forecast.years[-1]),
        labels=replace(labels(t, 1), missing=t("wmo.map.missing")),
        href=lambda code: f"{PAGE}?wijk={code}#wijk" if code in modelled else None,
        highlight=chosen,
        uid="wmo-growth",
    )
    return svg, len(geojson.get("features", []))


COLUMNS = ("clienten", "per_1000", "prognose", "ondergrens", "bovengrens", "groei")


def table(t: Translator, forecast: Forecast, sort: str = "", chosen: str | None = None) -> Table:
    last = forecast.years[-1]
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key and key not in ("naam", *COLUMNS):
        raise StadsdataError(
            f"sort: expected naam or one of {', '.join(COLUMNS)}, optionally with '-'; got '{sort[:40]}'"
        )
    columns = [
        Column("naam", t("ind.table.region")),
        Column("clienten", t("wmo.col.clients_in", year=2019)),
        Column("per_1000", t("wmo.col.rate_in", year=2019)),
        Column("prognose", t("wmo.col.in", name=t("wmo.col.forecast"), year=last)),
        Column("ondergrens", t("wmo.col.in", name=t("wmo.col.lower"), year=last)),
        Column("bovengrens", t("wmo.col.in", name=t("wmo.col.upper"), year=last)),
        Column("groei", t("wmo.col.growth_pct")),
    ]
    not_modelled = t("wmo.not_modelled")

    def cell(
        value: float | None, decimals: int, *, secret: bool = False, reason: str | None = None, signed: bool = False
    ) -> Shown:
        if secret:
            return Shown(t("ind.secret"), secret=True)
        if value is None:
            return Shown("–", missing=True, reason=reason or t("ind.missing.no_data"))
        return Shown(("+" if signed and value > 0 else "") + number(t, value, decimals), raw=value)

    rows = []
    for w in forecast.wijken:
        p = w.last
        rows.append(
            TableRow(
                Region(w.code, w.name, Level.wijk, forecast.city.code),
                [
                    cell(w.clients, 0, secret=w.clients is None and w.secret),
                    cell(w.rate, 1, secret=w.secret),
                    cell(p.forecast if p else None, 0, reason=not_modelled),
                    cell(p.lower if p else None, 0, reason=not_modelled),
                    cell(p.upper if p else None, 0, reason=not_modelled),
                    cell(w.growth, 1, reason=not_modelled if p is None else t("wmo.no_growth"), signed=True),
                ],
                highlight=w.code == chosen,
            )
        )
    if key == "naam":
        rows.sort(key=lambda r: r.region.name.lower(), reverse=descending)
    elif key:
        index = COLUMNS.index(key)
        known = sorted(
            (r for r in rows if r.cells[index].raw is not None),
            key=lambda r: r.cells[index].raw or 0.0,
            reverse=descending,
        )
        rows = known + [r for r in rows if r.cells[index].raw is None]
    keep = [("wijk", chosen)] if chosen else []
    for column in columns:
        if column.key == key:
            column.sorted = "descending" if descending else "ascending"
        following = f"-{column.key}" if column.key == key and not descending else column.key
        column.sort_url = f"{PAGE}?" + urlencode([*keep, ("sort", following)]) + "#tabel"
    return Table(t("wmo.table.caption", last=last, name=forecast.city.name), columns, rows, sort)


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def table_csv(shown: Table, last: int) -> str:
    """The table as shown, with plain column names; a secret value is "geheim", a missing one empty."""
    header = ["code", "naam", "wmo_clienten_2019", "per_1000_inwoners_2019"]
    header += [f"prognose_{last}", f"ondergrens_{last}", f"bovengrens_{last}", f"groei_pct_2019_{last}"]
    rows = [
        [row.region.code, row.region.name]
        + ["geheim" if c.secret else ("" if c.raw is None else repr(c.raw)) for c in row.cells]
        for row in shown.rows
    ]
    return _csv(header, rows)


def years_csv(forecast: Forecast) -> str:
    names = {w.code: w.name for w in forecast.wijken} | {forecast.city.code: forecast.city.name}
    header = ["gebiedscode", "naam", "gebiedsniveau", "jaar", "inwoners", "prognose", "ondergrens", "bovengrens"]
    header += ["per_1000_inwoners", "modelversie", "toelichting"]
    rows = [
        [r["gebiedscode"], names.get(r["gebiedscode"], ""), r["gebiedsniveau"], r["jaar"], r["inwoners"]]
        + [r["prognose"], r["ondergrens"], r["bovengrens"], r["per_1000_inwoners"], r["modelversie"]]
        + [r.get("toelichting") or ""]
        for r in forecast.rows
    ]
    return _csv(header, rows)


# -- the routes ------------------------------------------------------------------------------
@router.get(PAGE, response_class=HTMLResponse, name="wmo.forecast")
def forecast_page(request: Request) -> Response:
    platform = request.app.state.platform
    t = _translator(request)
    forecast = load(platform)
    if forecast is None:
        return _render(request, "wmo_forecast.html", {"forecast": None, "number": number})
    wanted = (request.query_params.get("wijk") or "").strip().upper()[:20]
    by_code = {w.code: w for w in forecast.modelled}
    if wanted and wanted not in by_code:
        raise StadsdataError(f"wijk: expected the code of a wijk in the forecast, e.g. {next(iter(by_code), 'WK...')}")
    chosen = by_code[wanted] if wanted else (forecast.modelled[0] if forecast.modelled else None)
    sort = (request.query_params.get("sort") or "").strip()[:40]
    svg, regions = _map(t, platform, forecast, chosen.code if chosen else None)
    city = forecast.city
    return _render(
        request,
        "wmo_forecast.html",
        {
            "forecast": forecast,
            "number": number,
            "city": city,
            "chosen": chosen,
            "city_chart": _chart(t, city, "wmo-city", 2019),
            "wijk_chart": _chart(t, chosen, "wmo-wijk", 2019) if chosen else None,
            "map_svg": svg,
            "map_regions": regions,
            "table": table(t, forecast, sort, chosen.code if chosen else None),
            "sort": sort,
            "card": model_card(platform),
            "first": forecast.years[0],
            "last": forecast.years[-1],
        },
    )


DOWNLOADS = ("tabel.csv", "jaren.csv", "grafiek.svg", "grafiek.png", "kaart.svg", "kaart.png")
MEDIA = {"csv": "text/csv; charset=utf-8", "svg": "image/svg+xml", "png": "image/png"}


def _figure(request: Request, forecast: Forecast, name: str) -> str:
    """The chart (the city's, or ``?wijk=``'s) or the growth map as SVG, as the page shows it."""
    t = _translator(request)
    wanted = (request.query_params.get("wijk") or "").strip().upper()[:20]
    by_code = {w.code: w for w in forecast.modelled}
    if wanted and wanted not in by_code:
        raise StadsdataError(f"wijk: expected the code of a wijk in the forecast, e.g. {next(iter(by_code), 'WK...')}")
    if name.startswith("grafiek"):
        return _chart(t, by_code[wanted] if wanted else forecast.city, "wmo-chart", 2019)
    svg, _ = _map(t, _platform(request), forecast, wanted or None)
    if not svg:
        raise NotFoundError("there is no map: the wijk boundaries have not been loaded")
    return svg


@router.get(PAGE + "/download/{name}", name="wmo.download")
def download(request: Request, name: str) -> Response:
    if name not in DOWNLOADS:
        raise StadsdataError(f"expected one of {', '.join(DOWNLOADS)}; got '{name[:40]}'")
    forecast = load(_platform(request))
    if forecast is None:
        raise NotFoundError(f"dataset {DATASET!r} does not exist yet; make it with `stadsdata models wmo train`")
    suffix = name.rsplit(".", 1)[1]
    if suffix in ("svg", "png"):
        svg = _figure(request, forecast, name)
        return Response(
            svg.encode() if suffix == "svg" else charts.to_png(svg),
            media_type=MEDIA[suffix],
            headers={
                "Content-Disposition": f'attachment; filename="wmo-prognose-{name}"',
                "Cache-Control": "public, max-age=300",
            },
        )
    if name == "tabel.csv":
        sort = (request.query_params.get("sort") or "").strip()[:40]
        body = table_csv(table(_translator(request), forecast, sort), forecast.years[-1])
    else:
        body = years_csv(forecast)
    headers = {
        "Content-Disposition": f'attachment; filename="wmo-prognose-{name}"',
        "Cache-Control": "public, max-age=300",
    }
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


def _platform(request: Request) -> Any:
    return request.app.state.platform
