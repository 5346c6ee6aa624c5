"""The pure parts of the Wmo model on the real CBS files the repo ships: which wijken enter, the
cohort projection, the rate GLM, the forecast and its intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stadsdata.errors import ModelError
from stadsdata.models.wmo import data, forecast, projection, rates
from stadsdata.models.wmo.data import MIN_INHABITANTS


@pytest.fixture(scope="module")
def base(kwb_2019: pd.DataFrame) -> data.Wijken:
    return data.wijken("cbs_kwb_2019_den_haag", kwb_2019)


@pytest.fixture(scope="module")
def later(kwb_2021: pd.DataFrame) -> pd.DataFrame:
    return data.later_population("cbs_kwb_2021_den_haag", kwb_2021)


def test_small_wijken_and_secret_counts_are_excluded_and_listed_never_zero(
    base: data.Wijken, kwb_2019: pd.DataFrame
) -> None:
    rows = kwb_2019[kwb_2019["SoortRegio_2"] == "Wijk"].set_index("Codering_3")
    assert len(base.frame) + len(base.excluded) == len(rows) == 44
    excluded = {e.code: e.reason for e in base.excluded}
    assert not set(excluded) & set(base.frame.index)
    for code, reason in excluded.items():  # the real reasons: every left-out wijk is a small one here
        assert rows.loc[code, "AantalInwoners_5"] < MIN_INHABITANTS, reason
    secret = rows.index[rows["WmoClienten_89"].isna() & (rows["AantalInwoners_5"] > 0)]
    assert sorted(secret) == ["WK051810", "WK051843"]  # CBS kept these counts secret
    assert all("Wmo count is secret" in excluded[c] for c in secret)
    assert base.frame["wmo"].notna().all() and (base.frame["wmo"] > 0).all()
    assert (base.frame["population"] >= MIN_INHABITANTS).all()


def test_a_table_without_a_needed_column_names_the_dataset_and_the_column(kwb_2021: pd.DataFrame) -> None:
    with pytest.raises(ModelError) as caught:
        data.wijken("cbs_kwb_2021_den_haag", kwb_2021)
    message = str(caught.value)
    assert message.startswith("cbs_kwb_2021_den_haag: no column 'gemiddeldinkomenperinwoner' (average income")
    assert "expected a CBS Kerncijfers wijken en buurten table" in message and "\n" not in message


def test_the_glm_reproduces_the_city_total_and_gives_rate_ratios(base: data.Wijken) -> None:
    model = rates.fit(base.frame)
    fitted = float((model.rate(base.frame) * base.frame["population"]).sum())
    observed = float(base.frame["wmo"].sum())
    assert observed == 36630  # the sum of the 37 included wijken in KWB 2019
    assert fitted == pytest.approx(observed, rel=1e-6)  # a Poisson GLM with an intercept and exposure
    ratios = model.rate_ratios()
    assert list(ratios.index) == list(data.FEATURES)
    assert (ratios["low95"] <= ratios["rate_ratio"]).all() and (ratios["rate_ratio"] <= ratios["high95"]).all()
    assert ratios.loc["pct_65plus", "rate_ratio"] > 1 and ratios.loc["pct_65plus", "low95"] > 1  # older: more Wmo
    assert model.scale > 1  # overdispersed: the interval must not pretend Poisson precision


def test_the_cohort_routine_reproduces_the_observed_change_and_brackets_it(
    base: data.Wijken, later: pd.DataFrame
) -> None:
    start = base.frame
    rates_ = projection.net_rates(start, later, years=2)
    bands = start.loc[rates_.index, projection.BANDS].to_numpy(float)
    for _ in range(2):  # two annual steps from 2019 land close to the observed 2021
        bands = projection.step(bands, rates_.to_numpy())
    observed = later.loc[rates_.index, projection.BANDS].to_numpy(float)
    assert np.abs(bands.sum(axis=1) / observed.sum(axis=1) - 1).max() < 0.02
    result = projection.project(start, later.loc[start.index], start_year=2019, end_year=2021)
    frame = result.frame
    assert sorted(frame["year"].unique()) == [2022, 2023, 2024, 2025, 2026]
    wide = frame.pivot_table(index=["wijk", "year"], columns="variant", values="population")
    assert (wide["low"] <= wide["central"]).all() and (wide["central"] <= wide["high"]).all()
    assert (frame[projection.BANDS] >= 0).all().all()
    assert (result.spread > 0).all()


def test_the_forecast_has_five_years_and_bounds_around_it(base: data.Wijken, later: pd.DataFrame) -> None:
    model = rates.fit(base.frame)
    proj = projection.project(base.frame, later.loc[base.frame.index], start_year=2019, end_year=2021)
    out = forecast.forecast(model, proj, base.frame, later)
    wijken = out[out["level"] == "wijk"]
    assert set(wijken["code"]) == set(base.frame.index)
    assert all(sorted(years) == [2022, 2023, 2024, 2025, 2026] for _, years in wijken.groupby("code")["year"])
    assert ((out["lower"] <= out["forecast"]) & (out["forecast"] <= out["upper"])).all()
    assert ((out["lower"] < out["forecast"]) & (out["forecast"] < out["upper"])).all()  # a real interval everywhere
    city = out[out["level"] == "gemeente"].set_index("year")
    assert list(city["code"].unique()) == ["GM0518"]
    sums = wijken.groupby("year")["forecast"].sum()
    assert (abs(city["forecast"] - sums) <= 37).all()  # the city is the sum of its wijken (rounding)
    assert (city["lower"] > wijken.groupby("year")["lower"].sum()).all()  # drawn together: narrower than the sum
    again = forecast.forecast(model, proj, base.frame, later)
    pd.testing.assert_frame_equal(out, again)  # fixed seed: the same data give the same forecast


def test_an_anchored_wijk_keeps_its_own_level_and_moves_with_the_model(base: data.Wijken, later: pd.DataFrame) -> None:
    """With ``anchor`` a wijk's forecast starts from its own 2019 rate and moves by the change the GLM
    expects from its projected structure; without it, it is the GLM rate of its structure."""
    model = rates.fit(base.frame)
    proj = projection.project(base.frame, later.loc[base.frame.index], start_year=2019, end_year=2021)
    own = base.frame["wmo"] / base.frame["population"]
    anchored = forecast.forecast(model, proj, base.frame, later, anchor=own)
    plain = forecast.forecast(model, proj, base.frame, later)
    first = {
        name: f[(f["level"] == "wijk") & (f["year"] == 2022)].set_index("code")
        for name, f in (("a", anchored), ("p", plain))
    }
    observed = 1000 * own
    structure = 1000 * model.rate(base.frame)
    # the anchored rate stays near the wijk's own (three years of ageing later), the plain one near the structure's
    ratio = first["a"]["per_1000"] / observed
    assert ratio.between(0.75, 1.25).all(), ratio.describe()
    assert (first["a"]["per_1000"] - observed).abs().mean() < (first["p"]["per_1000"] - observed).abs().mean() / 2
    # the change from 2019 is the model's in both: anchored / plain is the wijk's own rate over its structure rate
    expected = (observed / structure).reindex(first["a"].index)
    got = first["a"]["forecast"] / first["p"]["forecast"]
    assert (got / expected).between(0.97, 1.03).all()  # whole clients: rounding
    # a wijk without an own rate (not in anchor) gets the plain structure forecast
    partial = forecast.forecast(model, proj, base.frame, later, anchor=own.drop(own.index[0]))
    left = partial[(partial["code"] == own.index[0])].reset_index(drop=True)
    same = ["code", "year", "population", "forecast", "per_1000"]  # the bounds: other random draws
    pd.testing.assert_frame_equal(left[same], plain.loc[plain["code"] == own.index[0], same].reset_index(drop=True))
