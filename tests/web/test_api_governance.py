"""The governance API (/api/v1: me, opgaven, workspaces, the Datashop, the audit log) over the real
demo: the SYNTHETIC Wmo register, the demo users and opgaven 1 (approved, with its workspace) and
2 (ended, its workspace destroyed).

The first part walks the flow and its bad input through HTTP with bearer tokens, counting what is
stored before and after every refusal. The second part is property-based (hypothesis): generated
count tables over opgave 1's workspace, exported through the API, are checked from the outside
against the workspace's own counts and the source register's BSNs.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from stadsdata import demo
from stadsdata.platform import DEMO_WMO, Platform
from stadsdata.web import create_app
from tests.conftest import make_settings
from tests.web.test_login import log_in

API = "/api/v1"
PRIVATE = "private, no-store"
ANALYST_SCOPES = ("view_opgave", "request_opgave", "use_workspace", "export_result", "close_opgave", "file_datashop")


def bearer(platform: Platform, user: str, *scopes: str, days: int | None = None) -> dict[str, str]:
    issued = platform.identity.create_token(user, "test", scopes or ANALYST_SCOPES, days=days, by=user)
    return {"authorization": f"Bearer {issued.secret}"}


def opgave_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Leeftijd van Wmo-cliënten per wijk",
        "purpose": "De leeftijdsopbouw van Wmo-cliënten per wijk, voor de prognose van 2027.",
        "legal_ground": "e",
        "legal_basis": "Wmo 2015, art. 2.1.2",
        "dpia_reference": "DPIA-2026-030",
        "dpia_status": "afgerond",
        "end_date": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
        "members": ["gert"],
        "columns": [
            {"dataset": DEMO_WMO, "column": "bsn", "reason": "Cliënten tellen binnen de opgave."},
            {"dataset": DEMO_WMO, "column": "geboortedatum", "reason": "Leeftijdsopbouw per wijk."},
            {"dataset": DEMO_WMO, "column": "wijkcode", "reason": "De wijk als eenheid van analyse."},
            {"dataset": DEMO_WMO, "column": "voorziening", "reason": "Het soort voorziening per leeftijd."},
        ],
    }
    body.update(changes)
    return body


def state_of(platform: Platform) -> tuple[Any, ...]:
    """What a refused request must leave as it was: opgaven (with their states and column
    decisions), workspaces, Datashop requests, data grants."""
    opgaven = [(o.id, o.state, tuple(c.decision for c in o.columns)) for o in platform.opgaven.list()]
    workspaces = [(o.id, platform.workspaces.store.find(o.id)) for o in platform.opgaven.list()]
    grants = [(g.id, g.revoked_at) for u in ("ana", "gert", "olga") for g in platform.identity.grants(u)]
    datashop = [(r.id, r.state) for r in platform.datashop.store.list()]
    return opgaven, workspaces, grants, datashop


def audited(platform: Platform, actor: str, action: str, limit: int = 20) -> list[Any]:
    return [e for e in platform.audit.list(limit, actor=actor) if e.action == action]


SOURCE_BSNS = frozenset(
    row["bsn"]
    for row in csv.DictReader(demo.data_path(DEMO_WMO).read_text(encoding="utf-8").splitlines(), delimiter=";")
)


def source_bsns_in(text: str) -> set[str]:
    """Every BSN of the source register that occurs in ``text``, also inside a longer run of digits."""
    found = set()
    for run in re.findall(r"\d{9,}", text):
        found |= {run[i : i + 9] for i in range(len(run) - 8)} & SOURCE_BSNS
    return found


# -- authentication, scopes, headers ------------------------------------------------------------
ROUTES = [
    ("get", "/me", None),
    ("get", "/opgaven", None),
    ("post", "/opgaven", opgave_body()),
    ("get", "/opgaven/1", None),
    ("post", "/opgaven/1/decisions", {"dataset": DEMO_WMO, "approve": True, "reason": "In orde, zie de DPIA."}),
    ("post", "/opgaven/1/close", None),
    ("post", "/opgaven/1/workspace/query", {"sql": f"select count(*) from {DEMO_WMO}"}),
    (
        "post",
        "/opgaven/1/workspace/export",
        {"sql": f"select wijkcode, count(*) as n from {DEMO_WMO} group by 1", "dimensions": ["wijkcode"]},
    ),
    ("get", "/datashop", None),
    ("post", "/datashop", {"question": "x" * 20, "purpose": "y" * 20, "deadline": "2030-01-01", "dienst": "OCW"}),
    ("get", "/datashop/1", None),
    ("post", "/datashop/1/triage", {"outcome": "answered", "note": "Zie de open data."}),
    ("get", "/audit", None),
    ("get", "/audit/verify", None),
]


def test_every_route_needs_a_token_and_ignores_the_session_cookie(client: TestClient, demo_platform: Platform) -> None:
    before = state_of(demo_platform)
    log_in(client, "adam")  # a portal session of the admin: the API does not take it
    for method, path, body in ROUTES:
        response = client.request(method, API + path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert "needs an API token" in response.json()["detail"]
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["cache-control"] == PRIVATE
    assert state_of(demo_platform) == before


OTHER_AREAS = tuple(
    f"{API}/{area}" for area in ("datasets", "algorithms", "indicators", "meldingen")
)  # their own tests


def test_the_openapi_document_describes_the_routes(client: TestClient) -> None:
    document = client.get(f"{API}/openapi.json").json()
    tags = {
        (method, path): op["tags"]
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        if path.startswith(API) and not path.startswith(OTHER_AREAS)
    }
    templated = {(m, API + re.sub(r"/1(?=/|$)", "/{id}", p)) for m, p, _ in ROUTES}
    assert {(m, re.sub(r"\{\w+_id\}", "{id}", p)) for m, p in tags} == templated
    assert {t for ts in tags.values() for t in ts} == {"identity", "opgaven", "workspaces", "datashop", "audit"}
    export = document["paths"][f"{API}/opgaven/{{opgave_id}}/workspace/export"]["post"]
    assert {"401", "403", "404", "409", "410", "422"} <= set(export["responses"])
    schemas = document["components"]["schemas"]
    for name in ("OpgaveCreate", "ExportCreate", "ExportPublic", "QueryCreate", "DatashopCreate", "AuditEntryPublic"):
        assert all(field.get("description") for field in schemas[name]["properties"].values()), name


def test_me_shows_the_user_roles_scopes_and_grants(client: TestClient, demo_platform: Platform) -> None:
    olga = client.get(f"{API}/me", headers=bearer(demo_platform, "olga", "view_opgave", "approve_opgave")).json()
    assert olga["user"] == "olga" and olga["display_name"] == "Olga Eigenaar"
    assert olga["roles"] == [{"role": "data_owner", "scope": DEMO_WMO}]
    assert olga["scopes"] == ["approve_opgave", "view_opgave"]
    gert = client.get(f"{API}/me", headers=bearer(demo_platform, "gert", "use_workspace")).json()
    [grant] = gert["grants"]  # opgave 1's grant; opgave 2's ended with its workspace
    assert grant["opgave"] == 1 and grant["level"] == "pseudonymised" and "voorziening" in grant["special_categories"]


def test_expired_and_revoked_tokens_are_refused(client: TestClient, demo_platform: Platform) -> None:
    revoked = demo_platform.identity.create_token("ana", "old", ANALYST_SCOPES, by="ana")
    demo_platform.identity.revoke_token(revoked.token.id, by="ana")
    expired = demo_platform.identity.create_token("ana", "short", ANALYST_SCOPES, days=1, by="ana")
    before = state_of(demo_platform)
    demo_platform.identity.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    for secret, words in ((revoked.secret, "token revoked on"), (expired.secret, "token expired on")):
        headers = {"authorization": f"Bearer {secret}"}
        for method, path, body in (ROUTES[2], ROUTES[6], ROUTES[9]):
            response = client.request(method, API + path, json=body, headers=headers)
            assert response.status_code == 401 and words in response.json()["detail"], (path, response.text)
            assert response.headers["cache-control"] == PRIVATE
    assert state_of(demo_platform) == before
    assert [e.decision for e in audited(demo_platform, "ana", "token.use")] == ["denied"] * 6


def test_a_token_without_the_scope_gets_the_policys_reason(client: TestClient, demo_platform: Platform) -> None:
    narrow = bearer(demo_platform, "ana", "view_opgave")
    before = state_of(demo_platform)
    for method, path, body, action in (
        ("post", "/opgaven", opgave_body(), "request_opgave"),
        ("post", "/opgaven/1/workspace/query", {"sql": f"select count(*) from {DEMO_WMO}"}, "use_workspace"),
        ("post", "/opgaven/1/close", None, "close_opgave"),
        ("get", "/audit", None, "view_audit"),
    ):
        response = client.request(method, API + path, json=body, headers=narrow)
        assert response.status_code == 403, (path, response.text)
        assert f"the API token is not scoped for {action}" in response.json()["detail"]
        assert response.headers["cache-control"] == PRIVATE
        assert audited(demo_platform, "ana", action)[0].decision == "denied"
    assert state_of(demo_platform) == before
    # what the scope allows still works
    assert client.get(f"{API}/opgaven/1", headers=narrow).json()["state"] == "approved"


# -- the flow -----------------------------------------------------------------------------------
def test_request_approve_query_export_close(client: TestClient, demo_platform: Platform) -> None:
    ana, gert = bearer(demo_platform, "ana"), bearer(demo_platform, "gert")
    olga = bearer(demo_platform, "olga", "view_opgave", "approve_opgave")

    filed = client.post(f"{API}/opgaven", json=opgave_body(), headers=ana)
    assert filed.status_code == 201, filed.text
    opgave = filed.json()
    number = opgave["id"]
    assert filed.headers["location"] == f"{API}/opgaven/{number}"
    assert filed.headers["cache-control"] == PRIVATE
    assert opgave["state"] == "requested" and opgave["requester"] == "ana" and opgave["workspace"] is None
    assert {c["decision"] for c in opgave["columns"]} == {"pending"}
    assert number in [o["id"] for o in client.get(f"{API}/opgaven?state=requested", headers=olga).json()["opgaven"]]
    assert number not in [o["id"] for o in client.get(f"{API}/opgaven?state=approved", headers=ana).json()["opgaven"]]

    # the member cannot work in it yet; the data owner decides
    waiting = client.post(f"{API}/opgaven/{number}/workspace/query", json={"sql": "select 1"}, headers=gert)
    assert waiting.status_code == 403 and "requested" in waiting.json()["detail"]
    decided = client.post(
        f"{API}/opgaven/{number}/decisions",
        json={
            "dataset": DEMO_WMO,
            "approve": True,
            "reason": "Doel, grondslag en DPIA zijn in orde.",
            "special_categories": ["voorziening"],
        },
        headers=olga,
    )
    assert decided.status_code == 200, decided.text
    approved = decided.json()
    assert approved["state"] == "approved"
    assert {c["decided_by"] for c in approved["columns"]} == {"olga"}
    assert approved["special_categories"] == {DEMO_WMO: ["voorziening"]}
    [table] = approved["workspace"]["tables"]
    assert table["rows"] == len(SOURCE_BSNS)
    assert table["columns"] == {
        "bsn": "pseudonymise",
        "geboortedatum": "generalise:year",
        "wijkcode": "keep",
        "voorziening": "keep",
    }
    assert "path" not in approved["workspace"]  # where the file lives does not leave

    # requester and member query: pseudonyms and years, never a BSN
    for who in (ana, gert):
        result = client.post(
            f"{API}/opgaven/{number}/workspace/query",
            json={"sql": f"select * from {DEMO_WMO} order by bsn", "limit": 50},
            headers=who,
        )
        assert result.status_code == 200, result.text
        body = result.json()
        assert body["columns"] == ["bsn", "geboortedatum", "wijkcode", "voorziening"] and body["count"] == 50
        assert all(re.fullmatch(r"[0-9a-f]{32}", row[0]) and isinstance(row[1], int) for row in body["rows"])
        assert not source_bsns_in(result.text)
    counted = client.post(
        f"{API}/opgaven/{number}/workspace/query",
        json={"sql": f"select count(distinct bsn) as clients from {DEMO_WMO}"},
        headers=gert,
    ).json()
    assert counted["rows"] == [[len(SOURCE_BSNS)]]
    assert audited(demo_platform, "gert", "workspace_query")[0].purpose == opgave_body()["purpose"]

    # an export with small cells is blocked and says which; accepted, the protected table leaves
    sql = f"select wijkcode, voorziening, count(*) as n from {DEMO_WMO} group by cube (wijkcode, voorziening)"
    truth = client.post(
        f"{API}/opgaven/{number}/workspace/query", json={"sql": sql, "limit": 10_000}, headers=ana
    ).json()
    small = [row for row in truth["rows"] if 0 < row[2] < 10]
    assert small, "the real register has wijk x voorziening cells below 10"
    export = {"sql": sql, "dimensions": ["wijkcode", "voorziening"], "count": "n"}
    blocked = client.post(f"{API}/opgaven/{number}/workspace/export", json=export, headers=gert)
    assert blocked.status_code == 409, blocked.text
    problem = blocked.json()
    assert blocked.headers["content-type"] == "application/problem+json"
    assert problem["detail"].startswith("blocked: ") and f"primary: n={small[0][2]} < 10" in " ".join(problem["cells"])
    assert problem["decision"] == "blocked" and "rows" not in problem
    assert blocked.headers["cache-control"] == PRIVATE
    assert audited(demo_platform, "gert", "workspace_export")[0].decision == "blocked"
    released = client.post(
        f"{API}/opgaven/{number}/workspace/export", json=export | {"accept_suppression": True}, headers=gert
    )
    assert released.status_code == 200, released.text
    table_out = released.json()
    assert table_out["decision"] == "released" and table_out["threshold"] == 10
    assert table_out["columns"] == ["wijkcode", "voorziening", "n", "suppressed"]
    suppressed = {(r["wijkcode"], r["voorziening"]) for r in table_out["rows"] if r["suppressed"]}
    assert {(w, v) for w, v, _ in small} <= suppressed
    assert all(r["n"] is None for r in table_out["rows"] if r["suppressed"])
    assert len(table_out["cells"]) == len(suppressed)

    # the requester closes it; from then on nobody works in it
    closed = client.post(f"{API}/opgaven/{number}/close", headers=ana)
    assert closed.status_code == 200 and closed.json()["state"] == "closed" and closed.json()["closed_at"]
    after = client.post(f"{API}/opgaven/{number}/workspace/query", json={"sql": "select 1"}, headers=gert)
    assert after.status_code == 403 and f"opgave {number} is closed" in after.json()["detail"]
    assert demo_platform.audit.verify().ok


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"purpose": None}, 422, "purpose: Field required"),
        ({"purpose": "   "}, 422, "purpose: expected the purpose in a sentence"),
        ({"legal_basis": None}, 422, "legal_basis: Field required"),
        ({"legal_basis": ""}, 422, "legal_basis: expected the law"),
        ({"legal_ground": "z"}, 422, "legal_ground: 'z' is not a ground of AVG art. 6(1)"),
        ({"end_date": (dt.date.today() + dt.timedelta(days=800)).isoformat()}, 422, "past the maximum of 12 months"),
        ({"end_date": dt.date.today().isoformat()}, 422, "is not in the future"),
        ({"end_date": "31-12-2026"}, 422, "end_date: "),
        ({"columns": []}, 422, "columns: expected at least one dataset column"),
        ({"columns": [{"dataset": DEMO_WMO, "column": "iban", "reason": "Waarom niet?!"}]}, 422, "no column 'iban'"),
        ({"members": ["nobody"]}, 422, "members: unknown user 'nobody'"),
    ],
)
def test_a_bad_opgave_request_is_one_clear_error_and_stores_nothing(
    client: TestClient, demo_platform: Platform, changes: dict[str, Any], status: int, words: str
) -> None:
    ana = bearer(demo_platform, "ana")
    body = {k: v for k, v in opgave_body(**changes).items() if v is not None}
    before = state_of(demo_platform), len(audited(demo_platform, "ana", "opgave_requested"))
    response = client.post(f"{API}/opgaven", json=body, headers=ana)
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert "\n" not in response.json()["detail"]
    assert (state_of(demo_platform), len(audited(demo_platform, "ana", "opgave_requested"))) == before


def test_nobody_approves_their_own_request(client: TestClient, demo_platform: Platform) -> None:
    olga = bearer(demo_platform, "olga", "request_opgave", "view_opgave", "approve_opgave")
    filed = client.post(f"{API}/opgaven", json=opgave_body(members=[]), headers=olga).json()
    before = state_of(demo_platform)
    decision = {"dataset": DEMO_WMO, "approve": True, "reason": "Ik keur mijn eigen vraag goed.", "columns": None}
    response = client.post(f"{API}/opgaven/{filed['id']}/decisions", json=decision, headers=olga)
    assert response.status_code == 403 and "nobody approves their own request" in response.json()["detail"]
    assert state_of(demo_platform) == before
    assert client.get(f"{API}/opgaven/{filed['id']}", headers=olga).json()["state"] == "requested"
    # an analyst is not the data owner either
    gert = bearer(demo_platform, "gert", "approve_opgave")
    refused = client.post(f"{API}/opgaven/{filed['id']}/decisions", json=decision, headers=gert)
    assert refused.status_code == 403 and f"only the data owner of {DEMO_WMO}" in refused.json()["detail"]
    assert state_of(demo_platform) == before


def test_a_destroyed_workspace_is_gone(client: TestClient, demo_platform: Platform) -> None:
    ana = bearer(demo_platform, "ana")
    opgave = client.get(f"{API}/opgaven/2", headers=ana).json()
    assert opgave["state"] == "destroyed" and opgave["workspace"]["destroyed_at"]
    day = opgave["workspace"]["destroyed_at"][:10]
    before = state_of(demo_platform)
    for path, body in (
        ("query", {"sql": f"select count(*) from {DEMO_WMO}"}),
        ("export", {"sql": f"select wijkcode, count(*) as n from {DEMO_WMO} group by 1", "dimensions": ["wijkcode"]}),
    ):
        response = client.post(f"{API}/opgaven/2/workspace/{path}", json=body, headers=ana)
        assert response.status_code == 410, response.text
        assert f"the workspace of opgave 2 was destroyed on {day}" in response.json()["detail"]
        assert response.headers["cache-control"] == PRIVATE
    assert state_of(demo_platform) == before


def test_someone_elses_opgave_is_not_found(client: TestClient, demo_platform: Platform) -> None:
    dora = bearer(demo_platform, "dora", *ANALYST_SCOPES)  # a data officer: not in opgave 1, not its owner
    hidden = client.get(f"{API}/opgaven/1", headers=dora)
    missing = client.get(f"{API}/opgaven/999", headers=dora)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"] == "no opgave 1 that you may see"
    assert missing.json()["detail"] == "no opgave 999 that you may see"  # the same words: existence does not leak
    assert client.get(f"{API}/opgaven", headers=dora).json()["opgaven"] == []
    [refusal] = audited(demo_platform, "dora", "view_opgave")  # the refusal is audited
    assert (refusal.resource, refusal.decision) == ("opgave/1", "denied")
    # the board oversees, the data owner sees what asks for her data
    for user in ("bart", "olga"):
        seen = client.get(f"{API}/opgaven", headers=bearer(demo_platform, user, "view_opgave")).json()["opgaven"]
        assert [o["id"] for o in seen] == [2, 1], user


def test_the_datashop_over_the_api(client: TestClient, demo_platform: Platform) -> None:
    gert, ana = bearer(demo_platform, "gert"), bearer(demo_platform, "ana")
    dora = bearer(demo_platform, "dora", "triage_datashop", "file_datashop")
    question = {
        "question": "Hoeveel inwoners van 65 jaar of ouder wonen er per wijk?",
        "purpose": "Planning van ouderenvoorzieningen in het sociaal domein.",
        "deadline": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        "dienst": "Dienst OCW",
    }
    filed = client.post(f"{API}/datashop", json=question, headers=gert)
    assert filed.status_code == 201 and filed.headers["location"] == f"{API}/datashop/{filed.json()['id']}"
    number = filed.json()["id"]
    assert filed.json()["state"] == "new" and filed.json()["requester"] == "gert"

    before = state_of(demo_platform)
    hidden = client.get(f"{API}/datashop/{number}", headers=ana)  # someone else's request
    assert hidden.status_code == 404 and hidden.json()["detail"] == f"no Datashop request {number} that you may see"
    assert client.get(f"{API}/datashop/{number + 50}", headers=ana).json()["detail"].startswith("no Datashop request")
    assert client.get(f"{API}/datashop", headers=ana).json()["requests"] == []
    late = client.post(f"{API}/datashop", json=question | {"deadline": "2020-01-01"}, headers=ana)
    assert late.status_code == 422 and late.json()["detail"] == "deadline: 2020-01-01 has passed"
    not_team = client.post(
        f"{API}/datashop/{number}/triage", json={"outcome": "answered", "note": "Zie de wijkprofielen."}, headers=ana
    )
    assert not_team.status_code == 403 and "triage_datashop" in not_team.json()["detail"]
    assert state_of(demo_platform) == before

    assert [r["id"] for r in client.get(f"{API}/datashop", headers=dora).json()["requests"]] == [number]
    triaged = client.post(
        f"{API}/datashop/{number}/triage",
        json={"outcome": "answered", "note": "Open data: cbs_kwb_2019_den_haag, kolom k_65JaarOfOuder_12."},
        headers=dora,
    )
    assert triaged.status_code == 200 and triaged.json()["state"] == "answered"
    seen = client.get(f"{API}/datashop/{number}", headers=gert).json()
    assert [(h["by"], h["state"]) for h in seen["history"]] == [("gert", "new"), ("dora", "answered")]


def test_the_audit_log_over_the_api(client: TestClient, demo_platform: Platform) -> None:
    ana, adam = bearer(demo_platform, "ana"), bearer(demo_platform, "adam", "view_audit")
    client.post(f"{API}/opgaven/1/workspace/query", json={"sql": f"select count(*) from {DEMO_WMO}"}, headers=ana)
    listed = client.get(f"{API}/audit", params={"actor": "ana", "action": "workspace_query", "limit": 5}, headers=adam)
    assert listed.status_code == 200 and listed.headers["cache-control"] == PRIVATE
    [entry] = listed.json()["entries"]
    assert entry["resource"] == "opgave/1/workspace" and entry["detail"]["sql"].startswith("select count(*)")
    by_resource = client.get(f"{API}/audit", params={"resource": "opgave/1/workspace", "limit": 3}, headers=adam)
    assert {e["resource"] for e in by_resource.json()["entries"]} == {"opgave/1/workspace"}
    verified = client.get(f"{API}/audit/verify", headers=adam).json()
    assert verified["ok"] and verified["last_hash"] == demo_platform.audit.list(1)[0].hash
    assert verified["entries"] == demo_platform.audit.list(1)[0].seq
    assert audited(demo_platform, "adam", "view_audit")[0].decision == "allowed"  # reading is audited too
    bart = bearer(demo_platform, "bart", "view_audit")
    assert client.get(f"{API}/audit/verify", headers=bart).json()["ok"]
    refused = client.get(f"{API}/audit", headers=bearer(demo_platform, "ana", "view_audit"))
    assert refused.status_code == 403
    assert (
        refused.json()["detail"]
        == "view_audit on audit_log: view_audit needs the role platform_admin or governance_board"
    )


def test_queries_stay_inside_the_workspace(client: TestClient, demo_platform: Platform) -> None:
    ana = bearer(demo_platform, "ana")
    source = demo.data_path(DEMO_WMO)
    tables = demo_platform.home / "tables"
    url = f"{API}/opgaven/1/workspace/query"
    for sql, words in (
        (f"select * from read_csv('{source}')", "outside the workspace"),
        (f"select * from read_parquet('{tables}/**/*.parquet')", "outside the workspace"),
        (f"delete from {DEMO_WMO}", "only a SELECT"),
        ("select 1; select 2", "exactly one SELECT"),
        ("selec 1", "query failed"),
    ):
        response = client.post(url, json={"sql": sql}, headers=ana)
        assert response.status_code == 400, (sql, response.text)
        assert words in response.json()["detail"] and not source_bsns_in(response.text)
    too_many = client.post(url, json={"sql": "select 1", "limit": 10_001}, headers=ana)
    assert too_many.status_code == 422 and too_many.json()["detail"].startswith("limit: ")


def test_query_values_are_json(client: TestClient, demo_platform: Platform) -> None:
    sql = (
        "select date '2019-01-01' as d, timestamp '2019-01-01 12:00:00' as t, 1.50::decimal(5, 2) as x, "
        "'nan'::double as f, interval 1 day as i, [1, 2] as l, {'a': 1} as s, 12345678901234567890::hugeint as h"
    )
    response = client.post(f"{API}/opgaven/1/workspace/query", json={"sql": sql}, headers=bearer(demo_platform, "ana"))
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == [
        ["2019-01-01", "2019-01-01T12:00:00", 1.5, None, 86400.0, [1, 2], {"a": 1}, 12345678901234567890]
    ]
    assert response.headers["vary"] == "Authorization"


def test_an_export_carries_nothing_but_its_dimensions_and_count(client: TestClient, demo_platform: Platform) -> None:
    """A further column would leave beside a suppressed cell unchecked: refused, nothing leaves."""
    ana = bearer(demo_platform, "ana")
    sql = f"select wijkcode, voorziening, count(*) as n, count(*) as m from {DEMO_WMO} group by all"
    body = {"sql": sql, "dimensions": ["wijkcode", "voorziening"], "accept_suppression": True}
    response = client.post(f"{API}/opgaven/1/workspace/export", json=body, headers=ana)
    assert response.status_code == 422 and "columns other than its dimensions" in response.json()["detail"]
    assert "rows" not in response.json()
    # nothing was exported, and the refusal is on record
    assert [e.decision for e in audited(demo_platform, "ana", "workspace_export")] == ["refused"]
    # the same table without it leaves, protected
    plain = client.post(
        f"{API}/opgaven/1/workspace/export", json=body | {"sql": sql.replace(", count(*) as m", "")}, headers=ana
    )
    assert plain.status_code == 200 and all(
        set(r) == {"wijkcode", "voorziening", "n", "suppressed"} for r in plain.json()["rows"]
    )


def test_posts_take_json_only(client: TestClient, demo_platform: Platform) -> None:
    ana = bearer(demo_platform, "ana")
    before = state_of(demo_platform)
    form = {k: str(v) for k, v in opgave_body().items()}
    for kwargs in ({"data": form}, {"content": str(opgave_body()), "headers": {"content-type": "text/plain"}}):
        headers = ana | dict(kwargs.pop("headers", {}))  # type: ignore[arg-type]
        response = client.post(f"{API}/opgaven", headers=headers, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 400, response.text
        assert "the request body must be JSON" in response.json()["detail"]
    assert state_of(demo_platform) == before


# -- properties of the export path --------------------------------------------------------------
@dataclass
class Desk:
    """One app over its own copy of the demo, with a disclosure threshold, and tokens of opgave 1's
    requester and member."""

    client: TestClient
    threshold: int
    analysts: list[dict[str, str]]

    def query(self, sql: str, limit: int = 10_000) -> Any:
        return self.client.post(
            f"{API}/opgaven/1/workspace/query", json={"sql": sql, "limit": limit}, headers=self.analysts[0]
        )

    def export(self, body: dict[str, Any], who: int = 0) -> Any:
        return self.client.post(f"{API}/opgaven/1/workspace/export", json=body, headers=self.analysts[who])


THRESHOLDS = (5, 10, 25)


@pytest.fixture(scope="module")
def desks(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Desk]]:
    with ExitStack() as stack:
        out = {}
        for threshold in THRESHOLDS:
            home = tmp_path_factory.mktemp(f"threshold-{threshold}") / "home"
            shutil.copytree(demo_template, home)
            platform = stack.enter_context(Platform(make_settings(home, disclosure_threshold=threshold)))
            client = stack.enter_context(TestClient(create_app(platform)))
            analysts = [bearer(platform, "ana", "use_workspace", "export_result"), bearer(platform, "gert")]
            out[threshold] = Desk(client, threshold, analysts)
        yield out


@pytest.fixture(scope="module")
def categories(desks: dict[int, Desk]) -> dict[str, list[Any]]:
    """The workspace's own categories, read through the API."""
    desk = desks[10]
    values = {}
    for column in ("wijkcode", "voorziening", "geboortedatum"):
        response = desk.query(f"select distinct {column} from {DEMO_WMO} order by 1")
        values[column] = [row[0] for row in response.json()["rows"]]
    return values


#: dimension name -> SQL over the workspace table
DIMENSIONS = {
    "wijk": "wijkcode",
    "voorziening": "voorziening",
    "decennium": "(geboortedatum // 10) * 10",
    "leeftijd": "case when geboortedatum <= 1954 then '65+' when geboortedatum <= 1974 then '45-64' else '0-44' end",
}


@st.composite
def count_tables(draw: st.DrawFn, categories: dict[str, list[Any]]) -> dict[str, Any]:
    """A one- or two-way count table over the workspace: dimensions, a filter, margins or not."""
    names = draw(st.sampled_from([*([d] for d in DIMENSIONS), *map(list, itertools.permutations(DIMENSIONS, 2))]))
    conditions = []
    if draw(st.booleans()):
        wijken = draw(st.lists(st.sampled_from(categories["wijkcode"]), min_size=1, max_size=8, unique=True))
        conditions.append("wijkcode in (" + ", ".join(f"'{w}'" for w in wijken) + ")")
    if draw(st.booleans()):
        years = categories["geboortedatum"]
        low = draw(st.sampled_from(years))
        high = draw(st.sampled_from([y for y in years if y >= low]))
        conditions.append(f"geboortedatum between {low} and {high}")
    if draw(st.booleans()):
        kinds = draw(st.lists(st.sampled_from(categories["voorziening"]), min_size=1, max_size=3, unique=True))
        conditions.append("voorziening in (" + ", ".join(f"'{v}'" for v in kinds) + ")")
    margins = draw(st.booleans())
    count = draw(st.sampled_from(["n", "aantal"]))
    measure = draw(st.sampled_from(["count(*)", "count(distinct bsn)"]))
    select = ", ".join(f"{DIMENSIONS[d]} as {d}" for d in names)
    where = f" where {' and '.join(conditions)}" if conditions else ""
    grouping = f"{'cube' if len(names) == 2 else 'rollup'} ({', '.join(names)})" if margins else "all"
    return {
        "sql": f"select {select}, {measure} as {count} from {DEMO_WMO}{where} group by {grouping}",
        "dimensions": names,
        "count": count,
        "accept_suppression": draw(st.booleans()),
        "margins": margins,
    }


def recovered_by_sums(cells: dict[tuple[Any, ...], Any], rows: list[Any], cols: list[Any]) -> dict[tuple, int]:
    """What a reader gets back from a published two-way table with margins by row and column sums
    alone: repeat, for every row, column and margin line with exactly one unknown cell, solve it.
    A combination the table lacks is a zero (GROUP BY leaves out empty cells)."""
    known = {k: v for k, v in cells.items() if v is not None}
    known |= {(r, c): 0 for r in rows for c in cols if (r, c) not in cells}
    lines = [([(r, c) for c in cols], (r, None)) for r in rows] + [([(r, c) for r in rows], (None, c)) for c in cols]
    lines += [([(None, c) for c in cols], (None, None)), ([(r, None) for r in rows], (None, None))]
    found: dict[tuple, int] = {}
    progress = True
    while progress:
        progress = False
        for members, total in lines:
            unknown = [k for k in [*members, total] if k not in known]
            if len(unknown) != 1:
                continue
            [key] = unknown
            others = sum(known[k] for k in members if k != key)
            known[key] = others if key == total else known[total] - others
            found[key] = known[key]
            progress = True
    return found


def fixed_by_the_lines(cells: dict[tuple[Any, ...], Any], rows: list[Any], cols: list[Any]) -> list[tuple]:
    """Suppressed cells whose value any linear combination of the table's sums fixes (numpy rank)."""
    unknown = [k for k, v in cells.items() if v is None]
    if not unknown:
        return []
    index = {k: i for i, k in enumerate(unknown)}
    lines = [([(r, c) for c in cols], (r, None)) for r in rows] + [([(r, c) for r in rows], (None, c)) for c in cols]
    lines += [([(None, c) for c in cols], (None, None)), ([(r, None) for r in rows], (None, None))]
    matrix = []
    for members, total in lines:
        row = np.zeros(len(unknown))
        for k in members:
            if k in index:
                row[index[k]] += 1
        if total in index:
            row[index[total]] -= 1
        if row.any():
            matrix.append(row)
    a = np.array(matrix) if matrix else np.zeros((0, len(unknown)))
    rank = np.linalg.matrix_rank(a) if len(a) else 0
    return [k for k, i in index.items() if np.linalg.matrix_rank(np.vstack([a, np.eye(len(unknown))[i]])) == rank]


PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(data=st.data(), threshold=st.sampled_from(THRESHOLDS), who=st.sampled_from([0, 1]))
def test_property_exports_leak_no_small_cell_and_no_bsn(
    desks: dict[int, Desk], categories: dict[str, list[Any]], data: st.DataObject, threshold: int, who: int
) -> None:
    desk = desks[threshold]
    table = data.draw(count_tables(categories))
    dims, count = table["dimensions"], table["count"]
    truth_response = desk.query(table["sql"])
    assert truth_response.status_code == 200, truth_response.text
    truth = {tuple(row[:-1]): row[-1] for row in truth_response.json()["rows"]}
    body = {k: table[k] for k in ("sql", "dimensions", "count", "accept_suppression")}
    response = desk.export(body, who)

    # no BSN of the source register in either response
    assert not source_bsns_in(truth_response.text) and not source_bsns_in(response.text)

    small = {k: n for k, n in truth.items() if 0 < n < threshold}
    shape = f"{len(dims)}-way{' with margins' if table['margins'] else ''}"
    event(f"{shape}: {response.status_code}, small cells: {bool(small)}")  # --hypothesis-show-statistics
    if response.status_code == 409:
        problem = response.json()
        assert set(problem) == {"type", "title", "status", "detail", "instance", "decision", "cells"}  # no table
        assert problem["decision"] == "blocked"
        # blocked only for a reason: a small cell, or (accepted suppression) one that cannot be protected
        assert small, problem["detail"]
        if table["accept_suppression"]:
            assert "cannot be protected" in problem["detail"]
        else:
            assert problem["detail"].startswith("blocked: ")
        return
    assert response.status_code == 200, response.text
    released = response.json()
    assert released["threshold"] == threshold and released["columns"] == [*dims, count, "suppressed"]
    assert not small or table["accept_suppression"]  # small cells leave only as suppressed ones
    cells = {tuple(r[d] for d in dims): r for r in released["rows"]}
    assert set(truth) <= set(cells)
    for key, row in cells.items():
        if row["suppressed"]:
            assert row[count] is None  # its value is withheld
        else:
            assert row[count] == truth.get(key, 0)  # published as counted
            assert row[count] == 0 or row[count] >= threshold
    assert all(cells[k]["suppressed"] == "primary" for k in small)
    assert all(cells[k]["suppressed"] in {None, "secondary"} for k in set(cells) - set(small))

    hidden = [k for k, r in cells.items() if r["suppressed"]]
    if len(dims) == 1:
        assert len(hidden) != 1  # one suppressed category would follow from the (known) total
    elif table["margins"]:
        rows = sorted({k[0] for k in truth if k[0] is not None}, key=str)
        cols = sorted({k[1] for k in truth if k[1] is not None}, key=str)
        published = {k: r[count] for k, r in cells.items()}
        assert not recovered_by_sums(published, rows, cols), "a suppressed cell follows from the row/column sums"
        assert fixed_by_the_lines(published, rows, cols) == []


@settings(max_examples=25, deadline=None)
@given(
    columns=st.lists(st.sampled_from(["bsn", "geboortedatum", "wijkcode", "voorziening", "*"]), min_size=1, max_size=3),
    order=st.sampled_from(["bsn", "geboortedatum desc", "wijkcode, bsn", "random()"]),
    limit=st.integers(1, 2_000),
)
def test_property_queries_show_pseudonyms_never_a_bsn(
    desks: dict[int, Desk], columns: list[str], order: str, limit: int
) -> None:
    response = desks[10].query(f"select {', '.join(columns)} from {DEMO_WMO} order by {order}", limit=limit)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == limit
    assert not source_bsns_in(response.text)
    for i, name in enumerate(body["columns"]):
        if name == "bsn":
            assert all(re.fullmatch(r"[0-9a-f]{32}", row[i]) for row in body["rows"])


def test_a_magnitude_export_sums_cells_and_never_returns_the_contributor(
    client: TestClient, demo_platform: Platform
) -> None:
    """Sums of each client's age per wijk, from one row per client: the p% rule and at least
    threshold contributors per cell; the contributor (a pseudonym) never leaves."""
    ana = bearer(demo_platform, "ana")
    body = {
        "sql": f"select wijkcode, bsn, 2019 - geboortedatum as leeftijd from {DEMO_WMO}",
        "dimensions": ["wijkcode"],
        "count": "leeftijd",
        "magnitude": True,
        "contributor": "bsn",
        "accept_suppression": True,
    }
    response = client.post(f"{API}/opgaven/1/workspace/export", json=body, headers=ana)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["rule"].startswith("p% rule") and result["columns"] == ["wijkcode", "leeftijd", "suppressed"]
    assert all(set(row) == {"wijkcode", "leeftijd", "suppressed"} for row in result["rows"])
    assert not SOURCE_BSNS & {str(v) for row in result["rows"] for v in row.values()}
