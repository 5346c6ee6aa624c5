"""Fixtures of the indicator tests: the real demo data (``demo_platform``, a private copy of the
session's demo home with the indicators computed) and the real CBS files read by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from stadsdata import demo


def read_csv(dataset_id: str) -> dict[str, dict[str, str]]:
    """The rows of a shipped KWB file by region code, exactly as delivered."""
    with demo.data_path(dataset_id).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    key = "WijkenEnBuurten" if "WijkenEnBuurten" in rows[0] else "codering_regio"
    if key == "codering_regio":
        return {f"{r[key]}/{r['interval']}": r for r in rows}
    return {r[key]: r for r in rows}


@pytest.fixture(scope="session")
def kwb2019() -> dict[str, dict[str, str]]:
    return read_csv("cbs_kwb_2019_den_haag")


@pytest.fixture(scope="session")
def kwb2017() -> dict[str, dict[str, str]]:
    return read_csv("cbs_kwb_2017_nl")


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
