"""``stadsdata models wmo train|forecast|evaluate`` on a real home: tables printed, the HTML
report written, bad input one line on stderr with nothing changed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from stadsdata.cli.main import app
from stadsdata.platform import Platform
from tests.conftest import make_settings

RUNNER = CliRunner()


def run(home: Path, *args: str):  # type: ignore[no-untyped-def]
    env = {"STADSDATA_HOME": str(home), "STADSDATA_USER": "beheer", "COLUMNS": "250"}
    return RUNNER.invoke(app, list(args), env=env)


def test_train_forecast_and_evaluate_with_a_report(wmo_platform: Platform, tmp_path: Path) -> None:
    home = wmo_platform.home
    wmo_platform.close()
    trained = run(home, "models", "wmo", "train")
    assert trained.exit_code == 0, trained.output
    assert "Rate ratios (quasi-Poisson GLM)" in trained.output and "pct_65plus" in trained.output
    assert "wmo_prognose: version 1 (a new version); 43 wijken x 5 years" in trained.output
    assert "register: gemeente-den-haag-wmo-prognose-per-wijk version 1" in trained.output
    again = run(home, "models", "wmo", "forecast")
    assert again.exit_code == 0 and "wmo_prognose: version 1 (unchanged, no new version)" in again.output
    report = tmp_path / "wmo.html"
    evaluated = run(home, "models", "wmo", "evaluate", "--report", str(report))
    assert evaluated.exit_code == 0, evaluated.output
    for check in ("(a) leave-one-wijk-out", "fairness: income tercile", "(b) backtest 2017 -> 2019"):
        assert check in evaluated.output
    assert "'s-Gravenhage" in evaluated.output and "12,895 -> 20" in evaluated.output
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and page.count("<table>") >= 5
    assert "Wijken left out (never treated as 0)" in page and "WK051843" in page
    with Platform(make_settings(home)) as p:
        assert p.metastore.get_dataset("wmo_prognose").current_version == 1


def test_evaluate_on_a_wrong_dataset_is_one_line_and_changes_nothing(wmo_platform: Platform) -> None:
    home = wmo_platform.home
    before = [(r.id, r.current_version) for r in wmo_platform.catalog.list()]
    wmo_platform.close()
    env = {**os.environ, "STADSDATA_HOME": str(home), "STADSDATA_USER": "beheer"}
    done = subprocess.run(
        [sys.executable, "-m", "stadsdata.cli.main", "models", "wmo", "evaluate", "--on", "cbs_kwb_2021_den_haag"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: cbs_kwb_2021_den_haag: no column 'gemiddeldinkomenperinwoner'")
    assert "expected a CBS Kerncijfers wijken en buurten table" in lines[0]
    with Platform(make_settings(home)) as p:
        assert [(r.id, r.current_version) for r in p.catalog.list()] == before
