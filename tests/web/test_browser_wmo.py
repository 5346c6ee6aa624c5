"""The Wmo forecast page (issue #8, item 7) in a real browser: Debian's chromium driven by
Playwright over a live server with a trained model. From the Wmo monitor to the forecast, a wijk
chosen on the map, the table sorted in place; axe-core finds no serious or critical WCAG 2.1 AA
violation; the screenshot goes to build/screenshots/wmo-forecast.png.

Without chromium this skips; STADSDATA_REQUIRE_ALL=1 (CI) turns that skip into a failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from stadsdata.platform import Platform
from tests.conftest import make_settings
from tests.web.conftest import LiveServer
from tests.web.test_browser import CHROMIUM, LAUNCH_ARGS, SCREENSHOTS, serious_violations
from tests.web.test_browser_governance import no_sideways_scroll

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed: run scripts/chromium.sh as root (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def served(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("wmo") / "home"
    shutil.copytree(demo_template, home)
    with Platform(make_settings(home)) as platform:
        platform.models.wmo.train(by="tester")
        with LiveServer(platform) as server:
            yield server.url


def test_the_wmo_forecast_from_the_monitor_to_a_wijk_is_accessible(served: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
            context.set_default_timeout(20_000)
            page = context.new_page()
            page.goto(served + "/indicatoren/monitor/wmo_monitor_den_haag")
            page.get_by_role("link", name="Wmo-prognose per wijk", exact=False).first.click()
            page.wait_for_url("**/indicatoren/wmo-prognose")
            assert page.locator("h1").inner_text() == "Wmo-prognose per wijk"

            page.locator('#wmo-map svg a[href*="WK051829"]').click()  # a wijk on the map: its forecast
            page.wait_for_url("**/indicatoren/wmo-prognose?wijk=WK051829*")
            assert page.locator("#wijk-select").input_value() == "WK051829"
            assert "Schildersbuurt" in page.locator("#years-caption").inner_text()

            header = page.locator("#wmo-table thead th").nth(6)  # growth, sorted in place
            header.get_by_role("link").click()
            header.get_by_role("link").click()
            assert header.get_attribute("aria-sort") == "descending"
            values = page.locator("#wmo-table tbody tr").evaluate_all(
                "rows => rows.map(r => r.children[6].dataset.value)"
            )
            known = [float(v) for v in values if v]
            assert known == sorted(known, reverse=True) and len(known) > 30

            violations = serious_violations(page)
            assert not violations, "\n".join(violations)
            no_sideways_scroll(page)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "wmo-forecast.png"), full_page=True)
            context.close()
        finally:
            browser.close()
