"""The traffic-risk model on the platform: reads an accidents dataset from the catalogue, writes
``verkeer_hotspots`` (every gemeente in it), registers the model card; ``match`` reads a reports
dataset as well and writes ``verkeer_prioriteiten`` when accidents and reports share a place.

Writes ask the policy for ``ingest`` on the output dataset; reading a dataset that is not openbaar
needs its rows (``CatalogAccess.rows``). The outputs are computed again from the catalogued data
each time: deterministic, so the same data and settings give the same file, and an unchanged file
makes no new version. The version is the model's version plus a fingerprint of input and settings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from stadsdata.core.access import Actor
from stadsdata.errors import ModelError, NotFoundError
from stadsdata.models.service import ModelService
from stadsdata.models.verkeer import accidents as accident_rows
from stadsdata.models.verkeer.card import model_card
from stadsdata.models.verkeer.contract import HOTSPOTS, ORIGIN, PRIORITIES, hotspots_contract, priorities_contract
from stadsdata.models.verkeer.evaluate import Backtest, backtest
from stadsdata.models.verkeer.hotspots import DEFAULT_WEIGHTS, Weights, hotspots
from stadsdata.models.verkeer.matching import DEFAULT_SETTINGS, Match, Settings, match, unsafe_reports
from stadsdata.register import AlgorithmEntry

MODEL_VERSION = "1.0"
ACCIDENTS = "bron_ongevallen_utrecht_2015_2018"
DEFAULT_GEMEENTE = "GM0344"  # Utrecht
RADIUS = 25.0


@dataclass(frozen=True)
class Hotspots:
    source: str
    frame: pd.DataFrame  # every location of every gemeente, ranked per gemeente
    years: tuple[int, int]
    radius: float
    weights: Weights
    version: str
    accidents: pd.DataFrame  # the accidents counted from the party rows (for the backtest)

    def gemeenten(self) -> dict[str, str]:
        """code -> name, by code."""
        pairs = self.frame[["gemeentecode", "gemeentenaam"]].drop_duplicates("gemeentecode")
        return dict(sorted(zip(pairs["gemeentecode"], pairs["gemeentenaam"], strict=True)))

    def of(self, gemeente: str) -> pd.DataFrame:
        """The ranked locations of one gemeente; an unknown code is one clear line."""
        code = gemeente.strip().upper()
        part = self.frame[self.frame["gemeentecode"] == code]
        if part.empty:
            known = self.gemeenten()
            largest = self.frame["gemeentecode"].value_counts().index[:3]  # the gemeenten with most locations
            listed = ", ".join(f"{c} ({known[c]})" for c in largest)
            raise NotFoundError(
                f"gemeente {gemeente[:20]!r}: no accidents in {self.source}; expected one of its {len(known)} "
                f"gemeente codes, e.g. {listed}"
            )
        return part.sort_values("rang").reset_index(drop=True)


@dataclass(frozen=True)
class Published:
    hotspots: Hotspots
    version: int  # the platform version of verkeer_hotspots
    new: bool
    backtest: Backtest | None = None
    entry: AlgorithmEntry | None = None


@dataclass(frozen=True)
class Matched:
    match: Match
    accidents: str
    reports: str
    version: int | None = None  # of verkeer_prioriteiten, when something was matched and published
    new: bool = False


def _fingerprint(parts: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return f"{MODEL_VERSION}+{digest[:10]}"


class TrafficRisk(ModelService):
    label = "traffic-risk model"
    purpose = "traffic risk"
    origin = ORIGIN
    model_version = MODEL_VERSION

    def compute(
        self,
        source: str = ACCIDENTS,
        *,
        radius: float = RADIUS,
        weights: Weights = DEFAULT_WEIGHTS,
        actor: Actor | None = None,
    ) -> Hotspots:
        counted = accident_rows.accidents(source, self.table(source, actor))
        if counted.empty:
            raise ModelError(f"{source}: no accidents; expected party rows with coordinates")
        frame = hotspots(counted, radius=radius, weights=weights)
        years = (int(counted["jaar_vkl"].min()), int(counted["jaar_vkl"].max()))
        version = _fingerprint(
            {"model": MODEL_VERSION, source: self.content(source), "radius": radius, "weights": weights.__dict__}
        )
        return Hotspots(source, frame, years, radius, weights, version, counted)

    def evaluate(
        self,
        source: str = ACCIDENTS,
        *,
        radius: float = RADIUS,
        weights: Weights = DEFAULT_WEIGHTS,
        actor: Actor | None = None,
    ) -> Backtest | None:
        counted = accident_rows.accidents(source, self.table(source, actor))
        return backtest(counted, radius=radius, weights=weights)

    # -- writing -----------------------------------------------------------------------------
    def _hotspot_rows(self, result: Hotspots) -> pd.DataFrame:
        f = result.frame
        return pd.DataFrame(
            {
                "locatie_id": f["locatie_id"],
                "gemeentecode": f["gemeentecode"],
                "gemeentenaam": f["gemeentenaam"],
                "lon": f["lon"].round(5),
                "lat": f["lat"].round(5),
                "rd_x": f["rd_x"].astype("int64"),
                "rd_y": f["rd_y"].astype("int64"),
                "punten": f["punten"].astype("int64"),
                "ongevallen": f["ongevallen"].astype("int64"),
                "dodelijk": f["dodelijk"].astype("int64"),
                "letsel": f["letsel"].astype("int64"),
                "materieel": f["materieel"].astype("int64"),
                "gewogen_score": f["gewogen_score"].round(4),
                "risicoscore": f["risicoscore"].round(4),
                "rang": f["rang"].astype("int64"),
                "jaar_van": result.years[0],
                "jaar_tot": result.years[1],
                "straal_m": result.radius,
                "modelversie": result.version,
            }
        )

    def publish(self, result: Hotspots, actor: Actor | None = None, *, asked: bool = False) -> Published:
        contract = hotspots_contract(result.source, result.years, len(result.gemeenten()))
        if not asked:
            self.ask(actor, HOTSPOTS, contract)
        version, new = self.write(HOTSPOTS, contract, self._hotspot_rows(result), [result.source])
        return Published(result, version, new)

    def run(
        self,
        source: str = ACCIDENTS,
        *,
        radius: float = RADIUS,
        weights: Weights = DEFAULT_WEIGHTS,
        actor: Actor | None = None,
        by: str = "system",
        gemeente: str | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> Published:
        """Compute the hotspots, measure the backtest, publish ``verkeer_hotspots`` and register the
        model card. ``gemeente``: refuse before writing anything when it has no accidents.
        ``on_step`` hears each step's name before it starts (for progress bars)."""
        step = on_step or (lambda name: None)
        step(f"read {source} and compute the hotspots")
        result = self.compute(source, radius=radius, weights=weights, actor=actor)
        if gemeente is not None:
            result.of(gemeente)
        self.ask(actor, HOTSPOTS, hotspots_contract(result.source, result.years, len(result.gemeenten())))
        step("backtest (first half of the years against the second)")
        measured = backtest(result.accidents, radius=radius, weights=weights)
        step(f"publish {HOTSPOTS}")
        published = self.publish(result, actor, asked=True)
        step("register the model card")
        entry = self.algorithms.register_model(model_card(result, measured, [source, HOTSPOTS]), by=by)
        return Published(result, published.version, published.new, measured, entry)

    def match(
        self,
        accidents: str = ACCIDENTS,
        reports: str = "meldingen_assen_signalen_2026",
        *,
        settings: Settings = DEFAULT_SETTINGS,
        radius: float = RADIUS,
        weights: Weights = DEFAULT_WEIGHTS,
        actor: Actor | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> Matched:
        """Count the unsafe-traffic reports near each accident location; publish
        ``verkeer_prioriteiten`` only when some gemeente has both (else ``Matched.match.overlaps``
        is False and nothing is written)."""
        step = on_step or (lambda name: None)
        step(f"read {reports}")
        unsafe = unsafe_reports(reports, self.table(reports, actor))
        step(f"compute the hotspots of {accidents}")
        result = self.compute(accidents, radius=radius, weights=weights, actor=actor)
        frame = result.frame.assign(jaar_van=result.years[0], jaar_tot=result.years[1])
        step("match reports and locations")
        found = match(frame, unsafe, settings)
        if not found.overlaps:
            return Matched(found, accidents, reports)
        contract = priorities_contract(accidents, reports, found.gemeenten)
        self.ask(actor, PRIORITIES, contract)
        step(f"publish {PRIORITIES}")
        version = _fingerprint({"hotspots": result.version, reports: self.content(reports), **settings.__dict__})
        p = found.priorities
        rows = pd.DataFrame(
            {
                "locatie_id": p["locatie_id"],
                "gemeentecode": p["gemeentecode"],
                "gemeentenaam": p["gemeentenaam"],
                "lon": p["lon"].round(5),
                "lat": p["lat"].round(5),
                "risicoscore": p["risicoscore"].round(4),
                "risico_rang": p["risico_rang"].astype("int64"),
                "meldingen": p["meldingen"].astype("int64"),
                "meldingen_rang": p["meldingen_rang"],
                "rangproduct": p["rangproduct"],
                "kwadrant": p["kwadrant"],
                "prioriteit": p["prioriteit"].astype("int64"),
                "afstand_m": settings.distance,
                "modelversie": version,
            }
        )
        number, new = self.write(PRIORITIES, contract, rows, [accidents, reports])
        return Matched(found, accidents, reports, number, new)
