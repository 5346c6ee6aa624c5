"""Matching accident risk with residents' reports, on a SYNTHETIC fixture: reports placed by the test
near REAL Utrecht accident locations taken from the shipped BRON file. The priority order that the
placement implies is asserted; the real Assen reports (the demo) lie nowhere near an accident, and
the model says so."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from stadsdata.errors import ModelError
from stadsdata.models.verkeer.contract import PRIORITIES
from stadsdata.models.verkeer.matching import UNSAFE, Settings, match, unsafe_reports
from stadsdata.platform import Platform
from tests.models.verkeer.conftest import load_sources, synthetic_reports


def placement(ranked: pd.DataFrame) -> dict[str, tuple[pd.Series, int]]:
    """Which real Utrecht location gets how many SYNTHETIC reports."""
    utrecht = ranked[ranked["gemeentecode"] == "GM0344"].sort_values("rang").reset_index(drop=True)
    quiet = utrecht.iloc[len(utrecht) // 2]  # a location with an ordinary, low risk score
    return {
        "first": (utrecht.iloc[0], 2),  # the highest risk, two reports
        "second": (utrecht.iloc[1], 3),  # the second highest, three reports
        "third": (utrecht.iloc[2], 1),  # high risk, one report: perception not high
        "quiet": (quiet, 4),  # low risk, many reports
    }


def test_places_where_risk_and_reports_are_both_high_come_first(verkeer_platform: Platform, tmp_path: Path) -> None:
    p = verkeer_platform
    ranked = p.models.verkeer.compute().frame
    placed = placement(ranked)
    other = [(float(row["lon"]), float(row["lat"]), 2, "Losliggende tegels") for row, _ in placed.values()]
    contract, data = synthetic_reports(
        [(float(row["lon"]), float(row["lat"]), n, UNSAFE) for row, n in placed.values()] + other, tmp_path
    )
    p.register(contract)
    p.ingest(data, "meldingen_synthetisch_utrecht")
    assert "SYNTHETIC" in p.catalog.show("meldingen_synthetisch_utrecht").contract.title.en

    matched = p.models.verkeer.match(reports="meldingen_synthetisch_utrecht", settings=Settings(distance=50))
    m = matched.match
    assert m.overlaps and m.gemeenten == ["GM0344"] and m.times_overlap
    assert m.reports == 10 and m.matched_reports == 10  # the other subcategory is not counted
    order = list(m.priorities["locatie_id"])
    ids = {name: row["locatie_id"] for name, (row, _) in placed.items()}
    # both high: rank 1 (2 reports, rank product 1 x 3) before rank 2 (3 reports, 2 x 2)
    assert order[:2] == [ids["first"], ids["second"]]
    # then high risk only, with the lowest rank product first: rank 3 has a report, the rest none
    assert order[2] == ids["third"]
    head = m.priorities.set_index("locatie_id")
    assert head.loc[ids["first"], "kwadrant"] == head.loc[ids["second"], "kwadrant"] == "beide hoog"
    assert head.loc[ids["third"], "kwadrant"] == "alleen risico hoog"
    assert head.loc[ids["quiet"], "kwadrant"] == "alleen meldingen hoog"
    risky = (head["kwadrant"] == "alleen risico hoog").sum()
    assert head.loc[ids["quiet"], "prioriteit"] == 2 + risky + 1  # right after every high-risk place
    assert head.loc[ids["quiet"], "meldingen"] == 4

    # published with its contract and lineage to both inputs
    assert matched.version == 1
    stored = p.catalog.query(f'SELECT locatie_id FROM "{PRIORITIES}" ORDER BY prioriteit LIMIT 3').rows
    assert [r[0] for r in stored] == order[:3]
    upstream = {r.source_id for r in p.metastore.lineage(PRIORITIES)["upstream"]}
    assert upstream == {"bron_ongevallen_utrecht_2015_2018", "meldingen_synthetisch_utrecht"}


def test_the_real_assen_reports_have_no_accident_nearby_and_nothing_is_published(verkeer_platform: Platform) -> None:
    p = verkeer_platform
    load_sources(p, ("meldingen_assen_signalen_2026",))
    matched = p.models.verkeer.match(reports="meldingen_assen_signalen_2026")
    m = matched.match
    assert not m.overlaps and m.priorities.empty and matched.version is None
    assert m.reports > 100 and m.matched_reports == 0
    assert m.accident_years == (2015, 2018) and m.report_years is not None and m.report_years[0] >= 2025
    assert not m.times_overlap
    assert not p.metastore.has_dataset(PRIORITIES)


def test_a_reports_dataset_without_coordinates_is_one_clear_line(verkeer_platform: Platform) -> None:
    with pytest.raises(ModelError) as caught:
        verkeer_platform.models.verkeer.match(reports="cbs_gemeenten_2024")
    message = str(caught.value)
    assert message.startswith("cbs_gemeenten_2024: no column 'lon' (longitude (WGS84)); expected a reports dataset")
    assert "\n" not in message


def test_a_report_without_a_place_names_its_row() -> None:
    frame = pd.DataFrame({"lon": [6.5, None], "lat": [53.0, 53.0], "subcategorie": [UNSAFE, UNSAFE]})
    with pytest.raises(ModelError, match=r"^meldingen_x: row 2, column lon: .*expected a coordinate in WGS84"):
        unsafe_reports("meldingen_x", frame)


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="distance: 0"):
        Settings(distance=0)
    with pytest.raises(ValueError, match="min_reports: 0"):
        Settings(min_reports=0)


def test_no_reports_means_no_match() -> None:
    empty = pd.DataFrame({"lon": [], "lat": []})
    hot = pd.DataFrame({"gemeentecode": ["GM0344"], "rd_x": [1.0], "rd_y": [1.0], "risicoscore": [1.0]})
    assert not match(hot, empty).overlaps
