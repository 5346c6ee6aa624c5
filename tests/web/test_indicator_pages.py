"""The indicator pages (TestClient over the real demo): overview and search, dashboards, the
monitor, region profiles, one indicator with its map and trend, comparisons with sorting,
downloads (CSV, SVG, PNG), embeds and their frame headers, and clear 4xx answers to bad input.
Every number is checked against ``platform.indicators`` (the real CBS figures)."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stadsdata.indicators.model import Level
from stadsdata.web.i18n import Translator
from stadsdata.web.indicator_views import number
from tests.indicators.helpers import WMO, read_only_app_fixtures

HTML = {"accept": "text/html"}
NL = Translator("nl")


served, client, service = read_only_app_fixtures("indicator-pages")


def page(client: TestClient, url: str, status: int = 200) -> str:
    client.cookies.clear()  # no language remembered from an earlier test
    response = client.get(url, headers=HTML)
    assert response.status_code == status, response.text[:500]
    return response.text


def row_of(text: str, marker: str) -> str:
    """The table row (``<tr ...>...</tr>``) containing ``marker``."""
    match = re.search(r"<tr[^>]*" + re.escape(marker) + r".*?</tr>", text, re.S)
    assert match, f"no row with {marker}"
    return match.group(0)


# -- overview ------------------------------------------------------------------------------------
def test_the_overview_lists_themes_products_and_monitors(client: TestClient, service: Any) -> None:
    text = page(client, "/indicatoren")
    for theme in service.themes():
        assert f'href="/indicatoren/thema/{theme.id}"' in text
    for product in service.products():
        assert f'href="/indicatoren/product/{product.id}"' in text
    assert 'href="/indicatoren/monitor/wmo_monitor_den_haag"' in text
    assert '<a href="/indicatoren" aria-current="page">Indicatoren</a>' in text  # the header's menu item
    counts = NL.number(len(service.regions(level=Level.gemeente)))
    assert f"voor {counts} gemeenten" in text


def test_the_region_search_finds_den_haag_by_name_and_code(client: TestClient) -> None:
    text = page(client, "/indicatoren?q=gravenhage")
    assert '<a href="/indicatoren/regio/GM0518">&#39;s-Gravenhage</a>' in text
    text = page(client, "/indicatoren?q=WK051829")
    assert '<a href="/indicatoren/regio/WK051829">Schildersbuurt</a>' in text
    assert "Geen gebied gevonden" in page(client, "/indicatoren?q=Atlantis")


# -- dashboards ------------------------------------------------------------------------------------
def test_a_theme_dashboard_shows_each_indicator_for_the_chosen_region(client: TestClient, service: Any) -> None:
    theme = service.theme("zorg_en_welzijn")
    text = page(client, "/indicatoren/thema/zorg_en_welzijn?regio=WK051829")
    assert "Cijfers voor Schildersbuurt" in text
    for indicator in theme.indicators:
        assert f'data-indicator="{indicator}"' in text
    value = service.values(indicators=[WMO], regions=["WK051829"])[0].value
    tile = re.search(r'data-indicator="' + WMO + r'".*?</li>', text, re.S).group(0)  # type: ignore[union-attr]
    assert number(NL, value, 1) == "108,2" and "108,2" in tile  # CBS: 108 per 1,000 (counts rounded to 5)


def test_a_product_dashboard_defaults_to_a_region_and_draws_trends(client: TestClient, service: Any) -> None:
    text = page(client, "/indicatoren/product/sociaal_domein")
    assert "Cijfers voor" in text
    assert text.count('class="ind-tile"') == len(service.product("sociaal_domein").indicators)
    english = page(client, "/indicatoren/product/sociaal_domein?lang=en&regio=GM0518")
    assert "Figures for &#39;s-Gravenhage" in english and "Social domain" in english
    # a trend wherever the region has values in more than one period
    trends = re.findall(r'id="trend-([a-z0-9_]+)"', english)
    for indicator in trends:
        periods = {v.period for v in service.values(indicators=[indicator], regions=["GM0518"])}
        assert len(periods) > 1
    assert trends


# -- the monitor -----------------------------------------------------------------------------------
def test_the_wmo_monitor_has_every_wijk_in_its_table_and_on_its_map(client: TestClient, service: Any) -> None:
    text = page(client, "/indicatoren/monitor/wmo_monitor_den_haag")
    wijken = service.regions(level=Level.wijk, gemeente="GM0518")
    assert len(wijken) == 44
    table = text[text.index('id="monitor-table"') :]
    assert table.count('<tr class="') + table.count("<tr data-region=") >= 44
    svg = text[
        text.index("<svg", text.index('id="monitor-map"')) : text.index("</svg>", text.index('id="monitor-map"'))
    ]
    assert len(re.findall(r'<a href="/indicatoren/regio/WK0518\d\d"', svg)) == 44
    # Oostduinen: no published Wmo figure -> geheim in table and map, never 0
    assert "Oostduinen: geheim" in svg
    assert 'data-region="WK051801"' in table
    first = row_of(table, 'data-region="WK051801"')
    cells = re.findall(r"<td[^>]*>(.*?)</td>", first, re.S)
    assert 'data-secret="1"' in cells[0] and ">geheim<" in cells[0]


def test_the_monitor_table_sorts_on_the_server(client: TestClient, service: Any) -> None:
    text = page(client, f"/indicatoren/monitor/wmo_monitor_den_haag?sort=-{WMO}")
    order = re.findall(r'<tr[^>]*data-region="(WK\d+)"', text[text.index('id="monitor-table"') :])
    values = {v.region: v.value for v in service.values(indicators=[WMO], level=Level.wijk, gemeente="GM0518")}
    known = [c for c in order if values[c] is not None]
    assert known == sorted(known, key=lambda c: -values[c])  # type: ignore[operator]
    assert order[: len(known)] == known  # secret last
    assert order[0] == "WK051835"  # Zuiderpark: 387 per 1,000 (155 inhabitants)
    assert 'aria-sort="descending"' in text
    assert page(client, "/indicatoren/monitor/wmo_monitor_den_haag?sort=hoogte", 400)


# -- region profiles -------------------------------------------------------------------------------
def test_the_den_haag_profile_shows_values_the_national_value_and_ranks(client: TestClient, service: Any) -> None:
    text = page(client, "/indicatoren/regio/GM0518")
    assert "<h1>Profiel van &#39;s-Gravenhage</h1>" in text
    rows = {r.indicator.id: r for p in service.periods() for r in service.profile("GM0518", p) if r.value}
    line = row_of(text, 'data-indicator="aandeel_niet_westerse_migratieachtergrond"')
    # 2017 is the latest year in which every gemeente and Nederland have it
    row = next(r for p in (2017,) for r in service.profile("GM0518", p) if r.indicator.id == line.split('"')[1])
    assert number(NL, row.value.value, 1) in line and number(NL, row.reference.value, 1) in line
    assert f"plaats {row.rank} van {NL.number(row.peers_of)}" in line
    assert rows  # the profile has values
    # the wijk map with Wmo on it, from the map form
    wmo_map = svg_of(page(client, f"/indicatoren/regio/GM0518?kaart={WMO}"))
    assert len(re.findall(r'<a href="/indicatoren/regio/WK0518\d\d"', wmo_map)) == 44
    assert "Schildersbuurt: 108,2" in wmo_map


def test_a_secret_value_reads_geheim_and_a_missing_one_has_a_reason(client: TestClient, service: Any) -> None:
    text = page(client, "/indicatoren/regio/WK051801")  # Oostduinen: no inhabitants in the data
    line = row_of(text, f'data-indicator="{WMO}"')
    assert ">geheim<" in line and ">0<" not in line and "0,0" not in line
    # an indicator computed only per gemeente has no wijk row; one without data says why
    missing = [r for r in service.profile("WK051801", 2019) if r.value is None]
    for r in missing:
        assert "geen gegevens" in row_of(text, f'data-indicator="{r.indicator.id}"')


def test_a_wijk_profile_compares_with_its_city_and_links_its_buurten(client: TestClient, service: Any) -> None:
    text = page(client, "/indicatoren/regio/WK051829")
    assert '<th scope="col" class="num">&#39;s-Gravenhage</th>' in text
    assert 'href="/indicatoren/regio/GM0518"' in text
    buurten = [b for b in service.regions(level=Level.buurt, gemeente="GM0518") if b.wijk == "WK051829"]
    assert buurten
    for buurt in buurten:
        assert f'href="/indicatoren/regio/{buurt.code}"' in text
    assert 'stroke-width="2.5" data-code="WK051829"' in text  # outlined on the map


def test_unknown_regions_are_the_404_page(client: TestClient) -> None:
    assert "Pagina niet gevonden" in page(client, "/indicatoren/regio/GM9999", 404)
    response = client.get("/indicatoren/regio/GM9999")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


# -- one indicator --------------------------------------------------------------------------------
def test_an_indicator_page_has_its_definition_map_and_mismatches(client: TestClient, service: Any) -> None:
    definition = service.definition("inwoners")
    text = page(client, "/indicatoren/inwoners")
    assert f"<h1><span>{definition.title.nl}</span></h1>" in text
    assert "hoger is niet beter of slechter" in text or "hoger is beter" in text or "lager is beter" in text
    assert "<code>" + html.escape(definition.expression, quote=True) + "</code>" in text
    svg = text[text.index("<svg", text.index('id="indicator-map"')) :]
    assert len(re.findall(r'<a href="/indicatoren/regio/GM\d{4}"', svg)) > 300  # 2024 boundaries
    every = service.values(indicators=["inwoners"], level=Level.gemeente)
    period = max({v.period for v in every}, key=lambda p: (sum(1 for v in every if v.period == p), p))
    assert f"Inwoners per gemeente, {period}" in text
    values = {v.region for v in service.values(indicators=["inwoners"], level=Level.gemeente, periods=[period])}
    shapes = {f["properties"]["code"] for f in service.boundaries(Level.gemeente)["features"]}
    unmatched = sorted(values - shapes)
    assert unmatched  # merged gemeenten: in the data, not on the 2024 map
    assert "Met een waarde maar zonder grens op de kaart" in text and ", ".join(unmatched) in text


def test_the_wijk_and_buurt_maps_of_den_haag(client: TestClient) -> None:
    text = svg_of(page(client, f"/indicatoren/{WMO}?niveau=buurt&gemeente=GM0518"))
    assert len(re.findall(r'<a href="/indicatoren/regio/BU0518\d{4}"', text)) == 114
    assert svg_of(page(client, f"/indicatoren/{WMO}?niveau=wijk")).count('<a href="/indicatoren/regio/WK0518') == 44


def svg_of(text: str) -> str:
    start = text.index('<svg xmlns="http://www.w3.org/2000/svg"')
    return text[start : text.index("</svg>", start)]


def test_a_trend_wherever_there_is_more_than_one_period(client: TestClient, service: Any) -> None:
    multi = next(
        d.id
        for d in service.definitions()
        if len({v.period for v in service.values(indicators=[d.id], regions=["GM0518"])}) > 1
    )
    text = page(client, f"/indicatoren/{multi}?regio=GM0518")
    assert 'id="indicator-trend"' in text and "<polyline" in text
    assert 'id="indicator-trend"' not in page(client, f"/indicatoren/{WMO}")  # one period only
    chosen = page(client, f"/indicatoren/{multi}?regio=GM0518,+Rotterdam")  # the chart's own form
    assert 'value="GM0518, GM0599"' in chosen and chosen.count("<polyline") >= 2


# -- comparisons -----------------------------------------------------------------------------------
def test_den_haag_against_its_most_similar_gemeenten(client: TestClient, service: Any) -> None:
    text = page(client, "/indicatoren/vergelijk?regio=GM0518&thema=bevolking")
    peers = [p.region.code for p in service.peers("GM0518", n=8)]
    order = re.findall(r'<tr[^>]*data-region="(GM\d+)"', text)
    assert order == ["GM0518", *peers]
    assert "de meest vergelijkbare gemeenten" in text
    assert text.count('class="ind-figure"') == len(service.theme("bevolking").indicators)  # a bar chart each


def test_a_chosen_set_by_names_and_codes_sorted_by_a_column(client: TestClient, service: Any) -> None:
    text = page(client, "/indicatoren/vergelijk?regio=GM0518,+Rotterdam;Utrecht&thema=bevolking&sort=-inwoners")
    order = re.findall(r'<tr[^>]*data-region="(GM\d+)"', text)
    assert set(order) == {"GM0518", "GM0599", "GM0344"}
    assert order == ["GM0599", "GM0518", "GM0344"]  # Rotterdam, Den Haag, Utrecht by inhabitants
    assert 'aria-sort="descending"' in text


def test_a_wijk_against_its_city(client: TestClient) -> None:
    text = page(client, "/indicatoren/vergelijk?regio=WK051829&thema=zorg_en_welzijn")
    assert re.findall(r'<tr[^>]*data-region="(\w+)"', text) == ["WK051829", "GM0518"]
    assert "Schildersbuurt en de eigen gemeente" in text


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("/indicatoren/vergelijk?regio=Atlantis", "no region has the code or name"),
        ("/indicatoren/vergelijk?regio=GM0518&sort=hoogte", "sort: expected"),
        ("/indicatoren/vergelijk?regio=GM0518&periode=twintig", "periode: expected a year"),
        ("/indicatoren/vergelijk?regio=GM0518&aantal=50", "aantal: expected a whole number from 5 to 10"),
        (f"/indicatoren/{WMO}?niveau=provincie", "niveau: expected gemeente, wijk or buurt"),
        (f"/indicatoren/{WMO}?niveau=wijk&gemeente=GM0363", "gemeente: expected a gemeente with wijk data"),
        ("/indicatoren/download/kaart.gif?indicator=inwoners", "expected {kind}.{csv|svg|png}"),
        ("/indicatoren/download/vergelijking.png?regio=GM0518", "downloads as csv only"),
        ("/embed/taart", "expected one of kaart"),
    ],
)
def test_bad_parameters_are_a_clear_4xx(client: TestClient, url: str, says: str) -> None:
    text = page(client, url, 400)
    assert html.escape(says, quote=True) in text
    response = client.get(url)  # a program gets problem JSON with the same one line
    assert response.status_code == 400 and says in response.json()["detail"]


# -- downloads and embeds ------------------------------------------------------------------------
def test_the_comparison_downloads_as_csv_with_geheim_not_zero(client: TestClient, service: Any) -> None:
    response = client.get("/indicatoren/download/vergelijking.csv?regio=GM0518&thema=bevolking")
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="vergelijking-GM0518-bevolking.csv"'
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:2] == ["code", "Gebied"] and len(rows) == 1 + 9
    assert [r[0] for r in rows[1:]] == ["GM0518", *[p.region.code for p in service.peers("GM0518", n=8)]]
    column = next(i for i, h in enumerate(rows[0]) if h.startswith("Inwoners van 80 jaar of ouder"))
    cells = {r[0]: r[column] for r in rows[1:]}
    assert cells["GM0518"] == "geheim"  # secret for Den Haag in the chosen year
    inhabitants = next(i for i, h in enumerate(rows[0]) if h.startswith("Inwoners ("))
    period = int(rows[0][inhabitants].rsplit(", ", 1)[1].rstrip(")"))
    real = service.values(indicators=["inwoners"], regions=["GM0518"], periods=[period])[0].value
    assert float(cells_of(rows, inhabitants)["GM0518"]) == real


def cells_of(rows: list[list[str]], column: int) -> dict[str, str]:
    return {r[0]: r[column] for r in rows[1:]}


def test_maps_and_charts_download_as_svg_and_png(client: TestClient) -> None:
    query = f"indicator={WMO}&niveau=wijk&gemeente=GM0518"
    svg = client.get(f"/indicatoren/download/kaart.svg?{query}")
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.startswith("<svg xmlns=")
    png = client.get(f"/indicatoren/download/kaart.png?{query}")
    assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    rows = list(csv.reader(io.StringIO(client.get(f"/indicatoren/download/kaart.csv?{query}").text)))
    assert len(rows) == 1 + 44 and ["WK051801", "Oostduinen", "geheim"] in rows
    bars = client.get(f"/indicatoren/download/staaf.svg?indicator={WMO}&regio=WK051829&regio=GM0518")
    assert bars.status_code == 200 and "Schildersbuurt" in bars.text


def test_embeds_may_be_framed_and_other_pages_may_not(client: TestClient) -> None:
    embed = client.get(f"/embed/kaart?indicator={WMO}&niveau=wijk&gemeente=GM0518", headers=HTML)
    assert embed.status_code == 200
    assert embed.headers["content-security-policy"] == "frame-ancestors *"
    assert "x-frame-options" not in embed.headers
    assert 'class="site-header"' not in embed.text and "<svg" in embed.text
    assert '<base target="_top">' in embed.text
    profile = client.get("/indicatoren/regio/GM0518", headers=HTML)
    assert profile.headers["x-frame-options"] == "DENY"
    assert profile.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert client.get("/api/v1/indicators").headers["x-frame-options"] == "DENY"
    # the page shows the snippet that embeds it
    text = page(client, "/indicatoren/monitor/wmo_monitor_den_haag")
    assert "&lt;iframe src=&#34;http://testserver/embed/kaart?indicator=" in text or (
        '&lt;iframe src="http://testserver/embed/kaart?indicator=' in text
    )
    table = client.get("/embed/vergelijking?regio=GM0518&thema=bevolking", headers=HTML)
    assert table.status_code == 200 and table.text.count("data-region=") == 9


def test_every_page_reads_in_english(client: TestClient) -> None:
    for url in ("/indicatoren", "/indicatoren/vergelijk?regio=GM0518", f"/indicatoren/{WMO}"):
        text = page(client, url + ("&" if "?" in url else "?") + "lang=en")
        assert '<html lang="en">' in text and '<a href="/indicatoren" aria-current="page">Indicators</a>' in text
    text = page(client, "/indicatoren/regio/GM0518?lang=en")
    assert "Profile of &#39;s-Gravenhage" in text
    line = row_of(text, 'data-indicator="aandeel_80_plus"')
    assert ">secret<" in line and "geheim" not in line
