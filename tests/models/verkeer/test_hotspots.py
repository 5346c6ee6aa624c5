"""Locations, weights and the empirical-Bayes risk score (models/verkeer/hotspots.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stadsdata.models.verkeer.accidents import accidents
from stadsdata.models.verkeer.hotspots import Weights, cluster, fit_prior, hotspots, posterior, to_rd
from tests.models.verkeer.conftest import near

UTRECHT = (5.08429, 52.08162)  # a real BRON point in Utrecht (the city's top location in the shipped file)


def counted(rows: list[tuple[str, float, float, int]], gemeente: str = "GM0344") -> pd.DataFrame:
    """Accidents as ``accidents`` returns them: (severity, lon, lat, count), year 2016."""
    return pd.DataFrame(
        [
            {"gemeentecode": gemeente, "jaar_vkl": 2016, "lon": lon, "lat": lat, "ap3_code": s, "aol_id": 0}
            | {"ongevallen": n, "gemeentenaam": "Utrecht"}
            for s, lon, lat, n in rows
        ]
    )


def test_points_within_the_radius_join_the_heaviest_and_a_chain_does_not_grow() -> None:
    # five points 20 m apart on a line; the heaviest in the middle
    x = np.array([0.0, 20.0, 40.0, 60.0, 80.0])
    y = np.zeros(5)
    weight = np.array([1.0, 1.0, 9.0, 1.0, 1.0])
    leader = cluster(x, y, weight, radius=25)
    assert list(leader[1:4]) == [2, 2, 2]  # within 25 m of the heaviest point
    assert leader[0] != 2 and leader[4] != 2  # 40 m away: their own locations, no chaining
    assert list(cluster(x, y, weight, radius=0)) == [0, 1, 2, 3, 4]


def test_a_location_is_named_and_drawn_at_its_heaviest_point() -> None:
    east = near(*UTRECHT, 15, 0)
    far = near(*UTRECHT, 200, 0)
    frame = hotspots(counted([("LET", *UTRECHT, 3), ("UMS", *east, 1), ("UMS", *far, 1)]), radius=25)
    top = frame.iloc[0]
    assert (top["lon"], top["lat"]) == UTRECHT and top["punten"] == 2 and top["ongevallen"] == 4
    x, y = to_rd([UTRECHT[0]], [UTRECHT[1]])
    assert top["locatie_id"] == f"GM0344-{round(float(x[0]))}-{round(float(y[0]))}"
    assert len(frame) == 2


def test_weights_are_configurable_and_checked() -> None:
    frame = hotspots(counted([("DOD", *UTRECHT, 1), ("LET", *UTRECHT, 2), ("UMS", *UTRECHT, 4)]))
    assert frame.iloc[0]["gewogen_score"] == 10 * 1 + 3 * 2 + 1 * 4
    other = hotspots(counted([("DOD", *UTRECHT, 1), ("LET", *UTRECHT, 2)]), weights=Weights(100, 5, 1))
    assert other.iloc[0]["gewogen_score"] == 110
    with pytest.raises(ValueError, match="weight fatal: -1"):
        Weights(fatal=-1)


def test_the_prior_is_fitted_by_the_method_of_moments() -> None:
    counts = np.array([0, 1, 2, 3, 10, 0, 1, 1])
    prior = fit_prior(counts)
    mean, variance = counts.mean(), counts.var(ddof=1)
    assert prior.mean == pytest.approx(mean)
    assert prior.variance == pytest.approx(variance - mean)
    assert prior.shape == pytest.approx(mean**2 / (variance - mean))
    # no spread beyond chance: everyone gets the mean
    flat = fit_prior(np.array([1, 1, 1, 1]))
    assert flat.own_weight == 0 and list(posterior(np.array([1, 1, 1, 1]), flat)) == [1, 1, 1, 1]


def test_one_fatal_accident_does_not_outrank_thirty_injury_accidents(bron: pd.DataFrame) -> None:
    # the real Utrecht locations, plus two made-up places far from each other
    real = accidents("bron", bron[bron["gemeentecode_2024"] == "GM0344"])
    fatal, injury = near(*UTRECHT, 3000, 3000), near(*UTRECHT, -3000, -3000)
    extra = counted([("DOD", *fatal, 1), ("LET", *injury, 30)])
    ranked = hotspots(pd.concat([real, extra], ignore_index=True), weights=Weights(fatal=100, injury=3, material=1))
    one_fatal = ranked[(ranked["lon"] == fatal[0]) & (ranked["lat"] == fatal[1])].iloc[0]
    thirty = ranked[(ranked["lon"] == injury[0]) & (ranked["lat"] == injury[1])].iloc[0]
    assert one_fatal["gewogen_score"] > thirty["gewogen_score"]  # raw: 100 against 90
    assert one_fatal["rang"] > thirty["rang"]  # the risk score: the other way round
    assert thirty["rang"] <= 3


def test_shrinkage_toward_the_mean_grows_as_counts_fall(bron: pd.DataFrame) -> None:
    ranked = hotspots(accidents("bron", bron[bron["gemeentecode_2024"] == "GM0344"]))
    mean = ranked["gewogen_score"].mean()
    above = ranked[ranked["gewogen_score"] > 2 * mean].copy()
    # the share of the distance to the mean that shrinkage takes away, per location
    above["pulled"] = (above["gewogen_score"] - above["risicoscore"]) / (above["gewogen_score"] - mean)
    by_size = above.groupby(pd.qcut(above["ongevallen"], 3, duplicates="drop"), observed=True)["pulled"].mean()
    assert list(by_size) == sorted(by_size, reverse=True)  # fewer accidents: pulled harder
    assert (ranked["risicoscore"] > 0).all()


def test_ranks_run_per_gemeente_and_follow_the_risk_score(bron: pd.DataFrame) -> None:
    ranked = hotspots(accidents("bron", bron))
    for _code, part in ranked.groupby("gemeentecode"):
        assert list(part.sort_values("rang")["rang"]) == list(range(1, len(part) + 1))
        ordered = part.sort_values("rang")["risicoscore"].to_numpy()
        assert (np.diff(ordered) <= 1e-9).all()
    assert ranked["gemeentecode"].nunique() == bron["gemeentecode_2024"].nunique()
