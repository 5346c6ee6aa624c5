"""``stadsdata models wmo train|forecast|evaluate``: the Wmo forecast per wijk (docs/wmo-forecast.md).

``train`` and ``forecast`` write the open dataset ``wmo_prognose`` (and ``train`` the model's
register entry), so they ask the policy for ``ingest`` on ``wmo_prognose``: its data owner or
steward, the data officer of its dienst (OCW), the admin. ``evaluate`` publishes nothing and
shows aggregates of open data; reading a dataset that is not openbaar (``--on``) needs its rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from stadsdata.cli.governance import governance
from stadsdata.cli.output import err, out
from stadsdata.cli.verkeer import verkeer_app
from stadsdata.errors import StadsdataError
from stadsdata.models.wmo.contract import DATASET
from stadsdata.models.wmo.data import FEATURES
from stadsdata.models.wmo.evaluate import Evaluation, summary_table
from stadsdata.models.wmo.service import BASE, LATER, PANEL, Inputs, Published

models_app = typer.Typer(help="Analytic models: the Wmo forecast per wijk.", no_args_is_help=True)
wmo_app = typer.Typer(help="The Wmo forecast per wijk, five years ahead (docs/wmo-forecast.md).", no_args_is_help=True)
models_app.add_typer(wmo_app, name="wmo")
models_app.add_typer(verkeer_app, name="verkeer")  # the traffic-risk model (cli/verkeer.py)

BaseOption = Annotated[str, typer.Option("--base", help="KWB dataset with Wmo clients per wijk (the rate model).")]
LaterOption = Annotated[str, typer.Option("--later", help="KWB dataset of a later year (the projection's start).")]
PanelOption = Annotated[str, typer.Option("--panel", help="Gemeente x year Wmo panel (the backtest).")]


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True)


def _frame_table(frame: pd.DataFrame, title: str | None = None) -> Table:
    table = Table(header_style="bold", title=title, title_justify="left")
    for column in frame.columns:
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for _, row in frame.iterrows():
        table.add_row(*["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in row])
    return table


def _city(published: Published) -> None:
    f = published.fitted.forecast
    city = f[f["level"] == "gemeente"][["code", "year", "population", "forecast", "lower", "upper", "per_1000"]]
    out.print(_frame_table(city.reset_index(drop=True), "Wmo clients, city (sum of the wijken forecast), 90% interval"))
    wijken = f[f["level"] == "wijk"]["code"].nunique()
    state = "a new version" if published.new else "unchanged, no new version"
    out.print(
        f"{DATASET}: version {published.version} ({state}); {wijken} wijken x {f['year'].nunique()} years; "
        f"model {published.fitted.version}"
    )


@wmo_app.command("train")
def wmo_train(
    ctx: typer.Context, base: BaseOption = BASE, later: LaterOption = LATER, panel: PanelOption = PANEL
) -> None:
    """Fit the projection and the rate model, validate, publish wmo_prognose and register the model card."""
    inputs = Inputs(base=base, later=later, panel=panel)
    with governance(ctx) as g, _progress() as progress:
        task = progress.add_task("train", total=4)

        def step(name: str) -> None:
            progress.update(task, description=name, completed=min(progress.tasks[0].completed + 1, 4))

        published = g.platform.models.wmo.train(inputs, g.actor, by=g.user, on_step=step)
    ratios = published.fitted.model.rate_ratios().round(3).reset_index(names="feature")
    ratios.insert(1, "per", [FEATURES[f] for f in ratios["feature"]])
    ratios["p_value"] = [f"{v:.3f}" if v >= 0.001 else "<0.001" for v in ratios["p_value"]]
    out.print(_frame_table(ratios, "Rate ratios (quasi-Poisson GLM): the factor on the Wmo rate per unit"))
    evaluation = published.evaluation
    assert evaluation is not None and published.entry is not None
    e = evaluation.loo_errors
    out.print(
        f"leave-one-wijk-out over {evaluation.included} wijken: MAE {e.loc['model', 'mae']:.1f} per 1,000 "
        f"(MAPE {e.loc['model', 'mape']:.1f}%); city-wide rate {e.loc['city_rate', 'mae']:.1f}, "
        f"share of 65+ alone {e.loc['share_65', 'mae']:.1f}; `stadsdata models wmo evaluate` shows all"
    )
    _city(published)
    out.print(f"register: {published.entry.id} version {published.entry.version} ({published.entry.name})")


@wmo_app.command("forecast")
def wmo_forecast(ctx: typer.Context, base: BaseOption = BASE, later: LaterOption = LATER) -> None:
    """Compute the forecast per wijk and for the city and publish it as wmo_prognose."""
    inputs = Inputs(base=base, later=later, panel="")
    with governance(ctx) as g, _progress() as progress:
        progress.add_task("project, fit and forecast", total=None)
        published = g.platform.models.wmo.forecast(inputs, g.actor)
    _city(published)


def print_evaluation(evaluation: Evaluation) -> None:
    out.print(_frame_table(summary_table(evaluation), "Validation: errors of the rate per 1,000 inhabitants"))
    out.print(
        f"90% prediction interval (leave-one-out): holds {evaluation.coverage:.0f}% of the observed counts; "
        f"overdispersion {evaluation.scale:.1f}"
    )
    out.print(
        "wijken left out (never treated as 0): " + "; ".join(f"{e.code} ({e.reason})" for e in evaluation.excluded)
    )
    if evaluation.backtest is not None:
        b = evaluation.backtest
        breaks = b.table[b.table["break"] != ""].reset_index()[
            ["code", "name", "observed", "model", "anchored", "same_as_2017", "break"]
        ]
        out.print(_frame_table(breaks.round(1), f"Backtest {b.fit_year} -> {b.test_year}: where it breaks, and why"))
        out.print(
            f"backtest: {len(b.table)} gemeenten compared, {len(b.excluded)} not (no {b.fit_year} row or empty "
            f"figures); {b.carried} use their {b.test_year - 1} income and social minimum ({b.test_year}'s are "
            "not published)"
        )
    if evaluation.transfer_dataset and evaluation.transfer_excluded:
        out.print(
            f"{evaluation.transfer_dataset}: wijken left out: "
            + "; ".join(f"{e.code} ({e.reason})" for e in evaluation.transfer_excluded)
        )


@wmo_app.command("evaluate")
def wmo_evaluate(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option("--on", help="Also score the model on this KWB dataset (another municipality).")
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write an HTML report with the tables.")] = None,
    base: BaseOption = BASE,
    panel: PanelOption = PANEL,
) -> None:
    """Validate the model: leave-one-wijk-out against two baselines, errors by income group, a
    backtest at gemeente level, and (--on) the transfer to another KWB dataset. Changes nothing."""
    from stadsdata.models.wmo.report import render

    inputs = Inputs(base=base, panel=panel)
    with governance(ctx) as g, _progress() as progress:
        progress.add_task("validate", total=None)
        evaluation = g.platform.models.wmo.evaluate(inputs, on=on, actor=g.actor)
    print_evaluation(evaluation)
    if report is not None:
        try:
            report.write_text(render(evaluation), encoding="utf-8")
        except OSError as exc:
            raise StadsdataError(f"{report}: cannot write the report: {exc.strerror or exc}") from exc
        out.print(f"wrote {report}")
