"""How good the Wmo model is, measured on real data: pure functions that return tables.

(a) Leave-one-wijk-out cross-validation in the base city: each wijk is predicted by the model
fitted on all other wijken, as the rate per 1,000 inhabitants, against two baselines fitted the
same way (the city-wide rate; a GLM on the share of 65+ alone), with the coverage of the 90%
prediction interval. (b) A temporal backtest at gemeente level on the Wmo household-help panel:
the same kind of GLM fitted on 2017 predicts 2019 from the 2019 structure, against "the same
rate as in 2017"; gemeenten where the count or the area changed abruptly are listed with the
reason, and the figures are given with and without them. (c) Transfer: the fitted model scored
on another KWB table. Fairness: the cross-validation errors by income tercile of the wijken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stadsdata.errors import ModelError
from stadsdata.models.wmo.data import FEATURES, Excluded, Wijken, income_terciles
from stadsdata.models.wmo.rates import BASELINE_65, RateModel, count_draws, fit

METHODS = {
    "model": "GLM (all features)",
    "city_rate": "city-wide rate",
    "share_65": "share of 65+ alone",
    "anchored": "own rate x GLM change (as the forecast)",
}
BREAK_COUNT_CHANGE = 0.5  # |clients 2019 / 2017 - 1| above this: a break in the series
BREAK_POPULATION_CHANGE = 0.10  # |inhabitants 2019 / 2017 - 1| above this: a boundary change
LOO_DRAWS = 1000
SEED = 8


def errors(table: pd.DataFrame, observed: str = "observed") -> pd.DataFrame:
    """MAE and MAPE of the rate per 1,000 per method (columns of ``table`` named after METHODS)."""
    rows = []
    for method in METHODS:
        if method not in table:
            continue
        diff = table[method] - table[observed]
        rows.append(
            {
                "method": method,
                "n": len(table),
                "mae": float(diff.abs().mean()),
                "mape": float((diff.abs() / table[observed]).mean() * 100),
                "bias": float(diff.mean()),
            }
        )
    return pd.DataFrame(rows).set_index("method")


def leave_one_out(wijken: Wijken, features: list[str] | None = None, *, seed: int = SEED) -> pd.DataFrame:
    """Per included wijk: the observed rate per 1,000 and each method's out-of-sample prediction,
    with whether the observed count lies in the model's 90% prediction interval."""
    frame = wijken.frame
    if len(frame) < len(FEATURES) + 3:
        raise ModelError(f"{wijken.dataset}: only {len(frame)} usable wijken; expected at least {len(FEATURES) + 3}")
    rng = np.random.default_rng(seed)
    rows = []
    for code in frame.index:
        train, test = frame.drop(index=code), frame.loc[[code]]
        model = fit(train, features)
        baseline = fit(train, BASELINE_65)
        population = float(test["population"].iloc[0])
        mean = model.rate_draws(test, model.draws(LOO_DRAWS, rng))[:, 0] * population
        counts = count_draws(mean, model.scale, rng)
        low, high = np.quantile(counts, [0.05, 0.95])
        observed = float(test["wmo"].iloc[0])
        rows.append(
            {
                "wijk": code,
                "population": population,
                "income": float(test["income"].iloc[0]),
                "observed": 1000 * observed / population,
                "model": 1000 * float(model.rate(test).iloc[0]),
                "city_rate": 1000 * train["wmo"].sum() / train["population"].sum(),
                "share_65": 1000 * float(baseline.rate(test).iloc[0]),
                "in_interval": bool(low <= observed <= high),
            }
        )
    out = pd.DataFrame(rows).set_index("wijk")
    out["income_group"] = income_terciles(out)
    return out


def fairness(loo: pd.DataFrame) -> pd.DataFrame:
    """Errors per income tercile (laag/midden/hoog) and method: is the model worse for poorer wijken?"""
    parts = []
    for group in ("laag", "midden", "hoog"):
        part = errors(loo[loo["income_group"] == group])
        part["income_group"] = group
        part["income_range"] = (
            f"{loo.loc[loo['income_group'] == group, 'income'].min():.1f}-"
            f"{loo.loc[loo['income_group'] == group, 'income'].max():.1f}"
        )
        parts.append(part.reset_index())
    return pd.concat(parts).set_index(["income_group", "method"])


# -- (b) the temporal backtest at gemeente level -------------------------------------------------
PANEL_COLUMNS = {
    "code": "codering_regio",
    "name": "gemeentenaam",
    "year": "interval",
    "wmo": "wmoclienten",
    "population": "aantalinwoners",
    "k_0_15": "k0tot15jaar",
    "k_65plus": "k65jaarofouder",
    "households": "huishoudenstotaal",
    "one_person": "eenpersoonshuishoudens",
    "income": "gemiddeldinkomenperinwoner",
    "social_minimum": "huishonderofrondsociaalminimum",
    "welfare": "personenpersoortuitkeringbijstand",
}


@dataclass(frozen=True)
class Backtest:
    table: pd.DataFrame  # per gemeente: observed 2019, model, anchored, same_as_2017 (per 1,000), break reason
    summary: pd.DataFrame  # errors with all gemeenten and without the breaks
    excluded: list[Excluded]
    carried: int  # gemeenten whose 2019 income and social minimum are their 2018 figures
    fit_year: int
    test_year: int
    model: RateModel


def _panel_features(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    out["pct_0_15"] = 100 * out["k_0_15"] / out["population"]
    out["pct_65plus"] = 100 * out["k_65plus"] / out["population"]
    out["pct_one_person"] = 100 * out["one_person"] / out["households"]
    out["pct_welfare"] = 100 * out["welfare"] / out["population"]
    return out


def backtest(dataset: str, panel: pd.DataFrame, *, fit_year: int = 2017, test_year: int = 2019) -> Backtest:
    """Fit on ``fit_year``, predict ``test_year`` from that year's structure. KWB publishes income
    and the social minimum a year late: where ``test_year`` has none, the year before is used, as
    a forecaster would have to (counted in ``carried``)."""
    lower = {str(c).lower(): str(c) for c in panel.columns}
    missing = [c for c in PANEL_COLUMNS.values() if c not in lower]
    if missing:
        raise ModelError(
            f"{dataset}: no column {missing[0]!r}; expected the gemeente x year Wmo panel "
            f"(wmo_hbh_gemeenten_2017_2019) with {', '.join(PANEL_COLUMNS.values())}"
        )
    rows = pd.DataFrame({k: panel[lower[c]] for k, c in PANEL_COLUMNS.items()})
    for column in rows.columns:
        if column not in ("code", "name"):
            rows[column] = pd.to_numeric(rows[column], errors="coerce").astype(float)
    rows["year"] = rows["year"].astype("Int64")
    by_year = {int(y): g.set_index("code") for y, g in rows.groupby("year")}
    if fit_year not in by_year or test_year not in by_year:
        raise ModelError(f"{dataset}: expected rows for {fit_year} and {test_year}; found {sorted(by_year)}")
    first, last = by_year[fit_year], by_year[test_year].copy()
    carried = 0
    previous = by_year.get(test_year - 1)
    if previous is not None:
        for column in ("income", "social_minimum"):
            empty = last[column].isna() & last.index.isin(previous.index)
            fill = previous[column].reindex(last.index)
            carried = max(carried, int((empty & fill.notna()).sum()))
            last.loc[empty, column] = fill[empty]
    needed = list(FEATURES) + ["wmo"]
    first, last = _panel_features(first), _panel_features(last)
    excluded: list[Excluded] = []
    usable_first = first.dropna(subset=needed)
    usable_first = usable_first[usable_first["population"] > 0]
    model = fit(usable_first)
    table_rows = []
    for code, row in last.iterrows():
        name = row["name"]
        if code not in first.index:
            excluded.append(Excluded(f"{code} {name}", f"no {fit_year} row (a new gemeente code after a herindeling)"))
            continue
        before = first.loc[code]
        empty = [c for c in needed if pd.isna(row[c])] + [c for c in ("wmo", "population") if pd.isna(before[c])]
        if empty:
            excluded.append(Excluded(f"{code} {name}", f"empty figures ({', '.join(sorted(set(empty)))})"))
            continue
        observed = 1000 * row["wmo"] / row["population"]
        earlier = 1000 * before["wmo"] / before["population"]
        count_change = row["wmo"] / before["wmo"] - 1 if before["wmo"] else np.inf
        population_change = row["population"] / before["population"] - 1
        reason = ""
        if abs(population_change) > BREAK_POPULATION_CHANGE:
            reason = (
                f"inhabitants {before['population']:,.0f} -> {row['population']:,.0f} "
                f"({population_change:+.0%}): a boundary change (herindeling), not the same area"
            )
        elif abs(count_change) > BREAK_COUNT_CHANGE:
            reason = (
                f"clients {before['wmo']:,.0f} -> {row['wmo']:,.0f} ({count_change:+.0%}) with inhabitants "
                f"{population_change:+.1%}: too abrupt for demand; most likely a change in how the service is provided "
                "or registered"
            )
        table_rows.append(
            {
                "code": code,
                "name": name,
                "observed": observed,
                "model": 1000 * float(model.rate(last.loc[[code]]).iloc[0]),
                # what the forecast does: the gemeente's own rate, moved by the change the GLM expects
                "anchored": earlier
                * float(model.rate(last.loc[[code]]).iloc[0] / model.rate(first.loc[[code]]).iloc[0]),
                "same_as_2017": earlier,
                "break": reason,
            }
        )
    table = pd.DataFrame(table_rows).set_index("code")
    summary = []
    for label, part in (("all gemeenten", table), ("without the breaks", table[table["break"] == ""])):
        for method in ("model", "anchored", "same_as_2017"):
            diff = part[method] - part["observed"]
            summary.append(
                {
                    "set": label,
                    "method": method,
                    "n": len(part),
                    "mae": float(diff.abs().mean()),
                    "mape": float((diff.abs() / part["observed"]).mean() * 100),
                    "median_ape": float((diff.abs() / part["observed"]).median() * 100),
                }
            )
    return Backtest(
        table, pd.DataFrame(summary).set_index(["set", "method"]), excluded, carried, fit_year, test_year, model
    )


# -- (c) transfer --------------------------------------------------------------------------------
def transfer(model: RateModel, baseline: RateModel, city_rate: float, other: Wijken) -> pd.DataFrame:
    """The fitted model (and the baselines fitted on the base city) on the wijken of another KWB table."""
    frame = other.frame
    if frame.empty:
        reasons = "; ".join(f"{e.code}: {e.reason}" for e in other.excluded[:3])
        raise ModelError(f"{other.dataset}: no wijk with a published Wmo count and all figures ({reasons})")
    out = pd.DataFrame(
        {
            "population": frame["population"],
            "income": frame["income"],
            "observed": 1000 * frame["wmo"] / frame["population"],
            "model": 1000 * model.rate(frame),
            "city_rate": city_rate,
            "share_65": 1000 * baseline.rate(frame),
        },
        index=frame.index,
    )
    return out


@dataclass
class Evaluation:
    """Everything ``stadsdata models wmo evaluate`` shows."""

    dataset: str
    included: int
    excluded: list[Excluded]
    loo: pd.DataFrame
    loo_errors: pd.DataFrame
    coverage: float
    fairness: pd.DataFrame
    backtest: Backtest | None = None
    transfer: pd.DataFrame | None = None
    transfer_errors: pd.DataFrame | None = None
    transfer_dataset: str | None = None
    transfer_excluded: list[Excluded] = field(default_factory=list)
    rate_ratios: pd.DataFrame | None = None
    scale: float = 0.0
    deviance_explained: float = 0.0


def evaluate(base: Wijken, panel: tuple[str, pd.DataFrame] | None = None, other: Wijken | None = None) -> Evaluation:
    loo = leave_one_out(base)
    model = fit(base.frame)
    result = Evaluation(
        dataset=base.dataset,
        included=len(base.frame),
        excluded=base.excluded,
        loo=loo,
        loo_errors=errors(loo),
        coverage=float(loo["in_interval"].mean() * 100),
        fairness=fairness(loo),
        rate_ratios=model.rate_ratios(),
        scale=model.scale,
        deviance_explained=model.deviance_explained,
    )
    if panel is not None:
        result.backtest = backtest(*panel)
    if other is not None:
        city_rate = 1000 * base.frame["wmo"].sum() / base.frame["population"].sum()
        table = transfer(model, fit(base.frame, BASELINE_65), city_rate, other)
        result.transfer = table
        result.transfer_errors = errors(table)
        result.transfer_dataset = other.dataset
        result.transfer_excluded = other.excluded
    return result


def summary_table(evaluation: Evaluation) -> pd.DataFrame:
    """The validation as one table: check, set, method, n, MAE and MAPE of the rate per 1,000, bias."""
    rows: list[dict[str, object]] = []

    def add(check: str, subset: str, table: pd.DataFrame) -> None:
        for method, row in table.iterrows():
            rows.append(
                {
                    "check": check,
                    "set": subset,
                    "method": METHODS.get(str(method), "same rate as the fit year"),
                    "n": int(row["n"]),
                    "mae": round(float(row["mae"]), 2),
                    "mape": round(float(row["mape"]), 1),
                    "bias": round(float(row["bias"]), 2) if "bias" in row else None,
                }
            )

    add("(a) leave-one-wijk-out", f"{evaluation.dataset}: {evaluation.included} wijken", evaluation.loo_errors)
    for group in ("laag", "midden", "hoog"):
        part = evaluation.fairness.xs(group, level="income_group")
        add("fairness: income tercile", f"{group} ({part['income_range'].iloc[0]} x EUR 1,000)", part)
    if evaluation.backtest is not None:
        b = evaluation.backtest
        for subset in ("all gemeenten", "without the breaks"):
            add(f"(b) backtest {b.fit_year} -> {b.test_year}", subset, b.summary.xs(subset, level="set"))
    if evaluation.transfer_errors is not None:
        add(
            "(c) transfer",
            f"{evaluation.transfer_dataset}: {len(evaluation.transfer)} wijken",
            evaluation.transfer_errors,
        )
    return pd.DataFrame(rows)
