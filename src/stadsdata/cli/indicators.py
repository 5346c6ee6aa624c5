"""``stadsdata indicators list|compute|show ID``: the indicator definitions and the table computed
from them (docs/indicators.md).

Reading definitions and values is public (the indicator table is openbaar); ``compute`` writes a
version of the dataset ``indicatoren`` and asks the access policy for ``ingest`` on it first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from stadsdata.cli.governance import Governance, cli_actor, governance
from stadsdata.cli.output import err, kv_table, out
from stadsdata.errors import StadsdataError
from stadsdata.platform import Platform
from stadsdata.settings import Settings

indicators_app = typer.Typer(help="Indicators per region and year (definitions as files).", no_args_is_help=True)


def _platform(ctx: typer.Context) -> Platform:
    """The platform of ``--home`` (the root command's option); reading needs no actor."""
    home = ctx.find_root().params.get("home")
    return Platform(Settings(home=home) if home else Settings())


@contextmanager
def _governance(ctx: typer.Context, engine: str | None) -> Iterator[Governance]:
    """``governance(ctx)``, on the engine of ``--engine`` when given."""
    if engine is None:
        with governance(ctx) as g:
            yield g
        return
    home = ctx.find_root().params.get("home")
    settings = Settings(home=home, engine=engine) if home else Settings(engine=engine)  # type: ignore[arg-type]
    with Platform(settings) as platform:
        actor, operator = cli_actor(platform)
        yield Governance(platform, platform.identity, platform.audit, settings.user, actor, operator)


def _warn(platform: Platform) -> None:
    if platform.indicators.problem is not None:
        err.print(f"[yellow]definitions refused, the set loaded before is in use:[/] {platform.indicators.problem}")


@indicators_app.command("list")
def indicators_list(
    ctx: typer.Context,
    theme: Annotated[str | None, typer.Option("--theme", help="Only the indicators of this theme.")] = None,
) -> None:
    """Every indicator definition, by theme."""
    with _platform(ctx) as platform:
        service = platform.indicators
        themes = service.themes()
        if theme is not None:
            themes = [service.theme(theme)]
        _warn(platform)
        table = Table(header_style="bold")
        for name in ("id", "title", "theme", "unit", "levels", "direction"):
            table.add_column(name, overflow="fold")
        count = 0
        for t in themes:
            for ident in t.indicators:
                d = service.definition(ident)
                table.add_row(
                    d.id, d.title.nl, t.id, d.unit.nl, ", ".join(v.value for v in d.levels), d.direction.value
                )
                count += 1
        out.print(table)
        out.print(
            f"{count} indicators in {len(themes)} themes; {len(service.products())} products, "
            f"{len(service.monitors())} monitors"
        )


@indicators_app.command("compute")
def indicators_compute(
    ctx: typer.Context,
    engine: Annotated[
        str | None,
        typer.Option("--engine", help="duckdb or spark (default: STADSDATA_ENGINE, else duckdb); docs/scaling.md."),
    ] = None,
) -> None:
    """Compute every indicator for every region and period into the dataset `indicatoren` (a new
    version only when a value changed)."""
    if engine is not None and engine not in ("duckdb", "spark"):
        raise StadsdataError(f"--engine {engine!r} is not known; expected duckdb or spark")
    with _governance(ctx, engine) as g:
        g.platform.indicators.authorise_compute(g.actor)
        _warn(g.platform)
        on = g.platform.engine.name
        report = g.platform.indicators.compute(by=g.user, progress=lambda step: err.print(f"  {on}: {step} ..."))
    state = f"version {report.version} written" if report.changed else f"unchanged: version {report.version} stays"
    out.print(
        f"indicatoren: {state}; {report.indicators} indicators, {report.values:,} values "
        f"({report.secret:,} empty: secret or not available), {report.regions:,} regions, "
        f"periods {', '.join(str(p) for p in report.periods) or '-'}"
    )
    out.print(f"sources: {', '.join(report.sources) or '-'}")


@indicators_app.command("show")
def indicators_show(
    ctx: typer.Context,
    indicator: Annotated[str, typer.Argument(help="An indicator id (see `indicators list`).")],
    region: Annotated[list[str], typer.Option("--region", help="Region codes (default: the gemeenten).")] = [],  # noqa: B006
    period: Annotated[int | None, typer.Option("--period", help="Year (default: the latest with values).")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Rows to show.")] = 20,
) -> None:
    """One indicator: its definition and its values for some regions."""
    with _platform(ctx) as platform:
        service = platform.indicators
        d = service.definition(indicator)
        _warn(platform)
        out.print(
            kv_table(
                [
                    ("id", d.id),
                    ("title", f"{d.title.nl} / {d.title.en or '-'}"),
                    ("description", d.description.nl),
                    ("theme", d.theme),
                    ("unit", d.unit.nl),
                    ("definition", d.expression),
                    ("levels", ", ".join(v.value for v in d.levels)),
                    ("direction", d.direction.value),
                    ("notes", d.notes.nl if d.notes else "-"),
                ]
            )
        )
        periods = service.periods(d.id)
        if not periods:
            out.print("no values yet (no source has its columns, or run `stadsdata indicators compute`)")
            return
        chosen = period or periods[-1]
        values = service.values([d.id], regions=region or None, periods=[chosen])
        if not region:  # the country and the gemeenten
            values = [v for v in values if v.level.value in ("land", "gemeente")]
        table = Table(header_style="bold", title=f"{d.title.nl} ({d.unit.nl}), {chosen}")
        for name in ("region", "name", "level", "value", "source"):
            table.add_column(name, overflow="fold")
        for v in values[:limit]:
            shown = "geheim / n.b." if v.value is None else f"{v.value:,.{d.decimals}f}"
            table.add_row(v.region, v.region_name, v.level.value, shown, v.source)
        out.print(table)
        out.print(f"{len(values):,} values in {chosen}" + (f" (first {limit} shown)" if len(values) > limit else ""))
