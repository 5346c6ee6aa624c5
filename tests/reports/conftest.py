"""A platform with the shipped Assen reports (real Signalen data) and the CBS gemeente boundaries."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stadsdata import demo
from stadsdata.platform import Platform
from stadsdata.reports import TEMPLATE
from tests.conftest import make_settings

REPORTS = demo.data_path(TEMPLATE)


def load(platform: Platform, *dataset_ids: str) -> None:
    for dataset_id in dataset_ids:
        platform.register(demo.contract_path(dataset_id))
        platform.ingest(demo.data_path(dataset_id), dataset_id)


@pytest.fixture(scope="module")
def reports_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Loaded once per module; each test copies it."""
    home = tmp_path_factory.mktemp("reports") / "home"
    with Platform(make_settings(home)) as platform:
        load(platform, TEMPLATE, "cbs_gemeenten_2024")
    return home


@pytest.fixture
def reports_platform(reports_home: Path, tmp_path: Path) -> Iterator[Platform]:
    home = tmp_path / "home"
    shutil.copytree(reports_home, home)
    with Platform(make_settings(home)) as platform:
        yield platform


def rows() -> list[dict[str, Any]]:
    """The shipped file as read by Python's csv module: the independent side of every check."""
    with REPORTS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
