"""Models register themselves with their model card: an upsert keyed on the model's name, linked
to the datasets it uses."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stadsdata.errors import RegisterError
from stadsdata.platform import Platform
from stadsdata.register import ModelCard
from tests.register.conftest import DATASET, OTHER_DATASET

CARD = ModelCard(
    name="Wmo-prognose per wijk",
    description_short="Voorspelt het aantal Wmo-cliënten per wijk voor de komende vijf jaar.",
    purpose="Inkoop en begroting van Wmo-voorzieningen onderbouwen.",
    data_used=[DATASET],
    method="Poisson-regressie op bevolkingsopbouw per wijk.",
    performance="MAPE 6,1% op 2019 (getraind op 2017-2018).",
    human_oversight="Beleidsmedewerkers beoordelen de prognose; er volgen geen besluiten over personen.",
    organization="Gemeente Den Haag",
    contact_email="datashop@denhaag.nl",
    lawful_basis="Wmo 2015, art. 2.1.2",
)


def test_a_model_registers_itself_and_upserts(reg_platform: Platform) -> None:
    reg = reg_platform.algorithms
    entry = reg.register_model(CARD)
    assert entry.source == "model" and entry.version == 1 and entry.problems == []
    assert entry.fields["source_id"] == "stadsdata-model:Wmo-prognose per wijk"
    assert entry.fields["goal"] == CARD.purpose and entry.fields["human_intervention"] == CARD.human_oversight
    assert "Gemeten prestaties: MAPE 6,1%" in entry.fields["methods_and_models"]
    assert (entry.status, entry.publication_category) == ("In ontwikkeling", "Overige algoritmes")
    assert entry.datasets == [DATASET]
    assert [e.id for e in reg.algorithms_using(DATASET)] == [entry.id]
    assert reg.get("stadsdata-model:Wmo-prognose per wijk") == entry  # by source_id
    # the same card again: nothing changes
    assert reg.register_model(CARD) == entry
    # a changed card: a new version of the same entry
    better = replace(CARD, performance="MAPE 4,8% op 2019.", data_used=[DATASET, OTHER_DATASET], status="In gebruik")
    updated = reg.register_model(better, by="wmo-forecast")
    assert updated.id == entry.id and updated.version == 2 and reg.count() == 1
    changes = reg.history(entry.id)[0].changes
    assert (
        set(changes) == {"status", "methods_and_models", "datasets"} and reg.history(entry.id)[0].by == "wmo-forecast"
    )
    assert [e.id for e in reg.algorithms_using(OTHER_DATASET)] == [entry.id]


def test_an_invalid_card_is_refused(reg_platform: Platform) -> None:
    with pytest.raises(RegisterError, match="^model card 'x': description_short: required"):
        reg_platform.algorithms.register_model(replace(CARD, name="x", description_short=""))
    with pytest.raises(RegisterError, match="datasets: no dataset 'nope'"):
        reg_platform.algorithms.register_model(replace(CARD, data_used=["nope"]))
    assert reg_platform.algorithms.count() == 0
