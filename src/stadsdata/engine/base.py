"""The engine interface and the plain types that cross it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from stadsdata.core.contract import ColumnType

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class CsvDialect:
    delimiter: str
    decimal: str = "."
    encoding: str = "utf-8"
    quote: str = '"'
    null_markers: tuple[str, ...] = ("", ".")

    @property
    def label(self) -> str:
        names = {";": "semicolon", ",": "comma", "\t": "tab"}
        return f"{names.get(self.delimiter, repr(self.delimiter))}-separated, decimal {self.decimal!r}, {self.encoding}"


@dataclass(frozen=True)
class FieldSpec:
    """One column of the staged table: its contract name and type, and where it comes from.

    ``source`` is the column's name in the delivered file, or None when the file lacks the
    column and it is filled with nulls.
    """

    name: str
    type: ColumnType
    source: str | None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a delivery. ``row`` is the 1-based data row (the header is not counted)."""

    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class ProfileColumn:
    """A column to profile. With ``values_hidden`` (personal data) only its empties and distinct
    count are computed: no minimum, maximum, mean, histogram or top values."""

    name: str
    type: ColumnType
    values_hidden: bool = False


@dataclass
class StageResult:
    row_count: int
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class TableRef:
    """A table as files: the Parquet files of one version of a dataset, and its column types."""

    files: tuple[str, ...]
    columns: tuple[tuple[str, ColumnType], ...]


@dataclass
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]

    def to_arrow(self) -> pa.Table:
        import pyarrow as pa

        return pa.table({c: [r[i] for r in self.rows] for i, c in enumerate(self.columns)})


# -- serving rows (the open-data API) ----------------------------------------------------------
class FilterOp(StrEnum):
    """The operators of the rows API (``col__gt=5``); values are already typed per the column."""

    exact = "exact"
    gt = "gt"
    gte = "gte"
    lt = "lt"
    lte = "lte"
    in_ = "in"
    contains = "contains"  # text columns: case-insensitive substring
    isnull = "isnull"  # value True (is null) or False (is not null)


@dataclass(frozen=True)
class Condition:
    """One filter. ``value`` is a Python value of the column's type (a tuple of them for ``in``)."""

    column: str
    op: FilterOp
    value: Any


@dataclass(frozen=True)
class SortKey:
    column: str
    descending: bool = False
    nullable: bool = True  # False lets the engine leave out the null branch of a keyset condition


#: The hidden position column of datasets without a key: rows are ordered by file, then row in file.
ROW_POSITION = "__row"


@dataclass(frozen=True)
class ServedTable:
    """One immutable version of a dataset as the engine serves it to the rows API.

    ``key`` names the version for the engine's caches (it never changes meaning); ``order`` is the
    default order of its rows (the contract key, or ``ROW_POSITION`` without a key). ``cache_dir``,
    when given, is where the engine may keep a serving copy of a large version (rebuildable).
    """

    key: str
    ref: TableRef
    rows: int
    order: tuple[str, ...]
    cache_dir: Path | None = None


@dataclass(frozen=True)
class RowsQuery:
    """Which rows of a served table, in what order. ``after`` holds the values of ``order``'s
    columns of the last row already seen (keyset pagination); the order always ends with columns
    that make it total (the key), so a position is never ambiguous. Nulls sort last."""

    columns: tuple[str, ...]
    conditions: tuple[Condition, ...] = ()
    order: tuple[SortKey, ...] = ()
    after: tuple[Any, ...] | None = None
    limit: int | None = None
    offset: int = 0


@dataclass(frozen=True)
class JsonPage:
    """A page of rows, each a JSON object text; ``last`` holds the order values of the last row."""

    rows: list[str]
    last: tuple[Any, ...] | None
    more: bool


# -- workspaces (issue #4) ---------------------------------------------------------------------
#: The transforms a workspace column can get; ``stadsdata.privacy.pseudonyms`` derives them from
#: the contract and implements the same rules in Python (a test pins that both agree).
WORKSPACE_TRANSFORMS = ("keep", "pseudonymise", "generalise:year", "generalise:pc4", "generalise:age_band5")


@dataclass(frozen=True)
class WorkspaceColumn:
    """One column of a workspace table: its contract name and stored type, and its transform
    (one of ``WORKSPACE_TRANSFORMS``). The workspace column's type follows from the transform:
    a pseudonym and the ``pc4`` and ``age_band5`` rules give text, ``year`` a whole number."""

    name: str
    type: ColumnType
    transform: str


@dataclass(frozen=True)
class WorkspaceTable:
    """One table of a workspace: its name there, the Parquet files of the dataset version it is
    built from, and only the approved columns."""

    name: str
    files: list[str]
    columns: list[WorkspaceColumn]


class Engine(ABC):
    """What the areas need from a query engine."""

    name: str

    @abstractmethod
    def stage_csv(
        self, source: Path, dialect: CsvDialect, header: list[str], fields: list[FieldSpec], dest: Path
    ) -> StageResult:
        """Parse a CSV file into a typed Parquet file ``dest``; rows that break a type are problems."""

    @abstractmethod
    def stage_arrow(self, data: pa.Table, fields: list[FieldSpec], dest: Path) -> StageResult:
        """Cast an Arrow table (as read from XLSX, JSON or GeoJSON) to the contract's types into ``dest``."""

    @abstractmethod
    def stage_parquet(self, source: Path, fields: list[FieldSpec], dest: Path) -> StageResult:
        """Cast a delivered Parquet file to the contract's types into ``dest``."""

    @abstractmethod
    def parquet_columns(self, source: Path) -> list[str]:
        """Column names of a Parquet file (raises a clear error when it is not Parquet)."""

    @abstractmethod
    def check_rules(
        self, staged: Path, rules: list[Any], references: dict[str, list[str]] | None = None
    ) -> list[dict[str, Any]]:
        """Evaluate the contract's row-level quality rules on a staged file: per rule its label,
        severity, rows checked, failing count, pass/fail, a detail line and a few failing examples
        (raw values). ``references`` maps a dataset id to the Parquet files of its current version,
        for ``reference`` rules."""

    @abstractmethod
    def profile(self, files: list[Path], columns: list[ProfileColumn]) -> dict[str, Any]:
        """A column profile of the rows in ``files`` (Parquet), computed in a few scans: the row
        count and, per column, empties, distinct count, and by type min, max, mean, a histogram or
        the top values. JSON-safe; the format is documented in docs/quality.md."""

    @abstractmethod
    def first_null(self, staged: Path, columns: list[str]) -> Problem | None:
        """The first row with an empty value in one of ``columns``."""

    @abstractmethod
    def first_duplicate_key(self, staged: Path, key: list[str]) -> Problem | None:
        """The first key value that occurs more than once."""

    @abstractmethod
    def first_existing_key(self, staged: Path, key: list[str], existing: list[str]) -> Problem | None:
        """The first key value of ``staged`` that the ``existing`` files already hold (append mode)."""

    @abstractmethod
    def infer_type(self, staged: Path, column: str) -> ColumnType:
        """The narrowest contract type that every value of a text column fits (for schema evolution)."""

    @abstractmethod
    def recast(self, staged: Path, types: dict[str, ColumnType]) -> None:
        """Rewrite ``staged`` in place with the given columns cast to new types."""

    @abstractmethod
    def query(self, sql: str, tables: dict[str, TableRef], *, limit: int | None = None) -> QueryResult:
        """Run one read-only SELECT over the named tables."""

    def query_to_parquet(self, sql: str, tables: dict[str, TableRef], dest: Path) -> int:
        """Run one read-only SELECT over the named tables and write its rows to the Parquet file
        ``dest`` (for large derived tables, e.g. the indicators); returns the number of rows.
        This default goes through ``query``; an engine overrides it to write without Python rows."""
        import pyarrow.parquet as pq

        table = self.query(sql, tables).to_arrow()
        pq.write_table(table, dest)
        return table.num_rows

    # -- workspaces --------------------------------------------------------------------------
    @abstractmethod
    def build_workspace(self, path: Path, tables: list[WorkspaceTable], key: bytes) -> list[dict[str, Any]]:
        """Create a NEW database file ``path`` with one table per ``WorkspaceTable``: only its
        columns, each transformed in the engine (pseudonyms are HMAC-SHA256 under ``key``, which is
        never written to the file). Returns per table ``{"table", "rows", "sha256"}``, the hash
        being a stable digest of the table's content (docs/privacy.md)."""

    @abstractmethod
    def workspace_query(self, path: Path, sql: str, *, limit: int | None = None) -> QueryResult:
        """Run one SELECT on a workspace file, opened read-only with every access outside the
        file (other files, ATTACH, COPY, INSTALL, LOAD) refused."""

    # -- serving rows ------------------------------------------------------------------------
    @abstractmethod
    def count_rows(self, table: ServedTable, conditions: tuple[Condition, ...]) -> int:
        """How many rows of ``table`` meet every condition."""

    @abstractmethod
    def json_page(self, table: ServedTable, query: RowsQuery) -> JsonPage:
        """At most ``query.limit`` rows as JSON object texts (geometry as a GeoJSON object, times in
        ISO 8601 UTC, non-finite numbers as null), and whether more rows follow."""

    @abstractmethod
    def json_rows(
        self, table: ServedTable, query: RowsQuery, *, shape: Literal["object", "feature"], batch_rows: int = 10_000
    ) -> Iterator[list[str]]:
        """Every row of the query as JSON texts, in batches: plain objects, or GeoJSON features
        (geometry from the table's geometry column, the other columns as properties)."""

    @abstractmethod
    def arrow_batches(
        self, table: ServedTable, query: RowsQuery, *, geometry: Literal["wkt", "wkb"], batch_rows: int = 65_536
    ) -> Iterator[pa.RecordBatch]:
        """Every row of the query as Arrow record batches, streamed (memory stays flat)."""

    def prepare_rows(self, table: ServedTable, *, wait: bool = True) -> bool:
        """Make serving ``table`` fast now (e.g. build a serving copy), waiting for it or in the
        background; False when nothing was needed."""
        return False
