"""The portal's HTML pages over the real demo data, in process (TestClient).

Values come from the demo contracts and data: the Den Haag KWB dataset has 159 rows and a column
WmoClienten_89 described as "Aantal cliënten met een maatwerkarrangement in het kader van de Wmo.".
The browser, downloads and accessibility are tested in test_browser.py.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from string import Formatter

import pytest
import yaml
from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.core.contract import load_contract
from stadsdata.errors import QuarantinedError
from stadsdata.indicators.sources import INDICATOR_DATASET
from stadsdata.platform import Platform
from stadsdata.web import i18n, portal
from stadsdata.web.quality_report import score_text
from tests.demo_expect import COMPUTED, PUBLIC, PUBLIC_DEMO, SHIPPED, public_contracts, themed

KWB = "cbs_kwb_2019_den_haag"
TEMPLATES = Path(portal.__file__).parent / "templates"


# -- helpers ---------------------------------------------------------------------------------
class _Tables(HTMLParser):
    """Cell texts of every <table> with an id: {id: [[cell, ...], ...]} (header row included)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or f"table{len(self.tables)}"
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._table and self._cell is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


def text(page: str) -> str:
    """The page's visible text in one line (tags dropped, entities decoded)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([,;:])", r"\1", flat)


def result_ids(page: str) -> list[str]:
    """Dataset ids of the search results, in order."""
    ol = re.search(r'<ol class="result-list">(.*?)</ol>', page, re.S)
    return re.findall(r'<h3 class="card__title"><a href="/datasets/([a-z0-9_]+)"', ol.group(1)) if ol else []


def facet_counts(page: str, facet: str) -> dict[str, int]:
    links = re.findall(
        rf'data-facet="{facet}" data-value="([^"]*)">.*?<span class="count">([\d.,]+)</span>', page, re.S
    )
    return {html.unescape(value): int(count.replace(".", "").replace(",", "")) for value, count in links}


@pytest.fixture
def add_dataset(demo_platform: Platform, tmp_path: Path) -> Callable[..., str]:
    """Register a copy of a demo contract under a new id (with changes) and load the demo file."""

    def add(new_id: str, like: str = "cbs_kwb_2019_gemeenten", data: Path | None = None, **changes: object) -> str:
        contract = yaml.safe_load(demo.contract_path(like).read_text(encoding="utf-8"))
        contract.update(id=new_id, **changes)
        path = tmp_path / f"{new_id}.yaml"
        path.write_text(yaml.safe_dump(contract, allow_unicode=True, sort_keys=False), encoding="utf-8")
        demo_platform.register(path)
        demo_platform.ingest(data or demo.data_path(like), new_id)
        return new_id

    return add


# -- home ------------------------------------------------------------------------------------
def test_home_has_search_themes_with_counts_and_recent_datasets(client: TestClient, demo_platform: Platform) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == "nl"
    page = response.text
    assert '<html lang="nl">' in page
    assert '<a class="skip-link" href="#inhoud">Naar de inhoud</a>' in page
    assert '<label class="search-form__label" for="q">Zoek een dataset</label>' in page
    assert 'action="/datasets" method="get" role="search"' in page
    body = text(page)
    assert f"Zoek in {len(PUBLIC)} openbare datasets" in body
    # Themes with the number of datasets: bevolking is in the KWB tables, the Wmo HbH panel, the wijken and buurten
    # 2019, and the computed indicatoren and wmo_prognose; geografie only in gemeenten 2024.
    bevolking = themed(public_contracts(demo_platform), "bevolking")
    assert {INDICATOR_DATASET, "wmo_prognose", KWB, "cbs_buurten_2019_den_haag"} <= set(bevolking)
    assert re.search(rf'href="/datasets\?theme=bevolking">.*?Bevolking.*?{len(bevolking)} datasets', page, re.S)
    assert re.search(r'href="/datasets\?theme=geografie">.*?Geografie.*?1 dataset<', page, re.S)
    # The recently changed: the five public datasets loaded last, newest first (the computed ones, then the demo
    # files in reverse load order); the vertrouwelijk one is never among them.
    loaded = {i: demo_platform.catalog.public_view(i).current.created_at for i in PUBLIC}  # type: ignore[union-attr]
    recent = re.findall(r'href="/datasets/([a-z0-9_]+)"', page)
    assert recent == sorted(PUBLIC, key=lambda i: loaded[i], reverse=True)[: portal.RECENT]
    assert recent == [*reversed(COMPUTED), *reversed(PUBLIC_DEMO)][: portal.RECENT]
    assert "wmo_clienten_synthetisch" not in page
    shown = [i for i in recent if i in SHIPPED]  # a shipped one among the recent: its contract's title
    assert shown and all(SHIPPED[i].title.nl in body for i in shown)
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in page
    assert 'href="/api/v1/docs"' in page and 'href="/catalog.ttl"' in page


def test_english_switch_sets_a_cookie_and_translates_ui_and_contract_texts(client: TestClient) -> None:
    dutch = client.get("/").text
    assert 'href="/?lang=en" hreflang="en" lang="en">English</a>' in dutch
    response = client.get("/?lang=en")
    assert response.status_code == 200
    assert response.cookies.get(i18n.LANGUAGE_COOKIE) == "en"
    page = response.text
    assert '<html lang="en">' in page
    assert "Find and use the municipality's data" in text(page)
    newest = next(i for i in reversed(PUBLIC_DEMO) if SHIPPED[i].title.en != SHIPPED[i].title.nl)
    assert SHIPPED[newest].title.en in text(page) and SHIPPED[newest].title.nl not in text(page)
    assert "Population" in text(page) and "Bevolking" not in text(page)
    # The cookie keeps English on the next page, without ?lang=.
    dataset = client.get(f"/datasets/{KWB}").text
    assert '<html lang="en">' in dataset
    assert "<h1>Key figures for districts and neighbourhoods 2019, The Hague (CBS)</h1>" in dataset
    assert 'href="/datasets/cbs_kwb_2019_den_haag?lang=nl"' in dataset
    # And ?lang=nl switches back.
    assert '<html lang="nl">' in client.get("/?lang=nl").text
    assert '<html lang="nl">' in client.get("/").text


def test_unknown_language_falls_back_to_dutch(client: TestClient) -> None:
    response = client.get("/?lang=fr")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert i18n.LANGUAGE_COOKIE not in response.cookies


# -- search ----------------------------------------------------------------------------------
def test_search_wmo_finds_the_den_haag_kwb_dataset_through_its_column(client: TestClient) -> None:
    page = client.get("/datasets", params={"q": "wmo"}).text
    # the Wmo HbH panel and the Wmo forecast too (Wmo in their titles); by relevance
    assert result_ids(page) == ["wmo_hbh_gemeenten_2017_2019", "wmo_prognose", KWB]
    body = text(page)
    assert "Zoekresultaten voor ‘wmo’" in body
    assert "3 datasets gevonden" in body
    assert "Gevonden in kolommen: WmoClienten_89, WmoClientenRelatief_90" in body
    assert "Gevonden in kolommen: wmoclienten, wmoclientenper1000inwoners" in body
    assert 'value="wmo"' in page


def test_search_without_query_lists_every_public_dataset_with_facet_counts(
    client: TestClient, demo_platform: Platform
) -> None:
    page = client.get("/datasets").text
    assert sorted(result_ids(page)) == sorted(PUBLIC) and len(PUBLIC_DEMO) == len(demo.DEMO_DATASETS) - 1
    assert PUBLIC == [*PUBLIC_DEMO, *COMPUTED] and COMPUTED[0] == INDICATOR_DATASET
    n = len(PUBLIC)
    assert f"{n} datasets gevonden" in text(page)
    contracts = public_contracts(demo_platform)
    assert facet_counts(page, "theme")["bevolking"] == len(themed(contracts, "bevolking"))
    # GeoJSON: gemeenten 2024, wijken and buurten 2019
    geojson = [i for i in PUBLIC_DEMO if demo.DEMO_DATASETS[i].endswith(".geojson")]
    assert facet_counts(page, "format") == {"CSV": n, "JSON": n, "Parquet": n, "GeoJSON": len(geojson) == 3 and 3}
    assert facet_counts(page, "classification") == {"openbaar": n}
    licences = [c.licence for c in contracts.values()]
    assert facet_counts(page, "licence")["CC-BY-4.0"] == licences.count("CC-BY-4.0")
    assert facet_counts(page, "dienst")["Bestuursdienst (BSD)"] >= 1
    assert sum(facet_counts(page, "quality").values()) == n and facet_counts(page, "quality")["hoog"] >= 1
    for facet in ("Thema", "Dienst", "Classificatie", "Formaat", "Licentie", "Kwaliteit"):
        assert f">{facet}</h3>" in page


def test_facets_filter_and_combine(client: TestClient) -> None:
    page = client.get("/datasets", params={"theme": "bevolking"}).text
    assert sorted(result_ids(page)) == sorted(
        [
            "cbs_kwb_2017_nl",
            "cbs_kwb_2019_gemeenten",
            KWB,
            "cbs_kwb_2021_den_haag",
            "wmo_hbh_gemeenten_2017_2019",
            "cbs_wijken_2019_den_haag",
            "cbs_buurten_2019_den_haag",
            INDICATOR_DATASET,
            "wmo_prognose",
        ]
    )
    assert "9 datasets gevonden" in text(page)
    # The selected value is marked (visibly and for screen readers) and its link removes it.
    assert re.search(
        r'<a class="facet__link facet__link--selected" href="/datasets" data-facet="theme" data-value="bevolking">',
        page,
    )
    assert "(geselecteerd)" in text(page)
    assert 'aria-label="Filter Thema: Bevolking verwijderen"' in page
    # Another facet narrows further; facet counts follow the other selections.
    both = client.get("/datasets", params={"theme": "bevolking", "q": "WK0518"}).text
    assert sorted(result_ids(both)) == sorted([KWB, "cbs_kwb_2021_den_haag", "cbs_wijken_2019_den_haag"])
    spatial = client.get("/datasets", params={"format": "GeoJSON"}).text
    assert sorted(result_ids(spatial)) == [
        "cbs_buurten_2019_den_haag",
        "cbs_gemeenten_2024",
        "cbs_wijken_2019_den_haag",
    ]
    # Two values of one facet: either.
    either = client.get("/datasets", params=[("theme", "geografie"), ("theme", "digitalisering")]).text
    assert sorted(result_ids(either)) == ["algoritmeregister_2022", "cbs_gemeenten_2024"]


def test_quality_facet_labels_filter_and_scores_on_the_cards(
    client: TestClient, demo_platform: Platform, add_dataset: Callable[..., str]
) -> None:
    # the real gemeenten file under a contract whose warning rule fails for every gemeente above 30,000
    rule = {"rule": "range", "column": "population", "max": 30000, "severity": "warning"}
    low = add_dataset("gemeenten_klein", quality=[rule])
    scores = {}
    for record in demo_platform.catalog.public():
        view = demo_platform.catalog.show(record.id)
        scores[record.id] = view.quality_of(view.current)["score"]  # type: ignore[index]
    assert scores[KWB] == 100.0 and scores[low] == 49.6
    labels = {"hoog": "hoog (95 of meer)", "midden": "midden (80 tot 95)", "laag": "laag (onder 80)"}
    buckets = {i: "hoog" if s >= 95 else "midden" if s >= 80 else "laag" for i, s in scores.items()}

    page = client.get("/datasets").text
    counts = facet_counts(page, "quality")
    assert counts == {b: list(buckets.values()).count(b) for b in set(buckets.values())}
    shown = re.findall(
        r'data-facet="quality" data-value="[^"]*">.*?<span class="facet__label">([^<]*)</span>', page, re.S
    )
    assert shown == [labels[b] for b in labels if b in counts]  # best to worst, not by count
    body = text(page)
    assert "Kwaliteit 100 van 100" in body and "Kwaliteit 49,6 van 100" in body  # Dutch decimal comma
    # exactly the datasets of the bucket; the chip names facet and value
    high = client.get("/datasets", params={"quality": "hoog"}).text
    assert sorted(result_ids(high)) == sorted(i for i, b in buckets.items() if b == "hoog")
    assert 'aria-label="Filter Kwaliteit: hoog (95 of meer) verwijderen"' in high
    assert sorted(result_ids(client.get("/datasets", params={"quality": "laag"}).text)) == sorted(
        i for i, b in buckets.items() if b == "laag"
    )
    ranked = result_ids(client.get("/datasets", params={"sort": "quality"}).text)
    assert [scores[i] for i in ranked] == sorted(scores.values(), reverse=True)
    english = client.get("/datasets", params={"quality": "laag", "lang": "en"}).text
    assert ">Quality</h3>" in english and "low (below 80)" in english and "high (95 or more)" in english
    assert "Quality 49.6 out of 100" in text(english)
    assert '<option value="quality">Quality (highest first)</option>' in english


def test_sort_by_title_and_by_recent_change(client: TestClient, demo_platform: Platform) -> None:
    by_title = result_ids(client.get("/datasets", params={"sort": "title"}).text)
    titles = {r.id: r.contract["title"]["nl"].lower() for r in demo_platform.catalog.public()}
    assert by_title == sorted(by_title, key=lambda i: titles[i])
    by_update = result_ids(client.get("/datasets", params={"sort": "updated"}).text)
    loaded = {r.id: demo_platform.catalog.public_view(r.id).current.created_at for r in demo_platform.catalog.public()}
    assert by_update == sorted(by_update, key=lambda i: loaded[i], reverse=True)
    page = client.get("/datasets", params={"sort": "updated"}).text
    assert '<option value="updated" selected>Laatst gewijzigd</option>' in page


def test_bad_search_parameters_are_forgiven_not_errors(client: TestClient) -> None:
    for params in ({"sort": "nonsense"}, {"page": "-3"}, {"page": "999999999999"}, {"colour": "red"}):
        response = client.get("/datasets", params=params)
        assert response.status_code == 200, params
        assert len(result_ids(response.text)) == len(PUBLIC)
    nothing = client.get("/datasets", params={"q": "zzzzqqq"})
    assert nothing.status_code == 200
    assert "Geen datasets gevonden." in text(nothing.text)
    unmatched = client.get("/datasets", params={"theme": "sport"}).text
    assert result_ids(unmatched) == []
    assert 'data-facet="theme" data-value="sport"' in unmatched  # still shown, so it can be removed


def test_search_text_is_escaped(client: TestClient) -> None:
    page = client.get("/datasets", params={"q": '<script>alert("x")</script>'}).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


# -- dataset page ----------------------------------------------------------------------------
def test_dataset_page_shows_contract_metadata(client: TestClient) -> None:
    page = client.get(f"/datasets/{KWB}").text
    assert "<h1>Kerncijfers wijken en buurten 2019, Den Haag (CBS)</h1>" in page
    body = text(page)
    for expected in (
        "Dienst Bestuursdienst (BSD)",
        "Data-eigenaar Manager Data en Analyse, BSD",
        "Datasteward Datasteward Basisstatistiek, BSD",
        "Contact data@denhaag.nl",
        "Classificatie Openbaar",
        "Licentie CC BY 4.0",
        "Actualisatie Wordt niet bijgewerkt",
        "Gebied Gemeente 's-Gravenhage (GM0518): de gemeente, 44 wijken en 114 buurten",
        "Periode 1 januari 2019 tot en met 31 december 2019",
        "Grondslag Geen persoonsgegevens: geaggregeerde statistiek",
        "Bewaartermijn Permanent bewaren Openbare referentiestatistiek",
        "Sleutel WijkenEnBuurten",
        "Bron Centraal Bureau voor de Statistiek (CBS)",
        "Bronvermelding Bron: CBS, Kerncijfers wijken en buurten 2019 (84583NED), CC BY 4.0.",
        "Rijen 159 Kolommen 118 Versie 1",
    ):
        assert expected in body, expected
    assert 'href="/datasets?theme=zorg-en-welzijn">Zorg en welzijn</a>' in page
    assert "<li>84583NED</li>" in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in page


def test_dataset_page_column_table_has_types_units_descriptions_and_personal_data(client: TestClient) -> None:
    page = client.get(f"/datasets/{KWB}").text
    columns = tables(page)["columns-table"]
    assert columns[0] == ["Naam", "Type", "Eenheid", "Beschrijving", "Persoonsgegevens"]
    assert len(columns) == 1 + 118
    rows = {row[0]: row for row in columns[1:]}
    assert rows["WmoClienten_89"] == [
        "WmoClienten_89",
        "geheel getal",
        "aantal",
        "Aantal cliënten met een maatwerkarrangement in het kader van de Wmo.",
        "Geen",
    ]
    assert rows["WijkenEnBuurten sleutel"][1] == "tekst"
    assert '<th scope="col">Naam</th>' in page and '<th scope="row"><code>WmoClienten_89</code>' in page
    assert "<caption" in page


def test_dataset_page_preview_shows_the_first_real_rows(client: TestClient) -> None:
    page = client.get(f"/datasets/{KWB}").text
    preview = tables(page)["preview-table"]
    header, rows = preview[0], preview[1:]
    assert header[:3] == ["ID", "WijkenEnBuurten", "Gemeentenaam_1"]
    assert len(header) == 118
    assert len(rows) == 20
    with demo.data_path(KWB).open(encoding="utf-8") as handle:
        first = list(csv.DictReader(handle))[:20]
    assert [r[1] for r in rows] == [r["WijkenEnBuurten"] for r in first]
    assert rows[0][:4] == ["5660", "GM0518", "'s-Gravenhage", "Gemeente"]
    wmo = header.index("WmoClienten_89")
    assert rows[0][wmo] == first[0]["WmoClienten_89"]
    assert "De eerste 20 van 159 rijen (versie 1)" in text(page)
    # The wide table scrolls inside its own focusable, labelled container.
    assert re.search(
        r'<div class="table-scroll" role="region" aria-labelledby="preview-caption"[^>]*tabindex="0"', page
    )


def test_dataset_page_versions_lineage_downloads_and_api_example(client: TestClient) -> None:
    page = client.get(f"/datasets/{KWB}").text
    versions = tables(page)["versions-table"]
    assert versions[0] == ["Versie", "Geladen op", "Rijen", "Kolommen", "Schemawijzigingen", "Geleverd als"]
    assert versions[1][0] == "Versie 1 huidige versie"
    assert versions[1][2:] == ["159", "118", "eerste versie", "CSV"]
    assert 'href="/datasets/cbs_kwb_2019_den_haag/versions/1"' in page
    body = text(page)
    assert "Externe bron Centraal Bureau voor de Statistiek (CBS)" in body
    downloads = re.findall(r'href="(/api/v1/datasets/[^"]+)" download data-format="([^"]+)"', page)
    assert downloads == [
        (f"/api/v1/datasets/{KWB}/rows?format=csv", "csv"),
        (f"/api/v1/datasets/{KWB}/rows?format=csv-excel", "csv-excel"),
        (f"/api/v1/datasets/{KWB}/rows?format=json", "json"),
        (f"/api/v1/datasets/{KWB}/rows?format=parquet", "parquet"),
    ]
    assert "CSV voor Excel" in body
    assert f"curl 'http://testserver/api/v1/datasets/{KWB}/rows?format=json'" in html.unescape(page)
    assert f'href="/api/v1/datasets/{KWB}"' in page
    assert 'href="/api/v1/docs"' in page


def test_geojson_download_only_for_datasets_with_a_geometry_column(client: TestClient) -> None:
    spatial = client.get("/datasets/cbs_gemeenten_2024").text
    assert 'href="/api/v1/datasets/cbs_gemeenten_2024/rows?format=geojson" download' in spatial
    assert "?format=geojson" not in client.get(f"/datasets/{KWB}").text
    # Long geometries are cut in the preview, not dumped whole.
    preview = tables(spatial)["preview-table"]
    geometry = preview[0].index("geometry")
    assert preview[1][geometry].startswith("MULTIPOLYGON (((")
    assert preview[1][geometry].endswith("…")
    assert len(preview[1][geometry]) <= portal.MAX_CELL


def test_dataset_page_in_english(client: TestClient) -> None:
    page = client.get(f"/datasets/{KWB}", params={"lang": "en"}).text
    rows = {row[0]: row for row in tables(page)["columns-table"][1:]}
    assert rows["WmoClienten_89"][1:] == [
        "integer",
        "aantal",
        "Number of clients with a customised support arrangement under the Social Support Act (Wmo).",
        "None",
    ]
    body = text(page)
    assert "Update frequency Not updated" in body
    assert "Temporal coverage 1 January 2019 to 31 December 2019" in body
    assert "CSV for Excel" in body
    # Texts the contract has only in Dutch are marked as Dutch for screen readers.
    assert '<dd lang="nl">Bestuursdienst (BSD)</dd>' in page
    assert '<dd lang="nl">Geen persoonsgegevens' in page
    assert "The first 20 of 159 rows (version 1)" in body


def test_every_demo_dataset_page_renders_in_both_languages(client: TestClient) -> None:
    assert client.get("/datasets/wmo_clienten_synthetisch").status_code == 404  # vertrouwelijk: no public page
    for dataset_id in PUBLIC:
        for lang in i18n.LANGUAGES:
            response = client.get(f"/datasets/{dataset_id}", params={"lang": lang})
            assert response.status_code == 200, (dataset_id, lang)
            assert tables(response.text)["preview-table"][1:], dataset_id
            version = client.get(f"/datasets/{dataset_id}/versions/1", params={"lang": lang})
            assert version.status_code == 200, (dataset_id, lang)


# -- versions, schema changes, lineage ---------------------------------------------------------
@pytest.fixture
def two_versions(add_dataset: Callable[..., str], demo_platform: Platform, tmp_path: Path) -> str:
    """A dataset with two versions: 355 rows, then 10 rows without column 'widowed' and with 'households'."""
    dataset_id = add_dataset("test_bevolking", schema_mode="evolve")
    with demo.data_path("cbs_kwb_2019_gemeenten").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    second = tmp_path / "bevolking_v2.csv"
    with second.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*rows[0][:-1], "households"])
        writer.writerows([*row[:-1], "100"] for row in rows[1:11])
    demo_platform.ingest(second, dataset_id)
    return dataset_id


def test_version_history_shows_row_counts_and_schema_changes(client: TestClient, two_versions: str) -> None:
    page = client.get(f"/datasets/{two_versions}").text
    versions = tables(page)["versions-table"]
    assert [row[0] for row in versions[1:]] == ["Versie 2 huidige versie", "Versie 1"]
    assert versions[1][2] == "10" and versions[2][2] == "355"
    assert versions[1][4] == "toegevoegd: households ontbrak in levering (leeg): widowed"
    assert versions[2][4] == "eerste versie"
    assert "Rijen 10 Kolommen 15 Versie 2" in text(page)


def test_version_page_shows_that_version_its_schema_and_rows(client: TestClient, two_versions: str) -> None:
    old = client.get(f"/datasets/{two_versions}/versions/1")
    assert old.status_code == 200
    body = text(old.text)
    assert "Versie 1" in body
    assert "Dit is een oudere versie. De huidige versie is versie 2." in body
    assert "Rijen 355" in body
    assert f'"{two_versions}@1"' in html.unescape(old.text)
    schema = tables(old.text)["schema-table"]
    assert [row[0] for row in schema[1:]][-1] == "widowed"
    assert "households" not in [row[0] for row in schema[1:]]
    preview = tables(old.text)["preview-table"]
    assert len(preview) == 1 + 20 and preview[1][:2] == ["Appingedam", "GM0003"]
    assert "De eerste 20 van 355 rijen (versie 1)" in body
    # Downloads of exactly this version (the API's version selector).
    assert f'href="/api/v1/datasets/{two_versions}/rows?format=csv&amp;version=1" download' in old.text
    assert "Precies deze versie (versie 1, 355 rijen) als bestand:" in body

    new = client.get(f"/datasets/{two_versions}/versions/2").text
    assert "Dit is de huidige versie." in text(new)
    assert "toegevoegd: households" in text(new)
    assert len(tables(new)["preview-table"]) == 1 + 10
    assert "households" in [row[0] for row in tables(new)["schema-table"][1:]]


def test_lineage_links_public_datasets_and_hides_others(
    client: TestClient, demo_platform: Platform, add_dataset: Callable[..., str]
) -> None:
    add_dataset("test_intern_bron", classification="intern")
    demo_platform.metastore.add_lineage(KWB, "cbs_kwb_2017_nl", note="zelfde bron, ander jaar")
    demo_platform.metastore.add_lineage(KWB, "test_intern_bron")
    page = client.get(f"/datasets/{KWB}").text
    assert "Afgeleid van cbs_kwb_2017_nl" in text(page)
    assert 'href="/datasets/cbs_kwb_2017_nl"' in page
    assert "test_intern_bron" not in page
    downstream = client.get("/datasets/cbs_kwb_2017_nl").text
    # and the indicator table, computed from it
    assert "Gebruikt door indicatoren cbs_kwb_2019_den_haag" in text(downstream)
    assert 'href="/datasets/cbs_kwb_2019_den_haag"' in downstream and 'href="/datasets/indicatoren"' in downstream


# -- not found and not public ----------------------------------------------------------------
def _assert_html_404(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Pagina niet gevonden</h1>" in response.text
    assert '<meta name="robots" content="noindex">' in response.text


def test_unknown_dataset_and_version_are_html_404_pages(client: TestClient) -> None:
    for path in (
        "/datasets/bestaat_niet",
        "/datasets/Not-An-Id!",
        f"/datasets/{KWB}/versions/2",
        f"/datasets/{KWB}/versions/0",
        f"/datasets/{KWB}/versions/abc",
        f"/datasets/{KWB}/versions/-1",
        "/datasets/bestaat_niet/versions/1",
    ):
        _assert_html_404(client.get(path))
    english = client.get("/datasets/bestaat_niet", params={"lang": "en"})
    assert english.status_code == 404 and "<h1>Page not found</h1>" in english.text


def test_unknown_paths_are_html_for_browsers_and_problem_json_for_programs(client: TestClient) -> None:
    _assert_html_404(client.get("/geen/pagina", headers={"accept": "text/html,application/xhtml+xml"}))
    program = client.get("/geen/pagina", headers={"accept": "application/json"})
    assert program.status_code == 404
    assert program.headers["content-type"] == "application/problem+json"
    api = client.get("/api/v1/geen", headers={"accept": "text/html"})
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_a_dataset_that_is_not_openbaar_does_not_exist_in_the_portal(
    client: TestClient, add_dataset: Callable[..., str], demo_platform: Platform
) -> None:
    secret = add_dataset("test_intern", like=KWB, classification="intern")
    _assert_html_404(client.get(f"/datasets/{secret}"))
    _assert_html_404(client.get(f"/datasets/{secret}/versions/1"))
    search = client.get("/datasets", params={"q": "wmo"}).text
    assert result_ids(search) == ["wmo_hbh_gemeenten_2017_2019", "wmo_prognose", KWB]
    assert secret not in search
    everything = client.get("/datasets").text
    assert len(result_ids(everything)) == len(PUBLIC)
    assert facet_counts(everything, "classification") == {"openbaar": len(PUBLIC)}
    assert "intern" not in facet_counts(everything, "classification")
    home = client.get("/").text
    assert f"Zoek in {len(PUBLIC)} openbare datasets" in text(home)  # the intern one is not counted
    bevolking = themed(public_contracts(demo_platform), "bevolking")
    assert re.search(rf'theme=bevolking">.*?{len(bevolking)} datasets', home, re.S)


# -- static files and the i18n catalogue -------------------------------------------------------
def test_static_files_are_served_by_the_app(client: TestClient) -> None:
    css = client.get("/static/portal.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text and "outline: 3px solid" in css.text
    js = client.get("/static/portal.js")
    assert js.status_code == 200 and "clipboard" in js.text
    assert client.get("/static/favicon.svg").status_code == 200
    page = client.get("/").text
    assert "http://" not in re.sub(r'(href|src)="(/|#|mailto:)[^"]*"', "", page).split("<footer")[0].replace(
        "http://testserver", ""
    )


def test_every_message_has_dutch_and_english_with_the_same_placeholders() -> None:
    for key, (nl, en) in i18n.MESSAGES.items():
        assert nl.strip() and en.strip(), key
        fields = lambda s: sorted(f for _, f, _, _ in Formatter().parse(s) if f)  # noqa: E731
        assert fields(nl) == fields(en), key
    for table in (i18n.THEMES, i18n.CLASSIFICATIONS, i18n.FREQUENCY_LABELS, i18n.PERSONAL_DATA, i18n.COLUMN_TYPES):
        for key, (nl, en) in table.items():
            assert nl and en, key


def test_every_message_key_used_in_the_templates_exists() -> None:
    used: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.-]+)["']""", template.read_text(encoding="utf-8")))
    assert used, "no t('...') calls found"
    used = {key for key in used if not key.endswith(".")}  # prefixes: checked below
    missing = sorted(used - set(i18n.MESSAGES))
    assert not missing, f"keys used in templates but not in i18n.MESSAGES: {missing}"
    # Keys built in templates ("download." ~ format, "facet." ~ name, "search.sort." ~ sort).
    for fmt in ("csv", "csv-excel", "json", "geojson", "parquet"):
        assert f"download.{fmt}" in i18n.MESSAGES and f"download.{fmt}.hint" in i18n.MESSAGES
    for facet in ("theme", "dienst", "classification", "format", "licence", "quality"):
        assert f"facet.{facet}" in i18n.MESSAGES
    for bucket in ("hoog", "midden", "laag", "onbekend"):
        assert f"facet.quality.{bucket}" in i18n.MESSAGES
    for sort in ("relevance", "title", "updated", "quality"):
        assert f"search.sort.{sort}" in i18n.MESSAGES
    for outcome in ("pass", "fail", "skipped"):  # "quality." ~ outcome in _quality.html
        assert f"quality.{outcome}" in i18n.MESSAGES
    for state in ("loaded", "quarantined", "released"):  # t.delivery_state in the HTML report
        assert f"state.{state}" in i18n.MESSAGES


def test_translator_formats_numbers_dates_and_retention() -> None:
    import datetime as dt

    nl, en = i18n.Translator("nl"), i18n.Translator("en")
    assert nl.number(16667) == "16.667" and en.number(16667) == "16,667"
    assert nl.number(1234.5) == "1.234,5" and en.number(1234.5) == "1,234.5"
    assert nl.date(dt.date(2019, 1, 1)) == "1 januari 2019" and en.date(dt.date(2019, 1, 1)) == "1 January 2019"
    # Stored UTC, shown in Dutch time (CET in winter, CEST in summer).
    assert nl.datetime(dt.datetime(2026, 11, 23, 12, 42, tzinfo=dt.UTC)) == "23 november 2026, 13:42"
    assert en.datetime(dt.datetime(2026, 7, 1, 12, 0)) == "1 July 2026, 14:00"
    assert nl.retention("P7Y") == "7 jaar" and en.retention("P1Y6M") == "1 year and 6 months"
    assert nl.retention("permanent") == "Permanent bewaren"
    assert nl.theme("zorg-en-welzijn") == "Zorg en welzijn" and en.theme("zorg-en-welzijn") == "Care and welfare"
    assert en.theme("nieuw-thema") == "Nieuw thema"
    assert en.text({"nl": "Alleen Nederlands"}) == i18n.LocalText("Alleen Nederlands", "nl")
    assert i18n.resolve_language("en", "nl") == "en"
    assert i18n.resolve_language(None, "en") == "en"
    assert i18n.resolve_language("xx", "yy") == "nl"


def test_excerpt_cuts_at_a_word_and_drops_trailing_punctuation() -> None:
    assert portal.excerpt("kort") == "kort"
    assert portal.excerpt("een twee, drie vier", 10) == "een twee…"


def test_every_link_on_the_portal_pages_leads_somewhere(client: TestClient) -> None:
    """Crawl the links of every page type: portal pages answer 200, the DCAT and API links are routes."""
    pages = [
        "/",
        "/datasets",
        "/datasets?q=wmo&theme=zorg-en-welzijn",
        f"/datasets/{KWB}",
        f"/datasets/{KWB}/versions/1",
    ]
    seen: set[str] = set()
    for page in pages:
        for href in re.findall(r'href="([^"#]+)"', client.get(page).text):
            href = html.unescape(href)
            if href.startswith(("http://", "https://", "mailto:")) or href in seen:
                continue
            seen.add(href)
            if href.startswith("/api/"):
                continue  # the API's own tests cover it; the browser test follows these links
            response = client.get(href)
            assert response.status_code == 200, (page, href, response.status_code)
    assert "/catalog.ttl" in seen and "/static/portal.css" in seen
    assert {f"/datasets/{KWB}/versions/1", "/datasets?theme=bevolking"} <= seen


def test_a_registered_dataset_without_a_version_still_has_a_page(
    client: TestClient, demo_platform: Platform, tmp_path: Path
) -> None:
    contract = yaml.safe_load(demo.contract_path("cbs_kwb_2019_gemeenten").read_text(encoding="utf-8"))
    contract["id"] = "test_leeg"
    path = tmp_path / "test_leeg.yaml"
    path.write_text(yaml.safe_dump(contract, allow_unicode=True), encoding="utf-8")
    demo_platform.register(path)
    response = client.get("/datasets/test_leeg")
    assert response.status_code == 200
    body = text(response.text)
    assert "Deze dataset heeft nog geen geladen versie om te downloaden." in body
    assert "Er is nog geen versie geladen." in body
    assert "/api/v1/datasets/test_leeg/rows?format=csv" not in response.text
    _assert_html_404(client.get("/datasets/test_leeg/versions/1"))
    assert "test_leeg" in result_ids(client.get("/datasets", params={"q": "test_leeg"}).text)


def test_search_pages(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal, "PAGE_SIZE", 2)
    n = len(PUBLIC)
    count = (n + 1) // 2  # pages of two
    pages = [client.get("/datasets", params={"sort": "title", "page": str(p)}).text for p in range(1, count + 1)]
    assert result_ids(client.get("/datasets", params={"sort": "title"}).text) == result_ids(pages[0])
    ids = [i for page in pages for i in result_ids(page)]
    assert [len(result_ids(page)) for page in pages] == [2] * (n // 2) + [1] * (n % 2)
    assert len(ids) == n and sorted(ids) == sorted(PUBLIC)
    second, last = pages[1], pages[-1]
    assert f"Pagina 2 van {count}" in text(second)
    assert 'href="/datasets?sort=title" rel="prev"' in second
    assert 'href="/datasets?sort=title&amp;page=3" rel="next"' in second
    assert 'rel="next"' not in last
    beyond = client.get("/datasets", params={"sort": "title", "page": "50"}).text
    assert result_ids(beyond) == result_ids(last) and f"Pagina {count} van {count}" in text(beyond)


# -- quality report and column profile ----------------------------------------------------------
def rule_cells(rows: list[list[str]]) -> dict[str, list[str]]:
    """Quality-table rows by rule label (the first cell also holds the rule's description)."""
    return {row[0].split(")", 1)[0] + ")" if "(" in row[0] else row[0]: row[1:] for row in rows}


def test_dataset_page_shows_the_quality_score_and_rules(client: TestClient, add_dataset: Callable[..., str]) -> None:
    page = client.get(f"/datasets/{KWB}").text
    body = text(page)
    assert "Kwaliteitsscore van versie 1: 100 van 100" in body
    rule_count = len(load_contract(demo.contract_path(KWB)).quality)
    assert f"{rule_count} voldoen 0 voldoen niet" in body
    assert "Score per versie versie 1: 100" in body
    rows = tables(page)["quality-table"]
    # the first cell: the rule's label, then why it exists (the contract's description)
    assert any(r[0].startswith("range(AantalInwoners_5)Een aantal inwoners is nooit negatief") for r in rows)
    rules = rule_cells(rows)
    assert rules["Regel"] == ["Soort", "Ernst", "Uitkomst", "Toelichting"]
    assert rules["range(AantalInwoners_5)"] == ["bereik", "blokkerend", "✓ voldoet", "0 van 159 rijen voldoen niet"]
    assert rules["completeness(AantalInwoners_5)"] == [
        "volledigheid",
        "blokkerend",
        "✓ voldoet",
        "0 van 159 leeg (0,0 %); ten hoogste 0,0 % toegestaan",
    ]
    assert rules["row_sum(Mannen_6, Vrouwen_7, AantalInwoners_5)"][:2] == ["rijsom", "waarschuwing"]
    assert rules["allowed_values(SoortRegio_2)"][0] == "toegestane waarden"
    assert len(rules) == 1 + rule_count
    assert 'href="#quality"' in page and 'href="#profile"' in page

    english = client.get(f"/datasets/{KWB}?lang=en").text
    assert "Quality score of version 1: 100 out of 100" in text(english)
    rules_en = rule_cells(tables(english)["quality-table"])
    assert rules_en["range(AantalInwoners_5)"] == ["range", "blocking", "✓ passes", "0 of 159 rows break it"]
    assert rules_en["completeness(AantalInwoners_5)"][3] == "0 of 159 empty (0.0%); at most 0.0% allowed"
    no_rules = client.get(f"/datasets/{add_dataset('test_zonder_regels', quality=[])}?lang=nl").text
    assert "Het contract bevat geen kwaliteitsregels." in no_rules and "Kwaliteitsscore van versie 1: 100" in no_rules


def test_dataset_page_shows_the_column_profile(client: TestClient) -> None:
    page = client.get(f"/datasets/{KWB}").text
    assert "Kolomprofiel" in page and "gemeten over alle 159 rijen" in text(page)
    # 118 columns: folded behind one click, like the column table.
    assert re.search(r'<details class="profile-details">\s*<summary[^>]*>.*Kolomprofiel tonen \(118 kolommen\)', page)
    profile = {row[0]: row for row in tables(page)["profile-table"]}
    assert profile["Kolom"] == [
        "Kolom", "Type", "Leeg", "Verschillend", "Bereik", "Gemiddelde", "Verdeling"
    ]  # fmt: skip
    assert len(profile) == 1 + 118
    # SoortRegio_2: 114 buurten, 44 wijken and the gemeente itself, as bars with their counts.
    assert profile["SoortRegio_2"] == [
        "SoortRegio_2", "tekst", "0", "3", "4 tot 8 tekens", "", "Buurt 114 Wijk 44 Gemeente 1"
    ]  # fmt: skip
    # AantalInwoners_5: from empty wijken (0) to the whole municipality (537.833), in Dutch numbers.
    assert profile["AantalInwoners_5"][:6] == [
        "AantalInwoners_5",
        "geheel getal",
        "0",
        "139",
        "0 – 537.833",
        "10.144,9",
    ]
    assert profile["IndelingswijzigingWijkenEnBuurten_4"][2] == "1 (0,6 %)"
    assert profile["WijkenEnBuurten"][6] == "alle waarden verschillend"
    assert re.search(
        r'<svg class="histogram"[^>]*role="img"[^>]*>\s*<title>Verdeling in 9 klassen: 0 – 60.000: 158; ', page
    )

    english = client.get(f"/datasets/{KWB}?lang=en").text
    profile_en = {row[0]: row for row in tables(english)["profile-table"]}
    assert profile_en["SoortRegio_2"][1:] == ["text", "0", "3", "4 to 8 characters", "", "Buurt 114 Wijk 44 Gemeente 1"]
    assert profile_en["AantalInwoners_5"][4:6] == ["0 – 537,833", "10,144.9"]
    assert "Show the column profile (118 columns)" in english

    # A dataset with few columns shows its profile open; a geometry column has only its empties.
    geo = client.get("/datasets/cbs_gemeenten_2024?lang=nl").text
    assert '<details class="profile-details">' not in geo
    geometry = {row[0]: row for row in tables(geo)["profile-table"]}["geometry"]
    assert geometry == ["geometry", "geometrie", "0", "", "", "", ""]


@pytest.fixture
def kwb_history(demo_platform: Platform, tmp_path: Path) -> Platform:
    """The real KWB file three times: v2 with a warning (men + women off by 40 in one wijk), a
    quarantined delivery (negative count), then that delivery released with a reason (v3)."""
    with demo.data_path(KWB).open(encoding="utf-8", newline="") as handle:
        original = list(csv.reader(handle))

    def delivery(name: str, code: str, column: str, value: str) -> Path:
        table = [list(row) for row in original]
        header = table[0]
        row = next(r for r in table[1:] if r[header.index("WijkenEnBuurten")] == code)
        row[header.index(column)] = value
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(table)
        return path

    demo_platform.ingest(delivery("waarschuwing.csv", "WK051801", "Mannen_6", "40"), KWB)
    with pytest.raises(QuarantinedError):
        demo_platform.ingest(delivery("negatief.csv", "BU05180170", "AantalInwoners_5", "-5"), KWB)
    quarantined = demo_platform.metastore.list_deliveries(KWB)[-1]
    demo_platform.release(quarantined.id, "CBS bevestigt de correctie; volgende levering hersteld.")
    return demo_platform


def test_dataset_page_shows_failing_rules_examples_release_and_trend(client: TestClient, kwb_history: Platform) -> None:
    page = client.get(f"/datasets/{KWB}").text
    body = text(page)
    scores = [score_text(kwb_history.quality_report(KWB, n)["score"], "nl") for n in (1, 2, 3)]
    assert scores[0] == "100" and scores[2] != "100"
    assert f"Kwaliteitsscore van versie 3: {scores[2]} van 100" in body
    rule_count = len(load_contract(demo.contract_path(KWB)).quality)
    assert f"{rule_count - 1} voldoen 1 voldoen niet" in body
    assert f"Score per versie versie 1: 100 versie 2: {scores[1]} versie 3: {scores[2]}" in body
    assert re.search(r'<polyline class="score-trend__line" points="0.0,2.0 50.0,[\d.]+ 100.0,[\d.]+"', page)
    assert (
        "Ondanks blokkerende bevindingen vrijgegeven door de data-eigenaar: "
        "CBS bevestigt de correctie; volgende levering hersteld." in body
    )
    assert "tester" not in body  # who released it is not shown on the public portal
    rules = rule_cells(tables(page)["quality-table"])
    assert rules["range(AantalInwoners_5)"] == [
        "bereik",
        "blokkerend",
        "✗ voldoet niet",
        "1 van 159 rijen voldoen niet Voorbeelden rij 3: AantalInwoners_5 = -5",
    ]
    assert rules["unique(WijkenEnBuurten)"][2] == "✓ voldoet"
    assert '<tr class="rule rule--fail">' in page
    english = text(client.get(f"/datasets/{KWB}?lang=en").text)
    assert "1 of 159 rows break it Examples row 3: AantalInwoners_5 = -5" in english
    assert "Released despite blocking findings by the data owner: CBS bevestigt" in english
