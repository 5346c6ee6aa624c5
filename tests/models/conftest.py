"""Fixtures of the model tests: a home with the real CBS datasets the Wmo model reads, loaded once
per session and copied for each test (every test has its own platform on tmp_path)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from stadsdata import demo
from stadsdata.platform import Platform
from tests.conftest import make_settings

#: what the model reads, in load order (the 2017 table is the region-code reference of the others)
SOURCES = ("cbs_kwb_2017_nl", "cbs_kwb_2019_den_haag", "cbs_kwb_2021_den_haag", "wmo_hbh_gemeenten_2017_2019")


def load_sources(p: Platform) -> None:
    for dataset_id in SOURCES:
        if not p.metastore.has_dataset(dataset_id):
            p.register(demo.contract_path(dataset_id))
        p.ingestor.ingest(demo.data_path(dataset_id), dataset_id)


@pytest.fixture(scope="session")
def wmo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("wmo-template") / "home"
    with Platform(make_settings(home)) as p:
        load_sources(p)
    return home


@pytest.fixture
def wmo_platform(wmo_template: Path, tmp_path: Path) -> Iterator[Platform]:
    home = tmp_path / "home"
    shutil.copytree(wmo_template, home)
    with Platform(make_settings(home)) as p:
        yield p


@pytest.fixture(scope="session")
def kwb_2019() -> pd.DataFrame:
    return pd.read_csv(demo.data_path("cbs_kwb_2019_den_haag"))


@pytest.fixture(scope="session")
def kwb_2021() -> pd.DataFrame:
    return pd.read_csv(demo.data_path("cbs_kwb_2021_den_haag"))


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    return pd.read_csv(demo.data_path("wmo_hbh_gemeenten_2017_2019"))
