"""What the indicator tests share: the real CBS files read by hand, definition files to test with,
and an app over a private copy of the demo for a test module that only reads (pages, API)."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.platform import Platform
from stadsdata.web import create_app
from tests.conftest import make_settings

WMO = "wmo_clienten_per_1000"


def read_csv(dataset_id: str) -> dict[str, dict[str, str]]:
    """The rows of a shipped KWB file by region code, exactly as delivered."""
    with demo.data_path(dataset_id).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    key = "WijkenEnBuurten" if "WijkenEnBuurten" in rows[0] else "codering_regio"
    if key == "codering_regio":
        return {f"{r[key]}/{r['interval']}": r for r in rows}
    return {r[key]: r for r in rows}


def write_definition(folder: Path, ident: str, **fields: object) -> Path:
    """A definition file; ``fields`` override a valid default (None removes a field)."""
    import yaml

    data: dict[str, object] = {
        "id": ident,
        "title": {"nl": "Inwoners per huishouden", "en": "Inhabitants per household"},
        "description": {
            "nl": "Aantal inwoners gedeeld door het aantal huishoudens.",
            "en": "Inhabitants per household.",
        },
        "theme": "huishoudens",
        "unit": "personen",
        "definition": "AantalInwoners / HuishoudensTotaal",
        "levels": ["gemeente", "wijk", "buurt"],
        "direction": "neutral",
    }
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ident}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def read_only_app_fixtures(name: str) -> tuple[Any, Any, Any]:
    """Module-scoped fixtures ``served`` (the platform and a TestClient over a private copy of the
    demo, named ``name``), ``client`` and ``service`` (the platform's indicators), for a module
    whose tests only read. Use as ``served, client, service = read_only_app_fixtures("...")``."""

    @pytest.fixture(scope="module")
    def served(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Platform, TestClient]]:
        home = tmp_path_factory.mktemp(name) / "home"
        shutil.copytree(demo_template, home)
        with Platform(make_settings(home)) as platform, TestClient(create_app(platform)) as client:
            yield platform, client

    @pytest.fixture(scope="module")
    def client(served: tuple[Platform, TestClient]) -> TestClient:
        return served[1]

    @pytest.fixture(scope="module")
    def service(served: tuple[Platform, TestClient]) -> Any:
        return served[0].indicators

    return served, client, service
