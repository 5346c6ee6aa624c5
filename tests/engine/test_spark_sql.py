"""The Spark engine's translation of the platform's SQL, and choosing the engine by setting.
No JVM is started here: the conformance suite (tests/conformance) runs the queries on Spark."""

from __future__ import annotations

from pathlib import Path

import pytest

from stadsdata.engine import create_engine
from stadsdata.engine.base import Engine
from stadsdata.engine.spark_engine import LOCAL, SparkEngine
from stadsdata.engine.spark_sql import lit, q, translate
from stadsdata.errors import SQLError
from stadsdata.platform import Platform
from tests.conftest import make_settings

DOCS = Path(__file__).parents[2] / "docs"


def test_a_dataset_name_becomes_its_view_and_keeps_its_name_as_alias() -> None:
    text = translate('SELECT "kwb@2".a, b FROM "kwb@2" JOIN x AS y ON y.a = "kwb@2".a', {"kwb@2": "v1", "x": "v2"})
    assert text == "SELECT `kwb@2`.a, b FROM v1 AS `kwb@2` JOIN v2 AS y ON y.a = `kwb@2`.a"


def test_a_cte_is_not_renamed() -> None:
    text = translate("WITH kwb AS (SELECT 1 AS a) SELECT a FROM kwb, t", {"t": "v9"})
    assert "FROM kwb, v9 AS `t`" in text


def test_an_ordered_list_keeps_its_order_on_spark() -> None:
    """sqlglot alone would write COLLECT_LIST(DISTINCT p) and drop the ORDER BY."""
    assert (
        translate("SELECT list(DISTINCT p ORDER BY p) FROM t") == "SELECT ARRAY_SORT(COLLECT_LIST(DISTINCT p)) FROM t"
    )


@pytest.mark.parametrize("order", ["ORDER BY q", "ORDER BY p DESC"])
def test_a_list_ordered_otherwise_is_refused_in_one_line(order: str) -> None:
    with pytest.raises(SQLError, match="not possible on Spark") as info:
        translate(f"SELECT list(p {order}) FROM t")
    assert "\n" not in str(info.value)


def test_duckdb_functions_are_translated() -> None:
    text = translate("SELECT TRY_CAST(x AS DOUBLE), NULLIF(y, 0), 'a' || s FROM t")
    assert "TRY_CAST(x AS DOUBLE)" in text and "NULLIF(y, 0)" in text


def test_one_statement_only() -> None:
    with pytest.raises(SQLError, match="one SELECT"):
        translate("SELECT 1; SELECT 2")


def test_quoting() -> None:
    assert q("a`b") == "`a``b`"
    assert lit("it's \\d") == "'it\\'s \\\\d'"


def test_the_setting_chooses_the_engine_without_starting_spark(tmp_path: Path) -> None:
    with Platform(make_settings(tmp_path / "home", engine="spark", spark_master="local[1]")) as p:
        assert isinstance(p.engine, SparkEngine) and p.engine.name == "spark"
        assert p.engine.config.master == "local[1]" and p.engine._spark is None  # started on the first query
    engine = create_engine("spark", spark_remote="sc://spark.example.nl:15002")
    assert isinstance(engine, SparkEngine) and engine.config.where == "sc://spark.example.nl:15002"
    with pytest.raises(ValueError, match="expected 'duckdb' or 'spark'"):
        create_engine("presto")


def test_what_stays_on_the_embedded_engine_is_every_other_method_and_documented() -> None:
    abstract = {name for name, v in vars(Engine).items() if getattr(v, "__isabstractmethod__", False)}
    on_spark = {"query", "check_rules"}
    assert set(LOCAL) | on_spark == abstract | {"prepare_rows"}
    text = (DOCS / "scaling.md").read_text(encoding="utf-8")
    for name in LOCAL:
        assert f"`{name}`" in text, f"docs/scaling.md does not say that {name} stays on DuckDB"
