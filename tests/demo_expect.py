"""What the loaded demo (``Platform.load_demo``) holds, in one place: tests count against these lists,
never against a literal. A model or computation that adds a dataset to the demo adds its id to
``COMPUTED``; a shipped dataset is added in ``stadsdata.demo.DEMO_DATASETS`` and counted from there."""

from __future__ import annotations

from typing import Any

from stadsdata import demo
from stadsdata.core.contract import Classification, Contract, load_contract

#: The shipped demo datasets and their contracts, in load order.
SHIPPED = {i: load_contract(demo.contract_path(i)) for i in demo.DEMO_DATASETS}
#: The shipped datasets the public may see (not the vertrouwelijk synthetic Wmo register).
PUBLIC_DEMO = [i for i, contract in SHIPPED.items() if contract.classification == Classification.openbaar]
#: The datasets the platform computes while loading the demo, in the order they are written; all openbaar.
COMPUTED = ["indicatoren", "wmo_prognose", "verkeer_hotspots"]
#: Everything the public catalogue holds after the demo.
PUBLIC = [*PUBLIC_DEMO, *COMPUTED]


def public_contracts(platform: Any) -> dict[str, Contract]:
    """The contract of every public dataset of a loaded demo: the shipped file's, or for a computed
    dataset the generated one the platform registered."""
    shipped = {i: SHIPPED[i] for i in PUBLIC_DEMO}
    return shipped | {i: platform.catalog.show(i).contract for i in COMPUTED}


def themed(contracts: dict[str, Contract], theme: str) -> list[str]:
    return [i for i, contract in contracts.items() if theme in contract.themes]


#: The real 2022 Algoritmeregister export the demo imports: its entries, and those of Gemeente Den Haag.
REGISTER_2022 = 96
REGISTER_2022_DEN_HAAG = 26
#: The model cards the demo's models register for Gemeente Den Haag (Platform.load_demo_models).
MODEL_CARDS = ["gemeente-den-haag-wmo-prognose-per-wijk", "gemeente-den-haag-verkeersrisicomodel"]
#: The register after the demo.
REGISTER = REGISTER_2022 + len(MODEL_CARDS)
REGISTER_DEN_HAAG = REGISTER_2022_DEN_HAAG + len(MODEL_CARDS)
