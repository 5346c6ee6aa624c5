"""The traffic-risk page (issue #10) in a real browser: Debian's chromium driven by Playwright over
a live server with the full demo (which computes the hotspots). A newcomer follows the navigation to
the page, sees Utrecht's ranked hotspots on the map, follows the highest circle to its table row,
sorts the table in place and switches to Amersfoort; on a 390 px phone nothing scrolls sideways.
axe-core finds no serious or critical WCAG 2.1 AA violation. Screenshots:
build/screenshots/verkeer.png (desktop) and build/screenshots/verkeer-phone.png (390 px)."""

from __future__ import annotations

from typing import Any

from tests.web.browser import (
    PAGE_OPTIONS,
    accessible,
    no_sideways_scroll,
    open_page,
    requires_chromium,
    screenshot,
)
from tests.web.conftest import LiveServer

pytestmark = requires_chromium


def test_a_newcomer_finds_utrechts_hotspots_on_the_map_and_in_the_table(page: Any, live_server: LiveServer) -> None:
    base = live_server.url
    page.goto(base + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Verkeersveiligheid").click()
    page.wait_for_url(base + "/verkeer")
    assert page.locator("h1").inner_text() == "Verkeersveiligheid: plekken met de meeste ongevallen"
    assert page.locator("#gemeente-select").input_value() == "GM0344"

    circles = page.locator("#verkeer-kaart svg circle[data-rank]")
    assert circles.count() == 25
    first = page.locator('#verkeer-kaart svg circle[data-rank="1"]')
    assert first.locator("title").text_content().startswith("Rang 1: risicoscore ")
    first.click()
    page.wait_for_url("**/verkeer#loc-GM0344-*")
    target = page.url.split("#", 1)[1]
    assert page.locator(f"#{target} th").inner_text().strip() == "1"

    header = page.locator("#vk-table thead th[data-key='letsel']")
    header.get_by_role("link").click()  # sorted in place by the script: ascending, then descending
    header.get_by_role("link").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = page.locator("#vk-table tbody tr").evaluate_all(
        "rows => rows.map(r => Number(r.children[6].dataset.value))"
    )
    assert values == sorted(values, reverse=True) and len(values) == 50

    accessible(page)
    no_sideways_scroll(page)
    page.goto(base + "/verkeer")
    screenshot(page, "verkeer")

    page.locator("#gemeente-select").select_option("GM0307")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url(base + "/verkeer/GM0307")
    assert "Amersfoort in 2015-2018" in page.locator("#summary-title").inner_text()
    assert "geen plek met zowel ongevallen als meldingen" in page.locator("#geen-overlap").inner_text()


def test_on_a_phone_nothing_scrolls_sideways_and_english_works(browser: Any, live_server: LiveServer) -> None:
    options = {**PAGE_OPTIONS, "viewport": {"width": 390, "height": 844}, "is_mobile": True}
    with open_page(browser, **options) as phone:
        phone.goto(live_server.url + "/verkeer")
        no_sideways_scroll(phone)
        accessible(phone)
        screenshot(phone, "verkeer-phone")
        phone.goto(live_server.url + "/verkeer?lang=en")
        assert phone.locator("h1").inner_text() == "Road safety: places with the most accidents"
        no_sideways_scroll(phone)
