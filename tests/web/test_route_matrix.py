"""The authorisation matrix over every route: each role x each route x each classification.

Every route of the app must be listed in ``ROUTES`` with what it is judged on, so a new route
cannot escape the matrix (``test_every_route_is_in_the_matrix``). For each persona, route and
dataset classification, the test makes the real request (portal: a real session cookie; API: a
real bearer token with every scope) and checks the answer against the access policy's decision:
the route must do exactly what the policy says. It also checks that a decision on a non-public
dataset left an entry in the audit log, and spot-checks a few outcomes that do not lean on the
policy at all.

The datasets are four copies of the real CBS KWB 2019 gemeente table, one per classification,
registered under test contracts that differ only in id and classification.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.core.access import Action, Actor, Level, Role
from stadsdata.core.policy import AccessPolicy
from stadsdata.governance.catalog_access import record_resource
from stadsdata.platform import DEMO_PASSWORD, Platform
from stadsdata.web import create_app
from tests.conftest import make_settings

CLASSIFICATIONS = ("openbaar", "intern", "vertrouwelijk", "geheim")
SOURCE = "cbs_kwb_2019_gemeenten"
DIENST = "Dienst Onderwijs, Cultuur en Welzijn (OCW)"  # the demo data officer dora's dienst
PASSWORD = DEMO_PASSWORD + "-matrix"


def matrix_id(classification: str) -> str:
    return f"matrix_{classification}"


# persona -> (user, roles on every matrix dataset, data grant level on every matrix dataset)
PERSONAS: dict[str, tuple[str | None, list[tuple[Role, str | None]], str | None]] = {
    "anonymous": (None, [], None),
    "platform_admin": ("adam", [], None),  # demo user
    "governance_board": ("bart", [], None),  # demo user
    "data_officer": ("dora", [], None),  # demo user, officer of DIENST
    "officer_other_dienst": ("dirk", [(Role.data_officer, "Stadsbeheer (DSO)")], None),
    "data_owner": ("mo", [(Role.data_owner, "*")], None),
    "data_steward": ("sam", [(Role.data_steward, "*")], None),
    "analyst": ("eva", [(Role.analyst, None)], None),
    "analyst_read_grant": ("gwen", [(Role.analyst, None)], "read"),
    "analyst_pseudonymised_grant": ("pia", [(Role.analyst, None)], "pseudonymised"),
}


@dataclass
class Matrix:
    platform: Platform
    client: TestClient
    actors: dict[str, Actor]
    cookies: dict[str, str]
    tokens: dict[str, str]

    def headers(self, persona: str, kind: str) -> dict[str, str]:
        if persona == "anonymous":
            return {"accept": "text/html"} if kind == "portal" else {}
        if kind == "portal":
            return {"accept": "text/html", "cookie": f"stadsdata_session={self.cookies[persona]}"}
        return {"authorization": f"Bearer {self.tokens[persona]}"}


@pytest.fixture(scope="module")
def matrix(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    home = tmp_path_factory.mktemp("matrix") / "home"
    shutil.copytree(demo_template, home)
    contracts = tmp_path_factory.mktemp("matrix-contracts")
    with Platform(make_settings(home)) as platform:
        base = yaml.safe_load(demo.contract_path(SOURCE).read_text(encoding="utf-8"))
        for classification in CLASSIFICATIONS:
            data = dict(base, id=matrix_id(classification), classification=classification, owner_dienst=DIENST)
            file = contracts / f"{matrix_id(classification)}.yaml"
            file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
            platform.register(file)
            platform.ingest(demo.data_path(SOURCE), matrix_id(classification))
        identity = platform.identity
        for _persona, (user, roles, grant) in PERSONAS.items():
            if user is None or not identity.unknown_users([user]):
                continue
            identity.add_user(user, display_name=user.title(), password=PASSWORD, dienst=DIENST, by="matrix")
            for role, scope in roles:
                scopes = [matrix_id(c) for c in CLASSIFICATIONS] if scope == "*" else [scope]
                for one in scopes:
                    identity.assign_role(user, role, one, by="matrix")
            for classification in CLASSIFICATIONS if grant else ():
                identity.add_grant(user, matrix_id(classification), grant, reason="authorisation matrix", by="adam")
        actors, cookies, tokens = {}, {}, {}
        for persona, (user, _roles, _grant) in PERSONAS.items():
            if user is None:
                actors[persona] = Actor.anonymous()
                continue
            password = DEMO_PASSWORD if user in ("adam", "bart", "dora") else PASSWORD
            actors[persona] = identity.actor_for(user)
            cookies[persona] = identity.start_session(user, password)[0]
            tokens[persona] = identity.create_token(user, "matrix", [a.value for a in Action], by=user).secret
        with TestClient(create_app(platform)) as client:
            yield Matrix(platform, client, actors, cookies, tokens)


# -- the routes --------------------------------------------------------------------------------
def expect_listing(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    visible = _decision(m, persona, Action.view_metadata, dataset_id).allowed
    assert response.status_code == 200
    if kind == "api":
        assert (dataset_id in [d["id"] for d in response.json()["datasets"]]) is visible
    else:
        assert (f"/datasets/{dataset_id}\"" in response.text) is visible


def expect_metadata(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    visible = _decision(m, persona, Action.view_metadata, dataset_id).allowed
    assert response.status_code == (200 if visible else 404), response.text[:300]
    if visible and kind == "portal":
        data = _decision(m, persona, Action.read_data, dataset_id)
        full = data.allowed and all(level == Level.read for level in data.columns.values())
        assert ("data-refused" in response.text) is (not full)


def expect_rows(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    visible = _decision(m, persona, Action.view_metadata, dataset_id).allowed
    data = _decision(m, persona, Action.read_data, dataset_id)
    full = data.allowed and all(level == Level.read for level in data.columns.values())
    expected = 404 if not visible else (200 if full else 403)
    assert response.status_code == expected, response.text[:300]


def expect_open_only(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    """DCAT describes open data only, whoever asks: it is what data.overheid.nl harvests."""
    assert response.status_code == 200
    assert (f"/datasets/{dataset_id}" in response.text) is dataset_id.endswith("_openbaar")


def expect_ok(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    assert response.status_code == 200


def expect_see_other(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    assert response.status_code == 303 and response.headers["location"].endswith("/catalog.ttl")


@dataclass(frozen=True)
class RouteCase:
    kind: str  # portal or api (how the persona authenticates)
    url: str  # with {id} for the dataset
    check: Any


#: (method, path) -> how the matrix exercises it; None: covered elsewhere (named there).
ROUTES: dict[tuple[str, str], RouteCase | str] = {
    ("GET", "/"): RouteCase("portal", "/", expect_listing),
    ("GET", "/datasets"): RouteCase("portal", "/datasets", expect_listing),
    ("GET", "/datasets/{dataset_id}"): RouteCase("portal", "/datasets/{id}", expect_metadata),
    ("GET", "/datasets/{dataset_id}/versions/{number}"): RouteCase(
        "portal", "/datasets/{id}/versions/1", expect_metadata
    ),
    ("GET", "/api/v1/datasets"): RouteCase("api", "/api/v1/datasets?limit=100", expect_listing),
    ("GET", "/api/v1/datasets/{dataset_id}"): RouteCase("api", "/api/v1/datasets/{id}", expect_metadata),
    ("GET", "/api/v1/datasets/{dataset_id}/profile"): RouteCase(
        "api", "/api/v1/datasets/{id}/profile", expect_metadata
    ),
    ("GET", "/api/v1/datasets/{dataset_id}/rows"): RouteCase("api", "/api/v1/datasets/{id}/rows?limit=1", expect_rows),
    ("GET", "/catalog.ttl"): RouteCase("api", "/catalog.ttl", expect_open_only),
    ("GET", "/catalog.jsonld"): RouteCase("api", "/catalog.jsonld", expect_open_only),
    ("GET", "/catalog"): RouteCase("api", "/catalog", expect_see_other),
    ("GET", "/api/v1/openapi.json"): RouteCase("api", "/api/v1/openapi.json", expect_ok),
    ("GET", "/api/v1/docs"): RouteCase("api", "/api/v1/docs", expect_ok),
    ("GET", "/docs/oauth2-redirect"): RouteCase("api", "/docs/oauth2-redirect", expect_ok),
    ("GET", "/login"): RouteCase("portal", "/login", expect_ok),
    ("POST", "/login"): "tests/web/test_login.py (wrong password, missing form token, next)",
    ("POST", "/logout"): "tests/web/test_login.py (needs the session's CSRF token)",
}


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, through included routers (static files aside)."""
    found: list[tuple[str, str]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif hasattr(route, "methods") and route.methods:
                found.extend((method, route.path) for method in sorted(route.methods) if method != "HEAD")

    walk(app.routes)
    return found


def test_every_route_is_in_the_matrix(matrix: Matrix, capsys: pytest.CaptureFixture[str]) -> None:
    routes = app_routes(matrix.client.app)  # type: ignore[arg-type]
    missing = [r for r in routes if r not in ROUTES]
    assert not missing, f"routes the authorisation matrix does not cover: {missing}"
    stale = [r for r in ROUTES if r not in routes]
    assert not stale, f"the matrix lists routes the app does not have: {stale}"
    with capsys.disabled():
        exercised = sum(1 for case in ROUTES.values() if isinstance(case, RouteCase))
        print(
            f"\nauthorisation matrix (routes): {len(CASES)} cases over {exercised} routes x "
            f"{len(PERSONAS)} personas x {len(CLASSIFICATIONS)} classifications "
            f"({len(routes)} routes in the app, {len(routes) - exercised} covered by their own tests)"
        )


CASES = [
    (route, persona, classification)
    for route, case in ROUTES.items()
    if isinstance(case, RouteCase)
    for persona in PERSONAS
    for classification in CLASSIFICATIONS
]


def _decision(m: Matrix, persona: str, action: Action, dataset_id: str) -> Any:
    record = m.platform.metastore.get_dataset(dataset_id)
    return AccessPolicy().can(m.actors[persona], action, record_resource(record))


@pytest.mark.parametrize(("route", "persona", "classification"), CASES, ids=lambda v: str(v))
def test_the_route_does_what_the_policy_says(
    matrix: Matrix, route: tuple[str, str], persona: str, classification: str
) -> None:
    case = ROUTES[route]
    assert isinstance(case, RouteCase)
    dataset_id = matrix_id(classification)
    before = matrix.platform.audit.list(limit=1)[0].seq
    response = matrix.client.request(
        route[0], case.url.format(id=dataset_id), headers=matrix.headers(persona, case.kind), follow_redirects=False
    )
    case.check(matrix, persona, dataset_id, response, case.kind)
    if classification != "openbaar" and case.check in (expect_metadata, expect_rows):
        after = matrix.platform.audit.list(limit=1)[0].seq
        assert after > before, "a decision on non-public data must be audited"


# -- spot checks that do not lean on the policy ------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "classification", "status"),
    [
        ("anonymous", "intern", 404),
        ("analyst", "intern", 403),  # staff see intern metadata, not its rows without a grant
        ("analyst", "geheim", 404),
        ("analyst_read_grant", "vertrouwelijk", 200),
        ("analyst_pseudonymised_grant", "vertrouwelijk", 403),
        ("platform_admin", "vertrouwelijk", 403),  # even the admin needs a grant for rows
        ("data_owner", "geheim", 200),
        ("officer_other_dienst", "geheim", 404),
    ],
)
def test_spot_checks_on_rows(matrix: Matrix, persona: str, classification: str, status: int) -> None:
    response = matrix.client.get(
        f"/api/v1/datasets/{matrix_id(classification)}/rows?limit=1", headers=matrix.headers(persona, "api")
    )
    assert response.status_code == status, response.text[:300]
