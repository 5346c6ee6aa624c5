"""The reports (meldingen) aggregates in the API under /api/v1 (tag "reports"): what the dashboard
shows, as JSON (docs/reports.md).

- ``GET /api/v1/meldingen``: the reports datasets the caller may read.
- ``GET /api/v1/meldingen/{dataset_id}``: for the reports a filter selects (``hoofdcategorie``,
  ``subcategorie``, ``van``, ``tot``), the totals, counts per category, wijk and ISO week with the
  trend, the time to resolution per category, and the 250 m grid cells of the map.

Access is the policy's, as for the rows: a dataset the caller may not see is a 404 problem, one
whose rows they may not read a 403. A bad filter, or a dataset that is not of the reports type, is
a 422 problem naming the field. Open data may be cached for five minutes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from stadsdata.reports import Dashboard, ReportFilter
from stadsdata.web import auth
from stadsdata.web.api_governance import FORBIDDEN, NOT_FOUND, PROBLEM

router = APIRouter(prefix="/api/v1", tags=["reports"])
CACHE = "public, max-age=300"
INVALID = PROBLEM | {"description": "A bad filter, or a dataset that is not of the reports type: which and why"}


class ReportsDataset(BaseModel):
    id: str
    title: str = Field(description="The dataset's title (Dutch)")
    classification: str
    links: dict[str, str] = Field(description="`self` (this API), `portal` (the dashboard), `dataset` (metadata)")


class ReportsDatasetList(BaseModel):
    total: int
    datasets: list[ReportsDataset]


class Totals(BaseModel):
    meldingen: int
    nog_open: int = Field(description="Not resolved on the source's last day")
    eerste: str | None = Field(description="First day a selected report was created (UTC, YYYY-MM-DD)")
    laatste: str | None = Field(description="Last day a selected report was created")
    waargenomen_vanaf: str | None = Field(
        description="The whole dataset's first day anything was resolved: the collection probably started then"
    )
    voor_waarneming: int = Field(description="Selected reports created before `waargenomen_vanaf`")
    inconsistent: int = Field(description="Resolved before the day they were created; left out of the times")


class CategoryCount(BaseModel):
    hoofdcategorie: str
    subcategorie: str
    meldingen: int
    nog_open: int


class AreaCount(BaseModel):
    wijk: str = Field(description="The area as the source names it ('' when none)")
    meldingen: int
    nog_open: int
    mediaan_dagen: int | None


class WeekCount(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W21")
    maandag: str = Field(description="Its Monday (YYYY-MM-DD)")
    meldingen: int
    volledig: bool = Field(description="The whole week lies in the observed period and the filter")


class Trend(BaseModel):
    weken: int = Field(description="Whole weeks in each half")
    recent: float = Field(description="Mean reports per week in the last `weken` whole weeks")
    daarvoor: float = Field(description="The same for the `weken` before them")
    verandering_pct: float | None


class Resolution(BaseModel):
    groep: str = Field(description="The category ('' for all reports together)")
    meldingen: int
    afgehandeld: int
    nog_open: int
    mediaan_dagen: int | None = Field(description="Median of days_open of the resolved reports (whole days)")
    p90_dagen: int | None = Field(description="90th percentile of days_open of the resolved reports")


class Cell(BaseModel):
    cel: str = Field(description="RD New south-west corner in metres, x_y")
    rd_x: int
    rd_y: int
    cel_m: int
    lon: float = Field(description="The cell's centre (WGS84)")
    lat: float
    meldingen: int


class ReportsAggregates(BaseModel):
    dataset: str
    version: int
    filter: dict[str, str] = Field(description="The filter as applied (van/tot as YYYY-MM-DD)")
    totals: Totals
    categories: list[CategoryCount]
    areas: list[AreaCount]
    weeks: list[WeekCount]
    trend: Trend | None
    resolution_by: str = Field(description="hoofdcategorie, or subcategorie when one main category is chosen")
    resolution: list[Resolution]
    resolution_all: Resolution
    cells: list[Cell]
    caveats: list[str] = Field(description="How to read the times and counts (Dutch)")


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _resolution(r: Any) -> Resolution:
    return Resolution(
        groep=r.group,
        meldingen=r.meldingen,
        afgehandeld=r.afgehandeld,
        nog_open=r.nog_open,
        mediaan_dagen=r.mediaan_dagen,
        p90_dagen=r.p90_dagen,
    )


def _cell(c: Any) -> Cell:
    ring = c.ring()[:4]
    return Cell(
        cel=c.code,
        rd_x=c.x,
        rd_y=c.y,
        cel_m=c.size,
        lon=round(sum(p[0] for p in ring) / 4, 6),
        lat=round(sum(p[1] for p in ring) / 4, 6),
        meldingen=c.count,
    )


CAVEATS = [
    "Afhandeltijden zijn in hele dagen: resolved_date is een datum (resolutie één dag).",
    "Haalt de bron één keer per dag de open meldingen op (zoals bij Assen), dan ontbreken meldingen die "
    "tussen twee ophaalmomenten zijn gemaakt en afgehandeld: snelle categorieën zijn ondergeteld.",
]


def aggregates(d: Dashboard) -> ReportsAggregates:
    t = d.totals
    return ReportsAggregates(
        dataset=d.dataset_id,
        version=d.version,
        filter=dict(d.filter.params()),
        totals=Totals(
            meldingen=t.meldingen,
            nog_open=t.nog_open,
            eerste=_iso(t.eerste),
            laatste=_iso(t.laatste),
            waargenomen_vanaf=_iso(d.observed_from),
            voor_waarneming=d.before_observation,
            inconsistent=t.inconsistent,
        ),
        categories=[
            CategoryCount(
                hoofdcategorie=c.hoofdcategorie, subcategorie=c.subcategorie, meldingen=c.meldingen, nog_open=c.nog_open
            )
            for c in d.categories
        ],
        areas=[
            AreaCount(wijk=a.wijk, meldingen=a.meldingen, nog_open=a.nog_open, mediaan_dagen=a.mediaan_dagen)
            for a in d.areas
        ],
        weeks=[
            WeekCount(week=w.label, maandag=w.start.isoformat(), meldingen=w.meldingen, volledig=w.complete)
            for w in d.weeks
        ],
        trend=None
        if d.trend is None
        else Trend(
            weken=d.trend.weeks,
            recent=d.trend.recent,
            daarvoor=d.trend.previous,
            verandering_pct=d.trend.change_pct,
        ),
        resolution_by=d.resolution_by,
        resolution=[_resolution(r) for r in d.resolution],
        resolution_all=_resolution(d.overall),
        cells=[_cell(c) for c in d.cells],
        caveats=CAVEATS,
    )


@router.get("/meldingen", response_model=ReportsDatasetList, summary="The reports datasets you may read")
def list_reports(request: Request, response: Response) -> ReportsDatasetList:
    platform = request.app.state.platform
    actor = auth.api_actor(request)
    found = [
        ReportsDataset(
            id=record.id,
            title=record.title,
            classification=record.classification,
            links={
                "self": f"/api/v1/meldingen/{record.id}",
                "portal": f"/meldingen/{record.id}",
                "dataset": f"/api/v1/datasets/{record.id}",
            },
        )
        for record in platform.readable_reports(actor)
    ]
    if actor.is_staff:
        response.headers["Cache-Control"] = "private, no-store"
    return ReportsDatasetList(total=len(found), datasets=found)


@router.get(
    "/meldingen/{dataset_id}",
    response_model=ReportsAggregates,
    summary="The aggregates of a reports dataset, filtered",
    responses={403: FORBIDDEN, 404: NOT_FOUND, 422: INVALID},
)
def reports_aggregates(
    request: Request,
    response: Response,
    dataset_id: str,
    hoofdcategorie: Annotated[str | None, Query(max_length=200, description="Main category (exact)")] = None,
    subcategorie: Annotated[str | None, Query(max_length=200, description="Sub category (exact)")] = None,
    van: Annotated[str | None, Query(max_length=40, description="Created on or after (YYYY-MM-DD)")] = None,
    tot: Annotated[str | None, Query(max_length=40, description="Created on or before (YYYY-MM-DD)")] = None,
) -> ReportsAggregates:
    platform = request.app.state.platform
    actor = auth.api_actor(request)
    record = platform.visible_dataset(actor, dataset_id)
    platform.access.rows(actor, dataset_id)  # 403 with the policy's reason when the rows are not readable
    d = platform.reports.dashboard(dataset_id, ReportFilter.parse(hoofdcategorie, subcategorie, van, tot))
    response.headers["Cache-Control"] = CACHE if record.classification == "openbaar" else "private, no-store"
    return aggregates(d)
