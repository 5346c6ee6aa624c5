"""``stadsdata register import|list|show|export`` as a user runs them: real subprocesses on a demo
home (the real 2022 register, 96 entries, 26 of Gemeente Den Haag, and the demo's model cards), real files.

The import reports per entry what the v1.0 standard misses and which text is broken; list finds the
Den Haag algorithms by facet and by words; show prints every filled field under the standard's
title with the problems and the history; an export (JSON and CSV) validates against the v1.0
field definitions and re-imports with nothing changed; a broken file is refused with one line
naming the file and what was expected, and the register stays as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stadsdata.register.standard import STANDARD, validate
from tests.cli.run import stadsdata
from tests.demo_expect import REGISTER, REGISTER_DEN_HAAG

DEN_HAAG = "Gemeente Den Haag"
WMO = "gemeente-den-haag-wmo-voorspelmodel"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("register") / "home"
    result = stadsdata("demo", "--no-serve", home=home)
    assert result.returncode == 0, result.stderr
    line = f"algorithm register: {REGISTER} entries ({REGISTER_DEN_HAAG} of {DEN_HAAG}, 70 of 5 other organisations)"
    assert line in result.stdout
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


def listed(home: Path, *args: str) -> list[dict[str, object]]:
    result = stadsdata("register", "list", "--format", "json", *args, home=home)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_list_finds_the_den_haag_algorithms_by_facet_and_the_70_others(home: Path) -> None:
    everything = listed(home)
    assert len(everything) == REGISTER
    den_haag = listed(home, "--organization", DEN_HAAG)
    assert len(den_haag) == REGISTER_DEN_HAAG and {e["organization"] for e in den_haag} == {DEN_HAAG}
    assert sum(1 for e in everything if e["organization"] != DEN_HAAG) == 70
    in_use = listed(home, "--organization", DEN_HAAG, "--status", "In gebruik")
    assert 0 < len(in_use) < REGISTER_DEN_HAAG and {e["status"] for e in in_use} == {"In gebruik"}
    table = stadsdata("register", "list", "--q", "wmo voorspelmodel", home=home)
    assert WMO in table.stdout and table.stdout.rstrip().endswith("algorithms")


def test_show_prints_every_field_under_the_standards_title_with_problems_and_history(home: Path) -> None:
    result = stadsdata("register", "show", WMO, home=home)
    assert result.returncode == 0, result.stderr
    entry = next(e for e in listed(home) if e["id"] == WMO)
    for name, value in entry.items():
        if name in STANDARD and value not in (None, "", []):
            assert STANDARD[name].title in result.stdout, name
    assert "problem: publication_category: required" in result.stdout
    assert "problem: goal: contains 1 broken character(s)" in result.stdout
    assert "version 1:" in result.stdout
    missing = stadsdata("register", "show", "geen-algoritme", home=home)
    assert missing.returncode != 0 and "geen-algoritme" in missing.stderr


def test_import_reports_missing_fields_and_broken_text_per_entry(home: Path) -> None:
    result = stadsdata("register", "import", home=home)  # the operator (no platform user)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("96 entries: 0 new, 0 updated, 96 unchanged;")
    assert "96 miss required fields" in summary and "42 have broken characters" in summary
    row = table_rows(result.stdout)[WMO]
    assert "publication_category" in row[1]  # missing
    # broken text, by the 2022 field it came from (decision_making_process goes into v1.0's goal)
    assert set(row[3].replace(",", " ").split()) == {"decision_making_process", "human_intervention", "source_data"}


def table_rows(output: str) -> dict[str, list[str]]:
    """A rich table's rows by their first cell, with cells that wrap over lines joined."""
    rows: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0]:
            current = rows.setdefault(cells[0], cells)
        elif current is not None:
            for i, cell in enumerate(cells):
                current[i] = f"{current[i]} {cell}".strip()
    return rows


def test_an_analyst_may_read_but_not_import(home: Path) -> None:
    refused = as_user("ana", "register", "import", home=home)
    assert refused.returncode != 0 and "edit_register" in refused.stderr
    assert as_user("ana", "register", "show", WMO, home=home).returncode == 0


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_validates_and_reimports_without_loss(home: Path, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"register.{fmt}"
    written = stadsdata("register", "export", "--format", fmt, "--output", str(path), home=home)
    assert written.returncode == 0, written.stderr
    if fmt == "json":
        records = json.loads(path.read_text(encoding="utf-8"))
    else:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
        assert set(rows[0]) == set(STANDARD)
        records = [
            {k: json.loads(v) if STANDARD[k].type == "array" and v else v for k, v in r.items() if v} for r in rows
        ]
    assert len(records) == REGISTER
    problems = {e["id"]: e["problems"] for e in listed(home)}
    ids = {(e["organization"], e["name"]): e["id"] for e in listed(home)}
    for record in records:  # the export adds no problem: what is left is what the 2022 source lacks or broke
        assert set(record) <= set(STANDARD)
        found = [{"field": p.field, "message": p.message} for p in validate(record)]
        assert found == problems[ids[record["organization"], record["name"]]]
        for problem in found:
            assert (
                problem["message"].startswith("required")
                or "broken character" in problem["message"]
                or "expected at most" in problem["message"]
            ), problem
    before = listed(home)
    again = stadsdata("register", "import", "--format", fmt, str(path), home=home)
    assert again.returncode == 0, again.stderr
    assert f"{REGISTER} entries: 0 new, 0 updated, {REGISTER} unchanged;" in again.stdout
    assert listed(home) == before


def test_a_broken_file_is_refused_in_one_line_and_nothing_changes(home: Path, tmp_path: Path) -> None:
    before = listed(home)
    bad = tmp_path / "kapot.json"
    bad.write_text('[{"name": "Half", "organization": ', encoding="utf-8")
    result = stadsdata("register", "import", "--format", "json", str(bad), home=home)
    assert result.returncode != 0
    message = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(message) == 1 and "kapot.json" in message[0] and "not valid JSON: line 1" in message[0]
    cp1252 = tmp_path / "register.csv"
    cp1252.write_bytes("name,organization\nCafé,Gemeente X\n".encode("cp1252"))
    result = stadsdata("register", "import", "--format", "csv", str(cp1252), home=home)
    assert result.returncode != 0 and "register.csv" in result.stderr and "expected UTF-8" in result.stderr
    assert listed(home) == before


def test_register_with_a_contract_file_still_registers_a_dataset(home: Path, tmp_path: Path) -> None:
    result = stadsdata("register", str(tmp_path / "geen.yaml"), home=home)
    assert result.returncode != 0 and "geen.yaml" in result.stderr  # sent to `register contract`
