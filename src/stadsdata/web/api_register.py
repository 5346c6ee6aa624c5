"""The algorithm register's API under /api/v1 (tag "algorithms"): list, one entry, its history,
the export in the standard's download format, and create/replace for API tokens.

HTTP only: the register area (``platform.algorithms``, ``stadsdata.register``) validates against
the Algoritmeregister standard v1.0, versions every change and asks the access policy
(``edit_register``: data officers and the admin). Reading is public and needs no token; writing
needs a token with the ``edit_register`` scope (a 401 without a token, the policy's 403 without the
right, the area's 422 naming the field for an invalid entry, and then nothing is stored). The
linked catalogue datasets are listed only as far as the caller may see them; the rest are
counted (``datasets_not_shown``), never named. Documented in docs/api.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from stadsdata.core.access import Actor
from stadsdata.platform import Platform
from stadsdata.register.service import AlgorithmEntry, AlgorithmVersion, RegisterSearch
from stadsdata.register.standard import STANDARD, FieldProblem
from stadsdata.web.api_governance import BASE_ERRORS, ITEM_ERRORS, JSON, PRIVATE, TokenActor
from stadsdata.web.auth import ApiActor

router = APIRouter(prefix="/api/v1", tags=["algorithms"])

FACETS = ("organization", "category", "status", "publication_category")
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
TEXT = 200  # characters of a search query or facet value
EXPORT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}


def _platform(request: Request) -> Platform:
    return request.app.state.platform  # type: ignore[no-any-return]


def _visible_ids(request: Request, actor: Actor) -> set[str]:
    """The catalogue datasets this caller may see (the policy is asked once per request)."""
    cached = getattr(request.state, "register_visible", None)
    if cached is None:
        cached = request.state.register_visible = {r.id for r in _platform(request).access.visible(actor)}
    return cached  # type: ignore[no-any-return]


# -- models out ---------------------------------------------------------------------------------
class FacetCount(BaseModel):
    value: str = Field(description="A value of the facet")
    count: int = Field(description="Entries with it that match q and the other facets")


class AlgorithmCard(BaseModel):
    id: str = Field(description="The entry's id in this register")
    name: str = Field(description="Naam (v1.0 `name`)")
    organization: str = Field(description="Organisatienaam")
    description_short: str = Field(description="Korte omschrijving")
    status: str = Field(description="In ontwikkeling, In gebruik or Buiten gebruik")
    categories: list[str] = Field(description="Thema's (v1.0 `category`)")
    publication_category: str = Field(description="Publicatiecategorie ('' when missing)")
    version: int = Field(description="The entry's version number")
    updated_at: dt.datetime = Field(description="Last change (UTC)")
    links: dict[str, str] = Field(description="`self` (this API) and `portal` (the public page)")


class AlgorithmList(BaseModel):
    total: int = Field(description="Entries matching q and the facets")
    algorithms: list[AlgorithmCard] = Field(description="This page of them")
    facets: dict[str, list[FacetCount]] = Field(
        description="Per facet (organization, category, status, publication_category) its values with counts"
    )
    next: str | None = Field(description="The next page's URL, or null")


class ProblemPublic(BaseModel):
    field: str = Field(description="The v1.0 field")
    problem: str = Field(description="What is wrong with it (e.g. missing, unreadable characters)")


class AlgorithmPublic(BaseModel):
    id: str = Field(description="The entry's id in this register")
    fields: dict[str, Any] = Field(
        description="Every field of the Algoritmeregister standard v1.0, in its order; "
        "*_grouping fields are lists of {title, link}, `category` a list of themes"
    )
    datasets: list[str] = Field(description="Catalogue datasets the algorithm uses that you may see")
    datasets_not_shown: int = Field(description="Linked datasets you may not see (not named)")
    opgaven: list[int] = Field(
        description="Numbers of the opgaven (purpose-bound analysis projects) it is linked to; "
        "an opgave's page is for staff who may view it"
    )
    version: int = Field(description="The entry's version number (1 when created or imported)")
    created_at: dt.datetime = Field(description="When it was created or imported (UTC)")
    updated_at: dt.datetime = Field(description="Last change (UTC)")
    updated_by: str = Field(description="Who made the last change")
    source: str = Field(description="Where it came from: import, portal, api, model")
    problems: list[ProblemPublic] = Field(description="What the import or validation found wrong with it")
    links: dict[str, str] = Field(description="`history`, `portal`")


class ChangePublic(BaseModel):
    field: str = Field(description="The v1.0 field (or `datasets`, `opgaven`)")
    old: Any = Field(description="The value before")
    new: Any = Field(description="The value after")


class VersionPublic(BaseModel):
    number: int = Field(description="The version this change made")
    at: dt.datetime = Field(description="When (UTC)")
    by: str = Field(description="Who")
    reason: str = Field(description="Why, in the editor's words")
    changes: list[ChangePublic] = Field(description="What changed, field by field")


class AlgorithmHistory(BaseModel):
    id: str = Field(description="The entry")
    versions: list[VersionPublic] = Field(description="Every version, newest first")


# -- models in ----------------------------------------------------------------------------------
class AlgorithmCreate(BaseModel):
    """A new entry: ``fields`` by their v1.0 names. The area validates every field against the
    standard; a problem is one 422 naming the field, and then nothing is stored."""

    fields: dict[str, Any] = Field(
        description="v1.0 field -> value; `category` a list, *_grouping lists of {title, link}",
        examples=[{"name": "Parkeercontrole met scanauto", "organization": "Gemeente Den Haag"}],
    )
    datasets: list[Annotated[str, Field(max_length=TEXT)]] = Field(
        default=[], max_length=100, description="Catalogue dataset ids the algorithm uses"
    )
    opgaven: list[int] = Field(default=[], max_length=100, description="Numbers of opgaven it is linked to")


class AlgorithmUpdate(BaseModel):
    """The entry's new fields, and why it changed (kept in its history)."""

    fields: dict[str, Any] = Field(description="v1.0 field -> value")
    reason: str = Field(min_length=1, max_length=2000, description="Why it changes (shown in the history)")
    datasets: list[Annotated[str, Field(max_length=TEXT)]] | None = Field(
        default=None, max_length=100, description="Catalogue dataset ids; null: leave them as they are"
    )
    opgaven: list[int] | None = Field(
        default=None, max_length=100, description="Numbers of opgaven; null: leave them as they are"
    )


# -- views --------------------------------------------------------------------------------------
def _card(entry: AlgorithmEntry) -> AlgorithmCard:
    return AlgorithmCard(
        id=str(entry.id),
        name=entry.name,
        organization=entry.organization,
        description_short=str(entry.fields.get("description_short") or ""),
        status=entry.status or "",
        categories=list(entry.categories),
        publication_category=entry.publication_category or "",
        version=entry.version,
        updated_at=entry.updated_at,
        links={"self": f"/api/v1/algorithms/{entry.id}", "portal": f"/algoritmes/{entry.id}"},
    )


def _public(request: Request, actor: Actor, entry: AlgorithmEntry) -> AlgorithmPublic:
    visible = _visible_ids(request, actor)
    shown = [d for d in entry.datasets if d in visible]
    return AlgorithmPublic(
        id=str(entry.id),
        fields={name: entry.fields.get(name, [] if f.type == "array" else "") for name, f in STANDARD.items()},
        datasets=shown,
        datasets_not_shown=len(entry.datasets) - len(shown),
        opgaven=list(entry.opgaven),
        version=entry.version,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        updated_by=entry.updated_by,
        source=entry.source,
        problems=[ProblemPublic(field=p.field, problem=problem_text(p)) for p in entry.problems],
        links={"history": f"/api/v1/algorithms/{entry.id}/history", "portal": f"/algoritmes/{entry.id}"},
    )


def problem_text(problem: FieldProblem) -> str:
    return problem.message


def _version(version: AlgorithmVersion, visible: set[str]) -> VersionPublic:
    """A version for the caller: linked datasets they may not see are left out of its changes."""
    changes = []
    for name, (old, new) in version.changes.items():
        if name == "datasets":
            old, new = [d for d in old or [] if d in visible], [d for d in new or [] if d in visible]
            if old == new:
                continue
        changes.append(ChangePublic(field=name, old=old, new=new))
    return VersionPublic(
        number=version.number, at=version.at, by=version.by, reason=version.reason or "", changes=changes
    )


# -- routes -------------------------------------------------------------------------------------
@router.get("/algorithms", response_model=AlgorithmList, summary="List and search the algorithm register")
def list_algorithms(
    request: Request,
    q: Annotated[str, Query(max_length=TEXT, description="Words that must all occur")] = "",
    organization: Annotated[list[str] | None, Query(description="Organisatienaam (repeat for OR)")] = None,
    category: Annotated[list[str] | None, Query(description="Thema (repeat for OR)")] = None,
    status: Annotated[list[str] | None, Query(description="Status (repeat for OR)")] = None,
    publication_category: Annotated[list[str] | None, Query(description="Publicatiecategorie")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = DEFAULT_LIMIT,
) -> AlgorithmList:
    """The register's entries (public, no token): search words in every field, facets by
    organisation, theme, status and publication category (different facets AND, values OR)."""
    chosen = {
        "organization": organization,
        "category": category,
        "status": status,
        "publication_category": publication_category,
    }
    filters = {name: [v[:TEXT] for v in values if v][:20] for name, values in chosen.items() if values}
    found: RegisterSearch = _platform(request).algorithms.search(
        q=q.strip(), filters=filters, offset=offset, limit=limit
    )
    following = None
    if limit and offset + limit < found.total:
        params = request.query_params.multi_items()
        kept = [(k, v) for k, v in params if k != "offset"] + [("offset", str(offset + limit))]
        following = "/api/v1/algorithms?" + "&".join(f"{k}={_quote(v)}" for k, v in kept)
    return AlgorithmList(
        total=found.total,
        algorithms=[_card(e) for e in found.entries],
        facets={name: [FacetCount(value=v, count=n) for v, n in found.facets.get(name, [])] for name in FACETS},
        next=following,
    )


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@router.get(
    "/algorithms/export",
    summary="The whole register in the standard's download format",
    responses={200: {"content": {"application/json": {}, "text/csv": {}}, "description": "The download"}},
)
def export_algorithms(
    request: Request,
    format: Annotated[Literal["json", "csv"], Query(description="json or csv")] = "json",  # noqa: A002
) -> Response:
    """Every entry in the Algoritmeregister v1.0 download format (the fields of the standard, in
    its order); it validates against the standard and re-imports without loss."""
    body = _platform(request).algorithms.export(format)
    return Response(
        body,
        media_type=EXPORT_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="algoritmeregister.{format}"'},
    )


@router.get(
    "/algorithms/{algorithm_id}",
    response_model=AlgorithmPublic,
    responses={404: ITEM_ERRORS[404]},
    summary="One entry: every v1.0 field",
)
def get_algorithm(request: Request, actor: ApiActor, algorithm_id: str) -> AlgorithmPublic:
    """Every field of the standard, the linked datasets you may see, its version and what the
    import found wrong with it."""
    entry = _platform(request).algorithms.get(algorithm_id)
    return _public(request, actor, entry)


@router.get(
    "/algorithms/{algorithm_id}/history",
    response_model=AlgorithmHistory,
    responses={404: ITEM_ERRORS[404]},
    summary="An entry's versions: who, when, why, what changed",
)
def algorithm_history(request: Request, actor: ApiActor, algorithm_id: str) -> AlgorithmHistory:
    """Every version, newest first: who, when, why, and per field the old and new value."""
    register = _platform(request).algorithms
    entry = register.get(algorithm_id)
    visible = _visible_ids(request, actor)
    return AlgorithmHistory(id=str(entry.id), versions=[_version(v, visible) for v in register.history(entry.id)])


@router.post(
    "/algorithms",
    response_model=AlgorithmPublic,
    status_code=201,
    dependencies=JSON,
    responses=BASE_ERRORS,
    summary="Register an algorithm",
)
def create_algorithm(request: Request, response: Response, actor: TokenActor, body: AlgorithmCreate) -> AlgorithmPublic:
    """A new entry (scope `edit_register`: data officers and the admin), version 1."""
    entry = _platform(request).algorithms.create(
        actor, body.fields, datasets=body.datasets, opgaven=body.opgaven, source="api"
    )
    response.headers["Location"] = f"/api/v1/algorithms/{entry.id}"
    response.headers["Cache-Control"] = PRIVATE
    return _public(request, actor, entry)


@router.put(
    "/algorithms/{algorithm_id}",
    response_model=AlgorithmPublic,
    dependencies=JSON,
    responses=ITEM_ERRORS,
    summary="Change an entry (a new version)",
)
def update_algorithm(
    request: Request, response: Response, actor: TokenActor, algorithm_id: str, body: AlgorithmUpdate
) -> AlgorithmPublic:
    """The entry's fields as given (scope `edit_register`), with the reason; the change becomes a
    new version in its history."""
    entry = _platform(request).algorithms.update(
        actor, algorithm_id, body.fields, reason=body.reason, datasets=body.datasets, opgaven=body.opgaven
    )
    response.headers["Cache-Control"] = PRIVATE
    return _public(request, actor, entry)


__all__ = ["router"]
