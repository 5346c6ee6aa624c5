"""Quality rules as SQL: one scan counts every row-level rule; uniqueness is one GROUP BY.

Examples of failing rows (their row number and the rule's columns) are fetched only for rules
that fail, a few each. Values come back raw; the caller masks personal-data columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from stadsdata.core.quality import (
    AllowedValues,
    Completeness,
    Pattern,
    Range,
    Reference,
    RowSum,
    Rule,
    Unique,
    result,
    skipped,
)
from stadsdata.engine.duckdb_sql import lit, q

EXAMPLES = 3


def _num(value: float) -> str:
    return repr(float(value))


def _failing(rule: Rule) -> str:
    """A SQL predicate that is true for a row that breaks the rule (row-level rules only)."""
    if isinstance(rule, Completeness):
        return f"{q(rule.column)} IS NULL"
    if isinstance(rule, Range):
        col = q(rule.column)
        parts = []
        if rule.min is not None:
            parts.append(f"{col} < {_num(rule.min)}")
        if rule.max is not None:
            parts.append(f"{col} > {_num(rule.max)}")
        return f"({col} IS NOT NULL AND ({' OR '.join(parts) or 'false'}))"
    if isinstance(rule, Pattern):
        col = q(rule.column)
        return f"({col} IS NOT NULL AND NOT regexp_full_match(CAST({col} AS VARCHAR), {lit(rule.pattern)}))"
    if isinstance(rule, AllowedValues):
        col = q(rule.column)
        values = ", ".join(lit(v) for v in rule.values)
        return f"({col} IS NOT NULL AND CAST({col} AS VARCHAR) NOT IN ({values}))"
    if isinstance(rule, RowSum):
        cols = [q(c) for c in rule.columns]
        present = " AND ".join(f"{c} IS NOT NULL" for c in [*cols, q(rule.total)])
        return f"({present} AND abs(({' + '.join(cols)}) - {q(rule.total)}) > {_num(rule.tolerance)})"
    raise TypeError(f"not a row-level rule: {rule.rule}")


def _reference_values(rule: Reference, references: dict[str, list[str]]) -> str:
    files = ", ".join(lit(f) for f in references[rule.dataset])
    return f"(SELECT DISTINCT CAST({q(rule.target)} AS VARCHAR) AS v FROM read_parquet([{files}]))"


def _reference_failing(rule: Reference, source: str, references: dict[str, list[str]], what: str) -> str:
    """Rows whose value is not in the referenced column (an anti join, not a per-row lookup)."""
    col = q(rule.column)
    return (
        f"SELECT {what} FROM {source} AS s ANTI JOIN {_reference_values(rule, references)} AS r "
        f"ON CAST(s.{col} AS VARCHAR) = r.v WHERE s.{col} IS NOT NULL"
    )


def check_rules(
    con: duckdb.DuckDBPyConnection, staged: Path, rules: list[Rule], references: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Row-level rules only: version rules (timeliness, change) are evaluated by the caller."""
    source = f"read_parquet({lit(str(staged))}, file_row_number=true)"
    row_rules = [(i, r) for i, r in enumerate(rules) if not isinstance(r, Unique | Reference)]
    counts = ", ".join(f"count(*) FILTER (WHERE {_failing(r)})" for _, r in row_rules)
    first = con.execute(f"SELECT count(*){', ' + counts if counts else ''} FROM {source}").fetchone()
    assert first is not None
    total = int(first[0])
    failing: dict[int, int] = {i: int(first[k + 1]) for k, (i, _) in enumerate(row_rules)}
    results: list[dict[str, Any]] = []
    for i, rule in enumerate(rules):
        if isinstance(rule, Unique):
            keys = ", ".join(q(c) for c in rule.columns)
            row = con.execute(
                f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {source} GROUP BY {keys} HAVING n > 1)"
            ).fetchone()
            failing[i] = int(row[0]) if row else 0
        elif isinstance(rule, Reference):
            if not references.get(rule.dataset):
                results.append(
                    skipped(rule, f"dataset {rule.dataset!r} has no version yet", "no_reference", dataset=rule.dataset)
                )
                continue
            row = con.execute(_reference_failing(rule, source, references, "count(*)")).fetchone()
            failing[i] = int(row[0]) if row else 0
        bad = failing[i]
        if isinstance(rule, Completeness):
            share = bad / total if total else 0.0
            passed = share <= rule.max_empty
            detail = f"{bad} of {total} empty ({share:.1%}); at most {rule.max_empty:.1%} allowed"
            excess = 0 if passed else bad - int(rule.max_empty * total)
            results.append(result(rule, total, excess, passed, detail, empty=bad, max_empty=rule.max_empty))
            continue
        detail = f"{bad} of {total} rows break it"
        facts: dict[str, Any] = {"bad": bad}
        if isinstance(rule, Reference):
            detail = f"{bad} of {total} values not found in {rule.dataset}.{rule.target}"
            facts["target"] = f"{rule.dataset}.{rule.target}"
        out = result(rule, total, bad, bad == 0, detail, **facts)
        if bad:
            out["examples"] = _examples(con, source, rule, out["columns"], references)
        results.append(out)
    return results


def _examples(
    con: duckdb.DuckDBPyConnection, source: str, rule: Rule, columns: list[str], references: dict[str, list[str]]
) -> list[dict[str, Any]]:
    select = ", ".join(q(c) for c in columns)
    if isinstance(rule, Reference):
        sql = _reference_failing(rule, source, references, f"s.file_row_number + 1, s.{q(rule.column)}")
        rows = con.execute(f"{sql} ORDER BY 1 LIMIT {EXAMPLES}").fetchall()
        return [{"row": int(r[0]), "values": {rule.column: r[1]}} for r in rows]
    if isinstance(rule, Unique):
        keys = ", ".join(q(c) for c in rule.columns)
        where = f"({keys}) IN (SELECT ({keys}) FROM {source} GROUP BY {keys} HAVING count(*) > 1)"
    else:
        where = _failing(rule)
    rows = con.execute(
        f"SELECT file_row_number + 1, {select} FROM {source} WHERE {where} ORDER BY file_row_number LIMIT {EXAMPLES}"
    ).fetchall()
    return [{"row": int(r[0]), "values": {c: r[k + 1] for k, c in enumerate(columns)}} for r in rows]
