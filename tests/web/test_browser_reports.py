"""The reports dashboard (issue #10) in a real browser: Debian's chromium driven by Playwright over
a live server with the real Assen reports. A newcomer goes from the portal's menu to the dashboard,
filters on a category with the plain form, sorts the wijk table in place and points at a map cell;
axe-core finds no serious or critical WCAG 2.1 AA violation; the page does not scroll sideways on
a desktop or a 390 px phone. Screenshots: build/screenshots/reports-dashboard{,-phone}.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stadsdata.platform import Platform
from stadsdata.reports import TEMPLATE, UNSAFE_TRAFFIC
from tests.conftest import make_settings
from tests.reports.conftest import load, rows
from tests.web.browser import PAGE_TIMEOUT_MS, accessible, no_sideways_scroll, open_page, requires_chromium, screenshot
from tests.web.conftest import LiveServer

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home: Path = tmp_path_factory.mktemp("reports-live") / "home"
    with Platform(make_settings(home)) as platform:
        load(platform, TEMPLATE, "cbs_gemeenten_2024")
        with LiveServer(platform) as server:
            yield server.url


def test_a_newcomer_finds_the_reports_by_category_wijk_week_and_map(page: Any, served: str) -> None:
    page.goto(served + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Meldingen").click()
    page.wait_for_url(f"**/meldingen/{TEMPLATE}")
    assert "Meldingen openbare ruimte Assen" in page.locator("h1").inner_text()
    total = len(rows())
    assert page.locator("[data-total]").get_attribute("data-total") == str(total)
    for part in ("#categorieen", "#wijken", "#weken", "#afhandeltijd", "#kaart", "#kanttekeningen"):
        assert page.locator(part).is_visible(), part
    cells = page.locator("#rep-map-figure [data-cell]")
    assert cells.count() > 100
    assert "meldingen in het vak van 250 m" in cells.first.locator("title").text_content()

    header = page.locator("#rep-areas thead th").nth(0)  # wijk names, sorted in place
    header.get_by_role("link").click()
    names = page.locator("#rep-areas tbody th").evaluate_all("cells => cells.map(c => c.dataset.value)")
    assert header.get_attribute("aria-sort") == "ascending"
    assert names == sorted(names, key=str.casefold) and len(names) == len({r["wijk"] for r in rows()})

    accessible(page)
    no_sideways_scroll(page)
    screenshot(page, "reports-dashboard")

    page.select_option("#f-main", "Wegen, verkeer en straatmeubilair")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**hoofdcategorie=Wegen*")
    page.select_option("#f-sub", UNSAFE_TRAFFIC)
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**subcategorie=Onveilige*")
    unsafe = sum(1 for r in rows() if r["subcategorie"] == UNSAFE_TRAFFIC)
    assert page.locator("[data-total]").get_attribute("data-total") == str(unsafe)
    assert page.locator("#rep-resolution caption").inner_text() == "Afhandeltijd per subcategorie"
    accessible(page)


def test_the_dashboard_fits_a_phone(browser: Any, served: str) -> None:
    options = {"viewport": {"width": 390, "height": 844}, "locale": "nl-NL", "device_scale_factor": 2}
    with open_page(browser, **options) as phone:
        phone.set_default_timeout(PAGE_TIMEOUT_MS)
        phone.goto(served + "/meldingen")
        phone.wait_for_url(f"**/meldingen/{TEMPLATE}")
        no_sideways_scroll(phone)
        assert phone.locator("#rep-map-figure svg").bounding_box()["width"] <= 390
        accessible(phone)
        screenshot(phone, "reports-dashboard-phone")
