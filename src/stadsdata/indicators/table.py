"""The indicator table in memory, one copy per table version: values, regions, profiles, peers.

``IndicatorTable.load`` reads one version of ``indicatoren`` through the engine once; every page
view after that filters Python lists (no query per view). Pure functions over that copy do the
comparisons: a region's profile (value, reference, rank among its peers) and the gemeenten most
like a gemeente.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from stadsdata.errors import NotFoundError
from stadsdata.indicators.model import (
    Direction,
    IndicatorDef,
    IndicatorValue,
    Level,
    Peer,
    ProfileRow,
    Region,
)

#: the indicators ``peers`` compares on (ids of shipped definitions) and how each is scaled
PEER_FEATURES = (("inwoners", "log10"), ("bevolkingsdichtheid", "log10"), ("stedelijkheid", "linear"))
LEVEL_ORDER = {Level.land: 0, Level.gemeente: 1, Level.wijk: 2, Level.buurt: 3}


@dataclass
class IndicatorTable:
    version: int
    rows: list[tuple[str, str, str, str, str | None, str | None, int, float | None, str]]
    by_indicator: dict[str, list[int]] = field(default_factory=dict)
    by_region: dict[str, list[int]] = field(default_factory=dict)
    by_key: dict[tuple[str, str, int], int] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)

    @classmethod
    def build(cls, version: int, rows: list[tuple]) -> IndicatorTable:  # type: ignore[type-arg]
        table = cls(version, rows)
        by_indicator: dict[str, list[int]] = defaultdict(list)
        by_region: dict[str, list[int]] = defaultdict(list)
        for i, (indicator, region, name, level, gemeente, wijk, period, _, _) in enumerate(rows):
            by_indicator[indicator].append(i)
            by_region[region].append(i)
            table.by_key[(indicator, region, period)] = i
            if region not in table.regions:
                table.regions[region] = Region(region, name, Level(level), gemeente, wijk)
        table.by_indicator, table.by_region = dict(by_indicator), dict(by_region)
        return table

    def value(self, i: int) -> IndicatorValue:
        indicator, region, name, level, _, _, period, value, source = self.rows[i]
        return IndicatorValue(indicator, region, name, Level(level), period, value, source)

    def get(self, indicator: str, region: str, period: int) -> IndicatorValue | None:
        i = self.by_key.get((indicator, region, period))
        return None if i is None else self.value(i)

    # -- reads -----------------------------------------------------------------------------
    def values(
        self,
        indicators: list[str] | None = None,
        regions: list[str] | None = None,
        periods: list[int] | None = None,
        level: Level | None = None,
        gemeente: str | None = None,
    ) -> list[IndicatorValue]:
        candidates: list[list[int]] = []
        if regions is not None:
            candidates.append(sorted(i for r in set(regions) for i in self.by_region.get(r, [])))
        if indicators is not None:
            candidates.append(sorted(i for d in set(indicators) for i in self.by_indicator.get(d, [])))
        chosen = min(candidates, key=len) if candidates else range(len(self.rows))
        wanted_ind = set(indicators) if indicators is not None else None
        wanted_reg = set(regions) if regions is not None else None
        wanted_per = set(periods) if periods is not None else None
        out = []
        for i in chosen:
            ind, reg, _, lev, gem, _, per, _, _ = self.rows[i]
            if wanted_ind is not None and ind not in wanted_ind:
                continue
            if wanted_reg is not None and reg not in wanted_reg:
                continue
            if wanted_per is not None and per not in wanted_per:
                continue
            if level is not None and lev != level.value:
                continue
            if gemeente is not None and gem != gemeente:
                continue
            out.append(self.value(i))
        return out

    def periods(self, indicator: str | None = None) -> list[int]:
        rows = self.by_indicator.get(indicator, []) if indicator is not None else range(len(self.rows))
        return sorted({self.rows[i][6] for i in rows if self.rows[i][7] is not None})

    def region_list(self, level: Level | None = None, gemeente: str | None = None) -> list[Region]:
        found = [
            r
            for r in self.regions.values()
            if (level is None or r.level == level) and (gemeente is None or r.gemeente == gemeente)
        ]
        return sorted(found, key=lambda r: (LEVEL_ORDER[r.level], r.code))

    def region(self, code: str) -> Region:
        try:
            return self.regions[code]
        except KeyError:
            raise NotFoundError(f"region {code!r} not found; expected a code with indicator values") from None

    # -- comparisons -------------------------------------------------------------------------
    def profile(self, definitions: list[IndicatorDef], code: str, period: int | None = None) -> list[ProfileRow]:
        region = self.region(code)
        if period is None:
            with_value = [self.rows[i][6] for i in self.by_region.get(code, []) if self.rows[i][7] is not None]
            if not with_value:
                raise NotFoundError(f"region {code!r} has no indicator values")
            period = max(with_value)
        reference = None
        if region.level in (Level.wijk, Level.buurt):
            reference = region.gemeente
        elif region.level == Level.gemeente:
            reference = "NL00"
        # the peers: regions of the same level (and gemeente below it) with a value in this period
        peers = {
            r.code
            for r in self.regions.values()
            if r.level == region.level
            and (region.level not in (Level.wijk, Level.buurt) or r.gemeente == region.gemeente)
        }
        out = []
        for definition in definitions:
            if region.level not in definition.levels:
                continue
            value = self.get(definition.id, code, period)
            ref = self.get(definition.id, reference, period) if reference else None
            scores = [
                self.rows[i][7]
                for i in self.by_indicator.get(definition.id, [])
                if self.rows[i][1] in peers and self.rows[i][6] == period and self.rows[i][7] is not None
            ]
            rank = None
            if value is not None and value.value is not None:
                v = value.value
                if definition.direction == Direction.lower_is_better:
                    rank = 1 + sum(1 for s in scores if s < v)  # type: ignore[operator]
                else:  # higher is better, and neutral: highest first
                    rank = 1 + sum(1 for s in scores if s > v)  # type: ignore[operator]
            out.append(ProfileRow(definition, value, ref, rank, len(scores)))
        return out

    def peers(self, code: str, n: int = 8) -> list[Peer]:
        """The ``n`` gemeenten nearest to ``code`` in the latest period in which it has all of
        ``PEER_FEATURES``: Euclidean distance over z-scores (each feature standardised over every
        gemeente with all three in that period; inhabitants and density as log10, because both
        are very skewed). Gemeenten missing a feature are left out."""
        region = self.region(code)
        if region.level != Level.gemeente:
            raise NotFoundError(f"region {code!r} is a {region.level.value}; peers are computed for gemeenten")

        def features(period: int) -> dict[str, list[float]]:
            table: dict[str, list[float]] = {}
            for r in self.regions.values():
                if r.level != Level.gemeente:
                    continue
                vector = []
                for indicator, scale in PEER_FEATURES:
                    v = self.get(indicator, r.code, period)
                    if v is None or v.value is None or (scale == "log10" and v.value <= 0):
                        break
                    vector.append(math.log10(v.value) if scale == "log10" else v.value)
                else:
                    table[r.code] = vector
            return table

        periods = sorted({self.rows[i][6] for i in self.by_region.get(code, [])}, reverse=True)
        for period in periods:
            table = features(period)
            if code in table and len(table) > 1:
                break
        else:
            raise NotFoundError(
                f"gemeente {code!r} has no period with "
                + ", ".join(f for f, _ in PEER_FEATURES)
                + "; expected values for all three"
            )
        columns = list(zip(*table.values(), strict=True))
        means = [sum(c) / len(c) for c in columns]
        sds = [math.sqrt(sum((x - m) ** 2 for x in c) / len(c)) or 1.0 for c, m in zip(columns, means, strict=True)]
        z = {k: [(x - m) / s for x, m, s in zip(v, means, sds, strict=True)] for k, v in table.items()}
        me = z[code]
        distances = sorted(
            (math.sqrt(sum((a - b) ** 2 for a, b in zip(me, v, strict=True))), k) for k, v in z.items() if k != code
        )
        return [Peer(self.regions[k], round(d, 4)) for d, k in distances[:n]]
