"""The use-rate model: a Poisson GLM of Wmo clients per wijk with the population as exposure.

``log(clients) = log(inhabitants) + b0 + b1 x1 + ...``: each ``exp(b)`` is a rate ratio, the
factor by which the number of clients per inhabitant changes when a feature goes up by one unit
with the others unchanged. Wmo counts vary more than a Poisson count would (overdispersion), so
standard errors use the Pearson scale (quasi-Poisson); the point estimates are Poisson's, which
makes the fitted clients of the wijken add up to the observed total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from stadsdata.models.wmo.data import FEATURES

BASELINE_65 = ["pct_65plus"]  # the "share of 65+ alone" baseline


@dataclass(frozen=True)
class RateModel:
    features: list[str]
    params: pd.Series  # const and one per feature
    cov: pd.DataFrame  # scaled by ``scale``
    scale: float  # Pearson chi2 / df: the overdispersion
    n: int
    deviance_explained: float

    def rate(self, frame: pd.DataFrame) -> pd.Series:
        """Expected clients per inhabitant."""
        return pd.Series(np.exp(self._eta(frame, self.params.to_numpy())), index=frame.index)

    def _eta(self, frame: pd.DataFrame, params: np.ndarray) -> np.ndarray:
        x = np.column_stack([np.ones(len(frame)), frame[self.features].to_numpy(float)])
        return x @ params

    def draws(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Coefficient vectors drawn from the estimate's (scaled) normal distribution."""
        return rng.multivariate_normal(self.params.to_numpy(), self.cov.to_numpy(), size=n, method="svd")

    def rate_draws(self, frame: pd.DataFrame, params: np.ndarray) -> np.ndarray:
        """Rates per inhabitant for each coefficient draw: shape (draws, rows)."""
        x = np.column_stack([np.ones(len(frame)), frame[self.features].to_numpy(float)])
        return np.exp(params @ x.T)

    def rate_ratios(self) -> pd.DataFrame:
        """Per feature: rate ratio per unit with its 95% interval and p-value (quasi-Poisson)."""
        se = np.sqrt(np.diag(self.cov.to_numpy()))
        z = self.params.to_numpy() / se
        from scipy.stats import norm

        table = pd.DataFrame(
            {
                "coefficient": self.params.to_numpy(),
                "rate_ratio": np.exp(self.params.to_numpy()),
                "low95": np.exp(self.params.to_numpy() - 1.96 * se),
                "high95": np.exp(self.params.to_numpy() + 1.96 * se),
                "p_value": 2 * norm.sf(np.abs(z)),
            },
            index=self.params.index,
        )
        return table.drop(index="const")


def fit(frame: pd.DataFrame, features: list[str] | None = None) -> RateModel:
    """Fits the GLM on wijken with ``wmo`` clients and ``population``."""
    features = list(features if features is not None else FEATURES)
    x = sm.add_constant(frame[features].to_numpy(float), has_constant="add")
    y = frame["wmo"].to_numpy(float)
    model = sm.GLM(y, x, family=sm.families.Poisson(), exposure=frame["population"].to_numpy(float))
    result = model.fit(scale="X2")
    names = ["const", *features]
    null = sm.GLM(y, np.ones((len(y), 1)), family=sm.families.Poisson(), exposure=frame["population"].to_numpy(float))
    null_deviance = null.fit().deviance
    return RateModel(
        features=features,
        params=pd.Series(result.params, index=names),
        cov=pd.DataFrame(result.cov_params(), index=names, columns=names),
        scale=float(result.scale),
        n=len(y),
        deviance_explained=float(1 - result.deviance / null_deviance) if null_deviance else 0.0,
    )


def count_draws(mean: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    """Counts around ``mean`` with variance ``scale * mean`` (quasi-Poisson): a gamma-Poisson
    (negative binomial) draw when overdispersed, a Poisson draw otherwise."""
    mean = np.clip(mean, 1e-9, None)
    if scale <= 1.0001:
        return rng.poisson(mean).astype(float)
    shape = mean / (scale - 1)  # gamma shape k; variance of the mix: mean + mean^2/k = scale * mean
    return rng.poisson(rng.gamma(shape, mean / shape)).astype(float)
