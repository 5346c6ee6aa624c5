"""The open-data API under /api/v1: list and search datasets, their metadata, and their rows.

This module is the HTTP adapter only: query parameters and headers in, status, headers and
bodies out. What the parameters mean lives in ``opendata.query``; which version is read, pages,
totals and ETags in ``opendata.rows``; formats and their streamed encoders in ``opendata.export``.
Endpoints are plain ``def`` functions: FastAPI runs them in its thread pool, so DuckDB work never
blocks the event loop. Documented in docs/api.md.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from stadsdata.opendata import export
from stadsdata.opendata.export import Format
from stadsdata.opendata.metadata import (
    DatasetList,
    DatasetPublic,
    ProfilePublic,
    RowsPage,
    dataset_document,
    list_document,
    profile_document,
)
from stadsdata.opendata.query import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, RowsRequest
from stadsdata.opendata.rows import RowsService, VersionView
from stadsdata.opendata.search import FACETS, QualityBucket, search_datasets
from stadsdata.opendata.search import MAX_LIMIT as MAX_SEARCH_LIMIT
from stadsdata.platform import Platform
from stadsdata.web.auth import ApiActor
from stadsdata.web.sweeper import Sweeper

_service_lock = threading.Lock()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up, begin building the serving copies of large current versions (in the background),
    and start destroying ended workspaces on a timer."""
    service = _service_of(app)
    threading.Thread(target=service.warm, name="stadsdata-rows-warm-up", daemon=True).start()
    platform = app.state.platform
    sweeper = Sweeper(platform, platform.settings.sweep_interval_seconds)
    sweeper.start()
    try:
        yield
    finally:
        sweeper.stop()


router = APIRouter(prefix="/api/v1", tags=["datasets"], lifespan=_lifespan)
CACHE_CONTROL = "public, max-age=60"
PROBLEM = {"content": {"application/problem+json": {}}}
ERRORS = {400: PROBLEM | {"description": "Bad request: named in detail"}, 404: PROBLEM | {"description": "Not found"}}


def _platform(request: Request) -> Platform:
    return request.app.state.platform  # type: ignore[no-any-return]


def _service_of(app: FastAPI) -> RowsService:
    """One rows service per app (its caches and the engine's long-lived database live as long)."""
    service = getattr(app.state, "rows_service", None)
    if service is None:
        with _service_lock:
            service = getattr(app.state, "rows_service", None)
            if service is None:
                platform: Platform = app.state.platform
                service = RowsService(
                    platform.catalog,
                    platform.engine,
                    cache_dir=platform.home / "serving",
                    key_file=platform.home / "secrets" / "cursor.key",
                    access=platform.access,
                )
                app.state.rows_service = service
    return service  # type: ignore[no-any-return]


def _service(request: Request) -> RowsService:
    return _service_of(request.app)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# -- datasets ------------------------------------------------------------------------------------
@router.get("/datasets", response_model=DatasetList, responses=ERRORS, summary="List and search datasets")
def list_datasets(
    request: Request,
    actor: ApiActor,
    q: Annotated[str, Query(max_length=500, description="Words that must all occur (accents and case ignored)")] = "",
    theme: Annotated[list[str], Query(description="Facet: theme (repeat for OR)")] = [],  # noqa: B006
    dienst: Annotated[list[str], Query(description="Facet: owning dienst")] = [],  # noqa: B006
    classification: Annotated[list[str], Query(description="Facet: classification")] = [],  # noqa: B006
    format: Annotated[list[str], Query(description="Facet: download format (CSV, GeoJSON, ...)")] = [],  # noqa: B006,A002
    licence: Annotated[list[str], Query(description="Facet: licence")] = [],  # noqa: B006
    quality: Annotated[
        list[QualityBucket],
        Query(
            description="Facet: current version's quality score: hoog (>= 95), midden (80-95), laag (< 80), onbekend"
        ),
    ] = [],  # noqa: B006
    sort: Annotated[
        Literal["relevance", "title", "updated", "quality"],
        Query(description="relevance, title (A-Z), updated (newest first) or quality (highest score first)"),
    ] = "relevance",
    lang: Literal["nl", "en"] = "nl",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=0, le=MAX_SEARCH_LIMIT)] = 50,
) -> DatasetList:
    """Datasets classified *openbaar*, found by words and facets, with facet counts.

    Every word of `q` must occur in the dataset's id, titles, descriptions, themes, keywords,
    dienst or columns. Each facet counts the datasets that match `q` and the other facets.
    """
    selected = {
        "theme": theme,
        "dienst": dienst,
        "classification": classification,
        "format": format,
        "licence": licence,
        "quality": list(quality),
    }
    filters = {k: v for k, v in selected.items() if k in FACETS and v}
    platform = _platform(request)
    records = platform.access.visible(actor)
    result = search_datasets(
        platform.catalog, q=q, filters=filters, sort=sort, lang=lang, offset=offset, limit=limit, records=records
    )
    next_url = None
    if limit and offset + limit < result.total:
        next_url = str(request.url.include_query_params(offset=offset + limit))
    return list_document(result, lang=lang, base=_base(request), offset=offset, limit=limit, next_url=next_url)


@router.get("/datasets/{dataset_id}", response_model=DatasetPublic, responses=ERRORS, summary="Dataset metadata")
def get_dataset(request: Request, dataset_id: str, actor: ApiActor) -> DatasetPublic:
    """The contract of one dataset (titles, descriptions, owner, licence, columns with types, units
    and personal-data flags), its versions with row counts and schema changes, and links to its
    rows, its downloads and its portal page."""
    view = _service(request).dataset(dataset_id, actor)
    return dataset_document(view, _base(request))


@router.get(
    "/datasets/{dataset_id}/profile",
    response_model=ProfilePublic,
    response_model_by_alias=True,
    response_model_exclude_none=True,
    responses=ERRORS,
    summary="Column profile of a version",
)
def get_profile(
    request: Request,
    dataset_id: str,
    actor: ApiActor,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Version number (default: current)")] = None,
) -> ProfilePublic:
    """Per column of one version: empty values, distinct values, and by type minimum, maximum, mean,
    a histogram or the most frequent values, as computed by the engine when the version was loaded
    (see docs/quality.md). Personal-data columns show only their empties and distinct count."""
    view, record = _service(request).version_record(dataset_id, version, actor)
    return profile_document(view, record)


# -- rows ----------------------------------------------------------------------------------------
ROWS_DESCRIPTION = f"""
Rows of one version of a dataset: filter, sort, choose fields, page, and download.

**Filters** are further query parameters, one per condition, all of which must hold:
`<column>=<value>` (equals), or `<column>__<operator>=<value>` with operator
`__exact`, `__gt`, `__gte`, `__lt`, `__lte`, `__in` (comma-separated list, or a JSON array for
values with commas), `__contains` (text columns, case-insensitive) or `__isnull` (`true`/`false`),
for example `AantalInwoners_5__gt=1000&SoortRegio_2=Wijk`.
Values are parsed by the column's type: integer, number (decimal point), boolean
(`true`/`false`), date (`YYYY-MM-DD`), datetime (ISO 8601, UTC when no offset); text as is.
A column whose name is also a parameter name (`format`, `version`, `fields`, `sort`, `limit`,
`offset`, `cursor`) is filtered with `<column>__exact=`.

**Pages** (JSON): `limit` rows (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}; 0 gives only the total),
`total` counts every matching row, `next` is the absolute URL of the next page (a signed keyset
cursor, pinned to the version). `offset` skips at most {MAX_OFFSET} rows; go deeper with `next`.

**Formats** by `format=` or the Accept header: `json` (application/json), `csv` (text/csv),
`csv-excel` (`;`, UTF-8 BOM, CRLF, decimal comma: opens in Dutch Excel), `geojson`
(application/geo+json, datasets with a geometry column only) and `parquet`
(application/vnd.apache.parquet). Files are streamed; without `limit` they hold every matching row.

**Caching**: `ETag` and `Last-Modified`; `If-None-Match` / `If-Modified-Since` give 304.
Only datasets classified *openbaar* exist here; errors are RFC 9457 problem details.
"""

ROWS_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "A JSON page, or a file in the format asked for",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/geo+json": {"schema": {"type": "object"}},
            "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
        },
    },
    304: {"description": "Not modified (If-None-Match or If-Modified-Since)"},
    400: PROBLEM | {"description": "Bad parameter, filter, cursor or format: named in detail"},
    404: PROBLEM | {"description": "No such (public) dataset or version"},
    406: PROBLEM | {"description": "No acceptable format in the Accept header"},
    422: PROBLEM | {"description": "A parameter of the wrong type"},
}


@router.get(
    "/datasets/{dataset_id}/rows",
    summary="Rows: filter, sort, page, download",
    description=ROWS_DESCRIPTION,
    responses=ROWS_RESPONSES,
    response_model=RowsPage,
    response_class=JSONResponse,
)
def get_rows(
    request: Request,
    dataset_id: str,
    actor: ApiActor,
    format: Annotated[Format | None, Query(description="Overrides the Accept header")] = None,  # noqa: A002
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="Version number (default: current)")] = None,
    fields: Annotated[str | None, Query(description="Columns to return, comma-separated (default: all)")] = None,
    sort: Annotated[
        str | None, Query(description="Columns to sort on, comma-separated, `-` for descending (default: the key)")
    ] = None,
    limit: Annotated[
        int | None, Query(ge=0, description=f"Rows per page (JSON: default {DEFAULT_LIMIT}, max {MAX_LIMIT})")
    ] = None,
    offset: Annotated[int | None, Query(ge=0, description=f"Rows to skip (at most {MAX_OFFSET})")] = None,
    cursor: Annotated[str | None, Query(description="Position from a `next` link (opaque)")] = None,
) -> Response:
    fmt, explicit = export.negotiate(format.value if format else None, request.headers.get("accept"))
    service = _service(request)
    vv = service.version(dataset_id, version, actor)
    paged = fmt == Format.json
    parser = vv.parser
    rows_request = RowsRequest(
        fields=parser.fields(fields),
        conditions=parser.conditions(request.query_params.multi_items()),
        order=parser.order(sort),
        limit=parser.limit(limit, paged=paged),
        offset=parser.offset(offset),
        cursor=cursor,
    )
    if fmt == Format.geojson and vv.geometry is None:
        message = f"dataset {dataset_id!r} has no geometry column, so no GeoJSON; use json, csv or parquet"
        raise (export.FormatError(message) if explicit else export.NotAcceptableError(message))

    headers = {
        "ETag": service.etag(vv, fmt.value, request.query_params.multi_items()),
        "Last-Modified": email.utils.format_datetime(_utc(vv.version.created_at), usegmt=True),
        "Cache-Control": CACHE_CONTROL if vv.dataset.record.classification == "openbaar" else "private, no-store",
        "Vary": "Accept, Authorization",
    }
    if _not_modified(request, headers["ETag"], vv.version.created_at):
        return Response(status_code=304, headers=headers)

    if fmt == Format.json:
        return _json_page(request, service, vv, rows_request, headers)
    return _download(request, service, vv, rows_request, fmt, headers)


def _json_page(
    request: Request, service: RowsService, vv: VersionView, rows_request: RowsRequest, headers: dict[str, str]
) -> Response:
    page = service.page(vv, rows_request)
    next_url = None
    if page.cursor is not None:
        next_url = str(
            request.url.remove_query_params("offset").include_query_params(cursor=page.cursor, version=vv.number)
        )
    body = export.json_page(
        dataset=vv.id,
        version=vv.number,
        columns=vv.column_list(rows_request.fields),
        rows=page.rows,
        total=page.total,
        next_url=next_url,
    )
    return Response(body, media_type="application/json", headers=headers)


def _download(
    request: Request,
    service: RowsService,
    vv: VersionView,
    rows_request: RowsRequest,
    fmt: Format,
    headers: dict[str, str],
) -> Response:
    chunks: Iterator[bytes]
    if fmt in (Format.csv, Format.csv_excel):
        batches = service.batches(vv, rows_request, geometry="wkt")
        chunks = export.csv_stream(batches, vv.types(), excel=fmt == Format.csv_excel)
    elif fmt == Format.geojson:
        chunks = export.geojson_stream(service.features(vv, rows_request))
    else:
        batches = service.batches(vv, rows_request, geometry="wkb")
        chunks = export.parquet_stream(batches, vv.geometry)
    headers = headers | {
        "Content-Disposition": f'attachment; filename="{export.filename(vv.id, vv.number, fmt)}"',
    }
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        # Compress here at a fast level; the app's GZip middleware leaves encoded responses alone.
        chunks = export.gzip_stream(chunks)
        headers |= {"Content-Encoding": "gzip", "Vary": "Accept, Accept-Encoding"}
    return StreamingResponse(chunks, media_type=export.MEDIA_TYPES[fmt], headers=headers)


# -- conditional requests ------------------------------------------------------------------------
def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _not_modified(request: Request, etag: str, modified: dt.datetime) -> bool:
    """RFC 9110 §13.1: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            moment = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        return _utc(modified).replace(microsecond=0) <= _utc(moment)
    return False
