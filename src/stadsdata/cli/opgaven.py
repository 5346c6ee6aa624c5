"""``stadsdata opgaven``, ``stadsdata workspace(s)`` and ``stadsdata datashop``.

Every command acts as the settings' ``user`` (``STADSDATA_USER``; see ``cli.governance``: a user
of the platform, or else the operator) and the areas ask the access policy (``view_opgave``,
``approve_opgave``, ``use_workspace``, ``export_result``, ``close_opgave``, ``file_datashop``,
``triage_datashop``) and audit its answer. Requesting an opgave and asking the Datashop need a user
of the platform: the operator is none.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.table import Table

from stadsdata.cli.governance import governance
from stadsdata.cli.output import kv_table, out, render_result, when
from stadsdata.core.access import Actor
from stadsdata.errors import GovernanceError
from stadsdata.governance.opgaven import ColumnRequest, OpgaveRequest
from stadsdata.platform import Platform

opgaven_app = typer.Typer(help="Opgaven: purpose-bound analysis projects on non-public data.", no_args_is_help=True)
workspace_app = typer.Typer(help="An approved opgave's workspace: query, export, path.", no_args_is_help=True)
workspaces_app = typer.Typer(help="All workspaces: destroy the ended ones.", no_args_is_help=True)
datashop_app = typer.Typer(help="The Datashop: data questions from staff.", no_args_is_help=True)


@contextmanager
def acting(ctx: typer.Context, *, as_user: str | None = None) -> Iterator[tuple[Platform, Actor]]:
    """The platform of ``--home`` and the actor of the settings' ``user``. ``as_user``: what the
    command does that only a user of the platform can (the operator is refused)."""
    with governance(ctx) as g:
        if as_user is not None:
            g.person(as_user)
        yield g.platform, g.actor


# -- opgaven ---------------------------------------------------------------------------------------
@opgaven_app.command("request")
def opgaven_request(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="A YAML file with the request (docs/governance.md).")]
) -> None:
    """File an opgave from a YAML file: title, purpose, legal_ground, legal_basis, dpia_reference,
    dpia_status, end_date, members, columns (dataset, column, reason)."""
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        request = OpgaveRequest(
            title=str(data.get("title", "")),
            purpose=str(data.get("purpose", "")),
            legal_ground=str(data.get("legal_ground", "")),
            legal_basis=str(data.get("legal_basis", "")),
            dpia_reference=str(data.get("dpia_reference", "")),
            dpia_status=str(data.get("dpia_status", "")),
            end_date=dt.date.fromisoformat(str(data.get("end_date", ""))),
            members=[str(m) for m in data.get("members") or []],
            columns=[
                ColumnRequest(str(c["dataset"]), str(c["column"]), str(c.get("reason", "")))
                for c in data.get("columns") or []
            ],
        )
    except (OSError, yaml.YAMLError, ValueError, KeyError, TypeError) as exc:
        raise GovernanceError(f"{file}: not a valid opgave request ({type(exc).__name__}: {exc})") from None
    with acting(ctx, as_user="request an opgave") as (platform, actor):
        opgave = platform.opgaven.request(actor, request)
    out.print(f"opgave {opgave.id} requested: each dataset's data owner decides ({', '.join(opgave.datasets)})")


@opgaven_app.command("list")
def opgaven_list(ctx: typer.Context) -> None:
    """The opgaven you may see (as requester, member, data owner of a dataset, board or admin)."""
    with acting(ctx) as (platform, actor):
        rows = list(reversed(platform.opgaven.visible_to(actor)))
    table = Table("id", "title", "state", "requester", "end date", "datasets", header_style="bold")
    for o in rows:
        table.add_row(str(o.id), o.title, o.state, o.requester, o.end_date.isoformat(), ", ".join(o.datasets))
    out.print(table if rows else "no opgaven")


@opgaven_app.command("show")
def opgaven_show(ctx: typer.Context, opgave_id: Annotated[int, typer.Argument(help="Opgave id.")]) -> None:
    """One opgave: purpose, legal basis, DPIA, members, every column with its reason and decision."""
    with acting(ctx) as (platform, actor):
        o = platform.opgaven.show(actor, opgave_id)
        workspace = platform.workspaces.store.find(opgave_id)
    out.print(
        kv_table(
            [
                ("opgave", f"{o.id}: {o.title}"),
                ("state", o.state),
                ("purpose", o.purpose),
                ("legal basis", f"AVG art. 6(1)({o.legal_ground}); {o.legal_basis}"),
                ("DPIA", f"{o.dpia_reference} ({o.dpia_status})"),
                ("requester", o.requester),
                ("members", ", ".join(o.members) or "-"),
                ("end date", o.end_date.isoformat()),
                ("workspace", _workspace_line(workspace)),
            ]
        )
    )
    table = Table("dataset", "column", "reason", "decision", "by", header_style="bold")
    for c in o.columns:
        table.add_row(c.dataset_id, c.column, c.reason, c.decision, c.decided_by or "")
    out.print(table)


def _workspace_line(workspace: object) -> str:
    if workspace is None:
        return "-"
    destroyed = getattr(workspace, "destroyed_at", None)
    if destroyed is not None:
        return f"destroyed on {when(destroyed)}"
    return str(getattr(workspace, "path", ""))


@opgaven_app.command("decide")
def opgaven_decide(
    ctx: typer.Context,
    opgave_id: Annotated[int, typer.Argument(help="Opgave id.")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Your dataset's part of the opgave.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded).")],
    approve: Annotated[bool, typer.Option("--approve/--decline", help="Approve or decline.")] = True,
    column: Annotated[list[str] | None, typer.Option("--column", help="Approve only these columns.")] = None,
    special: Annotated[
        list[str] | None, typer.Option("--special", help="Special-category columns you explicitly approve.")
    ] = None,
) -> None:
    """The data owner's decision on their dataset's part; an approval builds the workspace."""
    with acting(ctx) as (platform, actor):
        opgave = platform.decide_opgave(
            actor, opgave_id, dataset, approve=approve, reason=reason, columns=column, special_categories=special
        )
    out.print(f"opgave {opgave.id} is {opgave.state}")


@opgaven_app.command("close")
def opgaven_close(ctx: typer.Context, opgave_id: Annotated[int, typer.Argument(help="Opgave id.")]) -> None:
    """End an opgave early; `stadsdata workspaces sweep` then destroys its workspace."""
    with acting(ctx) as (platform, actor):
        platform.workspaces.close(actor, opgave_id)
    out.print(f"opgave {opgave_id} closed; its workspace is destroyed at the next sweep")


# -- workspaces ------------------------------------------------------------------------------------
@workspace_app.command("sql")
def workspace_sql(
    ctx: typer.Context,
    opgave_id: Annotated[int, typer.Argument(help="Opgave id.")],
    query: Annotated[str, typer.Argument(help="One SELECT on the workspace's tables (named after the datasets).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json")] = "table",
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many rows.")] = 1000,
) -> None:
    """Query an opgave's workspace, read-only (members only, until the end date)."""
    with acting(ctx) as (platform, actor):
        result = platform.workspaces.query(actor, opgave_id, query, limit=limit)
    render_result(result, fmt)


@workspace_app.command("export")
def workspace_export(
    ctx: typer.Context,
    opgave_id: Annotated[int, typer.Argument(help="Opgave id.")],
    query: Annotated[str, typer.Argument(help="A SELECT giving a count table.")],
    dims: Annotated[str, typer.Option("--dims", help="The dimension columns, comma-separated.")],
    count: Annotated[str, typer.Option("--count", help="The count column.")] = "n",
    accept_suppression: Annotated[
        bool, typer.Option("--accept-suppression", help="Export the table with its suppressed cells.")
    ] = False,
) -> None:
    """Take a count table out through disclosure control; a blocked export prints why."""
    with acting(ctx) as (platform, actor):
        export = platform.workspaces.export(
            actor, opgave_id, query, [d.strip() for d in dims.split(",")], count, accept_suppression=accept_suppression
        )
    typer.echo(export.decision.explanation, err=True)
    if not export.decision.released:
        raise typer.Exit(1)
    typer.echo(json.dumps(export.rows, ensure_ascii=False, default=str))


@workspace_app.command("path")
def workspace_path(ctx: typer.Context, opgave_id: Annotated[int, typer.Argument(help="Opgave id.")]) -> None:
    """Where a notebook connects (read-only): checks membership like a query does."""
    with acting(ctx) as (platform, actor):
        platform.workspaces.query(actor, opgave_id, "select 1")
        path = str(platform.workspaces.path_of(opgave_id))
    out.print(f"duckdb.connect({path!r}, read_only=True)")


@workspaces_app.command("sweep")
def workspaces_sweep(ctx: typer.Context) -> None:
    """Destroy the workspaces of opgaven that ended (end date passed, or closed)."""
    with acting(ctx) as (platform, actor):
        destroyed = platform.workspaces.sweep(by=actor.user or "system")
    for d in destroyed:
        out.print(f"opgave {d['opgave']}: destroyed ({d['reason']}); {len(d['files'])} files removed")
    if not destroyed:
        out.print("nothing to destroy")


# -- Datashop --------------------------------------------------------------------------------------
@datashop_app.command("ask")
def datashop_ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The data question.")],
    purpose: Annotated[str, typer.Option("--purpose", help="What the answer is for.")],
    deadline: Annotated[str, typer.Option("--deadline", help="YYYY-MM-DD")],
    dienst: Annotated[str, typer.Option("--dienst", help="The dienst that asks.")],
) -> None:
    """File a data question with the Datashop."""
    try:
        day = dt.date.fromisoformat(deadline)
    except ValueError:
        raise GovernanceError(f"--deadline: {deadline!r} is not a date; expected YYYY-MM-DD") from None
    with acting(ctx, as_user="ask the Datashop") as (platform, actor):
        request = platform.datashop.file(actor, question=question, purpose=purpose, deadline=day, dienst=dienst)
    out.print(f"Datashop request {request.id} filed")


@datashop_app.command("list")
def datashop_list(ctx: typer.Context) -> None:
    """Your requests (the Datashop team: all of them)."""
    with acting(ctx) as (platform, actor):
        requests = platform.datashop.visible_to(actor)
    table = Table("id", "state", "requester", "deadline", "question", header_style="bold")
    for r in requests:
        table.add_row(str(r.id), r.state, r.requester, r.deadline.isoformat(), r.question)
    out.print(table if requests else "no Datashop requests")


@datashop_app.command("triage")
def datashop_triage(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(help="Request id.")],
    outcome: Annotated[str, typer.Option("--outcome", help="answered, opgave or declined")],
    note: Annotated[str, typer.Option("--note", help="Where the answer is, or why.")],
    opgave: Annotated[int | None, typer.Option("--opgave", help="The opgave it became.")] = None,
) -> None:
    """Answer, turn into an opgave, or decline (the Datashop team)."""
    with acting(ctx) as (platform, actor):
        request = platform.datashop.triage(actor, request_id, outcome, note, opgave_id=opgave)
    out.print(f"Datashop request {request.id} is {request.state}")
