"""A small cohort routine: the population per wijk and age band, one year at a time.

Each year, a band passes ``1 / width`` of its people to the next band (ages spread evenly within
a band; 65+ keeps its people), and every band changes by its own *net rate*: births, deaths and
migration together, which the data do not split. The net rate of a band in a wijk is the one
that, with the ageing flows, reproduces the observed change from the first to the second KWB
year (annualised: half the change of 2019 -> 2021 per year). The central variant continues these
rates; the low and high variants shift every band's rate by half the interquartile range of that
band's rates over the wijken of the city, a plausible range rather than a probability interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from stadsdata.models.wmo.data import AGE_BANDS

BANDS = list(AGE_BANDS)
WIDTHS = {"k_0_15": 15, "k_15_25": 10, "k_25_45": 20, "k_45_65": 20, "k_65plus": None}
VARIANTS = ("low", "central", "high")


@dataclass(frozen=True)
class Projection:
    """``frame``: one row per (wijk, year, variant) with the age bands and ``population``;
    ``rates``: the net rate per wijk and band; ``spread``: the shift of the low/high variants."""

    frame: pd.DataFrame
    rates: pd.DataFrame
    spread: pd.Series
    base_year: int


def _flows(bands: np.ndarray) -> np.ndarray:
    """Net ageing flow into each band in one year (columns in BANDS order)."""
    out = np.zeros_like(bands)
    for i, band in enumerate(BANDS):
        width = WIDTHS[band]
        if width is None:
            continue
        moving = bands[:, i] / width
        out[:, i] -= moving
        out[:, i + 1] += moving
    return out


def net_rates(start: pd.DataFrame, end: pd.DataFrame, years: int) -> pd.DataFrame:
    """The annual net rate per wijk and band that, with the ageing flows, turns ``start`` into
    ``end`` over ``years`` years (first-order: flows on the average of both years)."""
    common = start.index.intersection(end.index)
    first = start.loc[common, BANDS].to_numpy(float)
    last = end.loc[common, BANDS].to_numpy(float)
    middle = (first + last) / 2
    change = (last - first) / years - _flows(middle)
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(middle > 0, change / middle, 0.0)
    return pd.DataFrame(rates, index=common, columns=BANDS)


def step(bands: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """One year: ageing flows plus the net change; never below zero."""
    return np.clip(bands + _flows(bands) + rates * bands, 0, None)


def project(start: pd.DataFrame, end: pd.DataFrame, *, start_year: int, end_year: int, horizon: int = 5) -> Projection:
    """Projects the wijken of ``end`` (the base year ``end_year``) ``horizon`` years ahead, with
    the net rates observed from ``start_year`` to ``end_year``."""
    years = end_year - start_year
    rates = net_rates(start, end, years)
    q1, q3 = rates.quantile(0.25), rates.quantile(0.75)
    spread = (q3 - q1) / 2
    shift = {"low": -spread.to_numpy(), "central": np.zeros(len(BANDS)), "high": spread.to_numpy()}
    base = end.loc[rates.index, BANDS].to_numpy(float)
    records = []
    for variant in VARIANTS:
        bands = base.copy()
        r = rates.to_numpy() + shift[variant]
        for offset in range(1, horizon + 1):
            bands = step(bands, r)
            frame = pd.DataFrame(bands, index=rates.index, columns=BANDS)
            frame["year"] = end_year + offset
            frame["variant"] = variant
            records.append(frame)
    out = pd.concat(records)
    out.index.name = "wijk"
    out["population"] = out[BANDS].sum(axis=1)
    return Projection(out.reset_index(), rates, spread, end_year)
