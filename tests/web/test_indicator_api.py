"""The indicator API (/api/v1/indicators) over the real demo: definitions, values with unit and
source, secret values as null with ``geheim: true``, 404 problems for unknown ids and regions,
422 for bad parameters, caching headers and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from stadsdata.indicators.model import Level
from tests.indicators.helpers import WMO, read_only_app_fixtures

served, client, service = read_only_app_fixtures("indicator-api")


def test_the_list_has_every_definition_with_its_links(client: TestClient, service: Any) -> None:
    response = client.get("/api/v1/indicators")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    body = response.json()
    assert body["total"] == len(service.definitions()) == len(body["indicators"])
    wmo = next(i for i in body["indicators"] if i["id"] == WMO)
    assert wmo["title"] == {"nl": "Wmo-cliënten", "en": "Wmo clients"}
    assert wmo["unit"]["nl"] == "per 1.000 inwoners"
    assert wmo["levels"] == ["gemeente", "wijk", "buurt"] and wmo["direction"] == "neutral"
    assert wmo["links"] == {
        "self": f"/api/v1/indicators/{WMO}",
        "values": f"/api/v1/indicators/{WMO}/values",
        "portal": f"/indicatoren/{WMO}",
    }
    for link in wmo["links"].values():
        assert client.get(link, headers={"accept": "text/html"}).status_code == 200


def test_one_indicator_has_its_periods(client: TestClient, service: Any) -> None:
    body = client.get(f"/api/v1/indicators/{WMO}").json()
    assert body["id"] == WMO and body["periods"] == service.periods(WMO)
    assert body["expression"] == service.definition(WMO).expression
    assert body["notes"]["nl"].startswith("Alle Wmo-maatwerkvoorzieningen")


def test_values_for_a_region_and_period_carry_unit_and_source(client: TestClient, service: Any) -> None:
    response = client.get(f"/api/v1/indicators/{WMO}/values", params={"region": "WK051829", "period": 2019})
    assert response.status_code == 200
    body = response.json()
    assert body["unit"]["nl"] == "per 1.000 inwoners" and body["count"] == 1
    (value,) = body["values"]
    expected = service.values(indicators=[WMO], regions=["WK051829"], periods=[2019])[0]
    assert value == {
        "region": "WK051829",
        "region_name": "Schildersbuurt",
        "level": "wijk",
        "period": 2019,
        "value": expected.value,
        "geheim": False,
        "source": expected.source,
    }
    # CBS publishes 108 per 1,000 for Schildersbuurt (WmoClientenRelatief_90, counts rounded to 5)
    assert round(value["value"]) == 108 and value["source"].startswith("cbs_kwb_2019_den_haag@")


def test_several_regions_and_a_level_filter(client: TestClient, service: Any) -> None:
    body = client.get(
        f"/api/v1/indicators/{WMO}/values", params=[("region", "WK051829"), ("region", "wk051802")]
    ).json()
    assert {v["region"] for v in body["values"]} == {"WK051829", "WK051802"}
    wijken = client.get(f"/api/v1/indicators/{WMO}/values", params={"level": "wijk", "gemeente": "GM0518"}).json()
    assert wijken["count"] == len(service.values(indicators=[WMO], level=Level.wijk, gemeente="GM0518")) == 44


def test_a_secret_value_is_null_with_geheim_never_zero(client: TestClient, service: Any) -> None:
    # Oostduinen (WK051801) has no published Wmo figure in the CBS file: secret
    body = client.get(f"/api/v1/indicators/{WMO}/values", params={"region": "WK051801"}).json()
    (value,) = body["values"]
    assert value["value"] is None and value["geheim"] is True
    secret = [v for v in service.values(indicators=[WMO]) if v.value is None]
    everything = client.get(f"/api/v1/indicators/{WMO}/values").json()["values"]
    assert sum(1 for v in everything if v["geheim"]) == len(secret) > 0
    assert all((v["value"] is None) == v["geheim"] for v in everything)


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/api/v1/indicators/geen_indicator", 404, "geen_indicator"),
        ("/api/v1/indicators/geen_indicator/values", 404, "geen_indicator"),
        (f"/api/v1/indicators/{WMO}/values?region=GM9999", 404, "GM9999"),
        (f"/api/v1/indicators/{WMO}/values?gemeente=GM9999", 404, "GM9999"),
        (f"/api/v1/indicators/{WMO}/values?period=twintig", 422, "period"),
        (f"/api/v1/indicators/{WMO}/values?level=provincie", 422, "level"),
    ],
)
def test_unknown_ids_and_bad_parameters_are_problems(client: TestClient, url: str, status: int, detail: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert detail in response.json()["detail"]


def test_an_unknown_period_is_an_empty_list(client: TestClient) -> None:
    body = client.get(f"/api/v1/indicators/{WMO}/values", params={"period": 1990}).json()
    assert body["count"] == 0 and body["values"] == []


def test_the_openapi_document_lists_the_indicator_endpoints(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/indicators",
        "/api/v1/indicators/{indicator_id}",
        "/api/v1/indicators/{indicator_id}/values",
    } <= set(paths)
    values = paths["/api/v1/indicators/{indicator_id}/values"]["get"]
    assert {p["name"] for p in values["parameters"]} >= {"region", "period", "level", "gemeente"}
    assert "404" in values["responses"]
