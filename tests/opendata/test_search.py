"""Dataset search over the real demo catalogue: words, facets, sort, visibility."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from stadsdata import demo
from stadsdata.opendata.search import SearchError, quality_bucket, search_datasets
from stadsdata.platform import Platform
from tests.conftest import make_settings
from tests.demo_expect import PUBLIC, PUBLIC_DEMO

GEMEENTEN = "cbs_kwb_2019_gemeenten"
GEOJSON = sorted(i for i in PUBLIC_DEMO if demo.DEMO_DATASETS[i].endswith(".geojson"))


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.id for c in result.cards]


def test_wmo_finds_the_den_haag_kwb_by_its_column(demo_platform: Platform) -> None:
    result = search_datasets(demo_platform.catalog, "wmo")
    assert "cbs_kwb_2019_den_haag" in ids(result)  # through column WmoClienten_89
    assert "gemeenten_2024" not in " ".join(ids(result))


def test_every_word_must_match_and_accents_fold(demo_platform: Platform) -> None:
    both = search_datasets(demo_platform.catalog, "den haag buurten")
    assert set(ids(both)[:2]) == {"cbs_kwb_2019_den_haag", "cbs_buurten_2019_den_haag"}  # both in the title
    assert search_datasets(demo_platform.catalog, "den haag zzzz-nothing").total == 0
    assert search_datasets(demo_platform.catalog, "ALGORITME").total >= 1


def test_facets_count_and_filter(demo_platform: Platform) -> None:
    everything = search_datasets(demo_platform.catalog)
    assert everything.total == len(PUBLIC)
    formats = dict(everything.facets["format"])
    assert formats["CSV"] == len(PUBLIC) and formats["GeoJSON"] == len(GEOJSON)
    geo = search_datasets(demo_platform.catalog, filters={"format": ["GeoJSON"]})
    assert sorted(ids(geo)) == GEOJSON
    # the format facet still counts every format (it ignores its own selection); others narrow down
    assert dict(geo.facets["format"])["CSV"] == len(PUBLIC)
    assert sum(dict(geo.facets["licence"]).values()) == len(GEOJSON)  # only the GeoJSON datasets are left
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
    assert by_updated.cards[0].id == PUBLIC[-1]  # the demo loads in order, then computes (tests/demo_expect.py)


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
    assert search_datasets(demo_platform.catalog).total == len(PUBLIC)


# -- quality -----------------------------------------------------------------------------------
def population() -> list[int]:
    """The population column of the real CBS KWB 2019 gemeenten file (355 municipalities)."""
    with open(demo.data_path(GEMEENTEN), encoding="utf-8", newline="") as handle:
        return [int(row["population"]) for row in csv.DictReader(handle)]


@pytest.fixture
def with_rule(demo_platform: Platform, tmp_path: Path) -> Callable[..., str]:
    """Register a copy of the gemeenten contract under ``new_id`` with one warning rule on the
    population, and load the real file: the rule fails for part of the rows, so the score drops."""

    def add(new_id: str, rule: dict[str, object] | None, *, load: bool = True) -> str:
        data = yaml.safe_load(demo.contract_path(GEMEENTEN).read_text(encoding="utf-8"))
        data.update(id=new_id, quality=[{"column": "population", "severity": "warning", **rule}] if rule else [])
        data["title"] = {"nl": f"Test {new_id}", "en": f"Test {new_id}"}
        path = tmp_path / f"{new_id}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        demo_platform.register(path)
        if load:
            demo_platform.ingest(demo.data_path(GEMEENTEN), new_id)
        return new_id

    return add


def bucket(score: float | None) -> str:
    """The facet value a score should get, written out here (docs/quality.md), not imported."""
    if score is None:
        return "onbekend"
    return "hoog" if score >= 95 else "midden" if score >= 80 else "laag"


def report_scores(platform: Platform) -> dict[str, float | None]:
    """Each public dataset's current score, from the report kept with its version (as the dataset page reads it)."""
    scores = {}
    for record in platform.catalog.public():
        view = platform.catalog.show(record.id)
        report = view.quality_of(view.current)
        scores[record.id] = report["score"] if report else None
    return scores


def test_quality_buckets_at_their_bounds() -> None:
    for score in (100.0, 95.0, 94.9, 80.0, 79.9, 0.0, None):
        assert quality_bucket(score) == bucket(score), score


def test_quality_facet_counts_filters_and_sorts(demo_platform: Platform, with_rule: Callable[..., str]) -> None:
    demo_scores = report_scores(demo_platform)
    assert demo_scores["cbs_kwb_2019_den_haag"] == 100.0  # the real file passes every rule of its contract
    assert set(demo_scores) == set(PUBLIC) and None not in demo_scores.values()
    assert "wmo_clienten_synthetisch" in demo.DEMO_DATASETS and "wmo_clienten_synthetisch" not in demo_scores
    demo_only = search_datasets(demo_platform.catalog)
    assert {c.id: c.quality_score for c in demo_only.cards} == demo_scores

    people = population()
    low = with_rule("kwaliteitstest_laag", {"rule": "range", "max": 30000})  # fails for every gemeente above 30,000
    medium = with_rule("kwaliteitstest_midden", {"rule": "range", "min": 15000})  # fails below 15,000
    unknown = with_rule("kwaliteitstest_onbekend", None, load=False)  # registered, no version yet
    added = {
        low: round(100 * sum(p <= 30000 for p in people) / len(people), 1),
        medium: round(100 * sum(p >= 15000 for p in people) / len(people), 1),
        unknown: None,
    }
    assert added == {low: 49.6, medium: 87.0, unknown: None}
    scores = {**demo_scores, **added}
    assert report_scores(demo_platform) == scores  # the same score each version's report keeps

    everything = search_datasets(demo_platform.catalog)
    assert everything.total == len(PUBLIC) + 3
    assert {c.id: c.quality_score for c in everything.cards} == scores
    counts = Counter(bucket(score) for score in scores.values())
    order = ("hoog", "midden", "laag", "onbekend")
    assert everything.facets["quality"] == [(b, counts[b]) for b in order if counts[b]]  # best to worst

    def found(*values: str, **kwargs: object) -> set[str]:
        return {c.id for c in search_datasets(demo_platform.catalog, filters={"quality": list(values)}, **kwargs).cards}

    for value in order:
        assert found(value) == {i for i, score in scores.items() if bucket(score) == value}, value
    assert "cbs_kwb_2019_den_haag" in found("hoog")
    assert found("midden", "laag") == {i for i, score in scores.items() if bucket(score) in ("midden", "laag")}
    # with a query: only the three test datasets match; the facet counts follow the query
    assert found("hoog", q="kwaliteitstest") == set()
    assert search_datasets(demo_platform.catalog, "kwaliteitstest").facets["quality"] == [
        ("midden", 1),
        ("laag", 1),
        ("onbekend", 1),
    ]
    # other facets count within the quality selection; the quality facet ignores its own
    laag = search_datasets(demo_platform.catalog, filters={"quality": ["laag"]})
    assert sum(dict(laag.facets["classification"]).values()) == counts["laag"]
    assert laag.facets["quality"] == everything.facets["quality"]

    ranked = [c.id for c in search_datasets(demo_platform.catalog, sort="quality").cards]
    assert ranked[-1] == unknown  # no score: last
    known = [scores[i] for i in ranked[:-1]]
    assert known == sorted(known, reverse=True) and ranked.index(medium) < ranked.index(low)  # type: ignore[type-var]


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


def test_quality_scores_come_from_a_postgres_metastore_too(postgres_url: str, tmp_path: Path) -> None:
    """The score is read with a JSON path in SQL, which each dialect writes its own way."""
    with Platform(make_settings(tmp_path / "home", metastore_url=postgres_url)) as platform:
        kwb = "cbs_kwb_2019_den_haag"
        platform.register(demo.contract_path(kwb))
        platform.ingest(demo.data_path(kwb), kwb)
        data = yaml.safe_load(demo.contract_path(GEMEENTEN).read_text(encoding="utf-8"))
        rule = {"rule": "range", "column": "population", "max": 30000, "severity": "warning"}
        data.update(id="kwaliteitstest_laag", quality=[rule])
        path = tmp_path / "kwaliteitstest_laag.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        platform.register(path)
        platform.ingest(demo.data_path(GEMEENTEN), "kwaliteitstest_laag")
        result = search_datasets(platform.catalog)
        # (ingesting the KWB also computed the open indicator table, whose rules all pass)
        scores = {c.id: c.quality_score for c in result.cards}
        assert scores == {kwb: 100.0, "kwaliteitstest_laag": 49.6, "indicatoren": 100.0}
        assert result.facets["quality"] == [("hoog", 2), ("laag", 1)]
        found = search_datasets(platform.catalog, filters={"quality": ["laag"]})
        assert [c.id for c in found.cards] == ["kwaliteitstest_laag"]
