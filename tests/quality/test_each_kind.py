"""One defect of each kind, injected into a copy of the real CBS KWB 2019 Den Haag file.

The contract is the shipped one with every rule made blocking and the rules it lacks added
(timeliness, change, a range and a pattern on other columns), so that each defect breaks exactly
one rule: the test checks that it is caught by that rule, on that column, and nothing else.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from sqlalchemy import update

from stadsdata import demo
from stadsdata.errors import QuarantinedError
from stadsdata.metastore.models import VersionRow
from stadsdata.platform import Platform

KWB = "cbs_kwb_2019_den_haag"
NL = "cbs_kwb_2017_nl"
Table = list[list[str]]

EXTRA_RULES = [
    {"rule": "range", "column": "PercentageBewoond_38", "min": 0, "max": 100},
    {"rule": "pattern", "column": "MeestVoorkomendePostcode_113", "pattern": r"^\d{4}$"},
    {"rule": "timeliness", "grace_days": 30},
    {"rule": "change", "metric": "row_count", "max_change": 0.1},
    {"rule": "change", "metric": "mean", "column": "OppervlakteTotaal_110", "max_change": 0.5},
]


def real_rows() -> Table:
    with open(demo.data_path(KWB), encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write(path: Path, table: Table) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def cell(table: Table, code: str, column: str, value: str | Callable[[str], str]) -> None:
    header = table[0]
    for row in table[1:]:
        if row[header.index("WijkenEnBuurten")] == code:
            old = row[header.index(column)]
            row[header.index(column)] = value(old) if callable(value) else value
            return
    raise AssertionError(code)


def drop_30_buurten(table: Table) -> None:
    """19 % fewer rows; the mean area changes by about 12 %, within its bound."""
    kind = table[0].index("SoortRegio_2")
    buurten = [i for i, r in enumerate(table) if r[kind] == "Buurt"]
    for i in reversed(buurten[-30:]):
        del table[i]


@pytest.fixture
def strict(platform: Platform, tmp_path: Path) -> Platform:
    """The reference table and the Den Haag file loaded, under a contract where every rule blocks."""
    platform.register(demo.contract_path(NL))
    platform.ingest(demo.data_path(NL), NL)
    data = yaml.safe_load(demo.contract_path(KWB).read_text(encoding="utf-8"))
    data["update_frequency"] = "annual"
    data["quality"] = [{**r, "severity": "blocking"} for r in data["quality"] + EXTRA_RULES]
    contract = tmp_path / f"{KWB}.yaml"
    contract.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    platform.register(contract)
    platform.ingest(demo.data_path(KWB), KWB)
    report = platform.quality_report(KWB)
    assert report["score"] == 100.0 and all(r["passed"] for r in report["rules"])
    # checked, except the two rules that need a previous version
    assert sorted(r["rule"] for r in report["rules"] if r.get("skipped")) == [
        "change(mean of OppervlakteTotaal_110)",
        "change(row_count)",
        "timeliness",
    ]
    return platform


DEFECTS: dict[str, tuple[Callable[[Table], None], str, list[str]]] = {
    "completeness": (
        lambda t: cell(t, "BU05180271", "AantalInwoners_5", ""),
        "completeness(AantalInwoners_5)",
        ["AantalInwoners_5"],
    ),
    "range": (
        lambda t: cell(t, "BU05180271", "PercentageBewoond_38", "140"),
        "range(PercentageBewoond_38)",
        ["PercentageBewoond_38"],
    ),
    "pattern": (
        lambda t: cell(t, "BU05180271", "MeestVoorkomendePostcode_113", "25AB"),
        "pattern(MeestVoorkomendePostcode_113)",
        ["MeestVoorkomendePostcode_113"],
    ),
    "allowed_values": (
        lambda t: cell(t, "BU05180271", "SoortRegio_2", "Stadsdeel"),
        "allowed_values(SoortRegio_2)",
        ["SoortRegio_2"],
    ),
    "unique": (lambda t: t.append(list(t[10])), "unique(WijkenEnBuurten)", ["WijkenEnBuurten"]),
    "row_sum": (
        lambda t: cell(t, "WK051801", "Mannen_6", "40"),
        "row_sum(Mannen_6, Vrouwen_7, AantalInwoners_5)",
        ["Mannen_6", "Vrouwen_7", "AantalInwoners_5"],
    ),
    "reference": (
        lambda t: cell(t, "BU05180271", "WijkenEnBuurten", "BU05189999"),
        "reference(WijkenEnBuurten -> cbs_kwb_2017_nl.WijkenEnBuurten)",
        ["WijkenEnBuurten"],
    ),
    "change_rows": (drop_30_buurten, "change(row_count)", []),
    "change_mean": (
        lambda t: cell(t, "GM0518", "OppervlakteTotaal_110", lambda v: str(int(v) * 10)),
        "change(mean of OppervlakteTotaal_110)",
        ["OppervlakteTotaal_110"],
    ),
}


@pytest.mark.parametrize("kind", list(DEFECTS))
def test_each_defect_is_caught_by_its_rule_and_column(strict: Platform, tmp_path: Path, kind: str) -> None:
    inject, label, columns = DEFECTS[kind]
    table = real_rows()
    inject(table)
    with pytest.raises(QuarantinedError, match=label.replace("(", r"\(").replace(")", r"\)")):
        strict.ingest(write(tmp_path / f"kwb_{kind}.csv", table), KWB)
    delivery = strict.metastore.list_deliveries(KWB)[-1]
    assert delivery.state == "quarantined"
    failed = [r for r in delivery.details["quality"]["rules"] if not r["passed"]]
    assert [(r["rule"], r["columns"]) for r in failed] == [(label, columns)]
    assert [v.number for v in strict.catalog.versions(KWB)] == [1]  # the current version stays


def test_a_late_delivery_breaks_timeliness(strict: Platform) -> None:
    """Version 1 made 400 days ago; an annual dataset with 30 days' grace allows 396."""
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    with strict.metastore.session() as s:
        s.execute(update(VersionRow).where(VersionRow.dataset_id == KWB).values(created_at=long_ago))
    with pytest.raises(QuarantinedError, match=r"quarantined: timeliness 1 of 1 rows break it|timeliness"):
        strict.ingest(demo.data_path(KWB), KWB)
    report = strict.metastore.list_deliveries(KWB)[-1].details["quality"]
    failed = [r for r in report["rules"] if not r["passed"]]
    assert [(r["rule"], r["columns"]) for r in failed] == [("timeliness", [])]
    assert failed[0]["facts"]["allowed_days"] == 366 + 30 and failed[0]["facts"]["days"] >= 400
    # on time: the same file a day after version 1 passes every rule, and change finds nothing
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with strict.metastore.session() as s:
        s.execute(update(VersionRow).where(VersionRow.dataset_id == KWB).values(created_at=recent))
    assert strict.ingest(demo.data_path(KWB), KWB).version == 2
    assert all(r["passed"] and not r.get("skipped") for r in strict.quality_report(KWB)["rules"])
