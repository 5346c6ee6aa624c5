"""Storage and compute behind one interface.

Areas hand their work to an ``Engine`` (staging deliveries, checks, SQL) and a
``TableStore`` (immutable versions of Delta tables). DuckDB is the embedded default.
Only this package imports ``duckdb`` (an import-linter contract keeps it so).
"""

from stadsdata.engine.base import (
    CsvDialect,
    Engine,
    FieldSpec,
    Problem,
    ProfileColumn,
    QueryResult,
    StageResult,
    TableRef,
)
from stadsdata.engine.tables import TableStore


def create_engine(name: str, *, threads: int | None = None, memory_limit: str = "2GB") -> Engine:
    """The engine a setting names."""
    if name == "duckdb":
        from stadsdata.engine.duckdb_engine import DuckDBEngine

        return DuckDBEngine(threads=threads, memory_limit=memory_limit)
    raise ValueError(f"unknown engine {name!r}; expected 'duckdb'")


__all__ = [
    "CsvDialect",
    "Engine",
    "FieldSpec",
    "Problem",
    "ProfileColumn",
    "QueryResult",
    "StageResult",
    "TableRef",
    "TableStore",
    "create_engine",
]
