"""Fixtures of the traffic-risk tests: the shipped BRON file (real, copied into the package with
attribution in demo/data/SOURCES.md), a home with it and the gemeente boundaries loaded once per
session and copied for each test, and the SYNTHETIC reports fixture of the matching test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pyproj import Transformer

from stadsdata import demo
from stadsdata.models.verkeer.hotspots import to_rd
from stadsdata.platform import Platform
from tests.conftest import make_settings

ACCIDENTS = "bron_ongevallen_utrecht_2015_2018"
SOURCES = ("cbs_gemeenten_2024", ACCIDENTS)
REPORTS_CONTRACT = "meldingen_assen_signalen_2026"  # the reports contract (Signalen), reused for the fixture
_TO_WGS84 = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)


def load_sources(p: Platform, sources: tuple[str, ...] = SOURCES) -> None:
    for dataset_id in sources:
        if not p.metastore.has_dataset(dataset_id):
            p.register(demo.contract_path(dataset_id))
        p.ingestor.ingest(demo.data_path(dataset_id), dataset_id)


@pytest.fixture(scope="session")
def bron() -> pd.DataFrame:
    return pd.read_csv(demo.data_path(ACCIDENTS))


@pytest.fixture(scope="session")
def verkeer_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("verkeer-template") / "home"
    with Platform(make_settings(home)) as p:
        load_sources(p)
    return home


@pytest.fixture
def verkeer_platform(verkeer_template: Path, tmp_path: Path) -> Iterator[Platform]:
    home = tmp_path / "home"
    shutil.copytree(verkeer_template, home)
    with Platform(make_settings(home)) as p:
        yield p


def near(lon: float, lat: float, dx: float, dy: float) -> tuple[float, float]:
    """The point ``dx``, ``dy`` metres (RD New) from a WGS84 point."""
    x, y = to_rd([lon], [lat])
    out = _TO_WGS84.transform(float(x[0]) + dx, float(y[0]) + dy)
    return round(out[0], 6), round(out[1], 6)


def synthetic_reports(placed: list[tuple[float, float, int, str]], folder: Path) -> tuple[Path, Path]:
    """A SYNTHETIC reports file with the columns of the Signalen contract and a contract for it:
    ``placed`` is (lon, lat, how many reports, subcategory); each report lies a few metres from
    its point. Returns (contract, data)."""
    contract = yaml.safe_load(demo.contract_path(REPORTS_CONTRACT).read_text(encoding="utf-8"))
    contract["id"] = "meldingen_synthetisch_utrecht"
    contract["title"] = {
        "nl": "SYNTHETISCH: meldingen bij echte ongevallenplekken in Utrecht (testfixture)",
        "en": "SYNTHETIC: reports near real accident locations in Utrecht (test fixture)",
    }
    contract["description"] = {
        "nl": "SYNTHETISCH. Door de test geplaatste meldingen bij echte BRON-ongevallenplekken; geen echte meldingen.",
        "en": "SYNTHETIC. Reports placed by the test near real BRON accident locations; no real reports.",
    }
    contract["quality"] = [r for r in contract.get("quality", []) if r.get("rule") != "reference"]
    columns = [c["name"] for c in contract["columns"]]
    rows = []
    for i, (lon, lat, count, sub) in enumerate(placed):
        for k in range(count):
            x, y = near(lon, lat, 3.0 * (k + 1), -2.0 * k)
            rows.append(
                {
                    "id": f"synthetisch-{i}-{k}",
                    "created_at": f"2017-0{1 + k % 9}-1{k % 9}T09:30:00+01:00",
                    "hoofdcategorie": "Wegen, verkeer en straatmeubilair",
                    "subcategorie": sub,
                    "category_slug": "wegen-verkeer-straatmeubilair",
                    "subcategory_slug": "onveilige-verkeerssituatie",
                    "wijk": "SYNTHETISCH",
                    "straat": "SYNTHETISCH",
                    "lon": x,
                    "lat": y,
                    "resolved_date": None,
                    "days_open": None,
                }
            )
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    data = folder / "meldingen_synthetisch_utrecht.csv"
    frame[columns].to_csv(data, index=False)
    path = folder / "meldingen_synthetisch_utrecht.yaml"
    path.write_text(yaml.safe_dump(contract, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, data
