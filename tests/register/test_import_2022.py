"""The real 2022 register export (96 entries) imported into the v1.0 register, on each backend.

The counts asserted here are measured on the shipped file (src/stadsdata/demo/data/
algoritmeregister_2022-12-08.json): 96 entries, 26 of Gemeente Den Haag, 42 with U+FFFD somewhere.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from stadsdata.errors import NotFoundError, RegisterError
from stadsdata.platform import Platform
from stadsdata.register import REGISTER_2022, ImportReport
from stadsdata.register.mapping import UNMAPPED, map_2022
from stadsdata.register.standard import STANDARD, validate

RAW = json.loads(REGISTER_2022.read_text(encoding="utf-8"))
WMO = "gemeente-den-haag-wmo-voorspelmodel"


@pytest.fixture
def imported(reg_platform: Platform) -> ImportReport:
    return reg_platform.algorithms.import_2022(REGISTER_2022, by="tester")


def test_the_real_file_imports_with_a_report_per_entry(reg_platform: Platform, imported: ImportReport) -> None:
    assert (imported.imported, imported.updated, imported.unchanged) == (96, 0, 0)
    assert len(imported.entries) == 96 and len({e.id for e in imported.entries}) == 96
    organisations = Counter(e.organization for e in imported.entries)
    assert organisations == {
        "Gemeente Utrecht": 38,
        "Gemeente Den Haag": 26,
        "Ministerie BZK": 12,
        "Ministerie SZW": 9,
        "Gemeente Amsterdam": 7,
        "Gemeente Rotterdam": 4,
    }
    # required v1.0 fields absent after mapping: publication_category has no 2022 counterpart
    missing = Counter(m for e in imported.entries for m in e.missing)
    assert missing == {
        "publication_category": 96,
        "contact_email": 44,
        "description_short": 38,
        "status": 38,
        "lang": 38,
    }
    # U+FFFD: reported per entry and 2022 field, kept as it is
    broken = [e for e in imported.entries if e.broken_text]
    assert len(broken) == 42
    assert len(broken) == sum(1 for r in RAW if any("\ufffd" in v for v in r.values()))
    assert Counter(f for e in imported.entries for f in e.broken_text)["description"] == 27
    # fields v1.0 lacks, reported when they held a value
    unmapped = Counter(f for e in imported.entries for f in e.unmapped)
    assert unmapped["department"] == 96 and unmapped["schema"] == 96 and unmapped["area"] == 58
    assert unmapped["category"] == 12  # Basisregistratie: no v1.0 theme
    assert set(unmapped) <= set(UNMAPPED) | {"category"}
    # every entry is in the register, with its problems
    assert reg_platform.algorithms.count() == 96
    for report in imported.entries:
        entry = reg_platform.algorithms.get(report.id)
        assert entry.problems == report.problems == validate(entry.fields)
        assert set(entry.fields) <= set(STANDARD)
        assert entry.source == "import-2022" and entry.version == 1 and entry.updated_by == "tester"
        assert {f"{p.field}" for p in entry.problems} >= set(report.missing)


def test_broken_text_is_kept_and_flagged(reg_platform: Platform, imported: ImportReport) -> None:
    rotterdam = reg_platform.algorithms.get("gemeente-rotterdam-parkeercontrole")
    assert "auto\ufffds" in rotterdam.fields["description_short"]
    flagged = [p for p in rotterdam.problems if "U+FFFD" in p.message]
    assert [p.field for p in flagged] == ["description_short", "goal", "methods_and_models"]
    report = next(e for e in imported.entries if e.id == rotterdam.id)
    assert report.broken_text == [
        "description_short",
        "goal",
        "impact",
        "description",
        "methods_and_models",
        "monitoring",
    ]


def test_the_mapping_of_one_den_haag_entry(reg_platform: Platform, imported: ImportReport) -> None:
    raw = next(r for r in RAW if r["name"] == "Wmo-voorspelmodel")
    entry = reg_platform.algorithms.get(WMO)
    f = entry.fields
    assert (entry.name, entry.organization, entry.status) == ("Wmo-voorspelmodel", "Gemeente Den Haag", "In gebruik")
    assert f["lang"] == "nld" and f["standard_version"] == "1.0" and f["contact_email"] == "datashop@denhaag.nl"
    assert f["url"] == raw["url"] and f["source_data"] == raw["source_data"] and f["risks"] == raw["risks"]
    assert f["goal"] == f"{raw['goal']}\n\nImpact: {raw['impact']}\n\nProces: {raw['decision_making_process']}"
    assert f["human_intervention"] == f"{raw['human_intervention']}\n\nBezwaarprocedure: {raw['objection_procedure']}"
    assert f["methods_and_models"] == (
        f"{raw['methods_and_models']}\n\nOmschrijving: {raw['description']}\n\nType algoritme: Rule based"
        f"\n\nMonitoring: {raw['monitoring']}\n\nPrestatienormen: {raw['performance_standard']}"
    )
    assert "source_id" not in f  # the 2022 id is empty
    assert "category" not in f and "publication_category" not in f
    assert entry.publication_category == "" and entry.categories == []
    report = next(e for e in imported.entries if e.id == WMO)
    assert report.missing == ["publication_category"]
    assert report.unmapped == ["department", "MPRD", "schema", "area"]
    assert report.broken_text == ["decision_making_process", "source_data", "human_intervention"]
    assert [p.field for p in entry.problems if "U+FFFD" in p.message] == ["goal", "human_intervention", "source_data"]


def test_categories_dpia_and_source_id_map_to_v1() -> None:
    by_category = {r["category"]: map_2022(r) for r in RAW if r["category"]}
    assert by_category["Sociale zekerheid"].fields["category"] == ["Sociale zekerheid"]
    assert by_category["Veiligheid en handhaving"].fields["category"] == ["Openbare orde en veiligheid"]
    assert by_category["Infrastructuur"].fields["category"] == ["Ruimte en infrastructuur"]
    assert "category" not in by_category["Basisregistratie"].fields
    assert "category" in by_category["Basisregistratie"].unmapped
    dpia = map_2022(next(r for r in RAW if r["DPIA"] == "Ja"))
    assert dpia.fields["impacttoetsen_grouping"] == [{"title": "Data Protection Impact Assessment (DPIA)"}]
    assert dpia.fields["impacttoetsen"].startswith("Data protection impact assessment: Ja")
    no_dpia = map_2022(next(r for r in RAW if r["DPIA"] == "Nee"))
    assert "impacttoetsen_grouping" not in no_dpia.fields
    broken_id = map_2022(next(r for r in RAW if r["id"] == "\ufffd"))
    assert broken_id.fields["source_id"] == "\ufffd" and "id" in broken_id.broken_text
    uuid_record = dict(RAW[0], id="5b3f7e9a-36d4-4a1c-9f0e-0c8d1f0b6a11")
    assert map_2022(uuid_record).key == "import-2022:5b3f7e9a-36d4-4a1c-9f0e-0c8d1f0b6a11"
    assert map_2022(uuid_record).fields["source_id"] == "5b3f7e9a-36d4-4a1c-9f0e-0c8d1f0b6a11"


def test_reimport_is_idempotent_and_keeps_edits(
    reg_platform: Platform, imported: ImportReport, officer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    reg = reg_platform.algorithms
    reg.update(officer, WMO, {"publication_category": "Overige algoritmes"}, reason="categorie bepaald")
    again = reg.import_2022(REGISTER_2022, by="tester")
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 96)
    assert reg.count() == 96
    assert reg.get(WMO).fields["publication_category"] == "Overige algoritmes"  # the edit stays
    assert [v.number for v in reg.history(WMO)] == [2, 1]
    # a record that changed upstream updates only the fields its change touches
    changed = [dict(r) for r in RAW]
    wmo = next(r for r in changed if r["name"] == "Wmo-voorspelmodel")
    wmo["status"] = "Buiten gebruik"
    path = tmp_path / "register.json"
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    third = reg.import_2022(path, by="tester")
    assert (third.imported, third.updated, third.unchanged) == (0, 1, 95)
    entry = reg.get(WMO)
    assert entry.status == "Buiten gebruik" and entry.fields["publication_category"] == "Overige algoritmes"
    assert reg.history(WMO)[0].changes == {"status": ("In gebruik", "Buiten gebruik")}


def test_history_of_an_imported_entry_starts_with_the_import(reg_platform: Platform, imported: ImportReport) -> None:
    (first,) = reg_platform.algorithms.history(WMO)
    assert first.number == 1 and first.by == "tester" and "algoritmeregister_2022-12-08.json" in first.reason
    assert first.changes["name"] == (None, "Wmo-voorspelmodel")
    audit = reg_platform.audit.list(action="register_imported")
    assert len(audit) == 1 and audit[0].detail["imported"] == 96 and len(audit[0].detail["created"]) == 96


def test_search_and_facets(reg_platform: Platform, imported: ImportReport) -> None:
    reg = reg_platform.algorithms
    everything = reg.search(limit=200)
    assert everything.total == 96
    assert dict(everything.facets["organization"])["Gemeente Den Haag"] == 26
    assert dict(everything.facets["status"]) == {"In gebruik": 49, "Buiten gebruik": 5, "In ontwikkeling": 4}
    assert dict(everything.facets["category"]) == {
        "Sociale zekerheid": 11,
        "Openbare orde en veiligheid": 8,
        "Ruimte en infrastructuur": 1,
    }
    den_haag = reg.search(filters={"organization": ["Gemeente Den Haag"]}, limit=100)
    assert den_haag.total == 26 and {e.organization for e in den_haag.entries} == {"Gemeente Den Haag"}
    # the other facets count within the selection; the selected facet still shows every organisation
    assert dict(den_haag.facets["organization"])["Gemeente Utrecht"] == 38
    assert sum(n for _, n in den_haag.facets["status"]) == 26
    wmo = reg.search("WMO voorspelmodel")
    assert wmo.entries[0].id == WMO
    assert reg.search("verkeer", {"organization": ["Gemeente Den Haag"]}).total >= 3
    page = reg.search(offset=90, limit=50)
    assert page.total == 96 and len(page.entries) == 6
    with pytest.raises(RegisterError, match="filter 'type' is not a facet"):
        reg.search(filters={"type": ["x"]})


def test_get_by_id_and_by_source_id(reg_platform: Platform, imported: ImportReport) -> None:
    reg = reg_platform.algorithms
    with pytest.raises(NotFoundError, match="algorithm 'nope' not found"):
        reg.get("nope")
    with pytest.raises(NotFoundError):  # 12 entries share the broken 2022 id: no single entry
        reg.get("\ufffd")


def test_an_unreadable_file_is_one_line(reg_platform: Platform, tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text('{"name": "x"}', encoding="utf-8")
    with pytest.raises(RegisterError, match="expected a JSON list of objects"):
        reg_platform.algorithms.import_2022(bad, by="tester")
    with pytest.raises(RegisterError, match="cannot read"):
        reg_platform.algorithms.import_2022(tmp_path / "missing.json", by="tester")
