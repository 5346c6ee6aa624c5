"""Issue #7's "Done when" in a real browser: Debian's chromium driven by Playwright, over a live server.

A newcomer opens the algorithm register from the menu, searches "Den Haag" (26 of the real 96
entries), narrows by the organisation facet and the status, opens one and reads its fields under the
standard's titles, with what the 2022 import found missing. The data officer dora logs in through
the login form, edits one field with a reason, and sees the change in the version history (who,
what was, what became, why). axe-core checks every page type against WCAG 2.1 AA (no serious or
critical violation); screenshots go to build/screenshots/register-*.png.

Chromium comes from Debian (scripts/chromium.sh installs it); without it these tests skip, and
STADSDATA_REQUIRE_ALL=1 (CI) turns that skip into a failure.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from stadsdata.platform import DEMO_PASSWORD, Platform
from stadsdata.register.standard import STANDARD
from tests.conftest import make_settings
from tests.web.conftest import LiveServer
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, SCREENSHOTS, serious_violations
from tests.web.test_browser_governance import log_out, no_sideways_scroll

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed: run scripts/chromium.sh as root (apt-get install chromium)",
)

DEN_HAAG = "Gemeente Den Haag"


class Served:
    def __init__(self, platform: Platform, server: LiveServer) -> None:
        self.platform = platform
        self.url = server.url


@pytest.fixture(scope="module")
def served(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("register") / "home"
    shutil.copytree(demo_template, home)
    with Platform(make_settings(home)) as platform, LiveServer(platform) as server:
        yield Served(platform, server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"register-{name}.png"), full_page=True)


def accessible(page: Any) -> None:
    violations = serious_violations(page)
    assert not violations, f"{page.url}:\n" + "\n".join(violations)


def log_in(page: Any, base: str, user: str, next_path: str) -> None:
    """Through the login form, coming back to ``next_path`` (as the header's login link does)."""
    page.goto(f"{base}/login?next={quote(next_path)}")
    page.get_by_label("Gebruikersnaam").fill(user)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(base + next_path)
    assert page.locator(".site-nav__name").inner_text() == user


def count_heading(page: Any) -> str:
    return str(page.locator("#results-title").inner_text())


# -- the newcomer --------------------------------------------------------------------------------------
def test_a_newcomer_finds_the_den_haag_algorithms_and_reads_one(page: Any, served: Served) -> None:
    base = served.url
    page.goto(base + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Algoritmes").click()
    page.wait_for_url("**/algoritmes")
    assert page.locator("h1").inner_text() == "Algoritmeregister"
    assert count_heading(page) == "96 algoritmes gevonden"
    accessible(page)
    screenshot(page, "list-nl")

    # Search "Den Haag": the 26 entries of the municipality, and only those.
    page.get_by_label("Zoek een algoritme").fill("Den Haag")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**/algoritmes?q=Den+Haag")
    assert count_heading(page) == "26 algoritmes gevonden"
    organisations = page.locator(".algo-card__organization").all_inner_texts()
    assert set(organisations) == {DEN_HAAG} and len(organisations) == 20  # the first page
    assert page.get_by_role("link", name="Volgende").count() == 1

    # The same by ticking the organisation facet, then a theme on top.
    page.goto(base + "/algoritmes")
    page.locator(f'a[data-facet="organization"][data-value="{DEN_HAAG}"]').click()
    page.wait_for_url("**/algoritmes?organization=Gemeente+Den+Haag")
    assert count_heading(page) == "26 algoritmes gevonden"
    assert page.locator(".chip").inner_text().startswith(f"Organisatie: {DEN_HAAG}")
    status = page.locator('a[data-facet="status"][data-value="In gebruik"]')
    status_count = int(status.locator(".count").inner_text())
    assert 0 < status_count < 26
    status.click()
    page.wait_for_url("**/algoritmes?organization=Gemeente+Den+Haag&status=In+gebruik")
    assert count_heading(page) == f"{status_count} algoritmes gevonden"
    assert page.locator(".chip").count() == 2
    accessible(page)
    screenshot(page, "list-filtered-nl")

    # Open one: every field under the standard's title, what is missing, its history.
    card = page.locator(".algo-card").first
    name = card.locator(".card__title a").inner_text()
    card.locator(".card__title a").click()
    page.wait_for_url(re.compile(r".*/algoritmes/[a-z0-9-]+$"))
    assert page.locator("h1").inner_text() == name
    titles = page.locator(".algo-fields dt").all_inner_texts()
    assert titles == [f.title for f in STANDARD.values()]
    entry = served.platform.algorithms.get(page.url.rsplit("/", 1)[1])
    assert entry.status == "In gebruik" and entry.organization == DEN_HAAG
    row = page.locator('.algo-field[data-field="organization"] dd')
    assert row.inner_text().strip() == DEN_HAAG
    assert "ontbreekt: Publicatiecategorie" in page.locator("#algorithm-problems").inner_text()
    assert page.locator(".algo-version").count() == 1
    assert page.get_by_role("link", name="Bewerken").count() == 0  # the public does not edit
    accessible(page)
    screenshot(page, "entry-nl")

    # The same page in English (the standard's titles stay Dutch, marked as such).
    page.goto(page.url + "?lang=en")
    assert page.locator("#fields-title").inner_text() == "Fields of the standard"
    accessible(page)
    screenshot(page, "entry-en")


# -- the data officer ------------------------------------------------------------------------------------
def test_dora_edits_a_field_with_a_reason_and_sees_the_history(page: Any, served: Served) -> None:
    base, platform = served.url, served.platform
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
    screenshot(page, "edit-nl")

    # First without a reason: the form comes back with everything entered, and says why.
    page.get_by_label("Publicatiecategorie").select_option("Impactvolle algoritmes")
    page.get_by_role("button", name="Wijziging opslaan").click()
    page.wait_for_url(f"**/algoritmes/{entry.id}/edit")
    assert "reason" in page.locator("#form-error").inner_text()
    assert page.get_by_label("Publicatiecategorie").input_value() == "Impactvolle algoritmes"
    assert page.locator("#f-reason").get_attribute("aria-invalid") == "true"
    accessible(page)
    screenshot(page, "edit-error-nl")

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
    screenshot(page, "history-nl")
    log_out(page)


@pytest.mark.parametrize("path", ["/algoritmes", "/algoritmes/{id}", "/algoritmes/{id}/edit"])
def test_the_register_pages_fit_a_phone(browser: Any, served: Served, path: str) -> None:
    entry = served.platform.algorithms.search(filters={"organization": [DEN_HAAG]}, limit=1).entries[0]
    path = path.format(id=entry.id)
    context = browser.new_context(viewport={"width": 390, "height": 900}, locale="nl-NL")
    try:
        page = context.new_page()
        if path.endswith("/edit"):
            log_in(page, served.url, "dora", path)
        else:
            page.goto(served.url + path)
        no_sideways_scroll(page)
        accessible(page)
        if path == "/algoritmes":
            screenshot(page, "list-nl-mobile")
        elif path.endswith("/edit"):
            screenshot(page, "edit-nl-mobile")
        else:
            screenshot(page, "entry-nl-mobile")
    finally:
        context.close()
