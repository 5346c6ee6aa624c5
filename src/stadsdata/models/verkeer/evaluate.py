"""How well the risk score predicts, measured on the data: a split in time.

Locations are formed from all years. The counts of the first half of the years (2015-2016 in the
shipped file) give, per gemeente, the raw weighted count and the empirical-Bayes score (priors
fitted on the first half only, with every location, also those without accidents in that half);
both are compared with the weighted count of the second half (2017-2018), which has the same
length. Reported: the mean absolute error per location over all gemeenten, and how many of each
gemeente's top 10 by the first half are still in its top 10 of the second half. A score that
shrinks chance peaks should predict the next period better than the raw count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stadsdata.models.verkeer import hotspots
from stadsdata.models.verkeer.accidents import SEVERITIES
from stadsdata.models.verkeer.hotspots import DEFAULT_WEIGHTS, Weights, fit_prior, posterior

TOP = 10


@dataclass(frozen=True)
class Backtest:
    first: tuple[int, int]  # years, inclusive
    second: tuple[int, int]
    locations: int
    gemeenten: int
    mae_raw: float
    mae_shrunk: float
    mae_mean: float  # everyone gets the gemeente's mean: the baseline without any location information
    top_kept_raw: int  # of gemeenten x TOP places, still in the second half's top
    top_kept_shrunk: int
    top_total: int


def _counts(accidents: pd.DataFrame, where: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    part = accidents[(accidents["jaar_vkl"] >= years[0]) & (accidents["jaar_vkl"] <= years[1])]
    table = part.merge(where, on=["gemeentecode", "lon", "lat"]).pivot_table(
        index="locatie_id", columns="ap3_code", values="ongevallen", aggfunc="sum", fill_value=0
    )
    return table.reindex(columns=list(SEVERITIES), fill_value=0)


def backtest(accidents: pd.DataFrame, *, radius: float = 25.0, weights: Weights = DEFAULT_WEIGHTS) -> Backtest | None:
    years = sorted(int(y) for y in accidents["jaar_vkl"].unique())
    if len(years) < 2:
        return None
    half = len(years) // 2
    first, second = (years[0], years[half - 1]), (years[-half], years[-1])
    located, points = hotspots.located(accidents, radius, weights)
    before = _counts(accidents, points, first).reindex(located["locatie_id"], fill_value=0)
    after = _counts(accidents, points, second).reindex(located["locatie_id"], fill_value=0)
    w = weights.by_severity()
    gemeente = located.set_index("locatie_id")["gemeentecode"]
    raw_err, eb_err, mean_err = [], [], []
    kept_raw = kept_eb = total = 0
    for code in sorted(gemeente.unique()):
        ids = gemeente.index[gemeente == code]
        b, a = before.loc[ids], after.loc[ids]
        raw = sum(w[s] * b[s].to_numpy(dtype=float) for s in SEVERITIES)
        shrunk = sum(w[s] * posterior(b[s].to_numpy(), fit_prior(b[s].to_numpy())) for s in SEVERITIES)
        truth = sum(w[s] * a[s].to_numpy(dtype=float) for s in SEVERITIES)
        raw_err.append(np.abs(raw - truth))
        eb_err.append(np.abs(shrunk - truth))
        mean_err.append(np.abs(raw.mean() - truth))
        if len(ids) >= 2 * TOP:
            best = set(np.argsort(-truth, kind="stable")[:TOP])
            kept_raw += len(best & set(np.argsort(-raw, kind="stable")[:TOP]))
            kept_eb += len(best & set(np.argsort(-shrunk, kind="stable")[:TOP]))
            total += TOP
    return Backtest(
        first,
        second,
        len(located),
        int(gemeente.nunique()),
        float(np.concatenate(raw_err).mean()),
        float(np.concatenate(eb_err).mean()),
        float(np.concatenate(mean_err).mean()),
        kept_raw,
        kept_eb,
        total,
    )
