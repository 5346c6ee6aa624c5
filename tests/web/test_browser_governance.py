"""Issue #4's "Done when" in a real browser: Debian's chromium driven by Playwright, over a live server.

A newcomer logs in as the analyst ana through the login form, files an opgave on the SYNTHETIC Wmo
register through the form, logs out; the data owner olga approves it (the special-category column
explicitly); ana queries the pseudonymised workspace (pseudonyms, never a 999xxxxxx BSN of the
source), exports a count table with small cells and sees them suppressed; the end date passes
(the sweep runs in this process, on the server's own platform) and the workspace says when it was
destroyed; the board member bart finds the destruction record in the audit page, which says the
chain is intact. axe-core checks every new page type against WCAG 2.1 AA (no serious or critical
violation); screenshots go to build/screenshots/governance-*.png.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from stadsdata.governance.opgaven import add_months
from stadsdata.platform import DEMO_WMO
from tests.web.browser import accessible, log_in, log_out, no_sideways_scroll, open_page, requires_chromium, screenshot
from tests.web.conftest import LiveServer
from tests.web.test_governance_pages import quarantine_kwb

pytestmark = requires_chromium

BSN = re.compile(r"\b999\d{6}\b")
PSEUDONYM = re.compile(r"^[0-9a-f]{32}$")
COUNT_SQL = f"SELECT wijkcode, voorziening, count(*) AS n\nFROM {DEMO_WMO}\nGROUP BY 1, 2"


def cells(page: Any, table: str, column: str) -> list[str]:
    """The texts of one column of a table on the page, by its header."""
    headers = [h.strip() for h in page.locator(f"{table} thead th").all_inner_texts()]
    index = headers.index(column) + 1
    return [c.strip() for c in page.locator(f"{table} tbody tr td:nth-child({index})").all_inner_texts()]


# -- the walk-through --------------------------------------------------------------------------------
def test_done_when_file_approve_query_export_destroy_audit(page: Any, live_server: LiveServer) -> None:
    base, platform = live_server.url, live_server.platform
    # The source register really holds BSNs in the 999 test range: what must never show.
    source = platform.sql(f"SELECT bsn FROM {DEMO_WMO} LIMIT 5").rows
    assert all(BSN.fullmatch(row[0]) for row in source)

    # 1. A newcomer: the opgaven page asks to log in first, and comes back after.
    log_in(page, base, "ana", "/opgaven", sent_by_the_page=True)
    assert page.locator("h1").inner_text() == "Opgaven"

    # 2. From the register's page to the request form.
    page.goto(f"{base}/datasets/{DEMO_WMO}")
    page.get_by_role("link", name="Vraag een opgave aan").first.click()
    page.wait_for_url(f"**/opgaven/new?dataset={DEMO_WMO}")
    end_date = add_months(dt.date.today(), 2)
    page.get_by_label("Titel").fill("Voorzieningen per wijk, browsertest")
    page.get_by_label("Doel", exact=True).fill(
        "Welke Wmo-voorzieningen per wijk worden gebruikt, voor de inkoop van volgend jaar."
    )
    page.get_by_label("Leden").fill("gert")
    page.get_by_label("Einddatum", exact=True).fill(end_date.isoformat())
    page.get_by_label("e. taak van algemeen belang of openbaar gezag").check()
    page.get_by_label("Wettelijke basis").fill("Wmo 2015, art. 2.1.2")
    page.get_by_label("DPIA-kenmerk").fill("DPIA-BROWSER-1")
    page.get_by_label("Stand van de DPIA").select_option("afgerond")
    reasons = {
        "bsn": "Cliënten tellen en koppelen binnen de opgave.",
        "wijkcode": "De wijk is de eenheid van de analyse.",
        "voorziening": "Het soort voorziening is de kern van de vraag.",
    }
    for column, reason in reasons.items():
        page.get_by_label(column, exact=True).check()
        page.get_by_label(f"Reden voor {column}").fill(reason)
    flags = dict(
        zip(
            page.locator("#column-choice tbody tr").evaluate_all("rows => rows.map(r => r.dataset.column)"),
            cells(page, "#column-choice", "Persoonsgegevens"),
            strict=True,
        )
    )
    assert flags["bsn"] == "Direct identificerend" and flags["voorziening"] == "Bijzonder persoonsgegeven"
    accessible(page)
    screenshot(page, "governance-opgave-new-nl")
    page.get_by_role("button", name="Opgave aanvragen").click()
    page.wait_for_url(re.compile(r".*/opgaven/\d+\?done=requested$"))
    opgave_id = int(re.search(r"/opgaven/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert page.locator(".state-line .state").inner_text() == "aangevraagd"
    assert "Uw opgave is aangevraagd" in page.locator(".notice--done").inner_text()
    stored = platform.opgaven.get(opgave_id)
    assert [(c.column, c.reason) for c in stored.columns] == list(reasons.items())
    assert stored.end_date == end_date and stored.members == ["gert"]
    log_out(page)

    # 3. The data owner finds it waiting, and approves it, the special category explicitly.
    log_in(page, base, "olga", "/opgaven", sent_by_the_page=True)
    waiting = page.locator("#waiting a", has_text=f"Opgave {opgave_id}:")
    waiting.click()
    page.wait_for_url(f"**/opgaven/{opgave_id}#decide")
    form = page.locator(f'form.decide-form[data-dataset="{DEMO_WMO}"]')
    form.get_by_label("Goedkeuren (de aangevinkte kolommen)").check()
    special = form.get_by_label("Ik keur het bijzondere persoonsgegeven voorziening uitdrukkelijk goed (art. 9 AVG)")
    special.check()
    form.get_by_label("Motivering").fill("Doel, grondslag en DPIA zijn in orde; alleen tellen per wijk.")
    accessible(page)
    screenshot(page, "governance-opgave-decide-nl")
    form.get_by_role("button", name="Besluit vastleggen").click()
    page.wait_for_url(f"**/opgaven/{opgave_id}?done=decided")
    assert page.locator(".state-line .state").inner_text() == "goedgekeurd"
    decisions = page.locator("#opgave-columns .decision").all_inner_texts()
    assert decisions == ["goedgekeurd"] * 3
    log_out(page)

    # 4. The analyst works in the pseudonymised workspace.
    log_in(page, base, "ana", f"/opgaven/{opgave_id}", sent_by_the_page=True)
    page.get_by_role("link", name="Open de werkruimte").click()
    page.wait_for_url(f"**/opgaven/{opgave_id}/workspace")
    stored_as = dict(
        zip(
            page.locator(".workspace-table tbody th").all_inner_texts(),
            page.locator(".workspace-table tbody td").all_inner_texts(),
            strict=True,
        )
    )
    assert stored_as == {
        "bsn": "gepseudonimiseerd (sleutel van deze opgave)",
        "wijkcode": "zoals opgeslagen",
        "voorziening": "zoals opgeslagen",
    }
    page.get_by_label("SQL (één SELECT)").fill(f"SELECT bsn, wijkcode, voorziening\nFROM {DEMO_WMO}\nLIMIT 50")
    page.get_by_role("button", name="Uitvoeren").click()
    page.wait_for_url(f"**/opgaven/{opgave_id}/workspace/query#query")
    pseudonyms = cells(page, "#result-table", "bsn")
    assert len(pseudonyms) == 50 and all(PSEUDONYM.match(p) for p in pseudonyms)
    assert not BSN.search(page.content()), "a BSN of the source reached the page"

    # 5. A count per wijk x voorziening: blocked, then released with its small cells suppressed.
    page.get_by_label("SQL van de teltabel").fill(COUNT_SQL)
    page.get_by_label("Dimensies").fill("wijkcode, voorziening")
    page.get_by_label("Kolom met de aantallen").fill("n")
    page.get_by_role("button", name="Controleren en tonen").click()
    page.wait_for_url("**/workspace/export#export")
    result = page.locator("#export-result")
    assert result.get_attribute("data-status") == "blocked"
    named = result.locator("ul.cells li").all_inner_texts()
    primary = [cell for cell in named if re.search(r": primary: n=\d < 10$", cell)]
    assert primary and all(cell in primary or re.search(r": secondary: protects \(", cell) for cell in named)
    assert page.locator("#export-table").count() == 0
    page.get_by_label("Ik accepteer dat kleine cellen worden onderdrukt").check()
    page.get_by_role("button", name="Controleren en tonen").click()
    page.wait_for_url("**/workspace/export#export")
    assert result.get_attribute("data-status") == "released"
    suppressed = page.locator("#export-table td.suppressed")
    kinds = suppressed.evaluate_all("cells => cells.map(c => c.dataset.suppressed)")
    assert kinds.count("primary") == len(primary) and "secondary" in kinds
    assert page.locator('#export-table td[data-suppressed="primary"]').first.inner_text().strip() == (
        "× onderdrukt (primair)"
    )
    published = [
        int(n) for n in page.locator("#export-table tbody td.num:not(.suppressed)").all_inner_texts() if n.isdigit()
    ]
    assert len(published) + len(kinds) >= 41 * 4  # a cross table of wijken x voorzieningen
    assert published and min(published) >= 10
    accessible(page)
    screenshot(page, "governance-workspace-nl")
    screenshot(page, "governance-workspace-export-nl", selector="#export")

    # The same page in English.
    page.goto(f"{base}/opgaven/{opgave_id}/workspace?lang=en")
    assert page.locator("h1").inner_text() == f"Workspace of opgave {opgave_id}"
    page.get_by_label("SQL of the count table").fill(COUNT_SQL)
    page.get_by_label("Dimensions").fill("wijkcode, voorziening")
    page.get_by_label("Column with the counts").fill("n")
    page.get_by_label("I accept that small cells are suppressed").check()
    page.get_by_role("button", name="Check and show").click()
    page.wait_for_url("**/workspace/export#export")
    assert page.locator("#export-result h3").inner_text() == "Released"
    assert page.locator('#export-table td[data-suppressed="primary"]').first.inner_text().strip() == (
        "× suppressed (primary)"
    )
    accessible(page)
    screenshot(page, "governance-workspace-en")
    screenshot(page, "governance-workspace-export-en", selector="#export")
    page.goto(f"{base}/opgaven?lang=nl")

    # 6. The end date passes: the sweep destroys the workspace.
    swept = platform.workspaces.sweep(today=end_date + dt.timedelta(days=1))
    assert [d["opgave"] for d in swept] == [opgave_id]
    today = dt.date.today()
    response = page.goto(f"{base}/opgaven/{opgave_id}/workspace")
    assert response.status == 410
    assert (
        f"the workspace of opgave {opgave_id} was destroyed on {today.isoformat()}"
        in page.locator(".form-error").inner_text()
    )
    accessible(page)
    screenshot(page, "governance-workspace-destroyed-nl")
    page.goto(f"{base}/opgaven/{opgave_id}")
    assert page.locator("#workspace-destroyed").inner_text().startswith("De werkruimte is vernietigd op")
    assert "end date" in page.locator(".destruction").inner_text()
    accessible(page)
    screenshot(page, "governance-opgave-nl")
    page.goto(f"{base}/opgaven")
    accessible(page)
    screenshot(page, "governance-opgaven-nl")
    log_out(page)

    # 7. The board finds the destruction record, and the chain is intact.
    log_in(page, base, "bart", "/audit", sent_by_the_page=True)
    page.get_by_label("Actie").fill("workspace_destroyed")
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_url("**/audit?*action=workspace_destroyed*")
    record = page.locator("#audit-table tbody tr", has_text=f"opgave/{opgave_id}/workspace")
    assert record.count() == 1
    record.locator("summary").click()  # the detail unfolds: what was destroyed, and why
    detail = record.locator("pre").inner_text()
    assert f"end date {end_date.isoformat()} passed" in detail and f"{opgave_id}.key" in detail
    assert page.locator("#audit-verify").get_attribute("data-ok") == "true"
    assert page.locator("#audit-verify").inner_text().startswith("De keten is intact")
    accessible(page)
    screenshot(page, "governance-audit-nl")


# -- the other pages: Datashop, inbox, phone width ---------------------------------------------------
def test_datashop_and_inbox_in_the_browser(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    base = live_server.url
    log_in(page, base, "ana", "/datashop", sent_by_the_page=True)
    page.get_by_label("Vraag", exact=True).fill("Hoeveel Wmo-cliënten zijn er per wijk in 2019?")
    page.get_by_label("Doel", exact=True).fill("Voor de begroting van de wijkteams in 2027.")
    page.get_by_role("button", name="Vraag indienen").click()
    page.wait_for_url(re.compile(r".*/datashop/\d+\?done=filed$"))
    request_id = int(re.search(r"/datashop/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert page.locator(".state-line .state").inner_text() == "nieuw"
    page.goto(f"{base}/datashop")
    accessible(page)
    screenshot(page, "governance-datashop-nl")
    log_out(page)

    log_in(page, base, "dora", f"/datashop/{request_id}", sent_by_the_page=True)
    page.get_by_label("Beantwoord met bestaande data of indicatoren").check()
    page.get_by_label("Toelichting").fill("Staat al in cbs_kwb_2019_den_haag, kolom WmoClienten_89.")
    accessible(page)
    page.get_by_role("button", name="Afhandeling vastleggen").click()
    page.wait_for_url(f"**/datashop/{request_id}?done=triaged")
    assert page.locator(".state-line .state").inner_text() == "beantwoord"
    assert page.locator("ol.history > li").count() == 2
    accessible(page)
    screenshot(page, "governance-datashop-request-nl")
    log_out(page)

    notice = quarantine_kwb(live_server.platform, tmp_path)
    log_in(page, base, "adam", "/inbox", sent_by_the_page=True)
    assert page.locator("a[href='/inbox'] [data-unread]").inner_text().startswith("1")
    row = page.locator(f'#inbox-table tr[data-notice="{notice}"]')
    assert "ongelezen" in row.inner_text()
    accessible(page)
    screenshot(page, "governance-inbox-nl")
    row.get_by_role("link").click()
    page.wait_for_url(f"**/inbox/{notice}")
    assert "quarantined" in page.locator(".notice-body").inner_text()
    accessible(page)
    screenshot(page, "governance-notice-nl")


@pytest.mark.parametrize("path", ["/opgaven/1", "/opgaven/1/workspace", "/opgaven/new", "/audit", "/datashop"])
def test_staff_pages_fit_a_phone(browser: Any, live_server: LiveServer, path: str) -> None:
    with open_page(browser, viewport={"width": 390, "height": 900}, locale="nl-NL") as page:
        user = "bart" if path == "/audit" else "ana"
        log_in(page, live_server.url, user, path, sent_by_the_page=True)
        no_sideways_scroll(page)
        accessible(page)
        if path == "/opgaven/1/workspace":
            screenshot(page, "governance-workspace-nl-mobile")
