"""Serving rows to the open-data API from DuckDB.

One long-lived in-memory DuckDB database per engine holds a view per served version (versions
are immutable, so a view is made once); every request works on its own cursor of that database
(DuckDB connections are not shared between threads). A large version also gets a *serving
copy*: its rows in DuckDB's own storage, sorted in the version's default order, in a file under
the cache directory. It is built once in a background thread (the view serves until it is
ready) and attached read-only; in it a page in key order reads a row group or two instead of
sorting millions of rows, and a full export in that order is a plain scan.

SQL is built here from plain query objects: identifiers come from the table's own column list
(quoted), values are always bound as parameters.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import duckdb
import pyarrow as pa

from stadsdata.core.contract import ColumnType
from stadsdata.engine import extensions
from stadsdata.engine.base import (
    ROW_POSITION,
    Condition,
    FilterOp,
    JsonPage,
    RowsQuery,
    ServedTable,
    SortKey,
)
from stadsdata.engine.duckdb_sql import DUCKDB_TYPES, lit, q

log = logging.getLogger("stadsdata.engine")
T = TypeVar("T")

COMPARISONS = {FilterOp.gt: ">", FilterOp.gte: ">=", FilterOp.lt: "<", FilterOp.lte: "<="}
COPY_FORMAT = 1  # bump when the layout of serving copies changes: old copies are then ignored
RETRY_BUILD_SECONDS = 30.0
LATE_ROWS = 2048  # pages are at most 1,001 rows (+ offset): sort keys first, fetch wide rows after


@dataclass(frozen=True)
class _Served:
    """How one served version is reached inside the long-lived database."""

    relation: str  # a quoted name: a view over Parquet, or the table of an attached serving copy
    select: str  # the SELECT behind the view (what a serving copy is built from)
    types: dict[str, ColumnType]
    copy: bool  # rows are stored in the table's default order


class RowServer:
    def __init__(self, *, threads: int | None, memory_limit: str) -> None:
        self.threads = threads
        self.memory_limit = memory_limit
        #: versions with at least this many rows get a serving copy (when a cache dir is given)
        self.copy_min_rows = 50_000
        self._lock = threading.RLock()
        self._db: duckdb.DuckDBPyConnection | None = None
        self._tmp: Path | None = None
        self._spatial = False
        self._served: dict[str, _Served] = {}
        self._building: dict[str, threading.Thread] = {}
        self._build_failed: dict[str, float] = {}
        self._local = threading.local()

    # -- the database and cursors --------------------------------------------------------------
    def _database(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._db is None:
                # Where DuckDB spills a large sort; it makes the folder only when it spills.
                self._tmp = Path(tempfile.gettempdir()) / f"stadsdata-rows-{os.getpid()}-{id(self):x}"
                config: dict[str, Any] = {
                    "memory_limit": self.memory_limit,
                    "temp_directory": str(self._tmp),
                }
                if self.threads:
                    config["threads"] = int(self.threads)
                db = duckdb.connect(":memory:", config=config)
                db.execute("SET enable_progress_bar=false")
                db.execute("SET TimeZone='UTC'")
                db.execute("SET parquet_metadata_cache=true")
                self._db = db
            return self._db

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor of the long-lived database (made once per thread)."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None or getattr(self._local, "db", None) is not self._db:
            with self._lock:
                cursor = self._database().cursor()
            cursor.execute("SET enable_progress_bar=false")
            self._local.cursor = cursor
            self._local.late = None
            self._local.db = self._db
        return cursor

    def _own_cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for one streamed export: it may be used from several threads in turn."""
        with self._lock:
            cursor = self._database().cursor()
        cursor.execute("SET enable_progress_bar=false")
        return cursor

    def _need_spatial(self) -> None:
        with self._lock:
            if not self._spatial:
                extensions.load(self._database(), "spatial")
                self._spatial = True

    # -- served versions -----------------------------------------------------------------------
    def served(self, table: ServedTable) -> _Served:
        info = self._served.get(table.key)
        if info is not None and info.copy:
            return info
        with self._lock:
            info = self._served.get(table.key)
            if info is None:
                info = self._make_view(table)
                self._served[table.key] = info
            if not info.copy and table.cache_dir is not None and table.rows >= self.copy_min_rows:
                path = self.copy_path(table)
                if path.exists():
                    info = self._attach(table, info, path)
                    self._served[table.key] = info
                else:
                    self._start_build(table, info, path)
            return info

    def _name(self, table: ServedTable, prefix: str) -> str:
        return prefix + hashlib.sha256(table.key.encode()).hexdigest()[:20]

    def _make_view(self, table: ServedTable) -> _Served:
        db = self._database()
        ref = table.ref
        types = dict(ref.columns)
        if not ref.files:
            cols = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[t]}) AS {q(n)}" for n, t in ref.columns)
            if ROW_POSITION in table.order:
                cols += f", CAST(NULL AS BIGINT) AS {q(ROW_POSITION)}"
            select = f"SELECT {cols} WHERE false"
        else:
            files = "[" + ", ".join(lit(f) for f in ref.files) + "]"
            present = {
                r[0]: str(r[1])
                for r in db.execute(f"DESCRIBE SELECT * FROM read_parquet({files}, union_by_name=true)").fetchall()
            }
            cols_sql = []
            for name, kind in ref.columns:
                wanted = DUCKDB_TYPES[kind]
                if name not in present:
                    cols_sql.append(f"CAST(NULL AS {wanted}) AS {q(name)}")
                elif present[name] != wanted and not (kind == ColumnType.geometry):
                    cols_sql.append(f"CAST({q(name)} AS {wanted}) AS {q(name)}")
                else:
                    cols_sql.append(q(name))
            options = "union_by_name=true"
            if ROW_POSITION in table.order:
                # A stable position for datasets without a key: rows before this file, plus row in file.
                counts = db.execute(f"SELECT file_name, num_rows FROM parquet_file_metadata({files})").fetchall()
                by_file = {str(f): int(n) for f, n in counts}
                offset, cases = 0, []
                for f in ref.files:
                    cases.append(f"WHEN {lit(f)} THEN {offset}")
                    offset += by_file.get(f, 0)
                cols_sql.append(f"file_row_number + CASE filename {' '.join(cases)} END AS {q(ROW_POSITION)}")
                options += ", filename=true, file_row_number=true"
            select = f"SELECT {', '.join(cols_sql)} FROM read_parquet({files}, {options})"
        name = self._name(table, "v_")
        db.execute(f"CREATE OR REPLACE VIEW {q(name)} AS {select}")
        return _Served(q(name), select, types, copy=False)

    # -- serving copies ------------------------------------------------------------------------
    def copy_path(self, table: ServedTable) -> Path:
        assert table.cache_dir is not None
        fingerprint = repr((COPY_FORMAT, table.key, table.ref.files, table.ref.columns, table.order))
        return table.cache_dir / f"{hashlib.sha256(fingerprint.encode()).hexdigest()[:32]}.duckdb"

    def _attach(self, table: ServedTable, view: _Served, path: Path) -> _Served:
        alias = self._name(table, "c_")
        try:
            self._database().execute(f"ATTACH {lit(str(path))} AS {q(alias)} (READ_ONLY)")
        except duckdb.Error as exc:
            if "already" not in str(exc).lower():
                log.warning("serving copy %s could not be attached: %s", path, exc)
                return view
        return _Served(f"{q(alias)}.main.rows", view.select, view.types, copy=True)

    def _start_build(self, table: ServedTable, view: _Served, path: Path) -> None:
        if table.key in self._building:
            return
        failed = self._build_failed.get(table.key)
        if failed is not None and time.monotonic() - failed < RETRY_BUILD_SECONDS:
            return
        thread = threading.Thread(
            target=self._build, args=(table, view, path), name=f"serving-copy-{table.key}", daemon=True
        )
        self._building[table.key] = thread
        thread.start()

    def _build(self, table: ServedTable, view: _Served, path: Path) -> None:
        try:
            self.build_copy(table, view.select, path)
        except Exception:  # the view keeps serving; a later request tries again
            log.exception("building the serving copy of %s failed", table.key)
            self._build_failed[table.key] = time.monotonic()
        finally:
            with self._lock:
                self._building.pop(table.key, None)

    def build_copy(self, table: ServedTable, select: str, path: Path) -> bool:
        """Write the serving copy of ``table``; False when another process is writing it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(path.with_suffix(".lock"), os.O_CREAT | os.O_RDWR, 0o644)
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            if path.exists():
                return True
            partial = path.with_suffix(".partial")
            for stale in (partial, Path(str(partial) + ".wal")):
                stale.unlink(missing_ok=True)
            spill = path.parent / "tmp"
            spill.mkdir(exist_ok=True)
            # Half the engine's memory: a build runs next to requests; DuckDB spills the rest.
            config: dict[str, Any] = {"memory_limit": _half(self.memory_limit), "temp_directory": str(spill)}
            if self.threads:
                config["threads"] = int(self.threads)
            started = time.perf_counter()
            con = duckdb.connect(str(partial), config=config)
            try:
                con.execute("SET enable_progress_bar=false")
                con.execute("SET preserve_insertion_order=true")
                order = ", ".join(f"{q(c)} ASC NULLS LAST" for c in table.order)
                con.execute(f"CREATE TABLE rows AS {select} ORDER BY {order}")
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(partial, path)
            log.info(
                "serving copy of %s (%d rows) built in %.1f s", table.key, table.rows, time.perf_counter() - started
            )
            return True
        finally:
            os.close(lock)

    def prepare(self, table: ServedTable, *, wait: bool = True) -> bool:
        """Have the serving copy built now, when the table is large enough for one: in this thread
        (``wait``) or in the background (as the first request would)."""
        if table.cache_dir is None or table.rows < self.copy_min_rows:
            return False
        if not wait:
            self.served(table)
            return True
        with self._lock:
            view = self._served.get(table.key) or self._make_view(table)
            self._served.setdefault(table.key, view)
            running = self._building.get(table.key)
        if running is not None:
            running.join()
        path = self.copy_path(table)
        if not path.exists():
            select = view.select
            while not self.build_copy(table, select, path):
                time.sleep(0.5)  # another process is building it
        self.served(table)
        return True

    # -- SQL -----------------------------------------------------------------------------------
    @staticmethod
    def _where(query: RowsQuery) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        for cond in query.conditions:
            col = q(cond.column)
            if cond.op == FilterOp.exact:
                parts.append(f"{col} = ?")
                params.append(cond.value)
            elif cond.op in COMPARISONS:
                parts.append(f"{col} {COMPARISONS[cond.op]} ?")
                params.append(cond.value)
            elif cond.op == FilterOp.in_:
                values = list(cond.value)
                parts.append(f"{col} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
            elif cond.op == FilterOp.contains:
                parts.append(f"contains(lower({col}), lower(?))")
                params.append(cond.value)
            elif cond.op == FilterOp.isnull:
                parts.append(f"{col} IS NULL" if cond.value else f"{col} IS NOT NULL")
            else:  # pragma: no cover - FilterOp is closed
                raise ValueError(f"unknown operator {cond.op!r}")
        if query.after is not None:
            sql, values = _after(query.order, query.after)
            parts.append(sql)
            params.extend(values)
        return (" WHERE " + " AND ".join(parts)) if parts else "", params

    @staticmethod
    def _order(order: tuple[SortKey, ...]) -> str:
        if not order:
            return ""
        return " ORDER BY " + ", ".join(f"{q(k.column)} {'DESC' if k.descending else 'ASC'} NULLS LAST" for k in order)

    def _json_value(self, name: str, kind: ColumnType) -> str:
        col = q(name)
        if kind == ColumnType.number:
            return f"CASE WHEN isfinite({col}) THEN {col} END"
        if kind == ColumnType.datetime:
            return f"strftime({col}, '%Y-%m-%dT%H:%M:%S.%fZ')"
        if kind == ColumnType.geometry:
            self._need_spatial()
            return f"CAST(ST_AsGeoJSON(ST_GeomFromWKB({col})) AS JSON)"
        return col

    def _json_object(self, info: _Served, columns: tuple[str, ...]) -> str:
        if not columns:
            return "'{}'"
        fields = ", ".join(f"{q(c)} := {self._json_value(c, info.types[c])}" for c in columns)
        return f"CAST(to_json(struct_pack({fields})) AS VARCHAR)"

    def _is_stored_order(self, info: _Served, table: ServedTable, order: tuple[SortKey, ...]) -> bool:
        """True when a plain scan already returns rows in ``order``."""
        default = tuple(SortKey(c) for c in table.order)
        if tuple(SortKey(k.column, k.descending) for k in order) != default:
            return False
        return info.copy or table.order == (ROW_POSITION,)

    # -- queries -------------------------------------------------------------------------------
    def count_rows(self, table: ServedTable, conditions: tuple[Condition, ...]) -> int:
        info = self.served(table)
        where, params = self._where(RowsQuery(columns=(), conditions=conditions))
        row = self._cursor().execute(f"SELECT count(*) FROM {info.relation}{where}", params).fetchone()
        return int(row[0]) if row else 0

    def json_page(self, table: ServedTable, query: RowsQuery) -> JsonPage:
        info = self.served(table)
        limit = query.limit if query.limit is not None else 100
        where, params = self._where(query)
        keys = [k.column for k in query.order]
        needed = list(dict.fromkeys([*query.columns, *keys]))
        # In a serving copy rows are stored in the default order: the first matches of a plain scan
        # are the page (a streaming limit), no sort of every match needed.
        order = "" if self._is_stored_order(info, table, query.order) else self._order(query.order)
        inner = (
            f"SELECT {', '.join(q(c) for c in needed)} FROM {info.relation}{where}{order} "
            f"LIMIT {int(limit) + 1} OFFSET {int(query.offset)}"
        )
        key_cols = "".join(f", {q(k)}" for k in keys)
        sql = f"SELECT {self._json_object(info, query.columns)}{key_cols} FROM ({inner}) AS page{order}"
        cursor = self._cursor()
        # A sorted page (top N of all matches) should sort keys only and fetch the N wide rows after;
        # a page read in stored order is a streaming scan, where fetching rows afterwards only costs.
        late = LATE_ROWS if order else 0
        if getattr(self._local, "late", None) != late:
            cursor.execute(f"SET late_materialization_max_rows={late}")
            self._local.late = late
        rows = cursor.execute(sql, params).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        last = tuple(rows[-1][1:]) if rows else None
        return JsonPage([r[0] for r in rows], last, more)

    def json_rows(
        self, table: ServedTable, query: RowsQuery, *, shape: Literal["object", "feature"], batch_rows: int = 10_000
    ) -> Iterator[list[str]]:
        info = self.served(table)
        if shape == "feature":
            geometry = next((n for n, t in info.types.items() if t == ColumnType.geometry), None)
            if geometry is None:
                raise ValueError("a GeoJSON feature needs a geometry column")
            self._need_spatial()
            props = tuple(c for c in query.columns if c != geometry)
            expr = (
                '\'{"type":"Feature","geometry":\' || '
                f"coalesce(ST_AsGeoJSON(ST_GeomFromWKB({q(geometry)})), 'null') || "
                f"',\"properties\":' || {self._json_object(info, props)} || '}}'"
            )
        else:
            expr = self._json_object(info, query.columns)
        return self._stream(table, info, query, expr, lambda batch: batch.column(0).to_pylist(), batch_rows)

    def arrow_batches(
        self, table: ServedTable, query: RowsQuery, *, geometry: Literal["wkt", "wkb"], batch_rows: int = 65_536
    ) -> Iterator[pa.RecordBatch]:
        info = self.served(table)
        exprs = []
        for c in query.columns:
            if info.types[c] == ColumnType.geometry and geometry == "wkt":
                self._need_spatial()
                exprs.append(f"ST_AsText(ST_GeomFromWKB({q(c)})) AS {q(c)}")
            else:
                exprs.append(q(c))
        return self._stream(table, info, query, ", ".join(exprs) or "1 AS _", lambda batch: batch, batch_rows)

    def _stream(
        self,
        table: ServedTable,
        info: _Served,
        query: RowsQuery,
        select: str,
        convert: Callable[[pa.RecordBatch], T],
        batch_rows: int,
    ) -> Iterator[T]:
        where, params = self._where(query)
        order = "" if self._is_stored_order(info, table, query.order) else self._order(query.order)
        limit = f" LIMIT {int(query.limit)}" if query.limit is not None else ""
        offset = f" OFFSET {int(query.offset)}" if query.offset else ""
        sql = f"SELECT {select} FROM {info.relation}{where}{order}{limit}{offset}"
        # The query starts here, in the caller's thread: an error is raised before a response
        # has begun. The rows then stream batch by batch as the caller iterates.
        cursor = self._own_cursor()
        try:
            reader = cursor.execute(sql, params).to_arrow_reader(batch_rows)
        except BaseException:
            cursor.close()
            raise
        return _drain(cursor, reader, convert)


def _drain(
    cursor: duckdb.DuckDBPyConnection, reader: pa.RecordBatchReader, convert: Callable[[pa.RecordBatch], T]
) -> Iterator[T]:
    try:
        empty = True
        for batch in reader:
            if batch.num_rows:
                empty = False
                yield convert(batch)
        if empty:  # no rows: one empty batch still carries the schema (a CSV header)
            yield convert(pa.RecordBatch.from_pylist([], schema=reader.schema))
    finally:
        cursor.close()


def _after(order: tuple[SortKey, ...], values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    """The rows strictly after the position ``values`` in ``order`` (nulls last in both directions)."""

    def level(i: int) -> tuple[str | None, list[Any]]:
        if i == len(order):
            return None, []
        key, value = order[i], values[i]
        col = q(key.column)
        rest, rest_params = level(i + 1)
        if value is None:  # only nulls follow a null here
            return (f"({col} IS NULL AND {rest})", rest_params) if rest else (None, [])
        parts = [f"{col} {'<' if key.descending else '>'} ?"]
        params: list[Any] = [value]
        if rest:
            parts.append(f"({col} = ? AND {rest})")
            params += [value, *rest_params]
        if key.nullable:
            parts.append(f"{col} IS NULL")
        return "(" + " OR ".join(parts) + ")", params

    sql, params = level(0)
    return (sql or "false"), params


_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4}
_UNITS |= {"kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}


def _half(limit: str) -> str:
    """Half a DuckDB memory limit such as '2GB' (at least 256 MB); the limit itself if unreadable."""
    text = limit.strip().lower().replace(" ", "")
    number = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(number) :] or "b"
    try:
        size = float(number) * _UNITS[unit]
    except (ValueError, KeyError):
        return limit
    return f"{max(256, int(size / 2 / 1000**2))}MB"
