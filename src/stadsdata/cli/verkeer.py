"""``stadsdata models verkeer hotspots|match``: the traffic-risk model (docs/traffic-risk.md).

``hotspots`` computes the accident hotspots of every gemeente in the accidents dataset, publishes
``verkeer_hotspots`` and registers the model card, then shows one gemeente's ranked list; it asks
the policy for ``ingest`` on ``verkeer_hotspots``. ``match`` counts residents' reports of an
unsafe traffic situation near each location and, when some gemeente has both, publishes
``verkeer_prioriteiten`` (``ingest`` on that dataset); when none has both it says so and writes
nothing.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Annotated, Any

import pandas as pd
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from stadsdata.cli.governance import governance
from stadsdata.cli.output import err, out
from stadsdata.models.verkeer.contract import HOTSPOTS, PRIORITIES
from stadsdata.models.verkeer.hotspots import Weights
from stadsdata.models.verkeer.matching import UNSAFE, Settings
from stadsdata.models.verkeer.service import ACCIDENTS, DEFAULT_GEMEENTE, RADIUS

verkeer_app = typer.Typer(
    help="The traffic-risk model: accident hotspots and residents' reports (docs/traffic-risk.md).",
    no_args_is_help=True,
)

AccidentsOption = Annotated[str, typer.Option("--accidents", help="Accidents dataset (BRON party rows).")]
RadiusOption = Annotated[float, typer.Option("--radius", help="Metres within which road points form one location.")]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json")]
SHOWN = ["rang", "locatie_id", "ongevallen", "dodelijk", "letsel", "materieel", "gewogen_score", "risicoscore"]


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True)


def _format(fmt: str) -> str:
    if fmt not in ("table", "json"):
        raise typer.BadParameter(f"expected table or json; got {fmt[:20]!r}", param_hint="--format")
    return fmt


def _plain(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _json(frame: pd.DataFrame, **meta: Any) -> None:
    rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    sys.stdout.write(json.dumps({**meta, "rows": rows}, ensure_ascii=False, indent=1) + "\n")


def _table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(header_style="bold", title=title, title_justify="left")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*[str(_plain(v)) for v in row])
    return table


def _stepper(progress: Progress, total: int):  # type: ignore[no-untyped-def]
    task = progress.add_task("start", total=total)

    def step(name: str) -> None:
        progress.update(task, description=name, advance=1)

    return step


@verkeer_app.command("hotspots")
def hotspots(
    ctx: typer.Context,
    gemeente: Annotated[str, typer.Option("--gemeente", help="CBS gemeente code to show.")] = DEFAULT_GEMEENTE,
    radius: RadiusOption = RADIUS,
    accidents: AccidentsOption = ACCIDENTS,
    top: Annotated[int, typer.Option("--top", min=1, help="How many locations to show.")] = 20,
    fatal: Annotated[float, typer.Option("--fatal", min=0, help="Weight of a fatal accident.")] = 10.0,
    injury: Annotated[float, typer.Option("--injury", min=0, help="Weight of an injury accident.")] = 3.0,
    material: Annotated[float, typer.Option("--material", min=0, help="Weight of a damage-only accident.")] = 1.0,
    fmt: FormatOption = "table",
) -> None:
    """Compute the hotspots of every gemeente, publish verkeer_hotspots, register the model card
    and show the ranked locations of one gemeente."""
    _format(fmt)
    if radius < 0:
        raise typer.BadParameter(f"expected metres >= 0; got {radius}", param_hint="--radius")
    weights = Weights(fatal=fatal, injury=injury, material=material)
    with governance(ctx) as g, _progress() as progress:
        published = g.platform.models.verkeer.run(
            accidents,
            radius=radius,
            weights=weights,
            actor=g.actor,
            by=g.user,
            gemeente=gemeente,
            on_step=_stepper(progress, 4),
        )
    result = published.hotspots
    ranked = result.of(gemeente)
    name = str(ranked["gemeentenaam"].iloc[0]) or gemeente.upper()
    if fmt == "json":
        _json(
            ranked,
            gemeente=gemeente.upper(),
            naam=name,
            dataset=HOTSPOTS,
            version=published.version,
            model=result.version,
            radius_m=radius,
            years=list(result.years),
        )
        return
    shown = ranked.head(top)[SHOWN].copy()
    shown["gewogen_score"] = shown["gewogen_score"].round(1)
    shown["risicoscore"] = shown["risicoscore"].round(2)
    out.print(
        _table(shown, f"{name}: top {len(shown)} of {len(ranked)} locations, {result.years[0]}-{result.years[1]}")
    )
    state = "a new version" if published.new else "unchanged, no new version"
    out.print(
        f"{HOTSPOTS}: version {published.version} ({state}); {len(result.frame)} locations in "
        f"{len(result.gemeenten())} gemeenten; radius {radius:g} m; weights {fatal:g}/{injury:g}/{material:g}; "
        f"model {result.version}"
    )
    b = published.backtest
    if b is not None:
        out.print(
            f"backtest {b.first[0]}-{b.first[1]} -> {b.second[0]}-{b.second[1]}: mean absolute error per location "
            f"{b.mae_raw:.2f} (raw) vs {b.mae_shrunk:.2f} (risk score), {b.mae_mean:.2f} (gemeente mean)"
        )
    if published.entry is not None:
        out.print(f"register: {published.entry.id} version {published.entry.version} ({published.entry.name})")


@verkeer_app.command("match")
def match(
    ctx: typer.Context,
    reports: Annotated[str, typer.Option("--reports", help="Reports dataset (lon, lat, subcategorie).")],
    accidents: AccidentsOption = ACCIDENTS,
    distance: Annotated[float, typer.Option("--distance", help="Metres within which a report counts.")] = 50.0,
    min_reports: Annotated[int, typer.Option("--min-reports", help="Reports from which perception is high.")] = 2,
    radius: RadiusOption = RADIUS,
    top: Annotated[int, typer.Option("--top", min=1, help="How many locations to show per gemeente.")] = 20,
    fmt: FormatOption = "table",
) -> None:
    """Match accident locations with residents' reports of an unsafe traffic situation and
    publish the priority list (verkeer_prioriteiten) where both exist."""
    _format(fmt)
    try:
        settings = Settings(distance=distance, min_reports=min_reports)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    with governance(ctx) as g, _progress() as progress:
        matched = g.platform.models.verkeer.match(
            accidents, reports, settings=settings, radius=radius, actor=g.actor, on_step=_stepper(progress, 4)
        )
    m = matched.match
    years = lambda span: f"{span[0]}-{span[1]}" if span else "unknown years"  # noqa: E731
    if not m.overlaps:
        message = (
            f"no place has both accidents and reports: none of the {m.reports} {UNSAFE!r} reports in {reports} "
            f"({years(m.report_years)}) lies within {distance:g} m of an accident location in {accidents} "
            f"({years(m.accident_years)}); nothing published"
        )
        if fmt == "json":
            _json(pd.DataFrame(), overlaps=False, message=message, reports=m.reports)
        else:
            out.print(message)
        return
    shown = m.priorities.groupby("gemeentecode", sort=True).head(top)
    columns = ["gemeentecode", "prioriteit", "locatie_id", "kwadrant", "risicoscore", "risico_rang", "meldingen"]
    if fmt == "json":
        _json(
            m.priorities[[*columns, "meldingen_rang", "rangproduct", "lon", "lat"]],
            overlaps=True,
            dataset=PRIORITIES,
            version=matched.version,
            gemeenten=m.gemeenten,
            reports=m.reports,
            matched_reports=m.matched_reports,
            times_overlap=m.times_overlap,
        )
        return
    out.print(_table(shown[columns].round({"risicoscore": 2}), "Priorities: risk and reports both high first"))
    out.print(
        f"{PRIORITIES}: version {matched.version}; {m.matched_reports} of {m.reports} {UNSAFE!r} reports within "
        f"{distance:g} m of a location; gemeenten {', '.join(m.gemeenten)}"
    )
    if not m.times_overlap:
        out.print(
            f"note: the accidents ({years(m.accident_years)}) and the reports ({years(m.report_years)}) "
            "do not cover the same years"
        )
