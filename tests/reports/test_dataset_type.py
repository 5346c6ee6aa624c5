"""Which contracts are of the reports type."""

from __future__ import annotations

from stadsdata import demo
from stadsdata.core.contract import load_contract
from stadsdata.reports import REQUIRED, TEMPLATE, is_reports, problems, require_reports
from stadsdata.reports.dataset_type import ReportsError


def test_the_template_contract_is_of_the_type_and_keeps_the_file_columns() -> None:
    contract = load_contract(demo.contract_path(TEMPLATE))
    assert is_reports(contract) and is_reports(contract.to_data())
    assert contract.column_names == [
        "id", "created_at", "hoofdcategorie", "subcategorie", "category_slug", "subcategory_slug",
        "wijk", "straat", "lon", "lat", "resolved_date", "days_open",
    ]  # fmt: skip
    header = demo.data_path(TEMPLATE).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == contract.column_names
    assert set(REQUIRED) <= set(header)


def test_a_missing_or_mistyped_column_is_named() -> None:
    data = load_contract(demo.contract_path(TEMPLATE)).to_data()
    data["columns"] = [c for c in data["columns"] if c["name"] != "lat"]
    for column in data["columns"]:
        if column["name"] == "resolved_date":
            column["type"] = "string"
    assert problems(data) == [
        "column 'lat' is missing (expected number)",
        "column 'resolved_date' is string (expected date)",
    ]
    try:
        require_reports("x", data)
    except ReportsError as exc:
        assert str(exc) == (
            "dataset 'x' is not a reports dataset: column 'lat' is missing (expected number) (and 1 more); "
            "see docs/reports.md for the columns of the type"
        )
    else:  # pragma: no cover
        raise AssertionError("expected ReportsError")


def test_other_demo_contracts_are_not_reports() -> None:
    others = [d for d in demo.DEMO_DATASETS if d != TEMPLATE]
    assert others and not any(is_reports(load_contract(demo.contract_path(d))) for d in others)
