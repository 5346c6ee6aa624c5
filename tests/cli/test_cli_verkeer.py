"""``stadsdata models verkeer hotspots|match`` as a user runs them: real subprocesses on a home with
the real BRON accidents and the real Assen reports. The ranked list of a gemeente as a table and as
JSON (equal to the published ``verkeer_hotspots``), an unknown gemeente as one line with nothing
written, the matching that says plainly when no place has both, and a user without rights on the
output refused by the policy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stadsdata.platform import Platform
from tests.cli.run import stadsdata
from tests.conftest import make_settings
from tests.models.verkeer.conftest import SOURCES, load_sources

REPORTS = "meldingen_assen_signalen_2026"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("verkeer-cli") / "home"
    with Platform(make_settings(home)) as p:
        load_sources(p, (*SOURCES, REPORTS))
    return home


def as_user(user: str, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STADSDATA_")}
    env.update({"COLUMNS": "250", "STADSDATA_USER": user})
    return subprocess.run(
        [sys.executable, "-m", "stadsdata.cli.main", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_hotspots_publishes_and_shows_the_ranked_list_of_utrecht(home: Path) -> None:
    result = stadsdata("models", "verkeer", "hotspots", "--gemeente", "GM0344", "--top", "5", home=home)
    assert result.returncode == 0, result.stderr
    assert "Utrecht: top 5 of " in result.stdout
    assert "verkeer_hotspots: version 1 (a new version)" in result.stdout
    assert "register: " in result.stdout and "(Verkeersrisicomodel)" in result.stdout

    shown = stadsdata("models", "verkeer", "hotspots", "-f", "json", home=home)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["gemeente"] == "GM0344" and data["naam"] == "Utrecht" and data["years"] == [2015, 2018]
    assert data["version"] == 1  # unchanged input: no new version
    rows = data["rows"]
    assert [r["rang"] for r in rows] == list(range(1, len(rows) + 1))
    with Platform(make_settings(home)) as p:
        stored = p.catalog.query(
            "SELECT locatie_id, risicoscore FROM \"verkeer_hotspots\" WHERE gemeentecode = 'GM0344' ORDER BY rang"
        ).rows
    assert [(r["locatie_id"], r["risicoscore"]) for r in rows] == [(a, b) for a, b in stored]
    top = rows[0]
    assert top["ongevallen"] == top["dodelijk"] + top["letsel"] + top["materieel"]
    assert top["gewogen_score"] == 10 * top["dodelijk"] + 3 * top["letsel"] + top["materieel"]


def test_an_unknown_gemeente_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Platform(make_settings(home)) as p:
        load_sources(p)
    result = stadsdata("models", "verkeer", "hotspots", "--gemeente", "GM9999", home=home)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "gemeente 'GM9999': no accidents in bron_ongevallen_utrecht_2015_2018" in lines[0]
    with Platform(make_settings(home)) as p:
        assert not p.metastore.has_dataset("verkeer_hotspots")


def test_match_says_that_no_place_has_both_accidents_and_reports(home: Path) -> None:
    result = stadsdata("models", "verkeer", "match", "--reports", REPORTS, "--distance", "100", home=home)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert out.startswith("no place has both accidents and reports: none of the ")
    assert "'Onveilige verkeerssituatie' reports in meldingen_assen_signalen_2026 (2025-2026)" in out
    assert "within 100 m of an accident location in bron_ongevallen_utrecht_2015_2018 (2015-2018)" in out
    assert out.endswith("nothing published")
    with Platform(make_settings(home)) as p:
        assert not p.metastore.has_dataset("verkeer_prioriteiten")


def test_match_with_a_dataset_that_is_no_reports_dataset_is_one_line(home: Path) -> None:
    result = stadsdata("models", "verkeer", "match", "--reports", "cbs_gemeenten_2024", home=home)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: cbs_gemeenten_2024: no column 'lon' (longitude (WGS84)); expected a reports dataset with the columns "
        "lon, lat and subcategorie (the Signalen contract, like meldingen_assen_signalen_2026)"
    ]


def test_bad_options_are_refused(home: Path) -> None:
    result = stadsdata("models", "verkeer", "match", "--reports", REPORTS, "--distance", "0", home=home)
    assert result.returncode != 0 and "distance: 0.0; expected metres > 0" in result.stderr
    result = stadsdata("models", "verkeer", "hotspots", "-f", "xml", home=home)
    assert result.returncode != 0 and "expected table or json" in result.stderr


def test_a_user_without_rights_on_the_output_is_refused(home: Path) -> None:
    with Platform(make_settings(home)) as p:
        if p.identity.unknown_users(["eva"]):
            p.identity.add_user("eva", display_name="Eva Analist", password="eva-wachtwoord-lang-genoeg", by="test")
    result = as_user("eva", "models", "verkeer", "hotspots", home=home)
    assert result.returncode != 0
    assert "verkeer_hotspots" in result.stderr and "ingest" in result.stderr
