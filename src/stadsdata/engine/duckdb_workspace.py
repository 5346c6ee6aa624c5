"""Workspaces in DuckDB: build an opgave's database file, and query it read-only and sealed.

Building: one ``CREATE TABLE ... AS SELECT`` per table over the version's Parquet files, with every
transform done in SQL. A pseudonym is HMAC-SHA256 computed with DuckDB's ``sha256`` over blobs:

    HMAC(K, m) = SHA256((K0 xor opad) || SHA256((K0 xor ipad) || m))

where K0 is the key padded with zero bytes to SHA-256's block of 64 bytes (RFC 2104). The two
padded keys are computed here and bound as statement parameters: they never appear in SQL text
that DuckDB stores (no view, no macro), so the file holds no key material. ``m`` is the UTF-8
text of the value (``CAST(value AS VARCHAR)``, the same text as ``privacy.pseudonyms.canonical_text``),
and the pseudonym is the first 32 hex characters (128 bits) of the HMAC.

The file is written under a temporary name and renamed when complete, so a crash leaves no
half-built workspace behind.

Querying: the file is opened read-only, the spatial extension is loaded when the query calls an
``ST_`` function (loading it costs more than most workspace queries), and then external access is
switched off and the configuration locked, so a query cannot read or write any other file, attach
a database, install or load an extension, or switch access back on.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path
from typing import Any

import duckdb

from stadsdata.core.contract import ColumnType
from stadsdata.engine import extensions
from stadsdata.engine.base import WORKSPACE_TRANSFORMS, QueryResult, WorkspaceColumn, WorkspaceTable
from stadsdata.engine.duckdb_sql import DUCKDB_TYPES, lit, q
from stadsdata.errors import ConflictError, NotFoundError, SQLError

#: Characters of hex kept from the HMAC: 128 bits (docs/privacy.md).
PSEUDONYM_HEX = 32
#: The time zone in which a timestamp's year is taken.
TIME_ZONE = "Europe/Amsterdam"
#: The oldest age band: ages from here on are one band.
AGE_TOP = 100
#: A Dutch postcode (``2511 AB``, ``2511AB``, ``2511ab``) or only its four digits, spaces around.
PC4_PATTERN = r" *([1-9][0-9]{3}) ?([A-Za-z]{2})? *"
MIN_KEY_BYTES = 16

_BLOCK = 64  # SHA-256 block size in bytes
_PSEUDONYMISABLE = (ColumnType.string, ColumnType.integer, ColumnType.date)
_RULE_TYPES = {
    "year": (ColumnType.date, ColumnType.datetime),
    "pc4": (ColumnType.string,),
    "age_band5": (ColumnType.integer,),
}

# A workspace's DuckDB instance is shared by every connection to it in this process (DuckDB's
# instance cache); its sealing is done once, under this lock.
_SEAL_LOCK = threading.Lock()
_SPATIAL_CALL = re.compile(r"\bst_\w+\s*\(", re.IGNORECASE)


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA256: (K0 xor ipad, K0 xor opad)."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"a pseudonym key needs at least {MIN_KEY_BYTES} bytes; got {len(key)}")
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)


def pseudonym_sql(value_sql: str) -> str:
    """SQL for the pseudonym of a value; needs the parameters ``$hmac_inner`` and ``$hmac_outer``."""
    message = f"encode(CAST({value_sql} AS VARCHAR))"
    inner = f"unhex(sha256($hmac_inner::BLOB || {message}))"
    return f"left(sha256($hmac_outer::BLOB || {inner}), {PSEUDONYM_HEX})"


def column_sql(column: WorkspaceColumn) -> str:
    """The SELECT item that produces a workspace column from the stored column."""
    col, kind, transform = q(column.name), column.type, column.transform
    if transform not in WORKSPACE_TRANSFORMS:
        raise ValueError(
            f"column {column.name!r}: unknown transform {transform!r}; expected one of {WORKSPACE_TRANSFORMS}"
        )
    if transform == "keep":
        return col
    if transform == "pseudonymise":
        if kind not in _PSEUDONYMISABLE:
            raise ValueError(f"column {column.name!r}: a {kind.value} column cannot be pseudonymised")
        return f"{pseudonym_sql(col)} AS {col}"
    rule = transform.removeprefix("generalise:")
    if kind not in _RULE_TYPES[rule]:
        raise ValueError(f"column {column.name!r}: rule {rule} does not apply to a {kind.value} column")
    if rule == "year":
        value = f"timezone({lit(TIME_ZONE)}, {col})" if kind == ColumnType.datetime else col
        return f"year({value}) AS {col}"
    if rule == "pc4":
        return f"CASE WHEN regexp_full_match({col}, {lit(PC4_PATTERN)}) THEN left(trim({col}, ' '), 4) END AS {col}"
    # age_band5
    low = f"({col} // 5 * 5)"
    return (
        f"CASE WHEN {col} < 0 THEN NULL WHEN {col} >= {AGE_TOP} THEN '{AGE_TOP}+' "
        f"ELSE CAST({low} AS VARCHAR) || '-' || CAST({low} + 4 AS VARCHAR) END AS {col}"
    )


def _source(table: WorkspaceTable) -> str:
    if table.files:
        files = "[" + ", ".join(lit(f) for f in table.files) + "]"
        return f"read_parquet({files}, union_by_name=true)"
    empty = ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[c.type]}) AS {q(c.name)}" for c in table.columns)
    return f"(SELECT {empty} WHERE false)"


def build(con_config: dict[str, Any], path: Path, tables: list[WorkspaceTable], key: bytes) -> list[dict[str, Any]]:
    """Build the workspace file ``path`` (which must not exist yet); see the module docstring."""
    if path.exists():
        raise ConflictError(f"workspace file {path} already exists; expected a new path")
    names = [t.name for t in tables]
    if not tables or len({n.lower() for n in names}) != len(names):
        raise ValueError(f"expected one or more tables with distinct names; got {names}")
    for t in tables:
        if not t.columns:
            raise ValueError(f"workspace table {t.name!r} has no columns")
    inner, outer = hmac_pads(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".building")
    _remove(building)
    try:
        con = duckdb.connect(str(building), config=con_config)
        try:
            for t in tables:
                select = ", ".join(column_sql(c) for c in t.columns)
                params = (
                    {"hmac_inner": inner, "hmac_outer": outer}
                    if any(c.transform == "pseudonymise" for c in t.columns)
                    else None
                )
                # ORDER BY ALL: the stored order says nothing about the source's order (sorted by
                # BSN, say), and the same data always gives the same file content.
                try:
                    con.execute(f"CREATE TABLE {q(t.name)} AS SELECT {select} FROM {_source(t)} ORDER BY ALL", params)
                except duckdb.Error as exc:
                    raise SQLError(f"workspace table {t.name!r} could not be built: {_first_line(exc)}") from None
            summary = [{"table": t.name, **table_digest(con, t.name)} for t in tables]
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(building, path)
    except BaseException:
        _remove(building)
        raise
    return summary


def table_digest(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    """Rows and content hash of a table: SHA-256 over a header line (column names and types) and
    then, one per line in sorted order, the SHA-256 of each row's JSON text. Independent of the
    stored row order and of how the file is laid out; the same for the same data and DuckDB version."""
    described = con.execute(f"DESCRIBE {q(table)}").fetchall()
    digest = hashlib.sha256(("\t".join(f"{name} {kind}" for name, kind, *_ in described) + "\n").encode("utf-8"))
    cursor = con.execute(f"SELECT sha256(CAST(to_json(t) AS VARCHAR)) AS h FROM {q(table)} AS t ORDER BY h")
    rows = 0
    while batch := cursor.fetchmany(10_000):
        rows += len(batch)
        digest.update("".join(h + "\n" for (h,) in batch).encode("ascii"))
    return {"rows": rows, "sha256": digest.hexdigest()}


def query(con_config: dict[str, Any], path: Path, sql: str, limit: int | None) -> QueryResult:
    """One SELECT on the workspace file, read-only and sealed."""
    if not path.is_file():
        raise NotFoundError(f"workspace file {path} does not exist")
    con = duckdb.connect(str(path), read_only=True, config=con_config)
    try:
        _seal(con, spatial=bool(_SPATIAL_CALL.search(sql)))
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise SQLError(f"query failed: {_first_line(exc)}") from None
        if len(statements) != 1:
            raise SQLError(f"expected exactly one SELECT statement; got {len(statements)}")
        kind = statements[0].type
        if kind != duckdb.StatementType.SELECT:
            raise SQLError(f"only a SELECT query runs in a workspace (it is read-only); got {kind.name}")
        try:
            relation = con.sql(sql)
            if relation is None:
                raise SQLError("the statement returned no rows; expected a SELECT query")
            if limit is not None:
                relation = relation.limit(limit)
            rows = relation.fetchall()
        except duckdb.PermissionException as exc:
            raise SQLError(
                f"refused: a workspace query cannot reach anything outside the workspace ({_first_line(exc)})"
            ) from None
        except duckdb.Error as exc:
            raise SQLError(f"query failed: {_first_line(exc)}") from None
        return QueryResult(list(relation.columns), [str(t) for t in relation.types], rows)
    finally:
        con.close()


def _seal(con: duckdb.DuckDBPyConnection, *, spatial: bool) -> None:
    """Load spatial when asked, then switch external access off and lock the configuration (once
    per DuckDB instance: connections to the same file in this process share one)."""
    with _SEAL_LOCK:
        locked = con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]
        if not locked:
            if spatial:
                extensions.load(con, "spatial")
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
        external = con.execute("SELECT current_setting('enable_external_access')").fetchone()[0]
    if external:  # locked by someone else with access on: never run a query like that
        raise SQLError("the workspace database is open with external access enabled; refusing to query it")


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def _first_line(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


__all__ = ["build", "column_sql", "hmac_pads", "pseudonym_sql", "query", "table_digest"]
