"""Export in the standard's download format (JSON, CSV): it validates against the v1.0 field
definitions and re-imports without loss."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from stadsdata.core.access import Actor
from stadsdata.errors import RegisterError
from stadsdata.platform import Platform
from stadsdata.register.standard import STANDARD, validate
from tests.conftest import make_settings
from tests.register.test_standard import valid


def records(data: bytes, fmt: str) -> list[dict]:
    if fmt == "json":
        return json.loads(data.decode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    for row in rows:
        for name, d in STANDARD.items():
            if d.type == "array":
                row[name] = json.loads(row[name]) if row[name] else []
    return rows


def filled(record: dict) -> dict:
    return {k: v for k, v in record.items() if v not in ("", [], None)}


@pytest.fixture
def loaded(reg_platform: Platform, officer: Actor) -> Platform:
    reg = reg_platform.algorithms
    reg.import_2022(by="tester")
    reg.create(
        officer,
        valid() | {"lawful_basis_grouping": [{"title": "Wmo 2015", "link": "https://wetten.overheid.nl/BWBR0035362"}]},
    )
    reg.create(officer, valid() | {"name": 'Regels met\nregeleinden, "quotes" en ; scheiding', "tags": "a, b"})
    return reg_platform


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_export_validates_against_the_standard(loaded: Platform, fmt: str) -> None:
    reg = loaded.algorithms
    data = reg.export(fmt)
    data.decode("utf-8")  # UTF-8
    exported = records(data, fmt)
    entries = reg.all()
    assert len(exported) == len(entries) == 98
    for record, entry in zip(exported, entries, strict=True):
        assert list(record) == list(STANDARD)  # every field, by its v1.0 name, in the standard's order
        # lengths, enums, types, groupings: the export adds no problem; the imported entries keep
        # exactly the problems the import reported (missing publication_category, U+FFFD, ...)
        assert validate(filled(record)) == entry.problems
    created = [r for r, e in zip(exported, entries, strict=True) if e.source == "portal"]
    assert len(created) == 2 and all(validate(filled(r)) == [] for r in created)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_export_reimports_without_loss(loaded: Platform, fmt: str, tmp_path: Path) -> None:
    data = loaded.algorithms.export(fmt)
    # into the same register: everything is found again and nothing changes
    same = loaded.algorithms.import_export(data, fmt, by="tester")
    assert (same.imported, same.updated, same.unchanged) == (0, 0, 98)
    # into an empty register: every entry comes back with exactly its fields
    with Platform(make_settings(tmp_path / "other")) as other:
        report = other.algorithms.import_export(data, fmt, by="tester")
        assert (report.imported, report.updated, report.unchanged) == (98, 0, 0)
        before = {(e.organization, e.name): e.fields for e in loaded.algorithms.all()}
        after = {(e.organization, e.name): e.fields for e in other.algorithms.all()}
        assert after == before
        assert sum(1 for r in report.entries if r.broken_text) == 42
        assert other.algorithms.export(fmt) == data


def test_a_changed_export_updates_the_entry(loaded: Platform) -> None:
    reg = loaded.algorithms
    exported = json.loads(reg.export("json"))
    wmo = next(r for r in exported if r["name"] == "Wmo-voorspelmodel")
    wmo["publication_category"] = "Impactvolle algoritmes"
    wmo["extra_field"] = "x"
    report = reg.import_export(json.dumps(exported).encode(), "json", by="tester")
    assert (report.imported, report.updated, report.unchanged) == (0, 1, 97)
    changed = next(r for r in report.entries if r.outcome == "updated")
    assert changed.unmapped == ["extra_field"]
    entry = reg.get("gemeente-den-haag-wmo-voorspelmodel")
    assert entry.publication_category == "Impactvolle algoritmes"
    assert reg.history(entry.id)[0].changes == {"publication_category": (None, "Impactvolle algoritmes")}


def test_bad_exports_are_one_line(reg_platform: Platform) -> None:
    reg = reg_platform.algorithms
    with pytest.raises(RegisterError, match="not an export format"):
        reg.export("xml")
    with pytest.raises(RegisterError, match="not valid JSON"):
        reg.import_export(b"[{", "json", by="t")
    with pytest.raises(RegisterError, match="row 2, column category: expected a JSON list"):
        reg.import_export(b"name,category\nx,Verkeer\n", "csv", by="t")
    with pytest.raises(RegisterError, match="not UTF-8"):
        reg.import_export(b"[\xff]", "json", by="t")
