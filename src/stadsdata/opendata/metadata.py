"""What the API shows about datasets: public response models and the builders that fill them.

The models are the only shapes that leave ``GET /api/v1/datasets[/{id}]``: a field that is not
declared here (an internal path, a delivery, who delivered) cannot reach a client. They are also
the OpenAPI schemas of those endpoints.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stadsdata.catalog.service import DatasetView
from stadsdata.errors import NotFoundError
from stadsdata.metastore.records import VersionRecord
from stadsdata.opendata.export import Format
from stadsdata.opendata.search import DatasetCard, SearchResult


class TextPublic(BaseModel):
    nl: str
    en: str | None = None


class ColumnPublic(BaseModel):
    name: str
    type: str = Field(description="string, integer, number, boolean, date, datetime or geometry")
    unit: str | None = None
    description: TextPublic
    nullable: bool
    personal_data: str = Field(description="none, direct_identifier, quasi_identifier or special_category")


class VersionPublic(BaseModel):
    number: int
    row_count: int
    created_at: dt.datetime
    schema_changes: dict[str, Any] = Field(description="added, removed, retyped columns against the version before")
    rows: str = Field(description="URL of this version's rows")
    quality_score: float | None = Field(None, description="0-100, from the contract's quality rules at load")


class QualityExamplePublic(BaseModel):
    row: int = Field(description="data row in the delivered file (1-based, header not counted)")
    values: dict[str, Any] = Field(description="the rule's columns; personal data as '<hidden: personal data>'")


class QualityRulePublic(BaseModel):
    rule: str
    kind: str = Field(description="completeness, range, pattern, allowed_values, unique, row_sum, reference, ...")
    columns: list[str]
    severity: str
    passed: bool
    skipped: str | None = Field(None, description="why the rule was not checked (then it is not scored)")
    checked: int
    failing: int
    detail: str
    description: str | None = Field(None, description="why the rule exists, from the contract")
    examples: list[QualityExamplePublic] = Field(description="a few failing rows")


class HistogramBinPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: int | float = Field(alias="from")
    to: int | float
    count: int


class TopValuePublic(BaseModel):
    value: str | bool | int | float | None
    count: int


class ColumnProfilePublic(BaseModel):
    """One column's profile; which fields are present depends on its type (see docs/quality.md)."""

    name: str
    type: str
    empty: int
    share_empty: float
    distinct: int | None = None
    distinct_exact: bool | None = None
    hidden: bool = Field(False, description="personal data: only empties and the distinct count")
    min: int | float | str | None = None
    max: int | float | str | None = None
    mean: float | None = None
    not_finite: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    histogram: list[HistogramBinPublic] | None = None
    top: list[TopValuePublic] | None = None
    top_other: int | None = None


class ProfilePublic(BaseModel):
    dataset: str
    version: int
    rows: int
    columns: list[ColumnProfilePublic]


class QualityPublic(BaseModel):
    score: float = Field(description="0-100: the weighted share of rows passing each rule (see docs/quality.md)")
    rules: list[QualityRulePublic]
    released: bool = Field(False, description="published by the data owner despite a blocking finding")


class OwnerPublic(BaseModel):
    dienst: str
    data_owner: str
    steward: str
    contact_email: str | None = None


class DatasetLinks(BaseModel):
    self: str
    rows: str
    profile: str = Field(description="the current version's column profile")
    downloads: dict[str, str] = Field(description="format -> URL of the current version as a file")
    portal: str


class DatasetPublic(BaseModel):
    id: str
    title: TextPublic
    description: TextPublic
    themes: list[str]
    keywords: list[str]
    owner: OwnerPublic
    licence: str
    classification: str
    update_frequency: str
    spatial_coverage: str
    temporal_coverage: dict[str, dt.date | None]
    source: dict[str, str | None] | None = None
    key: list[str]
    current_version: int | None
    columns: list[ColumnPublic]
    versions: list[VersionPublic]
    quality: QualityPublic | None = Field(None, description="the current version's quality report")
    links: DatasetLinks


class CardLinks(BaseModel):
    self: str
    rows: str
    portal: str


class DatasetCardPublic(BaseModel):
    id: str
    title: str
    description: str
    themes: list[str]
    keywords: list[str]
    owner_dienst: str
    classification: str
    licence: str
    formats: list[str]
    rows: int | None
    version: int | None
    updated_at: dt.datetime | None
    quality_score: float | None = Field(
        None, description="0-100, the current version's quality score (see docs/quality.md); null without one"
    )
    links: CardLinks


class FacetValue(BaseModel):
    value: str
    count: int


class DatasetList(BaseModel):
    query: str
    filters: dict[str, list[str]]
    sort: str
    total: int
    offset: int
    limit: int
    datasets: list[DatasetCardPublic]
    facets: dict[str, list[FacetValue]]
    next: str | None = Field(description="absolute URL of the next page, or null")


class ColumnType_(BaseModel):  # noqa: N801 - "type" of a column in a rows page
    name: str
    type: str


class RowsPage(BaseModel):
    """The JSON page of ``/rows`` (documentation: the body is streamed as is)."""

    dataset: str
    version: int
    columns: list[ColumnType_]
    rows: list[dict[str, Any]]
    count: int = Field(description="rows in this page")
    total: int = Field(description="rows that match the filters, in all pages")
    next: str | None = Field(description="absolute URL of the next page (keyset cursor), or null on the last page")


# -- builders ------------------------------------------------------------------------------------
def formats_of(view: DatasetView) -> list[Format]:
    spatial = view.contract.geometry_column is not None
    return [f for f in Format if f != Format.geojson or spatial]


def dataset_document(view: DatasetView, base: str) -> DatasetPublic:
    c = view.contract
    api = f"{base}/api/v1/datasets/{c.id}"
    versions = [
        VersionPublic(
            number=v.number,
            row_count=v.row_count,
            created_at=v.created_at,
            schema_changes=v.schema_changes,
            rows=f"{api}/rows?version={v.number}",
            quality_score=(view.quality_of(v) or {}).get("score"),
        )
        for v in view.versions
    ]
    current_report = view.quality_of(view.current)
    quality = None
    if current_report:
        quality = QualityPublic(
            score=current_report["score"],
            rules=[
                QualityRulePublic(
                    rule=r["rule"],
                    kind=r["kind"],
                    columns=r["columns"],
                    severity=r["severity"],
                    passed=r["passed"],
                    skipped=r.get("skipped"),
                    checked=r["checked"],
                    failing=r["failing"],
                    detail=r["detail"],
                    description=r.get("description"),
                    examples=[QualityExamplePublic(**e) for e in r["examples"]],
                )
                for r in current_report["rules"]
            ],
            released=bool(current_report.get("released")),
        )
    return DatasetPublic(
        id=c.id,
        title=TextPublic(nl=c.title.nl, en=c.title.en),
        description=TextPublic(nl=c.description.nl, en=c.description.en),
        themes=list(c.themes),
        keywords=list(c.keywords),
        owner=OwnerPublic(
            dienst=c.owner_dienst, data_owner=c.data_owner, steward=c.steward, contact_email=c.contact_email
        ),
        licence=c.licence,
        classification=c.classification.value,
        update_frequency=c.update_frequency.value,
        spatial_coverage=c.spatial_coverage,
        temporal_coverage={"start": c.temporal_coverage.start, "end": c.temporal_coverage.end},
        source=c.source.model_dump(mode="json") if c.source else None,
        key=list(c.key),
        current_version=view.current.number if view.current else None,
        columns=[
            ColumnPublic(
                name=col.name,
                type=col.type.value,
                unit=col.unit,
                description=TextPublic(nl=col.description.nl, en=col.description.en),
                nullable=col.nullable,
                personal_data=col.personal_data.value,
            )
            for col in c.columns
        ],
        versions=versions,
        quality=quality,
        links=DatasetLinks(
            self=api,
            rows=f"{api}/rows",
            profile=f"{api}/profile",
            downloads={f.value: f"{api}/rows?format={f.value}" for f in formats_of(view) if f != Format.json},
            portal=f"{base}/datasets/{c.id}",
        ),
    )


def card_document(card: DatasetCard, lang: str, base: str) -> DatasetCardPublic:
    api = f"{base}/api/v1/datasets/{card.id}"
    return DatasetCardPublic(
        id=card.id,
        title=card.text("title", lang),
        description=card.text("description", lang),
        themes=card.themes,
        keywords=card.keywords,
        owner_dienst=card.owner_dienst,
        classification=card.classification,
        licence=card.licence,
        formats=card.formats,
        rows=card.rows,
        version=card.version,
        updated_at=card.updated_at,
        quality_score=card.quality_score,
        links=CardLinks(self=api, rows=f"{api}/rows", portal=f"{base}/datasets/{card.id}"),
    )


def list_document(
    result: SearchResult, *, lang: str, base: str, offset: int, limit: int, next_url: str | None
) -> DatasetList:
    return DatasetList(
        query=result.query,
        filters=result.filters,
        sort=result.sort,
        total=result.total,
        offset=offset,
        limit=limit,
        datasets=[card_document(c, lang, base) for c in result.cards],
        facets={k: [FacetValue(value=v, count=n) for v, n in values] for k, values in result.facets.items()},
        next=next_url,
    )


def profile_document(view: DatasetView, version: VersionRecord) -> ProfilePublic:
    """The column profile computed when ``version`` was loaded (404 for a version without one)."""
    profile = view.profile_of(version)
    if profile is None:
        raise NotFoundError(f"version {version.number} of {view.record.id!r} has no column profile")
    return ProfilePublic(
        dataset=view.record.id,
        version=version.number,
        rows=profile["rows"],
        columns=[ColumnProfilePublic.model_validate(c) for c in profile["columns"]],
    )
