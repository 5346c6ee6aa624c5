"""The reports aggregations are portable SQL: the Spark engine gives the very same dashboard as
DuckDB on the real Assen reports (every count, week, percentile and cell). Spark starts a local
JVM (``local[2]``); without PySpark or Java the test skips and says why."""

from __future__ import annotations

import pytest

from stadsdata.engine import create_engine, spark_session
from stadsdata.platform import Platform
from stadsdata.reports import TEMPLATE, UNSAFE_TRAFFIC, ReportFilter, Reports

pytestmark = pytest.mark.slow


def test_spark_gives_the_same_dashboard_as_duckdb(reports_platform: Platform) -> None:
    why = spark_session.available()
    if why is not None:
        pytest.skip(f"the Spark engine cannot run here: {why}")
    spark = Reports(reports_platform.catalog, create_engine("spark", spark_master="local[2]", spark_driver_memory="1g"))
    for f in (
        ReportFilter(),
        ReportFilter.parse("Wegen, verkeer en straatmeubilair", UNSAFE_TRAFFIC, "2026-06-01", ""),
    ):
        expected = reports_platform.reports.dashboard(TEMPLATE, f)
        got = spark.dashboard(TEMPLATE, f)
        for part in ("totals", "before_observation", "categories", "main", "areas", "weeks", "trend"):
            assert getattr(got, part) == getattr(expected, part), part
        assert (got.resolution, got.overall, got.cells) == (expected.resolution, expected.overall, expected.cells)
