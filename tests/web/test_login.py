"""Logging in to the portal, CSRF, what staff see, and API bearer tokens, over the real demo data."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient

from stadsdata.platform import DEMO_PASSWORD, DEMO_WMO, Platform

HTML = {"accept": "text/html"}


def login_form_token(client: TestClient) -> str:
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "the login form carries a CSRF token"
    return match.group(1)


def log_in(client: TestClient, user: str, password: str = DEMO_PASSWORD, next_: str = "/") -> None:
    token = login_form_token(client)
    response = client.post(
        "/login",
        data={"user": user, "password": password, "csrf_token": token, "next": next_},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:400]


def page_csrf(client: TestClient, path: str = "/") -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path, headers=HTML).text)
    assert match
    return match.group(1)


def test_the_public_does_not_see_the_confidential_register(client: TestClient) -> None:
    assert DEMO_WMO not in client.get("/datasets", headers=HTML).text
    assert client.get(f"/datasets/{DEMO_WMO}", headers=HTML).status_code == 404
    assert DEMO_WMO not in client.get("/api/v1/datasets").text


def test_a_wrong_password_is_refused_and_starts_no_session(client: TestClient) -> None:
    token = login_form_token(client)
    response = client.post(
        "/login", data={"user": "ana", "password": "wrong-password!", "csrf_token": token}, headers=HTML
    )
    assert response.status_code == 401
    assert "Onbekende gebruiker of verkeerd wachtwoord" in response.text
    assert "stadsdata_session" not in client.cookies
    assert DEMO_WMO not in client.get("/datasets", headers=HTML).text


def test_a_login_without_the_forms_token_is_refused(client: TestClient) -> None:
    client.get("/login", headers=HTML)
    response = client.post("/login", data={"user": "ana", "password": DEMO_PASSWORD}, headers=HTML)
    assert response.status_code == 403
    assert "stadsdata_session" not in client.cookies


def test_staff_see_the_metadata_and_only_the_owner_sees_rows(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "gert")  # an analyst in the demo opgave: metadata yes, rows only in its workspace
    assert DEMO_WMO in client.get("/datasets", headers=HTML).text
    page = client.get(f"/datasets/{DEMO_WMO}", headers=HTML)
    assert page.status_code == 200
    assert "alleen zichtbaar voor medewerkers" in page.text
    assert "De gegevens zelf zijn niet vrij beschikbaar" in page.text
    assert "999" not in re.sub(r"<[^>]+>", " ", page.text.split('id="preview"')[1])  # no BSN in the page
    assert page.headers["cache-control"] == "private, no-store"
    entries = demo_platform.audit.list(limit=20)
    reads = [
        e for e in entries if e.actor == "gert" and e.resource == f"dataset:{DEMO_WMO}" and e.action == "read_data"
    ]
    assert reads and reads[0].detail["columns"]["bsn"] == "pseudonymised"  # the decision, audited

    client.cookies.clear()
    log_in(client, "olga")  # the data owner reads the rows
    page = client.get(f"/datasets/{DEMO_WMO}", headers=HTML)
    assert "De gegevens zelf zijn niet vrij beschikbaar" not in page.text
    assert re.search(r"\b999\d{6}\b", page.text), "the owner's preview shows the register's rows"


def test_logging_out_needs_the_sessions_csrf_token(client: TestClient) -> None:
    log_in(client, "ana")
    refused = client.post("/logout", data={}, headers=HTML)
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert DEMO_WMO in client.get("/datasets", headers=HTML).text  # still logged in: nothing changed
    client.post("/logout", data={"csrf_token": page_csrf(client)}, headers=HTML)
    assert DEMO_WMO not in client.get("/datasets", headers=HTML).text


def test_next_after_login_stays_on_this_site(client: TestClient) -> None:
    token = login_form_token(client)
    response = client.post(
        "/login",
        data={"user": "ana", "password": DEMO_PASSWORD, "csrf_token": token, "next": "//evil.example/x"},
        headers=HTML,
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


# -- API tokens ----------------------------------------------------------------------------------
def test_a_token_shows_staff_metadata_and_refuses_rows_without_read_access(
    client: TestClient, demo_platform: Platform
) -> None:
    issued = demo_platform.identity.create_token("gert", "notebook", ["view_metadata", "read_data"], by="gert")
    bearer = {"authorization": f"Bearer {issued.secret}"}
    listing = client.get("/api/v1/datasets", headers=bearer).json()
    assert DEMO_WMO in [d["id"] for d in listing["datasets"]]
    assert client.get(f"/api/v1/datasets/{DEMO_WMO}", headers=bearer).status_code == 200
    rows = client.get(f"/api/v1/datasets/{DEMO_WMO}/rows", headers=bearer)
    assert rows.status_code == 403
    assert "pseudonymised" in rows.json()["detail"] or "grant" in rows.json()["detail"]
    # open data stays open with the token
    assert client.get("/api/v1/datasets/cbs_kwb_2019_den_haag/rows?limit=1", headers=bearer).status_code == 200


def test_the_owners_token_reads_rows_privately(client: TestClient, demo_platform: Platform) -> None:
    issued = demo_platform.identity.create_token("olga", "export", ["view_metadata", "read_data"], by="olga")
    rows = client.get(f"/api/v1/datasets/{DEMO_WMO}/rows?limit=2", headers={"authorization": f"Bearer {issued.secret}"})
    assert rows.status_code == 200 and len(rows.json()["rows"]) == 2
    assert rows.headers["cache-control"] == "private, no-store"


def test_expired_revoked_and_malformed_tokens_are_401s(client: TestClient, demo_platform: Platform) -> None:
    revoked = demo_platform.identity.create_token("olga", "old", ["view_metadata"], by="olga")
    demo_platform.identity.revoke_token(revoked.token.id, by="olga")
    expired = demo_platform.identity.create_token("olga", "short", ["view_metadata"], days=1, by="olga")
    demo_platform.identity.clock = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    for header, words in (
        (f"Bearer {revoked.secret}", "token revoked on"),
        (f"Bearer {expired.secret}", "token expired on"),
        ("Bearer sd_nonsense", "unknown token"),
        ("Basic b2xnYTp4", "Bearer <token>"),
    ):
        response = client.get("/api/v1/datasets", headers={"authorization": header})
        assert response.status_code == 401, header
        assert words in response.json()["detail"]
        assert response.headers["www-authenticate"].startswith("Bearer")
