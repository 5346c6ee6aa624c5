"""The indicators in the API under /api/v1 (tag "indicators"): the definitions and their values.

Public and read-only: the indicators are computed from open CBS data (``platform.indicators``).
A value CBS kept secret is ``"value": null`` with ``"geheim": true``, never 0. An unknown
indicator or region is a 404 problem; a bad parameter a 422 naming it. Responses may be cached
for five minutes (``Cache-Control: public, max-age=300``). Documented in docs/api.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from stadsdata.indicators.model import IndicatorDef, Level, Text
from stadsdata.web.api_governance import PROBLEM

router = APIRouter(prefix="/api/v1", tags=["indicators"])
CACHE = "public, max-age=300"
MAX_REGIONS = 500
NOT_FOUND = {404: PROBLEM | {"description": "No indicator (or region) with this id"}}


class LocalText(BaseModel):
    nl: str = Field(description="Dutch")
    en: str | None = Field(description="English, when given")


class IndicatorPublic(BaseModel):
    id: str = Field(description="The indicator's id (lower_snake_case)")
    title: LocalText
    description: LocalText
    theme: str = Field(description="The theme it belongs to")
    unit: LocalText = Field(description="What a value counts: 'per 1.000 inwoners', '%', ...")
    levels: list[str] = Field(description="The levels it is computed for: land, gemeente, wijk, buurt")
    direction: str = Field(description="higher_is_better, lower_is_better or neutral (used for ranks)")
    notes: LocalText | None = Field(description="How to read it: interpretation and caveats")
    decimals: int = Field(description="Decimals a value is shown with")
    expression: str = Field(description="How it is computed: SQL over the CBS base columns")
    requires: list[str] = Field(description="The CBS base columns the expression uses")
    periods: list[int] | None = Field(default=None, description="The years it has values for (one indicator only)")
    links: dict[str, str] = Field(description="`self`, `values` (this API) and `portal` (its page)")


class IndicatorList(BaseModel):
    total: int
    indicators: list[IndicatorPublic]


class ValuePublic(BaseModel):
    region: str = Field(description="The CBS code: NL00, GM0518, WK051801, BU05180101")
    region_name: str
    level: str = Field(description="land, gemeente, wijk or buurt")
    period: int = Field(description="The year")
    value: float | None = Field(description="The value; null when CBS kept it secret (see `geheim`)")
    geheim: bool = Field(description="True when CBS kept the figure secret or unreliable: `value` is null")
    source: str = Field(description="The dataset and version it was computed from (`dataset@version`)")


class ValueList(BaseModel):
    indicator: str
    unit: LocalText
    decimals: int
    count: int
    values: list[ValuePublic]


def _text(text: Text | None) -> LocalText | None:
    return None if text is None else LocalText(nl=text.nl, en=text.en)


def _public(d: IndicatorDef, periods: list[int] | None = None) -> IndicatorPublic:
    return IndicatorPublic(
        id=d.id,
        title=LocalText(nl=d.title.nl, en=d.title.en),
        description=LocalText(nl=d.description.nl, en=d.description.en),
        theme=d.theme,
        unit=LocalText(nl=d.unit.nl, en=d.unit.en),
        levels=[level.value for level in d.levels],
        direction=d.direction.value,
        notes=_text(d.notes),
        decimals=d.decimals,
        expression=d.expression,
        requires=list(d.requires),
        periods=periods,
        links={
            "self": f"/api/v1/indicators/{d.id}",
            "values": f"/api/v1/indicators/{d.id}/values",
            "portal": f"/indicatoren/{d.id}",
        },
    )


def _service(request: Request) -> Any:
    return request.app.state.platform.indicators


@router.get("/indicators", response_model=IndicatorList, summary="List the indicators")
def list_indicators(request: Request, response: Response) -> IndicatorList:
    """Every indicator definition: title, description, unit, levels, direction, how it is computed."""
    found = [_public(d) for d in _service(request).definitions()]
    response.headers["Cache-Control"] = CACHE
    return IndicatorList(total=len(found), indicators=found)


@router.get("/indicators/{indicator_id}", response_model=IndicatorPublic, responses=NOT_FOUND, summary="One indicator")
def get_indicator(request: Request, response: Response, indicator_id: str) -> IndicatorPublic:
    """One definition, with the periods it has values for."""
    service = _service(request)
    definition = service.definition(indicator_id)  # NotFoundError: 404
    response.headers["Cache-Control"] = CACHE
    return _public(definition, sorted(service.periods(definition.id)))


@router.get(
    "/indicators/{indicator_id}/values",
    response_model=ValueList,
    responses=NOT_FOUND,
    summary="The values of one indicator",
)
def indicator_values(
    request: Request,
    response: Response,
    indicator_id: str,
    region: Annotated[
        list[Annotated[str, Query(max_length=20)]] | None,
        Query(description="Region codes (repeat for several): NL00, GM0518, WK051801, BU05180101"),
    ] = None,
    period: Annotated[list[Annotated[int, Query(ge=1800, le=2200)]] | None, Query(description="Years (repeat)")] = None,
    level: Annotated[Level | None, Query(description="Only this level")] = None,
    gemeente: Annotated[str | None, Query(max_length=6, description="Only regions in this gemeente (GM code)")] = None,
) -> ValueList:
    """Values by region and period (all when not given), with the source they came from. A value
    CBS kept secret is `null` with `geheim: true`."""
    service = _service(request)
    definition = service.definition(indicator_id)  # NotFoundError: 404
    codes = [code.strip().upper() for code in region or [] if code.strip()]
    if len(codes) > MAX_REGIONS:
        from stadsdata.errors import StadsdataError

        raise StadsdataError(f"region: at most {MAX_REGIONS} regions at once; got {len(codes)}")
    for code in codes:
        service.region(code)  # NotFoundError: 404 naming the code
    if gemeente:
        service.region(gemeente.upper())
    values = service.values(
        indicators=[definition.id],
        regions=codes or None,
        periods=list(period) if period else None,
        level=level,
        gemeente=gemeente.upper() if gemeente else None,
    )
    response.headers["Cache-Control"] = CACHE
    shown = [
        ValuePublic(
            region=v.region,
            region_name=v.region_name,
            level=v.level.value,
            period=v.period,
            value=v.value,
            geheim=v.value is None,
            source=v.source,
        )
        for v in sorted(values, key=lambda v: (v.period, v.region))
    ]
    return ValueList(
        indicator=definition.id,
        unit=LocalText(nl=definition.unit.nl, en=definition.unit.en),
        decimals=definition.decimals,
        count=len(shown),
        values=shown,
    )
