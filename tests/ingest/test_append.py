"""load_mode: append: each delivery adds rows with new keys; a version counts the whole table."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stadsdata.errors import DeliveryError
from stadsdata.platform import Platform

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def meldingen(platform: Platform, tmp_path: Path) -> Platform:
    data = yaml.safe_load((DATA / "contracts" / "test_meldingen_assen.yaml").read_text(encoding="utf-8"))
    data["load_mode"] = "append"
    contract = tmp_path / "test_meldingen_assen.yaml"
    contract.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    platform.register(contract)
    return platform


def part(tmp_path: Path, name: str, lines: list[str]) -> Path:
    header, *rows = (DATA / "meldingen_assen_extract.csv").read_text(encoding="utf-8").splitlines()
    file = tmp_path / name
    file.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return file


def test_append_adds_rows_and_counts_the_table(meldingen: Platform, tmp_path: Path) -> None:
    rows = (DATA / "meldingen_assen_extract.csv").read_text(encoding="utf-8").splitlines()[1:]
    first = meldingen.ingest(part(tmp_path, "week1.csv", rows[:12]), "test_meldingen_assen")
    second = meldingen.ingest(part(tmp_path, "week2.csv", rows[12:]), "test_meldingen_assen")
    assert (first.version, first.row_count, second.version) == (1, 12, 2)
    versions = meldingen.catalog.versions("test_meldingen_assen")
    assert [v.row_count for v in versions] == [12, len(rows)]  # the table, not the delivery
    assert meldingen.sql("select count(*) from test_meldingen_assen").rows == [(len(rows),)]
    assert meldingen.sql('select count(*) from "test_meldingen_assen@1"').rows == [(12,)]


def test_append_rejects_a_key_that_is_already_there(meldingen: Platform, tmp_path: Path) -> None:
    rows = (DATA / "meldingen_assen_extract.csv").read_text(encoding="utf-8").splitlines()[1:]
    meldingen.ingest(part(tmp_path, "week1.csv", rows[:12]), "test_meldingen_assen")
    again = part(tmp_path, "week2.csv", rows[12:15] + rows[3:4])  # the 4th row of week 1 once more
    with pytest.raises(DeliveryError) as info:
        meldingen.ingest(again, "test_meldingen_assen")
    key = rows[3].split(",")[0]
    assert str(info.value).startswith(f"week2.csv, line 5 (row 4), column id: key '{key}' is already in")
    assert [v.row_count for v in meldingen.catalog.versions("test_meldingen_assen")] == [12]
    assert meldingen.sql("select count(*) from test_meldingen_assen").rows == [(12,)]


def test_the_api_counts_the_whole_appended_table(meldingen: Platform, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from stadsdata.web import create_app

    rows = (DATA / "meldingen_assen_extract.csv").read_text(encoding="utf-8").splitlines()[1:]
    meldingen.ingest(part(tmp_path, "week1.csv", rows[:12]), "test_meldingen_assen")
    meldingen.ingest(part(tmp_path, "week2.csv", rows[12:]), "test_meldingen_assen")
    with TestClient(create_app(meldingen)) as client:
        url = "/api/v1/datasets/test_meldingen_assen/rows"
        assert client.get(url, params={"limit": 0}).json()["total"] == len(rows)
        assert client.get(url, params={"limit": 0, "version": 1}).json()["total"] == 12
