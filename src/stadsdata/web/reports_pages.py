"""The reports dashboard on the portal (issue #10): ``/meldingen`` and ``/meldingen/{dataset_id}``.

``/meldingen`` lists the datasets of the reports type the visitor may read (straight to the only
one). ``/meldingen/{dataset_id}`` shows, for the reports a plain GET form selects (main and sub
category, period): counts per main and sub category (bars), per wijk (bars and a sortable table,
``?sort=``), per ISO week (bars, with the trend of the last complete weeks), the time to resolution
per category (median and 90th percentile, with the source's one-day resolution and its
under-counting said on the page), and a map: the reports binned in a grid of 250 m cells (RD New)
over the gemeente's outline, because the source's areas have no polygons.

- ``/meldingen/{dataset_id}/download/{name}``: ``categorieen.csv``, ``wijken.csv``,
  ``weken.csv``, ``afhandeltijden.csv``, ``rastercellen.csv`` and ``kaart.svg``, all for the
  same filter as the page.

Everything is read through ``platform.reports`` (the engine does the counting); access is asked
of the policy (``platform.access.rows``), so a non-public reports dataset is not shown to the
public. No personal data: the street column is never shown, areas and 250 m cells at most.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stadsdata.errors import NotFoundError, StadsdataError
from stadsdata.indicators.model import Level
from stadsdata.reports import Dashboard, GridCell, ReportFilter, ReportsError, outline
from stadsdata.reports.service import WeekCount
from stadsdata.web import auth, charts, maps
from stadsdata.web.i18n import Translator
from stadsdata.web.indicator_views import labels, number
from stadsdata.web.portal import _render, _translator

router = APIRouter(include_in_schema=False)
PAGE = "/meldingen"
DOWNLOADS = ("categorieen.csv", "wijken.csv", "weken.csv", "afhandeltijden.csv", "rastercellen.csv", "kaart.svg")
AREA_SORTS = ("wijk", "meldingen", "nog_open", "mediaan")
TOP = 15  # bars in the sub category and wijk charts (the tables have them all)
CELL = "#08519c"
OUTLINE_FILL = "#f4f6f8"
PARTIAL = "#9ecae1"


def install(app: FastAPI) -> None:
    app.include_router(router)


# -- access ----------------------------------------------------------------------------------
def _platform(request: Request) -> Any:
    return request.app.state.platform


def readable(request: Request) -> list[Any]:
    """The reports datasets whose rows the visitor may read (open data, or a grant at read level)."""
    return list(_platform(request).readable_reports(auth.portal_actor(request)))


def _check_access(request: Request, dataset_id: str) -> None:
    """A dataset the visitor may not read is, to them, not there (404, nothing leaks)."""
    platform = _platform(request)
    actor = auth.portal_actor(request)
    missing = f"reports dataset {dataset_id!r} not found; see {PAGE}"
    platform.visible_dataset(actor, dataset_id, missing=missing)
    try:
        platform.access.rows(actor, dataset_id)
    except StadsdataError:
        raise NotFoundError(missing) from None


def _filter(request: Request) -> ReportFilter:
    q = request.query_params
    return ReportFilter.parse(q.get("hoofdcategorie"), q.get("subcategorie"), q.get("van"), q.get("tot"))


# -- the views -------------------------------------------------------------------------------
def _url(dataset_id: str, f: ReportFilter, *extra: tuple[str, str], anchor: str = "") -> str:
    params = f.params() + list(extra)
    return f"{PAGE}/{dataset_id}" + (("?" + urlencode(params)) if params else "") + anchor


def _download_url(dataset_id: str, f: ReportFilter, name: str) -> str:
    params = f.params()
    return f"{PAGE}/{dataset_id}/download/{name}" + (("?" + urlencode(params)) if params else "")


def _with(f: ReportFilter, **changes: Any) -> ReportFilter:
    return ReportFilter(
        changes.get("hoofdcategorie", f.hoofdcategorie),
        changes.get("subcategorie", f.subcategorie),
        changes.get("start", f.start),
        changes.get("end", f.end),
    )


def main_bars(t: Translator, d: Dashboard) -> str:
    bars = [
        charts.Bar(
            m.hoofdcategorie,
            float(m.meldingen),
            highlight=m.hoofdcategorie == d.filter.hoofdcategorie,
            href=_url(d.dataset_id, _with(d.filter, hoofdcategorie=m.hoofdcategorie, subcategorie=None)),
        )
        for m in d.main
    ]
    return charts.bar_chart(
        bars, title=t("rep.chart.main"), unit=t("rep.unit.reports"), labels=labels(t, 0), uid="rep-main"
    )


def sub_bars(t: Translator, d: Dashboard) -> str:
    ordered = sorted(d.categories, key=lambda c: (-c.meldingen, c.subcategorie.lower()))[:TOP]
    bars = [
        charts.Bar(
            c.subcategorie,
            float(c.meldingen),
            highlight=c.subcategorie == d.filter.subcategorie,
            href=_url(d.dataset_id, _with(d.filter, hoofdcategorie=c.hoofdcategorie, subcategorie=c.subcategorie)),
        )
        for c in ordered
    ]
    return charts.bar_chart(bars, title=sub_title(t, d), unit=t("rep.unit.reports"), labels=labels(t, 0), uid="rep-sub")


def sub_title(t: Translator, d: Dashboard) -> str:
    if d.filter.hoofdcategorie:
        return t("rep.chart.sub_of", name=d.filter.hoofdcategorie)
    return t("rep.chart.sub_top", count=min(TOP, len(d.categories)))


def area_bars(t: Translator, d: Dashboard) -> str:
    bars = [charts.Bar(a.wijk or t("rep.no_area"), float(a.meldingen)) for a in d.areas[:TOP]]
    return charts.bar_chart(
        bars,
        title=t("rep.chart.areas", count=min(TOP, len(d.areas))),
        unit=t("rep.unit.reports"),
        labels=labels(t, 0),
        uid="rep-areas",
    )


def shown_weeks(d: Dashboard) -> list[WeekCount]:
    """The weeks from the one the observation starts in: before it there are only the reports that
    were still open then (a few a week), which would flatten the chart and mean nothing."""
    start = d.observed_from
    return [w for w in d.weeks if start is None or w.start.toordinal() + 6 >= start.toordinal()]


def week_chart(t: Translator, weeks: Sequence[WeekCount], *, uid: str = "rep-weeks", width: int = 640) -> str:
    """Vertical bars, one per ISO week; a week only partly observed (or cut by the filter) is light."""
    fmt = labels(t, 0)
    values = [float(w.meldingen) for w in weeks]
    ticks = charts.nice_ticks(0.0, max(values) if values else 1.0)
    high = ticks[-1] if ticks[-1] > 0 else 1.0
    top, plot_h, right = 30, 200, 12.0
    left = max(48.0, max(len(fmt.tick(v, ticks)) for v in ticks) * 13 * 0.6 + 14)
    entries = [(charts.BAR, t("rep.weeks.complete")), (PARTIAL, t("rep.weeks.partial"))]
    height = top + plot_h + 40 + 22 * len(entries) + 8
    n = max(1, len(weeks))
    slot = (width - left - right) / n
    every = max(1, round(n / max(1, (width - left - right) / 64)))  # a label about every 64 px

    def y(value: float) -> float:
        return top + plot_h - value / high * plot_h

    described = "; ".join(f"{w.label}: {fmt.fmt(w.meldingen)}" for w in weeks)
    a = charts.attr
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{uid}-title {uid}-desc" font-family="{charts.FONT}" font-size="13" '
        'class="chart chart--weeks">',
        f'<title id="{uid}-title">{a(t("rep.chart.weeks"))}</title>',
        f'<desc id="{uid}-desc">{a(t("rep.unit.reports_week"))}. {a(described)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left:.1f}" y="16" fill="{charts.MUTED}">{a(t("rep.unit.reports_week"))}</text>',
    ]
    for tick in ticks:
        out.append(
            f'<line x1="{left:.1f}" x2="{width - right:.1f}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="{charts.GRID}"/>'
        )
        out.append(
            f'<text x="{left - 6:.1f}" y="{y(tick) + 4:.1f}" text-anchor="end" fill="{charts.MUTED}">'
            f"{a(fmt.tick(tick, ticks))}</text>"
        )
    for i, w in enumerate(weeks):
        x = left + i * slot
        fill = charts.BAR if w.complete else PARTIAL
        tip = f"{w.label} ({t.date(w.start)}): {fmt.fmt(w.meldingen)}" + (
            "" if w.complete else f" – {t('rep.weeks.partial')}"
        )
        out.append(
            f'<rect x="{x + slot * 0.12:.1f}" y="{y(w.meldingen):.1f}" width="{max(1.0, slot * 0.76):.1f}" '
            f'height="{plot_h + top - y(w.meldingen):.1f}" fill="{fill}" data-week="{w.label}">'
            f"<title>{a(tip)}</title></rect>"
        )
        if i % every == 0:
            _, week, _ = w.start.isocalendar()
            out.append(
                f'<text x="{x + slot / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="{charts.MUTED}">'
                f"{a(t('rep.weeks.short', week=week))}</text>"
            )
    out.append(
        f'<line x1="{left:.1f}" x2="{width - right:.1f}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{charts.MUTED}"/>'
    )
    for i, (colour, name) in enumerate(entries):
        ly = top + plot_h + 34 + i * 22
        out.append(f'<rect x="{left:.1f}" y="{ly:.1f}" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{left + 20:.1f}" y="{ly + 12:.1f}" fill="{charts.TEXT}">{a(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def grid_map(
    t: Translator,
    cells: Sequence[GridCell],
    boundary: dict[str, Any] | None,
    *,
    cell_size: int,
    uid: str = "rep-map",
    width: int = 640,
) -> str:
    """The cells as a choropleth (quantile classes, as ``maps.choropleth``) over the gemeente's outline."""
    fmt = labels(t, 0)
    features = [c.feature() for c in cells]
    frame = ([boundary] if boundary else []) + features
    project, map_h = maps.projection_for(frame, width)
    values = [float(c.count) for c in cells]
    breaks = maps.quantile_breaks(values)
    classes = maps.legend_classes(values, breaks)
    colour_of = {maps.class_of(c.low, breaks): c.colour for c in classes}
    entries = [(c.colour, c.label(fmt.fmt), c.count) for c in classes]
    legend_h = 46 + 22 * (len(entries) + (1 if boundary else 0)) + 10
    height = map_h + legend_h
    unit = t("rep.map.unit", size=cell_size)
    cells_word = t("rep.map.cells")
    described = f"{unit}. " + "; ".join(f"{text}: {n} {cells_word}" for _, text, n in entries)
    a = charts.attr
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{charts.FONT}" font-size="13" class="chart chart--map">',
        f'<title id="{uid}-title">{a(t("rep.map.title", size=cell_size))}</title>',
        f'<desc id="{uid}-desc">{a(described)}</desc>',
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    if boundary:
        name = str(boundary.get("properties", {}).get("name") or "")
        out.append(
            f'<path d="{maps.path_data(boundary["geometry"], project)}" fill="{OUTLINE_FILL}" fill-rule="evenodd" '
            f'stroke="{charts.MUTED}" stroke-width="1.2" data-outline="1"><title>{a(name)}</title></path>'
        )
    out.append("<g>")
    for cell, feature in zip(cells, features, strict=True):
        colour = colour_of.get(maps.class_of(float(cell.count), breaks), maps.PALETTE[-1])
        tip = t("rep.map.tip", count=fmt.fmt(cell.count), size=cell_size, x=cell.x, y=cell.y)
        out.append(
            f'<path d="{maps.path_data(feature["geometry"], project)}" fill="{colour}" stroke="#ffffff" '
            f'stroke-width="0.3" data-cell="{cell.code}" data-count="{cell.count}"><title>{a(tip)}</title></path>'
        )
    out.append("</g>")
    y = map_h + 22
    out.append(
        f'<text x="4" y="{y:.0f}" fill="{charts.TEXT}" font-weight="bold">{a(t("ind.map.legend"))}: {a(unit)}</text>'
    )
    out.append(f'<text x="4" y="{y + 18:.0f}" fill="{charts.MUTED}">{a(t("rep.map.classes"))}</text>')
    for i, (fill, text, count) in enumerate(entries):
        ey = y + 30 + i * 22
        out.append(
            f'<rect x="4" y="{ey:.0f}" width="18" height="16" fill="{fill}" stroke="{charts.MUTED}" '
            'stroke-width="0.6"/>'
        )
        out.append(
            f'<text x="30" y="{ey + 13:.0f}" fill="{charts.TEXT}">{a(text)} '
            f'<tspan fill="{charts.MUTED}">({count} {a(cells_word)})</tspan></text>'
        )
    if boundary:
        ey = y + 30 + len(entries) * 22
        out.append(
            f'<rect x="4" y="{ey:.0f}" width="18" height="16" fill="{OUTLINE_FILL}" stroke="{charts.MUTED}" '
            'stroke-width="1.2"/>'
        )
        name = str(boundary.get("properties", {}).get("name") or "")
        out.append(f'<text x="30" y="{ey + 13:.0f}" fill="{charts.TEXT}">{a(t("rep.map.outline", name=name))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def gemeente_outline(platform: Any, d: Dashboard) -> dict[str, Any] | None:
    """The CBS gemeente boundary that holds most of the reports (None without boundaries)."""
    try:
        boundaries = platform.indicators.boundaries(Level.gemeente)
    except StadsdataError:
        return None
    return outline(boundaries, d.points)


@dataclass
class AreaRow:
    wijk: str
    meldingen: int
    nog_open: int
    mediaan: int | None


@dataclass
class SortLink:
    key: str
    url: str
    state: str | None  # aria-sort


def area_rows(d: Dashboard, sort: str) -> tuple[list[AreaRow], dict[str, SortLink], str]:
    key, descending = sort.lstrip("-") or "meldingen", sort.startswith("-") or not sort
    if key not in AREA_SORTS:
        raise ReportsError(f"sort: expected one of {', '.join(AREA_SORTS)}, optionally with '-'; got {sort[:40]!r}")
    rows = [AreaRow(a.wijk, a.meldingen, a.nog_open, a.mediaan_dagen) for a in d.areas]
    if key == "wijk":
        rows.sort(key=lambda r: r.wijk.lower(), reverse=descending)
    else:
        attr = "mediaan" if key == "mediaan" else key
        known = sorted(
            (r for r in rows if getattr(r, attr) is not None), key=lambda r: getattr(r, attr), reverse=descending
        )
        rows = known + [r for r in rows if getattr(r, attr) is None]
    links = {}
    for column in AREA_SORTS:
        state = ("descending" if descending else "ascending") if column == key else None
        following = f"-{column}" if column != key or not descending else column
        if column == "wijk" and column != key:
            following = "wijk"
        links[column] = SortLink(column, _url(d.dataset_id, d.filter, ("sort", following), anchor="#wijken"), state)
    return rows, links, ("-" if descending else "") + key


# -- CSV -------------------------------------------------------------------------------------
def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _blank(value: Any) -> Any:
    return "" if value is None else value


def download_body(d: Dashboard, name: str, t: Translator, boundary: dict[str, Any] | None = None) -> str:
    if name == "categorieen.csv":
        return _csv(
            ["hoofdcategorie", "subcategorie", "meldingen", "nog_open"],
            [[c.hoofdcategorie, c.subcategorie, c.meldingen, c.nog_open] for c in d.categories],
        )
    if name == "wijken.csv":
        return _csv(
            ["wijk", "meldingen", "nog_open", "mediaan_dagen_open"],
            [[a.wijk, a.meldingen, a.nog_open, _blank(a.mediaan_dagen)] for a in d.areas],
        )
    if name == "weken.csv":
        return _csv(
            ["iso_week", "maandag", "meldingen", "volledig_waargenomen"],
            [[w.label, w.start.isoformat(), w.meldingen, "ja" if w.complete else "nee"] for w in d.weeks],
        )
    if name == "afhandeltijden.csv":
        rows = [[d.resolution_by, r.group, r.meldingen, r.afgehandeld, r.nog_open] for r in d.resolution]
        rows = [row + [_blank(r.mediaan_dagen), _blank(r.p90_dagen)] for row, r in zip(rows, d.resolution, strict=True)]
        o = d.overall
        rows.append(["alle", "", o.meldingen, o.afgehandeld, o.nog_open, _blank(o.mediaan_dagen), _blank(o.p90_dagen)])
        return _csv(["niveau", "categorie", "meldingen", "afgehandeld", "nog_open", "mediaan_dagen", "p90_dagen"], rows)
    if name == "rastercellen.csv":
        rows = []
        for c in d.cells:
            ring = c.ring()
            lon = sum(p[0] for p in ring[:4]) / 4
            lat = sum(p[1] for p in ring[:4]) / 4
            rows.append([c.code, c.x, c.y, c.size, round(lon, 6), round(lat, 6), c.count])
        return _csv(["cel", "rd_x", "rd_y", "cel_m", "lon_midden", "lat_midden", "meldingen"], rows)
    if name == "kaart.svg":
        return grid_map(t, d.cells, boundary, cell_size=d.cell_size)
    raise ReportsError(f"expected one of {', '.join(DOWNLOADS)}; got {name[:40]!r}")


# -- the routes ------------------------------------------------------------------------------
@router.get(PAGE, response_class=HTMLResponse, name="reports.index")
def index(request: Request) -> Response:
    datasets = readable(request)
    if len(datasets) == 1:
        lang = request.query_params.get("lang")
        target = f"{PAGE}/{datasets[0].id}" + (f"?{urlencode([('lang', lang)])}" if lang else "")
        return RedirectResponse(target, status_code=303)
    return _render(request, "reports_index.html", {"datasets": datasets})


@router.get(PAGE + "/{dataset_id}", response_class=HTMLResponse, name="reports.dashboard")
def dashboard(request: Request, dataset_id: str) -> Response:
    _check_access(request, dataset_id)
    platform = _platform(request)
    t = _translator(request)
    f = _filter(request)
    d = platform.reports.dashboard(dataset_id, f)
    sort = (request.query_params.get("sort") or "").strip()[:40]
    rows, sort_links, sort = area_rows(d, sort)
    record = platform.metastore.get_dataset(dataset_id)
    boundary = gemeente_outline(platform, d)
    weeks = shown_weeks(d)
    return _render(
        request,
        "reports.html",
        {
            "d": d,
            "f": f,
            "number": number,
            "contract": record.contract,
            "description": t.text(record.contract.get("description", {})),
            "main_svg": main_bars(t, d) if d.main else None,
            "sub_svg": sub_bars(t, d) if d.categories else None,
            "sub_title": sub_title(t, d),
            "top": TOP,
            "area_svg": area_bars(t, d) if d.areas else None,
            "week_svg": week_chart(t, weeks) if weeks else None,
            "weeks_shown": len(weeks),
            "map_svg": grid_map(t, d.cells, boundary, cell_size=d.cell_size) if d.cells else None,
            "boundary": boundary,
            "area_rows": rows,
            "sort_links": sort_links,
            "sort": sort,
            "downloads": [(n, _download_url(dataset_id, f, n)) for n in DOWNLOADS],
            "page_url": lambda **changes: _url(dataset_id, _with(f, **changes)),
        },
    )


@router.get(PAGE + "/{dataset_id}/download/{name}", name="reports.download")
def download(request: Request, dataset_id: str, name: str) -> Response:
    if name not in DOWNLOADS:
        raise ReportsError(f"expected one of {', '.join(DOWNLOADS)}; got {name[:40]!r}")
    _check_access(request, dataset_id)
    platform = _platform(request)
    d = platform.reports.dashboard(dataset_id, _filter(request))
    t = _translator(request)
    boundary = gemeente_outline(platform, d) if name == "kaart.svg" else None
    body = download_body(d, name, t, boundary)
    media = "image/svg+xml" if name.endswith(".svg") else "text/csv; charset=utf-8"
    public = platform.metastore.get_dataset(dataset_id).classification == "openbaar"
    headers = {
        "Content-Disposition": f'attachment; filename="{dataset_id}-{name}"',
        "Cache-Control": "public, max-age=300" if public else "private, no-store",
    }
    return Response(body, media_type=media, headers=headers)
