"""The command line as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def stadsdata(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STADSDATA_")}
    return subprocess.run(
        [sys.executable, "-m", "stadsdata.cli.main", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "home"
    result = stadsdata("demo", "--no-serve", home=home)
    assert result.returncode == 0, result.stderr
    for dataset in (
        "cbs_kwb_2019_den_haag",
        "cbs_kwb_2017_nl",
        "cbs_kwb_2019_gemeenten",
        "cbs_gemeenten_2024",
        "algoritmeregister_2022",
    ):
        assert f"loaded {dataset}" in result.stdout
    assert "catalog list" in result.stdout  # where to look next
    return home


def test_done_when_count_is_159(demo_home: Path) -> None:
    result = stadsdata("sql", "select count(*) from cbs_kwb_2019_den_haag", "--format", "csv", home=demo_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["count_star()", "159"]


def test_sql_json_and_table(demo_home: Path) -> None:
    result = stadsdata(
        "sql",
        "select statcode, statnaam from cbs_gemeenten_2024 where statcode = 'GM0518'",
        "-f",
        "json",
        home=demo_home,
    )
    assert json.loads(result.stdout) == [{"statcode": "GM0518", "statnaam": "'s-Gravenhage"}]
    table = stadsdata("sql", 'select count(*) as n from "cbs_kwb_2019_den_haag@1"', home=demo_home)
    assert "159" in table.stdout and "1 row" in table.stdout


def test_catalog_commands(demo_home: Path) -> None:
    listed = stadsdata("catalog", "list", home=demo_home)
    assert listed.returncode == 0 and "5 datasets" in listed.stdout
    found = stadsdata("catalog", "search", "wmo", home=demo_home)
    assert "cbs_kwb_2019_den_haag" in found.stdout and "1 datasets match" in found.stdout
    shown = stadsdata("catalog", "show", "cbs_kwb_2019_den_haag", home=demo_home)
    assert shown.returncode == 0
    for text in ("openbaar", "WmoClienten_89", "CC-BY-4.0", "Versions", "159"):
        assert text in shown.stdout, text
    versions = stadsdata("versions", "cbs_gemeenten_2024", home=demo_home)
    assert "342" in versions.stdout


def test_user_error_is_one_line_and_non_zero(demo_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "leeg.csv"
    bad.write_bytes(b"")
    result = stadsdata("ingest", str(bad), "--dataset", "cbs_kwb_2019_gemeenten", home=demo_home)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: leeg.csv: the file is empty (0 bytes)")
    listed = stadsdata("deliveries", "--dataset", "cbs_kwb_2019_gemeenten", home=demo_home)
    assert "rejected" in listed.stdout
    path_id = stadsdata("ingest", str(bad), "--dataset", "../../etc", home=demo_home)
    assert path_id.returncode == 2 and "is not valid" in path_id.stderr
    unknown = stadsdata("sql", "select * from bestaat_niet", home=demo_home)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: query failed")


def test_demo_refuses_a_home_it_did_not_make(tmp_path: Path) -> None:
    home = tmp_path / "echt"
    home.mkdir()
    (home / "iets.txt").write_text("data van iemand")
    result = stadsdata("demo", "--no-serve", home=home)
    assert result.returncode == 2 and "did not create" in result.stderr
    assert (home / "iets.txt").exists()


def test_quality_report(demo_home: Path) -> None:
    result = stadsdata("quality", "report", "cbs_kwb_2019_den_haag", home=demo_home)
    assert result.returncode == 0, result.stderr
    assert "quality score 100.0 / 100" in result.stdout
    assert "range(AantalInwoners_5)" in result.stdout and "FAIL" not in result.stdout
    missing = stadsdata("quality", "report", "bestaat_niet", home=demo_home)
    assert missing.returncode == 2 and "bestaat_niet" in missing.stderr
