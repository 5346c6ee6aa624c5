"""Spark SQL text: the platform's SQL (DuckDB dialect) translated for Spark, quoting, type names.

The areas write one SQL dialect, DuckDB's (``stadsdata sql``, the indicator computation, the
summaries). The Spark engine translates a query with sqlglot (the same library Ibis compiles
with) before Spark sees it, so no area writes Spark SQL of its own. What sqlglot cannot
translate fails with a ``SQLError`` that names the query's problem, never a wrong answer.
"""

from __future__ import annotations

from typing import Any

from stadsdata.core.contract import ColumnType
from stadsdata.errors import SQLError

SPARK_TYPES = {
    ColumnType.string: "STRING",
    ColumnType.integer: "BIGINT",
    ColumnType.number: "DOUBLE",
    ColumnType.boolean: "BOOLEAN",
    ColumnType.date: "DATE",
    ColumnType.datetime: "TIMESTAMP",
    ColumnType.geometry: "BINARY",  # WKB, as stored
}


def q(name: str) -> str:
    """Quote an identifier for Spark SQL."""
    return "`" + name.replace("`", "``") + "`"


def lit(value: str) -> str:
    """A Spark SQL string literal (backslashes are escapes in Spark's literals)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def translate(sql: str, views: dict[str, str] | None = None) -> str:
    """One DuckDB-dialect SELECT as Spark SQL. ``views`` renames tables: a dataset's name in the
    query (``kwb@2`` is a valid quoted name in DuckDB) to the Spark view that holds it."""
    import sqlglot
    from sqlglot.errors import ParseError, UnsupportedError

    try:
        trees = [t for t in sqlglot.parse(sql, read="duckdb") if t is not None]
        if len(trees) != 1:
            raise SQLError(f"expected one SELECT query, got {len(trees)} statements")
        tree = _ordered_lists(trees[0])
        if views:
            _rename_tables(tree, views)
        return tree.sql(dialect="spark", unsupported_level=sqlglot.ErrorLevel.RAISE)
    except ParseError as exc:
        raise SQLError(f"query failed: {_first_line(str(exc))}") from None
    except UnsupportedError as exc:
        raise SQLError(f"query failed: not possible on Spark: {_first_line(str(exc))}") from None


def _rename_tables(tree: Any, views: dict[str, str]) -> None:
    from sqlglot import exp

    by_lower = {name.lower(): view for name, view in views.items()}
    for table in tree.find_all(exp.Table):
        view = by_lower.get(table.name.lower())
        if view is not None and not table.args.get("db"):
            if not table.alias:  # the query refers to its columns by the dataset's name
                table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name, quoted=True)))
            table.set("this", exp.to_identifier(view))


def _ordered_lists(tree: Any) -> Any:
    """``list(x ORDER BY x)`` becomes ``array_sort(collect_list(x))``: Spark's collect_list keeps
    no order (sqlglot would drop the ORDER BY silently). An order by another column, or a
    descending one, has no Spark equivalent here and is refused."""
    from sqlglot import exp

    for agg in list(tree.find_all(exp.ArrayAgg)):
        order = agg.this
        if not isinstance(order, exp.Order):
            continue
        inner = order.this
        value = inner.expressions[0] if isinstance(inner, exp.Distinct) else inner
        keys = order.expressions
        if len(keys) != 1 or keys[0].args.get("desc") or keys[0].this != value:
            raise SQLError("query failed: not possible on Spark: list(... ORDER BY ...) other than by the value")
        agg.replace(exp.Anonymous(this="ARRAY_SORT", expressions=[exp.ArrayAgg(this=inner.copy())]))
    return tree


def duckdb_type_name(data_type: Any) -> str:
    """A Spark data type under the name DuckDB gives the same type, so that a query's column
    types read the same on both engines (``QueryResult.types``)."""
    from pyspark.sql import types as T

    simple = {
        T.StringType: "VARCHAR",
        T.LongType: "BIGINT",
        T.IntegerType: "INTEGER",
        T.ShortType: "SMALLINT",
        T.ByteType: "TINYINT",
        T.DoubleType: "DOUBLE",
        T.FloatType: "FLOAT",
        T.BooleanType: "BOOLEAN",
        T.DateType: "DATE",
        T.TimestampType: "TIMESTAMP WITH TIME ZONE",
        T.TimestampNTZType: "TIMESTAMP",
        T.BinaryType: "BLOB",
        T.NullType: '"NULL"',
    }
    for kind, name in simple.items():
        if isinstance(data_type, kind):
            return name
    if isinstance(data_type, T.DecimalType):
        return f"DECIMAL({data_type.precision},{data_type.scale})"
    if isinstance(data_type, T.ArrayType):
        return duckdb_type_name(data_type.elementType) + "[]"
    return data_type.simpleString().upper()


def _first_line(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0] if text else "unknown error"
