"""Dataset search over the real demo catalogue: words, facets, sort, visibility."""

from __future__ import annotations

import pytest
import yaml

from stadsdata import demo
from stadsdata.opendata.search import SearchError, search_datasets
from stadsdata.platform import Platform


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.id for c in result.cards]


def test_wmo_finds_the_den_haag_kwb_by_its_column(demo_platform: Platform) -> None:
    result = search_datasets(demo_platform.catalog, "wmo")
    assert "cbs_kwb_2019_den_haag" in ids(result)  # through column WmoClienten_89
    assert "gemeenten_2024" not in " ".join(ids(result))


def test_every_word_must_match_and_accents_fold(demo_platform: Platform) -> None:
    both = search_datasets(demo_platform.catalog, "den haag buurten")
    assert ids(both)[0] == "cbs_kwb_2019_den_haag"
    assert search_datasets(demo_platform.catalog, "den haag zzzz-nothing").total == 0
    assert search_datasets(demo_platform.catalog, "ALGORITME").total >= 1


def test_facets_count_and_filter(demo_platform: Platform) -> None:
    everything = search_datasets(demo_platform.catalog)
    assert everything.total == 5
    formats = dict(everything.facets["format"])
    assert formats["CSV"] == 5 and formats["GeoJSON"] == 1
    geo = search_datasets(demo_platform.catalog, filters={"format": ["GeoJSON"]})
    assert ids(geo) == ["cbs_gemeenten_2024"]
    # the format facet still counts every format (it ignores its own selection); others narrow down
    assert dict(geo.facets["format"])["CSV"] == 5
    assert sum(dict(geo.facets["licence"]).values()) == 1  # only the one GeoJSON dataset is left
    theme = everything.facets["theme"][0][0]
    by_theme = search_datasets(demo_platform.catalog, filters={"theme": [theme]})
    assert by_theme.total == dict(everything.facets["theme"])[theme]


def test_sort_by_title_and_updated(demo_platform: Platform) -> None:
    by_title = search_datasets(demo_platform.catalog, sort="title", lang="en")
    titles = [c.text("title", "en").lower() for c in by_title.cards]
    assert titles == sorted(titles)
    by_updated = search_datasets(demo_platform.catalog, sort="updated")
    stamps = [c.updated_at for c in by_updated.cards]
    assert stamps == sorted(stamps, reverse=True)
    assert by_updated.cards[0].id == list(demo.DEMO_DATASETS)[-1]  # the demo loads in order: the last is newest


def test_only_openbaar_is_seen_or_counted(demo_platform: Platform, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(demo.contract_path("cbs_kwb_2019_gemeenten").read_text(encoding="utf-8"))
    data.update(id="intern_kwb_copy", classification="intern")
    data["title"]["nl"] = "Interne kopie met wmo-gegevens"
    path = tmp_path / "intern_kwb_copy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    demo_platform.register(path)
    assert demo_platform.catalog.search("interne kopie")  # the staff catalogue knows it
    result = search_datasets(demo_platform.catalog, "interne kopie")
    assert result.total == 0 and all(
        v != "intern" for v, _ in search_datasets(demo_platform.catalog).facets["classification"]
    )
    assert search_datasets(demo_platform.catalog).total == 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"filters": {"colour": ["red"]}}, "unknown facet 'colour'"),
        ({"sort": "random"}, "unknown sort 'random'"),
        ({"limit": 10_000}, "limit between 0 and 200"),
    ],
)
def test_bad_requests_are_clear(demo_platform: Platform, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(SearchError, match=message):
        search_datasets(demo_platform.catalog, **kwargs)
