"""The traffic-risk model on the platform: ``verkeer_hotspots`` published with its generated
contract and lineage, the model card in the algorithm register with the measured backtest, no new
version for unchanged input, an unknown gemeente refused before anything is written."""

from __future__ import annotations

import pytest

from stadsdata.errors import NotFoundError
from stadsdata.models.verkeer.card import MODEL_NAME
from stadsdata.models.verkeer.contract import HOTSPOTS
from stadsdata.models.verkeer.hotspots import Weights
from stadsdata.platform import Platform

SOURCE = "bron_ongevallen_utrecht_2015_2018"


def test_run_publishes_the_hotspots_with_lineage_and_registers_the_model(verkeer_platform: Platform) -> None:
    p = verkeer_platform
    published = p.models.verkeer.run(by="tester")
    assert published.new and published.version == 1
    result = published.hotspots
    stored = p.catalog.query(f'SELECT gemeentecode, rang, risicoscore, locatie_id FROM "{HOTSPOTS}"').rows
    assert len(stored) == len(result.frame)
    assert {r[0] for r in stored} == set(result.gemeenten())
    record = p.metastore.get_dataset(HOTSPOTS)
    assert record.contract["classification"] == "openbaar"
    assert [r.source_id for r in p.metastore.lineage(HOTSPOTS)["upstream"]] == [SOURCE]
    utrecht = result.of("gm0344")
    assert utrecht["rang"].iloc[0] == 1 and utrecht["gemeentenaam"].iloc[0] == "Utrecht"

    entry = p.algorithms.get(f"stadsdata-model:{MODEL_NAME}")
    assert entry.name == MODEL_NAME and set(entry.datasets) == {SOURCE, HOTSPOTS}
    b = published.backtest
    assert b is not None and b.first == (2015, 2016) and b.second == (2017, 2018)
    assert b.mae_shrunk < b.mae_raw  # shrinkage predicts the next period better than the raw count
    methods = str(entry.fields["methods_and_models"])
    assert f"{b.mae_raw:.2f}".replace(".", ",") in methods and f"{b.mae_shrunk:.2f}".replace(".", ",") in methods
    assert "human_intervention" in entry.fields and "risks" in entry.fields

    again = p.models.verkeer.run(by="tester")
    assert not again.new and again.version == 1
    wider = p.models.verkeer.run(radius=50, weights=Weights(5, 2, 1), by="tester")
    assert wider.new and wider.version == 2 and len(wider.hotspots.frame) < len(result.frame)


def test_an_unknown_gemeente_is_refused_before_anything_is_written(verkeer_platform: Platform) -> None:
    with pytest.raises(NotFoundError) as caught:
        verkeer_platform.models.verkeer.run(gemeente="GM9999", by="tester")
    message = str(caught.value)
    assert message.startswith(f"gemeente 'GM9999': no accidents in {SOURCE}; expected one of its 30 gemeente codes")
    assert "\n" not in message
    assert not verkeer_platform.metastore.has_dataset(HOTSPOTS)


def test_an_unknown_dataset_is_one_line(verkeer_platform: Platform) -> None:
    with pytest.raises(NotFoundError, match=r"^dataset 'bron_bestaat_niet' not found; see `stadsdata catalog list`$"):
        verkeer_platform.models.verkeer.compute("bron_bestaat_niet")
