"""The traffic-risk page (issue #10): ``/verkeer`` shows Utrecht's ranked accident locations exactly
as ``verkeer_hotspots`` holds them, a map with the gemeente's outline and the top locations as
circles with tooltips, the method with this gemeente's own shrinkage figures, and the matching
section that says plainly that no place has both accidents and reports; the CSV matches the dataset;
bad input is one clear line; without ``verkeer_hotspots`` the page says how to make it."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stadsdata.models.verkeer.contract import HOTSPOTS
from stadsdata.models.verkeer.hotspots import fit_prior
from stadsdata.models.verkeer.matching import UNSAFE
from stadsdata.platform import Platform
from stadsdata.web import create_app, verkeer_pages
from tests.conftest import make_settings
from tests.models.verkeer.conftest import SOURCES, load_sources, synthetic_reports

REPORTS = "meldingen_assen_signalen_2026"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("verkeer-pages") / "home"
    with Platform(make_settings(home)) as p:
        load_sources(p, (*SOURCES, REPORTS))
        p.models.verkeer.run(by="tester")
    return home


@pytest.fixture
def served(template: Path, tmp_path: Path) -> Iterator[tuple[Platform, TestClient]]:
    home = tmp_path / "home"
    shutil.copytree(template, home)
    with Platform(make_settings(home)) as p, TestClient(create_app(p)) as client:
        yield p, client


def stored(p: Platform, code: str) -> list[dict[str, object]]:
    result = p.catalog.query(f"SELECT * FROM \"{HOTSPOTS}\" WHERE gemeentecode = '{code}' ORDER BY rang")
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def test_the_page_shows_utrechts_ranked_locations_as_the_dataset_holds_them(served) -> None:  # type: ignore[no-untyped-def]
    p, client = served
    rows = stored(p, "GM0344")
    response = client.get("/verkeer")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Verkeersveiligheid: plekken met de meeste ongevallen</h1>" in html
    assert '<option value="GM0344" selected>Utrecht (GM0344,' in html
    table = html.split('id="vk-table"')[1].split("</table>")[0]
    shown = re.findall(r'<tr id="loc-([^"]+)" data-location', table)
    assert shown == [str(r["locatie_id"]) for r in rows[: verkeer_pages.SHOWN]]
    first = re.search(r'<tr id="loc-[^"]+".*?</tr>', table, re.S).group(0)  # type: ignore[union-attr]
    values = re.findall(r'data-value="([^"]*)"', first)
    top = rows[0]
    assert values[0] == "1" and float(values[2]) == top["risicoscore"] and float(values[3]) == top["gewogen_score"]
    assert [int(v) for v in values[4:8]] == [top["ongevallen"], top["dodelijk"], top["letsel"], top["materieel"]]
    assert f'data-locations="{len(rows)}"' in html


def test_the_map_has_the_outline_and_the_top_locations_with_tooltips(served) -> None:  # type: ignore[no-untyped-def]
    p, client = served
    rows = stored(p, "GM0344")
    html = client.get("/verkeer/GM0344").text
    svg = html.split('id="verkeer-kaart"')[1].split("</svg>")[0]
    assert "<path d=" in svg  # the gemeente's outline from cbs_gemeenten_2024
    ranks = [int(r) for r in re.findall(r'data-rank="(\d+)"', svg)]
    assert sorted(ranks) == list(range(1, verkeer_pages.ON_MAP + 1))
    assert 'href="#loc-' + str(rows[0]["locatie_id"]) + '"' in svg
    assert f"<title>Rang 1: risicoscore {str(round(float(rows[0]['risicoscore']), 1)).replace('.', ',')};" in svg
    dots = svg.count('r="1.6"')
    assert dots == len(rows) - verkeer_pages.ON_MAP
    assert "https://" not in svg.replace("http://www.w3.org/2000/svg", "")  # no tiles, nothing fetched


def test_the_method_gives_this_gemeentes_own_shrinkage(served) -> None:  # type: ignore[no-untyped-def]
    p, client = served
    rows = stored(p, "GM0307")
    html = client.get("/verkeer/GM0307").text
    injury = round(100 * fit_prior([r["letsel"] for r in rows]).own_weight)  # type: ignore[arg-type]
    text = re.sub(r"\s+", " ", html.split('id="vk-shrinkage">')[1].split("</p>")[0])
    assert f"In Amersfoort telt de eigen telling van een plek voor {injury}% mee bij letselongevallen" in text
    assert "Terugtoets in de tijd over" in html  # the measured figures, from the register entry


def test_the_matching_section_says_no_place_has_both(served) -> None:  # type: ignore[no-untyped-def]
    _, client = served
    html = client.get("/verkeer").text
    section = re.sub(r"\s+", " ", html.split('id="meldingen"')[1])
    assert "Met de gegevens in dit portaal is er in Utrecht geen plek met zowel ongevallen als meldingen." in section
    assert f'data-dataset="{REPORTS}" data-near="0"' in section
    assert "(2025-2026); 0 daarvan binnen 50 meter van een plek in Utrecht" in section
    english = re.sub(r"\s+", " ", client.get("/verkeer?lang=en").text)
    assert "there is no place in Utrecht with both accidents and reports" in english


def test_english_choose_sort_and_csv(served) -> None:  # type: ignore[no-untyped-def]
    p, client = served
    english = client.get("/verkeer/GM0344?lang=en").text
    assert "<h1>Road safety: places with the most accidents</h1>" in english and "Risk score" in english
    moved = client.get("/verkeer?gemeente=gm0307", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/verkeer/GM0307"
    html = client.get("/verkeer/GM0344?sort=-letsel").text
    table = html.split('id="vk-table"')[1].split("</table>")[0]
    injury = [
        int(v)
        for v in re.findall(
            r'<td class="num" data-value="(\d+)">[^<]*</td>\s*<td class="num" data-value="\d+">[^<]*</td>\s*</tr>',
            table,
        )
    ]
    assert injury == sorted(injury, reverse=True) and len(injury) == verkeer_pages.SHOWN
    assert 'aria-sort="descending" data-key="letsel"' in table

    response = client.get("/verkeer/GM0344/download/hotspots.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(response.text)))
    rows = stored(p, "GM0344")
    assert [r["locatie_id"] for r in lines] == [r["locatie_id"] for r in rows]
    assert [float(r["risicoscore"]) for r in lines] == [r["risicoscore"] for r in rows]


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/verkeer/GM9999", 404, "gemeente 'GM9999': no locations in verkeer_hotspots; expected a code such as"),
        ("/verkeer/utrecht", 400, "gemeente: 'utrecht'; expected a CBS gemeente code such as GM0344"),
        ("/verkeer/GM0344?sort=drukte", 400, "sort: expected one of rang, risicoscore"),
        ("/verkeer/GM0344/download/alles.zip", 400, "expected hotspots.csv; got 'alles.zip'"),
    ],
)
def test_bad_input_is_one_clear_line(served, url: str, status: int, detail: str) -> None:  # type: ignore[no-untyped-def]
    _, client = served
    response = client.get(url, headers={"accept": "application/json"})
    assert response.status_code == status
    assert detail in response.json()["detail"] and "\n" not in response.json()["detail"]


def test_without_the_model_output_the_page_says_how_to_make_it(tmp_path: Path) -> None:
    with Platform(make_settings(tmp_path / "home")) as p, TestClient(create_app(p)) as client:
        response = client.get("/verkeer")
        assert response.status_code == 200
        assert 'id="geen-hotspots"' in response.text
        assert "stadsdata models verkeer hotspots --gemeente GM0344" in response.text
        assert client.get("/verkeer/GM0344/download/hotspots.csv").status_code == 404


def test_the_navigation_links_the_page(served) -> None:  # type: ignore[no-untyped-def]
    _, client = served
    html = client.get("/").text
    assert '<a href="/verkeer">Verkeersveiligheid</a>' in html


def test_with_a_match_the_page_shows_the_priority_list(served, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p, client = served
    rows = stored(p, "GM0344")
    top = rows[0]
    contract, data = synthetic_reports([(float(top["lon"]), float(top["lat"]), 3, UNSAFE)], tmp_path)  # type: ignore[arg-type]
    p.register(contract)
    p.ingest(data, "meldingen_synthetisch_utrecht")
    matched = p.models.verkeer.match(reports="meldingen_synthetisch_utrecht")
    assert matched.version == 1
    html = client.get("/verkeer").text
    table = html.split('id="vk-priorities"')[1].split("</table>")[0]
    first = re.search(r'<tr data-location="([^"]+)"><th scope="row" class="num">1</th>.*?</tr>', table, re.S)
    assert first and first.group(1) == top["locatie_id"] and "<td>beide hoog</td>" in first.group(0)
    assert 'id="geen-overlap"' not in html
    english = client.get("/verkeer?lang=en").text
    assert "<td>both high</td>" in english.split('id="vk-priorities"')[1]


def test_the_register_lists_the_model_and_the_page_links_it(served) -> None:  # type: ignore[no-untyped-def]
    _, client = served
    html = client.get("/verkeer").text
    link = re.search(r'<a href="(/algoritmes/[^"]+)">Naar het model in het algoritmeregister</a>', html)
    assert link
    entry = client.get(link.group(1))
    assert entry.status_code == 200 and "Verkeersrisicomodel" in entry.text
    assert "Verkeersrisicomodel" in client.get("/algoritmes?q=verkeersrisicomodel").text
