"""The reports dashboard (issue #10): ``/meldingen/{id}`` shows the real Assen reports by category,
wijk and week with resolution times, the caveats of the source and a map of 250 m cells, all
matching Python's own count of the shipped file; the CSV downloads match the page; a filter is a
plain GET form; bad input gets one line; a non-public reports dataset is not shown to the public."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.platform import Platform
from stadsdata.reports import TEMPLATE, UNSAFE_TRAFFIC
from stadsdata.web import create_app
from tests.conftest import make_settings
from tests.reports.conftest import load, rows

PAGE = f"/meldingen/{TEMPLATE}"
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("reports-web") / "home"
    with Platform(make_settings(home)) as platform:
        load(platform, TEMPLATE, "cbs_gemeenten_2024")
    return home


@pytest.fixture
def client(home: Path, tmp_path: Path) -> Iterator[TestClient]:
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    with Platform(make_settings(copy)) as platform, TestClient(create_app(platform)) as c:
        yield c


def nl(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def test_the_index_goes_straight_to_the_only_reports_dataset(client: TestClient) -> None:
    response = client.get("/meldingen", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == PAGE
    assert client.get("/meldingen?lang=en", follow_redirects=False).headers["location"] == PAGE + "?lang=en"


def test_the_dashboard_shows_the_reports_by_category_wijk_week_with_times_and_a_map(client: TestClient) -> None:
    data = rows()
    html = client.get(PAGE).text
    assert "<h1>" in html and "Meldingen openbare ruimte Assen (Signalen), 2025-2026" in html
    assert f'data-total="{len(data)}">{nl(len(data))}<' in html
    assert f'data-open="{sum(1 for r in data if not r["resolved_date"])}"' in html
    # the caveats of the source, on the page
    for caveat in ("caveat-resolution", "caveat-undercount", "caveat-before", "resolution-caveat", "map-why"):
        assert f'id="{caveat}"' in html
    assert "resolutie één dag" in html and "ondergeteld" in html
    # every main category is a bar linking to its filter; every wijk a row of the table
    for main, n in Counter(r["hoofdcategorie"] for r in data).items():
        assert f"<title>{main}: {nl(n)}</title>" in html, main
    table = html.split('id="rep-areas"')[1].split("</table>")[0]
    for wijk, n in Counter(r["wijk"] for r in data).items():
        assert re.search(rf'data-wijk="{re.escape(wijk)}">.*?data-value="{n}"', table, re.S), wijk
    # weeks with the trend, resolution per main category
    assert 'id="trend" data-change="' in html and 'data-week="2026-W21"' in html
    resolution = html.split('id="rep-resolution"')[1].split("</table>")[0]
    assert resolution.count("data-group=") == len({r["hoofdcategorie"] for r in data})
    # the map: 250 m cells over the outline of Assen, each with its count as a tooltip
    svg = html.split('id="rep-map-figure"')[1].split("</svg>")[0]
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', svg)]
    assert sum(counts) == len(data) and len(counts) > 100
    assert 'data-outline="1"><title>Assen</title>' in svg
    assert "Legenda" in svg and "vakken" in svg


def test_no_street_names_on_the_page(client: TestClient) -> None:
    html = client.get(PAGE).text
    streets = Counter(r["straat"] for r in rows() if r["straat"])
    assert not [s for s, _ in streets.most_common(20) if f">{s}<" in html or f" {s} " in html]


def test_the_filter_is_a_plain_get_form(client: TestClient) -> None:
    html = client.get(PAGE).text
    form = html.split('<form class="rep-filter"')[1].split("</form>")[0]
    assert 'method="get"' in form and 'name="hoofdcategorie"' in form and 'name="van"' in form
    response = client.get(
        PAGE, params={"hoofdcategorie": "Wegen, verkeer en straatmeubilair", "subcategorie": UNSAFE_TRAFFIC}
    )
    n = sum(1 for r in rows() if r["subcategorie"] == UNSAFE_TRAFFIC)
    assert response.status_code == 200 and f'data-total="{n}"' in response.text
    assert 'id="filter-clear"' in response.text and "Afhandeltijd per subcategorie" in response.text
    assert 'id="rep-main-chosen"' in response.text and 'id="rep-main-figure"' not in response.text


def test_english(client: TestClient) -> None:
    html = client.get(PAGE + "?lang=en").text
    assert '<html lang="en"' in html and "Keep in mind" in html and "Reports per 250 m cell" in html


def test_the_wijk_table_sorts_on_the_server(client: TestClient) -> None:
    html = client.get(PAGE, params={"sort": "wijk"}).text
    table = html.split('id="rep-areas"')[1].split("</table>")[0]
    names = re.findall(r'<tr data-wijk="([^"]*)"', table)
    assert names == sorted(names, key=str.lower)
    assert 'aria-sort="ascending"' in table


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sort": "straat"}, "sort: expected one of wijk, meldingen, nog_open, mediaan"),
        ({"hoofdcategorie": "Parkeren"}, "hoofdcategorie: expected one of Afval"),
        ({"van": "morgen"}, "van: expected a date as YYYY-MM-DD"),
    ],
)
def test_bad_input_gets_one_line(client: TestClient, params: dict[str, str], message: str) -> None:
    response = client.get(PAGE, params=params)
    assert response.status_code == 422 and message in response.json()["detail"]
    page = client.get(PAGE, params=params, headers=HTML)
    assert page.status_code == 422 and message.split(":")[0] in page.text


def test_downloads_match_the_file(client: TestClient) -> None:
    data = rows()

    def table(name: str, **params: str) -> list[dict[str, str]]:
        response = client.get(f"{PAGE}/download/{name}", params=params)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(response.text)))

    assert {r["wijk"]: int(r["meldingen"]) for r in table("wijken.csv")} == Counter(r["wijk"] for r in data)
    cats = table("categorieen.csv")
    assert Counter({(r["hoofdcategorie"], r["subcategorie"]): int(r["meldingen"]) for r in cats}) == Counter(
        (r["hoofdcategorie"], r["subcategorie"]) for r in data
    )
    assert sum(int(r["meldingen"]) for r in table("weken.csv")) == len(data)
    assert sum(int(r["meldingen"]) for r in table("rastercellen.csv")) == len(data)
    times = table("afhandeltijden.csv")
    assert times[-1]["niveau"] == "alle" and int(times[-1]["meldingen"]) == len(data)
    afval = table("wijken.csv", hoofdcategorie="Afval")
    assert sum(int(r["meldingen"]) for r in afval) == sum(1 for r in data if r["hoofdcategorie"] == "Afval")
    svg = client.get(f"{PAGE}/download/kaart.svg")
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.startswith("<svg")
    assert client.get(f"{PAGE}/download/alles.zip").status_code == 422


def test_not_a_reports_dataset_or_unknown(client: TestClient) -> None:
    response = client.get("/meldingen/cbs_gemeenten_2024")
    assert (
        response.status_code == 422 and "is not a reports dataset: column 'id' is missing" in response.json()["detail"]
    )
    assert client.get("/meldingen/bestaat_niet", headers=HTML).status_code == 404


def test_a_non_public_reports_dataset_is_not_shown_to_the_public(home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    data = yaml.safe_load(demo.contract_path(TEMPLATE).read_text(encoding="utf-8"))
    data.update(id="meldingen_intern", classification="intern")
    file = tmp_path / "meldingen_intern.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with Platform(make_settings(copy)) as platform, TestClient(create_app(platform)) as c:
        platform.register(file)
        platform.ingest(demo.data_path(TEMPLATE), "meldingen_intern")
        assert {r.id for r in platform.reports.datasets()} == {TEMPLATE, "meldingen_intern"}
        assert c.get("/meldingen", follow_redirects=False).headers["location"] == PAGE  # the public one only
        assert c.get("/meldingen/meldingen_intern", headers=HTML).status_code == 404
        assert c.get("/meldingen/meldingen_intern/download/wijken.csv").status_code == 404


def test_the_api_gives_the_aggregates_of_the_page(client: TestClient) -> None:
    listing = client.get("/api/v1/meldingen").json()
    assert [d["id"] for d in listing["datasets"]] == [TEMPLATE]
    data = rows()
    body = client.get(f"/api/v1/meldingen/{TEMPLATE}").json()
    assert body["totals"]["meldingen"] == len(data) and body["totals"]["waargenomen_vanaf"] == "2026-05-18"
    assert {a["wijk"]: a["meldingen"] for a in body["areas"]} == Counter(r["wijk"] for r in data)
    assert sum(c["meldingen"] for c in body["cells"]) == len(data)
    assert sum(w["meldingen"] for w in body["weeks"]) == len(data)
    assert body["resolution_by"] == "hoofdcategorie" and body["resolution_all"]["meldingen"] == len(data)
    page = client.get(PAGE).text
    assert f'data-median="{body["resolution_all"]["mediaan_dagen"]}"' in page
    filtered = client.get(f"/api/v1/meldingen/{TEMPLATE}", params={"subcategorie": UNSAFE_TRAFFIC}).json()
    assert filtered["totals"]["meldingen"] == sum(1 for r in data if r["subcategorie"] == UNSAFE_TRAFFIC)
    assert filtered["filter"] == {"subcategorie": UNSAFE_TRAFFIC}
    bad = client.get(f"/api/v1/meldingen/{TEMPLATE}", params={"van": "2026-02-30"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("van: expected a date as YYYY-MM-DD")
    assert client.get("/api/v1/meldingen/bestaat_niet").status_code == 404
    assert "/api/v1/meldingen/{dataset_id}" in client.get("/api/v1/openapi.json").json()["paths"]
