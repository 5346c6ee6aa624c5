"""The DCAT-AP-NL 3.0 catalogue: /catalog.ttl and /catalog.jsonld, validated with pyshacl.

The shapes are the copies in tests/standards/dcat-ap-nl-3.0 (see SOURCES.md there). Mandatory:
dcat-ap-nl-SHACL.ttl with both klassebereik files, and the European DCAT-AP 3.0.0 base, each
with RDFS inference: no violation. Recommended ("aanbevolen"): its warnings are printed
(``pytest -s``) and pinned. Besides validity the tests check content against the contracts:
titles, a distribution per download format that really downloads, the data service, and that a
dataset classified intern is neither shown nor counted.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as DCT
from rdflib.namespace import RDF, SKOS

from stadsdata import demo
from stadsdata.core.contract import Contract, load_contract
from stadsdata.indicators.sources import INDICATOR_DATASET
from stadsdata.opendata import dcat
from stadsdata.platform import Platform
from tests.demo_expect import COMPUTED, PUBLIC

SHAPES = Path(__file__).parents[1] / "standards" / "dcat-ap-nl-3.0"
NL_MANDATORY = (
    "dcat-ap-nl-SHACL.ttl",
    "dcat-ap-nl-SHACL-klassebereik.ttl",
    "dcat-ap-nl-SHACL-klassebereik-codelijsten.ttl",
)
EU_BASE = ("dcat-ap-SHACL.ttl",)
RECOMMENDED = ("dcat-ap-nl-SHACL-aanbevolen.ttl",)
SERIALIZATIONS = {"/catalog.ttl": ("text/turtle", "turtle"), "/catalog.jsonld": ("application/ld+json", "json-ld")}

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SH = Namespace("http://www.w3.org/ns/shacl#")
EUSH = Namespace("https://purl.eu/ns/shacl#")
EU = "http://publications.europa.eu/resource/authority/"
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's own XSD warns when pytest inspects it
GEMEENTE_DEN_HAAG = URIRef("https://identifier.overheid.nl/tooi/id/gemeente/gm0518")

# Written out here, not taken from the module under test: the EU data themes (13 codes) and,
# per ?format=, the IANA media type and EU file type a distribution must carry.
EU_DATA_THEMES = {
    "AGRI",
    "ECON",
    "EDUC",
    "ENER",
    "ENVI",
    "GOVE",
    "HEAL",
    "INTR",
    "JUST",
    "REGI",
    "SOCI",
    "TECH",
    "TRAN",
}
FORMATS = {
    "json": ("application/json", "JSON"),
    "csv": ("text/csv", "CSV"),
    "csv-excel": ("text/csv", "CSV"),
    "geojson": ("application/geo+json", "GEOJSON"),
    "parquet": ("application/vnd.apache.parquet", "PARQUET"),
}


# -- helpers -------------------------------------------------------------------------------
@functools.cache
def shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name, format="turtle")
    return graph


def fetch(client: TestClient, path: str) -> Graph:
    media_type, rdf_format = SERIALIZATIONS[urlsplit(path).path]
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    return Graph().parse(data=response.content, format=rdf_format)


def results(report: Graph) -> list[dict[str, object]]:
    rows = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        rows.append(
            {
                "severity": report.value(result, SH.resultSeverity),
                "focus": report.value(result, SH.focusNode),
                "path": report.value(result, SH.resultPath),
                "shape": report.value(result, SH.sourceShape),
                "message": report.value(result, SH.resultMessage),
            }
        )
    return rows


def check(graph: Graph, names: tuple[str, ...]) -> tuple[bool, list[dict[str, object]], str]:
    conforms, report, text = validate(graph, shacl_graph=shapes(*names), inference="rdfs")
    return bool(conforms), results(report), str(text)


def datasets_by_id(graph: Graph) -> dict[str, URIRef]:
    found = {}
    for node in graph.subjects(RDF.type, DCAT.Dataset):
        identifier = graph.value(node, ADMS.identifier)
        found[str(graph.value(identifier, SKOS.notation))] = node
    return found


def demo_contracts() -> dict[str, Contract]:
    return {dataset_id: load_contract(demo.contract_path(dataset_id)) for dataset_id in demo.DEMO_DATASETS}


def loaded_contracts(platform: Platform) -> dict[str, Contract]:
    """Every dataset of the loaded demo: the shipped contracts, and the computed datasets' contracts as the
    platform registered them (generated, so not in demo/contracts)."""
    return demo_contracts() | {i: platform.catalog.show(i).contract for i in COMPUTED}


# -- validation ----------------------------------------------------------------------------
@pytest.mark.parametrize("path", SERIALIZATIONS)
def test_conforms_to_the_dutch_mandatory_shapes(client: TestClient, path: str) -> None:
    conforms, found, text = check(fetch(client, path), NL_MANDATORY)
    violations = [r for r in found if r["severity"] == SH.Violation]
    assert conforms and not violations, text


@pytest.mark.parametrize("path", SERIALIZATIONS)
def test_conforms_to_the_european_dcat_ap_base_shapes(client: TestClient, path: str) -> None:
    conforms, found, text = check(fetch(client, path), EU_BASE)
    assert conforms and not found, text


@pytest.mark.parametrize("path", SERIALIZATIONS)
def test_recommended_shapes_give_only_the_known_warnings(client: TestClient, path: str) -> None:
    graph = fetch(client, path)
    _, found, _ = check(graph, RECOMMENDED)
    recommended = shapes(*RECOMMENDED)
    print(f"\nDCAT-AP-NL aanbevolen (recommended) shapes on {path}: {len(found)} warnings")
    for row in sorted(found, key=lambda r: (str(r["path"]), str(r["focus"]))):
        message = recommended.value(row["shape"], EUSH.message) or row["message"]  # type: ignore[arg-type]
        path_name = graph.namespace_manager.normalizeUri(row["path"])  # type: ignore[arg-type]
        print(f"  WARNING {path_name} on {row['focus']}: {message}")
    assert all(r["severity"] == SH.Warning for r in found)
    # What is still missing (docs/dcat.md): a linked schema (dct:conformsTo) for every dataset and
    # for every distribution except GeoJSON, which conforms to RFC 7946; and no download URL for
    # the JSON distributions, which the API serves in pages (an access URL is what they are).
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
    geojson = {d for d in distributions if str(d).endswith("/geojson")}
    json_pages = {d for d in distributions if str(d).endswith("/json")}
    expected = {(n, DCT.conformsTo) for n in datasets | distributions - geojson}
    # and a documentation page for a dataset the platform computed itself (indicatoren, wmo_prognose, ...):
    # its contract names no external source page
    undocumented = {n for n in datasets if (n, FOAF.page, None) not in graph}
    assert {str(n).rsplit("/", 1)[-1] for n in undocumented} == set(COMPUTED)
    expected |= {(n, FOAF.page) for n in undocumented}
    assert {(r["focus"], r["path"]) for r in found} == expected | {(n, DCAT.downloadURL) for n in json_pages}


def test_the_shapes_catch_a_broken_catalogue(client: TestClient) -> None:
    """Validation is not vacuous: remove what the shapes demand and they report it."""
    graph = fetch(client, "/catalog.ttl")
    dataset = datasets_by_id(graph)["cbs_kwb_2019_den_haag"]
    graph.remove((dataset, DCAT.theme, None))
    graph.remove((dataset, DCT.publisher, None))
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        graph.remove((concept, RDF.type, SKOS.Concept))  # the code lists' class range
    conforms, found, _ = check(graph, NL_MANDATORY)
    assert not conforms
    paths = {(r["focus"], r["path"]) for r in found if r["severity"] == SH.Violation}
    service = next(graph.subjects(RDF.type, DCAT.DataService))
    assert {(dataset, DCAT.theme), (dataset, DCT.publisher), (service, DCAT.theme)} <= paths


def test_the_copied_shapes_are_unmodified() -> None:
    sources = (SHAPES / "SOURCES.md").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"`([\w.-]+\.(?:ttl|md))`\s*\|\s*`([0-9a-f]{64})`", sources))
    files = sorted(p.name for p in SHAPES.iterdir() if p.name != "SOURCES.md")
    assert sorted(pinned) == files
    for name, digest in pinned.items():
        assert hashlib.sha256((SHAPES / name).read_bytes()).hexdigest() == digest, name


# -- content -------------------------------------------------------------------------------
@pytest.mark.parametrize("path", SERIALIZATIONS)
def test_the_catalogue_describes_every_public_dataset_from_its_contract(
    client: TestClient, demo_platform: Platform, path: str
) -> None:
    graph = fetch(client, path)
    contracts = loaded_contracts(demo_platform)
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert catalog == URIRef("http://testserver/catalog")
    assert graph.value(catalog, DCT.publisher) == GEMEENTE_DEN_HAAG
    assert Literal("Gemeente Den Haag", lang="nl") in set(graph.objects(GEMEENTE_DEN_HAAG, FOAF.name))

    datasets = datasets_by_id(graph)
    assert sorted(datasets) == sorted(i for i, c in contracts.items() if c.classification == "openbaar")
    assert "wmo_clienten_synthetisch" in contracts and "wmo_clienten_synthetisch" not in datasets  # vertrouwelijk
    assert INDICATOR_DATASET in datasets and len(datasets) == len(PUBLIC)  # computed, openbaar
    assert set(graph.objects(catalog, DCAT.dataset)) == set(datasets.values())
    for dataset_id, node in datasets.items():
        contract = contracts[dataset_id]
        assert set(graph.objects(node, DCT.title)) == {
            Literal(contract.title.nl, lang="nl"),
            Literal(contract.title.en, lang="en"),
        }
        assert Literal(contract.description.nl.strip(), lang="nl") in set(graph.objects(node, DCT.description))
        assert graph.value(node, DCT.publisher) == GEMEENTE_DEN_HAAG
        assert graph.value(node, DCT.accessRights) == URIRef(EU + "access-right/PUBLIC")
        # the shipped demo files are never updated; the indicator table is recomputed when a source changes
        frequency = {"never": "NEVER", "irregular": "IRREG"}[contract.update_frequency]
        assert graph.value(node, DCT.accrualPeriodicity) == URIRef(EU + "frequency/" + frequency)
        assert graph.value(node, DCAT.landingPage) == URIRef(f"http://testserver/datasets/{dataset_id}")
        assert graph.value(node, DCT.language) == URIRef(EU + "language/NLD")
        assert {str(k) for k in graph.objects(node, DCAT.keyword)} == set(contract.keywords)
        themes = {str(t) for t in graph.objects(node, DCAT.theme)}
        eu_themes = {t.rsplit("/", 1)[1] for t in themes if t.startswith(EU + "data-theme/")}
        assert eu_themes and eu_themes <= EU_DATA_THEMES, themes
        contact = graph.value(node, DCAT.contactPoint)
        if contract.contact_email:
            assert graph.value(contact, VCARD.hasEmail) == URIRef(f"mailto:{contract.contact_email}")
        else:  # the generated indicator contract names no mailbox: the municipality's website (docs/dcat.md)
            assert dataset_id == INDICATOR_DATASET and graph.value(contact, VCARD.hasEmail) is None
            assert graph.value(contact, VCARD.hasURL) == URIRef("https://www.denhaag.nl/")
        assert str(graph.value(contact, VCARD.fn)).endswith(contract.owner_dienst)
        period = graph.value(node, DCT.temporal)
        coverage = contract.temporal_coverage
        if coverage.start is None and coverage.end is None:  # only the indicator table: its years are in its rows
            assert dataset_id == INDICATOR_DATASET and period is None
        else:
            assert graph.value(period, DCAT.startDate) == Literal(coverage.start, datatype=XSD.date)
            assert graph.value(period, DCAT.endDate) == Literal(coverage.end, datatype=XSD.date)
        for stamp in (graph.value(node, DCT.issued), graph.value(node, DCT.modified)):
            assert isinstance(stamp, Literal) and stamp.datatype == XSD.dateTime
        assert graph.value(node, DCAT.version) == Literal("1")
        if contract.source and contract.source.url:
            assert graph.value(node, FOAF.page) == URIRef(contract.source.url)
        else:
            assert graph.value(node, FOAF.page) is None

    # spatial coverage: the TOOI gemeente for GM0518, the EU country for Nederland
    assert GEMEENTE_DEN_HAAG in set(graph.objects(datasets["cbs_kwb_2019_den_haag"], DCT.spatial))
    assert URIRef(EU + "country/NLD") in set(graph.objects(datasets["cbs_kwb_2017_nl"], DCT.spatial))


@pytest.mark.parametrize("path", SERIALIZATIONS)
def test_a_distribution_per_download_format(client: TestClient, demo_platform: Platform, path: str) -> None:
    graph = fetch(client, path)
    contracts = loaded_contracts(demo_platform)
    service = next(graph.subjects(RDF.type, DCAT.DataService))
    seen_by_id = {}
    for dataset_id, node in datasets_by_id(graph).items():
        contract = contracts[dataset_id]
        expected = {"json", "csv", "csv-excel", "parquet"} | ({"geojson"} if contract.geometry_column else set())
        seen = set()
        for distribution in graph.objects(node, DCAT.distribution):
            url = graph.value(distribution, DCAT.accessURL)
            download = graph.value(distribution, DCAT.downloadURL)
            # JSON comes in pages (next links): an access URL only; every file format is a download
            assert download == (None if "format=json" in str(url) else url)
            parts = urlsplit(str(url))
            assert parts.path == f"/api/v1/datasets/{dataset_id}/rows"
            fmt = parse_qs(parts.query)["format"][0]
            seen.add(fmt)
            media_type, file_type = FORMATS[fmt]
            assert graph.value(distribution, DCAT.mediaType) == URIRef(
                f"https://www.iana.org/assignments/media-types/{media_type}"
            )
            assert graph.value(distribution, DCT.format) == URIRef(EU + "file-type/" + file_type)
            assert graph.value(distribution, DCAT.accessService) == service
            licence = graph.value(distribution, DCT.license)
            if contract.licence.lower() in dcat.LICENCES:  # an SPDX id: the EU licence table's term
                assert licence == URIRef(EU + "licence/" + dcat.LICENCES[contract.licence.lower()])
            else:  # no licence stated: said so, and the contract's own words kept as rights
                assert licence == URIRef("http://standaarden.overheid.nl/owms/terms/licentieonbekend")
                rights = graph.value(distribution, DCT.rights)
                assert str(graph.value(rights, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == (
                    contract.licence
                )
        assert seen == expected, dataset_id
        seen_by_id[dataset_id] = seen
    assert INDICATOR_DATASET in seen_by_id and len(seen_by_id) == len(PUBLIC)
    assert sorted(i for i, formats in seen_by_id.items() if "geojson" in formats) == [
        "cbs_buurten_2019_den_haag",
        "cbs_gemeenten_2024",
        "cbs_wijken_2019_den_haag",
    ]


def test_the_data_service_is_the_open_data_api(client: TestClient) -> None:
    graph = fetch(client, "/catalog.jsonld")
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    services = list(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1 and graph.value(catalog, DCAT.service) == services[0]
    service = services[0]
    assert graph.value(service, DCAT.endpointURL) == URIRef("http://testserver/api/v1/")
    description = graph.value(service, DCAT.endpointDescription)
    assert description == URIRef("http://testserver/api/v1/openapi.json")
    assert set(graph.objects(service, DCAT.servesDataset)) == set(datasets_by_id(graph).values())
    assert graph.value(service, DCT.accessRights) == URIRef(EU + "access-right/PUBLIC")
    assert client.get(str(description)).status_code == 200


def test_each_dataset_has_its_current_quality_score_as_a_dqv_measurement(
    client: TestClient, demo_platform: Platform, tmp_path: Path
) -> None:
    # a low score too: the real gemeenten file under a contract whose warning rule fails for every
    # gemeente above 30,000 inhabitants; and a dataset without a version (no score, no measurement)
    data = demo_contracts()["cbs_kwb_2019_gemeenten"].to_data()
    data.update(
        id="gemeenten_klein", quality=[{"rule": "range", "column": "population", "max": 30000, "severity": "warning"}]
    )
    contract_file = tmp_path / "gemeenten_klein.yaml"
    contract_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    demo_platform.register(contract_file)
    demo_platform.ingest(demo.data_path("cbs_kwb_2019_gemeenten"), "gemeenten_klein")
    data.update(id="gemeenten_leeg")
    contract_file = tmp_path / "gemeenten_leeg.yaml"
    contract_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    demo_platform.register(contract_file)

    metric = URIRef("http://testserver/catalog#metric/quality-score")
    for path in SERIALIZATIONS:
        graph = fetch(client, path)
        datasets = datasets_by_id(graph)
        assert graph.value(datasets["gemeenten_leeg"], DQV.hasQualityMeasurement) is None
        for dataset_id, node in datasets.items():
            view = demo_platform.catalog.show(dataset_id)
            report = view.quality_of(view.current)
            if report is None:
                continue
            (measurement,) = graph.objects(node, DQV.hasQualityMeasurement)
            assert (measurement, RDF.type, DQV.QualityMeasurement) in graph
            assert graph.value(measurement, DQV.isMeasurementOf) == metric
            assert graph.value(measurement, DQV.computedOn) == node
            value = graph.value(measurement, DQV.value)
            assert isinstance(value, Literal) and value.datatype == XSD.decimal, value
            assert value.toPython() == Decimal(str(report["score"])), dataset_id
            generated = graph.value(measurement, PROV.generatedAtTime)
            assert isinstance(generated, Literal) and generated.datatype == XSD.dateTime
            assert generated.toPython() == view.current.created_at.astimezone(dt.UTC).replace(microsecond=0)
        scores = {i: graph.value(graph.value(n, DQV.hasQualityMeasurement), DQV.value) for i, n in datasets.items()}
        assert scores["cbs_kwb_2019_den_haag"] == Literal(Decimal("100.0"), datatype=XSD.decimal)
        assert scores["gemeenten_klein"] == Literal(Decimal("49.6"), datatype=XSD.decimal)  # 176 of 355 pass

        # one metric for the catalogue, labelled and defined in both languages, in a dimension
        assert set(graph.subjects(RDF.type, DQV.Metric)) == {metric}
        assert set(graph.objects(metric, SKOS.prefLabel)) == {
            Literal("Kwaliteitsscore", lang="nl"),
            Literal("Quality score", lang="en"),
        }
        definitions = {d.language: str(d) for d in graph.objects(metric, SKOS.definition)}  # type: ignore[attr-defined]
        assert "Een blokkerende regel weegt 2, een waarschuwing 1" in definitions["nl"]
        assert "A blocking rule weighs 2, a warning 1" in definitions["en"]
        assert "100 times the weighted mean" in definitions["en"]
        assert graph.value(metric, DQV.expectedDataType) == XSD.decimal
        dimension = graph.value(metric, DQV.inDimension)
        assert {DQV.Dimension, SKOS.Concept} <= set(graph.objects(dimension, RDF.type))
        assert {lit.language for lit in graph.objects(dimension, SKOS.prefLabel)} == {"nl", "en"}  # type: ignore[attr-defined]

        conforms, found, text = check(graph, NL_MANDATORY)  # still valid with the measurements
        assert conforms and not [r for r in found if r["severity"] == SH.Violation], text


def test_every_access_and_download_url_answers(client: TestClient) -> None:
    graph = fetch(client, "/catalog.ttl")
    urls = sorted({str(u) for u in graph.objects(None, DCAT.accessURL)})
    # every public dataset in json, csv, csv-excel and parquet; the 3 with boundaries also in GeoJSON
    assert len(urls) == len(PUBLIC) * 4 + 3
    assert len(set(graph.objects(None, DCAT.downloadURL))) == len(PUBLIC) * 3 + 3  # JSON is paged: no download URL
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        assert response.content, url


def test_an_intern_dataset_is_neither_shown_nor_counted(
    client: TestClient, demo_platform: Platform, tmp_path: Path
) -> None:
    data = demo_contracts()["cbs_kwb_2019_gemeenten"].to_data()
    data.update(id="bevolking_intern_2019", classification="intern")
    data["title"] = {"nl": "Interne bevolkingstabel 2019", "en": "Internal population table 2019"}
    contract_file = tmp_path / "bevolking_intern_2019.yaml"
    contract_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    demo_platform.register(contract_file)
    demo_platform.ingest(demo.data_path("cbs_kwb_2019_gemeenten"), "bevolking_intern_2019")
    assert demo_platform.metastore.has_dataset("bevolking_intern_2019")

    for path in SERIALIZATIONS:
        body = client.get(path).text
        assert "bevolking_intern_2019" not in body and "Interne bevolkingstabel" not in body
        graph = fetch(client, path)
        assert len(datasets_by_id(graph)) == len(PUBLIC)
        service = next(graph.subjects(RDF.type, DCAT.DataService))
        assert len(set(graph.objects(service, DCAT.servesDataset))) == len(PUBLIC)
        assert len(set(graph.subjects(RDF.type, DCAT.Distribution))) == len(PUBLIC) * 4 + 3


def test_urls_follow_the_request_base_url(client: TestClient) -> None:
    graph = fetch(client, "https://data.example.nl/catalog.ttl")
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert urls and all(u.startswith("https://data.example.nl/api/v1/datasets/") for u in urls)
    assert next(graph.subjects(RDF.type, DCAT.Catalog)) == URIRef("https://data.example.nl/catalog")


def test_conditional_get_and_the_catalogue_uri(client: TestClient) -> None:
    first = client.get("/catalog.ttl")
    etag = first.headers["etag"]
    again = client.get("/catalog.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    redirect = client.get("/catalog", headers={"Accept": "application/ld+json"}, follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "http://testserver/catalog.jsonld"
    redirect = client.get("/catalog", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "http://testserver/catalog.ttl"


# -- the mapping tables, without the web ------------------------------------------------------
def test_every_demo_theme_has_an_explicit_mapping(demo_platform: Platform) -> None:
    for contract in loaded_contracts(demo_platform).values():
        assert dcat.unmapped_themes(contract) == [], contract.id


def test_unknown_themes_licences_and_no_versions_still_make_a_valid_catalogue() -> None:
    base = demo_contracts()["cbs_kwb_2019_gemeenten"].to_data()
    base.update(id="eigen_tabel", themes=["iets-nieuws"], licence="Zie de voorwaarden op de website")
    base.pop("source")
    own = Contract.model_validate(base)
    secret = Contract.model_validate({**base, "id": "geheime_tabel", "classification": "geheim"})
    items = [
        SimpleNamespace(contract=own, versions=[], quality_of=lambda version: None),
        SimpleNamespace(contract=secret, versions=[], quality_of=lambda version: None),
    ]
    graph = dcat.catalog_graph(items, "https://example.org/")

    assert dcat.unmapped_themes(own) == ["iets-nieuws"]
    (node,) = graph.subjects(RDF.type, DCAT.Dataset)  # the geheim one is never published
    assert set(graph.objects(node, DCAT.theme)) == {URIRef(EU + "data-theme/GOVE")}
    assert graph.value(node, DCT.creator) == GEMEENTE_DEN_HAAG  # no source: the city made it
    assert graph.value(node, DCT.modified) is None
    assert graph.value(node, DQV.hasQualityMeasurement) is None  # no version, no score
    assert not set(graph.subjects(RDF.type, DQV.Metric))  # and no metric without a measurement
    conforms, found, text = check(graph, NL_MANDATORY)
    assert conforms and not found, text
    conforms, found, text = check(graph, EU_BASE)
    assert conforms and not found, text
