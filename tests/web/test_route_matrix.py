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

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
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
from stadsdata.governance.opgaven import ColumnRequest, OpgaveRequest, opgave_resource
from stadsdata.platform import DEMO_PASSWORD, DEMO_WMO, Platform
from stadsdata.web import create_app
from tests.conftest import make_settings

CLASSIFICATIONS = ("openbaar", "intern", "vertrouwelijk", "geheim")
APPROVED, REQUESTED, SHOP = 1, 3, 1  # demo opgave 1 (approved, with workspace); opgave 3 and request 1 made here
SOURCE = "cbs_kwb_2019_gemeenten"
DIENST = "Dienst Onderwijs, Cultuur en Welzijn (OCW)"  # the demo data officer dora's dienst
PASSWORD = DEMO_PASSWORD + "-matrix"
ALGORITHM = "gemeente-den-haag-algoritme-datakwaliteit"  # an entry of the real 2022 register in the demo


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
    # the demo opgave 1 on the SYNTHETIC Wmo register: its requester, its member, the register's owner
    "opgave_requester": ("ana", [], None),
    "opgave_member": ("gert", [], None),
    "wmo_owner": ("olga", [], None),
}
DEMO_USERS = {"ana", "gert", "olga", "dora", "bart", "adam"}


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
        ana = identity.actor_for("ana")
        requested = platform.opgaven.request(
            ana,
            OpgaveRequest(
                title="Wmo per wijk (matrix)",
                purpose="Een opgave die wacht op het besluit van de eigenaar, voor de matrix.",
                legal_ground="e",
                legal_basis="Wmo 2015, art. 2.1.2",
                dpia_reference="DPIA-MATRIX",
                dpia_status="afgerond",
                end_date=dt.date.today() + dt.timedelta(days=60),
                columns=[ColumnRequest(DEMO_WMO, "wijkcode", "De eenheid van de analyse: de wijk.")],
            ),
        )
        assert requested.id == REQUESTED
        shop = platform.datashop.file(
            ana,
            question="Hoeveel Wmo-cliënten wonen er per wijk?",
            purpose="Voor de begroting van het sociaal domein.",
            deadline=dt.date.today() + dt.timedelta(days=30),
            dienst=DIENST,
        )
        assert shop.id == SHOP
        actors, cookies, tokens = {}, {}, {}
        for persona, (user, _roles, _grant) in PERSONAS.items():
            if user is None:
                actors[persona] = Actor.anonymous()
                continue
            password = DEMO_PASSWORD if user in DEMO_USERS else PASSWORD
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
        assert (f'/datasets/{dataset_id}"' in response.text) is visible


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


def expect_reports(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    """The reports dashboard (issue #10) needs the rows; the matrix datasets are not of the reports
    type, so one the visitor may read gets the 422 saying so, any other is not there (404)."""
    visible = _decision(m, persona, Action.view_metadata, dataset_id).allowed
    data = _decision(m, persona, Action.read_data, dataset_id)
    full = data.allowed and all(level == Level.read for level in data.columns.values())
    assert response.status_code == (422 if visible and full else 404), response.text[:300]


def expect_reports_api(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    """As the rows: 404 when not visible, 403 when the rows are not readable; a reader gets the 422
    that the matrix dataset is not of the reports type."""
    visible = _decision(m, persona, Action.view_metadata, dataset_id).allowed
    data = _decision(m, persona, Action.read_data, dataset_id)
    full = data.allowed and all(level == Level.read for level in data.columns.values())
    assert response.status_code == (404 if not visible else 422 if full else 403), response.text[:300]


def expect_reports_list(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    assert response.status_code == 200
    assert [d["id"] for d in response.json()["datasets"]] == ["meldingen_assen_signalen_2026"]


def expect_reports_index(m: Matrix, persona: str, dataset_id: str, response: Any, kind: str) -> None:
    """Everyone may read the one reports dataset of the demo (open data): straight to it."""
    assert response.status_code == 303 and response.headers["location"] == "/meldingen/meldingen_assen_signalen_2026"


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
    ("GET", "/inbox/{notice_id:int}"): "tests/web/test_governance_pages.py (a notice: whoever may release)",
    # the algorithm register: public to read, for everyone alike (editing is in GOV_ROUTES)
    ("GET", "/algoritmes"): RouteCase("portal", "/algoritmes", expect_ok),
    ("GET", "/algoritmes/{algorithm_id}"): RouteCase("portal", f"/algoritmes/{ALGORITHM}", expect_ok),
    ("GET", "/api/v1/algorithms"): RouteCase("api", "/api/v1/algorithms", expect_ok),
    ("GET", "/api/v1/algorithms/{algorithm_id}"): RouteCase("api", f"/api/v1/algorithms/{ALGORITHM}", expect_ok),
    ("GET", "/api/v1/algorithms/{algorithm_id}/history"): RouteCase(
        "api", f"/api/v1/algorithms/{ALGORITHM}/history", expect_ok
    ),
    ("GET", "/api/v1/algorithms/export"): RouteCase("api", "/api/v1/algorithms/export?format=csv", expect_ok),
    # the indicators (issue #6): public pages, downloads, embeds and API, for everyone alike
    ("GET", "/indicatoren"): RouteCase("portal", "/indicatoren", expect_ok),
    ("GET", "/indicatoren/thema/{theme_id}"): RouteCase("portal", "/indicatoren/thema/zorg_en_welzijn", expect_ok),
    ("GET", "/indicatoren/product/{product_id}"): RouteCase("portal", "/indicatoren/product/sociaal_domein", expect_ok),
    ("GET", "/indicatoren/monitor/{monitor_id}"): RouteCase(
        "portal", "/indicatoren/monitor/wmo_monitor_den_haag", expect_ok
    ),
    ("GET", "/indicatoren/regio/{code}"): RouteCase("portal", "/indicatoren/regio/GM0518", expect_ok),
    ("GET", "/indicatoren/vergelijk"): RouteCase("portal", "/indicatoren/vergelijk?regio=GM0518", expect_ok),
    ("GET", "/indicatoren/{indicator_id}"): RouteCase(
        "portal", "/indicatoren/wmo_clienten_per_1000?niveau=wijk", expect_ok
    ),
    ("GET", "/indicatoren/download/{name}"): RouteCase(
        "portal", "/indicatoren/download/vergelijking.csv?regio=GM0518", expect_ok
    ),
    ("GET", "/embed/{kind}"): RouteCase(
        "portal", "/embed/kaart?indicator=wmo_clienten_per_1000&niveau=wijk&gemeente=GM0518", expect_ok
    ),
    # the Wmo forecast (issue #8): public, like the indicators (without wmo_prognose: the notice, 200)
    ("GET", "/indicatoren/wmo-prognose"): RouteCase("portal", "/indicatoren/wmo-prognose", expect_ok),
    # the reports dashboard (issue #10): the rows of a reports dataset, as the policy allows
    ("GET", "/meldingen"): RouteCase("portal", "/meldingen", expect_reports_index),
    ("GET", "/meldingen/{dataset_id}"): RouteCase("portal", "/meldingen/{id}", expect_reports),
    ("GET", "/meldingen/{dataset_id}/download/{name}"): RouteCase(
        "portal", "/meldingen/{id}/download/wijken.csv", expect_reports
    ),
    ("GET", "/api/v1/meldingen"): RouteCase("api", "/api/v1/meldingen", expect_reports_list),
    ("GET", "/api/v1/meldingen/{dataset_id}"): RouteCase("api", "/api/v1/meldingen/{id}", expect_reports_api),
    # the traffic-risk page (issue #10): open model output, public (without verkeer_hotspots: the notice, 200)
    ("GET", "/verkeer"): RouteCase("portal", "/verkeer", expect_ok),
    ("GET", "/verkeer/{gemeente}"): RouteCase("portal", "/verkeer/GM0344", expect_ok),
    ("GET", "/verkeer/{gemeente}/download/{name}"): "tests/web/test_verkeer_pages.py (CSV of verkeer_hotspots, an "
    "open dataset, for everyone alike; 404 before `stadsdata models verkeer hotspots`)",
    ("GET", "/indicatoren/wmo-prognose/download/{name}"): "tests/web/test_wmo_pages.py (CSV of wmo_prognose, an "
    "open dataset, for everyone alike; 404 before `stadsdata models wmo train`)",
    ("GET", "/api/v1/indicators"): RouteCase("api", "/api/v1/indicators", expect_ok),
    ("GET", "/api/v1/indicators/{indicator_id}"): RouteCase(
        "api", "/api/v1/indicators/wmo_clienten_per_1000", expect_ok
    ),
    ("GET", "/api/v1/indicators/{indicator_id}/values"): RouteCase(
        "api", "/api/v1/indicators/wmo_clienten_per_1000/values?region=GM0518", expect_ok
    ),
    ("PUT", "/api/v1/algorithms/{algorithm_id}"): "tests/web/test_register_api.py (401 without a token, the "
    "policy's 403 for an analyst, 422 for an invalid entry, 200 and a new version for a data officer)",
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
    missing = [r for r in routes if r not in ROUTES and r not in GOV_ROUTES]
    assert not missing, f"routes the authorisation matrix does not cover: {missing}"
    stale = [r for r in (*ROUTES, *GOV_ROUTES) if r not in routes]
    assert not stale, f"the matrix lists routes the app does not have: {stale}"
    with capsys.disabled():
        exercised = sum(1 for case in ROUTES.values() if isinstance(case, RouteCase))
        print(
            f"\nauthorisation matrix (routes): {len(CASES) + len(GOV_CASES)} cases: {len(CASES)} over "
            f"{exercised} dataset and page routes x {len(PERSONAS)} personas x {len(CLASSIFICATIONS)} "
            f"classifications, and {len(GOV_CASES)} over {len(GOV_ROUTES)} governance routes x {len(PERSONAS)} "
            f"personas ({len(routes)} routes in the app; "
            f"{len(routes) - exercised - len(GOV_ROUTES)} covered by their own tests)"
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


# -- the governance routes: every persona, judged on the demo opgaven and Datashop request -----
WMO_COUNT = f"select count(*) as n from {DEMO_WMO}"
WMO_TABLE = f"select wijkcode, count(*) as n from {DEMO_WMO} group by all"
BAD_OPGAVE = {  # complete, but its purpose is too short: an allowed caller gets the area's 422
    "title": "Matrix",
    "purpose": "kort",
    "legal_ground": "e",
    "legal_basis": "Wmo 2015, art. 2.1.2",
    "dpia_reference": "DPIA-MATRIX",
    "dpia_status": "afgerond",
    "end_date": "2027-01-31",
    "columns": [{"dataset": DEMO_WMO, "column": "wijkcode", "reason": "De eenheid van de analyse."}],
}
BAD_ALGORITHM = {"fields": {"name": "Matrix"}}  # organisation, status, ... missing: the area's 422
BAD_SHOP = {"question": "kort", "purpose": "kort", "deadline": "2027-01-31", "dienst": DIENST}


@dataclass(frozen=True)
class GovCase:
    """A governance route: allowed when the policy allows ``action`` on ``target`` (None: any
    staff member), and then answers ``allowed``; otherwise ``denied``. ``body``: JSON for the API,
    form fields for the portal (the session's CSRF token is added). Invalid bodies make an allowed
    call stop at the area's own check (422) after the policy said yes, so nothing changes."""

    kind: str
    method: str
    url: str
    action: Action | None
    target: str | None  # "approved", "requested", or None
    allowed: int
    denied: int
    body: dict[str, Any] | None = None
    hidden: int | None = None  # the answer when the caller may not even see the opgave (view_opgave)


def _api(method: str, url: str, action: Action | None, target: str | None, allowed: int, denied: int, body=None):  # type: ignore[no-untyped-def]
    return GovCase("api", method, url, action, target, allowed, denied, body)


def _portal(method: str, url: str, action: Action | None, target: str | None, allowed: int, denied: int, body=None):  # type: ignore[no-untyped-def]
    return GovCase("portal", method, url, action, target, allowed, denied, body)


GOV_ROUTES: dict[tuple[str, str], GovCase] = {
    ("GET", "/api/v1/me"): _api("GET", "/api/v1/me", None, None, 200, 401),
    ("GET", "/api/v1/opgaven"): _api("GET", "/api/v1/opgaven", None, None, 200, 401),
    ("POST", "/api/v1/opgaven"): _api("POST", "/api/v1/opgaven", Action.request_opgave, None, 422, 403, BAD_OPGAVE),
    ("GET", "/api/v1/opgaven/{opgave_id}"): _api(
        "GET", f"/api/v1/opgaven/{APPROVED}", Action.view_opgave, "approved", 200, 404
    ),
    ("POST", "/api/v1/opgaven/{opgave_id}/decisions"): _api(
        "POST",
        f"/api/v1/opgaven/{REQUESTED}/decisions",
        Action.approve_opgave,
        "requested",
        422,
        403,
        {"dataset": DEMO_WMO, "approve": True, "reason": "kort"},
    ),
    ("POST", "/api/v1/opgaven/{opgave_id}/close"): _api(
        "POST", f"/api/v1/opgaven/{REQUESTED}/close", Action.close_opgave, "requested", 422, 403
    ),
    ("POST", "/api/v1/opgaven/{opgave_id}/workspace/query"): _api(
        "POST",
        f"/api/v1/opgaven/{APPROVED}/workspace/query",
        Action.use_workspace,
        "approved",
        200,
        403,
        {"sql": WMO_COUNT},
    ),
    ("POST", "/api/v1/opgaven/{opgave_id}/workspace/export"): _api(
        "POST",
        f"/api/v1/opgaven/{APPROVED}/workspace/export",
        Action.export_result,
        "approved",
        200,
        403,
        {"sql": WMO_TABLE, "dimensions": ["wijkcode"], "accept_suppression": True},
    ),
    ("GET", "/api/v1/datashop"): _api("GET", "/api/v1/datashop", None, None, 200, 401),
    ("POST", "/api/v1/datashop"): _api("POST", "/api/v1/datashop", Action.file_datashop, None, 422, 403, BAD_SHOP),
    ("GET", "/api/v1/datashop/{request_id}"): _api("GET", f"/api/v1/datashop/{SHOP}", "shop", None, 200, 404),
    ("POST", "/api/v1/datashop/{request_id}/triage"): _api(
        "POST",
        f"/api/v1/datashop/{SHOP}/triage",
        Action.triage_datashop,
        None,
        422,
        403,
        {"outcome": "nonsense", "note": "kort"},
    ),
    ("GET", "/api/v1/audit"): _api("GET", "/api/v1/audit", Action.view_audit, None, 200, 403),
    ("GET", "/api/v1/audit/verify"): _api("GET", "/api/v1/audit/verify", Action.view_audit, None, 200, 403),
    ("GET", "/opgaven"): _portal("GET", "/opgaven", None, None, 200, 303),
    ("GET", "/opgaven/new"): _portal("GET", "/opgaven/new", None, None, 200, 303),
    ("POST", "/opgaven/new"): _portal(
        "POST", "/opgaven/new", Action.request_opgave, None, 422, 403, {"title": "Matrix", "purpose": "kort"}
    ),
    ("GET", "/opgaven/{opgave_id:int}"): _portal(
        "GET", f"/opgaven/{APPROVED}", Action.view_opgave, "approved", 200, 404
    ),
    ("POST", "/opgaven/{opgave_id:int}/decide"): _portal(
        "POST",
        f"/opgaven/{REQUESTED}/decide",
        Action.approve_opgave,
        "requested",
        422,
        403,
        {"dataset": DEMO_WMO, "decision": "approve", "reason": "kort"},
    ),
    ("POST", "/opgaven/{opgave_id:int}/close"): _portal(
        "POST", f"/opgaven/{REQUESTED}/close", Action.close_opgave, "requested", 422, 403
    ),
    ("GET", "/opgaven/{opgave_id:int}/workspace"): GovCase(
        "portal", "GET", f"/opgaven/{APPROVED}/workspace", Action.use_workspace, "approved", 200, 403, hidden=404
    ),
    ("POST", "/opgaven/{opgave_id:int}/workspace/query"): _portal(
        "POST", f"/opgaven/{APPROVED}/workspace/query", Action.use_workspace, "approved", 200, 403, {"sql": WMO_COUNT}
    ),
    ("POST", "/opgaven/{opgave_id:int}/workspace/export"): _portal(
        "POST",
        f"/opgaven/{APPROVED}/workspace/export",
        Action.export_result,
        "approved",
        200,
        403,
        {"sql": WMO_TABLE, "dimensions": "wijkcode", "count": "n", "accept_suppression": "yes"},
    ),
    ("GET", "/audit"): _portal("GET", "/audit", Action.view_audit, None, 200, 403),
    ("GET", "/datashop"): _portal("GET", "/datashop", None, None, 200, 303),
    ("POST", "/datashop"): _portal("POST", "/datashop", Action.file_datashop, None, 422, 403, BAD_SHOP),
    ("GET", "/datashop/{request_id:int}"): _portal("GET", f"/datashop/{SHOP}", "shop", None, 200, 403),
    ("POST", "/datashop/{request_id:int}/triage"): _portal(
        "POST",
        f"/datashop/{SHOP}/triage",
        Action.triage_datashop,
        None,
        422,
        403,
        {"outcome": "nonsense", "note": "kort"},
    ),
    ("GET", "/inbox"): _portal("GET", "/inbox", None, None, 200, 303),
    # the algorithm register's editing: edit_register (data officers, the admin); an allowed caller's
    # invalid entry stops at the area's own check (422), so nothing changes
    ("POST", "/api/v1/algorithms"): _api(
        "POST", "/api/v1/algorithms", Action.edit_register, None, 422, 403, BAD_ALGORITHM
    ),
    ("GET", "/algoritmes/new"): _portal("GET", "/algoritmes/new", Action.edit_register, None, 200, 403),
    ("POST", "/algoritmes/new"): _portal(
        "POST", "/algoritmes/new", Action.edit_register, None, 422, 403, {"name": "Matrix"}
    ),
    ("GET", "/algoritmes/{algorithm_id}/edit"): _portal(
        "GET", f"/algoritmes/{ALGORITHM}/edit", Action.edit_register, None, 200, 403
    ),
    ("POST", "/algoritmes/{algorithm_id}/edit"): _portal(
        "POST", f"/algoritmes/{ALGORITHM}/edit", Action.edit_register, None, 422, 403, {"reason": "matrix"}
    ),
}
GOV_CASES = [(route, persona) for route in GOV_ROUTES for persona in PERSONAS]


def _gov_allowed(m: Matrix, case: GovCase, persona: str) -> bool:
    actor = m.actors[persona]
    if not actor.is_staff:
        return False
    if case.action is None:
        return True
    policy = AccessPolicy()
    if case.action == "shop":  # a Datashop request: its requester and the Datashop team
        return actor.user == "ana" or policy.can(actor, Action.triage_datashop).allowed
    if case.target is None:
        return policy.can(actor, case.action).allowed
    opgave = m.platform.opgaven.get(APPROVED if case.target == "approved" else REQUESTED)
    contract = m.platform.opgaven._contract(DEMO_WMO) if case.action == Action.approve_opgave else None
    return policy.can(actor, case.action, opgave_resource(opgave, contract)).allowed


@pytest.mark.parametrize(("route", "persona"), GOV_CASES, ids=lambda v: str(v))
def test_the_governance_route_does_what_the_policy_says(matrix: Matrix, route: tuple[str, str], persona: str) -> None:
    case = GOV_ROUTES[route]
    headers = matrix.headers(persona, case.kind)
    kwargs: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    if case.method == "POST":
        if case.kind == "api":
            kwargs["json"] = case.body or {}
        else:
            csrf = matrix.platform.identity.csrf_token(matrix.cookies[persona]) if persona in matrix.cookies else None
            kwargs["data"] = {**(case.body or {}), "csrf_token": csrf or ""}
    before = matrix.platform.audit.list(limit=1)[0].seq
    response = matrix.client.request(case.method, case.url, **kwargs)
    if not matrix.actors[persona].is_staff:  # anonymous: a login is asked, or a form without session refused
        expected = 401 if case.kind == "api" else (303 if case.method == "GET" else 403)
    elif _gov_allowed(matrix, case, persona):
        expected = case.allowed
    elif case.hidden and not _gov_allowed(matrix, replace(case, action=Action.view_opgave), persona):
        expected = case.hidden
    else:
        expected = case.denied
    assert response.status_code == expected, f"{case.method} {case.url} as {persona}: {response.text[:300]}"
    if expected == 303:
        assert response.headers["location"].startswith("/login?next=")
    if case.target and matrix.actors[persona].is_staff:  # a decision on an opgave of non-public data
        assert matrix.platform.audit.list(limit=1)[0].seq > before, "the decision must be audited"


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
