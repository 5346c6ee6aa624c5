"""The engine for scale: Spark, local (``local[N]``) or a city's cluster through Spark Connect.

What runs on Spark: the work that grows with the data. ``query`` and ``query_to_parquet`` (the
``stadsdata sql`` queries, the indicator computation and its summaries) and ``check_rules`` (the
quality rules of every delivery). The queries arrive in the platform's one SQL dialect (DuckDB's)
and are translated by ``spark_sql.translate``; no area writes Spark SQL.

What stays on the embedded DuckDB engine (``LOCAL``): work on one delivered file or one
workspace, done where the file is: staging a delivery (CSV, XLSX, JSON, Parquet) into typed
Parquet, its key and null checks, schema inference, profiles; workspaces (a DuckDB file per
opgave by design, docs/privacy.md) and serving pages of rows to the open-data API (a local serving
copy). Each of these is a single-file job whose cost is bounded by the delivery, not the table.

Tables: a ``TableRef`` lists the Parquet files of one version of a Delta table as delta-rs read
them from the Delta log; Spark reads those files (the same files, the same version), so it needs
no Delta connector jars. The log says so once.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from stadsdata.core.contract import ColumnType
from stadsdata.engine import spark_quality, spark_session
from stadsdata.engine.base import (
    Condition,
    CsvDialect,
    Engine,
    FieldSpec,
    JsonPage,
    Problem,
    ProfileColumn,
    QueryResult,
    RowsQuery,
    ServedTable,
    StageResult,
    TableRef,
    WorkspaceTable,
)
from stadsdata.engine.spark_session import SparkConfig
from stadsdata.engine.spark_sql import SPARK_TYPES, duckdb_type_name, q, translate
from stadsdata.errors import SQLError

log = logging.getLogger(__name__)

MERGE_BATCH = 262_144  # rows per batch when Spark's part files are joined into one file

#: The engine methods that the Spark engine hands to the embedded DuckDB engine (see above).
LOCAL = (
    "stage_csv",
    "stage_arrow",
    "stage_parquet",
    "parquet_columns",
    "first_null",
    "first_duplicate_key",
    "first_existing_key",
    "infer_type",
    "recast",
    "profile",
    "build_workspace",
    "workspace_query",
    "count_rows",
    "json_page",
    "json_rows",
    "arrow_batches",
    "prepare_rows",
)


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, config: SparkConfig, local: Engine) -> None:
        self.config = config
        self.local = local
        self._spark: Any = None
        self._said_files = False

    @property
    def spark(self) -> Any:
        """The Spark session, started (or connected) on first use: a command that only reads the
        catalogue never pays for a JVM."""
        if self._spark is None:
            self._spark = spark_session.session(self.config)
        return self._spark

    # -- tables ------------------------------------------------------------------------------
    def _register(self, tables: dict[str, TableRef]) -> dict[str, str]:
        """Each table as a temporary view; returns the view name of each table name (a dataset
        name such as ``kwb@2`` is no valid Spark view name: the query is rewritten to the view)."""
        if tables and not self._said_files:
            log.info(
                "spark reads Delta tables as the Parquet files of their current version listed by delta-rs "
                "(no Delta connector needed) engine=spark where=%s",
                self.config.where,
            )
            self._said_files = True
        views = {}
        for name, ref in tables.items():
            view = f"stadsdata_{uuid.uuid4().hex[:12]}"
            self._frame(ref).createOrReplaceTempView(view)
            views[name] = view
        return views

    def _frame(self, ref: TableRef) -> Any:
        spark = self.spark
        if not ref.files:
            empty = ", ".join(f"CAST(NULL AS {SPARK_TYPES[k]}) AS {q(n)}" for n, k in ref.columns)
            return spark.sql(f"SELECT {empty} WHERE false")
        frame = spark.read.option("mergeSchema", "true").parquet(*ref.files)
        present = set(frame.columns)
        # a column the contract has but an older version's files lack reads as NULL (as DuckDB's union_by_name)
        select = [q(n) if n in present else f"CAST(NULL AS {SPARK_TYPES[k]}) AS {q(n)}" for n, k in ref.columns]
        return frame.selectExpr(*select) if ref.columns else frame

    def _drop(self, views: dict[str, str]) -> None:
        for view in views.values():
            self.spark.catalog.dropTempView(view)

    def _run(self, sql: str, views: dict[str, str]) -> Any:
        from pyspark.errors import PySparkException

        text = translate(sql, views)
        try:
            return self.spark.sql(text)
        except PySparkException as exc:
            raise SQLError(f"query failed on Spark: {_first_line(exc)}") from None

    # -- queries -----------------------------------------------------------------------------
    def query(self, sql: str, tables: dict[str, TableRef], *, limit: int | None = None) -> QueryResult:
        from pyspark.errors import PySparkException

        views = self._register(tables)
        geometry = {n for ref in tables.values() for n, k in ref.columns if k == ColumnType.geometry}
        try:
            frame = self._run(sql, views)
            if limit is not None:
                frame = frame.limit(int(limit))
            try:
                data = frame.toArrow()
            except PySparkException as exc:
                raise SQLError(f"query failed on Spark: {_first_line(exc)}") from None
            types = [duckdb_type_name(f.dataType) for f in frame.schema.fields]
        finally:
            self._drop(views)
        columns = list(frame.columns)
        values = []
        for i, name in enumerate(columns):
            column = data.column(i).to_pylist()
            if types[i] == "BLOB" and name in geometry:  # as DuckDB: a geometry comes back as WKT text
                column, types[i] = [_wkt(v) for v in column], "VARCHAR"
            values.append(column)
        return QueryResult(columns, types, list(zip(*values, strict=True)) if values else [])

    def query_to_parquet(self, sql: str, tables: dict[str, TableRef], dest: Path) -> int:
        from pyspark.errors import PySparkException

        if self.config.remote:  # the cluster cannot write to this machine's disk: the rows come back
            return super().query_to_parquet(sql, tables, dest)
        views = self._register(tables)
        folder = dest.with_name(f".{dest.name}.spark-{uuid.uuid4().hex[:8]}")
        try:
            try:
                self._run(sql, views).write.mode("overwrite").parquet(str(folder))
            except PySparkException as exc:
                raise SQLError(f"query failed on Spark: {_first_line(exc)}") from None
            return _merge_parts(folder, dest)
        finally:
            self._drop(views)
            shutil.rmtree(folder, ignore_errors=True)

    # -- quality rules -------------------------------------------------------------------------
    def check_rules(
        self, staged: Path, rules: list[Any], references: dict[str, list[str]] | None = None
    ) -> list[dict[str, Any]]:
        if not rules:
            return []
        if self.config.remote:  # a delivery is a file on this machine: its rules are checked here
            return self.local.check_rules(staged, rules, references)
        return spark_quality.check_rules(self.spark, staged, rules, references or {})

    # -- single-file work: the embedded engine ---------------------------------------------
    def stage_csv(
        self, source: Path, dialect: CsvDialect, header: list[str], fields: list[FieldSpec], dest: Path
    ) -> StageResult:
        return self.local.stage_csv(source, dialect, header, fields, dest)

    def stage_arrow(self, data: pa.Table, fields: list[FieldSpec], dest: Path) -> StageResult:
        return self.local.stage_arrow(data, fields, dest)

    def stage_parquet(self, source: Path, fields: list[FieldSpec], dest: Path) -> StageResult:
        return self.local.stage_parquet(source, fields, dest)

    def parquet_columns(self, source: Path) -> list[str]:
        return self.local.parquet_columns(source)

    def profile(self, files: list[Path], columns: list[ProfileColumn]) -> dict[str, Any]:
        return self.local.profile(files, columns)

    def first_null(self, staged: Path, columns: list[str]) -> Problem | None:
        return self.local.first_null(staged, columns)

    def first_duplicate_key(self, staged: Path, key: list[str]) -> Problem | None:
        return self.local.first_duplicate_key(staged, key)

    def first_existing_key(self, staged: Path, key: list[str], existing: list[str]) -> Problem | None:
        return self.local.first_existing_key(staged, key, existing)

    def infer_type(self, staged: Path, column: str) -> ColumnType:
        return self.local.infer_type(staged, column)

    def recast(self, staged: Path, types: dict[str, ColumnType]) -> None:
        self.local.recast(staged, types)

    def build_workspace(self, path: Path, tables: list[WorkspaceTable], key: bytes) -> list[dict[str, Any]]:
        return self.local.build_workspace(path, tables, key)

    def workspace_query(self, path: Path, sql: str, *, limit: int | None = None) -> QueryResult:
        return self.local.workspace_query(path, sql, limit=limit)

    def count_rows(self, table: ServedTable, conditions: tuple[Condition, ...]) -> int:
        return self.local.count_rows(table, conditions)

    def json_page(self, table: ServedTable, query: RowsQuery) -> JsonPage:
        return self.local.json_page(table, query)

    def json_rows(
        self, table: ServedTable, query: RowsQuery, *, shape: Literal["object", "feature"], batch_rows: int = 10_000
    ) -> Iterator[list[str]]:
        return self.local.json_rows(table, query, shape=shape, batch_rows=batch_rows)

    def arrow_batches(
        self, table: ServedTable, query: RowsQuery, *, geometry: Literal["wkt", "wkb"], batch_rows: int = 65_536
    ) -> Iterator[pa.RecordBatch]:
        return self.local.arrow_batches(table, query, geometry=geometry, batch_rows=batch_rows)

    def prepare_rows(self, table: ServedTable, *, wait: bool = True) -> bool:
        return self.local.prepare_rows(table, wait=wait)


def _merge_parts(folder: Path, dest: Path) -> int:
    """Spark writes a folder of part files; the engine interface promises one Parquet file.
    Rows are copied in batches of ``MERGE_BATCH`` rows, so memory stays flat whatever the size
    (a Spark row group decoded at once can take gigabytes)."""
    import pyarrow.parquet as pq

    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        raise SQLError("query failed on Spark: it wrote no result file")
    # every column nullable and no Spark metadata, as DuckDB writes the same query's file
    written = pq.read_schema(parts[0])
    schema = pa.schema([pa.field(f.name, f.type, nullable=True) for f in written])
    rows = 0
    with pq.ParquetWriter(dest, schema) as writer:
        for part in parts:
            for batch in pq.ParquetFile(part).iter_batches(batch_size=MERGE_BATCH):
                writer.write_batch(batch.cast(schema))
                rows += batch.num_rows
    return rows


def _wkt(value: bytes | None) -> Any:
    if value is None:
        return None
    import shapely

    return shapely.from_wkb(value).wkt


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
