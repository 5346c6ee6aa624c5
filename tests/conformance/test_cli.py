"""``--engine`` on the commands where it matters: ``stadsdata sql`` and ``stadsdata indicators
compute``, in-process (the Spark session of the suite is reused) on a copy of the demo home."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from stadsdata.cli.main import app
from stadsdata.platform import Platform
from tests.conftest import make_settings

RUNNER = CliRunner()
KWB = "cbs_kwb_2019_den_haag"


def run(home: Path, *args: str):  # type: ignore[no-untyped-def]
    return RUNNER.invoke(app, ["--home", str(home), *args], env={"STADSDATA_USER": "tester", "COLUMNS": "200"})


def test_sql_on_the_engine(conform_home: Path, engine_name: str) -> None:
    query = (
        f"SELECT SoortRegio_2 AS soort, count(*) AS n, sum(AantalInwoners_5) AS inwoners FROM {KWB} "
        "GROUP BY 1 ORDER BY 1"
    )
    result = run(conform_home, "sql", "--engine", engine_name, query, "-f", "csv")
    assert result.exit_code == 0, result.output
    with Platform(make_settings(conform_home)) as p:
        frame = pq.read_table(list(p.catalog.table_ref(KWB).files)).to_pandas()
    g = frame.groupby("SoortRegio_2").agg(n=("ID", "size"), inwoners=("AantalInwoners_5", "sum")).reset_index()
    want = [["soort", "n", "inwoners"]] + [[r.SoortRegio_2, str(r.n), str(r.inwoners)] for r in g.itertuples()]
    assert list(csv.reader(io.StringIO(result.stdout))) == want


def test_indicators_compute_on_the_engine_changes_nothing(conform_home: Path, engine_name: str, tmp_path: Path) -> None:
    """The same values on every engine: computing again makes no new version of indicatoren."""
    home = tmp_path / "home"
    shutil.copytree(conform_home, home)
    with Platform(make_settings(home)) as p:
        version = p.metastore.get_dataset("indicatoren").current_version
        count = len(p.indicators.definitions())
        values = sum(pq.ParquetFile(f).metadata.num_rows for f in p.catalog.table_ref("indicatoren").files)
    result = run(home, "indicators", "compute", "--engine", engine_name)
    assert result.exit_code == 0, result.output
    assert f"indicatoren: unchanged: version {version} stays; {count} indicators, {values:,} values" in result.stdout
    assert f"{engine_name}: computing {count} indicators from" in result.stderr


@pytest.mark.parametrize(
    "args", [["sql", "--engine", "presto", "SELECT 1"], ["indicators", "compute", "--engine", "presto"]]
)
def test_an_unknown_engine_is_one_line(conform_home: Path, args: list[str]) -> None:
    result = run(conform_home, *args)
    assert result.exit_code != 0
    assert str(result.exception) == "--engine 'presto' is not known; expected duckdb or spark"
