"""DuckDB SQL text shared by the engine's modules: column types, quoted identifiers and literals."""

from __future__ import annotations

from stadsdata.core.contract import ColumnType

DUCKDB_TYPES = {
    ColumnType.string: "VARCHAR",
    ColumnType.integer: "BIGINT",
    ColumnType.number: "DOUBLE",
    ColumnType.boolean: "BOOLEAN",
    ColumnType.date: "DATE",
    ColumnType.datetime: "TIMESTAMPTZ",
    ColumnType.geometry: "BLOB",  # WKB, as stored
}


def q(name: str) -> str:
    """Quote an identifier for DuckDB."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A DuckDB string literal."""
    return "'" + value.replace("'", "''") + "'"
