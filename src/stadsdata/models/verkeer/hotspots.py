"""Accident hotspots: locations, severity weights and an empirical-Bayes risk score.

**Locations.** BRON snaps every accident to a point of the national road network (NWB), so many
accidents share exact coordinates. Points are projected to RD New (EPSG:28992, metres) and joined
into locations: starting with the point with the most (weighted) accidents, every point not yet
taken within ``radius`` metres joins it; then the next heaviest free point, and so on. A location
is therefore at most ``2 * radius`` across (no chaining along a road, unlike single-linkage
clustering) and is named after, and drawn at, its heaviest point. ``radius`` 0 keeps every NWB
point on its own.

**Weights.** A location's weighted count is ``fatal * DOD + injury * LET + material * UMS``,
default 10 / 3 / 1 (``Weights``). Cost-based weights (the social cost of a fatal accident is
hundreds of times that of a material-damage one) would let a single, largely random, fatal
accident decide the ranking; 10 / 3 / 1 keeps the order of severity while the many injury and
damage accidents, which say more about the place than about chance, still count. Configurable.

**Risk score (empirical Bayes).** Per severity class, the number of accidents at location *i* is
taken as Poisson with a rate that varies between the gemeente's locations as a gamma
distribution. Its mean *m* and between-location variance are estimated from the gemeente's own
locations by the method of moments (shape ``a = m^2 / (s^2 - m)`` when the spread *s^2* exceeds
the mean; when it does not, the locations do not differ more than chance would make them, and all
get the mean). The posterior mean ``(a + n_i) / (a / m + 1)`` lies between the location's own
count and the gemeente's mean: the less evidence (a rarer class, fewer accidents), the closer to
the mean. The risk score is the weighted sum of these posterior means. So one fatal accident at an
otherwise quiet place does not outrank a place with thirty injury accidents, and a handful of
accidents no longer ranks high by chance. The locations used are those with at least one accident
(places without any are not in BRON); docs/traffic-risk.md names this limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from stadsdata.models.verkeer.accidents import SEVERITIES

_TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
COUNT = {"DOD": "dodelijk", "LET": "letsel", "UMS": "materieel"}  # severity -> column of the output


@dataclass(frozen=True)
class Weights:
    fatal: float = 10.0
    injury: float = 3.0
    material: float = 1.0

    def __post_init__(self) -> None:
        for name in ("fatal", "injury", "material"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"weight {name}: {value}; expected a number >= 0")

    def by_severity(self) -> dict[str, float]:
        return {"DOD": self.fatal, "LET": self.injury, "UMS": self.material}


@dataclass(frozen=True)
class Prior:
    """The gamma prior of one severity class in one gemeente (method of moments)."""

    mean: float
    variance: float  # between locations; 0: no spread beyond chance
    shape: float  # inf when variance is 0

    @property
    def own_weight(self) -> float:
        """The weight of a location's own count in its posterior mean (1: none shrunk, 0: all)."""
        if not np.isfinite(self.shape) or self.mean <= 0:
            return 0.0
        return 1.0 / (self.shape / self.mean + 1.0)


DEFAULT_WEIGHTS = Weights()


def to_rd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _TO_RD.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def cluster(x: np.ndarray, y: np.ndarray, weight: np.ndarray, radius: float) -> np.ndarray:
    """The index of each point's leader (the heaviest point of its location; module text)."""
    n = len(x)
    leader = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return leader
    order = np.lexsort((y, x, -np.asarray(weight, dtype=float)))  # heaviest first; ties by position
    if radius <= 0:
        leader[:] = np.arange(n)
        return leader
    tree = cKDTree(np.column_stack([x, y]))
    for i in order:
        if leader[i] >= 0:
            continue
        for j in tree.query_ball_point([x[i], y[i]], r=radius):
            if leader[j] < 0:
                leader[j] = i
    return leader


def fit_prior(counts: np.ndarray) -> Prior:
    counts = np.asarray(counts, dtype=float)
    mean = float(counts.mean()) if len(counts) else 0.0
    spread = float(counts.var(ddof=1)) if len(counts) > 1 else 0.0
    between = max(0.0, spread - mean)
    shape = mean * mean / between if between > 0 and mean > 0 else float("inf")
    return Prior(mean, between, shape)


def posterior(counts: np.ndarray, prior: Prior) -> np.ndarray:
    w = prior.own_weight
    return w * np.asarray(counts, dtype=float) + (1.0 - w) * prior.mean


def locations(accidents: pd.DataFrame, radius: float, weights: Weights) -> pd.DataFrame:
    """The locations of one or more gemeenten (clustered per gemeente) with their counts."""
    return located(accidents, radius, weights)[0]


def located(accidents: pd.DataFrame, radius: float, weights: Weights) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The locations, and the NWB points (gemeentecode, lon, lat) with their ``locatie_id``."""
    w = weights.by_severity()
    frame = accidents.copy()
    frame["gewicht"] = frame["ap3_code"].map(w) * frame["ongevallen"]
    points = frame.groupby(["gemeentecode", "lon", "lat"], sort=True).agg(gewicht=("gewicht", "sum")).reset_index()
    points["x"], points["y"] = to_rd(points["lon"].to_numpy(), points["lat"].to_numpy())
    points["leader"] = -1
    for _, part in points.groupby("gemeentecode", sort=True):
        leaders = cluster(part["x"].to_numpy(), part["y"].to_numpy(), part["gewicht"].to_numpy(), radius)
        points.loc[part.index, "leader"] = part.index.to_numpy()[leaders]
    lead = points.loc[points["leader"]].reset_index(drop=True)
    points["locatie_id"] = [
        f"{g}-{int(round(x))}-{int(round(y))}"
        for g, x, y in zip(lead["gemeentecode"], lead["x"], lead["y"], strict=True)
    ]
    points["loc_lon"], points["loc_lat"] = lead["lon"].to_numpy(), lead["lat"].to_numpy()
    points["rd_x"], points["rd_y"] = lead["x"].round().to_numpy(), lead["y"].round().to_numpy()
    frame = frame.merge(points[["gemeentecode", "lon", "lat", "locatie_id"]], on=["gemeentecode", "lon", "lat"])
    counts = frame.pivot_table(
        index="locatie_id", columns="ap3_code", values="ongevallen", aggfunc="sum", fill_value=0
    ).reindex(columns=list(SEVERITIES), fill_value=0)
    where = points.groupby("locatie_id").agg(
        gemeentecode=("gemeentecode", "first"),
        lon=("loc_lon", "first"),
        lat=("loc_lat", "first"),
        rd_x=("rd_x", "first"),
        rd_y=("rd_y", "first"),
        punten=("lon", "size"),
    )
    out = where.join(counts.rename(columns=COUNT)).reset_index()
    out["ongevallen"] = out[list(COUNT.values())].sum(axis=1)
    out["gewogen_score"] = sum(w[s] * out[COUNT[s]] for s in SEVERITIES)
    names = accidents.groupby("gemeentecode")["gemeentenaam"].first()
    out["gemeentenaam"] = out["gemeentecode"].map(names).fillna("")
    return out, points[["gemeentecode", "lon", "lat", "locatie_id"]]


def score(frame: pd.DataFrame, weights: Weights) -> tuple[pd.DataFrame, dict[str, dict[str, Prior]]]:
    """Adds ``risicoscore`` (empirical Bayes, per gemeente) and ``rang`` (1: highest risk) to the
    locations; returns the priors per gemeente and severity."""
    w = weights.by_severity()
    out = frame.copy()
    out["risicoscore"] = 0.0
    priors: dict[str, dict[str, Prior]] = {}
    for gemeente, part in out.groupby("gemeentecode", sort=True):
        priors[str(gemeente)] = {}
        total = np.zeros(len(part))
        for severity in SEVERITIES:
            prior = fit_prior(part[COUNT[severity]].to_numpy())
            priors[str(gemeente)][severity] = prior
            total += w[severity] * posterior(part[COUNT[severity]].to_numpy(), prior)
        out.loc[part.index, "risicoscore"] = total
    out["risicoscore"] = out["risicoscore"].round(4)
    out = out.sort_values(
        ["gemeentecode", "risicoscore", "gewogen_score", "locatie_id"], ascending=[True, False, False, True]
    )
    out["rang"] = out.groupby("gemeentecode").cumcount() + 1
    return out.reset_index(drop=True), priors


def hotspots(accidents: pd.DataFrame, *, radius: float = 25.0, weights: Weights = DEFAULT_WEIGHTS) -> pd.DataFrame:
    """Locations with counts by severity, the weighted count, the risk score and the rank per gemeente."""
    if radius < 0 or not np.isfinite(radius):
        raise ValueError(f"radius: {radius}; expected metres >= 0")
    scored, _ = score(locations(accidents, radius, weights), weights)
    return scored
