"""Analytic models of the platform. Each model reads catalogued datasets, writes its output as a
catalogued dataset with lineage and registers itself in the algorithm register with its model
card. The Wmo forecast per wijk: ``models.wmo`` (docs/wmo-forecast.md); the traffic-risk model:
``models.verkeer`` (docs/traffic-risk.md)."""

from __future__ import annotations

from dataclasses import dataclass

from stadsdata.models.verkeer.service import TrafficRisk
from stadsdata.models.wmo.service import WmoForecast


@dataclass(frozen=True)
class Models:
    """The models on the platform (``platform.models``)."""

    wmo: WmoForecast
    verkeer: TrafficRisk


__all__ = ["Models", "TrafficRisk", "WmoForecast"]
