"""The embedded default engine: DuckDB, one connection per piece of work.

Serving rows to the open-data API is the exception: it goes through one long-lived database
(``duckdb_rows.RowServer``) so that a request costs a cursor, not a connection and a view.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import duckdb
import pyarrow as pa

from stadsdata.core.contract import ColumnType
from stadsdata.engine import duckdb_profile, duckdb_quality, duckdb_workspace, extensions
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
from stadsdata.engine.duckdb_rows import RowServer
from stadsdata.engine.duckdb_sql import DUCKDB_TYPES, lit, q
from stadsdata.errors import SQLError

EXPECTED = {
    ColumnType.string: "text",
    ColumnType.integer: "a whole number",
    ColumnType.number: "a number",
    ColumnType.boolean: "true or false",
    ColumnType.date: "a date (YYYY-MM-DD)",
    ColumnType.datetime: "a date and time (ISO 8601)",
    ColumnType.geometry: "a geometry (WKT or WKB)",
}
#: column types the CSV reader reads as text, to be cast in the projection
TEXT_READ = (ColumnType.geometry, ColumnType.datetime)


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str = "2GB") -> None:
        self.threads = threads
        self.memory_limit = memory_limit
        self.rows = RowServer(threads=threads, memory_limit=memory_limit)

    def _connect(self, *, spatial: bool = False) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(config={"memory_limit": self.memory_limit})
        if self.threads:
            con.execute(f"SET threads={int(self.threads)}")
        if spatial:
            extensions.load(con, "spatial")
        return con

    # -- staging -----------------------------------------------------------------------
    def stage_csv(
        self, source: Path, dialect: CsvDialect, header: list[str], fields: list[FieldSpec], dest: Path
    ) -> StageResult:
        by_source = {f.source: f for f in fields if f.source}
        read_types = {}
        for name in header:
            spec = by_source.get(name)
            kind = spec.type if spec else ColumnType.string
            # read as text and cast in the projection: DuckDB's CSV reader turns a bad TIMESTAMPTZ into
            # NULL without a reject (duckdb 1.5), which would lose the value silently
            read_types[name] = "VARCHAR" if kind in TEXT_READ else DUCKDB_TYPES[kind]
        columns = "{" + ", ".join(f"{lit(n)}: {lit(t)}" for n, t in read_types.items()) + "}"
        options = [
            f"delim={lit(dialect.delimiter)}",
            "header=true",
            "auto_detect=false",
            f"quote={lit(dialect.quote)}",
            f"escape={lit(dialect.quote)}",
            "nullstr=[" + ", ".join(lit(m) for m in dialect.null_markers) + "]",
            f"columns={columns}",
            "store_rejects=true",
            "rejects_table='stadsdata_rejects'",
            "rejects_scan='stadsdata_reject_scans'",
            "rejects_limit=50",
            "strict_mode=true",
        ]
        if dialect.decimal != ".":
            options.append(f"decimal_separator={lit(dialect.decimal)}")
        read = f"read_csv({lit(str(source))}, {', '.join(o for o in options if o)})"
        select = ", ".join(self._project(f, from_text=f.type in TEXT_READ) for f in fields)
        spatial = any(f.type == ColumnType.geometry for f in fields)
        con = self._connect(spatial=spatial)
        try:
            written = con.execute(
                f"COPY (SELECT {select} FROM {read}) TO {lit(str(dest))} (FORMAT parquet, COMPRESSION zstd)"
            ).fetchone()[0]
            rejects = con.execute(
                "SELECT line, column_name, error_type, csv_line, error_message "
                "FROM stadsdata_rejects ORDER BY line LIMIT 20"
            ).fetchall()
        except duckdb.Error as exc:
            plain = f"read_csv({lit(str(source))}, {', '.join(o for o in options if 'rejects' not in o)})"
            bad = self._first_bad_text(con, plain, [f for f in fields if f.type == ColumnType.datetime and f.source])
            return StageResult(0, [bad or Problem(f"could not be parsed as {dialect.label}: {_first_line(exc)}")])
        finally:
            con.close()
        problems = [
            self._reject_problem(r, by_name={f.source: f for f in fields if f.source}, n=len(header)) for r in rejects
        ]
        return StageResult(int(written), problems)

    @staticmethod
    def _first_bad_text(con: duckdb.DuckDBPyConnection, relation: str, specs: list[FieldSpec]) -> Problem | None:
        """The first row whose text in one of these columns does not cast to the column's type."""
        found: Problem | None = None
        for spec in specs:
            col, target = q(str(spec.source)), DUCKDB_TYPES[spec.type]
            try:
                row = con.execute(
                    f"SELECT __row, {col} FROM (SELECT row_number() OVER () AS __row, {col} FROM {relation}) "
                    f"WHERE {col} IS NOT NULL AND TRY_CAST({col} AS {target}) IS NULL ORDER BY __row LIMIT 1"
                ).fetchone()
            except duckdb.Error:
                continue  # the file has another problem too; the caller reports the parser's own message
            if row and (found is None or int(row[0]) < (found.row or 0)):
                value = str(row[1])
                found = Problem(
                    f"value {value!r} is not {EXPECTED[spec.type]}", row=int(row[0]), column=spec.source, value=value
                )
        return found

    @staticmethod
    def _reject_problem(reject: tuple, by_name: dict[str | None, FieldSpec], n: int) -> Problem:
        line, column, error_type, csv_line, message = reject
        row = int(line) - 1 if line is not None else None
        kind = str(error_type)
        if kind == "CAST":
            spec = by_name.get(column)
            value = _value_in_message(message)
            expected = EXPECTED[spec.type] if spec else "a value of the column's type"
            return Problem(f"value {value!r} is not {expected}", row=row, column=column, value=value)
        if kind == "TOO MANY COLUMNS":
            return Problem(f"row has more fields than the {n} in the header (ragged row)", row=row)
        if kind == "MISSING COLUMNS":
            return Problem(f"row has fewer fields than the {n} in the header (ragged row)", row=row)
        if kind == "UNQUOTED VALUE" or kind == "UNTERMINATED QUOTES":
            return Problem(f"badly quoted field ({kind.lower()})", row=row, column=column)
        if kind == "INVALID UNICODE":
            return Problem("invalid characters for the file's encoding", row=row, column=column)
        return Problem(f"{kind.lower()}: {_first_line(message)}", row=row, column=column)

    def _project(self, spec: FieldSpec, *, from_text: bool = False, try_cast: bool = False) -> str:
        target = DUCKDB_TYPES[spec.type]
        if spec.source is None:
            return f"CAST(NULL AS {target}) AS {q(spec.name)}"
        col = q(spec.source)
        if spec.type == ColumnType.datetime and from_text:
            return f"CAST({col} AS {target}) AS {q(spec.name)}"
        if spec.type == ColumnType.geometry:
            if from_text:
                return f"ST_AsWKB(ST_GeomFromText({col})) AS {q(spec.name)}"
            return f"{col} AS {q(spec.name)}"
        if try_cast:
            return f"TRY_CAST({col} AS {target}) AS {q(spec.name)}"
        return f"{col} AS {q(spec.name)}"

    def _stage_relation(
        self, con: duckdb.DuckDBPyConnection, relation: str, fields: list[FieldSpec], dest: Path
    ) -> StageResult:
        """Cast a relation's columns to the contract types; the first failing row per column is a problem."""
        checks = []
        for spec in fields:
            if spec.source is None or spec.type in (ColumnType.string, ColumnType.geometry):
                continue
            raw = q(spec.source)
            checks.append(
                (
                    spec,
                    f"min(CASE WHEN {raw} IS NOT NULL AND TRY_CAST({raw} AS {DUCKDB_TYPES[spec.type]}) IS NULL "
                    f"THEN __row END)",
                )
            )
        numbered = f"(SELECT row_number() OVER () AS __row, * FROM {relation})"
        problems: list[Problem] = []
        if checks:
            firsts = con.execute(f"SELECT {', '.join(c for _, c in checks)} FROM {numbered}").fetchone()
            for (spec, _), row in zip(checks, firsts, strict=True):
                if row is None:
                    continue
                value = con.execute(
                    f"SELECT CAST({q(spec.source)} AS VARCHAR) FROM {numbered} WHERE __row = {int(row)}"
                ).fetchone()[0]
                problems.append(
                    Problem(
                        f"value {value!r} is not {EXPECTED[spec.type]}", row=int(row), column=spec.source, value=value
                    )
                )
        if problems:
            problems.sort(key=lambda p: p.row or 0)
            return StageResult(0, problems)
        select = ", ".join(self._project(f, try_cast=True) for f in fields)
        written = con.execute(
            f"COPY (SELECT {select} FROM {relation}) TO {lit(str(dest))} (FORMAT parquet, COMPRESSION zstd)"
        ).fetchone()[0]
        return StageResult(int(written), [])

    def stage_arrow(self, data: pa.Table, fields: list[FieldSpec], dest: Path) -> StageResult:
        con = self._connect()
        try:
            con.register("stadsdata_source", data)
            return self._stage_relation(con, "stadsdata_source", fields, dest)
        finally:
            con.close()

    def stage_parquet(self, source: Path, fields: list[FieldSpec], dest: Path) -> StageResult:
        con = self._connect()
        try:
            return self._stage_relation(con, f"read_parquet({lit(str(source))})", fields, dest)
        finally:
            con.close()

    def parquet_columns(self, source: Path) -> list[str]:
        con = self._connect()
        try:
            rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit(str(source))})").fetchall()
            return [r[0] for r in rows]
        finally:
            con.close()

    # -- checks --------------------------------------------------------------------------
    def first_null(self, staged: Path, columns: list[str]) -> Problem | None:
        if not columns:
            return None
        con = self._connect()
        try:
            cond = " OR ".join(f"{q(c)} IS NULL" for c in columns)
            cases = ", ".join(f"{q(c)} IS NULL" for c in columns)
            row = con.execute(
                f"SELECT file_row_number + 1, {cases} FROM read_parquet({lit(str(staged))}, file_row_number=true) "
                f"WHERE {cond} ORDER BY file_row_number LIMIT 1"
            ).fetchone()
        finally:
            con.close()
        if row is None:
            return None
        column = next(c for c, empty in zip(columns, row[1:], strict=True) if empty)
        return Problem(
            "empty value in a column that must always have one (nullable: false)", row=int(row[0]), column=column
        )

    def check_rules(
        self, staged: Path, rules: list[Any], references: dict[str, list[str]] | None = None
    ) -> list[dict[str, Any]]:
        if not rules:
            return []
        con = self._connect()
        try:
            return duckdb_quality.check_rules(con, staged, rules, references or {})
        finally:
            con.close()

    def profile(self, files: list[Path], columns: list[ProfileColumn]) -> dict[str, Any]:
        con = self._connect()
        try:
            return duckdb_profile.profile(con, files, columns)
        finally:
            con.close()

    def first_duplicate_key(self, staged: Path, key: list[str]) -> Problem | None:
        if not key:
            return None
        con = self._connect()
        keys = ", ".join(q(k) for k in key)
        source = f"read_parquet({lit(str(staged))}, file_row_number=true)"
        try:
            dup = con.execute(f"SELECT {keys} FROM {source} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1").fetchone()
            if dup is None:
                return None
            match = " AND ".join(f"{q(k)} IS NOT DISTINCT FROM ?" for k in key)
            rows = con.execute(
                f"SELECT file_row_number + 1 FROM {source} WHERE {match} ORDER BY file_row_number LIMIT 2",
                list(dup),
            ).fetchall()
        finally:
            con.close()
        value = ", ".join(str(v) for v in dup)
        return Problem(
            f"duplicate key {value!r}: also in row {rows[0][0]}; expected each key to occur once",
            row=int(rows[1][0]),
            column=", ".join(key),
            value=value,
        )

    def first_existing_key(self, staged: Path, key: list[str], existing: list[str]) -> Problem | None:
        if not key or not existing:
            return None
        keys = ", ".join(q(k) for k in key)
        files = "[" + ", ".join(lit(f) for f in existing) + "]"
        con = self._connect()
        try:
            row = con.execute(
                f"SELECT s.file_row_number + 1, {', '.join('s.' + q(k) for k in key)} "
                f"FROM read_parquet({lit(str(staged))}, file_row_number=true) s "
                f"SEMI JOIN (SELECT {keys} FROM read_parquet({files}, union_by_name=true)) e USING ({keys}) "
                f"ORDER BY 1 LIMIT 1"
            ).fetchone()
        finally:
            con.close()
        if row is None:
            return None
        value = ", ".join(str(v) for v in row[1:])
        return Problem(
            f"key {value!r} is already in the current version; expected only new keys (load_mode: append)",
            row=int(row[0]),
            column=", ".join(key),
            value=value,
        )

    def infer_type(self, staged: Path, column: str) -> ColumnType:
        con = self._connect()
        try:
            col = q(column)
            counts = con.execute(
                f"SELECT count({col}), count(TRY_CAST({col} AS BIGINT)), count(TRY_CAST({col} AS DOUBLE)), "
                f"count(TRY_CAST(replace({col}, ',', '.') AS DOUBLE)) FROM read_parquet({lit(str(staged))})"
            ).fetchone()
        finally:
            con.close()
        total, as_int, as_double, as_comma = counts
        if total and as_int == total:
            return ColumnType.integer
        if total and (as_double == total or as_comma == total):
            return ColumnType.number
        return ColumnType.string

    def recast(self, staged: Path, types: dict[str, ColumnType]) -> None:
        if not types:
            return
        con = self._connect()
        tmp = staged.with_suffix(".recast.parquet")
        try:
            replaced = ", ".join(
                f"CAST(replace({q(c)}, ',', '.') AS {DUCKDB_TYPES[t]}) AS {q(c)}"
                if t == ColumnType.number
                else f"CAST({q(c)} AS {DUCKDB_TYPES[t]}) AS {q(c)}"
                for c, t in types.items()
            )
            con.execute(
                f"COPY (SELECT * REPLACE ({replaced}) FROM read_parquet({lit(str(staged))})) "
                f"TO {lit(str(tmp))} (FORMAT parquet, COMPRESSION zstd)"
            )
        finally:
            con.close()
        tmp.replace(staged)

    # -- queries -------------------------------------------------------------------------
    def query(self, sql: str, tables: dict[str, TableRef], *, limit: int | None = None) -> QueryResult:
        con = self._connect(spatial=True)
        try:
            for name, ref in tables.items():
                con.execute(f"CREATE VIEW {q(name)} AS {self._table_select(ref)}")
            try:
                relation = con.sql(sql)
            except duckdb.Error as exc:
                raise SQLError(f"query failed: {_first_line(exc)}") from None
            if relation is None:
                raise SQLError("the statement returned no rows; expected a SELECT query")
            if any(str(t) == "GEOMETRY" for t in relation.types):
                projection = ", ".join(
                    f"ST_AsText({q(c)}) AS {q(c)}" if str(t) == "GEOMETRY" else q(c)
                    for c, t in zip(relation.columns, relation.types, strict=True)
                )
                relation = relation.project(projection)
            if limit is not None:
                relation = relation.limit(limit)
            try:
                rows = relation.fetchall()
            except duckdb.Error as exc:
                raise SQLError(f"query failed: {_first_line(exc)}") from None
            return QueryResult(list(relation.columns), [str(t) for t in relation.types], rows)
        finally:
            con.close()

    def query_to_parquet(self, sql: str, tables: dict[str, TableRef], dest: Path) -> int:
        # the spatial extension only when a table has a geometry (loading it costs a third of a second)
        con = self._connect(spatial=any(k == ColumnType.geometry for r in tables.values() for _, k in r.columns))
        try:
            con.execute("SET preserve_insertion_order = false")  # a file of rows, in no promised order
            for name, ref in tables.items():
                con.execute(f"CREATE VIEW {q(name)} AS {self._table_select(ref)}")
            try:
                [(rows,)] = con.execute(f"COPY ({sql}) TO {lit(str(dest))} (FORMAT parquet)").fetchall()
            except duckdb.Error as exc:
                raise SQLError(f"query failed: {_first_line(exc)}") from None
            return int(rows)
        finally:
            con.close()

    # -- workspaces --------------------------------------------------------------------------
    def _workspace_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"memory_limit": self.memory_limit}
        if self.threads:
            config["threads"] = int(self.threads)
        return config

    def build_workspace(self, path: Path, tables: list[WorkspaceTable], key: bytes) -> list[dict[str, Any]]:
        return duckdb_workspace.build(self._workspace_config(), path, tables, key)

    def workspace_query(self, path: Path, sql: str, *, limit: int | None = None) -> QueryResult:
        return duckdb_workspace.query(self._workspace_config(), path, sql, limit)

    # -- serving rows (the open-data API) -------------------------------------------------------
    def count_rows(self, table: ServedTable, conditions: tuple[Condition, ...]) -> int:
        return self.rows.count_rows(table, conditions)

    def json_page(self, table: ServedTable, query: RowsQuery) -> JsonPage:
        return self.rows.json_page(table, query)

    def json_rows(
        self, table: ServedTable, query: RowsQuery, *, shape: Literal["object", "feature"], batch_rows: int = 10_000
    ) -> Iterator[list[str]]:
        return self.rows.json_rows(table, query, shape=shape, batch_rows=batch_rows)

    def arrow_batches(
        self, table: ServedTable, query: RowsQuery, *, geometry: Literal["wkt", "wkb"], batch_rows: int = 65_536
    ) -> Iterator[pa.RecordBatch]:
        return self.rows.arrow_batches(table, query, geometry=geometry, batch_rows=batch_rows)

    def prepare_rows(self, table: ServedTable, *, wait: bool = True) -> bool:
        """Build the serving copy of a large version now instead of on its first request."""
        return self.rows.prepare(table, wait=wait)

    @staticmethod
    def _table_select(ref: TableRef) -> str:
        cols = []
        for name, kind in ref.columns:
            if kind == ColumnType.geometry:
                cols.append(f"ST_GeomFromWKB({q(name)}) AS {q(name)}")
            else:
                cols.append(q(name))
        if not ref.files:
            empty = ", ".join(
                f"CAST(NULL AS {'GEOMETRY' if k == ColumnType.geometry else DUCKDB_TYPES[k]}) AS {q(n)}"
                for n, k in ref.columns
            )
            return f"SELECT {empty} WHERE false"
        files = "[" + ", ".join(lit(f) for f in ref.files) + "]"
        return f"SELECT {', '.join(cols)} FROM read_parquet({files}, union_by_name=true)"


def _first_line(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _value_in_message(message: str) -> str:
    """DuckDB says: Error when converting column "n". Could not convert string "abc" to 'BIGINT'."""
    marker = 'Could not convert string "'
    if marker in message:
        rest = message.split(marker, 1)[1]
        return rest.split('" to', 1)[0]
    return message
