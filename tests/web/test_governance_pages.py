"""The staff pages of the portal (opgaven, workspace, audit log, Datashop, inbox) over the real demo.

Each page in Dutch and English; anonymous visitors are sent to the login; every form refuses a
post without the session's CSRF token and changes nothing; what a page allows is what the
governance areas (the access policy) decide: the requester cannot approve their own opgave, a
non-member cannot use a workspace, a destroyed workspace says when it was destroyed (410).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.errors import QuarantinedError
from stadsdata.governance.opgaven import LEGAL_GROUNDS, add_months
from stadsdata.platform import DEMO_WMO, Platform
from stadsdata.web import i18n
from tests.web.test_login import HTML, log_in, page_csrf

KWB = "cbs_kwb_2019_den_haag"
BSN = re.compile(r"\b999\d{6}\b")
PSEUDONYM = re.compile(r"^[0-9a-f]{32}$")
COUNT_SQL = f"SELECT wijkcode, voorziening, count(*) AS n FROM {DEMO_WMO} GROUP BY 1, 2"


def nl(key: str, **values: object) -> str:
    return i18n.Translator("nl")(key, **values)


def en(key: str, **values: object) -> str:
    return i18n.Translator("en")(key, **values)


def text_of(page: str) -> str:
    """The page's visible text, tags removed and entities decoded, whitespace folded."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def switch_user(client: TestClient, user: str) -> None:
    client.cookies.clear()
    log_in(client, user)


def opgave_form(**changes: object) -> dict[str, object]:
    """A complete, valid opgave request on the Wmo register as the form posts it."""
    end = add_months(dt.date.today(), 3).isoformat()
    form: dict[str, object] = {
        "dataset": DEMO_WMO,
        "title": "Voorzieningen per wijk (test)",
        "purpose": "Welke Wmo-voorzieningen per wijk worden gebruikt, voor de inkoop van volgend jaar.",
        "legal_ground": "e",
        "legal_basis": "Wmo 2015, art. 2.1.2",
        "dpia_reference": "DPIA-TEST-7",
        "dpia_status": "afgerond",
        "end_date": end,
        "members": "gert",
        "column": ["bsn", "wijkcode", "voorziening"],
        "reason-bsn": "Cliënten tellen binnen de opgave.",
        "reason-wijkcode": "De wijk is de eenheid van analyse.",
        "reason-voorziening": "Het soort voorziening is de vraag.",
    }
    form.update(changes)
    return form


def file_opgave(client: TestClient, **changes: object) -> int:
    data = {**opgave_form(**changes), "csrf_token": page_csrf(client, "/opgaven/new")}
    response = client.post("/opgaven/new", data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, text_of(response.text)[:600]
    match = re.fullmatch(r"/opgaven/(\d+)\?done=requested", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def counts(platform: Platform) -> dict[str, object]:
    """Everything a refused form must leave as it was."""
    return {
        "audit": platform.audit.verify().entries,
        "opgaven": [(o.id, o.state, [c.decision for c in o.columns]) for o in platform.opgaven.list()],
        "datashop": [(r.id, r.state, len(r.history)) for r in platform.datashop.store.list()],
        "workspaces": [(w.opgave_id, w.destroyed_at) for w in platform.workspaces.store.live()],
    }


def quarantine_kwb(platform: Platform, tmp_path: Path) -> int:
    """A real KWB delivery with a negative population: quarantined, with a notice to its data owner."""
    with demo.data_path(KWB).open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    table[5][header.index("AantalInwoners_5")] = "-15"
    broken = tmp_path / "kwb_fout.csv"
    with broken.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    with pytest.raises(QuarantinedError):
        platform.ingest(broken, KWB)
    notices = platform.metastore.list_notices(dataset_id=KWB)
    assert len(notices) == 1
    return notices[0].id


# -- who gets in -----------------------------------------------------------------------------------
STAFF_PATHS = [
    "/opgaven",
    "/opgaven/new",
    f"/opgaven/new?dataset={DEMO_WMO}",
    "/opgaven/1",
    "/opgaven/1/workspace",
    "/audit",
    "/datashop",
    "/datashop/1",
    "/inbox",
    "/inbox/1",
]


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_anonymous_visitors_are_sent_to_the_login_with_the_page_to_return_to(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/login?next=")
    from urllib.parse import parse_qs, urlsplit

    assert parse_qs(urlsplit(location).query)["next"] == [path]


def test_after_logging_in_the_visitor_lands_on_the_page_they_asked_for(client: TestClient) -> None:
    login = client.get("/opgaven/1", headers=HTML)  # follows the redirect to the login form
    assert login.url.path == "/login"
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    nxt = re.search(r'name="next" value="([^"]+)"', login.text)
    assert token and nxt and nxt.group(1) == "/opgaven/1"
    page = client.post(
        "/login",
        data={"user": "ana", "password": "demo-wachtwoord-2026", "csrf_token": token.group(1), "next": nxt.group(1)},
        headers=HTML,
    )
    assert page.url.path == "/opgaven/1" and page.status_code == 200
    assert "Wmo-voorzieningen per wijk (demo)" in page.text


def test_staff_navigation_shows_the_audit_link_only_when_the_policy_allows(client: TestClient) -> None:
    anonymous = client.get("/", headers=HTML).text
    assert 'href="/opgaven"' not in anonymous and 'href="/audit"' not in anonymous
    log_in(client, "ana")
    page = client.get("/", headers=HTML).text
    assert all(f'href="{p}"' in page for p in ("/opgaven", "/datashop", "/inbox"))
    assert 'href="/audit"' not in page  # an analyst may not read the audit log
    switch_user(client, "bart")
    assert 'href="/audit"' in client.get("/", headers=HTML).text  # the board may
    switch_user(client, "adam")
    assert 'href="/audit"' in client.get("/datasets", headers=HTML).text  # the admin may


# -- every page in both languages --------------------------------------------------------------
#: user -> {path: the message key of a text the page must show}
PAGES: dict[str, dict[str, str]] = {
    "ana": {
        "/opgaven": "opgaven.title",
        f"/opgaven/new?dataset={DEMO_WMO}": "opgave_new.title",
        "/opgaven/1": "opgave.about",
        "/opgaven/2": "opgave.destroyed",
        "/opgaven/1/workspace": "workspace.tables",
        "/datashop": "datashop.ask",
        "/inbox": "inbox.none",
    },
    "olga": {"/opgaven/{new}": "decide.intro"},
    "bart": {"/audit": "audit.verify"},
    "adam": {"/inbox": "inbox.title", "/inbox/{notice}": "inbox.message"},
    "dora": {"/datashop/{request}": "triage.title"},
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_staff_page_renders_in_dutch_and_english(
    client: TestClient, demo_platform: Platform, tmp_path: Path, lang: str
) -> None:
    log_in(client, "ana")
    new = file_opgave(client)  # waits for olga's decision
    ask = client.post(
        "/datashop",
        data={
            "question": "Hoeveel cliënten heeft de Wmo per wijk in 2019?",
            "purpose": "Voor de begroting van de wijkteams.",
            "deadline": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
            "dienst": "Dienst OCW",
            "csrf_token": page_csrf(client, "/datashop"),
        },
        headers=HTML,
        follow_redirects=False,
    )
    request_id = int(ask.headers["location"].split("/")[2].split("?")[0])
    notice = quarantine_kwb(demo_platform, tmp_path)
    translate = i18n.Translator(lang)
    other = i18n.Translator("en" if lang == "nl" else "nl")
    for user in ("ana", "olga", "bart", "adam", "dora"):
        switch_user(client, user)
        for path, key in PAGES[user].items():
            path = path.format(new=new, notice=notice, request=request_id)
            response = client.get(path + ("&" if "?" in path else "?") + f"lang={lang}", headers=HTML)
            assert response.status_code == 200, (user, path, text_of(response.text)[:300])
            assert f'<html lang="{lang}">' in response.text
            assert response.headers["content-language"] == lang
            assert translate(key) in html.unescape(response.text), (user, path, key)
            if translate(key) != other(key):
                assert other(key) not in html.unescape(response.text), (user, path, key)
            assert response.headers["cache-control"] == "private, no-store"


def test_every_legal_ground_and_dpia_status_has_words_in_both_languages() -> None:
    from stadsdata.governance.opgaven import DPIA_STATUSES

    for letter in LEGAL_GROUNDS:
        assert f"ground.{letter}" in i18n.MESSAGES
    for status in DPIA_STATUSES:
        assert f"dpia.{status.replace(' ', '_')}" in i18n.MESSAGES
    for state in ("requested", "approved", "declined", "closed", "destroyed"):
        assert f"opgave.state.{state}" in i18n.MESSAGES
    from stadsdata.engine.base import WORKSPACE_TRANSFORMS
    from stadsdata.governance.datashop import OUTCOMES

    for transform in WORKSPACE_TRANSFORMS:
        assert f"transform.{transform.replace(':', '_')}" in i18n.MESSAGES
    for outcome in OUTCOMES:
        assert f"triage.outcome.{outcome}" in i18n.MESSAGES and f"datashop.state.{outcome}" in i18n.MESSAGES


# -- opgaven ---------------------------------------------------------------------------------------
def test_opgaven_lists_mine_with_state_and_end_date(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    page = client.get("/opgaven", headers=HTML)
    rows = re.findall(r'<tr data-opgave="(\d+)">(.*?)</tr>', page.text, re.S)
    assert [int(i) for i, _ in rows] == [
        o.id for o in demo_platform.opgaven.visible_to(demo_platform.identity.actor_for("ana"))
    ]
    first = dict(rows)["1"]
    assert "goedgekeurd" in first and nl("opgave.state.approved") in first
    assert i18n.Translator("nl").date(demo_platform.opgaven.get(1).end_date) in first
    assert nl("opgave.state.destroyed") in dict(rows)["2"]
    assert nl("opgaven.waiting.none") in page.text  # an analyst decides nothing
    switch_user(client, "dora")  # a data officer of another part of the organisation sees none
    assert nl("opgaven.none") in client.get("/opgaven", headers=HTML).text


def test_the_form_lists_every_column_with_its_personal_data_flag(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    page = client.get(f"/opgaven/new?dataset={DEMO_WMO}", headers=HTML).text
    contract = demo_platform.opgaven._contract(DEMO_WMO)  # the registered contract
    rows = dict(re.findall(r'<tr data-column="([^"]+)">(.*?)</tr>', page, re.S))
    assert list(rows) == contract.column_names
    for column in contract.columns:
        assert f'name="reason-{column.name}"' in rows[column.name]
        assert nl("columns.personal_data") in page
        assert i18n.Translator("nl").personal_data(column.personal_data.value) in rows[column.name]
    for letter in LEGAL_GROUNDS:
        assert f'value="{letter}"' in page and nl(f"ground.{letter}") in html.unescape(page)
    end = re.search(r'name="end_date" type="date" required value="([^"]+)" min="[^"]+" max="([^"]+)"', page)
    assert end is not None
    today = dt.date.today()
    assert end.group(1) == add_months(today, 6).isoformat()  # the default: six months
    assert end.group(2) == add_months(today, demo_platform.settings.opgave_max_months).isoformat()


def test_filing_an_opgave_through_the_form_stores_it_as_asked(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    new = file_opgave(client)
    stored = demo_platform.opgaven.get(new)
    assert stored.state == "requested" and stored.requester == "ana" and stored.members == ["gert"]
    assert [(c.column, c.reason, c.decision) for c in stored.columns] == [
        ("bsn", "Cliënten tellen binnen de opgave.", "pending"),
        ("wijkcode", "De wijk is de eenheid van analyse.", "pending"),
        ("voorziening", "Het soort voorziening is de vraag.", "pending"),
    ]
    assert stored.end_date == add_months(dt.date.today(), 3)
    assert demo_platform.audit.list(1, action="opgave_requested")[0].resource == f"opgave/{new}"
    page = client.get(f"/opgaven/{new}?done=requested", headers=HTML)
    assert nl("done.requested") in page.text and "DPIA-TEST-7" in page.text
    assert nl("ground.e") in html.unescape(page.text)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"purpose": ""}, "purpose: expected the purpose in a sentence"),
        ({"end_date": "2099-01-01"}, "end_date: 2099-01-01 is past the maximum of 12 months"),
        ({"end_date": "morgen"}, "end_date: 'morgen' is not a date; expected YYYY-MM-DD"),
        ({"reason-wijkcode": "kort"}, "columns[2] (wmo_clienten_synthetisch.wijkcode): expected a reason"),
        ({"column": []}, "columns: expected at least one dataset column with a reason"),
        ({"members": "gert, niemand"}, "members: unknown user 'niemand'"),
    ],
)
def test_a_refused_request_comes_back_with_its_error_and_the_values_entered(
    client: TestClient, demo_platform: Platform, change: dict[str, object], error: str
) -> None:
    log_in(client, "ana")
    before = [o.id for o in demo_platform.opgaven.list()]
    data = {**opgave_form(**change), "csrf_token": page_csrf(client, "/opgaven/new")}
    response = client.post("/opgaven/new", data=data, headers=HTML)
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert error in page and nl("form.not_saved") in page
    assert 'value="Voorzieningen per wijk (test)"' in page  # what was typed is kept
    assert 'value="DPIA-TEST-7"' in page and 'value="Wmo 2015, art. 2.1.2"' in page
    if "column" not in change:
        assert re.search(r'value="bsn" checked', page) and 'value="Cliënten tellen binnen de opgave."' in page
        assert not re.search(r'value="postcode" checked', page)
    assert [o.id for o in demo_platform.opgaven.list()] == before  # nothing stored


def test_the_field_named_by_the_error_is_marked_invalid(client: TestClient) -> None:
    log_in(client, "ana")
    data = {**opgave_form(purpose="te kort"), "csrf_token": page_csrf(client, "/opgaven/new")}
    page = client.post("/opgaven/new", data=data, headers=HTML).text
    purpose = re.search(r"<textarea id=\"f-purpose\"[^>]*>", page)
    assert purpose and 'aria-invalid="true"' in purpose.group(0) and "form-error" in purpose.group(0)


def test_the_data_owner_decides_through_the_form_and_the_workspace_is_built(
    client: TestClient, demo_platform: Platform
) -> None:
    log_in(client, "ana")
    new = file_opgave(client)
    switch_user(client, "olga")
    listing = client.get("/opgaven", headers=HTML).text
    assert f'href="/opgaven/{new}#decide"' in listing
    page = client.get(f"/opgaven/{new}", headers=HTML).text
    assert f'data-dataset="{DEMO_WMO}"' in page
    assert 'name="special" value="voorziening"' in page  # the special category needs its own tick
    assert 'name="special" value="bsn"' not in page
    response = client.post(
        f"/opgaven/{new}/decide",
        data={
            "csrf_token": page_csrf(client, f"/opgaven/{new}"),
            "dataset": DEMO_WMO,
            "decision": "approve",
            "column": ["bsn", "wijkcode", "voorziening"],
            "special": ["voorziening"],
            "reason": "Doel, grondslag en DPIA zijn in orde.",
        },
        headers=HTML,
    )
    assert response.status_code == 200 and response.url.path == f"/opgaven/{new}"
    assert nl("done.decided") in response.text
    stored = demo_platform.opgaven.get(new)
    assert stored.state == "approved"
    assert {c.column: c.decision for c in stored.columns} == dict.fromkeys(
        ["bsn", "wijkcode", "voorziening"], "approved"
    )
    record = demo_platform.workspaces.store.find(new)
    assert record is not None and record.tables[0]["columns"]["bsn"] == "pseudonymise"
    columns = dict(re.findall(r'<tr data-column="([^"]+)">(.*?)</tr>', response.text, re.S))
    assert nl("transform.pseudonymise") in columns["bsn"] and nl("opgave.special.approved") in columns["voorziening"]


def test_without_the_explicit_tick_a_special_category_column_is_declined(
    client: TestClient, demo_platform: Platform
) -> None:
    log_in(client, "ana")
    new = file_opgave(client)
    switch_user(client, "olga")
    client.post(
        f"/opgaven/{new}/decide",
        data={
            "csrf_token": page_csrf(client, f"/opgaven/{new}"),
            "dataset": DEMO_WMO,
            "decision": "approve",
            "column": ["bsn", "wijkcode", "voorziening"],
            "reason": "Alleen tellen per wijk, zonder de voorziening.",
        },
        headers=HTML,
    )
    decided = {c.column: c.decision for c in demo_platform.opgaven.get(new).columns}
    assert decided == {"bsn": "approved", "wijkcode": "approved", "voorziening": "declined"}


def test_a_decision_without_reason_comes_back_with_the_error(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    new = file_opgave(client)
    switch_user(client, "olga")
    response = client.post(
        f"/opgaven/{new}/decide",
        data={"csrf_token": page_csrf(client, "/opgaven"), "dataset": DEMO_WMO, "decision": "approve", "reason": "ok"},
        headers=HTML,
    )
    assert response.status_code == 422
    assert "reason: expected the reason for the decision" in html.unescape(response.text)
    assert demo_platform.opgaven.get(new).state == "requested"
    assert all(c.decision == "pending" for c in demo_platform.opgaven.get(new).columns)


def test_the_requester_cannot_approve_their_own_request(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    new = file_opgave(client)
    assert f'action="/opgaven/{new}/decide"' not in client.get(f"/opgaven/{new}", headers=HTML).text
    before = counts(demo_platform)
    response = client.post(
        f"/opgaven/{new}/decide",
        data={
            "csrf_token": page_csrf(client, "/opgaven"),
            "dataset": DEMO_WMO,
            "decision": "approve",
            "column": ["bsn", "wijkcode", "voorziening"],
            "special": ["voorziening"],
            "reason": "Ik keur mijn eigen aanvraag goed.",
        },
        headers=HTML,
    )
    assert response.status_code == 403
    assert "nobody approves their own request" in html.unescape(response.text)
    assert nl("error.title") in response.text
    after = counts(demo_platform)
    assert after["opgaven"] == before["opgaven"] and after["workspaces"] == before["workspaces"]
    refusal = demo_platform.audit.list(1, actor="ana", action="approve_opgave")[0]
    assert refusal.decision == "denied"  # the refusal itself is on record


def test_an_opgave_the_visitor_may_not_see_is_the_not_found_page(client: TestClient) -> None:
    log_in(client, "dora")
    response = client.get("/opgaven/1", headers=HTML)
    assert response.status_code == 404 and "Wmo-voorzieningen" not in response.text
    assert client.get("/opgaven/999", headers=HTML).status_code == 404


def test_the_requester_closes_early_and_the_sweep_destroys_the_workspace(
    client: TestClient, demo_platform: Platform
) -> None:
    log_in(client, "ana")
    new = file_opgave(client)
    # Approved here, in this home (the demo's own workspaces belong to the shared demo template).
    demo_platform.decide_opgave(
        demo_platform.identity.actor_for("olga"),
        new,
        DEMO_WMO,
        approve=True,
        reason="Doel, grondslag en DPIA zijn in orde.",
        special_categories=["voorziening"],
    )
    switch_user(client, "gert")  # a member, not the requester: no close button
    assert f'action="/opgaven/{new}/close"' not in client.get(f"/opgaven/{new}", headers=HTML).text
    switch_user(client, "ana")
    assert f'action="/opgaven/{new}/close"' in client.get(f"/opgaven/{new}", headers=HTML).text
    response = client.post(
        f"/opgaven/{new}/close", data={"csrf_token": page_csrf(client, f"/opgaven/{new}")}, headers=HTML
    )
    assert response.status_code == 200 and nl("done.closed") in response.text
    assert nl("workspace.closed") in response.text
    assert demo_platform.opgaven.get(new).state == "closed"
    assert [d["opgave"] for d in demo_platform.workspaces.sweep()] == [new]
    page = client.get(f"/opgaven/{new}", headers=HTML)
    today = i18n.Translator("nl").date(dt.date.today())
    assert nl("workspace.destroyed_on", date=today) in page.text
    assert "closed early" in page.text
    gone = client.get(f"/opgaven/{new}/workspace", headers=HTML)
    assert gone.status_code == 410 and f"destroyed on {dt.date.today().isoformat()}" in gone.text


# -- the workspace -----------------------------------------------------------------------------
def test_the_workspace_page_shows_its_tables_as_stored(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "gert")  # a member
    page = client.get("/opgaven/1/workspace", headers=HTML)
    assert page.status_code == 200
    record = demo_platform.workspaces.store.find(1)
    assert record is not None
    columns = dict(re.findall(r'<tr data-column="([^"]+)">(.*?)</tr>', page.text, re.S))
    assert list(columns) == list(record.tables[0]["columns"])
    assert nl("transform.pseudonymise") in columns["bsn"]
    assert nl("transform.generalise_year") in columns["geboortedatum"]
    assert demo_platform.audit.list(1, actor="gert")[0].action == "use_workspace"  # the visit is on record


def test_a_query_shows_pseudonyms_never_a_bsn(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    response = client.post(
        "/opgaven/1/workspace/query",
        data={"csrf_token": page_csrf(client, "/opgaven/1/workspace"), "sql": f"SELECT * FROM {DEMO_WMO}"},
        headers=HTML,
    )
    assert response.status_code == 200
    table = response.text.split('id="result-table"')[1].split("</table>")[0]
    header = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table)
    assert header == ["bsn", "geboortedatum", "wijkcode", "voorziening"]
    body = table.split("<tbody>")[1]
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    assert len(rows) == 200  # the page's limit, of 36,830 rows
    assert all(PSEUDONYM.match(r[0]) for r in rows)
    assert not BSN.search(response.text)
    assert nl("workspace.result.more", n="200") in response.text
    entry = demo_platform.audit.list(1, action="workspace_query")[0]
    assert entry.actor == "ana" and entry.purpose == demo_platform.opgaven.get(1).purpose


def test_a_bad_query_comes_back_with_the_engines_error(client: TestClient) -> None:
    log_in(client, "ana")
    response = client.post(
        "/opgaven/1/workspace/query",
        data={"csrf_token": page_csrf(client, "/opgaven/1/workspace"), "sql": "DROP TABLE wmo_clienten_synthetisch"},
        headers=HTML,
    )
    assert response.status_code == 422
    assert "only a SELECT query runs in a workspace" in html.unescape(response.text)
    assert "DROP TABLE wmo_clienten_synthetisch" in response.text  # kept in the textarea


def test_an_export_with_small_cells_is_blocked_then_released_with_suppression(
    client: TestClient, demo_platform: Platform
) -> None:
    log_in(client, "ana")
    form = {"sql": COUNT_SQL, "dimensions": "wijkcode, voorziening", "count": "n", "format": "html"}
    blocked = client.post(
        "/opgaven/1/workspace/export",
        data={**form, "csrf_token": page_csrf(client, "/opgaven/1/workspace")},
        headers=HTML,
    )
    assert blocked.status_code == 200
    assert 'data-status="blocked"' in blocked.text and nl("export.blocked") in blocked.text
    cells = re.findall(r"<li>(\([^<]+\): primary: n=\d+ &lt; 10)</li>", blocked.text)
    assert cells, "the cells that block the export are named, with why"
    assert 'id="export-table"' not in blocked.text  # nothing leaves
    assert demo_platform.audit.list(1, action="workspace_export")[0].decision == "blocked"

    released = client.post(
        "/opgaven/1/workspace/export",
        data={**form, "accept_suppression": "yes", "csrf_token": page_csrf(client, "/opgaven/1/workspace")},
        headers=HTML,
    )
    assert 'data-status="released"' in released.text
    assert "threshold 10" in released.text  # the check that was applied
    table = released.text.split('id="export-table"')[1].split("</table>")[0]
    suppressed = re.findall(r'data-suppressed="(primary|secondary)"', table)
    assert suppressed.count("primary") == len(cells) and "secondary" in suppressed
    assert nl("export.suppressed.primary") in table
    shown = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', table)]
    assert shown and min(shown) >= 10  # no published count below the threshold
    assert demo_platform.audit.list(1, action="workspace_export")[0].decision == "released"

    download = client.post(
        "/opgaven/1/workspace/export",
        data={**form, "format": "csv", "accept_suppression": "yes", "csrf_token": page_csrf(client, "/opgaven")},
        headers=HTML,
    )
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert set(rows[0]) == {"wijkcode", "voorziening", "n", "suppressed"}
    assert all(r["n"] == "" for r in rows if r["suppressed"]) and all(int(r["n"]) >= 10 for r in rows if r["n"])
    assert sum(1 for r in rows if r["suppressed"]) == len(suppressed)


def test_a_blocked_export_downloads_nothing(client: TestClient) -> None:
    log_in(client, "ana")
    response = client.post(
        "/opgaven/1/workspace/export",
        data={
            "sql": COUNT_SQL,
            "dimensions": "wijkcode, voorziening",
            "count": "n",
            "format": "csv",
            "csrf_token": page_csrf(client, "/opgaven/1/workspace"),
        },
        headers=HTML,
    )
    assert response.headers["content-type"].startswith("text/html") and 'data-status="blocked"' in response.text


def test_a_non_member_cannot_use_the_workspace(client: TestClient) -> None:
    log_in(client, "olga")  # the data owner sees the opgave, but does not work in it
    assert 'href="/opgaven/1/workspace"' not in client.get("/opgaven/1", headers=HTML).text
    response = client.get("/opgaven/1/workspace", headers=HTML)
    assert response.status_code == 403 and "only the members of opgave 1 use its workspace" in response.text


def test_a_destroyed_workspace_says_when_it_was_destroyed(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    destroyed = demo_platform.workspaces.store.find(2)
    assert destroyed is not None and destroyed.destroyed_at is not None
    when = destroyed.destroyed_at.date().isoformat()
    page = client.get("/opgaven/2/workspace", headers=HTML)
    assert page.status_code == 410 and f"the workspace of opgave 2 was destroyed on {when}" in page.text
    assert 'href="/opgaven/2"' in page.text  # the way back to the opgave and its destruction record
    query = client.post(
        "/opgaven/2/workspace/query",
        data={"csrf_token": page_csrf(client, "/opgaven/2"), "sql": f"SELECT count(*) FROM {DEMO_WMO}"},
        headers=HTML,
    )
    assert query.status_code == 410 and f"destroyed on {when}" in query.text
    export = client.post(
        "/opgaven/2/workspace/export",
        data={"csrf_token": page_csrf(client, "/opgaven/2"), "sql": COUNT_SQL, "dimensions": "wijkcode", "count": "n"},
        headers=HTML,
    )
    assert export.status_code == 410
    # The opgave's page shows the destruction record: the files and hashes that were destroyed.
    opgave = client.get("/opgaven/2", headers=HTML).text
    assert nl("workspace.destroyed_on", date=i18n.Translator("nl").date(destroyed.destroyed_at)) in opgave
    assert destroyed.destruction is not None
    for file in destroyed.destruction["files"]:
        assert file["file"] in opgave and file["sha256"] in opgave
    assert destroyed.destruction["tables"][0]["sha256"] in opgave


# -- CSRF: every form ------------------------------------------------------------------------------
def test_every_form_refuses_a_post_without_the_sessions_token_and_changes_nothing(
    client: TestClient, demo_platform: Platform
) -> None:
    log_in(client, "ana")
    new = file_opgave(client)
    filed = demo_platform.datashop.file(
        demo_platform.identity.actor_for("ana"),
        question="Hoeveel cliënten per wijk zijn er?",
        purpose="Voor de begroting van de wijkteams.",
        deadline=dt.date.today() + dt.timedelta(days=7),
        dienst="Dienst OCW",
    )
    posts = [
        ("ana", "/opgaven/new", opgave_form()),
        ("ana", "/opgaven/1/close", {}),
        ("ana", "/opgaven/1/workspace/query", {"sql": f"SELECT * FROM {DEMO_WMO}"}),
        (
            "ana",
            "/opgaven/1/workspace/export",
            {"sql": COUNT_SQL, "dimensions": "wijkcode", "count": "n", "accept_suppression": "yes"},
        ),
        (
            "ana",
            "/datashop",
            {
                "question": "Een vraag van vijftien tekens",
                "purpose": "Een doel van vijftien",
                "deadline": "2099-01-01",
                "dienst": "OCW",
            },
        ),
        (
            "olga",
            f"/opgaven/{new}/decide",
            {"dataset": DEMO_WMO, "decision": "approve", "column": ["bsn"], "reason": "Alles is in orde hier."},
        ),
        ("dora", f"/datashop/{filed.id}/triage", {"outcome": "answered", "note": "Zie de open data van CBS."}),
    ]
    for user, path, data in posts:
        switch_user(client, user)
        before = counts(demo_platform)
        for token in (None, "not-the-sessions-token"):
            sent = data if token is None else {**data, "csrf_token": token}
            response = client.post(path, data=sent, headers=HTML)
            assert response.status_code == 403, (path, response.status_code)
            assert "CSRF" in response.text
            assert counts(demo_platform) == before, path


# -- the audit log -----------------------------------------------------------------------------
def test_the_audit_page_is_for_the_board_and_the_admin(client: TestClient, demo_platform: Platform) -> None:
    for user in ("ana", "olga", "dora"):
        switch_user(client, user)
        response = client.get("/audit", headers=HTML)
        assert response.status_code == 403, user
        assert "view_audit needs the role platform_admin or governance_board" in response.text
    assert demo_platform.audit.list(1, actor="dora", action="view_audit")[0].decision == "denied"
    for user in ("bart", "adam"):
        switch_user(client, user)
        page = client.get("/audit", headers=HTML)
        assert page.status_code == 200
        verified = demo_platform.audit.verify()
        assert 'data-ok="true"' in page.text
        assert nl("audit.intact", count=i18n.Translator("nl").number(verified.entries)) in page.text
        seqs = [int(s) for s in re.findall(r'<tr data-seq="(\d+)"', page.text)]
        assert seqs == sorted(seqs, reverse=True) and len(seqs) == min(100, verified.entries)


def test_the_audit_page_filters_and_finds_the_destruction_record(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "bart")
    page = client.get("/audit?action=workspace_destroyed", headers=HTML).text
    rows = re.findall(r'<tr data-seq="(\d+)" data-action="([^"]+)">(.*?)</tr>', page, re.S)
    assert [a for _, a, _ in rows] == ["workspace_destroyed"]
    detail = html.unescape(rows[0][2])
    assert "opgave/2/workspace" in detail and "key_destroyed" in detail and "end date" in detail
    destruction = demo_platform.workspaces.store.find(2).destruction  # type: ignore[union-attr]
    assert destruction["files"][0]["sha256"] in detail
    by_actor = client.get("/audit?actor=ana&action=opgave_requested", headers=HTML).text
    assert len(re.findall(r"<tr data-seq=", by_actor)) == 2  # the demo's two requests
    nothing = client.get("/audit?resource=opgave/999", headers=HTML).text
    assert nl("audit.none") in nothing


def test_the_audit_page_names_the_first_broken_entry(client: TestClient, demo_platform: Platform) -> None:
    database = demo_platform.home / "metastore.db"
    with sqlite3.connect(database) as con:
        con.execute("UPDATE audit_log SET actor = 'iemand' WHERE seq = 5")
    log_in(client, "bart")
    page = client.get("/audit", headers=HTML).text
    assert 'data-ok="false"' in page
    assert "entry 5: hash does not match its content (edited)" in page
    entries = i18n.Translator("nl").number(demo_platform.audit.verify().entries)
    assert nl("audit.broken", count=entries, seq=5) in page


# -- the Datashop ------------------------------------------------------------------------------
def test_filing_and_triaging_a_datashop_question(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    response = client.post(
        "/datashop",
        data={
            "question": "Hoeveel cliënten heeft de Wmo per wijk in 2019?",
            "purpose": "Voor de begroting van de wijkteams.",
            "deadline": deadline,
            "dienst": "Dienst OCW",
            "csrf_token": page_csrf(client, "/datashop"),
        },
        headers=HTML,
    )
    assert response.status_code == 200 and nl("done.filed") in response.text
    filed = demo_platform.datashop.store.list()[0]
    assert (filed.requester, filed.state, filed.deadline.isoformat()) == ("ana", "new", deadline)
    assert response.url.path == f"/datashop/{filed.id}"
    assert f'action="/datashop/{filed.id}/triage"' not in response.text  # no triage for the requester
    assert f'data-request="{filed.id}"' in client.get("/datashop", headers=HTML).text

    switch_user(client, "gert")  # another analyst neither lists nor opens it
    assert f'data-request="{filed.id}"' not in client.get("/datashop", headers=HTML).text
    assert client.get(f"/datashop/{filed.id}", headers=HTML).status_code == 403

    switch_user(client, "dora")  # the Datashop team sees it and triages it
    assert nl("datashop.team_list") in client.get("/datashop", headers=HTML).text
    page = client.get(f"/datashop/{filed.id}", headers=HTML).text
    assert f'action="/datashop/{filed.id}/triage"' in page
    refused = client.post(
        f"/datashop/{filed.id}/triage",
        data={"outcome": "opgave", "note": "Dit wordt een opgave.", "csrf_token": page_csrf(client, "/datashop")},
        headers=HTML,
    )
    assert refused.status_code == 422 and "opgave_id: expected the opgave the request became" in refused.text
    assert 'id="t-opgave" name="opgave"' in refused.text and "Dit wordt een opgave." in refused.text
    done = client.post(
        f"/datashop/{filed.id}/triage",
        data={
            "outcome": "answered",
            "note": "Staat al in cbs_kwb_2019_den_haag (WmoClienten_89).",
            "csrf_token": page_csrf(client, "/datashop"),
        },
        headers=HTML,
    )
    assert done.status_code == 200 and nl("done.triaged") in done.text
    triaged = demo_platform.datashop.store.get(filed.id)
    assert triaged.state == "answered" and [h["state"] for h in triaged.history] == ["new", "answered"]
    assert "WmoClienten_89" in done.text and nl("datashop.state.answered") in done.text


def test_a_refused_datashop_question_keeps_what_was_typed(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    response = client.post(
        "/datashop",
        data={
            "question": "Wmo?",
            "purpose": "Voor de begroting van de wijkteams.",
            "deadline": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
            "dienst": "Dienst OCW",
            "csrf_token": page_csrf(client, "/datashop"),
        },
        headers=HTML,
    )
    assert response.status_code == 422 and "question: expected the data question in a sentence" in response.text
    assert "Voor de begroting van de wijkteams." in response.text
    assert demo_platform.datashop.store.list() == []


def test_an_analyst_cannot_triage(client: TestClient, demo_platform: Platform) -> None:
    log_in(client, "ana")
    filed = demo_platform.datashop.file(
        demo_platform.identity.actor_for("ana"),
        question="Hoeveel cliënten per wijk zijn er?",
        purpose="Voor de begroting van de wijkteams.",
        deadline=dt.date.today() + dt.timedelta(days=7),
        dienst="Dienst OCW",
    )
    response = client.post(
        f"/datashop/{filed.id}/triage",
        data={"outcome": "declined", "note": "Ik wijs mijn eigen vraag af.", "csrf_token": page_csrf(client)},
        headers=HTML,
    )
    assert response.status_code == 403 and "triage_datashop needs the role" in response.text
    assert demo_platform.datashop.store.get(filed.id).state == "new"


# -- the inbox ---------------------------------------------------------------------------------
def test_the_inbox_shows_a_quarantine_to_whoever_may_release_it(
    client: TestClient, demo_platform: Platform, tmp_path: Path
) -> None:
    notice = quarantine_kwb(demo_platform, tmp_path)
    log_in(client, "adam")  # the admin may release any delivery
    page = client.get("/inbox", headers=HTML).text
    assert f'data-notice="{notice}"' in page and nl("inbox.status.unread") in page
    assert 'data-unread="1"' in page  # the count in the menu
    opened = client.get(f"/inbox/{notice}", headers=HTML)
    assert opened.status_code == 200 and "quarantined" in opened.text and "AantalInwoners_5" in opened.text
    assert demo_platform.metastore.list_notices(dataset_id=KWB)[0].read_by == "adam"
    assert 'data-unread="' not in client.get("/inbox", headers=HTML).text
    for user in ("olga", "ana"):  # owner of another dataset, an analyst: not theirs
        switch_user(client, user)
        assert f'data-notice="{notice}"' not in client.get("/inbox", headers=HTML).text
        assert client.get(f"/inbox/{notice}", headers=HTML).status_code == 404
    # A later good delivery resolves it: gone from the open list, in the full one.
    demo_platform.ingest(demo.data_path(KWB), KWB)
    switch_user(client, "adam")
    assert f'data-notice="{notice}"' not in client.get("/inbox", headers=HTML).text
    assert nl("inbox.status.resolved") in client.get("/inbox?all=1", headers=HTML).text


# -- links -----------------------------------------------------------------------------------------
def test_every_link_on_the_staff_pages_leads_somewhere(client: TestClient) -> None:
    log_in(client, "ana")
    seen: set[str] = set()
    for page in ("/opgaven", "/opgaven/1", "/opgaven/1/workspace", "/opgaven/2", "/datashop", "/inbox"):
        for href in re.findall(r'href="([^"#]+)"', client.get(page, headers=HTML).text):
            href = html.unescape(href)
            if href.startswith(("http://", "https://", "mailto:", "/api/")) or href in seen:
                continue
            seen.add(href)
            assert client.get(href, headers=HTML).status_code == 200, (page, href)
    assert {"/opgaven/new", "/opgaven/1/workspace", "/static/governance.css"} <= seen
