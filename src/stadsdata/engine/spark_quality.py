"""Quality rules as Spark SQL: the same rules and the same results as ``duckdb_quality``.

One scan counts every row-level rule; uniqueness is one GROUP BY; a reference is an anti join.
A row's number is its position in the staged Parquet file (``_metadata.row_index`` + 1), as
DuckDB's ``file_row_number``. Patterns are Java regular expressions here and RE2 in DuckDB: the
two agree on the patterns contracts use (classes, anchors, repetition); RE2-only syntax fails.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

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
from stadsdata.engine.spark_sql import lit, q

EXAMPLES = 3
_names = itertools.count()


def _num(value: float) -> str:
    return f"CAST({float(value)!r} AS DOUBLE)"


def _failing(rule: Rule) -> str:
    """A Spark SQL predicate that is true for a row that breaks the rule (row-level rules only)."""
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
        whole = "^(?:" + rule.pattern + ")$"  # a whole-value match, as DuckDB's regexp_full_match
        return f"({col} IS NOT NULL AND NOT (CAST({col} AS STRING) RLIKE {lit(whole)}))"
    if isinstance(rule, AllowedValues):
        col = q(rule.column)
        values = ", ".join(lit(v) for v in rule.values)
        return f"({col} IS NOT NULL AND CAST({col} AS STRING) NOT IN ({values}))"
    if isinstance(rule, RowSum):
        cols = [q(c) for c in rule.columns]
        present = " AND ".join(f"{c} IS NOT NULL" for c in [*cols, q(rule.total)])
        return f"({present} AND abs(({' + '.join(cols)}) - {q(rule.total)}) > {_num(rule.tolerance)})"
    raise TypeError(f"not a row-level rule: {rule.rule}")


def _reference_failing(rule: Reference, source: str, reference: str, what: str) -> str:
    """Rows whose value is not in the referenced column (an anti join)."""
    col = q(rule.column)
    values = f"(SELECT DISTINCT CAST({q(rule.target)} AS STRING) AS v FROM {reference})"
    return (
        f"SELECT {what} FROM {source} AS s LEFT ANTI JOIN {values} AS r "
        f"ON CAST(s.{col} AS STRING) = r.v WHERE s.{col} IS NOT NULL"
    )


def check_rules(spark: Any, staged: Path, rules: list[Rule], references: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Row-level rules only: version rules (timeliness, change) are evaluated by the caller."""
    n = next(_names)
    source = f"stadsdata_staged_{n}"
    spark.read.parquet(str(staged)).selectExpr("*", "_metadata.row_index + 1 AS __row").createOrReplaceTempView(source)
    views = [source]
    refs: dict[str, str] = {}
    try:
        for rule in rules:
            if isinstance(rule, Reference) and references.get(rule.dataset) and rule.dataset not in refs:
                name = f"stadsdata_reference_{n}_{len(refs)}"
                spark.read.option("mergeSchema", "true").parquet(*references[rule.dataset]).createOrReplaceTempView(
                    name
                )
                refs[rule.dataset] = name
                views.append(name)
        return _check(spark, source, rules, references, refs)
    finally:
        for view in views:
            spark.catalog.dropTempView(view)


def _check(
    spark: Any, source: str, rules: list[Rule], references: dict[str, list[str]], refs: dict[str, str]
) -> list[dict[str, Any]]:
    row_rules = [(i, r) for i, r in enumerate(rules) if not isinstance(r, Unique | Reference)]
    counts = "".join(f", count(CASE WHEN {_failing(r)} THEN 1 END)" for _, r in row_rules)
    first = spark.sql(f"SELECT count(*){counts} FROM {source}").collect()[0]
    total = int(first[0])
    failing: dict[int, int] = {i: int(first[k + 1]) for k, (i, _) in enumerate(row_rules)}
    results: list[dict[str, Any]] = []
    for i, rule in enumerate(rules):
        if isinstance(rule, Unique):
            keys = ", ".join(q(c) for c in rule.columns)
            row = spark.sql(
                f"SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM {source} GROUP BY {keys} "
                "HAVING count(*) > 1) AS d"
            ).collect()
            failing[i] = int(row[0][0]) if row else 0
        elif isinstance(rule, Reference):
            if not references.get(rule.dataset):
                results.append(
                    skipped(rule, f"dataset {rule.dataset!r} has no version yet", "no_reference", dataset=rule.dataset)
                )
                continue
            row = spark.sql(_reference_failing(rule, source, refs[rule.dataset], "count(*)")).collect()
            failing[i] = int(row[0][0]) if row else 0
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
            out["examples"] = _examples(spark, source, rule, out["columns"], refs)
        results.append(out)
    return results


def _examples(spark: Any, source: str, rule: Rule, columns: list[str], refs: dict[str, str]) -> list[dict[str, Any]]:
    select = ", ".join(q(c) for c in columns)
    if isinstance(rule, Reference):
        sql = _reference_failing(rule, source, refs[rule.dataset], f"s.__row, s.{q(rule.column)}")
        rows = spark.sql(f"{sql} ORDER BY 1 LIMIT {EXAMPLES}").collect()
        return [{"row": int(r[0]), "values": {rule.column: r[1]}} for r in rows]
    if isinstance(rule, Unique):
        keys = ", ".join(q(c) for c in rule.columns)
        where = f"({keys}) IN (SELECT {keys} FROM {source} GROUP BY {keys} HAVING count(*) > 1)"
    else:
        where = _failing(rule)
    rows = spark.sql(f"SELECT __row, {select} FROM {source} WHERE {where} ORDER BY __row LIMIT {EXAMPLES}").collect()
    return [{"row": int(r[0]), "values": {c: r[k + 1] for k, c in enumerate(columns)}} for r in rows]
