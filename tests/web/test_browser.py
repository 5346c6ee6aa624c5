"""The portal in a real browser: Debian's chromium driven by Playwright, over a live server.

The newcomer's path of the portal issue: search "wmo" on the home page, apply a facet, open the
Den Haag KWB dataset, read its columns, download it as CSV (and as CSV for Dutch Excel), follow the
API link. axe-core checks every page type against WCAG 2.1 AA (no serious or critical violation).
Screenshots of the home, search and dataset pages in Dutch and English go to build/screenshots/.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from stadsdata import demo
from stadsdata.core.contract import load_contract
from tests.web.browser import accessible, open_page, requires_chromium, screenshot

pytestmark = requires_chromium

KWB = "cbs_kwb_2019_den_haag"
KWB_TITLE_NL = "Kerncijfers wijken en buurten 2019, Den Haag (CBS)"
WMO_PANEL_TITLE_NL = "Wmo-cliënten met hulp bij het huishouden en kerncijfers per gemeente, 2017-2019 (CBS)"
KWB_TITLE_EN = "Key figures for districts and neighbourhoods 2019, The Hague (CBS)"


def kwb_columns() -> list[str]:
    return load_contract(demo.contract_path(KWB)).column_names


# -- the newcomer's path ---------------------------------------------------------------------
def test_contract_search_text_really_contains_wmo() -> None:
    """The search for "wmo" must find the dataset through its contract, not by luck."""
    contract = load_contract(demo.contract_path(KWB))
    assert "WmoClienten_89" in contract.column_names
    assert "Wmo" in contract.column("WmoClienten_89").description.nl


def test_search_facet_open_read_columns(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    page.get_by_label("Zoek een dataset").fill("wmo")
    page.get_by_role("button", name="Zoeken").click()
    page.wait_for_url("**/datasets?q=wmo")
    results = page.locator(".result-list .card__title a")
    # the Wmo panel and the Wmo forecast match in their titles, the Den Haag KWB through its column WmoClienten_89
    forecast = live_server.platform.catalog.show("wmo_prognose").contract.title.nl
    assert results.all_inner_texts() == [WMO_PANEL_TITLE_NL, forecast, KWB_TITLE_NL]
    assert "WmoClienten_89" in page.locator(".card__matched").last.inner_text()

    # Apply a facet: theme "Zorg en welzijn".
    page.locator('a[data-facet="theme"][data-value="zorg-en-welzijn"]').click()
    page.wait_for_url("**/datasets?q=wmo&theme=zorg-en-welzijn")
    assert "facet__link--selected" in (
        page.locator('a[data-facet="theme"][data-value="zorg-en-welzijn"]').get_attribute("class") or ""
    )
    assert page.locator(".chip").inner_text().startswith("Thema: Zorg en welzijn")
    forecast_themes = live_server.platform.catalog.show("wmo_prognose").contract.themes
    care = [WMO_PANEL_TITLE_NL, *([forecast] if "zorg-en-welzijn" in forecast_themes else []), KWB_TITLE_NL]
    assert results.all_inner_texts() == care  # the ones of theme zorg-en-welzijn

    # Open the dataset and read its column table.
    results.get_by_text(KWB_TITLE_NL).click()
    page.wait_for_url(f"**/datasets/{KWB}")
    assert page.locator("h1").inner_text() == KWB_TITLE_NL
    # 118 columns start folded; one click on "Alle 118 kolommen tonen" opens the table.
    table = page.locator("#columns-table")
    assert table.is_hidden()
    page.get_by_text("Alle 118 kolommen tonen").click()
    assert table.is_visible()
    row = page.locator("#columns-table tbody tr", has_text="WmoClienten_89")
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    assert cells == [
        "WmoClienten_89",
        "geheel getal",
        "aantal",
        "Aantal cliënten met een maatwerkarrangement in het kader van de Wmo.",
        "Geen",
    ]
    assert page.locator("#columns-table tbody tr").count() == 118
    assert page.locator("#preview-table tbody tr").count() == 20


def test_download_csv_and_csv_for_excel(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/datasets/{KWB}")
    columns = kwb_columns()

    with page.expect_download() as info:
        page.locator('a[data-format="csv"]').click()
    download = info.value
    assert download.suggested_filename.startswith(KWB) and download.suggested_filename.endswith(".csv")
    content = Path(download.path()).read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0] == columns
    assert len(rows) - 1 == 159
    assert {r[columns.index("WijkenEnBuurten")] for r in rows[1:]} >= {"GM0518", "WK051801", "BU05180170"}

    excel_link = page.locator('a[data-format="csv-excel"]')
    assert excel_link.inner_text().strip().endswith("CSV voor Excel")
    with page.expect_download() as info:
        excel_link.click()
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel must start with a UTF-8 BOM"
    excel_rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8")), delimiter=";"))
    assert excel_rows[0] == columns
    assert len(excel_rows) - 1 == 159


def test_follow_the_api_links_and_get_json(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/datasets/{KWB}")
    example = page.locator("#api-example").inner_text()
    assert example == f"curl '{live_server.url}/api/v1/datasets/{KWB}/rows?format=json'"

    with page.expect_navigation() as navigation:
        page.locator('a.api-link[data-api="rows"]').click()
    response = navigation.value
    assert response.status == 200
    assert "json" in response.headers["content-type"]
    body = json.loads(response.text())
    assert body["dataset"] == KWB and body["total"] == 159
    assert body["rows"] and all(row["WijkenEnBuurten"][2:6] == "0518" for row in body["rows"])

    page.go_back()
    with page.expect_navigation() as navigation:
        page.locator('a.api-link[data-api="metadata"]').click()
    metadata = json.loads(navigation.value.text())
    assert metadata["id"] == KWB


# -- behaviour without and with JavaScript, keyboard, layout ---------------------------------
def test_reading_and_searching_work_without_javascript(browser: Any, live_server: Any) -> None:
    with open_page(browser, java_script_enabled=False) as page:
        page.goto(live_server.url + "/")
        page.get_by_label("Zoek een dataset").fill("wmo")
        page.get_by_role("button", name="Zoeken").click()
        page.wait_for_url("**/datasets?q=wmo")
        page.locator('a[data-facet="format"][data-value="CSV"]').click()
        page.wait_for_url("**format=CSV")
        page.get_by_role("link", name=KWB_TITLE_NL).click()
        assert page.locator("h1").inner_text() == KWB_TITLE_NL
        assert page.locator("#preview-table tbody tr").count() == 20
        assert page.locator(".copy-button").is_hidden()  # the copy button needs the script


def test_copy_button_copies_the_api_example(browser: Any, live_server: Any) -> None:
    with open_page(browser) as page:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        page.goto(f"{live_server.url}/datasets/{KWB}")
        button = page.get_by_role("button", name="Kopiëren")
        button.click()
        page.locator(".copy-status", has_text="Gekopieerd").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == page.locator("#api-example").inner_text().strip()


def test_keyboard_skip_link_and_visible_focus(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return [e.textContent.trim(), s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused == ["Naar de inhoud", "solid", "3px"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"
    # Every further stop shows a 3px outline.
    for _ in range(6):
        page.keyboard.press("Tab")
        style = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
        assert style == "3px", page.evaluate("document.activeElement.outerHTML")


@pytest.mark.parametrize("width", [1280, 390])
def test_wide_tables_scroll_inside_their_container_not_the_page(browser: Any, live_server: Any, width: int) -> None:
    with open_page(browser, viewport={"width": width, "height": 900}) as page:
        page.goto(f"{live_server.url}/datasets/{KWB}")
        page_overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert page_overflow <= 0, f"the page scrolls sideways by {page_overflow}px at width {width}"
        scroll = page.evaluate(
            "(() => { const e = document.querySelector('#preview .table-scroll');"
            " return [e.scrollWidth, e.clientWidth]; })()"
        )
        assert scroll[0] > scroll[1], "the 118-column preview should scroll inside its container"
        if width < 600:
            screenshot(page, "dataset-nl-mobile", full_page=False)
            page.goto(f"{live_server.url}/datasets?q=wmo")
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            assert page.locator("details.filters").get_attribute("open") is None  # folded on a phone
            screenshot(page, "search-nl-mobile")


def test_quality_facet_filters_and_cards_show_the_score(page: Any, live_server: Any) -> None:
    page.goto(live_server.url + "/datasets")
    facet = page.locator("section.facet", has=page.locator("h3", has_text="Kwaliteit"))
    labels = facet.locator(".facet__label").all_inner_texts()
    scale = ["hoog (95 of meer)", "midden (80 tot 95)", "laag (onder 80)", "onbekend"]
    assert labels and labels == [label for label in scale if label in labels]  # best to worst
    assert labels[0] == "hoog (95 of meer)"  # the Den Haag KWB passes all its rules: 100
    high = page.locator('a[data-facet="quality"][data-value="hoog"]')
    expected = int(high.locator(".count").inner_text())

    high.click()
    page.wait_for_url("**/datasets?quality=hoog")
    assert page.locator(".chip").inner_text().startswith("Kwaliteit: hoog (95 of meer)")
    assert page.locator(".result-list > li").count() == expected
    scores = [
        float(text.removeprefix("Kwaliteit ").removesuffix(" van 100").replace(",", "."))
        for text in page.locator(".result-list .card__quality").all_inner_texts()
    ]
    assert len(scores) == expected and all(score >= 95 for score in scores), scores
    assert "facet__link--selected" in (high.get_attribute("class") or "")
    accessible(page)
    screenshot(page, "search-quality-facet")


# -- quality report and column profile -------------------------------------------------------
@pytest.mark.parametrize("width", [1280, 390])
def test_quality_and_profile_sections_are_accessible_on_desktop_and_phone(
    browser: Any, live_server: Any, width: int
) -> None:
    with open_page(browser, viewport={"width": width, "height": 900}) as page:
        page.goto(f"{live_server.url}/datasets/{KWB}")
        assert page.locator(".quality-score").inner_text().startswith("Kwaliteitsscore van versie 1: 100 van 100")
        rule = page.locator("#quality-table tbody tr", has_text="range(AantalInwoners_5)")
        assert "bereik" in rule.inner_text() and "blokkerend" in rule.inner_text()
        # The 118-column profile starts folded; one click opens it.
        table = page.locator("#profile-table")
        assert table.is_hidden()
        page.get_by_text("Kolomprofiel tonen (118 kolommen)").click()
        assert table.is_visible() and page.locator("#profile-table tbody tr").count() == 118
        soort = page.locator("#profile-table tbody tr", has_text="SoortRegio_2")
        assert soort.locator(".top-values__label").all_inner_texts() == ["Buurt", "Wijk", "Gemeente"]
        assert soort.locator(".top-values__count").all_inner_texts() == ["114", "44", "1"]
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px at width {width}"
        if width > 600:  # the rules table fits without scrolling; on a phone each rule is a block
            rules = page.evaluate("(() => { const e = document.querySelector('#quality .table-scroll');"
                                  " return e.scrollWidth - e.clientWidth; })()")  # fmt: skip
            assert rules <= 0
        accessible(page)
        suffix = "" if width > 600 else "-mobile"
        screenshot(page, f"dataset-quality-nl{suffix}", selector="#quality")
        screenshot(page, f"dataset-profile-nl{suffix}", selector="#profile")


def test_html_quality_report_of_a_quarantined_delivery(browser: Any, demo_platform: Any, tmp_path: Path) -> None:
    """The file `stadsdata quality report --delivery N --html` writes, opened from disk: no server."""
    from stadsdata.errors import QuarantinedError
    from stadsdata.web.quality_report import write_report

    with demo.data_path(KWB).open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    row = next(r for r in table[1:] if r[header.index("WijkenEnBuurten")] == "BU05180170")
    row[header.index("AantalInwoners_5")] = "-15"
    table.append(list(table[10]))  # a duplicate buurt
    broken = tmp_path / "kwb_fout.csv"
    with broken.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    with pytest.raises(QuarantinedError):
        demo_platform.ingest(broken, KWB)
    delivery = demo_platform.metastore.list_deliveries(KWB)[-1]
    report = demo_platform.quality_report(KWB, delivery_id=delivery.id)
    title = load_contract(demo.contract_path(KWB)).title.nl
    path = write_report(tmp_path / "rapport.html", report, title=title)

    for width, name in ((1280, "quality-report-quarantined"), (390, "quality-report-quarantined-mobile")):
        with open_page(browser, viewport={"width": width, "height": 900}, offline=True) as page:
            requests: list[str] = []
            page.on("request", lambda request, seen=requests: seen.append(request.url))
            page.goto(path.as_uri())
            assert requests == [path.as_uri()], requests  # one file: nothing else is loaded
            assert page.locator("h1").inner_text() == title
            assert page.locator(".state").inner_text() == "in quarantaine: niet gepubliceerd"
            failing = " ".join(page.locator("#quality-table tbody tr.rule--fail").all_inner_texts())
            assert "range(AantalInwoners_5)" in failing and "unique(WijkenEnBuurten)" in failing
            assert "rij 3: AantalInwoners_5 = -15" in failing
            assert page.locator("#profile-table tbody tr").count() == 118
            assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
            accessible(page)
            screenshot(page, name)


# -- accessibility and screenshots -----------------------------------------------------------
PAGES = {
    "home": "/",
    "search": "/datasets?q=wmo&theme=zorg-en-welzijn",
    "dataset": f"/datasets/{KWB}",
    "dataset-geo": "/datasets/cbs_gemeenten_2024",
    "version": f"/datasets/{KWB}/versions/1",
    "not-found": "/datasets/bestaat_niet",
}
SCREENSHOT_PAGES = ("home", "search", "dataset")


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_wcag_violations_and_screenshots(page: Any, live_server: Any, name: str, lang: str) -> None:
    path = PAGES[name]
    separator = "&" if "?" in path else "?"
    response = page.goto(f"{live_server.url}{path}{separator}lang={lang}")
    assert response.status == (404 if name == "not-found" else 200)
    assert page.locator("html").get_attribute("lang") == lang
    if name == "dataset":
        assert page.locator("h1").inner_text() == (KWB_TITLE_NL if lang == "nl" else KWB_TITLE_EN)
    accessible(page)
    if name in SCREENSHOT_PAGES:
        screenshot(page, f"{name}-{lang}")
