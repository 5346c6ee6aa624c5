"""The Wmo forecast page (issue #8, item 7) in a real browser: Debian's chromium driven by
Playwright over a live server with a trained model. From the Wmo monitor to the forecast, a wijk
chosen on the map, the table sorted in place; axe-core finds no serious or critical WCAG 2.1 AA
violation; the screenshot goes to build/screenshots/wmo-forecast.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.browser import accessible, no_sideways_scroll, requires_chromium, screenshot
from tests.web.conftest import LiveServer

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def served(live_server: LiveServer) -> Iterator[str]:
    """The live server, with the Wmo model trained on its platform."""
    live_server.platform.models.wmo.train(by="tester")
    yield live_server.url


def test_the_wmo_forecast_from_the_monitor_to_a_wijk_is_accessible(page: Any, served: str) -> None:
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
    values = page.locator("#wmo-table tbody tr").evaluate_all("rows => rows.map(r => r.children[6].dataset.value)")
    known = [float(v) for v in values if v]
    assert known == sorted(known, reverse=True) and len(known) > 30

    accessible(page)
    no_sideways_scroll(page)
    screenshot(page, "wmo-forecast")
