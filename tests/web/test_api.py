"""The open-data API over the real demo data: datasets, metadata, rows, formats, paging, versions, caching."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest
import yaml
from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.core.contract import load_contract
from stadsdata.indicators.sources import INDICATOR_DATASET
from stadsdata.platform import Platform
from stadsdata.web import create_app
from tests.demo_expect import COMPUTED, PUBLIC

KWB = "cbs_kwb_2019_den_haag"
ROWS = f"/api/v1/datasets/{KWB}/rows"
GEO = "cbs_gemeenten_2024"


def platform_of(client: TestClient) -> Platform:
    return client.app.state.platform  # type: ignore[attr-defined,no-any-return]


def sql_column(platform: Platform, sql: str) -> list[Any]:
    return [row[0] for row in platform.sql(sql).rows]


def all_pages(client: TestClient, url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follow ``next`` from ``url`` to the end: (every row, every page body)."""
    rows: list[dict[str, Any]] = []
    bodies = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        bodies.append(body)
        rows += body["rows"]
        url = body["next"]
        assert len(bodies) < 100
    return rows, bodies


# -- datasets ------------------------------------------------------------------------------------
def test_list_datasets_is_the_public_catalogue(client: TestClient) -> None:
    body = client.get("/api/v1/datasets").json()
    ids = {d["id"] for d in body["datasets"]}
    contracts = {i: load_contract(demo.contract_path(i)) for i in demo.DEMO_DATASETS}
    # and the datasets the platform computes from them (generated contracts, not in demo/contracts)
    public = {i for i, contract in contracts.items() if contract.classification == "openbaar"} | set(COMPUTED)
    assert ids == public and "wmo_clienten_synthetisch" not in ids  # the vertrouwelijk demo dataset is not listed
    assert INDICATOR_DATASET in ids and body["total"] == len(public) == len(PUBLIC)
    kwb = next(d for d in body["datasets"] if d["id"] == KWB)
    assert kwb["rows"] == 159 and kwb["version"] == 1
    assert kwb["links"]["rows"] == f"http://testserver{ROWS}"
    assert kwb["links"]["portal"] == f"http://testserver/datasets/{KWB}"
    assert {f["value"] for f in body["facets"]["classification"]} == {"openbaar"}


def test_search_wmo_finds_den_haag_and_pages(client: TestClient) -> None:
    body = client.get("/api/v1/datasets", params={"q": "wmo"}).json()
    # by relevance: the Wmo HbH panel and the Wmo forecast (Wmo in their titles), then Den Haag (Wmo columns)
    assert [d["id"] for d in body["datasets"]] == ["wmo_hbh_gemeenten_2017_2019", "wmo_prognose", KWB]
    page = client.get("/api/v1/datasets", params={"limit": 2}).json()
    assert len(page["datasets"]) == 2 and page["total"] == len(PUBLIC)
    assert page["next"].endswith("offset=2")
    spatial = client.get("/api/v1/datasets", params={"format": "GeoJSON"}).json()
    assert sorted(d["id"] for d in spatial["datasets"]) == sorted(
        [GEO, "cbs_wijken_2019_den_haag", "cbs_buurten_2019_den_haag"]
    )


def test_dataset_metadata_from_the_contract(client: TestClient) -> None:
    response = client.get(f"/api/v1/datasets/{KWB}")
    assert response.status_code == 200
    body = response.json()
    contract = load_contract(demo.contract_path(KWB))
    assert body["title"] == {"nl": contract.title.nl, "en": contract.title.en}
    assert body["licence"] == "CC-BY-4.0" and body["classification"] == "openbaar"
    assert body["owner"]["dienst"] == "Bestuursdienst (BSD)"
    assert len(body["columns"]) == len(contract.columns) == 118
    inwoners = next(c for c in body["columns"] if c["name"] == "AantalInwoners_5")
    assert inwoners["type"] == "integer" and inwoners["unit"] == "aantal" and inwoners["personal_data"] == "none"
    assert inwoners["description"]["nl"]
    assert [(v["number"], v["row_count"]) for v in body["versions"]] == [(1, 159)]
    assert body["current_version"] == 1 and body["key"] == ["WijkenEnBuurten"]
    links = body["links"]
    assert links["rows"] == f"http://testserver{ROWS}"
    assert set(links["downloads"]) == {"csv", "csv-excel", "parquet"}  # no GeoJSON without geometry
    assert links["portal"] == f"http://testserver/datasets/{KWB}"
    geo = client.get(f"/api/v1/datasets/{GEO}").json()
    assert "geojson" in geo["links"]["downloads"]


# -- rows: JSON ----------------------------------------------------------------------------------
def test_first_page_in_key_order_with_total(client: TestClient) -> None:
    body = client.get(ROWS).json()
    platform = platform_of(client)
    keys = sql_column(platform, f"SELECT WijkenEnBuurten FROM {KWB} ORDER BY WijkenEnBuurten")
    assert body["dataset"] == KWB and body["version"] == 1
    assert body["total"] == 159 and body["count"] == 100 and len(body["rows"]) == 100
    assert [r["WijkenEnBuurten"] for r in body["rows"]] == keys[:100]
    assert len(body["columns"]) == 118
    assert body["columns"][0] == {"name": "ID", "type": "integer"}
    assert body["next"].startswith(f"http://testserver{ROWS}?") and "cursor=" in body["next"]


def test_the_gm0518_row(client: TestClient) -> None:
    body = client.get(ROWS, params={"WijkenEnBuurten": "GM0518"}).json()
    assert body["total"] == 1 and body["next"] is None
    row = body["rows"][0]
    assert row["AantalInwoners_5"] == 537833
    assert row["Gemeentenaam_1"] == "'s-Gravenhage" and row["SoortRegio_2"] == "Gemeente"
    assert row["GemiddeldInkomenPerInwoner_72"] == 27.1
    assert row["IndelingswijzigingWijkenEnBuurten_4"] is None


@pytest.mark.parametrize(
    ("params", "where"),
    [
        ({"AantalInwoners_5__gt": "20000"}, "AantalInwoners_5 > 20000"),
        ({"AantalInwoners_5__gte": "31385"}, "AantalInwoners_5 >= 31385"),
        ({"AantalInwoners_5__lt": "100"}, "AantalInwoners_5 < 100"),
        ({"AantalInwoners_5__lte": "0"}, "AantalInwoners_5 <= 0"),
        ({"AantalInwoners_5__exact": "0"}, "AantalInwoners_5 = 0"),
        ({"SoortRegio_2": "Wijk"}, "SoortRegio_2 = 'Wijk'"),
        (
            {"WijkenEnBuurten__in": "GM0518,WK051829,BU05180170,XX"},
            "WijkenEnBuurten IN ('GM0518','WK051829','BU05180170')",
        ),
        ({"WijkenEnBuurten__contains": "wk05182"}, "WijkenEnBuurten ILIKE '%wk05182%'"),
        ({"GemiddeldInkomenPerInwoner_72__gt": "30.5"}, "GemiddeldInkomenPerInwoner_72 > 30.5"),
        ({"GemiddeldInkomenPerInwoner_72__isnull": "true"}, "GemiddeldInkomenPerInwoner_72 IS NULL"),
        ({"GemiddeldInkomenPerInwoner_72__isnull": "false"}, "GemiddeldInkomenPerInwoner_72 IS NOT NULL"),
        (
            {"SoortRegio_2": "Buurt", "AantalInwoners_5__gt": "5000", "AantalInwoners_5__lte": "8000"},
            "SoortRegio_2 = 'Buurt' AND AantalInwoners_5 > 5000 AND AantalInwoners_5 <= 8000",
        ),
    ],
)
def test_filters_return_exactly_what_sql_says(client: TestClient, params: dict[str, str], where: str) -> None:
    expected = sql_column(
        platform_of(client), f"SELECT WijkenEnBuurten FROM {KWB} WHERE {where} ORDER BY WijkenEnBuurten"
    )
    assert expected  # every case matches some rows
    body = client.get(ROWS, params={**params, "limit": "1000", "fields": "WijkenEnBuurten"}).json()
    assert [r["WijkenEnBuurten"] for r in body["rows"]] == expected
    assert body["total"] == len(expected)


def test_filtered_total_counts_beyond_the_page(client: TestClient) -> None:
    expected = sql_column(platform_of(client), f"SELECT count(*) FROM {KWB} WHERE AantalInwoners_5 > 1000")[0]
    body = client.get(ROWS, params={"AantalInwoners_5__gt": "1000", "limit": "5"}).json()
    assert body["count"] == 5 and body["total"] == expected > 5


def test_fields_and_sort(client: TestClient) -> None:
    body = client.get(
        ROWS, params={"fields": "AantalInwoners_5,WijkenEnBuurten", "sort": "-AantalInwoners_5", "limit": "3"}
    ).json()
    assert body["columns"] == [
        {"name": "AantalInwoners_5", "type": "integer"},
        {"name": "WijkenEnBuurten", "type": "string"},
    ]
    assert body["rows"][0] == {"AantalInwoners_5": 537833, "WijkenEnBuurten": "GM0518"}
    expected = sql_column(
        platform_of(client),
        f"SELECT WijkenEnBuurten FROM {KWB} ORDER BY AantalInwoners_5 DESC NULLS LAST, WijkenEnBuurten LIMIT 3",
    )
    assert [r["WijkenEnBuurten"] for r in body["rows"]] == expected
    assert list(body["rows"][0]) == ["AantalInwoners_5", "WijkenEnBuurten"]


def test_keyset_pages_of_50_yield_every_key_once(client: TestClient) -> None:
    rows, bodies = all_pages(client, f"{ROWS}?limit=50&fields=WijkenEnBuurten")
    keys = [r["WijkenEnBuurten"] for r in rows]
    assert [b["count"] for b in bodies] == [50, 50, 50, 9]
    assert all(b["total"] == 159 for b in bodies)
    assert len(keys) == len(set(keys)) == 159
    assert keys == sql_column(platform_of(client), f"SELECT WijkenEnBuurten FROM {KWB} ORDER BY WijkenEnBuurten")
    assert "version=1" in bodies[0]["next"]
    assert bodies[-1]["next"] is None


def test_keyset_pages_over_a_sort_with_ties_and_nulls(client: TestClient) -> None:
    url = f"{ROWS}?limit=7&fields=WijkenEnBuurten&sort=SoortRegio_2,-GemiddeldInkomenPerInwoner_72"
    rows, _ = all_pages(client, url)
    expected = sql_column(
        platform_of(client),
        f"SELECT WijkenEnBuurten FROM {KWB} "
        "ORDER BY SoortRegio_2, GemiddeldInkomenPerInwoner_72 DESC NULLS LAST, WijkenEnBuurten",
    )
    assert [r["WijkenEnBuurten"] for r in rows] == expected


def test_keyset_pages_with_a_filter(client: TestClient) -> None:
    rows, bodies = all_pages(client, f"{ROWS}?limit=10&SoortRegio_2=Buurt&fields=WijkenEnBuurten")
    assert len(rows) == bodies[0]["total"] == 114
    assert len({r["WijkenEnBuurten"] for r in rows}) == 114


def test_offset_and_limit_zero(client: TestClient) -> None:
    body = client.get(ROWS, params={"offset": "150", "fields": "WijkenEnBuurten"}).json()
    keys = sql_column(platform_of(client), f"SELECT WijkenEnBuurten FROM {KWB} ORDER BY WijkenEnBuurten")
    assert [r["WijkenEnBuurten"] for r in body["rows"]] == keys[150:]
    count_only = client.get(ROWS, params={"limit": "0", "SoortRegio_2": "Wijk"}).json()
    assert count_only["rows"] == [] and count_only["total"] == 44 and count_only["next"] is None


def test_geometry_in_json_rows_is_geojson(client: TestClient) -> None:
    body = client.get(f"/api/v1/datasets/{GEO}/rows", params={"statcode": "GM0518"}).json()
    row = body["rows"][0]
    assert row["statnaam"] == "'s-Gravenhage"
    assert row["geometry"]["type"] == "MultiPolygon"
    lon, lat = row["geometry"]["coordinates"][0][0][0]
    assert 4.1 < lon < 4.5 and 51.9 < lat < 52.2


# -- rows: files ---------------------------------------------------------------------------------
def test_csv_is_every_row_streamed(client: TestClient) -> None:
    response = client.get(ROWS, params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv; charset=utf-8")
    assert response.headers["content-disposition"] == f'attachment; filename="{KWB}-v1.csv"'
    assert not response.content.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(response.text)))
    assert len(records) == 159
    gm = next(r for r in records if r["WijkenEnBuurten"] == "GM0518")
    assert gm["AantalInwoners_5"] == "537833" and gm["GemiddeldInkomenPerInwoner_72"] == "27.1"
    assert gm["Gemeentenaam_1"] == "'s-Gravenhage"


def test_csv_for_dutch_excel(client: TestClient) -> None:
    response = client.get(ROWS, params={"format": "csv-excel"})
    data = response.content
    assert response.headers["content-disposition"] == f'attachment; filename="{KWB}-v1-excel.csv"'
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    lines = text.split("\r\n")
    assert lines[-1] == "" and len(lines) == 161  # header, 159 rows, final CRLF
    assert "\n" not in text.replace("\r\n", "")
    records = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    gm = next(r for r in records if r["WijkenEnBuurten"] == "GM0518")
    assert gm["GemiddeldInkomenPerInwoner_72"] == "27,1"
    assert gm["GemiddeldeHuishoudensgrootte_32"] == "2"
    assert gm["AantalInwoners_5"] == "537833"


def test_csv_by_accept_header_and_with_filters(client: TestClient) -> None:
    response = client.get(
        ROWS, params={"SoortRegio_2": "Wijk", "fields": "WijkenEnBuurten"}, headers={"Accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0] == '"WijkenEnBuurten"' and len(lines) == 45


def test_geojson_features(client: TestClient) -> None:
    response = client.get(f"/api/v1/datasets/{GEO}/rows", params={"format": "geojson"})
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 342
    haag = next(f for f in body["features"] if f["properties"]["statcode"] == "GM0518")
    assert haag["type"] == "Feature" and haag["geometry"]["type"] == "MultiPolygon"
    assert haag["properties"] == {"statcode": "GM0518", "jrstatcode": "2024GM0518", "statnaam": "'s-Gravenhage"}
    by_accept = client.get(
        f"/api/v1/datasets/{GEO}/rows",
        params={"statcode__in": "GM0518,GM0599"},
        headers={"Accept": "application/geo+json"},
    ).json()
    assert sorted(f["properties"]["statnaam"] for f in by_accept["features"]) == ["'s-Gravenhage", "Rotterdam"]


def test_parquet_is_readable_by_pyarrow(client: TestClient) -> None:
    response = client.get(ROWS, params={"format": "parquet"})
    assert response.headers["content-type"] == "application/vnd.apache.parquet"
    assert response.headers["content-disposition"] == f'attachment; filename="{KWB}-v1.parquet"'
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 159 and table.num_columns == 118
    assert table.column("WijkenEnBuurten").to_pylist() == sorted(table.column("WijkenEnBuurten").to_pylist())
    filtered = client.get(ROWS, params={"SoortRegio_2": "Wijk"}, headers={"Accept": "application/vnd.apache.parquet"})
    assert pq.read_table(io.BytesIO(filtered.content)).num_rows == 44


def test_geoparquet_keeps_wkb_and_metadata(client: TestClient) -> None:
    response = client.get(f"/api/v1/datasets/{GEO}/rows", params={"format": "parquet"})
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 342
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"
    import shapely

    first = shapely.from_wkb(table.column("geometry")[0].as_py())
    assert first.geom_type == "MultiPolygon"


def test_downloads_are_gzipped_on_request(client: TestClient) -> None:
    response = client.get(ROWS, params={"format": "csv"}, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.text.splitlines()) == 160  # httpx decoded it
    raw = client.get(ROWS, params={"format": "csv"}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert gzip.compress(raw.content) != raw.content


def test_accept_negotiation(client: TestClient) -> None:
    assert client.get(ROWS, headers={"Accept": "*/*"}).headers["content-type"] == "application/json"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get(ROWS, headers={"Accept": browser}).headers["content-type"] == "application/json"
    preferred = client.get(ROWS, headers={"Accept": "application/json;q=0.5, text/csv"})
    assert preferred.headers["content-type"].startswith("text/csv")
    assert client.get(ROWS, params={"format": "json"}, headers={"Accept": "text/csv"}).json()["total"] == 159


def test_downloads_stream_over_real_http(live_server: Any) -> None:
    with httpx.stream("GET", f"{live_server.url}{ROWS}?format=csv", headers={"Accept-Encoding": "identity"}) as r:
        assert r.status_code == 200
        assert r.headers.get("transfer-encoding") == "chunked" and "content-length" not in r.headers
        lines = sum(chunk.count(b"\n") for chunk in r.iter_bytes())
    assert lines == 160


# -- caching -------------------------------------------------------------------------------------
def test_etag_and_last_modified_give_304(client: TestClient) -> None:
    first = client.get(ROWS, params={"limit": "5"})
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('W/"') and first.headers["cache-control"].startswith("public")
    again = client.get(ROWS, params={"limit": "5"}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(ROWS, params={"limit": "6"}, headers={"If-None-Match": etag}).status_code == 200
    assert client.get(ROWS, params={"limit": "5"}, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(ROWS, params={"limit": "5"}, headers={"If-Modified-Since": modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get(ROWS, params={"limit": "5"}, headers={"If-Modified-Since": old}).status_code == 200
    csv_etag = client.get(ROWS, params={"limit": "5"}, headers={"Accept": "text/csv"}).headers["etag"]
    assert csv_etag != etag
    cached_csv = client.get(ROWS, params={"format": "csv"}, headers={"If-None-Match": "*"})
    assert cached_csv.status_code == 304


# -- versions ------------------------------------------------------------------------------------
def _second_version(platform: Platform, tmp_path: Path) -> None:
    """Version 2 of the real file: GM0518 with one more inhabitant, the last row gone."""
    source = demo.data_path(KWB)
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    at = header.index("AantalInwoners_5")
    for row in rows[1:]:
        if row[1] == "GM0518":
            row[at] = "537834"
    target = tmp_path / "kwb_2019_den_haag_v2.csv"
    with open(target, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows[:-1])
    assert platform.ingest(target, KWB).version == 2


def test_time_travel_between_versions(client: TestClient, tmp_path: Path) -> None:
    v1_first = client.get(ROWS, params={"limit": "50", "fields": "WijkenEnBuurten"}).json()
    _second_version(platform_of(client), tmp_path)

    current = client.get(ROWS, params={"WijkenEnBuurten": "GM0518"}).json()
    assert current["version"] == 2 and current["rows"][0]["AantalInwoners_5"] == 537834
    assert client.get(ROWS, params={"limit": "0"}).json()["total"] == 158

    old = client.get(ROWS, params={"WijkenEnBuurten": "GM0518", "version": "1"}).json()
    assert old["version"] == 1 and old["rows"][0]["AantalInwoners_5"] == 537833
    assert client.get(ROWS, params={"limit": "0", "version": "1"}).json()["total"] == 159

    # a next link made before version 2 keeps reading version 1
    rows, _ = all_pages(client, v1_first["next"])
    assert len(rows) == 109

    meta = client.get(f"/api/v1/datasets/{KWB}").json()
    assert [(v["number"], v["row_count"]) for v in meta["versions"]] == [(1, 159), (2, 158)]
    assert meta["versions"][0]["rows"].endswith("/rows?version=1")
    assert (
        client.get(ROWS, params={"format": "csv", "version": "1"})
        .headers["content-disposition"]
        .endswith(f'"{KWB}-v1.csv"')
    )
    e1 = client.get(ROWS, params={"limit": "1", "version": "1"}).headers["etag"]
    e2 = client.get(ROWS, params={"limit": "1", "version": "2"}).headers["etag"]
    assert e1 != e2

    # a cursor of version 1 is refused for version 2
    cursor = v1_first["next"].split("cursor=")[1].split("&")[0]
    refused = client.get(ROWS, params={"limit": "50", "fields": "WijkenEnBuurten", "cursor": cursor, "version": "2"})
    assert refused.status_code == 400 and "version 1" in refused.json()["detail"]


# -- visibility ----------------------------------------------------------------------------------
def test_a_dataset_that_is_not_openbaar_does_not_exist(client: TestClient, tmp_path: Path) -> None:
    data = yaml.safe_load(demo.contract_path(KWB).read_text(encoding="utf-8"))
    data["id"] = "kwb_intern"
    data["classification"] = "intern"
    contract_file = tmp_path / "kwb_intern.yaml"
    contract_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    platform = platform_of(client)
    platform.register(contract_file)
    platform.ingest(demo.data_path(KWB), "kwb_intern")
    assert platform.sql("SELECT count(*) FROM kwb_intern").rows == [(159,)]

    for url in (
        "/api/v1/datasets/kwb_intern",
        "/api/v1/datasets/kwb_intern/rows",
        "/api/v1/datasets/kwb_intern/rows?format=csv",
        "/api/v1/datasets/kwb_intern/rows?version=1",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["detail"] == "dataset 'kwb_intern' not found; see /api/v1/datasets"
    unknown = client.get("/api/v1/datasets/no_such_dataset").json()["detail"]
    assert unknown == "dataset 'no_such_dataset' not found; see /api/v1/datasets"
    listing = client.get("/api/v1/datasets", params={"q": "kerncijfers"}).json()
    assert "kwb_intern" not in {d["id"] for d in listing["datasets"]}
    everything = client.get("/api/v1/datasets", params={"limit": 200}).json()
    assert everything["total"] == len(PUBLIC)
    assert {f["value"] for f in everything["facets"]["classification"]} == {"openbaar"}


# -- the serving copy ----------------------------------------------------------------------------
def test_the_serving_copy_answers_exactly_like_the_parquet_view(demo_platform: Platform) -> None:
    queries = [
        f"{ROWS}?limit=50&fields=WijkenEnBuurten,AantalInwoners_5",
        f"{ROWS}?limit=7&SoortRegio_2=Buurt&AantalInwoners_5__gt=3000",
        f"{ROWS}?limit=9&sort=-GemiddeldInkomenPerInwoner_72&fields=WijkenEnBuurten",
        f"{ROWS}?limit=5&offset=20&WijkenEnBuurten__contains=wk",
        f"/api/v1/datasets/{GEO}/rows?limit=100&fields=statcode,statnaam",
    ]
    downloads = [
        f"{ROWS}?format=csv",
        f"{ROWS}?format=csv&SoortRegio_2=Wijk",
        f"/api/v1/datasets/{GEO}/rows?format=geojson",
    ]
    with TestClient(create_app(demo_platform)) as view_client:
        expected = [all_pages(view_client, url)[0] for url in queries]
        expected_files = [view_client.get(url).content for url in downloads]
    demo_platform.engine.rows.copy_min_rows = 0  # type: ignore[attr-defined]
    with TestClient(create_app(demo_platform)) as copy_client:
        copy_client.get(ROWS)  # makes the service
        service = copy_client.app.state.rows_service  # type: ignore[attr-defined]
        assert service.prepare(KWB) and service.prepare(GEO)
        rows_server = demo_platform.engine.rows  # type: ignore[attr-defined]
        for dataset_id in (KWB, GEO):
            table = service.version(dataset_id).table
            assert rows_server.copy_path(table).parent == demo_platform.home / "serving"
            assert rows_server.copy_path(table).is_file() and rows_server.served(table).copy
        assert [all_pages(copy_client, url)[0] for url in queries] == expected
        assert [copy_client.get(url).content for url in downloads] == expected_files


def test_metadata_carries_the_quality_report(client: TestClient) -> None:
    body = client.get(f"/api/v1/datasets/{KWB}").json()
    assert body["quality"]["score"] == 100.0 and body["quality"]["released"] is False
    rules = {r["rule"]: r for r in body["quality"]["rules"]}
    assert rules["range(AantalInwoners_5)"] == {
        "rule": "range(AantalInwoners_5)",
        "kind": "range",
        "columns": ["AantalInwoners_5"],
        "severity": "blocking",
        "passed": True,
        "skipped": None,
        "checked": 159,
        "failing": 0,
        "detail": "0 of 159 rows break it",
        "description": "Een aantal inwoners is nooit negatief (wijken zonder bewoners hebben 0).",
        "examples": [],
    }
    assert [v["quality_score"] for v in body["versions"]] == [100.0]
    # a failing warning of the real register: its examples are the real rows
    register = client.get("/api/v1/datasets/algoritmeregister_2022").json()["quality"]
    [typed] = [r for r in register["rules"] if r["rule"] == "allowed_values(type)"]
    assert (typed["passed"], typed["failing"], typed["severity"]) == (False, 3, "warning")
    assert typed["examples"][0]["values"] == {"type": "rule based"}


def test_profile_of_a_version(client: TestClient) -> None:
    body = client.get(f"/api/v1/datasets/{KWB}").json()
    assert body["links"]["profile"].endswith(f"/api/v1/datasets/{KWB}/profile")
    profile = client.get(f"/api/v1/datasets/{KWB}/profile").json()
    assert (profile["dataset"], profile["version"], profile["rows"]) == (KWB, 1, 159)
    columns = {c["name"]: c for c in profile["columns"]}
    assert len(columns) == 118
    kind = columns["SoortRegio_2"]
    assert kind["top"] == [
        {"value": "Buurt", "count": 114},
        {"value": "Wijk", "count": 44},
        {"value": "Gemeente", "count": 1},
    ]
    inhabitants = columns["AantalInwoners_5"]
    assert (inhabitants["min"], inhabitants["max"], inhabitants["empty"]) == (0, 537833, 0)
    assert sum(b["count"] for b in inhabitants["histogram"]) == 159
    assert client.get(f"/api/v1/datasets/{KWB}/profile", params={"version": 1}).json() == profile
    missing = client.get(f"/api/v1/datasets/{KWB}/profile", params={"version": 9})
    assert missing.status_code == 404 and "has no version 9" in missing.json()["detail"]
    assert client.get("/api/v1/datasets/bestaat_niet/profile").status_code == 404


def test_quality_facet_filter_sort_and_score_on_the_cards(client: TestClient, tmp_path: Path) -> None:
    # the real gemeenten file under a contract whose warning rule fails for every gemeente above 30,000
    platform = platform_of(client)
    data = yaml.safe_load(demo.contract_path("cbs_kwb_2019_gemeenten").read_text(encoding="utf-8"))
    rule = {"rule": "range", "column": "population", "max": 30000, "severity": "warning"}
    data.update(id="gemeenten_klein", quality=[rule])
    contract_file = tmp_path / "gemeenten_klein.yaml"
    contract_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    platform.register(contract_file)
    platform.ingest(demo.data_path("cbs_kwb_2019_gemeenten"), "gemeenten_klein")

    body = client.get("/api/v1/datasets").json()
    cards = {d["id"]: d["quality_score"] for d in body["datasets"]}
    # each card carries the score of the current version's report, as the dataset metadata does
    assert cards == {i: client.get(f"/api/v1/datasets/{i}").json()["quality"]["score"] for i in cards}
    assert cards[KWB] == 100.0 and cards["gemeenten_klein"] == 49.6  # 176 of 355 gemeenten have <= 30,000
    high = {i for i, score in cards.items() if score >= 95}
    medium = {i for i, score in cards.items() if 80 <= score < 95}
    low = {i for i, score in cards.items() if score < 80}
    expected = [(name, len(ids)) for name, ids in (("hoog", high), ("midden", medium), ("laag", low)) if ids]
    assert [(f["value"], f["count"]) for f in body["facets"]["quality"]] == expected

    found = client.get("/api/v1/datasets", params={"quality": "hoog"}).json()
    assert found["total"] == len(high) and {d["id"] for d in found["datasets"]} == high
    assert found["filters"] == {"quality": ["hoog"]}
    assert found["facets"]["quality"] == body["facets"]["quality"]  # a facet ignores its own selection
    found = client.get("/api/v1/datasets", params={"quality": "laag"}).json()
    assert {d["id"] for d in found["datasets"]} == low and "gemeenten_klein" in low
    either = client.get("/api/v1/datasets", params=[("quality", "hoog"), ("quality", "laag")]).json()
    assert either["total"] == len(high) + len(low)
    assert client.get("/api/v1/datasets", params={"quality": "onbekend"}).json()["total"] == 0
    ranked = client.get("/api/v1/datasets", params={"sort": "quality"}).json()
    ranked_scores = [d["quality_score"] for d in ranked["datasets"]]
    assert ranked["sort"] == "quality" and ranked_scores == sorted(ranked_scores, reverse=True)
    wrong = client.get("/api/v1/datasets", params={"quality": "excellent"})
    assert wrong.status_code == 422 and "quality" in wrong.text
