"""What the indicator area hands to its callers (web, CLI, models): the shapes of definitions,
regions, values, profiles and comparisons.

This module is the contract between the indicator area (``indicators/``, on the platform as
``platform.indicators``, an ``IndicatorService``) and the portal, API and command line. It holds
no logic beyond small helpers on the data.

Definitions are files (``<id>.yaml``), shipped in ``demo/indicators/`` next to ``demo/contracts/``
and, for a city's own, in ``<home>/indicators/``: adding an indicator needs a file, not code.
``themes.yaml`` in the same folders holds the themes, products and monitors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    land = "land"
    gemeente = "gemeente"
    wijk = "wijk"
    buurt = "buurt"


class Direction(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"
    neutral = "neutral"


@dataclass(frozen=True)
class Text:
    """A text in Dutch and (where given) English; ``get(lang)`` falls back to Dutch."""

    nl: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.nl


@dataclass(frozen=True)
class IndicatorDef:
    id: str  # lower_snake_case, unique
    title: Text
    description: Text
    theme: str  # a Theme.id
    unit: Text  # "per 1.000 inwoners", "%", "x 1.000 euro", "km"
    levels: tuple[Level, ...]  # the levels it applies to
    direction: Direction
    expression: str  # SQL expression over CBS base column names (the OData name without _NN)
    requires: tuple[str, ...]  # the base column names the expression uses
    notes: Text | None = None  # how to read it (interpretation, caveats)
    decimals: int = 1


@dataclass(frozen=True)
class Theme:
    id: str
    title: Text
    description: Text
    indicators: tuple[str, ...]  # IndicatorDef ids, in display order


@dataclass(frozen=True)
class Product:
    """A page that combines indicators of several themes for one purpose (e.g. Sociaal domein)."""

    id: str
    title: Text
    description: Text
    indicators: tuple[str, ...]


@dataclass(frozen=True)
class Monitor:
    """A detailed page for one field at one level of one gemeente (e.g. the Wmo monitor per wijk)."""

    id: str
    title: Text
    description: Text
    indicators: tuple[str, ...]
    level: Level  # the level the monitor shows (wijk)
    gemeente: str  # the gemeente code whose regions it shows (GM0518)


@dataclass(frozen=True)
class Region:
    code: str  # NL00, GM0518, WK051801, BU05180101
    name: str
    level: Level
    gemeente: str | None  # the gemeente code of a wijk or buurt (its own code for a gemeente)
    wijk: str | None = None  # the wijk code of a buurt


@dataclass(frozen=True)
class IndicatorValue:
    indicator: str
    region: str
    region_name: str
    level: Level
    period: int  # the year
    value: float | None  # None: CBS kept the figure secret (or it is unreliable): shown as "geheim"
    source: str  # "dataset_id@version" the value came from

    @property
    def secret(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class ProfileRow:
    """One indicator in a region's profile."""

    indicator: IndicatorDef
    value: IndicatorValue | None  # None: not available for this region and period (never "0")
    reference: IndicatorValue | None  # the gemeente's value for a wijk or buurt; Nederland's for a gemeente
    rank: int | None  # 1 = best (by direction; for neutral: highest) among ``peers_of``
    peers_of: int  # how many regions of the same level (and gemeente, for wijk and buurt) have a value


@dataclass(frozen=True)
class Peer:
    region: Region
    distance: float  # 0 = identical on inhabitants, density and urbanity (standardised)


@dataclass(frozen=True)
class ComputeReport:
    dataset_id: str  # the indicator table's dataset ("indicatoren")
    version: int  # its new version (or the current one when nothing changed)
    changed: bool
    indicators: int  # definitions computed
    values: int  # rows written
    secret: int  # of which value None
    regions: int
    periods: tuple[int, ...]
    sources: tuple[str, ...]  # "dataset_id@version", recorded as lineage
    skipped: dict[str, str] = field(default_factory=dict)  # "indicator/dataset" -> why not computed there
