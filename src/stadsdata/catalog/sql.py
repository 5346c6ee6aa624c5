"""Which tables a query names: a dataset id is its current version, ``"<id>@<n>"`` is version n."""

from __future__ import annotations

from stadsdata.core.identifiers import parse_versioned_name
from stadsdata.errors import SQLError


def referenced_tables(sql: str) -> set[str]:
    """Names of the tables a single read-only query reads (CTE names excluded)."""
    import sqlglot  # imported here: only `sql` needs it
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except ParseError as exc:
        first = str(exc).splitlines()[0]
        raise SQLError(f"could not parse the query: {first}") from None
    if len(statements) != 1:
        raise SQLError(f"expected exactly one SELECT statement, got {len(statements)}")
    statement = statements[0]
    if not isinstance(statement, exp.Query):
        raise SQLError(f"only read-only queries (SELECT ...) are allowed, not {statement.key.upper()}")
    ctes = {cte.alias_or_name for cte in statement.find_all(exp.CTE)}
    names: set[str] = set()
    for table in statement.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise SQLError("table functions (such as read_csv or read_parquet) are not allowed; query datasets by id")
        if table.args.get("db") or table.args.get("catalog"):
            raise SQLError(f"qualified table name {table.sql()} is not allowed; use the dataset id")
        if table.name not in ctes:
            names.add(table.name)
    return names


def split_name(name: str) -> tuple[str, int | None]:
    return parse_versioned_name(name)
