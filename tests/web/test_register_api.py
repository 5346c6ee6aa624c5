"""The algorithm register's API over the demo (the real 2022 register, 96 entries, 26 of Den Haag, and
the demo's model cards; tests/demo_expect.py).

Reading is public: list with search and facets, one entry with every v1.0 field, its history and
the export in the standard's download format (which validates against the standard and reads back
without loss). Writing needs a token: none is a 401, a user without ``edit_register`` the policy's
403, an invalid entry the area's 422 naming the field; and then nothing is stored.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stadsdata.core.access import Action
from stadsdata.platform import DEMO_WMO, Platform
from stadsdata.register import export as register_export
from stadsdata.register.standard import STANDARD, validate
from tests.demo_expect import REGISTER, REGISTER_DEN_HAAG

DEN_HAAG = "Gemeente Den Haag"
KWB = "cbs_kwb_2019_den_haag"


def valid_fields(**changes: Any) -> dict[str, Any]:
    """A complete entry that meets the standard v1.0."""
    fields: dict[str, Any] = {
        "name": "Meldingen openbare ruimte automatisch doorzetten",
        "description_short": "Het algoritme stuurt een melding over de openbare ruimte naar de juiste afdeling.",
        "organization": DEN_HAAG,
        "category": ["Ruimte en infrastructuur"],
        "status": "In gebruik",
        "contact_email": "algoritmes@denhaag.nl",
        "publication_category": "Overige algoritmes",
        "goal": "Meldingen sneller bij de afdeling krijgen die ze oplost.",
        "lawful_basis_grouping": [{"title": "Gemeentewet", "link": "https://wetten.overheid.nl/BWBR0005416"}],
        "lang": "nld",
        "standard_version": "1.0",
    }
    fields.update(changes)
    return fields


def filled(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v not in ("", [], None)}


def token(platform: Platform, user: str) -> dict[str, str]:
    secret = platform.identity.create_token(user, "register-test", [Action.edit_register.value], by=user).secret
    return {"authorization": f"Bearer {secret}"}


def den_haag_ids(client: TestClient) -> list[str]:
    found = client.get("/api/v1/algorithms", params={"organization": DEN_HAAG, "limit": 100}).json()
    return [a["id"] for a in found["algorithms"]]


# -- reading ----------------------------------------------------------------------------------------
def test_the_list_is_public_with_facets_that_count_the_register(client: TestClient) -> None:
    response = client.get("/api/v1/algorithms", params={"limit": 0})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == REGISTER and body["algorithms"] == []
    organizations = {f["value"]: f["count"] for f in body["facets"]["organization"]}
    assert organizations[DEN_HAAG] == REGISTER_DEN_HAAG
    assert sum(organizations.values()) == REGISTER
    assert set(body["facets"]) == {"organization", "category", "status", "publication_category"}


def test_the_organisation_facet_finds_the_den_haag_entries(client: TestClient) -> None:
    body = client.get("/api/v1/algorithms", params={"organization": DEN_HAAG, "limit": 100}).json()
    assert body["total"] == REGISTER_DEN_HAAG and len(body["algorithms"]) == REGISTER_DEN_HAAG
    assert {a["organization"] for a in body["algorithms"]} == {DEN_HAAG}
    assert body["next"] is None
    card = body["algorithms"][0]
    assert card["links"] == {"self": f"/api/v1/algorithms/{card['id']}", "portal": f"/algoritmes/{card['id']}"}


def test_searching_den_haag_finds_the_same_entries(client: TestClient) -> None:
    body = client.get("/api/v1/algorithms", params={"q": "Den Haag", "limit": 100}).json()
    assert body["total"] == REGISTER_DEN_HAAG
    assert sorted(a["id"] for a in body["algorithms"]) == sorted(den_haag_ids(client))


def test_paging_gives_a_next_link_until_the_end(client: TestClient) -> None:
    first = client.get("/api/v1/algorithms", params={"organization": DEN_HAAG, "limit": 10}).json()
    assert len(first["algorithms"]) == 10 and first["next"]
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    assert len(third["algorithms"]) == REGISTER_DEN_HAAG - 20 and third["next"] is None
    seen = [a["id"] for page in (first, second, third) for a in page["algorithms"]]
    assert len(set(seen)) == REGISTER_DEN_HAAG


def test_bad_paging_is_a_422_problem(client: TestClient) -> None:
    response = client.get("/api/v1/algorithms", params={"limit": 1000})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "limit" in response.json()["detail"]


def test_one_entry_has_every_field_of_the_standard_in_its_order(client: TestClient) -> None:
    entry_id = den_haag_ids(client)[0]
    response = client.get(f"/api/v1/algorithms/{entry_id}")
    assert response.status_code == 200
    body = response.json()
    assert list(body["fields"]) == list(STANDARD)
    assert body["fields"]["organization"] == DEN_HAAG
    assert body["version"] >= 1 and body["source"]
    assert body["links"]["history"] == f"/api/v1/algorithms/{entry_id}/history"
    history = client.get(body["links"]["history"]).json()
    assert history["id"] == entry_id and history["versions"][0]["number"] == body["version"]


def test_an_imported_entry_reports_what_is_missing(client: TestClient) -> None:
    """The 2022 register predates the publication category: the import says so per entry."""
    entry = client.get(f"/api/v1/algorithms/{den_haag_ids(client)[0]}").json()
    fields = [p["field"] for p in entry["problems"]]
    assert "publication_category" in fields


def test_an_unknown_entry_is_a_404_problem(client: TestClient) -> None:
    for path in ("/api/v1/algorithms/no-such-entry", "/api/v1/algorithms/no-such-entry/history"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_export_validates_and_reads_back_without_loss(
    client: TestClient, demo_platform: Platform, fmt: str
) -> None:
    created = client.post("/api/v1/algorithms", json={"fields": valid_fields()}, headers=token(demo_platform, "dora"))
    assert created.status_code == 201, created.text
    response = client.get("/api/v1/algorithms/export", params={"format": fmt})
    assert response.status_code == 200
    assert f'filename="algoritmeregister.{fmt}"' in response.headers["content-disposition"]
    if fmt == "json":
        rows = json.loads(response.content)
        assert response.headers["content-type"].startswith("application/json")
    else:
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
        assert response.headers["content-type"].startswith("text/csv")
        assert list(rows[0]) == list(STANDARD)
    assert len(rows) == REGISTER + 1  # and the one just created
    records = register_export.load(response.content, fmt)
    # The complete entry meets the standard; the imported ones have only the problems they came with.
    ours = next(r for r in records if r.get("name") == valid_fields()["name"])
    assert validate(ours) == []
    assert filled(ours) == valid_fields()
    for record in records:
        entry_problems = [p for p in validate(record) if not p.message.startswith("required")]
        assert all(p.field in STANDARD or "[" in p.field for p in entry_problems), entry_problems
    by_name = {(r.get("organization"), r.get("name")): r for r in records}
    api = client.get(f"/api/v1/algorithms/{den_haag_ids(client)[0]}").json()["fields"]
    stored = by_name[(api["organization"], api["name"])]
    assert filled(api) == filled(stored)


def test_an_unknown_export_format_is_a_422(client: TestClient) -> None:
    assert client.get("/api/v1/algorithms/export", params={"format": "xml"}).status_code == 422


# -- writing ----------------------------------------------------------------------------------------
def test_writing_needs_a_token(client: TestClient, demo_platform: Platform) -> None:
    before = demo_platform.algorithms.search(limit=0).total
    response = client.post("/api/v1/algorithms", json={"fields": valid_fields()})
    assert response.status_code == 401
    entry_id = den_haag_ids(client)[0]
    response = client.put(f"/api/v1/algorithms/{entry_id}", json={"fields": valid_fields(), "reason": "test"})
    assert response.status_code == 401
    assert demo_platform.algorithms.search(limit=0).total == before


def test_an_analyst_gets_the_policys_403_and_nothing_changes(client: TestClient, demo_platform: Platform) -> None:
    headers = token(demo_platform, "ana")
    before = demo_platform.algorithms.search(limit=0).total
    response = client.post("/api/v1/algorithms", json={"fields": valid_fields()}, headers=headers)
    assert response.status_code == 403, response.text
    entry_id = den_haag_ids(client)[0]
    version = demo_platform.algorithms.get(entry_id).version
    response = client.put(
        f"/api/v1/algorithms/{entry_id}", json={"fields": valid_fields(), "reason": "test"}, headers=headers
    )
    assert response.status_code == 403
    assert demo_platform.algorithms.search(limit=0).total == before
    assert demo_platform.algorithms.get(entry_id).version == version


def test_an_invalid_entry_is_a_422_naming_the_field_and_nothing_is_stored(
    client: TestClient, demo_platform: Platform
) -> None:
    before = demo_platform.algorithms.search(limit=0).total
    response = client.post(
        "/api/v1/algorithms", json={"fields": valid_fields(status="Misschien")}, headers=token(demo_platform, "dora")
    )
    assert response.status_code == 422
    assert response.json()["detail"].startswith("status")
    long = valid_fields(name="x" * 101)
    response = client.post("/api/v1/algorithms", json={"fields": long}, headers=token(demo_platform, "dora"))
    assert response.status_code == 422 and "name" in response.json()["detail"]
    assert demo_platform.algorithms.search(limit=0).total == before


def test_a_body_must_be_json(client: TestClient, demo_platform: Platform) -> None:
    response = client.post(
        "/api/v1/algorithms",
        content=b"fields=x",
        headers={**token(demo_platform, "dora"), "content-type": "text/plain"},
    )
    assert response.status_code == 400


def test_a_data_officer_creates_and_changes_an_entry_with_its_history(
    client: TestClient, demo_platform: Platform
) -> None:
    headers = token(demo_platform, "dora")
    created = client.post("/api/v1/algorithms", json={"fields": valid_fields(), "datasets": [KWB]}, headers=headers)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert created.headers["location"] == f"/api/v1/algorithms/{entry['id']}"
    assert created.headers["cache-control"] == "private, no-store"
    assert entry["version"] == 1 and entry["datasets"] == [KWB] and entry["source"] == "api"
    assert entry["problems"] == []

    changed = client.put(
        f"/api/v1/algorithms/{entry['id']}",
        json={"fields": valid_fields(status="Buiten gebruik"), "reason": "Vervangen door een nieuw systeem."},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["fields"]["status"] == "Buiten gebruik"
    assert changed.json()["datasets"] == [KWB]  # null datasets: left as they were

    versions = client.get(f"/api/v1/algorithms/{entry['id']}/history").json()["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["by"] == "dora" and versions[0]["reason"] == "Vervangen door een nieuw systeem."
    assert {"field": "status", "old": "In gebruik", "new": "Buiten gebruik"} in versions[0]["changes"]
    assert [a["id"] for a in client.get("/api/v1/algorithms", params={"status": "Buiten gebruik"}).json()["algorithms"]]


def test_datasets_the_caller_may_not_see_are_counted_not_named(client: TestClient, demo_platform: Platform) -> None:
    headers = token(demo_platform, "dora")
    body = {"fields": valid_fields(), "datasets": [KWB, DEMO_WMO]}
    entry = client.post("/api/v1/algorithms", json=body, headers=headers)
    assert entry.status_code == 201, entry.text
    public = client.get(f"/api/v1/algorithms/{entry.json()['id']}").json()
    assert public["datasets"] == [KWB] and public["datasets_not_shown"] == 1
    assert DEMO_WMO not in json.dumps(public)
    changed = client.put(
        f"/api/v1/algorithms/{entry.json()['id']}",
        json={"fields": {}, "reason": "Alleen het register.", "datasets": [DEMO_WMO]},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    history = client.get(f"/api/v1/algorithms/{entry.json()['id']}/history")
    assert DEMO_WMO not in history.text
    newest = history.json()["versions"][0]
    assert newest["changes"] == [{"field": "datasets", "old": [KWB], "new": []}]
    every_scope = [a.value for a in Action]
    full = {
        "authorization": "Bearer " + demo_platform.identity.create_token("dora", "all", every_scope, by="dora").secret
    }
    assert DEMO_WMO in client.get(f"/api/v1/algorithms/{entry.json()['id']}/history", headers=full).text


def test_an_entry_links_to_opgaven_by_number(client: TestClient, demo_platform: Platform) -> None:
    headers = token(demo_platform, "dora")
    opgave = min(demo_platform.opgaven.list(), key=lambda o: o.id)
    created = client.post(
        "/api/v1/algorithms", json={"fields": valid_fields(), "opgaven": [opgave.id]}, headers=headers
    )
    assert created.status_code == 201, created.text
    entry_id = created.json()["id"]
    assert client.get(f"/api/v1/algorithms/{entry_id}").json()["opgaven"] == [opgave.id]
    refused = client.put(
        f"/api/v1/algorithms/{entry_id}", json={"fields": {}, "reason": "x", "opgaven": [999]}, headers=headers
    )
    assert refused.status_code == 422 and refused.json()["detail"].startswith("opgaven: no opgave 999")
    unlinked = client.put(
        f"/api/v1/algorithms/{entry_id}", json={"fields": {}, "reason": "Losgekoppeld.", "opgaven": []}, headers=headers
    )
    assert unlinked.status_code == 200 and unlinked.json()["opgaven"] == []
    newest = client.get(f"/api/v1/algorithms/{entry_id}/history").json()["versions"][0]
    assert newest["changes"] == [{"field": "opgaven", "old": [opgave.id], "new": []}]
