"""Matching accident risk with residents' perception: reports of an unsafe traffic situation.

A reports dataset (the Signalen contract: ``lon``, ``lat``, ``subcategorie``, optionally
``created_at``) gives the reports whose subcategory is "Onveilige verkeerssituatie". Per hotspot
location, the model counts the reports within ``distance`` metres (in RD New). A gemeente is
matched only when at least one such report lies within that distance of one of its locations:
otherwise accidents and reports do not cover the same place and nothing is combined (the shipped
demo data: Utrecht 2015-2018 against Assen 2025-2026).

**Priority.** Within a matched gemeente every location gets two ranks: by risk score (1: highest)
and by the number of reports (1: most; equal counts share the average rank). Risk is "high" for
the top ``high_share`` (default a fifth) of the gemeente's locations, perception is "high" from
``min_reports`` reports (default 2). The priority list puts first the locations where both are
high, then those with only high risk, then only many reports, then the rest; within each group
the lower product of the two ranks (the rank product) comes first. A report near two locations
counts at both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from stadsdata.errors import ModelError
from stadsdata.models.verkeer.hotspots import to_rd

UNSAFE = "Onveilige verkeerssituatie"
NEEDED = {
    "lon": "longitude (WGS84)",
    "lat": "latitude (WGS84)",
    "subcategorie": f"the report's subcategory, e.g. {UNSAFE!r}",
}
QUADRANTS = ("beide hoog", "alleen risico hoog", "alleen meldingen hoog", "geen van beide")


@dataclass(frozen=True)
class Settings:
    distance: float = 50.0  # metres
    min_reports: int = 2
    high_share: float = 0.2

    def __post_init__(self) -> None:
        if not math.isfinite(self.distance) or self.distance <= 0:
            raise ValueError(f"distance: {self.distance}; expected metres > 0")
        if self.min_reports < 1:
            raise ValueError(f"min_reports: {self.min_reports}; expected 1 or more")
        if not 0 < self.high_share <= 1:
            raise ValueError(f"high_share: {self.high_share}; expected a share above 0 and at most 1")


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Match:
    """The result: ``priorities`` (empty when nothing overlaps) and why, in ``note``."""

    priorities: pd.DataFrame
    reports: int  # unsafe-traffic reports read
    matched_reports: int  # of those, within the distance of some location
    gemeenten: list[str]  # the matched gemeenten
    accident_years: tuple[int, int] | None
    report_years: tuple[int, int] | None

    @property
    def overlaps(self) -> bool:
        return bool(self.gemeenten)

    @property
    def times_overlap(self) -> bool:
        if self.accident_years is None or self.report_years is None:
            return False
        return self.report_years[0] <= self.accident_years[1] and self.accident_years[0] <= self.report_years[1]


def unsafe_reports(dataset: str, table: pd.DataFrame) -> pd.DataFrame:
    """The reports of an unsafe traffic situation with their coordinates (and year, when known)."""
    missing = [c for c in NEEDED if c not in table.columns]
    if missing:
        raise ModelError(
            f"{dataset}: no column {missing[0]!r} ({NEEDED[missing[0]]}); expected a reports dataset with the "
            "columns lon, lat and subcategorie (the Signalen contract, like meldingen_assen_signalen_2026)"
        )
    frame = table.reset_index(drop=True)
    chosen = frame[frame["subcategorie"].astype("string").str.strip() == UNSAFE]
    out = pd.DataFrame(index=chosen.index)
    for column in ("lon", "lat"):
        values = pd.to_numeric(chosen[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.astype(float))
        if bad.any():
            row = int(bad[bad].index[0])
            raise ModelError(
                f"{dataset}: row {row + 1}, column {column}: {frame[column].iloc[row]!r}; expected a coordinate "
                f"in WGS84 degrees (a report of {UNSAFE!r} needs its place)"
            )
        out[column] = values.astype(float)
    if "created_at" in chosen.columns:
        out["jaar"] = pd.to_datetime(chosen["created_at"], errors="coerce", utc=True).dt.year
    return out.reset_index(drop=True)


def _span(values: pd.Series) -> tuple[int, int] | None:
    values = values.dropna()
    return (int(values.min()), int(values.max())) if len(values) else None


def match(hotspots: pd.DataFrame, reports: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS) -> Match:
    """Count reports near each location and order the matched gemeenten' locations by priority."""
    years = None
    if "jaar_van" in hotspots.columns and len(hotspots):
        years = (int(hotspots["jaar_van"].min()), int(hotspots["jaar_tot"].max()))
    report_years = _span(reports["jaar"]) if "jaar" in reports.columns else None
    empty = pd.DataFrame()
    if reports.empty or hotspots.empty:
        return Match(empty, len(reports), 0, [], years, report_years)
    rx, ry = to_rd(reports["lon"].to_numpy(), reports["lat"].to_numpy())
    tree = cKDTree(np.column_stack([rx, ry]))
    near = tree.query_ball_point(np.column_stack([hotspots["rd_x"], hotspots["rd_y"]]), r=settings.distance)
    frame = hotspots.copy()
    frame["meldingen"] = [len(found) for found in near]
    matched_reports = len({i for found in near for i in found})
    gemeenten = sorted(str(g) for g in frame.loc[frame["meldingen"] > 0, "gemeentecode"].unique())
    if not gemeenten:
        return Match(empty, len(reports), 0, [], years, report_years)
    parts = []
    for code in gemeenten:
        part = frame[frame["gemeentecode"] == code].copy()
        part["risico_rang"] = part["risicoscore"].rank(ascending=False, method="min").astype(int)
        part["meldingen_rang"] = part["meldingen"].rank(ascending=False, method="average")
        cut = max(1, math.ceil(settings.high_share * len(part)))
        risk_high = part["risico_rang"] <= cut
        reports_high = part["meldingen"] >= settings.min_reports
        part["kwadrant"] = np.select(
            [risk_high & reports_high, risk_high, reports_high], list(QUADRANTS[:3]), default=QUADRANTS[3]
        )
        part["rangproduct"] = (part["risico_rang"] * part["meldingen_rang"]).round(2)
        part["_order"] = part["kwadrant"].map({q: i for i, q in enumerate(QUADRANTS)})
        part = part.sort_values(["_order", "rangproduct", "risico_rang", "locatie_id"]).drop(columns="_order")
        part["prioriteit"] = range(1, len(part) + 1)
        parts.append(part)
    priorities = pd.concat(parts, ignore_index=True)
    priorities["afstand_m"] = settings.distance
    return Match(priorities, len(reports), matched_reports, gemeenten, years, report_years)
