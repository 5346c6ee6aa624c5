"""Every indicator definition on every engine: the full long table (indicator, region, period,
value, name, source) against the ``indicatoren`` version the demo computed when it loaded; the
same regions and periods, the same empties (secret or not available), the values to ``REL_TOL``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from stadsdata import demo
from stadsdata.indicators import compute as sql
from stadsdata.indicators.definitions import load_set
from stadsdata.platform import Platform
from tests.conftest import make_settings

REL_TOL = 1e-9  # the same arithmetic on the same doubles; only the order of a sum may differ
KEY = ["indicator", "regio", "periode"]
# the shipped definitions, read at collection time so that each gets its own test id
DEFINITIONS = sorted(load_set([demo.INDICATORS]).definitions)


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    """Per engine, the freshly computed table (engine name -> DataFrame), filled on demand."""
    return {"_dir": tmp_path_factory.mktemp("indicators")}


def _table(conform: Platform, engine_name: str, computed: dict) -> pd.DataFrame:  # type: ignore[type-arg]
    if engine_name not in computed:
        service = conform.indicators
        plan = sql.plan(service.current_set(), *service.sources())
        tables = {s.label: conform.catalog.table_ref(s.dataset_id, s.version) for s, _ in plan.sources}
        tables.update({b.label: conform.catalog.table_ref(b.dataset_id, b.version) for b in plan.boundaries})
        file = computed["_dir"] / f"{engine_name}.parquet"
        written = conform.engine.query_to_parquet(sql.build_sql(plan), tables, file)
        frame = pq.read_table(file).to_pandas()
        assert written == len(frame)
        computed[engine_name] = frame.sort_values(KEY).reset_index(drop=True)
    return computed[engine_name]


@pytest.fixture(scope="module")
def reference(conform_home: Path) -> pd.DataFrame:
    """The indicatoren version that the demo computed on DuckDB when it loaded."""
    with Platform(make_settings(conform_home)) as p:
        files = list(p.catalog.table_ref(sql.INDICATOR_DATASET).files)
    return pq.read_table(files).to_pandas().sort_values(KEY).reset_index(drop=True)


def _compare(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    assert len(got) == len(want), f"{what}: {len(got)} rows, expected {len(want)}"
    # the stored version widened periode to the contract's integer (int64); the computed file has int32
    got, want = got.astype({"periode": "int64"}), want.astype({"periode": "int64"})
    assert got[KEY].equals(want[KEY]), f"{what}: other indicators, regions or periods"
    for column in ("regionaam", "niveau", "gemeente", "wijk", "bron"):
        a, b = got[column].fillna("<leeg>"), want[column].fillna("<leeg>")
        assert a.equals(b), f"{what}: column {column} differs in {(a != b).sum()} rows"
    a, b = got.waarde, want.waarde
    assert a.isna().equals(b.isna()), f"{what}: empties differ in {(a.isna() != b.isna()).sum()} rows"
    for x, y, row in zip(a[a.notna()], b[b.notna()], got[a.notna()].itertuples(), strict=True):
        assert math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-12), f"{what}: {row.regio} {row.periode}: {x} != {y}"


def test_the_whole_table(conform: Platform, engine_name: str, computed: dict, reference: pd.DataFrame) -> None:  # type: ignore[type-arg]
    got = _table(conform, engine_name, computed)
    assert list(got.columns) == list(sql.COLUMNS)
    _compare(got, reference, "the indicator table")


def test_every_definition_has_values(conform: Platform, engine_name: str, computed: dict) -> None:  # type: ignore[type-arg]
    got = _table(conform, engine_name, computed)
    ids = set(conform.indicators.current_set().definitions)
    assert set(got.indicator) == ids, f"without values: {sorted(ids - set(got.indicator))}"


@pytest.mark.parametrize("indicator", DEFINITIONS)
def test_definition(
    conform: Platform,
    engine_name: str,
    computed: dict,
    reference: pd.DataFrame,
    indicator: str,  # type: ignore[type-arg]
) -> None:
    got = _table(conform, engine_name, computed)
    mine, theirs = got[got.indicator == indicator], reference[reference.indicator == indicator]
    assert len(theirs) > 0, f"{indicator}: no values in the reference"
    _compare(mine.reset_index(drop=True), theirs.reset_index(drop=True), indicator)
