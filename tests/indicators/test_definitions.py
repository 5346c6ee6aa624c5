"""Indicator definitions as files: the shipped set, the refusals (one line: file, field, expected)
and the rule that a good set loaded before stays in use."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stadsdata import demo
from stadsdata.errors import IndicatorError, NotFoundError, StadsdataError
from stadsdata.indicators.definitions import base_name, load_set
from stadsdata.indicators.model import Direction, Level
from stadsdata.platform import Platform
from tests.conftest import make_settings
from tests.indicators.helpers import write_definition


def test_the_shipped_set_has_at_least_30_indicators_in_themes_products_and_monitors() -> None:
    shipped = load_set([demo.INDICATORS])
    assert len(shipped.definitions) >= 30
    assert {"bevolking", "wonen", "zorg_en_welzijn", "werk_en_inkomen", "voorzieningen"} <= set(shipped.themes)
    listed = [i for t in shipped.themes.values() for i in t.indicators]
    assert sorted(listed) == sorted(shipped.definitions)  # every indicator in exactly one theme
    assert all(i in shipped.definitions for p in shipped.products.values() for i in p.indicators)
    social = shipped.products["sociaal_domein"]
    assert len({shipped.definitions[i].theme for i in social.indicators}) >= 3  # several themes
    wmo = shipped.monitors["wmo_monitor_den_haag"]
    assert (wmo.level, wmo.gemeente, wmo.indicators[0]) == (Level.wijk, "GM0518", "wmo_clienten_per_1000")
    d = shipped.definitions["wmo_clienten_per_1000"]
    assert d.requires == ("WmoClienten", "AantalInwoners") and d.direction == Direction.neutral
    assert d.title.get("en") == "Wmo clients" and d.notes is not None


def test_base_names_bind_across_years_and_the_panel() -> None:
    assert base_name("GemiddeldInkomenPerInwoner_66") == base_name("GemiddeldInkomenPerInwoner_72")
    assert base_name("GemiddeldInkomenPerInwoner_72") == base_name("gemiddeldinkomenperinwoner")
    assert base_name("k_65JaarOfOuder_12") == base_name("k65jaarofouder") == "k65jaarofouder"


BAD = [
    ({"direction": "better"}, "direction", "one of higher_is_better, lower_is_better, neutral"),
    ({"levels": ["stad"]}, "levels", "a non-empty list of land, gemeente, wijk, buurt"),
    ({"theme": "sport"}, "theme", "the id of a theme in themes.yaml"),
    ({"definition": "(SELECT 1) + AantalInwoners"}, "definition", "arithmetic"),
    ({"definition": "AantalInwoners / "}, "definition", "a valid SQL expression"),
    ({"definition": "upper(Gemeentenaam)"}, "definition", "arithmetic"),
    ({"definition": "42"}, "definition", "an expression that uses at least one column"),
    ({"unit": None}, "unit", "a value (required)"),
    ({"title": {"en": "only English"}}, "title", "a non-empty nl"),
    ({"decimals": 9}, "decimals", "a whole number from 0 to 4"),
    ({"colour": "red"}, "colour", "one of the fields"),
    ({"id": "andere_naam"}, "id", "the file name without .yaml"),
]


@pytest.mark.parametrize(("change", "field", "expected"), BAD, ids=[b[1] + "-" + str(i) for i, b in enumerate(BAD)])
def test_a_bad_file_is_refused_with_one_line_naming_file_field_and_expectation(
    tmp_path: Path, change: dict[str, object], field: str, expected: str
) -> None:
    path = write_definition(tmp_path / "own", "inwoners_per_huishouden", **change)
    with pytest.raises(IndicatorError) as caught:
        load_set([demo.INDICATORS, tmp_path / "own"])
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{path}: field {field!r}: expected ")
    assert expected in message
    assert isinstance(caught.value, StadsdataError) and caught.value.http_status == 422


def test_broken_yaml_and_a_product_naming_an_unknown_indicator(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    (own / "kapot.yaml").write_text("id: kapot\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"kapot.yaml: field '\(file\)': expected valid YAML \(line 3\)"):
        load_set([own])
    (own / "kapot.yaml").unlink()
    (own / "themes.yaml").write_text(
        "products:\n- id: mijn_product\n  title: Mijn product\n  description: Test\n  indicators: [bestaat_niet]\n",
        encoding="utf-8",
    )
    with pytest.raises(IndicatorError) as caught:
        load_set([demo.INDICATORS, own])
    assert str(caught.value) == (
        f"{own / 'themes.yaml'}: field 'products[mijn_product].indicators': expected ids of existing indicators; "
        "got 'bestaat_niet'"
    )


def test_a_city_adds_an_indicator_with_a_file_and_a_bad_file_keeps_the_good_set(tmp_path: Path) -> None:
    with Platform(make_settings(tmp_path / "home")) as platform:
        service = platform.indicators
        shipped = len(service.definitions())
        own = platform.home / "indicators"
        path = write_definition(own, "inwoners_per_huishouden")
        assert len(service.definitions()) == shipped + 1  # picked up: a file, no code
        assert service.definition("inwoners_per_huishouden").requires == ("AantalInwoners", "HuishoudensTotaal")
        assert "inwoners_per_huishouden" in service.theme("huishoudens").indicators
        # now break it: the set loaded before stays in use, and says why the files were refused
        write_definition(own, "inwoners_per_huishouden", direction="sideways")
        os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
        assert service.definition("inwoners_per_huishouden").direction == Direction.neutral
        assert service.problem is not None and "field 'direction'" in str(service.problem)
        with pytest.raises(IndicatorError, match="field 'direction'"):
            service.load()
    with Platform(make_settings(tmp_path / "home")) as fresh:  # a new process has no good set to keep
        with pytest.raises(IndicatorError, match=r"inwoners_per_huishouden.yaml: field 'direction'"):
            fresh.indicators.definitions()


def test_unknown_ids_are_not_found(tmp_path: Path) -> None:
    with Platform(make_settings(tmp_path / "home")) as platform:
        with pytest.raises(NotFoundError, match="indicator 'nope' not found"):
            platform.indicators.definition("nope")
        for get in (platform.indicators.theme, platform.indicators.product, platform.indicators.monitor):
            with pytest.raises(NotFoundError):
                get("nope")
        with pytest.raises(NotFoundError, match="no indicator values yet"):
            platform.indicators.values()
