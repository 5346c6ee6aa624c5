"""The indicator table's versions and lineage live in the metastore: the same computation on
SQLite and, with STADSDATA_TEST_POSTGRES_URL, on PostgreSQL; the ingest hook recomputes."""

from __future__ import annotations

from pathlib import Path

import pytest

from stadsdata import demo
from stadsdata.platform import Platform
from tests.conftest import make_settings


def test_compute_version_and_lineage_on_each_metastore(metastore_url: str, tmp_path: Path) -> None:
    with Platform(make_settings(tmp_path / "home", metastore_url=metastore_url)) as platform:
        assert platform.indicators.compute(by="tester").changed is False  # nothing to compute from yet
        assert not platform.metastore.has_dataset("indicatoren")
        for dataset in ("cbs_kwb_2019_den_haag", "cbs_wijken_2019_den_haag", "cbs_kwb_2019_gemeenten"):
            platform.register(demo.contract_path(dataset))
        first = platform.ingest(demo.data_path("cbs_kwb_2019_den_haag"), "cbs_kwb_2019_den_haag")
        assert first.details["indicators"] == {"version": 1, "changed": True}  # the hook computed
        names = platform.ingest(demo.data_path("cbs_wijken_2019_den_haag"), "cbs_wijken_2019_den_haag")
        assert names.details["indicators"] == {"version": 2, "changed": True}  # the wijk names changed the table
        other = platform.ingest(demo.data_path("cbs_kwb_2019_gemeenten"), "cbs_kwb_2019_gemeenten")
        assert "indicators" not in other.details  # binds to nothing: no recompute
        again = platform.indicators.compute(by="tester")
        assert (again.changed, again.version) == (False, 2)
        assert [v.number for v in platform.catalog.versions("indicatoren")] == [1, 2]
        upstream = {r.source_id for r in platform.metastore.lineage("indicatoren")["upstream"]}
        assert upstream == {"cbs_kwb_2019_den_haag", "cbs_wijken_2019_den_haag"}
        assert platform.indicators.region("WK051802").name == "Belgisch Park"
        [value] = platform.indicators.values(["inwoners"], ["GM0518"])
        assert (value.value, value.period, value.source) == (537833, 2019, "cbs_kwb_2019_den_haag@1")
        assert again.periods == (2019,) and again.regions == 159


@pytest.mark.parametrize("classification", ["intern", "vertrouwelijk"])
def test_a_dataset_that_is_not_open_never_feeds_the_open_table(tmp_path: Path, classification: str) -> None:
    import yaml

    data = yaml.safe_load(demo.contract_path("cbs_kwb_2019_den_haag").read_text(encoding="utf-8"))
    data.update(id="kwb_dicht", classification=classification)
    contract = tmp_path / "kwb_dicht.yaml"
    contract.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with Platform(make_settings(tmp_path / "home")) as platform:
        platform.register(contract)
        result = platform.ingest(demo.data_path("cbs_kwb_2019_den_haag"), "kwb_dicht")
        assert "indicators" not in result.details
        assert not platform.indicators.feeds("kwb_dicht")
        assert not platform.metastore.has_dataset("indicatoren")
