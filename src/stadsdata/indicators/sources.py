"""Which catalogue datasets feed the indicators, and how a definition binds to their columns.

A dataset is a *value source* when it is openbaar (the indicator table is openbaar, so nothing
else may go into it), has a version, a region code column (``WijkenEnBuurten``,
``codering_regio`` or ``Codering_3``, in that order of preference) and a period: a year column
(``interval``, ``jaar``, ``perioden``) or a contract whose temporal coverage is one calendar
year. A definition binds to a value source when every column it uses matches a column of the
source after ``base_name`` (drop ``_NN``, lower case, no underscores) and its ``sources`` /
``exclude_sources`` patterns allow the dataset.

A dataset is a *boundary source* when it is openbaar, has a geometry column and a code column
``buurtcode``, ``wijkcode`` or ``statcode`` (the most specific one present decides its level)
with a name column (``buurtnaam``; ``wijknaam_kort``, else ``wijknaam``; ``statnaam``).
"""

from __future__ import annotations

from dataclasses import dataclass

from stadsdata.indicators.definitions import Binding, base_name
from stadsdata.indicators.model import IndicatorDef, Level
from stadsdata.metastore.records import DatasetRecord

INDICATOR_DATASET = "indicatoren"
CODE_COLUMNS = ("wijkenenbuurten", "coderingregio", "codering")
PERIOD_COLUMNS = ("interval", "jaar", "perioden", "periode")
NAME_COLUMNS = ("gemeentenaam",)
BOUNDARY_COLUMNS = (  # (level, code column, name columns in order of preference)
    (Level.buurt, "buurtcode", ("buurtnaam",)),
    (Level.wijk, "wijkcode", ("wijknaamkort", "wijknaam")),
    (Level.gemeente, "statcode", ("statnaam", "gemeentenaam")),
)


@dataclass(frozen=True)
class ValueSource:
    dataset_id: str
    version: int
    code: str  # the region code column
    period_column: str | None  # a year column, or
    period: int | None  # the contract's single year
    columns: dict[str, str]  # base name -> column
    name: str | None  # the gemeente name column (used on gemeente rows)

    @property
    def label(self) -> str:
        return f"{self.dataset_id}@{self.version}"

    def binds(self, definition: IndicatorDef, binding: Binding) -> tuple[bool, str]:
        """Whether the definition can be computed from this source, and why not."""
        if not binding.allows(self.dataset_id):
            return False, "not among the definition's sources"
        missing = [c for c in definition.requires if base_name(c) not in self.columns]
        if missing:
            return False, "no column " + ", ".join(missing)
        return True, ""


@dataclass(frozen=True)
class BoundarySource:
    dataset_id: str
    version: int
    level: Level
    code: str
    name: str
    geometry: str

    @property
    def label(self) -> str:
        return f"{self.dataset_id}@{self.version}"


def _columns(record: DatasetRecord) -> dict[str, str]:
    """Base name -> column name (the first column of each base name wins)."""
    found: dict[str, str] = {}
    for column in record.contract.get("columns", []):
        found.setdefault(base_name(column["name"]), column["name"])
    return found


def _single_year(record: DatasetRecord) -> int | None:
    coverage = record.contract.get("temporal_coverage") or {}
    start, end = str(coverage.get("start") or ""), str(coverage.get("end") or "")
    if len(start) >= 4 and start[:4] == end[:4] and start[:4].isdigit():
        return int(start[:4])
    return None


def value_source(record: DatasetRecord) -> ValueSource | None:
    if record.id == INDICATOR_DATASET or record.classification != "openbaar" or record.current_version is None:
        return None
    columns = _columns(record)
    code = next((columns[c] for c in CODE_COLUMNS if c in columns), None)
    if code is None:
        return None
    types = {c["name"]: c["type"] for c in record.contract.get("columns", [])}
    period_column = next(
        (columns[c] for c in PERIOD_COLUMNS if c in columns and types.get(columns[c]) in ("integer", "string")), None
    )
    period = None if period_column else _single_year(record)
    if period_column is None and period is None:
        return None
    name = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    return ValueSource(record.id, record.current_version, code, period_column, period, columns, name)


def boundary_source(record: DatasetRecord) -> BoundarySource | None:
    if record.id == INDICATOR_DATASET or record.classification != "openbaar" or record.current_version is None:
        return None
    geometry = next((c["name"] for c in record.contract.get("columns", []) if c["type"] == "geometry"), None)
    if geometry is None:
        return None
    columns = _columns(record)
    for level, code, names in BOUNDARY_COLUMNS:
        name = next((columns[n] for n in names if n in columns), None)
        if code in columns and name:
            return BoundarySource(record.id, record.current_version, level, columns[code], name, geometry)
    return None


def order_sources(sources: list[ValueSource], bound: dict[str, int]) -> list[ValueSource]:
    """Precedence where two sources give the same indicator, region and period: the source that
    can compute more of the definitions first (the more complete KWB file), then by dataset id.
    (A value beats a NULL whatever the order: see ``compute.build_sql``.)"""
    return sorted(sources, key=lambda s: (-bound.get(s.dataset_id, 0), s.dataset_id))
