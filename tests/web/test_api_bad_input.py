"""Bad input to the rows API (issue #3, "Bad input"): every case is a 4xx problem JSON whose one-line
``detail`` names what is wrong; never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient

KWB = "cbs_kwb_2019_den_haag"
ROWS = f"/api/v1/datasets/{KWB}/rows"


def problem(response, status: int, *needles: str) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    detail = body["detail"]
    assert detail and "\n" not in detail, detail
    for needle in needles:
        assert needle in detail, (needle, detail)
    assert "Traceback" not in detail and "duckdb" not in detail.lower()
    return detail


# -- unknown dataset, column, operator -------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/datasets/no_such_dataset",
        "/api/v1/datasets/no_such_dataset/rows",
        "/api/v1/datasets/no_such_dataset/rows?format=csv",
        "/api/v1/datasets/..%2F..%2Fetc%2Fpasswd/rows",
        "/api/v1/datasets/x';DROP TABLE datasets;--/rows",
    ],
)
def test_unknown_dataset(client: TestClient, url: str) -> None:
    assert "not found" in problem(client.get(url), 404).lower()


@pytest.mark.parametrize(
    ("params", "needles"),
    [
        ({"Bogus": "1"}, ["'Bogus'", "parameters are"]),
        ({"Bogus__gt": "1"}, ["unknown column 'Bogus'", "Bogus__gt"]),
        ({"AantalInwoners": "1"}, ["'AantalInwoners'", "did you mean 'AantalInwoners_5'"]),
        ({"fields": "WijkenEnBuurten,Bogus"}, ["unknown column 'Bogus'", "fields"]),
        ({"sort": "-Bogus"}, ["unknown column 'Bogus'", "sort"]),
        ({"fields": "WijkenEnBuurten,,ID"}, ["fields", "column names separated by commas"]),
        ({"sort": ""}, ["sort"]),
    ],
)
def test_unknown_column(client: TestClient, params: dict[str, str], needles: list[str]) -> None:
    problem(client.get(ROWS, params=params), 400, *needles)


@pytest.mark.parametrize(
    "param", ["AantalInwoners_5__like", "AantalInwoners_5__ne", "AantalInwoners_5__GT", "SoortRegio_2__"]
)
def test_unknown_operator(client: TestClient, param: str) -> None:
    problem(client.get(ROWS, params={param: "1"}), 400, "unknown operator", param, "expected one of exact, gt")


# -- malformed values --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "needles"),
    [
        ({"AantalInwoners_5": "veel"}, ["'AantalInwoners_5'", "(integer)", "whole number", "'veel'"]),
        ({"AantalInwoners_5__gt": "12.5"}, ["'AantalInwoners_5'", "whole number"]),
        ({"AantalInwoners_5__gt": "99999999999999999999999"}, ["'AantalInwoners_5'", "whole number"]),
        ({"AantalInwoners_5__gt": "1_000"}, ["whole number"]),
        ({"AantalInwoners_5__in": "1,2,drie"}, ["AantalInwoners_5__in", "'drie'", "whole number"]),
        ({"AantalInwoners_5__in": "[1, {}]"}, ["AantalInwoners_5__in", "JSON array"]),
        ({"GemiddeldInkomenPerInwoner_72__gt": "34,9"}, ["(number)", "decimal point"]),
        ({"GemiddeldInkomenPerInwoner_72__lt": "nan"}, ["(number)"]),
        ({"GemiddeldInkomenPerInwoner_72__lt": "1e999"}, ["(number)"]),
        ({"GemiddeldInkomenPerInwoner_72__isnull": "maybe"}, ["__isnull", "true or false"]),
        ({"AantalInwoners_5__contains": "5"}, ["contains applies to text columns", "integer"]),
        ({"WijkenEnBuurten": "x" * 5000}, ["at most 4096"]),
        ({"WijkenEnBuurten__in": ",".join(str(i) for i in range(501))}, ["501 values", "at most 500"]),
    ],
)
def test_malformed_values(client: TestClient, params: dict[str, str], needles: list[str]) -> None:
    problem(client.get(ROWS, params=params), 400, *needles)


def test_geometry_columns_only_filter_on_null(client: TestClient) -> None:
    url = "/api/v1/datasets/cbs_gemeenten_2024/rows"
    problem(client.get(url, params={"geometry": "POINT(4 52)"}), 400, "geometry", "geometry__isnull")
    problem(client.get(url, params={"sort": "geometry"}), 400, "geometry", "cannot be sorted")
    assert client.get(url, params={"geometry__isnull": "false", "limit": "0"}).json()["total"] == 342


@pytest.mark.parametrize(
    ("params", "status", "needles"),
    [
        ({"version": "abc"}, 422, ["version"]),
        ({"limit": "many"}, 422, ["limit"]),
        ({"limit": "-1"}, 422, ["limit"]),
        ({"offset": "-5"}, 422, ["offset"]),
        ({"format": "xml"}, 422, ["format"]),
    ],
)
def test_parameters_of_the_wrong_type(
    client: TestClient, params: dict[str, str], status: int, needles: list[str]
) -> None:
    problem(client.get(ROWS, params=params), status, *needles)


# -- page size, offsets, cursors ------------------------------------------------------------------------
def test_a_page_size_over_the_maximum(client: TestClient) -> None:
    problem(client.get(ROWS, params={"limit": "1001"}), 400, "limit: 1001", "maximum of 1000", "format=csv")
    problem(client.get(ROWS, params={"limit": str(10**30)}), 400, "limit", "maximum of 1000")
    problem(client.get(ROWS, params={"limit": str(10**30), "format": "csv"}), 400, "limit", "leave it out")
    # files stream every row: a large limit is fine there
    assert len(client.get(ROWS, params={"limit": "5000", "format": "csv"}).text.splitlines()) == 160


@pytest.mark.parametrize("offset", ["10001", "99999999999", str(10**40)])
def test_huge_offsets(client: TestClient, offset: str) -> None:
    problem(client.get(ROWS, params={"offset": offset}), 400, "offset", "maximum of 10000", "next")


def _next_cursor(client: TestClient, **params: str) -> str:
    body = client.get(ROWS, params={"limit": "10", **params}).json()
    return body["next"].split("cursor=")[1].split("&")[0]


def test_tampered_cursors(client: TestClient) -> None:
    cursor = _next_cursor(client)
    payload, signature = cursor.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert data["k"] and data["v"] == 1
    data["k"] = ["' OR 1=1 --"]
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode() + "." + signature
    flipped = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    for bad in (forged, flipped, cursor[:-3], "garbage", "a.b", "..", "%00", cursor + "x" * 5000, "é.é"):
        problem(client.get(ROWS, params={"limit": "10", "cursor": bad}), 400, "cursor")
    assert client.get(ROWS, params={"limit": "10", "cursor": cursor}).status_code == 200


def test_a_cursor_of_other_filters_or_sort(client: TestClient) -> None:
    cursor = _next_cursor(client, SoortRegio_2="Buurt")
    problem(client.get(ROWS, params={"limit": "10", "cursor": cursor}), 400, "cursor", "other filters")
    problem(
        client.get(ROWS, params={"limit": "10", "cursor": cursor, "SoortRegio_2": "Buurt", "sort": "-ID"}),
        400,
        "cursor",
    )
    ok = client.get(ROWS, params={"limit": "10", "cursor": cursor, "SoortRegio_2": "Buurt", "fields": "ID"})
    assert ok.status_code == 200  # fields and page size may change between pages


# -- injection ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "needles"),
    [
        ({"fields": 'WijkenEnBuurten"; DROP TABLE x; --'}, ["unknown column", "fields"]),
        ({"fields": "*"}, ["unknown column '*'"]),
        ({"sort": "WijkenEnBuurten; DELETE FROM x"}, ["unknown column", "sort"]),
        ({"sort": "1"}, ["unknown column '1'"]),
        ({"sort": "(SELECT 1)"}, ["unknown column"]),
        ({"WijkenEnBuurten' OR '1'='1": "x"}, ["unknown"]),
        ({'AantalInwoners_5" > 0 OR "1': "1"}, ["unknown"]),
        ({"AantalInwoners_5__gt": "0 OR 1=1"}, ["whole number"]),
        ({"AantalInwoners_5__gt); DROP TABLE x; --": "1"}, ["unknown operator"]),
    ],
)
def test_injection_in_names_is_refused(client: TestClient, params: dict[str, str], needles: list[str]) -> None:
    problem(client.get(ROWS, params=params), 400, *needles)


@pytest.mark.parametrize(
    "value", ["' OR '1'='1", "GM0518' --", "x'); DROP TABLE x; --", "%", "_", "\\", '"', "GM0518\x00", "🙂"]
)
def test_injection_in_values_is_only_a_value(client: TestClient, value: str) -> None:
    for param in ("WijkenEnBuurten", "WijkenEnBuurten__contains", "WijkenEnBuurten__in", "WijkenEnBuurten__gt"):
        response = client.get(ROWS, params={param: value, "limit": "1000", "fields": "WijkenEnBuurten"})
        assert response.status_code == 200, (param, value, response.text)
        body = response.json()
        keys = [r["WijkenEnBuurten"] for r in body["rows"]]
        if param == "WijkenEnBuurten__gt":
            assert keys == sorted(k for k in keys if k > value)
        else:
            assert keys == [], (param, value)
    assert client.get(ROWS, params={"limit": "0"}).json()["total"] == 159


# -- versions and formats ----------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["2", "999", str(2**31 - 1)])
def test_a_version_that_does_not_exist(client: TestClient, version: str) -> None:
    problem(client.get(ROWS, params={"version": version}), 404, f"no version {version}", "versions are 1 to 1")


def test_version_out_of_range(client: TestClient) -> None:
    problem(client.get(ROWS, params={"version": "0"}), 422, "version")
    problem(client.get(ROWS, params={"version": str(2**63)}), 422, "version")


def test_formats_that_are_not_served(client: TestClient) -> None:
    problem(client.get(ROWS, params={"format": "geojson"}), 400, "no geometry column", "GeoJSON")
    problem(client.get(ROWS, headers={"Accept": "application/geo+json"}), 406, "no geometry column")
    problem(client.get(ROWS, headers={"Accept": "application/xml"}), 406, "Accept", "text/csv")
    problem(client.get(ROWS, headers={"Accept": "text/csv;q=0"}), 406, "Accept")


def test_dataset_list_bad_input(client: TestClient) -> None:
    problem(client.get("/api/v1/datasets", params={"sort": "random"}), 422, "sort")
    problem(client.get("/api/v1/datasets", params={"limit": "100000"}), 422, "limit")
    problem(client.get("/api/v1/datasets", params={"offset": "-1"}), 422, "offset")
