"""The real public demo data the repo ships, plus one SYNTHETIC register made from real aggregates
(``wmo_clienten_synthetisch``, vertrouwelijk; see ``synthetic_wmo.py``), with one contract per dataset.

See ``demo/data/SOURCES.md`` for origin, licence and attribution of every file.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
DATA = HERE / "data"
CONTRACTS = HERE / "contracts"
INDICATORS = HERE / "indicators"  # the shipped indicator definitions and themes.yaml (docs/indicators.md)

#: dataset id -> delivered file, in load order
DEMO_DATASETS: dict[str, str] = {
    "cbs_kwb_2017_nl": "kwb_2017_nl_gwb_selectie.csv",  # first: a reference for the others' region codes
    "cbs_kwb_2019_den_haag": "kwb_2019_den_haag.csv",
    "cbs_kwb_2021_den_haag": "kwb_2021_den_haag.csv",  # population and households 2021 (Wmo forecast)
    "cbs_kwb_2019_gemeenten": "kwb_2019_gemeenten_bevolking.csv",
    "cbs_gemeenten_2024": "gemeenten_2024.geojson",
    "algoritmeregister_2022": "algoritmeregister_2022-12-08.json",
    "wmo_hbh_gemeenten_2017_2019": "wmo_hbh_gemeenten_2017_2019.csv",  # Wmo household help + KWB per gemeente
    "meldingen_assen_signalen_2026": "meldingen_assen_signalen_2026.csv",  # Signalen reports (docs/reports.md)
    "cbs_wijken_2019_den_haag": "cbs_wijken_2019_den_haag.geojson",  # wijk boundaries and names
    "cbs_buurten_2019_den_haag": "cbs_buurten_2019_den_haag.geojson",  # buurt boundaries and names
    "bron_ongevallen_utrecht_2015_2018": "bron_ongevallen_partijen_utrecht_2015_2018.csv",  # BRON, per party
    "wmo_clienten_synthetisch": "wmo_clienten_synthetisch.csv",  # SYNTHETIC, vertrouwelijk; see SOURCES.md
}


def contract_path(dataset_id: str) -> Path:
    return CONTRACTS / f"{dataset_id}.yaml"


def data_path(dataset_id: str) -> Path:
    return DATA / DEMO_DATASETS[dataset_id]
