"""The portal's pages for staff: opgaven, workspaces, the audit log, the Datashop and the inbox.

Every page is for logged-in staff: an anonymous visitor is sent to ``/login?next=<path>`` (303).
What a page shows and allows is what the governance areas decide (they ask the access policy and
write the audit log); these handlers only turn forms into calls and answers into pages:

- ``/opgaven``: my opgaven and those waiting for my decision; ``/opgaven/new`` files one;
  ``/opgaven/{id}`` shows everything of one, with the data owner's decision form and the
  requester's "close early"; ``/opgaven/{id}/workspace`` queries and exports (disclosure control).
- ``/audit``: the newest entries and the chain's verification (board and admin).
- ``/datashop`` and ``/datashop/{id}``: file a data question; the team triages it.
- ``/inbox``: notices about quarantined deliveries, for those who may release them.

Every POST checks the session's CSRF token before anything else (``auth.checked_form``). A refusal
is the error page with the policy's reason (403), an opgave the visitor may not see the 404 page,
a destroyed workspace 410 "destroyed on <date>". A form the area refuses (``GovernanceError``)
comes back with its one-line error and the values entered; nothing is stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from stadsdata.core.access import Action, Actor
from stadsdata.core.contract import Contract, parse_contract
from stadsdata.core.policy import PUBLIC
from stadsdata.errors import DisclosureError, GovernanceError, NotFoundError, SQLError
from stadsdata.governance.catalog_access import record_resource
from stadsdata.governance.datashop import OUTCOMES
from stadsdata.governance.enforce import enforce
from stadsdata.governance.opgaven import (
    DPIA_STATUSES,
    LEGAL_GROUNDS,
    ColumnRequest,
    OpgaveRequest,
    add_months,
    opgave_resource,
)
from stadsdata.metastore.records import NoticeRecord
from stadsdata.metastore.workspace_store import WorkspaceRecord
from stadsdata.platform import Platform
from stadsdata.web import auth
from stadsdata.web.portal import _render

router = APIRouter(include_in_schema=False)

QUERY_ROWS = 200  # rows of a workspace query shown on the page
EXPORT_ROWS = 2000  # rows of a released export shown on the page (the CSV has them all)
AUDIT_LIMIT = 100
DETAIL_INLINE = 120  # characters of an audit entry's detail shown without unfolding it
DEFAULT_MONTHS = 6  # an opgave's default length; the area holds the maximum
DATASHOP_DAYS = 14  # a Datashop question's default deadline, from today
LISTED_CELLS = 50  # cells of a blocked export named on the page
#: ?done=... after a form: the message shown once on the page it leads to.
DONE = {"requested", "decided", "closed", "filed", "triaged"}


def install(app: FastAPI) -> None:
    """Add the staff pages, and the staff navigation's facts to every page's templates."""
    app.include_router(router)
    app.state.portal_templates.env.globals["staff_nav"] = staff_nav


# -- navigation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class StaffNav:
    audit: bool  # the policy lets this user read the audit log
    unread: int  # unread open notices in their inbox


def staff_nav(request: Request) -> StaffNav | None:
    """What the staff menu shows (None for the public); asked once per request, never audited:
    it only decides whether a link is shown. The pages themselves enforce."""
    cached = getattr(request.state, "staff_nav", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return None
    platform = _platform(request)
    unread = [n for n in platform.metastore.list_notices(open_only=True) if n.read_at is None]
    nav = StaffNav(
        audit=platform.policy.can(actor, Action.view_audit).allowed,
        unread=len(_notices_for(platform, actor, unread)) if unread else 0,
    )
    request.state.staff_nav = nav
    return nav


# -- opgaven -----------------------------------------------------------------------------------
@router.get("/opgaven", response_class=HTMLResponse, name="gov.opgaven")
def opgaven(request: Request) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    platform = _platform(request)
    return _render(
        request,
        "opgaven.html",
        {
            "opgaven": platform.opgaven.visible_to(actor),
            "waiting": platform.opgaven.to_decide(actor),
            "done": _done(request),
        },
    )


@router.get("/opgaven/new", response_class=HTMLResponse, name="gov.opgave_new")
def opgave_new(request: Request) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    today = dt.date.today()
    form = {
        "dataset": request.query_params.get("dataset", "").strip(),
        "end_date": add_months(today, min(DEFAULT_MONTHS, _platform(request).settings.opgave_max_months)).isoformat(),
        "dpia_status": "",
        "legal_ground": "",
        "columns": [],
        "reasons": {},
    }
    return _opgave_form(request, actor, form, error=None)


@router.post("/opgaven/new", response_class=HTMLResponse, name="gov.opgave_new.post")
async def opgave_create(request: Request) -> Response:
    posted = await auth.checked_form(request)
    actor = auth.portal_actor(request)
    form = _opgave_fields(posted)
    try:
        opgave = _platform(request).opgaven.request(actor, _opgave_request(form))
    except GovernanceError as exc:
        return _opgave_form(request, actor, form, error=str(exc), status=422)
    return _redirect(f"/opgaven/{opgave.id}", done="requested")


@router.get("/opgaven/{opgave_id:int}", response_class=HTMLResponse, name="gov.opgave")
def opgave(request: Request, opgave_id: int) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    return _opgave_page(request, actor, opgave_id)


@router.post("/opgaven/{opgave_id:int}/decide", response_class=HTMLResponse, name="gov.opgave_decide")
async def opgave_decide(request: Request, opgave_id: int) -> Response:
    posted = await auth.checked_form(request)
    actor = auth.portal_actor(request)
    platform = _platform(request)
    dataset_id = _text(posted, "dataset", 200)
    choice = _text(posted, "decision", 20)
    entered = {
        "dataset": dataset_id,
        "decision": choice,
        "reason": _text(posted, "reason", 2000),
        "columns": _list(posted, "column"),
        "special": _list(posted, "special"),
    }
    try:
        if choice not in ("approve", "decline"):
            raise GovernanceError("decision: choose approve or decline")
        platform.decide_opgave(
            actor,
            opgave_id,
            dataset_id,
            approve=choice == "approve",
            reason=entered["reason"],
            columns=entered["columns"],
            special_categories=entered["special"],
        )
    except GovernanceError as exc:
        return _opgave_page(request, actor, opgave_id, decision_error=str(exc), entered=entered, status=422)
    return _redirect(f"/opgaven/{opgave_id}", done="decided")


@router.post("/opgaven/{opgave_id:int}/close", response_class=HTMLResponse, name="gov.opgave_close")
async def opgave_close(request: Request, opgave_id: int) -> Response:
    await auth.checked_form(request)
    _platform(request).workspaces.close(auth.portal_actor(request), opgave_id)
    return _redirect(f"/opgaven/{opgave_id}", done="closed")


# -- workspace ---------------------------------------------------------------------------------
@router.get("/opgaven/{opgave_id:int}/workspace", response_class=HTMLResponse, name="gov.workspace")
def workspace(request: Request, opgave_id: int) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    return _workspace_page(request, actor, opgave_id)


@router.post("/opgaven/{opgave_id:int}/workspace/query", response_class=HTMLResponse, name="gov.workspace_query")
async def workspace_query(request: Request, opgave_id: int) -> Response:
    posted = await auth.checked_form(request)
    actor = auth.portal_actor(request)
    sql = _text(posted, "sql", 20_000)
    try:
        result = _platform(request).workspaces.query(actor, opgave_id, sql, limit=QUERY_ROWS + 1)
    except (SQLError, GovernanceError) as exc:
        return _workspace_page(request, actor, opgave_id, sql=sql, query_error=str(exc), status=422)
    return _workspace_page(request, actor, opgave_id, sql=sql, result=_table(result.columns, result.rows))


@router.post("/opgaven/{opgave_id:int}/workspace/export", name="gov.workspace_export")
async def workspace_export(request: Request, opgave_id: int) -> Response:
    posted = await auth.checked_form(request)
    actor = auth.portal_actor(request)
    entered = {
        "sql": _text(posted, "sql", 20_000),
        "dimensions": _text(posted, "dimensions", 500),
        "count": _text(posted, "count", 200),
        "accept": posted.get("accept_suppression") == "yes",
    }
    dimensions = [d for d in re.split(r"[\s,]+", str(entered["dimensions"])) if d]
    try:
        if not dimensions:
            raise GovernanceError("dimensions: name one or two columns of the table (e.g. wijkcode, voorziening)")
        if not entered["count"]:
            raise GovernanceError("count: name the column that holds the counts (e.g. n)")
        export = _platform(request).workspaces.export(
            actor,
            opgave_id,
            str(entered["sql"]),
            dimensions,
            str(entered["count"]),
            accept_suppression=bool(entered["accept"]),
        )
    except (SQLError, GovernanceError, DisclosureError) as exc:
        return _workspace_page(request, actor, opgave_id, export_form=entered, export_error=str(exc), status=422)
    if posted.get("format") == "csv" and export.decision.released:
        return _csv(export.columns, export.rows, f"opgave-{opgave_id}-export.csv")
    view = ExportView(
        released=export.decision.released,
        status=export.decision.status,
        explanation=export.decision.explanation,
        cells=export.decision.cells,
        columns=[c for c in export.columns if c != "suppressed"],
        count=str(entered["count"]),
        rows=export.rows[:EXPORT_ROWS],
        total=len(export.rows),
        suppressed=sum(1 for r in export.rows if r.get("suppressed")),
        pivot=_pivot(export.rows, dimensions, str(entered["count"])) if len(dimensions) == 2 else None,
        rule=export.rule,
    )
    return _workspace_page(request, actor, opgave_id, export_form=entered, export=view)


# -- audit -------------------------------------------------------------------------------------
@router.get("/audit", response_class=HTMLResponse, name="gov.audit")
def audit(request: Request) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    platform = _platform(request)
    enforce(platform.policy, platform.audit, actor, Action.view_audit, None, "audit")
    params = request.query_params
    filters = {name: params.get(name, "").strip()[:200] for name in ("actor", "action", "resource")}
    entries = platform.audit.list(AUDIT_LIMIT, **{k: v for k, v in filters.items() if v})
    return _render(
        request,
        "audit.html",
        {
            "filters": filters,
            "entries": [AuditRow.of(e) for e in entries],
            "limit": AUDIT_LIMIT,
            "verified": platform.audit.verify(),
        },
    )


# -- Datashop ----------------------------------------------------------------------------------
@router.get("/datashop", response_class=HTMLResponse, name="gov.datashop")
def datashop(request: Request) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    form = {
        "question": "",
        "purpose": "",
        "deadline": (dt.date.today() + dt.timedelta(days=DATASHOP_DAYS)).isoformat(),
        "dienst": actor.dienst or "",
    }
    return _datashop_page(request, actor, form, error=None)


@router.post("/datashop", response_class=HTMLResponse, name="gov.datashop.post")
async def datashop_file(request: Request) -> Response:
    posted = await auth.checked_form(request)
    actor = auth.portal_actor(request)
    form = {
        "question": _text(posted, "question", 5000),
        "purpose": _text(posted, "purpose", 5000),
        "deadline": _text(posted, "deadline", 20),
        "dienst": _text(posted, "dienst", 200),
    }
    try:
        filed = _platform(request).datashop.file(
            actor,
            question=form["question"],
            purpose=form["purpose"],
            deadline=_date("deadline", form["deadline"]),
            dienst=form["dienst"],
        )
    except GovernanceError as exc:
        return _datashop_page(request, actor, form, error=str(exc), status=422)
    return _redirect(f"/datashop/{filed.id}", done="filed")


@router.get("/datashop/{request_id:int}", response_class=HTMLResponse, name="gov.datashop_request")
def datashop_request(request: Request, request_id: int) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    return _datashop_request_page(request, actor, request_id)


@router.post("/datashop/{request_id:int}/triage", response_class=HTMLResponse, name="gov.datashop_triage")
async def datashop_triage(request: Request, request_id: int) -> Response:
    posted = await auth.checked_form(request)
    actor = auth.portal_actor(request)
    entered = {
        "outcome": _text(posted, "outcome", 20),
        "note": _text(posted, "note", 5000),
        "opgave": _text(posted, "opgave", 12),
    }
    try:
        opgave_id = None
        if entered["opgave"]:
            if not entered["opgave"].isdigit():
                raise GovernanceError(f"opgave_id: {entered['opgave']!r}; expected the opgave's number")
            opgave_id = int(entered["opgave"])
        _platform(request).datashop.triage(actor, request_id, entered["outcome"], entered["note"], opgave_id=opgave_id)
    except GovernanceError as exc:
        return _datashop_request_page(request, actor, request_id, error=str(exc), entered=entered, status=422)
    except NotFoundError as exc:  # the opgave named does not exist: an error on the form, not a 404
        return _datashop_request_page(request, actor, request_id, error=str(exc), entered=entered, status=422)
    return _redirect(f"/datashop/{request_id}", done="triaged")


# -- inbox -------------------------------------------------------------------------------------
@router.get("/inbox", response_class=HTMLResponse, name="gov.inbox")
def inbox(request: Request) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    show_all = request.query_params.get("all") == "1"
    platform = _platform(request)
    notices = _notices_for(platform, actor, platform.metastore.list_notices(open_only=not show_all))
    return _render(request, "inbox.html", {"notices": notices, "show_all": show_all, "notice": None})


@router.get("/inbox/{notice_id:int}", response_class=HTMLResponse, name="gov.notice")
def notice(request: Request, notice_id: int) -> Response:
    """One notice in full; opening it marks it read (as `stadsdata inbox show` does)."""
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    platform = _platform(request)
    found = next((n for n in platform.metastore.list_notices(open_only=False) if n.id == notice_id), None)
    if found is None:
        raise NotFoundError(f"notice {notice_id} not found")
    record = platform.metastore.get_dataset(found.dataset_id)
    decision = platform.policy.can(actor, Action.release, record_resource(record))
    platform.audit.append(actor, "notice_read", f"notice/{notice_id}", decision)
    if not decision.allowed:
        raise NotFoundError(f"notice {notice_id} not found")  # its existence does not leak
    read = platform.metastore.read_notice(notice_id, actor.user or "anonymous")
    return _render(request, "inbox.html", {"notices": [], "show_all": False, "notice": read})


def _notices_for(platform: Platform, actor: Actor, notices: list[NoticeRecord]) -> list[NoticeRecord]:
    """The notices ``actor`` receives: a notice goes to a dataset's data owner, and is for whoever
    may act on it, i.e. release the delivery (owner, steward, the dienst's data officer, admin)."""
    allowed: dict[str, bool] = {}
    shown = []
    for n in notices:
        if n.dataset_id not in allowed:
            try:
                record = platform.metastore.get_dataset(n.dataset_id)
            except NotFoundError:
                allowed[n.dataset_id] = False
                continue
            allowed[n.dataset_id] = platform.policy.can(actor, Action.release, record_resource(record)).allowed
        if allowed[n.dataset_id]:
            shown.append(n)
    return shown


# -- page builders -----------------------------------------------------------------------------
def _opgave_form(
    request: Request, actor: Actor, form: dict[str, Any], *, error: str | None, status: int = 200
) -> Response:
    platform = _platform(request)
    candidates = [r for r in _visible(request, actor) if r.classification != PUBLIC]
    chosen = next((r for r in candidates if r.id == form["dataset"]), None)
    if chosen is None and len(candidates) == 1:
        chosen = candidates[0]
    contract = _contract(chosen.contract, chosen.id) if chosen else None
    today = dt.date.today()
    return _render(
        request,
        "opgave_new.html",
        {
            "form": form,
            "error": error,
            "error_field": _error_field(error),
            "candidates": candidates,
            "chosen": chosen,
            "contract": contract,
            "grounds": list(LEGAL_GROUNDS),
            "dpia_statuses": [(s, s.replace(" ", "_")) for s in DPIA_STATUSES],
            "tomorrow": (today + dt.timedelta(days=1)).isoformat(),
            "max_end": add_months(today, platform.settings.opgave_max_months).isoformat(),
            "max_months": platform.settings.opgave_max_months,
        },
        status=status,
    )


def _opgave_fields(posted: FormData) -> dict[str, Any]:
    columns = _list(posted, "column")
    return {
        "dataset": _text(posted, "dataset", 200),
        "title": _text(posted, "title", 300),
        "purpose": _text(posted, "purpose", 5000),
        "legal_ground": _text(posted, "legal_ground", 2),
        "legal_basis": _text(posted, "legal_basis", 1000),
        "dpia_reference": _text(posted, "dpia_reference", 300),
        "dpia_status": _text(posted, "dpia_status", 40),
        "end_date": _text(posted, "end_date", 20),
        "members": _text(posted, "members", 1000),
        "columns": columns,
        "reasons": {
            key.removeprefix("reason-"): str(value).strip()[:2000]
            for key, value in posted.multi_items()
            if key.startswith("reason-") and isinstance(value, str)
        },
    }


def _opgave_request(form: dict[str, Any]) -> OpgaveRequest:
    """The area's request from the posted form (it checks every field: nothing is decided here)."""
    return OpgaveRequest(
        title=form["title"],
        purpose=form["purpose"],
        legal_ground=form["legal_ground"],
        legal_basis=form["legal_basis"],
        dpia_reference=form["dpia_reference"],
        dpia_status=form["dpia_status"],
        end_date=_date("end_date", form["end_date"]),
        columns=[ColumnRequest(form["dataset"], c, form["reasons"].get(c, "")) for c in form["columns"]],
        members=[m for m in re.split(r"[\s,;]+", form["members"]) if m],
    )


def _opgave_page(
    request: Request,
    actor: Actor,
    opgave_id: int,
    *,
    decision_error: str | None = None,
    entered: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    platform = _platform(request)
    shown = platform.opgaven.show(actor, opgave_id)  # a 404 when the policy says no
    contracts = {d: _dataset_contract(platform, d) for d in shown.datasets}
    record = platform.workspaces.store.find(opgave_id)
    transforms = _transforms(record)
    resource = opgave_resource(shown)
    pending = [d for o, d in platform.opgaven.to_decide(actor) if o.id == opgave_id]
    return _render(
        request,
        "opgave.html",
        {
            "opgave": shown,
            "algorithms": platform.algorithms.algorithms_for_opgave(opgave_id),
            "rows": [
                ColumnView(
                    c.dataset_id,
                    c.column,
                    _flag(contracts.get(c.dataset_id), c.column),
                    c.reason,
                    c.decision,
                    c.decided_by,
                    c.decided_at,
                    c.decision_reason,
                    transforms.get((c.dataset_id, c.column)),
                )
                for c in shown.columns
            ],
            "decisions": _decisions(shown),
            "ground_known": shown.legal_ground in LEGAL_GROUNDS,
            "workspace": record,
            "pending": [
                DecisionForm(d, [c for c in shown.columns if c.dataset_id == d], contracts.get(d)) for d in pending
            ],
            "decision_error": decision_error,
            "entered": entered or {},
            "may_use": platform.policy.can(actor, Action.use_workspace, resource).allowed,
            "may_close": shown.state == "approved"
            and platform.policy.can(actor, Action.close_opgave, resource).allowed,
            "specials": shown.details.get("special_categories", {}),
            "done": _done(request),
        },
        status=status,
    )


def _workspace_page(
    request: Request,
    actor: Actor,
    opgave_id: int,
    *,
    sql: str | None = None,
    result: TableView | None = None,
    query_error: str | None = None,
    export_form: dict[str, Any] | None = None,
    export: ExportView | None = None,
    export_error: str | None = None,
    status: int = 200,
) -> Response:
    platform = _platform(request)
    shown = platform.opgaven.show(actor, opgave_id)  # 404 for an opgave the visitor may not see
    record = platform.workspaces.show(actor, opgave_id)  # 403 for non-members, 410 when destroyed
    first = record.tables[0]["table"] if record.tables else "tabel"
    return _render(
        request,
        "workspace.html",
        {
            "opgave": shown,
            "workspace": record,
            "sql": sql if sql is not None else f"SELECT *\nFROM {first}\nLIMIT 20",
            "result": result,
            "query_error": query_error,
            "export_form": export_form or {"sql": "", "dimensions": "", "count": "", "accept": False},
            "export": export,
            "export_error": export_error,
            "listed_cells": LISTED_CELLS,
            "query_rows": QUERY_ROWS,
            "example_table": first,
        },
        status=status,
    )


def _datashop_page(
    request: Request, actor: Actor, form: dict[str, str], *, error: str | None, status: int = 200
) -> Response:
    platform = _platform(request)
    return _render(
        request,
        "datashop.html",
        {
            "requests": platform.datashop.visible_to(actor),
            "team": platform.policy.can(actor, Action.triage_datashop).allowed,
            "form": form,
            "error": error,
            "error_field": _error_field(error),
            "today": dt.date.today().isoformat(),
        },
        status=status,
    )


def _datashop_request_page(
    request: Request,
    actor: Actor,
    request_id: int,
    *,
    error: str | None = None,
    entered: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    platform = _platform(request)
    asked = platform.datashop.get(actor, request_id)  # 403 unless the requester or the team
    return _render(
        request,
        "datashop_request.html",
        {
            "item": asked,
            "may_triage": asked.state == "new" and platform.policy.can(actor, Action.triage_datashop).allowed,
            "outcomes": OUTCOMES,
            "error": error,
            "entered": entered or {"outcome": "", "note": "", "opgave": ""},
            "done": _done(request),
        },
        status=status,
    )


# -- view models -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ColumnView:
    dataset_id: str
    column: str
    personal_data: str
    reason: str
    decision: str
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str | None
    transform: str | None  # in the workspace: keep, pseudonymise, generalise:<rule>; None: not in it


@dataclass(frozen=True)
class DecisionForm:
    """A data owner's pending part of an opgave: its dataset and the columns asked of it."""

    dataset_id: str
    columns: list[Any]
    contract: Contract | None

    def flag(self, column: str) -> str:
        return _flag(self.contract, column)


@dataclass(frozen=True)
class TableView:
    columns: list[str]
    numeric: list[bool]
    rows: list[list[str]]
    more: bool  # there were more rows than shown


@dataclass(frozen=True)
class Pivot:
    """A released two-way table as a cross table: the first dimension down, the second across.
    A label None is a margin (total); a cell None is a combination the result has no row for."""

    rows_dimension: str
    columns_dimension: str
    columns: list[Any]
    rows: list[tuple[Any, list[tuple[Any, str | None] | None]]]  # (label, [(count, suppressed code)])


@dataclass(frozen=True)
class ExportView:
    released: bool
    status: str
    explanation: str
    cells: list[str]
    columns: list[str]
    count: str
    rows: list[dict[str, Any]]
    total: int
    suppressed: int
    pivot: Pivot | None = None
    rule: str = ""  # the check that was applied, e.g. "threshold 10"


def _pivot(rows: list[dict[str, Any]], dimensions: list[str], count: str) -> Pivot | None:
    down, across = dimensions
    if any(down not in r or across not in r for r in rows):
        return None
    order = lambda value: (value is None, str(value))  # noqa: E731 - labels sorted, the total last
    labels_down = sorted({r[down] for r in rows}, key=order)
    labels_across = sorted({r[across] for r in rows}, key=order)
    cells = {(r[down], r[across]): (r.get(count), r.get("suppressed")) for r in rows}
    return Pivot(
        down,
        across,
        labels_across,
        [(label, [cells.get((label, c)) for c in labels_across]) for label in labels_down],
    )


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    resource: str
    purpose: str | None
    decision: str
    detail: str  # compact JSON, or a one-line summary when it is long
    detail_pretty: str = field(default="")  # the whole detail, indented, when it is long

    @classmethod
    def of(cls, entry: Any) -> AuditRow:
        detail = entry.detail or {}
        compact = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else ""
        long = len(compact) > DETAIL_INLINE
        return cls(
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.resource,
            entry.purpose,
            entry.decision,
            _summary(detail) if long else compact,
            json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str, indent=2) if long else "",
        )


def _summary(detail: dict[str, Any]) -> str:
    """A long audit detail in one line: scalar fields as they are, lists and objects by their size."""
    parts = []
    for key, value in sorted(detail.items()):
        if isinstance(value, list | tuple):
            parts.append(f"{key}: [{len(value)}]")
        elif isinstance(value, dict):
            parts.append(f"{key}: {{{len(value)}}}")
        else:
            parts.append(f"{key}: {value if isinstance(value, str) else json.dumps(value, default=str)}")
    line = " · ".join(parts)
    return line if len(line) <= DETAIL_INLINE else line[: DETAIL_INLINE - 1].rstrip() + "…"


def _table(columns: list[str], rows: list[tuple[Any, ...]]) -> TableView:
    shown = rows[:QUERY_ROWS]
    numeric = [bool(shown) and all(_is_number(r[i]) for r in shown if r[i] is not None) for i in range(len(columns))]
    return TableView(list(columns), numeric, [[_cell(v) for v in r] for r in shown], len(rows) > QUERY_ROWS)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv(columns: list[str], rows: list[dict[str, Any]], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"},
    )


def _transforms(record: WorkspaceRecord | None) -> dict[tuple[str, str], str]:
    if record is None:
        return {}
    return {
        (t.get("dataset", t["table"]), name): transform
        for t in record.tables
        for name, transform in t.get("columns", {}).items()
    }


def _decisions(opgave: Any) -> list[tuple[str, str, dt.datetime | None, str | None]]:
    """Each data owner's decision, once per dataset: (dataset, by, when, reasoning)."""
    seen: dict[str, tuple[str, str, dt.datetime | None, str | None]] = {}
    for c in opgave.columns:
        if c.decided_by and c.dataset_id not in seen:
            seen[c.dataset_id] = (c.dataset_id, c.decided_by, c.decided_at, c.decision_reason)
    return list(seen.values())


def _flag(contract: Contract | None, column: str) -> str:
    if contract is None or column not in contract.column_names:
        return "none"
    return str(contract.column(column).personal_data.value)


# -- helpers -----------------------------------------------------------------------------------
def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _visible(request: Request, actor: Actor) -> list[Any]:
    return _platform(request).access.visible(actor)


def _contract(data: dict[str, Any], dataset_id: str) -> Contract:
    return parse_contract(data, source=f"metastore contract of {dataset_id}")


def _dataset_contract(platform: Platform, dataset_id: str) -> Contract | None:
    try:
        return _contract(platform.metastore.get_dataset(dataset_id).contract, dataset_id)
    except NotFoundError:
        return None


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def _redirect(path: str, *, done: str) -> Response:
    return RedirectResponse(f"{path}?done={done}", status_code=303)


def _done(request: Request) -> str | None:
    done = request.query_params.get("done")
    return done if done in DONE else None


def _text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _list(form: FormData, name: str) -> list[str]:
    return list(dict.fromkeys(v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()))


def _date(name: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise GovernanceError(f"{name}: {text!r} is not a date; expected YYYY-MM-DD") from None


def _error_field(error: str | None) -> str | None:
    """The form field an area's one-line error names (``purpose: ...`` -> purpose)."""
    if not error:
        return None
    match = re.match(r"(?:columns\[\d+\] \([^.]+\.([^)]+)\)|([a-z_]+)):", error)
    if not match:
        return None
    return f"reason-{match.group(1)}" if match.group(1) else match.group(2)


__all__ = ["StaffNav", "install", "router", "staff_nav"]
