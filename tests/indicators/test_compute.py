"""The computation on the real demo data: values checked against the CBS files read by hand,
secret cells that stay NULL, the versioned and catalogued indicator table with its lineage, the
recompute on a new source version, precedence between sources, and a second city."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.indicators.model import Level
from stadsdata.platform import Platform
from stadsdata.web import create_app
from tests.conftest import make_settings


def number(cell: str) -> float | None:
    return float(cell) if cell.strip() else None


def test_wmo_clients_per_1000_per_wijk_equal_the_cbs_figures(
    demo_platform: Platform, kwb2019: dict[str, dict[str, str]]
) -> None:
    values = demo_platform.indicators.values(["wmo_clienten_per_1000"], periods=[2019], gemeente="GM0518")
    by_region = {v.region: v for v in values}
    wijken = [c for c in kwb2019 if c.startswith("WK")]
    assert len([v for v in values if v.level == Level.wijk]) == len(wijken) == 44
    checked = 0
    for code, row in kwb2019.items():
        clients, inhabitants = number(row["WmoClienten_89"]), number(row["AantalInwoners_5"])
        value = by_region[code].value
        if clients is None or not inhabitants:
            assert value is None, code  # secret (or no inhabitants): NULL, never 0
            continue
        assert value == pytest.approx(1000 * clients / inhabitants), code
        relative = number(row["WmoClientenRelatief_90"])
        if relative is not None and code.startswith(("GM", "WK")):
            assert round(value) == pytest.approx(relative, abs=1), code  # CBS's own rounded figure
        checked += 1
    assert checked > 100
    assert by_region["WK051801"].value is None and by_region["WK051801"].secret  # Oostduinen: 0 inhabitants
    assert by_region["GM0518"].value == pytest.approx(1000 * 38085 / 537833)
    assert by_region["GM0518"].source == "cbs_kwb_2019_den_haag@1"


def test_secret_cells_stay_null_and_are_never_zero(demo_platform: Platform, kwb2017: dict[str, dict[str, str]]) -> None:
    values = demo_platform.indicators.values(["woz_waarde"], periods=[2017], level=Level.buurt)
    by_region = {v.region: v.value for v in values}
    empty = [c for c, r in kwb2017.items() if c.startswith("BU") and not r["GemiddeldeWoningwaarde_35"].strip()]
    assert len(empty) > 1000  # a real share of the buurten
    assert all(by_region[c] is None for c in empty)
    filled = [c for c, r in kwb2017.items() if c.startswith("BU") and r["GemiddeldeWoningwaarde_35"].strip()]
    assert all(by_region[c] == float(kwb2017[c]["GemiddeldeWoningwaarde_35"]) for c in filled)
    # shares: an empty numerator is NULL, and a region without inhabitants gives NULL, not 0 or infinity
    shares = demo_platform.indicators.values(["aandeel_65_plus"], periods=[2017], level=Level.buurt)
    for v in shares:
        row = kwb2017[v.region]
        old, inhabitants = number(row["k_65JaarOfOuder_12"]), number(row["AantalInwoners_5"])
        if old is None or not inhabitants:
            assert v.value is None, v.region
        else:
            assert v.value == pytest.approx(100 * old / inhabitants), v.region
    report_secret = demo_platform.sql("select count(*) - count(waarde) from indicatoren").rows[0][0]
    assert report_secret > 0
    zeros = demo_platform.sql(
        "select count(*) from indicatoren i join cbs_kwb_2017_nl k on k.WijkenEnBuurten = i.regio "
        "where i.indicator = 'woz_waarde' and i.periode = 2017 and k.GemiddeldeWoningwaarde_35 is null "
        "and i.waarde is not null and i.niveau in ('wijk', 'buurt')"  # a gemeente may get it from the panel
    ).rows[0][0]
    assert zeros == 0


def test_the_indicator_table_is_an_open_catalogued_dataset_with_lineage_to_every_source(
    demo_platform: Platform,
) -> None:
    view = demo_platform.catalog.show("indicatoren")
    assert view.record.classification == "openbaar" and view.contract.key == ["indicator", "regio", "periode"]
    upstream = {r.source_id for r in view.lineage["upstream"]}
    assert upstream == {
        "cbs_kwb_2017_nl",
        "cbs_kwb_2019_den_haag",
        "cbs_kwb_2021_den_haag",
        "wmo_hbh_gemeenten_2017_2019",
        "cbs_gemeenten_2024",
        "cbs_wijken_2019_den_haag",
        "cbs_buurten_2019_den_haag",
    } & (set(demo.DEMO_DATASETS) | {"cbs_kwb_2021_den_haag"})
    assert "cbs_kwb_2019_gemeenten" not in upstream  # other column names: binds to nothing
    assert "wmo_clienten_synthetisch" not in upstream  # vertrouwelijk: never a source of open data
    sources = {r[0] for r in demo_platform.sql("select distinct bron from indicatoren").rows}
    assert sources <= {f"{d}@1" for d in upstream}
    indicators = demo_platform.sql("select count(distinct indicator) from indicatoren").rows[0][0]
    assert indicators == len(demo_platform.indicators.definitions()) >= 30
    # every gemeente of the 2017 file (388) and 2019 Den Haag's wijken and buurten have values
    per = dict(
        demo_platform.sql(
            "select niveau || '/' || periode, count(distinct regio) from indicatoren "
            "where waarde is not null group by 1"
        ).rows
    )
    assert per["gemeente/2017"] >= 387 and per["land/2017"] == 1
    assert per["wijk/2017"] >= 3000 and per["buurt/2017"] >= 12000
    assert per["wijk/2019"] == 44 and per["buurt/2019"] >= 100 and per["gemeente/2019"] >= 300


def test_a_second_compute_without_new_sources_makes_no_new_version(demo_platform: Platform) -> None:
    before = demo_platform.catalog.versions("indicatoren")
    report = demo_platform.indicators.compute(by="tester")
    assert not report.changed and report.version == before[-1].number
    assert demo_platform.catalog.versions("indicatoren") == before
    assert report.values == before[-1].row_count and report.indicators >= 30
    assert 2017 in report.periods and 2019 in report.periods


def test_a_new_source_version_makes_a_new_indicator_version(
    demo_platform: Platform, tmp_path: Path, kwb2019: dict[str, dict[str, str]]
) -> None:
    before = demo_platform.catalog.versions("indicatoren")[-1].number
    source = demo.data_path("cbs_kwb_2019_den_haag")
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    code, clients = header.index("WijkenEnBuurten"), header.index("WmoClienten_89")
    for row in rows[1:]:
        if row[code] == "WK051802":
            row[clients] = str(int(row[clients]) + 100)  # a corrected delivery
    changed = tmp_path / "kwb_2019_den_haag.csv"
    with changed.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    result = demo_platform.ingest(changed, "cbs_kwb_2019_den_haag")  # the hook recomputes
    assert result.details["indicators"] == {"version": before + 1, "changed": True}
    [value] = demo_platform.indicators.values(["wmo_clienten_per_1000"], ["WK051802"], [2019])
    row = kwb2019["WK051802"]
    expected = 1000 * (float(row["WmoClienten_89"]) + 100) / float(row["AantalInwoners_5"])
    assert value.value == pytest.approx(expected) and value.source == "cbs_kwb_2019_den_haag@2"
    lineage = demo_platform.metastore.lineage("indicatoren")["upstream"]
    assert "cbs_kwb_2019_den_haag" in {r.source_id for r in lineage}
    # the 2017 values did not move
    [nl] = demo_platform.indicators.values(["inwoners"], ["NL00"], [2017])
    assert nl.value == 17081507 and nl.source == "cbs_kwb_2017_nl@1"


def test_precedence_a_value_beats_a_null_and_the_panel_never_counts_as_all_wmo(demo_platform: Platform) -> None:
    income = {v.period: v for v in demo_platform.indicators.values(["inkomen_per_inwoner"], ["GM0518"])}
    assert income[2019].value == 27.1 and income[2019].source == "cbs_kwb_2019_den_haag@1"  # the panel is empty in 2019
    assert income[2017].value == 25.8
    wmo = demo_platform.indicators.values(["wmo_clienten_per_1000"])
    assert wmo and all(not v.source.startswith("wmo_hbh") for v in wmo)  # excluded: household help only
    hbh = {v.period: v.value for v in demo_platform.indicators.values(["wmo_hbh_per_1000"], ["GM0518"])}
    assert hbh[2017] == pytest.approx(1000 * 12895 / 524882) and hbh[2019] == pytest.approx(1000 * 20 / 537833)


def test_a_second_city_gets_values_with_no_code_change(tmp_path: Path) -> None:
    """Utrecht (GM0344) cut from the all-NL 2017 file, delivered as a dataset of its own."""
    with demo.data_path("cbs_kwb_2017_nl").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    utrecht = [rows[0]] + [r for r in rows[1:] if r[0] in ("GM0344",) or r[0].startswith(("WK0344", "BU0344"))]
    file = tmp_path / "kwb_2017_utrecht.csv"
    with file.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(utrecht)
    with Platform(make_settings(tmp_path / "home")) as platform:
        platform.register(demo.contract_path("cbs_kwb_2017_nl"))  # its contract only, no rows
        result = platform.ingest(file, "kwb_2017_utrecht", like="cbs_kwb_2017_nl")
        assert result.details["indicators"]["changed"] is True
        values = platform.indicators.values(periods=[2017])
        regions = {v.region for v in values}
        assert regions == {r[0] for r in utrecht[1:]} and len(regions) == len(utrecht) - 1
        assert {v.source for v in values} == {"kwb_2017_utrecht@1"}
        [inhabitants] = platform.indicators.values(["inwoners"], ["GM0344"])
        assert inhabitants.value == float(utrecht[1][5]) == 343038
        assert platform.indicators.region("GM0344").name == "Utrecht"
        wijken = platform.indicators.regions(Level.wijk, "GM0344")
        assert len(wijken) == sum(1 for r in utrecht if r[0].startswith("WK"))
        profile = platform.indicators.profile(wijken[0].code)
        assert profile and all(row.reference is None or row.reference.region == "GM0344" for row in profile)
        # and the portal shows the new city's profile, with no code change
        with TestClient(create_app(platform)) as client:
            page = client.get("/indicatoren/regio/GM0344", headers={"accept": "text/html"})
            assert page.status_code == 200
            assert "Utrecht" in page.text and "343.038" in page.text
            wijk = client.get(f"/indicatoren/regio/{wijken[0].code}", headers={"accept": "text/html"})
            assert wijk.status_code == 200 and 'href="/indicatoren/regio/GM0344"' in wijk.text
