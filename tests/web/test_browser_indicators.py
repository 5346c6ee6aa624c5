"""Issue #6's "Done when" in a real browser: Debian's chromium driven by Playwright, over a live server.

A newcomer opens the indicators from the menu, finds Den Haag, opens its profile
(/indicatoren/regio/GM0518), puts Wmo clients per 1,000 inhabitants on the map of its 44 wijken,
compares Den Haag with the most similar gemeenten, sorts the table and downloads the comparison
as CSV. axe-core finds no serious or critical WCAG 2.1 AA violation on a theme page, a region
profile, a comparison, a map page and an embed; screenshots go to build/screenshots/indicators-*.png.
"""

from __future__ import annotations

import csv
import functools
import http.server
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from stadsdata.indicators.model import Level
from tests.indicators.helpers import WMO
from tests.web.browser import accessible, no_sideways_scroll, open_page, requires_chromium, screenshot
from tests.web.conftest import LiveServer

pytestmark = requires_chromium


def table_order(page: Any, table: str) -> list[str]:
    return [str(c) for c in page.locator(f"{table} tbody tr").evaluate_all("rows => rows.map(r => r.dataset.region)")]


# -- the newcomer ----------------------------------------------------------------------------------
def test_a_newcomer_maps_wmo_per_wijk_compares_den_haag_and_downloads_the_csv(
    page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    base, service = live_server.url, live_server.platform.indicators
    page.goto(base + "/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Indicatoren").click()
    page.wait_for_url("**/indicatoren")
    assert page.locator("h1").inner_text() == "Indicatoren"

    # Find Den Haag and open its profile.
    page.get_by_label("Zoek een gemeente, wijk of buurt").fill("gravenhage")
    page.get_by_role("button", name="Tonen").click()
    page.get_by_role("link", name="'s-Gravenhage", exact=True).click()
    page.wait_for_url("**/indicatoren/regio/GM0518")
    assert page.locator("h1").inner_text() == "Profiel van 's-Gravenhage"
    accessible(page)
    screenshot(page, "indicators-profile-GM0518")

    # Wmo clients per 1,000 inhabitants for every wijk, on the map.
    page.get_by_label("Indicator op de kaart").select_option(WMO)
    page.locator("#kaart").get_by_role("button", name="Tonen").click()
    page.wait_for_url(f"**/indicatoren/regio/GM0518?kaart={WMO}*")
    shapes = page.locator("#region-map svg a")
    assert shapes.count() == 44 == len(service.regions(level=Level.wijk, gemeente="GM0518"))
    assert page.locator('#region-map svg path[data-code="WK051829"] title').text_content() == "Schildersbuurt: 108,2"
    assert page.locator('#region-map svg path[data-code="WK051801"] title').text_content() == "Oostduinen: geheim"
    assert "Wmo-cliënten per wijk" in page.locator("#region-map .ind-figure__title").inner_text()
    page.locator("#region-map").scroll_into_view_if_needed()
    screenshot(page, "indicators-map-wmo-wijken", selector="#region-map")
    page.locator('#region-map svg a[href="/indicatoren/regio/WK051829"]').click()  # a wijk opens its profile
    page.wait_for_url("**/indicatoren/regio/WK051829")
    assert page.locator("h1").inner_text() == "Profiel van Schildersbuurt"
    page.go_back()

    # Compare Den Haag with the most similar gemeenten.
    page.get_by_role("link", name="'s-Gravenhage vergelijken").first.click()
    page.wait_for_url("**/indicatoren/vergelijk?regio=GM0518")
    peers = [p.region.code for p in service.peers("GM0518", n=8)]
    assert table_order(page, "#compare-table") == ["GM0518", *peers]
    accessible(page)
    screenshot(page, "indicators-compare-GM0518")

    # Sort on a column in place (JavaScript), secret and missing values last.
    header = page.locator("#compare-table thead th").nth(1)
    header.get_by_role("link").click()
    assert header.get_attribute("aria-sort") == "ascending"
    header.get_by_role("link").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = page.locator("#compare-table tbody tr").evaluate_all("rows => rows.map(r => r.children[1].dataset.value)")
    known = [float(v) for v in values if v]
    assert known == sorted(known, reverse=True) and values[: len(known)] == [v for v in values if v]
    assert "sort=-" in page.url

    # Download the comparison as CSV.
    with page.expect_download() as info:
        page.locator("#vergelijking .ind-tools").get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("vergelijking-GM0518") and download.suggested_filename.endswith(
        ".csv"
    )
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0][:2] == ["code", "Gebied"]
    assert sorted(r[0] for r in rows[1:]) == sorted(["GM0518", *peers])
    assert not any(cell == "0" for row in rows[1:] for cell in row[2:] if cell == "geheim")


# -- accessibility and screenshots of every kind of page -------------------------------------------
@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("home", "/indicatoren"),
        ("theme", "/indicatoren/thema/zorg_en_welzijn?regio=GM0518"),
        ("product", "/indicatoren/product/sociaal_domein"),
        ("monitor", "/indicatoren/monitor/wmo_monitor_den_haag"),
        ("profile-wijk", "/indicatoren/regio/WK051829"),
        ("profile-buurt-en", "/indicatoren/regio/BU05182915?lang=en"),
        ("indicator-gemeenten", "/indicatoren/inwoners"),
        ("indicator-buurten", f"/indicatoren/{WMO}?niveau=buurt&gemeente=GM0518"),
        ("compare-chosen", "/indicatoren/vergelijk?regio=GM0518,GM0599,Utrecht&thema=zorg_en_welzijn"),
        ("compare-wijk", "/indicatoren/vergelijk?regio=WK051829&thema=zorg_en_welzijn"),
        ("embed-map", f"/embed/kaart?indicator={WMO}&niveau=wijk&gemeente=GM0518"),
    ],
)
def test_every_kind_of_page_is_accessible(page: Any, live_server: LiveServer, name: str, url: str) -> None:
    response = page.goto(live_server.url + url)
    assert response.status == 200
    accessible(page)
    no_sideways_scroll(page)
    screenshot(page, f"indicators-{name}")


def test_on_a_phone_wide_tables_and_maps_stay_inside_the_page(browser: Any, live_server: LiveServer) -> None:
    with open_page(browser, viewport={"width": 390, "height": 844}, locale="nl-NL") as page:
        for url in ("/indicatoren/vergelijk?regio=GM0518", f"/indicatoren/regio/GM0518?kaart={WMO}"):
            page.goto(live_server.url + url)
            no_sideways_scroll(page)
            accessible(page)
        page.locator("#region-map").scroll_into_view_if_needed()
        screenshot(page, "indicators-profile-GM0518-phone")


def test_sorting_works_without_javascript(browser: Any, live_server: LiveServer) -> None:
    with open_page(browser, java_script_enabled=False) as page:
        page.goto(live_server.url + "/indicatoren/monitor/wmo_monitor_den_haag")
        page.locator("#monitor-table thead th").nth(1).get_by_role("link").click()  # the server sorts
        page.wait_for_url(f"**sort={WMO}*")
        page.locator("#monitor-table thead th").nth(1).get_by_role("link").click()
        page.wait_for_url(f"**sort=-{WMO}*")
        assert table_order(page, "#monitor-table")[0] == "WK051835"  # Zuiderpark: the highest Wmo share


def test_the_embed_shows_in_an_iframe_of_another_site(page: Any, live_server: LiveServer, tmp_path: Path) -> None:
    """The snippet on the page, pasted into a page of another site (another origin), shows the map;
    a normal page in the same place is refused."""
    page.goto(live_server.url + "/indicatoren/monitor/wmo_monitor_den_haag")
    page.locator("#monitor-map .ind-embed summary").click()
    snippet = page.locator("#monitor-map textarea").input_value()
    assert snippet.startswith(f'<iframe src="{live_server.url}/embed/kaart?indicator=')
    (tmp_path / "kaart.html").write_text(f"<!doctype html><title>Elders</title>{snippet}", encoding="utf-8")
    (tmp_path / "pagina.html").write_text(
        f'<!doctype html><title>Elders</title><iframe src="{live_server.url}/indicatoren"></iframe>', encoding="utf-8"
    )
    with other_site(tmp_path) as elsewhere:
        page.goto(f"{elsewhere}/kaart.html")
        frame = page.frame_locator("iframe")
        frame.locator("svg").wait_for()
        assert frame.locator("svg a").count() == 44
        screenshot(page, "indicators-embedded-elsewhere")
        with page.expect_response(f"{live_server.url}/indicatoren") as answer:
            page.goto(f"{elsewhere}/pagina.html")
        assert answer.value.status == 200 and answer.value.headers["x-frame-options"] == "DENY"
        page.wait_for_timeout(500)
        framed = page.frames[1]
        assert framed.url.startswith("chrome-error://")  # the browser refused to show it
        assert "Indicatoren" not in framed.content()


@contextmanager
def other_site(folder: Path) -> Iterator[str]:
    """A static web server for ``folder`` on localhost: another origin than the app's 127.0.0.1."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
