"""Quality rules at ingest, on copies of the real CBS KWB 2019 Den Haag file with injected defects."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from stadsdata import demo
from stadsdata.core.contract import load_contract
from stadsdata.errors import ContractError, DeliveryError, QuarantinedError
from stadsdata.platform import Platform

KWB = "cbs_kwb_2019_den_haag"


def rows() -> list[list[str]]:
    with open(demo.data_path(KWB), encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write(path: Path, table: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def set_value(table: list[list[str]], code: str, column: str, value: str) -> int:
    """Set ``column`` of the row whose WijkenEnBuurten is ``code``; return its data-row number (1-based)."""
    header = table[0]
    for number, row in enumerate(table[1:], start=1):
        if row[header.index("WijkenEnBuurten")] == code:
            row[header.index(column)] = value
            return number
    raise AssertionError(code)


@pytest.fixture
def kwb(platform: Platform) -> Platform:
    platform.register(demo.contract_path(KWB))
    platform.ingest(demo.data_path(KWB), KWB)
    return platform


def test_the_real_file_passes_every_rule(kwb: Platform) -> None:
    report = kwb.quality_report(KWB)
    assert report["version"] == 1 and report["score"] == 100.0
    assert len(report["rules"]) == 8 and all(r["passed"] for r in report["rules"])
    # the reference table (KWB 2017, all of the Netherlands) is not loaded here: reported, not scored
    skipped = [r for r in report["rules"] if r.get("skipped")]
    assert [(r["rule"], r["skipped"]) for r in skipped] == [
        ("reference(WijkenEnBuurten -> cbs_kwb_2017_nl.WijkenEnBuurten)", "no_reference")
    ]
    assert {r["rule"] for r in report["rules"]} >= {"unique(WijkenEnBuurten)", "range(AantalInwoners_5)"}


def test_duplicate_negative_and_broken_code_quarantine_the_delivery(kwb: Platform, tmp_path: Path) -> None:
    table = rows()
    header = table[0]
    negative_row = set_value(table, "BU05180170", "AantalInwoners_5", "-15")
    broken_row = set_value(table, "WK051802", "WijkenEnBuurten", "WK05182")
    duplicate = list(table[10])
    table.append(duplicate)  # the buurt of row 10 twice
    file = write(tmp_path / "kwb_2019_fout.csv", table)
    with pytest.raises(QuarantinedError) as info:
        kwb.ingest(file, KWB)
    message = str(info.value)
    assert "\n" not in message and message.startswith("kwb_2019_fout.csv: quarantined: ")
    assert "unique(WijkenEnBuurten) 2 of 160 rows break it (first at row 10)" in message
    assert f"range(AantalInwoners_5) 1 of 160 rows break it (first at row {negative_row})" in message
    assert f"pattern(WijkenEnBuurten) 1 of 160 rows break it (first at row {broken_row})" in message
    # nothing published; the current version untouched and readable
    assert [v.number for v in kwb.catalog.versions(KWB)] == [1]
    assert kwb.sql(f"select count(*) from {KWB}").rows == [(159,)]
    delivery = kwb.metastore.list_deliveries(KWB)[-1]
    assert delivery.state == "quarantined" and Path(delivery.stored_path).read_bytes() == file.read_bytes()
    report = delivery.details["quality"]
    failed = {r["rule"]: r for r in report["rules"] if not r["passed"]}
    blocking = {name for name, r in failed.items() if r["severity"] == "blocking"}
    assert blocking == {"unique(WijkenEnBuurten)", "range(AantalInwoners_5)", "pattern(WijkenEnBuurten)"}
    # the negative count also breaks men + women = inhabitants: reported as the warning it is
    assert set(failed) - blocking == {"row_sum(Mannen_6, Vrouwen_7, AantalInwoners_5)"}
    assert failed["range(AantalInwoners_5)"]["examples"] == [{"row": negative_row, "values": {"AantalInwoners_5": -15}}]
    assert failed["pattern(WijkenEnBuurten)"]["examples"][0]["values"] == {"WijkenEnBuurten": "WK05182"}
    assert report["score"] < 100
    assert header  # the header is untouched
    # a duplicate key can never be released
    with pytest.raises(DeliveryError, match="cannot release: duplicate values of the key WijkenEnBuurten"):
        kwb.release(delivery.id, "De dienst heeft bevestigd dat dit klopt.")
    assert [v.number for v in kwb.catalog.versions(KWB)] == [1]


def test_release_with_a_reason_publishes_and_records_it(kwb: Platform, tmp_path: Path) -> None:
    table = rows()
    set_value(table, "BU05180170", "AantalInwoners_5", "-5")
    file = write(tmp_path / "kwb_2019_negatief.csv", table)
    with pytest.raises(QuarantinedError):
        kwb.ingest(file, KWB)
    quarantined = kwb.metastore.list_deliveries(KWB)[-1]
    with pytest.raises(DeliveryError, match="reason of at least 10 characters"):
        kwb.release(quarantined.id, "ok")
    result = kwb.release(quarantined.id, "CBS bevestigt de correctie; wordt volgende levering hersteld.")
    assert result.version == 2
    report = kwb.quality_report(KWB)
    assert report["released"]["reason"].startswith("CBS bevestigt") and report["released"]["by"] == "tester"
    assert report["released"]["from_delivery"] == quarantined.id
    assert kwb.metastore.get_delivery(quarantined.id).state == "released"
    assert kwb.sql(f"select AantalInwoners_5 from {KWB} where WijkenEnBuurten = 'BU05180170'").rows == [(-5,)]


def test_warnings_publish_but_lower_the_score(kwb: Platform, tmp_path: Path) -> None:
    table = rows()
    set_value(table, "WK051801", "Mannen_6", "40")  # the wijk has 0 inhabitants: men + women is now 40 off
    file = write(tmp_path / "kwb_2019_waarschuwing.csv", table)
    result = kwb.ingest(file, KWB)
    assert result.version == 2
    report = kwb.quality_report(KWB)
    failing = [r for r in report["rules"] if not r["passed"]]
    assert [(r["rule"], r["severity"], r["failing"]) for r in failing] == [
        ("row_sum(Mannen_6, Vrouwen_7, AantalInwoners_5)", "warning", 1)
    ]
    assert 99.0 < report["score"] < 100.0
    assert kwb.quality_report(KWB, 1)["score"] == 100.0  # the trend: each version keeps its own report


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [
        ("SoortRegio_2", "Stadsdeel", "allowed_values(SoortRegio_2)"),
        ("AantalInwoners_5", "", "completeness(AantalInwoners_5)"),
    ],
)
def test_each_other_blocking_kind_is_caught(kwb: Platform, tmp_path: Path, column: str, value: str, rule: str) -> None:
    table = rows()
    set_value(table, "BU05180271", column, value)
    with pytest.raises(QuarantinedError, match=rule.replace("(", r"\(").replace(")", r"\)")):
        kwb.ingest(write(tmp_path / "kwb.csv", table), KWB)


def test_a_rule_on_an_unknown_column_is_a_contract_error(tmp_path: Path) -> None:
    data = yaml.safe_load(demo.contract_path(KWB).read_text(encoding="utf-8"))
    data["quality"].append({"rule": "range", "column": "Inwoners", "min": 0})
    path = tmp_path / f"{KWB}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContractError, match="quality rule 9 \\(range\\): unknown column 'Inwoners'"):
        load_contract(path)
