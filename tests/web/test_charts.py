"""The SVG charts and maps as pure functions, on real data and without the platform: the 44
wijken of Den Haag (tests/data/cbs_wijken_2019_den_haag.geojson) coloured by CBS's own
``WmoClientenRelatief_90`` (Wmo clients per 1,000 inhabitants, KWB 2019, the demo CSV), where
three wijken have no published figure (CBS left the cell empty: secret)."""

from __future__ import annotations

import csv
import json
import math
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from stadsdata import demo
from stadsdata.web import charts, maps

DATA = Path(__file__).parents[1] / "data"
SVG = "{http://www.w3.org/2000/svg}"
FMT = charts.Labels(fmt=lambda v: f"{v:g}").fmt
LABELS = maps.MapLabels(fmt=FMT, secret="geheim", missing="geen waarde")


@pytest.fixture(scope="module")
def wijken() -> dict[str, Any]:
    geojson = json.loads((DATA / "cbs_wijken_2019_den_haag.geojson").read_text(encoding="utf-8"))
    for feature in geojson["features"]:  # the shape IndicatorService.boundaries gives
        props = feature["properties"]
        feature["properties"] = {"code": props["wijkcode"], "name": props["wijknaam_kort"]}
    return geojson  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def wmo() -> dict[str, maps.Cell]:
    rows = csv.DictReader(demo.data_path("cbs_kwb_2019_den_haag").open(encoding="utf-8"))
    cells = {}
    for row in rows:
        if row["SoortRegio_2"].strip() == "Wijk":
            text = row["WmoClientenRelatief_90"]
            cells[row["Codering_3"].strip()] = maps.Cell(float(text) if text else None, secret=not text)
    return cells


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


# -- classes ------------------------------------------------------------------------------------
def test_quantile_breaks_put_about_as_many_wijken_in_each_class(wmo: dict[str, maps.Cell]) -> None:
    known = [c.value for c in wmo.values() if c.value is not None]
    assert len(known) == 41  # 44 wijken, 3 without a figure
    breaks = maps.quantile_breaks(known)
    assert breaks == sorted(breaks) and len(breaks) == 4
    classes = maps.legend_classes(known, breaks)
    assert sum(c.count for c in classes) == 41
    assert all(6 <= c.count <= 10 for c in classes), [c.count for c in classes]
    assert classes[0].low == min(known) and classes[-1].high == max(known) == 387  # WK051835, 155 inhabitants


def test_equal_values_never_straddle_a_break() -> None:
    values = [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 7.0, 9.0]
    breaks = maps.quantile_breaks(values)
    assert len(set(breaks)) == len(breaks)
    assert {maps.class_of(v, breaks) for v in values if v == 5.0} == {0}
    assert maps.quantile_breaks([3.0]) == [] and maps.quantile_breaks([]) == []


# -- the choropleth ---------------------------------------------------------------------------
def test_the_map_draws_every_wijk_linked_to_its_profile_with_its_value_on_hover(
    wijken: dict[str, Any], wmo: dict[str, maps.Cell]
) -> None:
    svg = maps.choropleth(
        wijken,
        wmo,
        title="Wmo-cliënten per wijk",
        unit="per 1.000 inwoners",
        labels=LABELS,
        href=lambda code: f"/indicatoren/regio/{code}",
    )
    root = parse(svg)
    links = root.findall(f".//{SVG}a")
    assert len(links) == 44
    by_code = {a.find(f"{SVG}path").get("data-code"): a for a in links}  # type: ignore[union-attr]
    assert by_code["WK051829"].get("href") == "/indicatoren/regio/WK051829"
    title = by_code["WK051829"].find(f"{SVG}path/{SVG}title")
    assert title is not None and title.text == "Schildersbuurt: 108"  # CBS: 108 per 1,000
    assert by_code["WK051829"].get("aria-label") == "Schildersbuurt: 108"


def test_secret_wijken_are_hatched_and_say_geheim_never_zero(wijken: dict[str, Any], wmo: dict[str, maps.Cell]) -> None:
    svg = maps.choropleth(wijken, wmo, title="Wmo", unit="per 1.000 inwoners", labels=LABELS, uid="t")
    root = parse(svg)
    secret = [p for p in root.iter(f"{SVG}path") if p.get("fill") == "url(#t-secret)"]
    assert sorted(p.get("data-code") for p in secret) == ["WK051801", "WK051810", "WK051843"]
    for path in secret:
        assert path.find(f"{SVG}title").text.endswith(": geheim")  # type: ignore[union-attr]
    assert root.find(f".//{SVG}pattern[@id='t-secret']") is not None
    legend = [t for t in ("".join(e.itertext()) for e in root.iter(f"{SVG}text"))]
    assert "geheim (3 gebieden)" in legend
    assert not any(": 0" in (p.find(f"{SVG}title").text or "") for p in root.iter(f"{SVG}path"))  # type: ignore[union-attr]


def test_a_wijk_without_any_value_is_grey_with_its_own_legend_entry(
    wijken: dict[str, Any], wmo: dict[str, maps.Cell]
) -> None:
    fewer = {code: cell for code, cell in wmo.items() if code != "WK051802"}
    root = parse(maps.choropleth(wijken, fewer, title="Wmo", unit="u", labels=LABELS))
    grey = [p.get("data-code") for p in root.iter(f"{SVG}path") if p.get("fill") == maps.NO_VALUE]
    assert grey == ["WK051802"]
    assert "geen waarde (1 gebieden)" in ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def test_the_outlined_region_is_drawn_last_so_its_outline_is_whole(
    wijken: dict[str, Any], wmo: dict[str, maps.Cell]
) -> None:
    root = parse(maps.choropleth(wijken, wmo, title="Wmo", unit="u", labels=LABELS, highlight="WK051829"))
    paths = list(root.iter(f"{SVG}path"))
    assert paths[-1].get("data-code") == "WK051829" and paths[-1].get("stroke-width") == "2.5"


def test_the_projection_keeps_den_haag_in_proportion(wijken: dict[str, Any]) -> None:
    """Equirectangular with longitude scaled by cos(latitude): the map's width/height equals the
    extent in kilometres (a degree of latitude is 111.2 km, of longitude 111.2 x cos(lat))."""
    projection, height = maps.projection_for(wijken["features"], 640, pad=0)
    lons = [p[0] for f in wijken["features"] for p in f["geometry"]["coordinates"][0]]
    lats = [p[1] for f in wijken["features"] for p in f["geometry"]["coordinates"][0]]
    km_wide = (max(lons) - min(lons)) * 111.2 * math.cos(math.radians((max(lats) + min(lats)) / 2))
    km_high = (max(lats) - min(lats)) * 111.2
    assert 640 / height == pytest.approx(km_wide / km_high, rel=1e-6)
    assert 12 < km_wide < 20 and 9 < km_high < 15  # 's-Gravenhage is about 16 by 12 km
    x, y = projection(min(lons), max(lats))
    assert (x, y) == pytest.approx((0, 0))


# -- bars and lines ---------------------------------------------------------------------------
def test_bars_show_secret_as_geheim_without_a_bar(wmo: dict[str, maps.Cell]) -> None:
    bars = [
        charts.Bar("Oostduinen", wmo["WK051801"].value),
        charts.Bar("Schildersbuurt", wmo["WK051829"].value, highlight=True, href="/indicatoren/regio/WK051829"),
        charts.Bar("Zorgvliet", wmo["WK051810"].value),
        charts.Bar("Nergens", None, missing=True),
    ]
    root = parse(charts.bar_chart(bars, title="Wmo", unit="per 1.000 inwoners", labels=LABELS))
    rects = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [r.find(f"{SVG}title").text for r in rects] == ["Schildersbuurt: 108"]  # type: ignore[union-attr]
    shown = [e.text for e in root.iter(f"{SVG}text")]  # the text itself, without its <title>
    assert shown.count("geheim") == 2 and shown.count("geen waarde") == 1
    assert "108" in shown  # (the axis has its own 0)
    assert root.find(f".//{SVG}a").get("href") == "/indicatoren/regio/WK051829"  # type: ignore[union-attr]
    assert "Oostduinen: geheim" in root.find(f"{SVG}desc").text  # type: ignore[operator]


def test_bars_start_at_zero_and_scale_to_the_largest_value() -> None:
    bars = [charts.Bar("a", 47.9), charts.Bar("b", 108.0)]
    svg = charts.bar_chart(bars, title="t", unit="u", labels=LABELS, width=640)
    root = parse(svg)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]  # type: ignore[arg-type]
    assert widths[0] / widths[1] == pytest.approx(47.9 / 108.0, rel=0.01)


def test_a_trend_line_breaks_at_a_secret_year_and_joins_across_missing_years() -> None:
    series = [
        charts.Series("'s-Gravenhage", ((2017, 30.1), (2019, 33.4), (2021, 35.0))),  # no 2018, 2020: joined
        charts.Series("Rotterdam", ((2017, 28.0), (2018, None), (2019, 29.9))),  # secret 2018: broken
    ]
    root = parse(charts.line_chart(series, title="t", unit="%", labels=LABELS))
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == 1 and len(lines[0].get("points", "").split()) == 3
    dots = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert dots == [
        "'s-Gravenhage, 2017: 30.1",
        "'s-Gravenhage, 2019: 33.4",
        "'s-Gravenhage, 2021: 35",
        "Rotterdam, 2017: 28",
        "Rotterdam, 2018: geheim",  # a hollow marker on the axis, not a point at 0
        "Rotterdam, 2019: 29.9",
    ]
    hollow = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "#ffffff"]
    assert len(hollow) == 1 and "geheim" in hollow[0].find(f"{SVG}title").text  # type: ignore[union-attr,operator]
    assert "Rotterdam: 2017 28, 2018 geheim, 2019 29.9" in root.find(f"{SVG}desc").text  # type: ignore[operator]


def test_nice_ticks_cover_the_range_with_round_steps() -> None:
    assert charts.nice_ticks(0, 387) == [0, 100, 200, 300, 400]
    assert charts.nice_ticks(0, 17.2) == [0, 5, 10, 15, 20]
    ticks = charts.nice_ticks(-3.5, 12)
    assert ticks[0] <= -3.5 and ticks[-1] >= 12


def test_text_is_escaped() -> None:
    svg = charts.bar_chart([charts.Bar("<b>&", 1.0)], title="a<b", unit="'s-Gravenhage", labels=LABELS)
    assert "<b>&" not in svg and "&lt;b&gt;&amp;" in svg
    parse(svg)


# -- PNG --------------------------------------------------------------------------------------
def test_png_is_rendered_without_a_browser(wijken: dict[str, Any], wmo: dict[str, maps.Cell]) -> None:
    svg = maps.choropleth(wijken, wmo, title="Wmo", unit="per 1.000 inwoners", labels=LABELS)
    png = charts.to_png(svg)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert view and (width, height) == (2 * int(view.group(1)), 2 * int(view.group(2)))


def test_axis_labels_get_the_decimals_their_step_needs() -> None:
    """Den Haag's 20 Wmo household-help clients in 2019 are 0.037 per 1,000: the axis must not
    read 0,0 five times."""
    labels = charts.Labels(fmt=lambda v: f"{v:.1f}", places=lambda v, n: f"{v:.{n}f}")
    root = parse(
        charts.bar_chart([charts.Bar("'s-Gravenhage", 20 / 537_833 * 1000)], title="t", unit="u", labels=labels)
    )
    ticks = [e.text for e in root.iter(f"{SVG}text") if e.get("text-anchor") == "middle"]
    assert ticks == ["0.00", "0.01", "0.02", "0.03", "0.04"]
    assert "0.0" in [e.text for e in root.iter(f"{SVG}text")]  # the value itself keeps its own decimals
