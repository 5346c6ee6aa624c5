"""The Wmo forecast on the portal (issue #8, item 7): ``/indicatoren/wmo-prognose`` shows every
modelled wijk with the forecast and its interval exactly as ``wmo_prognose`` holds them, the map
has one region per wijk, the CSV downloads match the dataset, the validation figures come from the
model card in the register; without ``wmo_prognose`` the page says how to make it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from stadsdata.indicators.model import Level
from stadsdata.models.wmo.contract import DATASET
from stadsdata.platform import Platform
from stadsdata.web import create_app, i18n, wmo_pages
from tests.models.conftest import load_sources

PAGE = "/indicatoren/wmo-prognose"


@pytest.fixture
def trained(demo_platform: Platform) -> Iterator[tuple[Platform, TestClient, object]]:
    published = demo_platform.models.wmo.train(by="tester")
    with TestClient(create_app(demo_platform)) as client:
        yield demo_platform, client, published


def rows_of(p: Platform) -> list[dict[str, object]]:
    result = p.catalog.query(f'SELECT * FROM "{DATASET}" ORDER BY gebiedscode, jaar')
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def nl(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def cell(row: str, column: int) -> str:
    cells = re.findall(r'<td class="num" data-value="([^"]*)">', row)
    return cells[column]


def test_the_page_shows_every_modelled_wijk_with_the_forecast_of_wmo_prognose(trained) -> None:  # type: ignore[no-untyped-def]
    p, client, published = trained
    rows = rows_of(p)
    last = max(int(r["jaar"]) for r in rows)
    wijken = {str(r["gebiedscode"]): r for r in rows if r["gebiedsniveau"] == "wijk" and r["jaar"] == last}
    assert len(wijken) > 30
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.text
    assert "<h1>Wmo-prognose per wijk</h1>" in html
    table = html.split('id="wmo-table"')[1].split("</table>")[0]
    for code, r in wijken.items():
        row = re.search(rf'<tr[^>]*data-region="{code}">(.*?)</tr>', table, re.S)
        assert row, code
        # columns: clients 2019, rate 2019, forecast, lower, upper, growth
        assert cell(row.group(1), 2) == repr(int(r["prognose"]))
        assert cell(row.group(1), 3) == repr(int(r["ondergrens"]))
        assert cell(row.group(1), 4) == repr(int(r["bovengrens"]))
        assert nl(int(r["prognose"])) in row.group(1)
    # the wijken left out of the model are listed, and say so
    every = {r.code for r in p.indicators.regions(level=Level.wijk, gemeente="GM0518")}
    assert set(re.findall(r'data-region="(WK\d+)"', table)) == every
    assert table.count("geen prognose") == 4 * len(every - set(wijken))
    uncertain = {c for c, r in wijken.items() if r.get("toelichting")}
    assert set(re.findall(r"wijk=(WK\d+)#wijk", html.split('id="wmo-uncertain"')[1].split("</p>")[0])) == uncertain

    # the city chart, and the chosen wijk's chart and years, match the dataset
    chosen = "WK051829"
    page = client.get(PAGE, params={"wijk": chosen}).text
    years = page.split('id="wmo-years"')[1].split("</table>")[0]
    for r in (r for r in rows if r["gebiedscode"] == chosen):
        line = re.search(rf'<tr data-year="{r["jaar"]}">(.*?)</tr>', years, re.S)
        assert line, r["jaar"]
        assert re.findall(r'data-value="(\d+)"', line.group(1)) == [
            str(r["prognose"]),
            str(r["ondergrens"]),
            str(r["bovengrens"]),
        ]
    assert 'id="wmo-wijk-title">Wmo-cliënten in Schildersbuurt' in page
    assert page.count('data-band="1"') == 2  # an interval band for the city and for the wijk

    # the map: one region per wijk, the modelled ones link to their forecast
    svg = page.split('id="wmo-map"')[1].split("</svg>")[0]
    codes = re.findall(r'data-code="(WK\d+)"', svg)
    assert sorted(codes) == sorted(every) and len(codes) == len(set(codes))
    assert len(re.findall(r'<a href="/indicatoren/wmo-prognose\?wijk=WK\d+#wijk"', svg)) == len(wijken)

    # the method in plain Dutch, with the figures of the model card (not typed into the page)
    entry = p.algorithms.get("stadsdata-model:Wmo-prognose per wijk")
    measured = entry.fields["methods_and_models"].split("Gemeten prestaties: ")[1]
    plain, technical = (part.strip().replace("'", "&#39;") for part in measured.split("Technisch:"))
    assert f'<p id="validatie-b1" lang="nl">{plain}</p>' in page  # the plain words first (B1)
    assert technical in page.split('id="validatie-details"')[1]  # the figures folded away under them
    mae0 = f"{published.evaluation.loo_errors.loc['model', 'mae']:.0f}"
    assert plain.startswith("In gewone woorden") and f"gemiddeld {mae0} Wmo-cliënten per 1.000" in plain
    mae = f"{published.evaluation.loo_errors.loc['model', 'mae']:.1f}".replace(".", ",")
    assert f"(MAE) {mae}" in page
    assert f'href="/algoritmes/{entry.id}"' in page
    assert "werkt op wijkniveau, niet voor besluiten over personen" in page
    assert "Hoe werkt het?" in page


def test_the_csv_downloads_match_wmo_prognose(trained) -> None:  # type: ignore[no-untyped-def]
    p, client, _ = trained
    rows = rows_of(p)
    last = max(int(r["jaar"]) for r in rows)
    response = client.get(f"{PAGE}/download/jaren.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    got = list(csv.DictReader(io.StringIO(response.text)))
    assert len(got) == len(rows)
    key = lambda r: (str(r["gebiedscode"]), int(r["jaar"]))  # noqa: E731
    for mine, theirs in zip(sorted(got, key=key), sorted(rows, key=key), strict=True):
        for column in ("gebiedscode", "gebiedsniveau", "jaar", "prognose", "ondergrens", "bovengrens", "modelversie"):
            assert mine[column] == str(theirs[column]), column

    table = list(csv.reader(io.StringIO(client.get(f"{PAGE}/download/tabel.csv").text)))
    assert table[0] == [
        "code",
        "naam",
        "wmo_clienten_2019",
        "per_1000_inwoners_2019",
        f"prognose_{last}",
        f"ondergrens_{last}",
        f"bovengrens_{last}",
        f"groei_pct_2019_{last}",
    ]
    wijken = {str(r["gebiedscode"]): r for r in rows if r["gebiedsniveau"] == "wijk" and r["jaar"] == last}
    by_code = {line[0]: line for line in table[1:]}
    for code, r in wijken.items():
        assert by_code[code][4:7] == [str(r["prognose"]), str(r["ondergrens"]), str(r["bovengrens"])]
    left_out = [line for code, line in by_code.items() if code not in wijken]
    assert left_out and all(line[4:8] == ["", "", "", ""] for line in left_out)

    ordered = list(csv.reader(io.StringIO(client.get(f"{PAGE}/download/tabel.csv?sort=-groei").text)))
    growth = [float(line[7]) for line in ordered[1:] if line[7]]
    with_count = [line for line in ordered[1:] if line[4] and line[2] not in ("", "geheim")]
    assert growth == sorted(growth, reverse=True) and len(growth) == len(with_count) > 30


def test_sorting_the_table_on_the_server_and_bad_input(trained) -> None:  # type: ignore[no-untyped-def]
    p, client, _ = trained
    modelled = {r["gebiedscode"] for r in rows_of(p) if r["gebiedsniveau"] == "wijk"}
    html = client.get(PAGE, params={"sort": "-prognose"}).text
    table = html.split('id="wmo-table"')[1].split("</table>")[0]
    values = [
        int(v)
        for v in re.findall(
            r'<tr[^>]*data-region="WK\d+">.*?</td>\s*<td[^>]*>.*?</td>\s*<td class="num" data-value="(\d+)"',
            table,
            re.S,
        )
    ]
    assert values == sorted(values, reverse=True) and len(values) == len(modelled)
    assert 'aria-sort="descending"' in table
    assert client.get(PAGE, params={"sort": "nope"}).status_code == 400
    assert client.get(PAGE, params={"wijk": "WK051801"}).status_code == 400  # not in the model
    assert client.get(f"{PAGE}/download/iets.csv").status_code == 400
    assert client.get(PAGE, params={"lang": "en"}).status_code == 200
    monitor = client.get("/indicatoren/monitor/wmo_monitor_den_haag").text
    assert 'href="/indicatoren/wmo-prognose"' in monitor


def test_the_chart_and_the_map_download_as_svg_and_png(client: TestClient, demo_platform: Platform) -> None:
    forecast = wmo_pages.load(demo_platform)  # the demo trains the model
    assert forecast is not None
    page = client.get(PAGE).text
    for name in ("grafiek.svg", "grafiek.png", "kaart.svg", "kaart.png"):
        assert f'href="{PAGE}/download/{name}"' in page
    city = client.get(f"{PAGE}/download/grafiek.svg")
    assert city.status_code == 200 and city.headers["content-type"] == "image/svg+xml"
    assert "attachment" in city.headers["content-disposition"]
    last = forecast.city.last
    assert last is not None and f"{last.year}: {nl(last.forecast)} ({nl(last.lower)} – {nl(last.upper)})" in city.text
    wijk = forecast.modelled[3]
    chart = client.get(f"{PAGE}/download/grafiek.svg", params={"wijk": wijk.code}).text
    assert f"Wmo-cliënten in {wijk.name}" in chart and chart == wmo_pages._chart(
        i18n.Translator("nl"), wijk, "wmo-chart", 2019
    )
    png = client.get(f"{PAGE}/download/kaart.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG\r\n\x1a\n") and len(png.content) > 10_000
    svg = client.get(f"{PAGE}/download/kaart.svg").text
    assert len(re.findall(r'data-code="(WK\d+)"', svg)) == len(forecast.wijken)
    assert client.get(f"{PAGE}/download/grafiek.svg", params={"wijk": "WK999999"}).status_code == 400
    assert client.get(f"{PAGE}/download/kaart.gif").status_code == 400


def test_without_wmo_prognose_the_page_says_how_to_make_it(platform: Platform) -> None:
    assert not platform.metastore.has_dataset(DATASET)  # a new platform (the demo trains the model)
    client = TestClient(create_app(platform))
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "Er is nog geen Wmo-prognose." in response.text and "stadsdata models wmo train" in response.text
    assert 'id="wmo-table"' not in response.text
    assert client.get(f"{PAGE}/download/jaren.csv").status_code == 404


def test_with_a_forecast_but_no_model_card_the_page_says_the_figures_are_missing(platform: Platform) -> None:
    load_sources(platform)  # the real CBS tables the model reads, without the demo's trained model
    platform.models.wmo.forecast()  # publishes wmo_prognose, registers nothing
    with TestClient(create_app(platform)) as client:
        html = client.get(PAGE).text
    assert "Het model staat nog niet in het algoritmeregister" in html
    # without the indicator table and the wijk boundaries: codes instead of names, no map, and the page says why
    assert 'id="wmo-no-map"' in html and "de grenzen van de wijken zijn nog niet geladen" in html
    assert 'id="wmo-table"' in html
