"""A broken contract gets a clear error naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stadsdata import demo
from stadsdata.core.contract import load_contract
from stadsdata.core.identifiers import parse_versioned_name, validate_dataset_id
from stadsdata.errors import ContractError, IdentifierError

REAL = demo.contract_path("cbs_kwb_2019_gemeenten")


def broken(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(REAL.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "cbs_kwb_2019_gemeenten.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("data_owner"), "field data_owner: required field is missing"),
        (lambda d: d.update(classification="geheimzinnig"), "field classification: Input should be 'openbaar'"),
        (
            lambda d: d["columns"][2].update(type="getal"),
            "field columns[2] (population).type: Input should be 'string'",
        ),
        (lambda d: d["columns"][0].update(personal_data="maybe"), "field columns[0] (region).personal_data"),
        (lambda d: d.update(key=["bestaat_niet"]), "key column 'bestaat_niet' is not among the columns"),
        (lambda d: d["columns"].append(dict(d["columns"][0])), "duplicate column names ['region']"),
        (
            lambda d: d.update(retention={"period": "tien jaar"}),
            "field retention.period: expected an ISO 8601 duration",
        ),
        (lambda d: d.update(schema_mode="maybe"), "field schema_mode: Input should be 'reject' or 'evolve'"),
        (lambda d: d.update(colour="blue"), "field colour: unknown field"),
        (lambda d: d["columns"][1].update(nullable=True), "key column 'unique_id' must have nullable: false"),
        (lambda d: d.update(id="../x"), "field id: dataset id '../x' is not valid"),
        (lambda d: d["title"].pop("nl"), "field title.nl: required field is missing"),
    ],
)
def test_broken_contract_names_file_and_field(tmp_path: Path, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = broken(tmp_path, change)
    with pytest.raises(ContractError) as info:
        load_contract(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert expected in message, message
    assert "\n" not in message


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    path = tmp_path / "x_y.yaml"
    path.write_text("id: x_y\ntitle: {nl: [unclosed\n")
    with pytest.raises(ContractError, match=r"x_y.yaml: line \d+, column \d+: .*expected valid YAML"):
        load_contract(path)


def test_file_name_must_match_id(tmp_path: Path) -> None:
    path = tmp_path / "andere_naam.yaml"
    path.write_text(REAL.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ContractError, match="does not match the file name; expected 'andere_naam'"):
        load_contract(path)


def test_missing_contract_file(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="contract file not found"):
        load_contract(tmp_path / "nope.yaml")


def test_renamed_and_fingerprint() -> None:
    contract = load_contract(REAL)
    copy = contract.renamed("cbs_kwb_2020_gemeenten", "Kerncijfers 2020")
    assert copy.id == "cbs_kwb_2020_gemeenten" and copy.title.nl == "Kerncijfers 2020"
    assert copy.columns == contract.columns
    assert copy.fingerprint() != contract.fingerprint()


@pytest.mark.parametrize("good", ["cbs_kwb_2019_den_haag", "ab", "x1_2"])
def test_valid_ids(good: str) -> None:
    assert validate_dataset_id(good) == good


@pytest.mark.parametrize("bad", ["", "a", "1abc", "../x", "a/b", "A_b", "a-b", "a b", "a" * 64, "a.b", "a@1"])
def test_invalid_ids(bad: str) -> None:
    with pytest.raises(IdentifierError):
        validate_dataset_id(bad)


def test_versioned_names() -> None:
    assert parse_versioned_name("kwb@12") == ("kwb", 12)
    assert parse_versioned_name("kwb") == ("kwb", None)
    assert parse_versioned_name("kwb@0") == ("kwb@0", None)
