"""Storage and compute behind one interface.

Areas hand their work to an ``Engine`` (staging deliveries, checks, SQL) and a
``TableStore`` (immutable versions of Delta tables). DuckDB is the embedded default;
Spark (``spark_engine``, the extra ``stadsdata[spark]``) runs the same queries, quality rules and
indicators at scale. Only this package imports ``duckdb`` or ``pyspark`` (import-linter contracts).
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


def create_engine(
    name: str,
    *,
    threads: int | None = None,
    memory_limit: str = "2GB",
    spark_master: str = "local[2]",
    spark_remote: str | None = None,
    spark_driver_memory: str = "2g",
) -> Engine:
    """The engine a setting names. ``spark`` needs the extra ``stadsdata[spark]`` only when it first
    runs a query (PySpark is imported then); its single-file work runs on an embedded DuckDB."""
    from stadsdata.engine.duckdb_engine import DuckDBEngine

    if name == "duckdb":
        return DuckDBEngine(threads=threads, memory_limit=memory_limit)
    if name == "spark":
        from stadsdata.engine.spark_engine import SparkEngine
        from stadsdata.engine.spark_session import SparkConfig

        config = SparkConfig(master=spark_master, remote=spark_remote or None, driver_memory=spark_driver_memory)
        return SparkEngine(config, DuckDBEngine(threads=threads, memory_limit=memory_limit))
    raise ValueError(f"unknown engine {name!r}; expected 'duckdb' or 'spark'")


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
