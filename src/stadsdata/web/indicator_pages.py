"""The indicator pages of the portal (issue #6): dashboards per theme, product and monitor, a
profile per region, one page per indicator, comparisons, and every chart, map and table as a
download (CSV, SVG, PNG) and as an embeddable page.

- ``/indicatoren``: themes, products, monitors and a region search (``?q=``).
- ``/indicatoren/thema/{id}``, ``/indicatoren/product/{id}``: the set's indicators for one region
  (``?regio=``, default the first monitor's gemeente): value, reference, rank, and a trend where
  there are periods.
- ``/indicatoren/monitor/{id}``: the monitor's regions (e.g. the wijken of Den Haag) in a sortable
  table and on a map (``?kaart=`` picks the indicator).
- ``/indicatoren/regio/{code}``: every indicator for a gemeente, wijk or buurt, with its city's or
  the national value and its rank; "geheim" for a secret value, "–" and a reason for a missing one.
- ``/indicatoren/{id}``: the definition, a map per gemeente, wijk or buurt, and the trend.
- ``/indicatoren/vergelijk?regio=...``: a gemeente against its most similar gemeenten, a set the
  visitor picks, or a wijk or buurt against its city: a sortable table and bars per indicator.
- ``/indicatoren/download/{kind}.{csv|svg|png}`` and ``/embed/{kind}``: one figure
  (``indicator_figures``) as a file, or as a page without the site's frame that other sites may
  show in an iframe (``Content-Security-Policy: frame-ancestors *``; every other page is
  ``frame-ancestors 'none'``, see ``frames.py``).

Public pages (the indicators are computed from open CBS data). HTTP only: the numbers come from
``platform.indicators``; the views from ``indicator_views`` and ``indicator_figures``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from stadsdata.errors import NotFoundError, StadsdataError
from stadsdata.indicators.model import IndicatorDef, Level, Region
from stadsdata.web import charts
from stadsdata.web.i18n import Translator
from stadsdata.web.indicator_figures import (
    CHARTS,
    KINDS,
    Figure,
    Params,
    build,
    map_gemeenten,
    profile_lines,
    profile_rows,
)
from stadsdata.web.indicator_views import find_regions, latest_values, number, shown
from stadsdata.web.portal import _render, _translator

router = APIRouter(include_in_schema=False)
MEDIA = {"csv": "text/csv; charset=utf-8", "svg": "image/svg+xml", "png": "image/png"}
CACHE = "public, max-age=300"


def install(app: FastAPI) -> None:
    app.include_router(router)


def _service(request: Request) -> Any:
    return request.app.state.platform.indicators


def _params(request: Request, **override: str) -> Params:
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in override and k != "lang"]
    return Params(items + [(k, v) for k, v in override.items() if v])


def _page(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> Response:
    return _render(request, template, {"number": number, **context}, status=status)


# -- overview ---------------------------------------------------------------------------------
@router.get("/indicatoren", response_class=HTMLResponse, name="indicators.home")
def overview(request: Request) -> Response:
    service = _service(request)
    q = request.query_params.get("q", "").strip()[:100]
    found = find_regions(service, q) if q else []
    counts = {level: len(service.regions(level=level)) for level in Level}
    return _page(
        request,
        "indicators.html",
        {
            "themes": service.themes(),
            "products": service.products(),
            "monitors": service.monitors(),
            "definitions": {d.id: d for d in service.definitions()},
            "q": q,
            "found": found,
            "counts": counts,
        },
    )


# -- dashboards: a theme or a product for one region -----------------------------------------
def _default_region(service: Any) -> Region | None:
    """The first monitor's gemeente (the city this platform serves), else Nederland, else none."""
    monitors = list(service.monitors())
    if monitors:
        return service.region(monitors[0].gemeente)  # type: ignore[no-any-return]
    found = service.regions(level=Level.land) or service.regions(level=Level.gemeente)
    return found[0] if found else None


def _dashboard(request: Request, kind: str, item: Any) -> Response:
    service = _service(request)
    t = _translator(request)
    params = _params(request)
    wanted = params.one("regio")
    region = service.region(wanted.upper()) if wanted else _default_region(service)
    definitions = [service.definition(i) for i in item.indicators]
    tiles = []
    if region is not None:
        rows = {r.indicator.id: r for r in profile_rows(service, region, None)}
        history = service.values(indicators=[d.id for d in definitions], regions=[region.code])
        for d in definitions:
            points = sorted((v.period, v.value) for v in history if v.indicator == d.id)
            trend = None
            if len({p for p, _ in points}) > 1:
                query = [("indicator", d.id), ("regio", region.code), ("breedte", "400")]
                trend = build(service, t, "trend", Params(query))
            row = rows.get(d.id)
            tiles.append(_tile(t, d, region, row, trend))
    return _page(
        request,
        "indicator_set.html",
        {"kind": kind, "item": item, "region": region, "tiles": tiles, "definitions": definitions},
    )


def _tile(t: Translator, d: IndicatorDef, region: Region, row: Any, trend: Figure | None) -> dict[str, Any]:
    from stadsdata.web.indicator_views import missing_reason

    value = shown(t, d, row.value if row else None, reason=missing_reason(t, d, region.level))
    reference = shown(t, d, row.reference) if row is not None and row.reference is not None else None
    rank = (row.rank, row.peers_of) if row is not None and row.rank is not None and row.value is not None else None
    return {"definition": d, "value": value, "reference": reference, "rank": rank, "trend": trend}


@router.get("/indicatoren/thema/{theme_id}", response_class=HTMLResponse, name="indicators.theme")
def theme(request: Request, theme_id: str) -> Response:
    return _dashboard(request, "theme", _service(request).theme(theme_id))


@router.get("/indicatoren/product/{product_id}", response_class=HTMLResponse, name="indicators.product")
def product(request: Request, product_id: str) -> Response:
    return _dashboard(request, "product", _service(request).product(product_id))


# -- monitor ---------------------------------------------------------------------------------
@router.get("/indicatoren/monitor/{monitor_id}", response_class=HTMLResponse, name="indicators.monitor")
def monitor(request: Request, monitor_id: str) -> Response:
    service = _service(request)
    t = _translator(request)
    item = service.monitor(monitor_id)
    params = _params(request, monitor=item.id)
    table = build(service, t, "monitor", params)
    chosen = params.one("kaart", item.indicators[0] if item.indicators else None)
    if chosen not in item.indicators:
        raise StadsdataError(f"kaart: expected one of this monitor's indicators ({', '.join(item.indicators)})")
    figure = build(
        service,
        t,
        "kaart",
        Params([("indicator", chosen), ("niveau", item.level.value), ("gemeente", item.gemeente)]),
    )
    return _page(
        request,
        "indicator_monitor.html",
        {
            "item": item,
            "gemeente": service.region(item.gemeente),
            "table": table,
            "map": figure,
            "chosen": chosen,
            "definitions": [service.definition(i) for i in item.indicators],
        },
    )


# -- region profile --------------------------------------------------------------------------
@router.get("/indicatoren/regio/{code}", response_class=HTMLResponse, name="indicators.region")
def region(request: Request, code: str) -> Response:
    service = _service(request)
    t = _translator(request)
    found = service.region(code.upper())  # NotFoundError: the 404 page
    params = _params(request)
    period = params.period()
    lines = profile_lines(service, t, found, period)
    groups = _by_theme(service, lines)
    chain = _chain(service, found)
    children = _children(service, found)
    map_level, map_gemeente = _map_level(service, found)
    definitions = [line.definition for line in lines if map_level in line.definition.levels]
    figure = None
    chosen = params.one("kaart")
    if definitions and map_level is not None:
        ids = [d.id for d in definitions]
        if chosen is None:
            chosen = ids[0]
        elif chosen not in ids:
            raise StadsdataError(f"kaart: expected an indicator with values per {map_level.value}; got '{chosen[:60]}'")
        query = [("indicator", chosen), ("niveau", map_level.value)]
        if map_gemeente:
            query.append(("gemeente", map_gemeente))
        if found.level != Level.gemeente or map_level == Level.gemeente:
            query.append(("regio", found.code))
        figure = build(service, t, "kaart", Params(query))
    profile = build(
        service, t, "profiel", Params([("regio", found.code)] + ([("periode", str(period))] if period else []))
    )
    reference = (
        service.region(found.gemeente).name
        if found.level in (Level.wijk, Level.buurt) and found.gemeente
        else t("ind.reference.land")
    )
    return _page(
        request,
        "region.html",
        {
            "region": found,
            "groups": groups,
            "chain": chain,
            "children": children,
            "map": figure,
            "map_level": map_level,
            "map_definitions": definitions,
            "chosen": chosen,
            "profile": profile,
            "reference_name": reference,
            "period": period,
            "periods": sorted(service.periods()),
        },
    )


def _by_theme(service: Any, lines: list[Any]) -> list[tuple[Any, list[Any]]]:
    themes = list(service.themes())
    order = {th.id: i for i, th in enumerate(themes)}
    by_id = {th.id: th for th in themes}
    groups: dict[str, list[Any]] = {}
    for line in lines:
        groups.setdefault(line.definition.theme, []).append(line)
    out = []
    for key, members in sorted(groups.items(), key=lambda kv: order.get(kv[0], 99)):
        theme = by_id.get(key)
        place = {i: n for n, i in enumerate(theme.indicators)} if theme else {}
        out.append((theme, sorted(members, key=lambda line: place.get(line.definition.id, 999))))
    return out


def _chain(service: Any, region: Region) -> list[Region]:
    """The regions above this one: Nederland, its gemeente, its wijk."""
    chain = list(service.regions(level=Level.land))[:1]
    if region.level in (Level.wijk, Level.buurt) and region.gemeente:
        chain.append(service.region(region.gemeente))
    if region.level == Level.buurt and region.wijk:
        try:
            chain.append(service.region(region.wijk))
        except NotFoundError:
            pass
    return [r for r in chain if r.code != region.code]


def _children(service: Any, region: Region) -> list[Region]:
    if region.level == Level.gemeente:
        return sorted(service.regions(level=Level.wijk, gemeente=region.code), key=lambda r: r.code)
    if region.level == Level.wijk and region.gemeente:
        buurten = service.regions(level=Level.buurt, gemeente=region.gemeente)
        return sorted((b for b in buurten if b.wijk == region.code), key=lambda r: r.code)
    return []


def _map_level(service: Any, region: Region) -> tuple[Level | None, str | None]:
    if region.level == Level.gemeente:
        if region.code in {g.code for g in map_gemeenten(service, Level.wijk)}:
            return Level.wijk, region.code
        return Level.gemeente, None
    if region.level in (Level.wijk, Level.buurt):
        if region.gemeente in {g.code for g in map_gemeenten(service, region.level)}:
            return region.level, region.gemeente
        return None, None  # no boundaries of this gemeente's wijken or buurten: no map
    return Level.gemeente, None


# -- comparison ------------------------------------------------------------------------------
@router.get("/indicatoren/vergelijk", response_class=HTMLResponse, name="indicators.compare")
def compare(request: Request) -> Response:
    from stadsdata.web.indicator_figures import comparison, theme_for

    service = _service(request)
    t = _translator(request)
    params = _params(request)
    if not params.many("regio"):
        return _page(request, "compare.html", {"table": None, "themes": service.themes(), "typed": ""})
    compared = comparison(service, params)
    table = build(service, t, "vergelijking", params)
    chosen_theme = theme_for(service, params)
    codes = [r.code for r in compared.regions]
    bars = []
    period = params.period()
    for indicator in chosen_theme.indicators:
        query = [("indicator", indicator)] + [("regio", c) for c in codes]
        if period:
            query.append(("periode", str(period)))
        if compared.focus:
            query.append(("uitgelicht", compared.focus.code))
        bars.append(build(service, t, "staaf", Params(query)))
    base = [("regio", c) for c in params.many("regio")]
    return _page(
        request,
        "compare.html",
        {
            "compared": compared,
            "table": table,
            "bars": bars,
            "themes": service.themes(),
            "theme": chosen_theme,
            "theme_url": lambda th: "/indicatoren/vergelijk?" + urlencode([*base, ("thema", th)]),
            "typed": ", ".join(params.many("regio")),
            "peers_url": "/indicatoren/vergelijk?" + urlencode([("regio", compared.focus.code)])
            if compared.focus and compared.focus.level == Level.gemeente and compared.mode != "peers"
            else None,
            "chosen_url": "/indicatoren/vergelijk?" + urlencode([("regio", ", ".join(codes))]),
        },
    )


# -- one indicator ---------------------------------------------------------------------------
@router.get("/indicatoren/download/{name}", name="indicators.download")
def download(request: Request, name: str) -> Response:
    kind, _, fmt = name.rpartition(".")
    if kind not in KINDS or fmt not in MEDIA:
        raise StadsdataError(
            f"expected {{kind}}.{{csv|svg|png}} with kind one of {', '.join(KINDS)}; got '{name[:40]}'"
        )
    if fmt != "csv" and kind not in CHARTS:
        raise StadsdataError(f"'{kind}' is a table: it downloads as csv only")
    figure = build(_service(request), _translator(request), kind, _params(request))
    if fmt == "csv":
        body: bytes | str = figure.csv()
    elif fmt == "svg":
        body = figure.svg or ""
    else:
        body = charts.to_png(figure.svg or "")
    headers = {
        "Content-Disposition": f'attachment; filename="{figure.filename}.{fmt}"',
        "Cache-Control": CACHE,
    }
    return Response(body, media_type=MEDIA[fmt], headers=headers)


@router.get("/embed/{kind}", response_class=HTMLResponse, name="indicators.embed")
def embed(request: Request, kind: str) -> Response:
    figure = build(_service(request), _translator(request), kind, _params(request))
    return _page(request, "embed.html", {"figure": figure})  # frames.FramePolicy lets anyone frame it


@router.get("/indicatoren/{indicator_id}", response_class=HTMLResponse, name="indicators.indicator")
def indicator(request: Request, indicator_id: str) -> Response:
    service = _service(request)
    t = _translator(request)
    definition = service.definition(indicator_id)
    params = _params(request, indicator=definition.id)
    level = params.level(_default_level(service, definition))
    figure = None
    if level in definition.levels and level != Level.land:
        figure = build(service, t, "kaart", params)
    periods = sorted(service.periods(definition.id))
    trend = None
    trend_regions = params.many("regio") or _trend_default(service, definition)
    if len(periods) > 1 and trend_regions:
        trend = build(
            service, t, "trend", Params([("indicator", definition.id)] + [("regio", c) for c in trend_regions])
        )
    level_periods = sorted({v.period for v in service.values(indicators=[definition.id], level=level)})
    theme_of = next((th for th in service.themes() if th.id == definition.theme), None)
    sources = sorted({v.source for v in service.values(indicators=[definition.id], periods=periods[-1:] or None)})
    gemeenten = {lv: map_gemeenten(service, lv) for lv in (Level.wijk, Level.buurt) if lv in definition.levels}
    return _page(
        request,
        "indicator.html",
        {
            "definition": definition,
            "level": level,
            "map": figure,
            "trend": trend,
            "trend_regions": [v for k, v in trend.params if k == "regio"] if trend else trend_regions,
            "periods": periods,
            "level_periods": level_periods,
            "map_period": next((v for k, v in figure.params if k == "periode"), None) if figure else None,
            "theme": theme_of,
            "sources": sources,
            "gemeenten": gemeenten,
            "map_levels": [lv for lv in (Level.gemeente, Level.wijk, Level.buurt) if lv in definition.levels],
        },
    )


def _default_level(service: Any, definition: IndicatorDef) -> Level:
    """Gemeenten when more than one gemeente has a value, else the first level that does."""
    levels = [lv for lv in (Level.gemeente, Level.wijk, Level.buurt) if lv in definition.levels]
    for level in levels:
        if len({v.region for v in service.values(indicators=[definition.id], level=level)}) > 1:
            return level
    return levels[0] if levels else Level.gemeente


def _trend_default(service: Any, definition: IndicatorDef) -> list[str]:
    """Nederland and the monitors' gemeenten, where they have a value in more than one period."""
    candidates = [r.code for r in service.regions(level=Level.land)][:1]
    candidates += [m.gemeente for m in service.monitors() if m.gemeente not in candidates]
    values = service.values(indicators=[definition.id], regions=candidates) if candidates else []
    return [c for c in candidates if len({v.period for v in values if v.region == c}) > 1]


__all__ = ["install", "latest_values"]
