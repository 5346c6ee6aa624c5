"""``stadsdata register``: a dataset contract (``register CONTRACT.yaml``, as always) and the
algorithm register (``register import|list|show|export``).

``register FILE`` stays the way to register a dataset: the group sends anything that is not one
of its subcommands to ``register contract``. Reading the algorithm register is public (it is
published); importing into it asks the policy for ``edit_register`` (data officers, the admin).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.table import Table
from typer.core import TyperGroup

from stadsdata import demo
from stadsdata.cli.governance import governance
from stadsdata.cli.output import kv_table, out
from stadsdata.core.access import Action
from stadsdata.errors import RegisterError
from stadsdata.governance.enforce import enforce


class _ContractFallback(TyperGroup):
    """A group whose unknown first word is a contract file: ``register x.yaml`` = ``register contract x.yaml``."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            return "contract", self.commands["contract"], args
        return super().resolve_command(ctx, args)


register_app = typer.Typer(
    cls=_ContractFallback,
    help="Register a dataset contract (register CONTRACT.yaml), or use the algorithm register.",
    no_args_is_help=True,
)


@register_app.command("contract")
def register_contract(
    ctx: typer.Context, contract: Annotated[Path, typer.Argument(help="A dataset contract (YAML).")]
) -> None:
    """Register a dataset from its contract file (also: `stadsdata register CONTRACT.yaml`)."""
    with governance(ctx) as g:
        registered = g.platform.register(contract, actor=g.actor)
        out.print(f"registered [bold]{registered.id}[/]: {registered.title.nl}")


@register_app.command("import")
def register_import(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="A 2022 export (default: the real one of 8 Dec 2022 the repo ships).")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="2022 (the national register's 2022 export) or json|csv (a v1.0 download)."
        ),
    ] = "2022",
) -> None:
    """Import the national Algoritmeregister's 2022 export, mapped to standard v1.0, or a v1.0
    download (``register export``'s), and report per entry which required fields are missing,
    which could not be mapped and which hold broken text."""
    if fmt not in ("2022", "json", "csv"):
        raise typer.BadParameter("expected 2022, json or csv", param_hint="--format")
    if fmt != "2022" and file is None:
        raise typer.BadParameter("a v1.0 download needs its FILE", param_hint="FILE")
    path = file or demo.data_path("algoritmeregister_2022")
    with governance(ctx) as g:
        enforce(g.platform.policy, g.audit, g.actor, Action.edit_register, None, "algorithm_register")
        if fmt == "2022":
            report = g.platform.algorithms.import_2022(path, by=g.user)
        else:
            try:
                report = g.platform.algorithms.import_export(path.read_bytes(), fmt, by=g.user)
            except OSError as exc:
                raise RegisterError(f"{path}: cannot read the file: {exc.strerror}; expected a {fmt} export") from None
            except RegisterError as exc:
                raise RegisterError(f"{path}: {exc}", exc.problems) from None
    table = Table(header_style="bold", title="entries with problems")
    for name in ("id", "missing (required v1.0)", "not mapped (2022 fields)", "broken text (U+FFFD, 2022 fields)"):
        table.add_column(name, overflow="fold")
    with_problems = [e for e in report.entries if e.missing or e.broken_text]
    for e in with_problems:
        table.add_row(e.id, ", ".join(e.missing), ", ".join(e.unmapped), ", ".join(e.broken_text))
    if with_problems:
        out.print(table)
    out.print(
        f"{len(report.entries)} entries: {report.imported} new, {report.updated} updated, "
        f"{report.unchanged} unchanged; "
        f"{sum(1 for e in report.entries if e.missing)} miss required fields, "
        f"{sum(1 for e in report.entries if e.broken_text)} have broken characters"
    )


def _entry_json(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.id,
        "version": entry.version,
        "datasets": entry.datasets,
        **entry.fields,
        "problems": [{"field": p.field, "message": p.message} for p in entry.problems],
    }


@register_app.command("list")
def register_list(
    ctx: typer.Context,
    q: Annotated[str, typer.Option("--q", help="Words that must all occur.")] = "",
    organization: Annotated[list[str], typer.Option("--organization", help="Facet: organisation.")] = [],  # noqa: B006
    status: Annotated[list[str], typer.Option("--status", help="Facet: status.")] = [],  # noqa: B006
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """The algorithms in the register (public), found by words and facets."""
    filters = {k: v for k, v in {"organization": organization, "status": status}.items() if v}
    from stadsdata.register.search import MAX_LIMIT

    with governance(ctx) as g:
        found = g.platform.algorithms.search(q, filters, limit=MAX_LIMIT)
        entries = list(found.entries)
        while len(entries) < found.total:  # page through a register larger than one page
            entries += g.platform.algorithms.search(q, filters, offset=len(entries), limit=MAX_LIMIT).entries
    if fmt == "json":
        sys.stdout.write(json.dumps([_entry_json(e) for e in entries], ensure_ascii=False, indent=1) + "\n")
        return
    if fmt != "table":
        raise typer.BadParameter("expected table or json", param_hint="--format")
    table = Table(header_style="bold")
    for name in ("id", "name", "organization", "status"):
        table.add_column(name, overflow="fold")
    for e in entries:
        table.add_row(e.id, e.name, e.organization, e.status or "–")
    out.print(table)
    out.print(f"{found.total} algorithms")


@register_app.command("show")
def register_show(ctx: typer.Context, algorithm_id: Annotated[str, typer.Argument(help="Algorithm id.")]) -> None:
    """Every field of one algorithm, with the standard's titles, and its history."""
    from stadsdata.register.standard import STANDARD

    with governance(ctx) as g:
        entry = g.platform.algorithms.get(algorithm_id)
        history = g.platform.algorithms.history(algorithm_id)
    pairs = [
        (
            STANDARD[k].title if k in STANDARD else k,
            json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else str(v),
        )
        for k, v in entry.fields.items()
        if v not in (None, "", [])
    ]
    out.print(kv_table([("id", entry.id), *pairs, ("datasets", ", ".join(entry.datasets) or "–")]))
    for p in entry.problems:
        out.print(f"problem: {p.field}: {p.message}")
    for v in history:
        out.print(
            f"version {v.number}: {v.at:%Y-%m-%d %H:%M} by {v.by}: {v.reason} ({', '.join(v.changes) or 'created'})"
        )


@register_app.command("export")
def register_export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv (the standard's download format)")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")] = None,
) -> None:
    """The whole register in the standard's download format."""
    if fmt not in ("json", "csv"):
        raise typer.BadParameter("expected json or csv", param_hint="--format")
    with governance(ctx) as g:
        data = g.platform.algorithms.export(fmt)  # type: ignore[arg-type]
    if output:
        output.write_bytes(data)
        out.print(f"wrote {output} ({len(data):,} bytes)")
    else:
        sys.stdout.buffer.write(data)
