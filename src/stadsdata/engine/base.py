"""The engine interface and the plain types that cross it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
