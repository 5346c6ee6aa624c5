"""The forecast: the rate model applied to the projected structure of each wijk, for each year.

The base year is the later KWB year (2021): its observed population is the start of the
projection, so the forecast covers 2022..2026. The age shares come from the projection; the
share of one-person households is the base year's; income, the social minimum and social
assistance (per 100 inhabitants) stay at the rate model's year (2019), the latest published.
Anchoring: for a wijk in the fit (with a published 2019 Wmo count), the GLM gives the *change*
and the wijk's own 2019 rate gives the *level*: rate(t) = observed rate 2019 x GLM rate(t) / GLM
rate(2019). What the structure does not explain (a care home, a local provider) stays in the
wijk's forecast instead of being averaged away. A wijk outside the fit (small, or a secret count)
has no own rate: it gets the GLM rate of its structure and is marked uncertain.
The prediction interval (90%) is a parametric bootstrap: coefficient vectors drawn from the
GLM's estimate, and counts drawn around each expected count with the model's overdispersion;
the lower bound uses the low population variant, the upper bound the high one. The city is the
sum of its included wijken, drawn together, so the interval of the sum is not the sum of the
intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stadsdata.models.wmo.projection import Projection
from stadsdata.models.wmo.rates import RateModel, count_draws

DRAWS = 2000
LEVEL = 0.90
SEED = 20190101  # fixed: the same data give the same forecast, byte for byte


def projected_features(projection: Projection, base: pd.DataFrame, later: pd.DataFrame) -> pd.DataFrame:
    """One row per (wijk, year, variant) with the model's features."""
    frame = projection.frame.copy()
    wijk = frame["wijk"]
    frame["pct_0_15"] = 100 * frame["k_0_15"] / frame["population"]
    frame["pct_65plus"] = 100 * frame["k_65plus"] / frame["population"]
    frame["pct_one_person"] = (100 * later["one_person"] / later["households"]).reindex(wijk).to_numpy()
    for column in ("income", "social_minimum", "pct_welfare"):
        frame[column] = base[column].reindex(wijk).to_numpy()
    return frame


def city_code(wijk_codes: pd.Index) -> str:
    """GM + the gemeente number in the wijk codes (WK0518xx -> GM0518)."""
    numbers = {str(c)[2:6] for c in wijk_codes}
    return f"GM{numbers.pop()}" if len(numbers) == 1 else "GM????"


def forecast(
    model: RateModel,
    projection: Projection,
    base: pd.DataFrame,
    later: pd.DataFrame,
    *,
    anchor: pd.Series | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
) -> pd.DataFrame:
    """Per wijk and for the city, per year: inhabitants, forecast clients, lower and upper bound
    of the 90% interval, and the rate per 1,000. ``anchor``: the observed base-year rate per
    inhabitant of the wijken that have one (index: wijk code); see the module's note."""
    rng = np.random.default_rng(seed)
    frame = projected_features(projection, base, later)
    params = model.draws(draws, rng)
    order = frame.loc[(frame["year"] == frame["year"].min()) & (frame["variant"] == "central"), "wijk"].to_numpy()
    own = (anchor if anchor is not None else pd.Series(dtype=float)).reindex(order).to_numpy(float)
    at_base = base.loc[order]
    factor = np.where(np.isnan(own), 1.0, own / model.rate(at_base).to_numpy(float))
    factor_draws = np.where(np.isnan(own), 1.0, own / model.rate_draws(at_base, params))
    tail = (1 - LEVEL) / 2
    rows = []
    for year in sorted(frame["year"].unique()):
        per = {
            v: frame[(frame["year"] == year) & (frame["variant"] == v)].set_index("wijk")
            for v in ("low", "central", "high")
        }
        central = per["central"].loc[order]
        mean = (model.rate(central) * central["population"]).to_numpy(float) * factor
        low, high = per["low"].loc[order], per["high"].loc[order]
        low_mean = model.rate_draws(low, params) * low["population"].to_numpy() * factor_draws
        high_mean = model.rate_draws(high, params) * high["population"].to_numpy() * factor_draws
        low_counts = count_draws(low_mean, model.scale, rng)
        high_counts = count_draws(high_mean, model.scale, rng)
        lower = np.quantile(low_counts, tail, axis=0)
        upper = np.quantile(high_counts, 1 - tail, axis=0)
        for i, wijk in enumerate(order):
            rows.append(("wijk", wijk, year, central["population"].iloc[i], mean[i], lower[i], upper[i]))
        rows.append(
            (
                "gemeente",
                city_code(pd.Index(order)),
                year,
                central["population"].sum(),
                mean.sum(),
                np.quantile(low_counts.sum(axis=1), tail),
                np.quantile(high_counts.sum(axis=1), 1 - tail),
            )
        )
    out = pd.DataFrame(rows, columns=["level", "code", "year", "population", "forecast", "lower", "upper"])
    for column in ("population", "forecast", "lower", "upper"):
        out[column] = out[column].round().astype("int64")
    out["lower"] = np.minimum(out["lower"], out["forecast"])  # a count draw cannot sit above its own mean's
    out["upper"] = np.maximum(out["upper"], out["forecast"])  # rounding; in practice the bounds are far apart
    out["per_1000"] = (1000 * out["forecast"] / out["population"]).round(1)
    return out.sort_values(["level", "code", "year"], ascending=[False, True, True]).reset_index(drop=True)
