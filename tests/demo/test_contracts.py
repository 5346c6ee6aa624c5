"""The demo contracts match the demo data files they describe.

For every contract in src/stadsdata/demo/contracts: it loads, its column names equal the file's header
(CSV header; GeoJSON properties plus ``geometry``; JSON object keys) in order, and every integer or number
column parses as such wherever it is not empty.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from stadsdata.core.contract import ColumnType, Contract, load_contract

DEMO = Path(__file__).resolve().parents[2] / "src" / "stadsdata" / "demo"
CONTRACTS = DEMO / "contracts"
DATA = DEMO / "data"

DATA_FILES = {
    "cbs_kwb_2019_den_haag": "kwb_2019_den_haag.csv",
    "cbs_kwb_2021_den_haag": "kwb_2021_den_haag.csv",
    "cbs_kwb_2017_nl": "kwb_2017_nl_gwb_selectie.csv",
    "cbs_kwb_2019_gemeenten": "kwb_2019_gemeenten_bevolking.csv",
    "cbs_gemeenten_2024": "gemeenten_2024.geojson",
    "algoritmeregister_2022": "algoritmeregister_2022-12-08.json",
    "wmo_clienten_synthetisch": "wmo_clienten_synthetisch.csv",
    "wmo_hbh_gemeenten_2017_2019": "wmo_hbh_gemeenten_2017_2019.csv",
    "cbs_wijken_2019_den_haag": "cbs_wijken_2019_den_haag.geojson",
    "cbs_buurten_2019_den_haag": "cbs_buurten_2019_den_haag.geojson",
    "bron_ongevallen_utrecht_2015_2018": "bron_ongevallen_partijen_utrecht_2015_2018.csv",
    "meldingen_assen_signalen_2026": "meldingen_assen_signalen_2026.csv",
}

CONTRACT_IDS = sorted(DATA_FILES)


def _contract(dataset_id: str) -> Contract:
    return load_contract(CONTRACTS / f"{dataset_id}.yaml")


def _records(dataset_id: str) -> tuple[list[str], list[dict[str, object]]]:
    """The field names in file order and the records, as parsed from the data file."""
    path = DATA / DATA_FILES[dataset_id]
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            delimiter = ";" if ";" in handle.readline() else ","
            handle.seek(0)
            reader = csv.DictReader(handle, delimiter=delimiter)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    data = json.loads(path.read_text(encoding="utf-8"))
    if path.suffix == ".geojson":
        features = data["features"]
        names = list(features[0]["properties"]) + ["geometry"]
        return names, [{**f["properties"], "geometry": f["geometry"]} for f in features]
    return list(data[0]), data


def test_every_contract_file_has_a_data_file() -> None:
    assert sorted(p.stem for p in CONTRACTS.glob("*.yaml")) == CONTRACT_IDS
    for name in DATA_FILES.values():
        assert (DATA / name).is_file(), name


@pytest.mark.parametrize("dataset_id", CONTRACT_IDS)
def test_contract_loads(dataset_id: str) -> None:
    contract = _contract(dataset_id)
    assert contract.id == dataset_id
    assert contract.title.en and contract.description.en
    for column in contract.columns:
        assert column.description.en, column.name


@pytest.mark.parametrize("dataset_id", CONTRACT_IDS)
def test_columns_match_file_in_order(dataset_id: str) -> None:
    names, records = _records(dataset_id)
    assert _contract(dataset_id).column_names == names
    for record in records:
        assert list(record) == names


@pytest.mark.parametrize("dataset_id", CONTRACT_IDS)
def test_numeric_columns_parse(dataset_id: str) -> None:
    contract = _contract(dataset_id)
    _, records = _records(dataset_id)
    for column in contract.columns:
        if column.type not in (ColumnType.integer, ColumnType.number):
            continue
        parse = int if column.type == ColumnType.integer else float
        for row, record in enumerate(records):
            value = record[column.name]
            if value in ("", None):
                assert column.nullable, f"{column.name} row {row}: empty but nullable is false"
                continue
            try:
                parse(value)
            except (TypeError, ValueError):
                pytest.fail(f"{dataset_id}.{column.name} row {row}: {value!r} is not {column.type.value}")


@pytest.mark.parametrize("dataset_id", CONTRACT_IDS)
def test_not_nullable_columns_are_filled(dataset_id: str) -> None:
    contract = _contract(dataset_id)
    _, records = _records(dataset_id)
    for column in contract.columns:
        if not column.nullable:
            assert all(record[column.name] not in ("", None) for record in records), column.name


@pytest.mark.parametrize("dataset_id", CONTRACT_IDS)
def test_key_is_unique(dataset_id: str) -> None:
    contract = _contract(dataset_id)
    _, records = _records(dataset_id)
    if not contract.key:
        return
    keys = [tuple(record[k] for k in contract.key) for record in records]
    assert len(set(keys)) == len(keys)
