"""Issue #7's "Done when" in a real browser: Debian's chromium driven by Playwright, over a live server.

A newcomer opens the algorithm register from the menu, searches "Den Haag" (26 of the real 96
entries), narrows by the organisation facet and the status, opens one and reads its fields under the
standard's titles, with what the 2022 import found missing. The data officer dora logs in through
the login form, edits one field with a reason, and sees the change in the version history (who,
what was, what became, why). axe-core checks every page type against WCAG 2.1 AA (no serious or
critical violation); screenshots go to build/screenshots/register-*.png.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from stadsdata.register.standard import STANDARD
from tests.web.browser import accessible, log_in, log_out, no_sideways_scroll, open_page, requires_chromium, screenshot
from tests.web.conftest import LiveServer

pytestmark = requires_chromium

DEN_HAAG = "Gemeente Den Haag"


def count_heading(page: Any) -> str:
    return str(page.locator("#results-title").inner_text())


# -- the newcomer --------------------------------------------------------------------------------------
def test_a_newcomer_finds_the_den_haag_algorithms_and_reads_one(page: Any, live_server: LiveServer) -> None:
    base, register = live_server.url, live_server.platform.algorithms
    # the real 2022 register (96 entries, 26 of Den Haag) and the model cards the demo registers
    everything = register.search(limit=1).total
    den_haag = register.search(filters={"organization": [DEN_HAAG]}, limit=1).total
    assert everything >= 96 and den_haag >= 26
    page.goto(base + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Algoritmes").click()
    page.wait_for_url("**/algoritmes")
    assert page.locator("h1").inner_text() == "Algoritmeregister"
    assert count_heading(page) == f"{everything} algoritmes gevonden"
    accessible(page)
    screenshot(page, "register-list-nl")

    # Search "Den Haag": the entries of the municipality, and only those.
    page.get_by_label("Zoek een algoritme").fill("Den Haag")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**/algoritmes?q=Den+Haag")
    assert count_heading(page) == f"{den_haag} algoritmes gevonden"
    organisations = page.locator(".algo-card__organization").all_inner_texts()
    assert set(organisations) == {DEN_HAAG} and len(organisations) == 20  # the first page
    assert page.get_by_role("link", name="Volgende").count() == 1

    # The same by ticking the organisation facet, then a theme on top.
    page.goto(base + "/algoritmes")
    page.locator(f'a[data-facet="organization"][data-value="{DEN_HAAG}"]').click()
    page.wait_for_url("**/algoritmes?organization=Gemeente+Den+Haag")
    assert count_heading(page) == f"{den_haag} algoritmes gevonden"
    assert page.locator(".chip").inner_text().startswith(f"Organisatie: {DEN_HAAG}")
    status = page.locator('a[data-facet="status"][data-value="In gebruik"]')
    status_count = int(status.locator(".count").inner_text())
    assert 0 < status_count < den_haag
    status.click()
    page.wait_for_url("**/algoritmes?organization=Gemeente+Den+Haag&status=In+gebruik")
    assert count_heading(page) == f"{status_count} algoritmes gevonden"
    assert page.locator(".chip").count() == 2
    accessible(page)
    screenshot(page, "register-list-filtered-nl")

    # Open one: every field under the standard's title, what is missing, its history.
    card = page.locator(".algo-card").first
    name = card.locator(".card__title a").inner_text()
    card.locator(".card__title a").click()
    page.wait_for_url(re.compile(r".*/algoritmes/[a-z0-9-]+$"))
    assert page.locator("h1").inner_text() == name
    titles = page.locator(".algo-fields dt").all_inner_texts()
    assert titles == [f.title for f in STANDARD.values()]
    entry = live_server.platform.algorithms.get(page.url.rsplit("/", 1)[1])
    assert entry.status == "In gebruik" and entry.organization == DEN_HAAG
    row = page.locator('.algo-field[data-field="organization"] dd')
    assert row.inner_text().strip() == DEN_HAAG
    assert "ontbreekt: Publicatiecategorie" in page.locator("#algorithm-problems").inner_text()
    assert page.locator(".algo-version").count() == 1
    assert page.get_by_role("link", name="Bewerken").count() == 0  # the public does not edit
    accessible(page)
    screenshot(page, "register-entry-nl")

    # The same page in English (the standard's titles stay Dutch, marked as such).
    page.goto(page.url + "?lang=en")
    assert page.locator("#fields-title").inner_text() == "Fields of the standard"
    accessible(page)
    screenshot(page, "register-entry-en")


# -- the data officer ------------------------------------------------------------------------------------
def test_dora_edits_a_field_with_a_reason_and_sees_the_history(page: Any, live_server: LiveServer) -> None:
    base, platform = live_server.url, live_server.platform
    entry = next(
        e
        for e in platform.algorithms.search(filters={"organization": [DEN_HAAG]}, limit=100).entries
        if any("U+FFFD" in p.message for p in e.problems)
    )
    before = entry.version
    log_in(page, base, "dora", f"/algoritmes/{entry.id}")
    notice = page.locator("#algorithm-problems").inner_text()
    assert "ontbreekt: Publicatiecategorie" in notice and "tekens onleesbaar in:" in notice
    page.get_by_role("link", name="Bewerken").click()
    page.wait_for_url(f"**/algoritmes/{entry.id}/edit")

    # A hint under each field; the instructions fold open.
    assert page.locator("#f-name-hint").inner_text().startswith(STANDARD["name"].help_text)
    details = page.locator('[data-field="name"] details.algo-instructions')
    assert not details.evaluate("d => d.open")
    details.locator("summary").click()
    assert details.evaluate("d => d.open")
    accessible(page)
    screenshot(page, "register-edit-nl")

    # First without a reason: the form comes back with everything entered, and says why.
    page.get_by_label("Publicatiecategorie").select_option("Impactvolle algoritmes")
    page.get_by_role("button", name="Wijziging opslaan").click()
    page.wait_for_url(f"**/algoritmes/{entry.id}/edit")
    assert "reason" in page.locator("#form-error").inner_text()
    assert page.get_by_label("Publicatiecategorie").input_value() == "Impactvolle algoritmes"
    assert page.locator("#f-reason").get_attribute("aria-invalid") == "true"
    accessible(page)
    screenshot(page, "register-edit-error-nl")

    page.get_by_label("Reden van de wijziging").fill("Publicatiecategorie volgens de standaard 1.0 ingevuld.")
    page.get_by_role("button", name="Wijziging opslaan").click()
    page.wait_for_url(f"**/algoritmes/{entry.id}?done=saved#history")
    assert "opgeslagen als nieuwe versie" in page.locator(".notice--done").inner_text()
    assert "ontbreekt" not in page.locator("#algorithm-problems").inner_text()
    newest = page.locator(".algo-version").first
    assert newest.get_attribute("data-version") == str(before + 1)
    head = newest.locator(".algo-version__head").inner_text()
    assert f"Versie {before + 1}" in head and "door dora" in head
    assert "Publicatiecategorie volgens de standaard 1.0 ingevuld." in newest.inner_text()
    change = newest.locator('tr[data-field="publication_category"]')
    assert change.locator("th").inner_text() == "Publicatiecategorie"
    assert change.locator(".algo-changes__new").inner_text() == "Impactvolle algoritmes"
    assert change.locator(".algo-changes__old").inner_text() == "niet ingevuld"
    assert platform.algorithms.get(entry.id).publication_category == "Impactvolle algoritmes"
    accessible(page)
    screenshot(page, "register-history-nl")
    log_out(page)


@pytest.mark.parametrize("path", ["/algoritmes", "/algoritmes/{id}", "/algoritmes/{id}/edit"])
def test_the_register_pages_fit_a_phone(browser: Any, live_server: LiveServer, path: str) -> None:
    entry = live_server.platform.algorithms.search(filters={"organization": [DEN_HAAG]}, limit=1).entries[0]
    path = path.format(id=entry.id)
    with open_page(browser, viewport={"width": 390, "height": 900}, locale="nl-NL") as page:
        if path.endswith("/edit"):
            log_in(page, live_server.url, "dora", path)
        else:
            page.goto(live_server.url + path)
        no_sideways_scroll(page)
        accessible(page)
        if path == "/algoritmes":
            screenshot(page, "register-list-nl-mobile")
        elif path.endswith("/edit"):
            screenshot(page, "register-edit-nl-mobile")
        else:
            screenshot(page, "register-entry-nl-mobile")
