"""The governance API under /api/v1: who am I, opgaven, their workspaces, the Datashop and the
audit log, for API tokens (``Authorization: Bearer sd_...``, from ``stadsdata tokens create``).

HTTP only: every rule lives in the areas (``governance.opgaven``, ``workspaces.service``,
``governance.datashop``, ``governance.audit``), which ask the access policy and write the audit
log; a token acts for its user, limited to its scopes, so a token without the scope a route needs
gets the policy's 403. Without a token every route here is a 401 (the session cookie of the
portal is ignored, so no other site can make a logged-in browser call it; POST bodies are JSON).
Every response, errors included, is ``Cache-Control: private, no-store``. Request and response
models are split by role, so a stored field that is not meant to leave (a workspace's file path,
a token's hash) has no way out. Documented in docs/api.md.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope, Send

from stadsdata.core.access import Action, Actor
from stadsdata.errors import AccessDeniedError, AuthenticationError, NotFoundError, StadsdataError
from stadsdata.governance.audit import VerifyResult
from stadsdata.governance.datashop import OUTCOMES
from stadsdata.governance.enforce import enforce
from stadsdata.governance.opgaven import DPIA_STATUSES, LEGAL_GROUNDS, ColumnRequest, OpgaveRequest
from stadsdata.metastore.audit_store import AuditEntry
from stadsdata.metastore.datashop_store import DatashopRequest
from stadsdata.metastore.opgaven_store import Opgave
from stadsdata.platform import Platform
from stadsdata.web.auth import ApiActor
from stadsdata.web.problems import problem

PRIVATE = "private, no-store"
MAX_QUERY_LIMIT = 10_000
DEFAULT_QUERY_LIMIT = 1_000
MAX_AUDIT_LIMIT = 1_000
SQL_MAX = 20_000  # characters of one query
TEXT = 2_000  # characters of a free-text field
NAME = 200  # characters of a name (dataset, column, user, dienst)
OpgaveState = Literal["requested", "approved", "declined", "closed", "destroyed"]


class _PrivateRoute(APIRoute):
    """Marks every response of the route private and not to be stored, also the problem responses
    that the app's exception handlers make (they run inside ``handle``)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                headers["Cache-Control"] = PRIVATE
                headers.add_vary_header("Authorization")
                message = {**message, "headers": headers.raw}
            await send(message)

        await super().handle(scope, receive, private)


router = APIRouter(prefix="/api/v1", route_class=_PrivateRoute)

PROBLEM = {"content": {"application/problem+json": {}}}
UNAUTHORIZED = PROBLEM | {"description": "No token, or an unknown, expired or revoked token"}
FORBIDDEN = PROBLEM | {"description": "The access policy said no (or the token lacks the scope): its reason"}
NOT_FOUND = PROBLEM | {"description": "No such item, or one you may not see"}
INVALID = PROBLEM | {"description": "A field is missing or breaks a rule: named in detail"}
BASE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: PROBLEM | {"description": "Bad request, e.g. a body that is not JSON"},
    401: UNAUTHORIZED,
    403: FORBIDDEN,
    422: INVALID,
}
ITEM_ERRORS: dict[int | str, dict[str, Any]] = BASE_ERRORS | {404: NOT_FOUND}
WORKSPACE_ERRORS: dict[int | str, dict[str, Any]] = ITEM_ERRORS | {
    400: PROBLEM
    | {"description": "The query cannot run (not one SELECT, a syntax error, outside the workspace); a body not JSON"},
    410: PROBLEM | {"description": "The workspace was destroyed: 'destroyed on <date>'"},
}
EXPORT_ERRORS: dict[int | str, dict[str, Any]] = WORKSPACE_ERRORS | {
    409: PROBLEM
    | {
        "description": "Blocked by disclosure control: `detail` names the cells and why, `cells` lists them all; "
        "nothing of the table is in the response"
    },
}


def _platform(request: Request) -> Platform:
    return request.app.state.platform  # type: ignore[no-any-return]


def token_actor(actor: ApiActor) -> Actor:
    """The token's user; without a token a 401 (these routes are for staff with a token)."""
    if not actor.is_staff:
        raise AuthenticationError(
            "this route needs an API token: send 'Authorization: Bearer sd_...' "
            "(a token from `stadsdata tokens create`)"
        )
    return actor


TokenActor = Annotated[Actor, Depends(token_actor)]


def json_body(request: Request, actor: TokenActor) -> None:
    """A body must be JSON (checked after the token, so that anonymous callers get their 401): a
    form or text post, as a page on another site could make a browser send, is refused before
    anything is done with it."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        raise StadsdataError(f"the request body must be JSON (Content-Type: application/json); got {kind or 'none'!r}")


JSON = [Depends(json_body)]


# -- values out ---------------------------------------------------------------------------------
def _json_value(value: Any) -> Any:
    """A query result's value as JSON: numbers (not finite: null), text, booleans, null; dates and
    times ISO 8601, intervals in seconds, blobs in hex, lists and structs as arrays and objects."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        if not value.is_finite():
            return None
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_json_value(v) for v in value]
    return str(value)


# -- who am I -----------------------------------------------------------------------------------
class RolePublic(BaseModel):
    role: str = Field(description="A role of docs/governance.md, e.g. analyst, data_owner")
    scope: str | None = Field(description="The dataset (data_owner, data_steward) or dienst (data_officer); else null")


class GrantPublic(BaseModel):
    dataset: str = Field(description="The dataset the grant is on")
    level: str = Field(description="read, pseudonymised or aggregated")
    columns: list[str] | None = Field(description="Only these columns; null: every column the level allows")
    special_categories: list[str] = Field(description="Special-category columns the grant names")
    opgave: int | None = Field(description="The opgave the grant is for, if any")
    expires_at: dt.datetime | None = Field(description="When the grant ends (UTC); null: no end")


class MePublic(BaseModel):
    user: str = Field(description="The token's user (login name)")
    display_name: str = Field(description="The user's name as shown")
    dienst: str | None = Field(description="The dienst the user works for")
    roles: list[RolePublic] = Field(description="The user's roles")
    scopes: list[str] = Field(description="The actions this token may be used for (core/access.py)")
    grants: list[GrantPublic] = Field(description="The user's active data grants")


@router.get("/me", response_model=MePublic, tags=["identity"], responses={401: UNAUTHORIZED}, summary="Who am I")
def me(request: Request, actor: TokenActor) -> MePublic:
    """The token's user: roles, the token's scopes and the user's active data grants."""
    user = _platform(request).identity.get_user(actor.user or "")
    return MePublic(
        user=user.name,
        display_name=user.display_name,
        dienst=user.dienst,
        roles=sorted(
            (RolePublic(role=r.role.value, scope=r.scope) for r in actor.roles), key=lambda r: (r.role, r.scope or "")
        ),
        scopes=sorted(actor.via_token_scopes or ()),
        grants=[
            GrantPublic(
                dataset=g.dataset_id,
                level=g.level.label,
                columns=sorted(g.columns) if g.columns is not None else None,
                special_categories=sorted(g.special_categories),
                opgave=g.opgave_id,
                expires_at=g.expires_at,
            )
            for g in actor.grants
        ],
    )


# -- opgaven ------------------------------------------------------------------------------------
class ColumnCreate(BaseModel):
    dataset: str = Field(max_length=NAME, description="A dataset id of the catalogue")
    column: str = Field(max_length=NAME, description="A column of that dataset")
    reason: str = Field(max_length=TEXT, description="Why the opgave needs this column (a sentence)")


class OpgaveCreate(BaseModel):
    """A request for an opgave. Its rules (docs/governance.md) are checked by the opgaven area;
    every problem is one 422 naming the field, and then nothing is stored."""

    title: str = Field(max_length=NAME, description="A short title")
    purpose: str = Field(max_length=TEXT, description="The purpose, in a sentence")
    legal_ground: str = Field(
        max_length=NAME,
        description="The ground of AVG art. 6(1): " + "; ".join(f"{k}: {v}" for k, v in LEGAL_GROUNDS.items()),
    )
    legal_basis: str = Field(max_length=TEXT, description="The law that gives the task, e.g. 'Wmo 2015, art. 2.1.2'")
    dpia_reference: str = Field(max_length=NAME, description="The DPIA's reference (or why none is needed)")
    dpia_status: str = Field(max_length=NAME, description="One of: " + ", ".join(DPIA_STATUSES))
    end_date: dt.date = Field(
        description="The last day (YYYY-MM-DD): in the future, at most the platform's maximum ahead"
    )
    members: list[str] = Field(default=[], max_length=100, description="Users who work in the opgave with you")
    columns: list[ColumnCreate] = Field(
        max_length=500, description="Every dataset column the opgave needs, each with a reason"
    )


class ColumnPublic(BaseModel):
    dataset: str = Field(description="The dataset")
    column: str = Field(description="The column")
    reason: str = Field(description="Why the opgave asked for it")
    decision: str = Field(description="pending, approved or declined")
    decided_by: str | None = Field(description="The data owner who decided")
    decided_at: dt.datetime | None = Field(description="When (UTC)")
    decision_reason: str | None = Field(description="The data owner's reason")


class WorkspaceTablePublic(BaseModel):
    table: str = Field(description="The table's name in the workspace (the dataset id)")
    rows: int | None = Field(description="Rows at the build")
    columns: dict[str, str] = Field(description="Column -> what the build did (keep, pseudonymise, generalise:...)")


class WorkspacePublic(BaseModel):
    built_at: dt.datetime = Field(description="When the workspace was built (UTC)")
    built_by: str = Field(description="Whose approval built it")
    destroyed_at: dt.datetime | None = Field(description="When it was destroyed (UTC); null while it exists")
    tables: list[WorkspaceTablePublic] = Field(description="Its tables")


class OpgavePublic(BaseModel):
    id: int = Field(description="The opgave's number")
    title: str = Field(description="Its title")
    purpose: str = Field(description="Its purpose")
    legal_ground: str = Field(description="AVG art. 6(1) ground, a-f")
    legal_basis: str = Field(description="The law")
    dpia_reference: str = Field(description="The DPIA's reference")
    dpia_status: str = Field(description="niet nodig, in uitvoering or afgerond")
    requester: str = Field(description="Who asked")
    members: list[str] = Field(description="Who works in it besides the requester")
    end_date: dt.date = Field(description="Its last day")
    state: str = Field(description="requested, approved, declined, closed or destroyed")
    created_at: dt.datetime = Field(description="When it was filed (UTC)")
    decided_at: dt.datetime | None = Field(description="When every part was decided (UTC)")
    closed_at: dt.datetime | None = Field(description="When it was closed early (UTC)")
    destroyed_at: dt.datetime | None = Field(description="When its workspace was destroyed (UTC)")
    columns: list[ColumnPublic] = Field(description="Every column asked for, with its decision")
    special_categories: dict[str, list[str]] = Field(
        description="Per dataset, the special-category columns its data owner explicitly approved"
    )
    workspace: WorkspacePublic | None = Field(description="Its workspace (built on approval); null: none yet")


def _opgave_public(platform: Platform, o: Opgave) -> OpgavePublic:
    record = platform.workspaces.store.find(o.id)
    workspace = None
    if record is not None:
        workspace = WorkspacePublic(
            built_at=record.built_at,
            built_by=record.built_by,
            destroyed_at=record.destroyed_at,
            tables=[
                WorkspaceTablePublic(
                    table=str(t.get("table")), rows=t.get("rows"), columns=dict(t.get("columns") or {})
                )
                for t in record.tables
            ],
        )
    return OpgavePublic(
        id=o.id,
        title=o.title,
        purpose=o.purpose,
        legal_ground=o.legal_ground,
        legal_basis=o.legal_basis,
        dpia_reference=o.dpia_reference,
        dpia_status=o.dpia_status,
        requester=o.requester,
        members=o.members,
        end_date=o.end_date,
        state=o.state,
        created_at=o.created_at,
        decided_at=o.decided_at,
        closed_at=o.closed_at,
        destroyed_at=o.destroyed_at,
        columns=[
            ColumnPublic(
                dataset=c.dataset_id,
                column=c.column,
                reason=c.reason,
                decision=c.decision,
                decided_by=c.decided_by,
                decided_at=c.decided_at,
                decision_reason=c.decision_reason,
            )
            for c in o.columns
        ],
        special_categories={k: list(v) for k, v in o.details.get("special_categories", {}).items()},
        workspace=workspace,
    )


class OpgaveList(BaseModel):
    opgaven: list[OpgavePublic] = Field(description="The opgaven you may see, newest first")


@router.get("/opgaven", response_model=OpgaveList, tags=["opgaven"], responses=BASE_ERRORS, summary="List opgaven")
def list_opgaven(
    request: Request,
    actor: TokenActor,
    state: Annotated[OpgaveState | None, Query(description="Only opgaven in this state")] = None,
) -> OpgaveList:
    """The opgaven the token's user may see (`view_opgave`: requester, members, the data owners of
    their datasets, the board, the admin), newest first. A token without `view_opgave` sees none."""
    platform = _platform(request)
    return OpgaveList(opgaven=[_opgave_public(platform, o) for o in platform.opgaven.visible_to(actor, state)])


@router.post(
    "/opgaven",
    response_model=OpgavePublic,
    status_code=201,
    dependencies=JSON,
    tags=["opgaven"],
    responses=BASE_ERRORS,
    summary="Request an opgave",
)
def request_opgave(request: Request, response: Response, actor: TokenActor, body: OpgaveCreate) -> OpgavePublic:
    """File an opgave (scope `request_opgave`). Each dataset's data owner then decides on its part."""
    platform = _platform(request)
    opgave = platform.opgaven.request(
        actor,
        OpgaveRequest(
            title=body.title,
            purpose=body.purpose,
            legal_ground=body.legal_ground,
            legal_basis=body.legal_basis,
            dpia_reference=body.dpia_reference,
            dpia_status=body.dpia_status,
            end_date=body.end_date,
            members=body.members,
            columns=[ColumnRequest(c.dataset, c.column, c.reason) for c in body.columns],
        ),
    )
    response.headers["Location"] = f"/api/v1/opgaven/{opgave.id}"
    return _opgave_public(platform, opgave)


def _shown(platform: Platform, actor: Actor, opgave_id: int) -> Opgave:
    """The opgave, if ``actor`` may see it (the area asks the policy and audits); one 404 with one
    message whether it does not exist or may not be seen, so that its existence does not leak."""
    try:
        return platform.opgaven.show(actor, opgave_id)
    except NotFoundError:
        raise NotFoundError(f"no opgave {opgave_id} that you may see") from None


@router.get(
    "/opgaven/{opgave_id}", response_model=OpgavePublic, tags=["opgaven"], responses=ITEM_ERRORS, summary="One opgave"
)
def get_opgave(request: Request, actor: TokenActor, opgave_id: int) -> OpgavePublic:
    """Purpose, legal basis, DPIA, members, every column with its decision, and its workspace
    (scope `view_opgave`). An opgave you may not see is a 404, like one that does not exist."""
    platform = _platform(request)
    return _opgave_public(platform, _shown(platform, actor, opgave_id))


class DecisionCreate(BaseModel):
    dataset: str = Field(max_length=NAME, description="Your dataset's part of the opgave")
    approve: bool = Field(description="true: approve; false: decline")
    reason: str = Field(max_length=TEXT, description="Why (recorded in the opgave and the audit log)")
    columns: list[str] | None = Field(
        default=None, max_length=500, description="Approve only these columns (default: every column asked)"
    )
    special_categories: list[str] | None = Field(
        default=None,
        max_length=500,
        description="Special-category columns you explicitly approve (without this they stay out)",
    )


@router.post(
    "/opgaven/{opgave_id}/decisions",
    dependencies=JSON,
    response_model=OpgavePublic,
    tags=["opgaven"],
    responses=ITEM_ERRORS,
    summary="Decide on your dataset's part",
)
def decide_opgave(request: Request, actor: TokenActor, opgave_id: int, body: DecisionCreate) -> OpgavePublic:
    """The data owner's decision on their dataset's part (scope `approve_opgave`); nobody decides on
    their own request. When every part is decided the opgave is approved (its workspace is built)
    or declined."""
    platform = _platform(request)
    opgave = platform.decide_opgave(
        actor,
        opgave_id,
        body.dataset,
        approve=body.approve,
        reason=body.reason,
        columns=body.columns,
        special_categories=body.special_categories,
    )
    return _opgave_public(platform, opgave)


@router.post(
    "/opgaven/{opgave_id}/close",
    response_model=OpgavePublic,
    tags=["opgaven"],
    responses=ITEM_ERRORS,
    summary="Close an opgave early",
)
def close_opgave(request: Request, actor: TokenActor, opgave_id: int) -> OpgavePublic:
    """End an approved opgave before its end date (scope `close_opgave`; its requester or the
    admin); its grants end now and the next sweep destroys its workspace."""
    platform = _platform(request)
    return _opgave_public(platform, platform.workspaces.close(actor, opgave_id))


# -- workspaces ---------------------------------------------------------------------------------
class QueryCreate(BaseModel):
    sql: str = Field(max_length=SQL_MAX, description="One SELECT on the workspace's tables (named after the datasets)")
    limit: int = Field(
        default=DEFAULT_QUERY_LIMIT,
        ge=1,
        le=MAX_QUERY_LIMIT,
        description=f"At most this many rows (<= {MAX_QUERY_LIMIT})",
    )


class QueryResultPublic(BaseModel):
    columns: list[str] = Field(description="Column names, in order")
    types: list[str] = Field(description="Their DuckDB types")
    rows: list[list[Any]] = Field(description="Rows as arrays in column order; dates ISO 8601")
    count: int = Field(description="Rows in this response (at most `limit`)")


@router.post(
    "/opgaven/{opgave_id}/workspace/query",
    dependencies=JSON,
    response_model=QueryResultPublic,
    tags=["workspaces"],
    responses=WORKSPACE_ERRORS,
    summary="Query the workspace",
)
def query_workspace(request: Request, actor: TokenActor, opgave_id: int, body: QueryCreate) -> QueryResultPublic:
    """One read-only SELECT on the opgave's workspace (scope `use_workspace`; its requester and
    members, while approved and before the end date). Direct identifiers are pseudonyms there,
    quasi-identifiers generalised. Audited with the opgave's purpose."""
    result = _platform(request).workspaces.query(actor, opgave_id, body.sql, limit=body.limit)
    return QueryResultPublic(
        columns=result.columns,
        types=result.types,
        rows=[[_json_value(v) for v in row] for row in result.rows],
        count=len(result.rows),
    )


class ExportCreate(BaseModel):
    sql: str = Field(
        max_length=SQL_MAX,
        description="A SELECT giving a count table: its dimension columns and one count column, nothing else; "
        "margins (totals) as NULL in the dimension they sum over, e.g. GROUP BY CUBE (a, b)",
    )
    dimensions: list[str] = Field(min_length=1, max_length=2, description="The one or two dimension columns")
    count: str = Field(
        default="n", max_length=NAME, description="The count column (with `magnitude`: the value column to sum)"
    )
    magnitude: bool = Field(
        default=False,
        description="A table of sums: the SELECT gives one row per contribution (dimensions, the value, and "
        "optionally `contributor`); cells are summed and checked by the p% rule and a minimum of contributors",
    )
    contributor: str | None = Field(
        default=None, max_length=NAME, description="With `magnitude`: the column that says whose a contribution is"
    )
    accept_suppression: bool = Field(
        default=False,
        description="Release the protected table with its sensitive cells suppressed; false: such a table is blocked",
    )


class ExportPublic(BaseModel):
    decision: Literal["released"] = Field(description="Always released here; a blocked export is a 409 problem")
    explanation: str = Field(description="One line: what passed, or which cells were suppressed and why")
    cells: list[str] = Field(
        description="Every suppressed cell and why, e.g. '(WK051801, Begeleiding): primary: n=3 < 10'"
    )
    threshold: int = Field(
        description="The smallest count a published cell may show (a count of 0 is published); for sums, the "
        "fewest contributors a cell needs. The opgave's datasets' own threshold, else the platform's"
    )
    rule: str = Field(description="The rule applied, e.g. `threshold 10` or `p% rule, p=10`")
    columns: list[str] = Field(description="The dimensions, the count and `suppressed`")
    rows: list[dict[str, Any]] = Field(
        description="One object per cell; a margin has null in the dimension it sums over. `suppressed` is null for a "
        "published cell, else why it is withheld (primary, secondary) and then its count is null"
    )


@router.post(
    "/opgaven/{opgave_id}/workspace/export",
    dependencies=JSON,
    response_model=ExportPublic,
    tags=["workspaces"],
    responses=EXPORT_ERRORS,
    summary="Export a count table through disclosure control",
)
def export_workspace(request: Request, actor: TokenActor, opgave_id: int, body: ExportCreate) -> Any:
    """Take a count table out of the workspace (scope `export_result`): primary suppression of
    cells below the threshold, then secondary suppression until no suppressed cell can be
    recomputed from the rest. A table with suppressed cells is blocked (409, naming the cells)
    unless `accept_suppression`; a table that cannot be protected is always blocked. A blocked
    export returns nothing of the table. Audited with the decision."""
    platform = _platform(request)
    export = platform.workspaces.export(
        actor,
        opgave_id,
        body.sql,
        body.dimensions,
        body.count,
        accept_suppression=body.accept_suppression,
        magnitude=body.magnitude,
        contributor=body.contributor,
    )
    decision = export.decision
    if not decision.released:
        return problem(
            409, decision.explanation, instance=request.url.path, decision=decision.status, cells=decision.cells
        )
    return ExportPublic(
        decision="released",
        explanation=decision.explanation,
        cells=decision.cells,
        threshold=export.threshold,
        rule=export.rule,
        columns=export.columns,
        rows=[{k: _json_value(v) for k, v in row.items()} for row in export.rows],
    )


# -- the Datashop -------------------------------------------------------------------------------
class DatashopCreate(BaseModel):
    question: str = Field(max_length=TEXT, description="The data question, in a sentence")
    purpose: str = Field(max_length=TEXT, description="What the answer is for")
    deadline: dt.date = Field(description="By when (YYYY-MM-DD), not in the past")
    dienst: str = Field(max_length=NAME, description="The dienst that asks")


class TriageCreate(BaseModel):
    outcome: str = Field(max_length=NAME, description="One of: " + ", ".join(OUTCOMES))
    note: str = Field(max_length=TEXT, description="Where the answer is, why an opgave, or why it is declined")
    opgave_id: int | None = Field(default=None, description="The opgave the request became (outcome 'opgave' only)")


class DatashopEvent(BaseModel):
    at: str | None = Field(default=None, description="When (ISO 8601, UTC)")
    by: str | None = Field(default=None, description="Who")
    state: str | None = Field(default=None, description="The state it went to")
    note: str | None = Field(default=None, description="The note")


class DatashopPublic(BaseModel):
    id: int = Field(description="The request's number")
    question: str = Field(description="The data question")
    purpose: str = Field(description="What the answer is for")
    deadline: dt.date = Field(description="By when")
    dienst: str = Field(description="The dienst that asks")
    requester: str = Field(description="Who asked")
    state: str = Field(description="new, answered, opgave or declined")
    resolution: str | None = Field(description="The team's note")
    opgave_id: int | None = Field(description="The opgave it became, for outcome 'opgave'")
    created_at: dt.datetime = Field(description="When it was filed (UTC)")
    history: list[DatashopEvent] = Field(description="Every step, oldest first")


class DatashopList(BaseModel):
    requests: list[DatashopPublic] = Field(description="Your requests (the Datashop team: all), newest first")


def _datashop_public(r: DatashopRequest) -> DatashopPublic:
    return DatashopPublic(
        id=r.id,
        question=r.question,
        purpose=r.purpose,
        deadline=r.deadline,
        dienst=r.dienst,
        requester=r.requester,
        state=r.state,
        resolution=r.resolution,
        opgave_id=r.opgave_id,
        created_at=r.created_at,
        history=[
            DatashopEvent(**{k: None if e.get(k) is None else str(e[k]) for k in ("at", "by", "state", "note")})
            for e in r.history
            if isinstance(e, dict)
        ],
    )


@router.get(
    "/datashop", response_model=DatashopList, tags=["datashop"], responses=BASE_ERRORS, summary="List Datashop requests"
)
def list_datashop(request: Request, actor: TokenActor) -> DatashopList:
    """Your own requests; the Datashop team (data officers, the admin) sees all of them."""
    return DatashopList(requests=[_datashop_public(r) for r in _platform(request).datashop.visible_to(actor)])


@router.post(
    "/datashop",
    response_model=DatashopPublic,
    status_code=201,
    dependencies=JSON,
    tags=["datashop"],
    responses=BASE_ERRORS,
    summary="Ask the Datashop a data question",
)
def file_datashop(request: Request, response: Response, actor: TokenActor, body: DatashopCreate) -> DatashopPublic:
    """File a data question (scope `file_datashop`)."""
    filed = _platform(request).datashop.file(
        actor, question=body.question, purpose=body.purpose, deadline=body.deadline, dienst=body.dienst
    )
    response.headers["Location"] = f"/api/v1/datashop/{filed.id}"
    return _datashop_public(filed)


@router.get(
    "/datashop/{request_id}",
    response_model=DatashopPublic,
    tags=["datashop"],
    responses=ITEM_ERRORS,
    summary="One Datashop request",
)
def get_datashop(request: Request, actor: TokenActor, request_id: int) -> DatashopPublic:
    """One request with its history: its requester and the Datashop team only. Someone else's
    request is a 404, like one that does not exist."""
    try:
        return _datashop_public(_platform(request).datashop.get(actor, request_id))
    except (NotFoundError, AccessDeniedError):
        raise NotFoundError(f"no Datashop request {request_id} that you may see") from None


@router.post(
    "/datashop/{request_id}/triage",
    dependencies=JSON,
    response_model=DatashopPublic,
    tags=["datashop"],
    responses=ITEM_ERRORS,
    summary="Triage a Datashop request",
)
def triage_datashop(request: Request, actor: TokenActor, request_id: int, body: TriageCreate) -> DatashopPublic:
    """Answer, turn into an opgave, or decline (scope `triage_datashop`; data officers and the admin)."""
    triaged = _platform(request).datashop.triage(actor, request_id, body.outcome, body.note, opgave_id=body.opgave_id)
    return _datashop_public(triaged)


# -- the audit log ------------------------------------------------------------------------------
class AuditEntryPublic(BaseModel):
    seq: int = Field(description="Sequence number: 1, 2, 3, ... without gaps")
    at: dt.datetime = Field(description="When (UTC)")
    actor: str = Field(description="A user name, anonymous or system")
    action: str = Field(description="What was done or asked, e.g. use_workspace, token.create")
    resource: str = Field(description="On what, e.g. opgave/1/workspace, dataset:<id>")
    purpose: str | None = Field(description="The purpose (e.g. the opgave's)")
    decision: str = Field(description="allowed, denied, done, or an outcome (blocked, released, ...)")
    detail: Any = Field(description="Further facts (level, reason, SQL, ...), as stored")
    prev_hash: str = Field(description="The previous entry's hash (64 zeros for entry 1)")
    hash: str = Field(description="SHA-256 of the canonical JSON of this entry with prev_hash")


class AuditList(BaseModel):
    entries: list[AuditEntryPublic] = Field(description="The newest entries first")


class AuditVerifyPublic(BaseModel):
    ok: bool = Field(description="Whether the whole chain and the head witness are intact")
    entries: int = Field(description="Entries in the log")
    first_broken_seq: int | None = Field(description="The first entry that breaks the chain")
    reason: str | None = Field(description="Why, in one line")
    last_hash: str | None = Field(description="The newest entry's hash, when intact")


def _entry_public(e: AuditEntry) -> AuditEntryPublic:
    return AuditEntryPublic(
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        action=e.action,
        resource=e.resource,
        purpose=e.purpose,
        decision=e.decision,
        detail=e.detail,
        prev_hash=e.prev_hash,
        hash=e.hash,
    )


def _may_read_audit(platform: Platform, actor: Actor) -> None:
    enforce(platform.policy, platform.audit, actor, Action.view_audit, None, "audit_log")


@router.get("/audit", response_model=AuditList, tags=["audit"], responses=BASE_ERRORS, summary="Read the audit log")
def list_audit(
    request: Request,
    actor: TokenActor,
    limit: Annotated[int, Query(ge=1, le=MAX_AUDIT_LIMIT, description="At most this many entries")] = 50,
    actor_name: Annotated[str | None, Query(alias="actor", max_length=NAME, description="Only this actor")] = None,
    action: Annotated[str | None, Query(max_length=NAME, description="Only this action, e.g. use_workspace")] = None,
    resource: Annotated[str | None, Query(max_length=NAME, description="Only this resource, e.g. opgave/1")] = None,
) -> AuditList:
    """The newest entries (scope `view_audit`; the admin and the board). The read itself is audited."""
    platform = _platform(request)
    _may_read_audit(platform, actor)
    entries = platform.audit.list(limit, actor=actor_name, action=action, resource=resource)
    return AuditList(entries=[_entry_public(e) for e in entries])


@router.get(
    "/audit/verify",
    response_model=AuditVerifyPublic,
    tags=["audit"],
    responses=BASE_ERRORS,
    summary="Verify the audit log's hash chain",
)
def verify_audit(request: Request, actor: TokenActor) -> AuditVerifyPublic:
    """Walk the whole chain and the head witness (scope `view_audit`); names the first broken entry."""
    platform = _platform(request)
    _may_read_audit(platform, actor)
    result: VerifyResult = platform.audit.verify()
    return AuditVerifyPublic(
        ok=result.ok,
        entries=result.entries,
        first_broken_seq=result.first_broken_seq,
        reason=result.reason,
        last_hash=result.last_hash,
    )


__all__ = ["MAX_QUERY_LIMIT", "router", "token_actor"]
