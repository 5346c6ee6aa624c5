"""The SYNTHETIC Wmo client register: reproducible, true to the real KWB aggregates it is built
from, internally consistent, ingestible under its contract, and never shown to the public.

The checks read the real KWB file themselves and use the weights as documented (in the module and
in demo/data/SOURCES.md), not only the generator's own helpers.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.core.contract import Classification, PersonalData, load_contract
from stadsdata.demo import synthetic_wmo as wmo
from stadsdata.platform import Platform

DATASET = "wmo_clienten_synthetisch"
KWB = "cbs_kwb_2019_den_haag"

#: The documented weighting (SOURCES.md "SYNTHETIC"): KWB age column, ages, relative Wmo use.
DOCUMENTED_BANDS = (
    ("k_0Tot15Jaar_8", 0, 14, 0.2),
    ("k_15Tot25Jaar_9", 15, 24, 0.6),
    ("k_25Tot45Jaar_10", 25, 44, 1.0),
    ("k_45Tot65Jaar_11", 45, 64, 1.8),
    ("k_65JaarOfOuder_12", 65, 104, 7.5),
)
PROVISIONS = {
    "Hulp bij het huishouden",
    "Begeleiding",
    "Dagbesteding",
    "Hulpmiddelen en woningaanpassingen",
    "Vervoersvoorziening",
    "Beschermd wonen",
}


# -- the inputs and the file, read independently of the generator ---------------------------------
@pytest.fixture(scope="module")
def kwb() -> dict[str, dict[str, str]]:
    with wmo.KWB_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["Codering_3"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with wmo.OUTPUT_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def passes_elfproef(number: str) -> bool:
    digits = [int(d) for d in number]
    return (
        len(digits) == 9
        and (sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]) % 11 == 0
    )


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    quotas = [total * w / sum(weights) for w in weights]
    shares = [int(q) for q in quotas]
    for i in sorted(range(len(quotas)), key=lambda i: (shares[i] - quotas[i], i))[: total - sum(shares)]:
        shares[i] += 1
    return shares


def count(value: str) -> int:
    return int(value) if value else 0


# -- reproducible ---------------------------------------------------------------------------------
def test_committed_file_is_the_generator_output() -> None:
    assert wmo.OUTPUT_FILE.read_bytes() == wmo.generate(), (
        "data/wmo_clienten_synthetisch.csv is stale: run `uv run python -m stadsdata.demo.synthetic_wmo` "
        "and update its sha256 in data/SOURCES.md"
    )


def test_generation_is_deterministic_and_seeded(tmp_path: Path) -> None:
    assert wmo.main([str(tmp_path / "again.csv")]) == 0
    assert (tmp_path / "again.csv").read_bytes() == wmo.OUTPUT_FILE.read_bytes()
    assert wmo.generate(seed=wmo.SEED + 1) != wmo.OUTPUT_FILE.read_bytes()


def test_sources_records_the_files_sha256_and_labels_it_synthetic() -> None:
    sources = (demo.DATA / "SOURCES.md").read_text(encoding="utf-8")
    section = sources[sources.index("## SYNTHETIC: wmo_clienten_synthetisch.csv") :]
    assert hashlib.sha256(wmo.OUTPUT_FILE.read_bytes()).hexdigest() in section
    assert "No row describes a real person" in section


def test_file_format(rows: list[dict[str, str]]) -> None:
    raw = wmo.OUTPUT_FILE.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and raw.endswith(b"\n")
    assert raw.decode("utf-8").splitlines()[0] == ";".join(wmo.COLUMNS)
    assert list(rows[0]) == list(wmo.COLUMNS)
    assert all(None not in row and None not in row.values() for row in rows)  # no short or long rows


# -- true to the real aggregates -------------------------------------------------------------------
def test_counts_per_wijk_equal_the_real_column(kwb: dict[str, dict[str, str]], rows: list[dict[str, str]]) -> None:
    per_wijk = Counter(row["wijkcode"] for row in rows)
    wijken = {code: row for code, row in kwb.items() if row["SoortRegio_2"] == "Wijk"}
    assert len(wijken) == 44 and set(per_wijk) <= set(wijken)
    for code, row in wijken.items():
        assert per_wijk.get(code, 0) == count(row["WmoClienten_89"]), code
    empty = sorted(code for code, row in wijken.items() if not row["WmoClienten_89"])
    assert empty == ["WK051801", "WK051810", "WK051843"]  # as documented: secret/missing -> 0 clients
    assert len(rows) == sum(count(row["WmoClienten_89"]) for row in wijken.values()) == 36_830


def test_buurten_lie_in_their_wijk_and_follow_the_buurt_counts(
    kwb: dict[str, dict[str, str]], rows: list[dict[str, str]]
) -> None:
    per_buurt = Counter((row["wijkcode"], row["buurtcode"]) for row in rows)
    for wijk, buurt in per_buurt:
        assert buurt.startswith("BU") and buurt[2:8] == wijk[2:8] and kwb[buurt]["SoortRegio_2"] == "Buurt"
    for code, row in kwb.items():
        if row["SoortRegio_2"] != "Wijk" or not row["WmoClienten_89"]:
            continue
        buurten = sorted(b for b, r in kwb.items() if r["SoortRegio_2"] == "Buurt" and b[2:8] == code[2:8])
        expected = largest_remainder(count(row["WmoClienten_89"]), [count(kwb[b]["WmoClienten_89"]) for b in buurten])
        assert [per_buurt.get((code, b), 0) for b in buurten] == expected, code


def test_ages_are_plausible_and_weighted_as_documented(
    kwb: dict[str, dict[str, str]], rows: list[dict[str, str]]
) -> None:
    assert [(b.column, b.low, b.high, b.weight) for b in wmo.USE_WEIGHTS] == list(DOCUMENTED_BANDS)
    births = [dt.date.fromisoformat(row["geboortedatum"]) for row in rows]
    assert all(0 <= age_on(b, dt.date(2019, 12, 31)) <= 105 for b in births)
    assert all(age_on(b, dt.date(2019, 1, 1)) >= 0 for b in births)

    def band(age: int) -> int:
        return next(i for i, (_, low, high, _) in enumerate(DOCUMENTED_BANDS) if low <= age <= high)

    per_wijk_band = Counter(
        (row["wijkcode"], band(age_on(b, wmo.AGE_DATE))) for row, b in zip(rows, births, strict=True)
    )
    for code in {row["wijkcode"] for row in rows}:
        inhabitants = [count(kwb[code][column]) for column, *_ in DOCUMENTED_BANDS]
        weights = [n * w for n, (*_, w) in zip(inhabitants, DOCUMENTED_BANDS, strict=True)]
        expected = largest_remainder(count(kwb[code]["WmoClienten_89"]), weights)
        got = [per_wijk_band.get((code, i), 0) for i in range(len(DOCUMENTED_BANDS))]
        assert got == expected, code
        assert all(c <= n for c, n in zip(got, inhabitants, strict=True)), (
            f"{code}: more clients than inhabitants in a band"
        )
    old = sum(1 for b in births if age_on(b, wmo.AGE_DATE) >= 65)
    assert 0.5 < old / len(rows) < 0.6  # Wmo clients are mostly older (54 %, as SOURCES.md says)
    assert sum(1 for b in births if age_on(b, wmo.AGE_DATE) >= 100) < 100  # centenarians stay rare


def test_postcodes_are_the_buurts_pc4_plus_two_letters(
    kwb: dict[str, dict[str, str]], rows: list[dict[str, str]]
) -> None:
    wijk_pc4 = {
        wijk: {r["MeestVoorkomendePostcode_113"] for b, r in kwb.items() if b.startswith("BU") and b[2:8] == wijk[2:8]}
        for wijk in {row["wijkcode"] for row in rows}
    }
    for row in rows:
        postcode = row["postcode"]
        assert re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", postcode), postcode
        assert postcode[4:] not in {"SA", "SD", "SS"}
        assert postcode[:4] == kwb[row["buurtcode"]]["MeestVoorkomendePostcode_113"]
        assert postcode[:4] in wijk_pc4[row["wijkcode"]]


def test_every_bsn_is_made_up_unique_and_passes_the_elfproef(rows: list[dict[str, str]]) -> None:
    numbers = [row["bsn"] for row in rows]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"999\d{6}", n) and passes_elfproef(n) for n in numbers)
    assert passes_elfproef("111222333") and passes_elfproef("123456782") and not passes_elfproef("123456789")
    assert wmo.elfproef("123456782") and not wmo.elfproef("123456789") and not wmo.elfproef("12345678")


def test_dates_are_consistent(rows: list[dict[str, str]]) -> None:
    ended = 0
    for row in rows:
        birth = dt.date.fromisoformat(row["geboortedatum"])
        start = dt.date.fromisoformat(row["startdatum"])
        assert max(dt.date(2016, 1, 1), birth) <= start <= dt.date(2019, 12, 31), row
        if row["einddatum"]:
            end = dt.date.fromisoformat(row["einddatum"])
            assert start < end and dt.date(2019, 1, 1) <= end <= dt.date(2019, 12, 30), row
            ended += 1
    assert 0.18 < ended / len(rows) < 0.22  # about one in five ended during 2019


def test_provisions_fit_the_age(rows: list[dict[str, str]]) -> None:
    seen = Counter(row["voorziening"] for row in rows)
    assert set(seen) == PROVISIONS
    for row in rows:
        age = age_on(dt.date.fromisoformat(row["geboortedatum"]), wmo.AGE_DATE)
        if age < 18:
            assert row["voorziening"] in {"Hulpmiddelen en woningaanpassingen", "Vervoersvoorziening"}, row
        if row["voorziening"] == "Beschermd wonen":
            assert 18 <= age < 65, row


def test_apportion_is_exact_and_rejects_empty_weights() -> None:
    assert wmo.apportion(10, [1, 1, 1]) == [4, 3, 3]  # ties go to the earlier position
    assert wmo.apportion(7, [0, 5, 2]) == [0, 5, 2]
    assert sum(wmo.apportion(1001, [0.3, 7.5, 1.8, 0.2])) == 1001
    assert wmo.apportion(0, [0, 0]) == [0, 0]
    with pytest.raises(ValueError, match="cannot share 3"):
        wmo.apportion(3, [0, 0])


# -- the contract and the platform -----------------------------------------------------------------
def test_contract_is_vertrouwelijk_with_personal_data_flags() -> None:
    contract = load_contract(demo.contract_path(DATASET))
    assert contract.classification == Classification.vertrouwelijk
    assert "SYNTHETISCH" in contract.title.nl and "SYNTHETIC" in (contract.title.en or "")
    assert "SYNTHETISCH" in contract.description.nl and "SYNTHETIC" in (contract.description.en or "")
    assert contract.column_names == list(wmo.COLUMNS)
    assert contract.key == ["bsn"]
    flags = {c.name: c.personal_data for c in contract.columns}
    assert flags["bsn"] == PersonalData.direct_identifier
    assert flags["geboortedatum"] == flags["postcode"] == flags["buurtcode"] == PersonalData.quasi_identifier
    assert flags["voorziening"] == PersonalData.special_category
    assert flags["wijkcode"] == PersonalData.none
    allowed = next(r for r in contract.quality if r.rule == "allowed_values")
    assert set(allowed.values) == PROVISIONS  # type: ignore[union-attr]
    assert "Wmo 2015" in contract.legal_basis and "9 lid 2 onder h" in contract.legal_basis
    assert contract.retention.period == "P15Y"


def test_registered_last_in_the_demo() -> None:
    assert list(demo.DEMO_DATASETS)[-1] == DATASET
    assert demo.data_path(DATASET) == wmo.OUTPUT_FILE


def test_ingests_with_quality_score_100(platform: Platform) -> None:
    platform.register(demo.contract_path(KWB))
    platform.ingest(demo.data_path(KWB), KWB)
    platform.register(demo.contract_path(DATASET))
    result = platform.ingest(demo.data_path(DATASET), DATASET)
    assert result.row_count == 36_830
    report = platform.quality_report(DATASET)
    assert report["score"] == 100.0
    rules = {r["rule"]: r for r in report["rules"]}
    assert all(r["passed"] and not r.get("skipped") for r in rules.values()), rules
    assert rules["reference(wijkcode -> cbs_kwb_2019_den_haag.WijkenEnBuurten)"]["checked"] == 36_830
    per_wijk = dict(platform.sql(f"SELECT wijkcode, count(*) FROM {DATASET} GROUP BY wijkcode").rows)
    assert per_wijk["WK051829"] == 3395  # Schilderswijk (WK051829): WmoClienten_89 in the KWB


@pytest.fixture
def client(demo_platform: Platform) -> Iterator[TestClient]:
    from stadsdata.web import create_app

    with TestClient(create_app(demo_platform)) as test_client:
        yield test_client


def test_the_demo_loads_it_but_the_public_never_sees_it(
    demo_platform: Platform, client: TestClient, rows: list[dict[str, str]]
) -> None:
    assert demo_platform.catalog.summary(DATASET)["rows"] == 36_830  # loaded by load_demo
    some_bsns = [row["bsn"] for row in rows[::5000]]
    listed = client.get("/api/v1/datasets", params={"limit": 100}).json()
    assert DATASET not in {d["id"] for d in listed["datasets"]}
    assert {f["value"] for f in listed["facets"]["classification"]} == {"openbaar"}
    for query in ("wmo", "synthetisch", "SYNTHETIC", "bsn"):
        found = client.get("/api/v1/datasets", params={"q": query}).json()["datasets"]
        assert DATASET not in {d["id"] for d in found}, query
    for path in ("", "/rows", "/profile"):
        assert client.get(f"/api/v1/datasets/{DATASET}{path}").status_code == 404, path
    assert client.get(f"/datasets/{DATASET}").status_code == 404
    for page in ("/datasets", "/datasets?q=wmo", "/catalog.ttl", "/catalog.jsonld"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert DATASET not in response.text and not any(bsn in response.text for bsn in some_bsns), page
        assert "SYNTHETISCH" not in response.text and "SYNTHETIC" not in response.text, page
