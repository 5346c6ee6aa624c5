"""The traffic-risk page (issue #10): ``/verkeer`` and ``/verkeer/{gemeente}``.

Per gemeente (default Utrecht, GM0344): the ranked accident locations of ``verkeer_hotspots``
with counts by severity, the raw weighted score and the risk score (a sortable table, ``?sort=``);
an SVG map drawn here (the gemeente's outline from the boundaries dataset, every location as a dot,
the top locations as circles sized and coloured by risk score, ``<title>`` tooltips; no tiles, no
CDN); the method in plain Dutch with this gemeente's own figures; the caveats of BRON; and the
matching with residents' reports: for every reports dataset in the catalogue (a contract with
``lon``, ``lat`` and ``subcategorie``) the page counts the "Onveilige verkeerssituatie" reports
near the gemeente's locations, and says plainly when none is near (the shipped data: Utrecht
2015-2018 against Assen 2025-2026). ``verkeer_prioriteiten``, when ``stadsdata models verkeer
match`` wrote it, is shown as the priority list.

- ``/verkeer/{gemeente}/download/hotspots.csv``: the gemeente's locations as in the dataset.

Public: the output and its source are open data. Without ``verkeer_hotspots`` the page says how
to make it (``stadsdata models verkeer hotspots``), with status 200.

The page's strings are ``TEXTS`` below; importing this module (``web/app.py`` does, and so does
any import of ``stadsdata.web``) adds them to ``i18n.MESSAGES``, refusing a key defined twice.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from stadsdata.errors import NotFoundError, StadsdataError
from stadsdata.indicators.model import Level
from stadsdata.models.verkeer.card import MODEL_NAME
from stadsdata.models.verkeer.contract import HOTSPOTS, PRIORITIES
from stadsdata.models.verkeer.hotspots import Weights, fit_prior
from stadsdata.models.verkeer.matching import UNSAFE, Settings, match, unsafe_reports
from stadsdata.models.verkeer.service import ACCIDENTS, DEFAULT_GEMEENTE
from stadsdata.web import charts, maps
from stadsdata.web.i18n import MESSAGES, Translator
from stadsdata.web.indicator_views import number
from stadsdata.web.portal import _render, _translator

router = APIRouter(include_in_schema=False)
PAGE = "/verkeer"
MODEL_SOURCE_ID = f"stadsdata-model:{MODEL_NAME}"
SHOWN = 50  # rows in the table (the CSV has them all)
ON_MAP = 25  # locations drawn as circles
RISK = ("#fdd49e", "#fdbb84", "#fc8d59", "#d7301f", "#990000")  # ColorBrewer OrRd, light to dark
DOT = "#8a8a8a"
COLUMNS = ("rang", "risicoscore", "gewogen_score", "ongevallen", "dodelijk", "letsel", "materieel")

#: this page's strings: key -> (Dutch, English); merged into the portal's ``MESSAGES`` below
TEXTS: dict[str, tuple[str, str]] = {
    "nav.verkeer": ("Verkeersveiligheid", "Road safety"),
    "vk.title": ("Verkeersveiligheid: plekken met de meeste ongevallen", "Road safety: places with the most accidents"),
    "vk.eyebrow": ("Verkeersrisicomodel · model", "Traffic-risk model · model"),
    "vk.lead": (
        "Waar gebeuren de meeste verkeersongevallen, en waar vinden bewoners het onveilig? Deze pagina zet de plekken "
        "met geregistreerde ongevallen op een rij, met een risicoscore die toeval afvlakt.",
        "Where do most road accidents happen, and where do residents feel unsafe? This page ranks the places with "
        "registered accidents, with a risk score that damps chance.",
    ),
    "vk.none.title": ("Er zijn nog geen ongevallenplekken berekend.", "No accident locations have been computed yet."),
    "vk.none.how": (
        "Een beheerder maakt ze met dit commando (het leest de BRON-ongevallen uit de catalogus):",
        "An administrator makes them with this command (it reads the BRON accidents from the catalogue):",
    ),
    "vk.choose": ("Kies een gemeente", "Choose a gemeente"),
    "vk.choose.option": ("{name} ({code}, {n} plekken)", "{name} ({code}, {n} places)"),
    "vk.show": ("Toon", "Show"),
    "vk.summary": ("{name} in {first}-{last}", "{name} in {first}-{last}"),
    "vk.tile.locations": ("Plekken met ongevallen", "Places with accidents"),
    "vk.tile.locations.hint": (
        "Punten van het wegennet binnen {radius} meter tellen als één plek.",
        "Road-network points within {radius} metres count as one place.",
    ),
    "vk.tile.accidents": ("Ongevallen", "Accidents"),
    "vk.tile.accidents.hint": ("Geschat uit de partijen in BRON.", "Estimated from the parties in BRON."),
    "vk.tile.severity": ("Dodelijk / letsel / alleen schade", "Fatal / injury / damage only"),
    "vk.tile.severity.hint": ("Aantal ongevallen naar ernst.", "Accidents by severity."),
    "vk.tile.top": ("Hoogste risicoscore", "Highest risk score"),
    "vk.tile.top.hint": ("{n} ongevallen op die plek.", "{n} accidents at that place."),
    "vk.map.heading": ("Kaart van de plekken", "Map of the places"),
    "vk.map.hint": (
        "De {top} plekken met de hoogste risicoscore zijn cirkels: hoe groter en donkerder, hoe hoger de score. Het "
        "cijfer is de rang. Beweeg over een cirkel of kies hem voor de cijfers. Grijze stippen zijn de andere plekken.",
        "The {top} places with the highest risk score are circles: the bigger and darker, the higher the score. The "
        "number is the rank. Hover over a circle or choose it for its figures. Grey dots are the other places.",
    ),
    "vk.map.title": (
        "Plekken met verkeersongevallen in {name}, {first}-{last}",
        "Places with road accidents in {name}, {first}-{last}",
    ),
    "vk.map.desc": (
        "{n} plekken met ten minste één ongeval; de {top} met de hoogste risicoscore als cirkel.",
        "{n} places with at least one accident; the {top} with the highest risk score as circles.",
    ),
    "vk.map.tip": (
        "Rang {rank}: risicoscore {score}; {n} ongevallen ({dod} dodelijk, {let} letsel, {ums} alleen schade)",
        "Rank {rank}: risk score {score}; {n} accidents ({dod} fatal, {let} injury, {ums} damage only)",
    ),
    "vk.map.unit": ("risicoscore", "risk score"),
    "vk.map.classes": ("de top {top}; klassen: kwantielen", "the top {top}; classes: quantiles"),
    "vk.map.count": ("{n} plekken", "{n} places"),
    "vk.map.other": ("andere plekken met ongevallen", "other places with accidents"),
    "vk.table": ("Ranglijst", "Ranking"),
    "vk.table.caption": (
        "De {shown} plekken met de hoogste risicoscore in {name} (van de {n})",
        "The {shown} places with the highest risk score in {name} (of {n})",
    ),
    "vk.table.sorted": (
        "De eerste {shown} plekken in {name}, gesorteerd (van de {n})",
        "The first {shown} places in {name}, sorted (of {n})",
    ),
    "vk.table.hint": (
        "Kies een kolomkop om te sorteren. De CSV bevat alle plekken.",
        "Choose a column heading to sort. The CSV holds every place.",
    ),
    "vk.col.rang": ("Rang", "Rank"),
    "vk.col.place": ("Plek", "Place"),
    "vk.col.ongevallen": ("Ongevallen", "Accidents"),
    "vk.col.dodelijk": ("Dodelijk", "Fatal"),
    "vk.col.letsel": ("Letsel", "Injury"),
    "vk.col.materieel": ("Alleen schade", "Damage only"),
    "vk.col.gewogen_score": ("Gewogen telling", "Weighted count"),
    "vk.col.risicoscore": ("Risicoscore", "Risk score"),
    "vk.col.prioriteit": ("Prioriteit", "Priority"),
    "vk.col.kwadrant": ("Groep", "Group"),
    "vk.col.meldingen": ("Meldingen", "Reports"),
    "vk.points": ("{n} punten", "{n} points"),
    "vk.coord": ("{lat} NB · {lon} OL", "{lat} N · {lon} E"),
    "vk.csv": ("Alle plekken van {name} (CSV)", "Every place in {name} (CSV)"),
    "vk.version": ("versie {version}, model {model}", "version {version}, model {model}"),
    "vk.method": ("Hoe werkt het?", "How does it work?"),
    "vk.b1.count.q": ("Wat tellen we?", "What do we count?"),
    "vk.b1.count": (
        "De politie en Rijkswaterstaat registreren verkeersongevallen in BRON. Bij elk ongeval staan alle betrokkenen "
        "(partijen), zoals een auto en een fiets. Wij tellen ongevallen, geen partijen. BRON zet elk ongeval op een "
        "punt van het wegennet, vaak een kruispunt. Punten die minder dan {radius} meter van elkaar liggen, tellen we "
        "als één plek.",
        "The police and Rijkswaterstaat register road accidents in BRON. Each accident lists everyone involved "
        "(parties), such as a car and a bicycle. We count accidents, not parties. BRON puts each accident on a point "
        "of the road network, often a junction. Points less than {radius} metres apart count as one place.",
    ),
    "vk.b1.weight.q": ("Hoe zwaar telt een ongeval?", "How much does an accident count?"),
    "vk.b1.weight": (
        "Een ongeval met een dode telt {fatal} keer, een ongeval met letsel {injury} keer en een ongeval met alleen "
        "schade {material} keer. Zo tellen ernstige ongevallen zwaarder. Grotere verschillen kiezen we bewust niet: "
        "één dodelijk ongeval is vaak pech en zou dan de hele lijst bepalen. Zo krijgt u de gewogen telling.",
        "A fatal accident counts {fatal} times, an injury accident {injury} times and a damage-only accident "
        "{material}. So serious accidents weigh more. We deliberately do not choose bigger differences: one "
        "fatal accident is often bad luck and would then decide the whole list. This gives the weighted count.",
    ),
    "vk.b1.chance.q": ("Waarom niet gewoon de gewogen telling?", "Why not simply the weighted count?"),
    "vk.b1.chance": (
        "Op een plek met maar een paar ongevallen speelt toeval een grote rol. Een plek met twee ongevallen in vier "
        "jaar kan de jaren daarna geen enkel ongeval hebben. Daarom maken we een risicoscore. We kijken hoeveel "
        "ongevallen een plek in {name} gemiddeld heeft en hoe sterk de plekken van elkaar verschillen. Heeft een plek "
        "veel ongevallen, dan telt vooral haar eigen telling. Heeft ze er weinig, dan schuift haar score op naar het "
        "gemiddelde van de gemeente. Zo komt een plek niet door toeval bovenaan. Deze methode heet empirische Bayes.",
        "At a place with only a few accidents, chance plays a big part. A place with two accidents in four years may "
        "have none in the years after. That is why we compute a risk score. We look at how many accidents a place in "
        "{name} has on average and how much places differ. A place with many accidents mostly keeps its own count. A "
        "place with few moves towards the gemeente's average. So no place reaches the top by chance. This method is "
        "called empirical Bayes.",
    ),
    "vk.b1.here.q": ("Wat betekent dat in {name}?", "What does that mean in {name}?"),
    "vk.b1.here": (
        "In {name} telt de eigen telling van een plek voor {injury}% mee bij letselongevallen en voor {material}% bij "
        "ongevallen met alleen schade. De rest komt van het gemiddelde van de gemeente.",
        "In {name} a place's own count weighs {injury}% for injury accidents and {material}% for damage-only "
        "accidents. The rest comes from the gemeente's average.",
    ),
    "vk.b1.fatal.none": (
        "Dodelijke ongevallen zijn zo zeldzaam ({n} in {first}-{last}) dat ze niet vaker op dezelfde plekken gebeuren "
        "dan toeval verklaart. Daarom telt een dodelijk ongeval in de risicoscore voor alle plekken even zwaar mee. Ze "
        "staan wel in de tabel.",
        "Fatal accidents are so rare ({n} in {first}-{last}) that they do not happen at the same places more often "
        "than chance explains. So in the risk score a fatal accident counts the same for every place. They are in "
        "the table.",
    ),
    "vk.b1.fatal.some": (
        "Bij dodelijke ongevallen telt de eigen telling voor {pct}% mee.",
        "For fatal accidents the own count weighs {pct}%.",
    ),
    "vk.b1.good.q": ("Hoe goed werkt het?", "How well does it work?"),
    "vk.b1.good": (
        "We hebben het getest: met de ongevallen van de eerste jaren voorspelden we die van de jaren daarna. De "
        "uitkomst staat in het algoritmeregister:",
        "We tested it: with the accidents of the first years we predicted those of the years after. The result is in "
        "the algorithm register:",
    ),
    "vk.register": ("Naar het model in het algoritmeregister", "To the model in the algorithm register"),
    "vk.no_card": (
        "Het model staat nog niet in het algoritmeregister. Een beheerder zet het erin met",
        "The model is not in the algorithm register yet. An administrator adds it with",
    ),
    "vk.limits": ("Waar moet u op letten?", "What should you keep in mind?"),
    "vk.limits.places": (
        "De lijst gaat over plekken, nooit over personen. Het is een hulpmiddel om te kiezen welke plekken een "
        "verkeerskundige eerst bekijkt, geen oordeel over een plek.",
        "The list is about places, never about people. It helps to choose which places a traffic engineer looks at "
        "first; it is not a verdict on a place.",
    ),
    "vk.limits.bron": (
        "BRON bevat alleen ongevallen die politie of Rijkswaterstaat registreerde. Lichte ongevallen en ongevallen "
        "zonder auto (bijvoorbeeld een fietser die alleen valt) ontbreken vaak.",
        "BRON holds only accidents that the police or Rijkswaterstaat registered. Minor accidents and accidents "
        "without a motor vehicle (such as a cyclist falling alone) are often missing.",
    ),
    "vk.limits.file": (
        "Dit bestand is vermoedelijk niet volledig: er staan minder ongevallen in dan in de officiële BRON-cijfers. Er "
        "is geen ongevalsnummer en geen datum; het aantal ongevallen is geschat uit de partijen. Gebruik de cijfers "
        "niet als officiële statistiek.",
        "This file is probably incomplete: it has fewer accidents than the official BRON figures. There is no accident "
        "number and no date; the number of accidents is estimated from the parties. Do not use the figures as "
        "official statistics.",
    ),
    "vk.limits.traffic": (
        "Hoe druk het op een plek is, weten we niet. Een druk kruispunt kan hoog staan zonder dat het daar per "
        "voorbijganger gevaarlijker is.",
        "We do not know how busy a place is. A busy junction can rank high without being more dangerous per passer-by.",
    ),
    "vk.limits.snap": (
        "Ongevallen staan op punten van het wegennet, niet op de precieze plek. De gemeente is bepaald met de grenzen "
        "van 2024. Plekken zonder ongevallen staan niet in de lijst.",
        "Accidents sit on road-network points, not on the exact spot. The gemeente follows the 2024 boundaries. "
        "Places without accidents are not in the list.",
    ),
    "vk.match": ("Ongevallen en meldingen van bewoners", "Accidents and residents' reports"),
    "vk.match.lead": (
        "Bewoners melden onveilige verkeerssituaties bij de gemeente. Waar de cijfers en de meldingen allebei op "
        "gevaar wijzen, wil de gemeente als eerste iets doen. Het model telt per plek de meldingen '{unsafe}' binnen "
        "{distance} meter.",
        "Residents report unsafe traffic situations to the gemeente. Where both the figures and the reports point to "
        "danger, the gemeente wants to act first. The model counts, per place, the '{unsafe}' reports within "
        "{distance} metres.",
    ),
    "vk.match.how": (
        "Zo maken we de lijst: elke plek krijgt een rang op risicoscore en een rang op het aantal meldingen. Eerst "
        "komen de plekken waar allebei hoog zijn (risico bij de hoogste 20% van de gemeente én ten minste 2 "
        "meldingen), dan alleen hoog risico, dan alleen veel meldingen. Binnen elke groep gaat de plek met het "
        "kleinste product van de twee rangen voor.",
        "How we make the list: every place gets a rank by risk score and a rank by number of reports. First come the "
        "places where both are high (risk in the gemeente's top 20% and at least 2 reports), then high risk only, "
        "then many reports only. Within each group the place with the smallest product of the two ranks goes first.",
    ),
    "vk.match.none": (
        "Met de gegevens in dit portaal is er in {name} geen plek met zowel ongevallen als meldingen. De twee helften "
        "staan daarom los van elkaar; we doen niet alsof ze overlappen.",
        "With the data in this portal there is no place in {name} with both accidents and reports. The two halves "
        "therefore stand apart; we do not pretend they overlap.",
    ),
    "vk.match.dataset": (
        "{reports} meldingen '{unsafe}' ({years}); {near} daarvan binnen {distance} meter van een plek in {name}. De "
        "ongevallen zijn van {first}-{last}.",
        "{reports} '{unsafe}' reports ({years}); {near} of them within {distance} metres of a place in {name}. The "
        "accidents are from {first}-{last}.",
    ),
    "vk.match.no_datasets": (
        "Er staat nog geen dataset met meldingen van bewoners in de catalogus.",
        "There is no dataset of residents' reports in the catalogue yet.",
    ),
    "vk.match.error": ("niet te gebruiken", "cannot be used"),
    "vk.match.cli": (
        "Zodra er meldingen zijn voor dezelfde plekken, maakt een beheerder de lijst met:",
        "Once there are reports for the same places, an administrator makes the list with:",
    ),
    "vk.match.list": ("Prioriteiten in {name}", "Priorities in {name}"),
    "vk.match.list.caption": (
        "De eerste {shown} plekken op de prioriteitenlijst van {name}",
        "The first {shown} places on the priority list of {name}",
    ),
    "vk.years.unknown": ("jaren onbekend", "years unknown"),
    "vk.q.beide hoog": ("beide hoog", "both high"),
    "vk.q.alleen risico hoog": ("alleen risico hoog", "high risk only"),
    "vk.q.alleen meldingen hoog": ("alleen meldingen hoog", "many reports only"),
    "vk.q.geen van beide": ("geen van beide", "neither"),
}

for key, pair in TEXTS.items():  # this page's strings (below) join the portal's
    if key in MESSAGES and MESSAGES[key] != pair:
        raise RuntimeError(f"i18n key {key!r} is defined twice")
    MESSAGES[key] = pair


def install(app: FastAPI) -> None:
    app.include_router(router)


# -- the data --------------------------------------------------------------------------------
@dataclass
class Gemeente:
    code: str
    name: str
    locations: pd.DataFrame  # ranked, from verkeer_hotspots
    dataset_version: int
    model: str
    years: tuple[int, int]
    radius: float


@dataclass
class ReportsCheck:
    """One reports dataset against the gemeente's locations."""

    dataset: str
    title: str
    reports: int  # unsafe-traffic reports in it
    near: int  # of those, within the distance of one of the gemeente's locations
    years: tuple[int, int] | None
    error: str | None = None


def _frame(platform: Any, sql: str) -> pd.DataFrame:
    return platform.catalog.query(sql).to_arrow().to_pandas()


def _current(platform: Any, dataset: str) -> int | None:
    if not platform.metastore.has_dataset(dataset):
        return None
    return platform.metastore.get_dataset(dataset).current_version


_CACHE: dict[tuple[str, int], pd.DataFrame] = {}


def hotspots_frame(platform: Any) -> tuple[pd.DataFrame, int] | None:
    """``verkeer_hotspots`` as published (cached by home and version), or None."""
    version = _current(platform, HOTSPOTS)
    if version is None:
        return None
    key = (str(platform.home), int(version))
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = _frame(platform, f'SELECT * FROM "{HOTSPOTS}"')
    return _CACHE[key], int(version)


def gemeenten(frame: pd.DataFrame) -> list[tuple[str, str, int]]:
    """(code, name, locations) by name."""
    counts = frame.groupby(["gemeentecode", "gemeentenaam"]).size().reset_index(name="n")
    return sorted(((r.gemeentecode, r.gemeentenaam, int(r.n)) for r in counts.itertuples()), key=lambda g: g[1])


def load(platform: Any, code: str) -> Gemeente | None:
    found = hotspots_frame(platform)
    if found is None:
        return None
    frame, version = found
    part = frame[frame["gemeentecode"] == code]
    if part.empty:
        known = gemeenten(frame)
        example = ", ".join(f"{c} ({n})" for c, n, _ in known[:3])
        raise NotFoundError(f"gemeente {code[:20]!r}: no locations in {HOTSPOTS}; expected a code such as {example}")
    part = part.sort_values("rang").reset_index(drop=True)
    return Gemeente(
        code,
        str(part["gemeentenaam"].iloc[0] or code),
        part,
        version,
        str(part["modelversie"].iloc[0]),
        (int(part["jaar_van"].min()), int(part["jaar_tot"].max())),
        float(part["straal_m"].iloc[0]),
    )


def reports_datasets(platform: Any) -> list[Any]:
    """Datasets of the reports type: their contract has lon, lat and subcategorie."""
    found = []
    for record in platform.metastore.list_datasets():
        names = {c.get("name") for c in (record.contract.get("columns") or [])}
        if {"lon", "lat", "subcategorie"} <= names and record.current_version is not None:
            found.append(record)
    return found


_MATCHES: dict[tuple[str, str, int, int, str, float], ReportsCheck] = {}


def check_reports(platform: Any, gemeente: Gemeente, distance: float) -> list[ReportsCheck]:
    out = []
    for record in reports_datasets(platform):
        version = int(record.current_version)
        key = (str(platform.home), record.id, version, gemeente.dataset_version, gemeente.code, distance)
        if key not in _MATCHES:
            if len(_MATCHES) > 256:
                _MATCHES.clear()
            title = str((record.contract.get("title") or {}).get("nl") or record.id)
            try:
                unsafe = unsafe_reports(record.id, _frame(platform, f'SELECT * FROM "{record.id}"'))
            except StadsdataError as exc:
                _MATCHES[key] = ReportsCheck(record.id, title, 0, 0, None, str(exc))
                continue
            found = match(gemeente.locations, unsafe, Settings(distance=distance))
            _MATCHES[key] = ReportsCheck(record.id, title, found.reports, found.matched_reports, found.report_years)
        out.append(_MATCHES[key])
    return out


def priorities(platform: Any, code: str) -> pd.DataFrame | None:
    if _current(platform, PRIORITIES) is None:
        return None
    frame = _frame(platform, f'SELECT * FROM "{PRIORITIES}"')
    part = frame[frame["gemeentecode"] == code].sort_values("prioriteit")
    return part.reset_index(drop=True) if len(part) else None


@dataclass
class Card:
    id: str
    performance: str
    risks: str


def model_card(platform: Any) -> Card | None:
    try:
        entry = platform.algorithms.get(MODEL_SOURCE_ID)
    except NotFoundError:
        return None
    methods = str(entry.fields.get("methods_and_models", ""))
    marker = "Gemeten prestaties: "
    performance = methods.split(marker, 1)[1].strip() if marker in methods else ""
    return Card(entry.id, performance, str(entry.fields.get("risks", "")))


# -- the views -------------------------------------------------------------------------------
def _classes(values: list[float]) -> tuple[list[float], tuple[str, ...]]:
    breaks = maps.quantile_breaks(values)
    n = len(breaks) + 1
    palette = RISK if n >= len(RISK) else tuple(RISK[i] for i in {1: (3,), 2: (1, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4)}[n])
    return breaks, palette


def risk_map(t: Translator, geojson: dict[str, Any], g: Gemeente, *, uid: str = "verkeer-map", width: int = 640) -> str:
    """The gemeente's outline, every location as a small dot, the top ``ON_MAP`` as circles sized
    (area) and coloured (quantile classes) by risk score, each with a tooltip and a link to its row."""
    features = [f for f in geojson.get("features", []) if f.get("geometry")]
    if not features:  # no boundary: frame the locations themselves
        lons, lats = g.locations["lon"], g.locations["lat"]
        box = [[lons.min(), lats.min()], [lons.max(), lats.min()], [lons.max(), lats.max()], [lons.min(), lats.max()]]
        frame_only = [{"geometry": {"type": "Polygon", "coordinates": [box]}}]
        project, map_h = maps.projection_for(frame_only, width, pad=12)
    else:
        project, map_h = maps.projection_for(features, width, pad=12)
    top = g.locations.head(ON_MAP)
    scores = [float(v) for v in top["risicoscore"]]
    breaks, palette = _classes(scores)
    biggest = max(scores) if scores else 1.0
    a = charts.attr
    entries = []
    for i, colour in enumerate(palette):
        members = [v for v in scores if maps.class_of(v, breaks) == i]
        if members:
            entries.append((colour, f"{number(t, min(members), 1)} – {number(t, max(members), 1)}", len(members)))
    legend_h = 64 + 22 * (len(entries) + 1)  # the classes and the dots
    height = map_h + legend_h
    described = t("vk.map.desc", n=len(g.locations), top=len(top), name=g.name)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'height="{height:.0f}" role="group" aria-labelledby="{uid}-title {uid}-desc" font-family="{charts.FONT}" '
        f'font-size="13" class="chart chart--map">',
        f'<title id="{uid}-title">{a(t("vk.map.title", name=g.name, first=g.years[0], last=g.years[1]))}</title>',
        f'<desc id="{uid}-desc">{a(described)}</desc>',
        f'<rect width="{width}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    for feature in features:
        d = maps.path_data(feature["geometry"], project)
        if d:
            out.append(f'<path d="{d}" fill="#f3f5f7" stroke="{charts.MUTED}" stroke-width="1.2" fill-rule="evenodd"/>')
    dots = []
    for lon, lat in zip(g.locations["lon"].iloc[len(top) :], g.locations["lat"].iloc[len(top) :], strict=True):
        x, y = project(float(lon), float(lat))
        dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6"/>')
    out.append(f'<g fill="{DOT}" fill-opacity="0.55" aria-hidden="true">{"".join(dots)}</g>')
    shapes = []
    for row in reversed(list(top.itertuples())):  # the highest drawn last, on top
        x, y = project(float(row.lon), float(row.lat))
        r = 4 + 14 * math.sqrt(max(float(row.risicoscore), 0.0) / biggest)
        fill = palette[maps.class_of(float(row.risicoscore), breaks)]
        tip = t(
            "vk.map.tip",
            rank=int(row.rang),
            score=number(t, float(row.risicoscore), 1),
            n=int(row.ongevallen),
            dod=int(row.dodelijk),
            let=int(row.letsel),
            ums=int(row.materieel),
        )
        label = (
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="11" font-weight="bold" '
            f'fill="#ffffff" pointer-events="none">{int(row.rang)}</text>'
            if int(row.rang) <= 9 and r >= 8
            else ""
        )
        shapes.append(
            f'<a href="#loc-{a(row.locatie_id)}" aria-label="{a(tip)}"><circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
            f'fill="{fill}" stroke="#1a1a1a" stroke-width="0.8" data-rank="{int(row.rang)}"><title>{a(tip)}</title>'
            f"</circle>{label}</a>"
        )
    out.append("<g>" + "".join(shapes) + "</g>")
    y0 = map_h + 22
    out.append(
        f'<text x="4" y="{y0:.0f}" fill="{charts.TEXT}" font-weight="bold">{a(t("ind.map.legend"))}: '
        f"{a(t('vk.map.unit'))}</text>"
    )
    out.append(f'<text x="4" y="{y0 + 18:.0f}" fill="{charts.MUTED}">{a(t("vk.map.classes", top=len(top)))}</text>')
    for i, (fill, text, count) in enumerate(entries):
        ey = y0 + 30 + i * 22
        out.append(f'<circle cx="13" cy="{ey + 8:.0f}" r="7" fill="{fill}" stroke="#1a1a1a" stroke-width="0.8"/>')
        out.append(
            f'<text x="30" y="{ey + 13:.0f}" fill="{charts.TEXT}">{a(text)} '
            f'<tspan fill="{charts.MUTED}">({a(t("vk.map.count", n=count))})</tspan></text>'
        )
    ey = y0 + 30 + len(entries) * 22
    out.append(f'<circle cx="13" cy="{ey + 8:.0f}" r="2" fill="{DOT}"/>')
    out.append(f'<text x="30" y="{ey + 13:.0f}" fill="{charts.TEXT}">{a(t("vk.map.other"))}</text>')
    out.append("</svg>")
    return "\n".join(out)


def sorted_rows(g: Gemeente, sort: str) -> pd.DataFrame:
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key and key not in COLUMNS:
        raise StadsdataError(f"sort: expected one of {', '.join(COLUMNS)}, optionally with '-'; got '{sort[:40]}'")
    frame = g.locations
    if key:
        frame = frame.sort_values([key, "rang"], ascending=[not descending, True], kind="stable")
    return frame


def columns(t: Translator, code: str, sort: str) -> list[dict[str, Any]]:
    key, descending = sort.lstrip("-"), sort.startswith("-")
    out = []
    for column in COLUMNS:
        following = f"-{column}" if column == key and not descending else column
        if column != "rang" and column != key:
            following = f"-{column}"  # counts and scores: the highest first on the first click
        out.append(
            {
                "key": column,
                "title": t(f"vk.col.{column}"),
                "sorted": ("descending" if descending else "ascending") if column == key else None,
                "url": f"{PAGE}/{code}?" + urlencode([("sort", following)]) + "#tabel",
            }
        )
    return out


def hotspots_csv(g: Gemeente) -> str:
    out = io.StringIO()
    frame = g.locations.drop(columns=[c for c in g.locations.columns if c.startswith("_")])
    frame.to_csv(out, index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    return out.getvalue()


def _code(raw: str) -> str:
    code = (raw or "").strip().upper()[:20]
    if code and not (code.startswith("GM") and code[2:].isdigit() and len(code) == 6):
        raise StadsdataError(f"gemeente: {raw[:20]!r}; expected a CBS gemeente code such as {DEFAULT_GEMEENTE}")
    return code


# -- the routes ------------------------------------------------------------------------------
@router.get(PAGE, response_class=HTMLResponse, name="verkeer.home")
def home(request: Request) -> Response:
    wanted = _code(request.query_params.get("gemeente") or "")
    if wanted:
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "gemeente"]
        query = ("?" + urlencode(params)) if params else ""
        return RedirectResponse(f"{PAGE}/{wanted}{query}", status_code=303)
    return _page(request, DEFAULT_GEMEENTE, default=True)


@router.get(PAGE + "/{gemeente}", response_class=HTMLResponse, name="verkeer.gemeente")
def gemeente_page(request: Request, gemeente: str) -> Response:
    return _page(request, _code(gemeente))


def _page(request: Request, code: str, *, default: bool = False) -> Response:
    platform = request.app.state.platform
    t = _translator(request)
    found = hotspots_frame(platform)
    if found is None:
        return _render(request, "verkeer.html", {"g": None, "number": number, "card": model_card(platform)})
    frame, _ = found
    if default and code not in set(frame["gemeentecode"]):
        code = str(frame.sort_values("rang")["gemeentecode"].iloc[0])
    g = load(platform, code)
    assert g is not None
    sort = (request.query_params.get("sort") or "").strip()[:40]
    rows = sorted_rows(g, sort).head(SHOWN)
    geojson = platform.indicators.boundaries(Level.gemeente, gemeente=code)
    checks = check_reports(platform, g, Settings().distance)
    totals = {k: int(g.locations[k].sum()) for k in ("ongevallen", "dodelijk", "letsel", "materieel")}
    own = {c: round(100 * fit_prior(g.locations[c].to_numpy()).own_weight) for c in ("dodelijk", "letsel", "materieel")}
    top = g.locations.iloc[0]
    return _render(
        request,
        "verkeer.html",
        {
            "g": g,
            "number": number,
            "rows": rows,
            "shown": len(rows),
            "columns": columns(t, code, sort),
            "sort": sort,
            "map_svg": risk_map(t, geojson, g),
            "gemeenten": gemeenten(frame),
            "totals": totals,
            "own": own,
            "top": top,
            "weights": Weights(),
            "checks": checks,
            "distance": Settings().distance,
            "priorities": priorities(platform, code),
            "unsafe": UNSAFE,
            "card": model_card(platform),
            "source": ACCIDENTS,
            "dataset": HOTSPOTS,
        },
    )


@router.get(PAGE + "/{gemeente}/download/{name}", name="verkeer.download")
def download(request: Request, gemeente: str, name: str) -> Response:
    if name != "hotspots.csv":
        raise StadsdataError(f"expected hotspots.csv; got '{name[:40]}'")
    platform = request.app.state.platform
    code = _code(gemeente)
    g = load(platform, code)
    if g is None:
        raise NotFoundError(
            f"dataset {HOTSPOTS!r} does not exist yet; make it with `stadsdata models verkeer hotspots`"
        )
    headers = {
        "Content-Disposition": f'attachment; filename="verkeer-hotspots-{code}.csv"',
        "Cache-Control": "public, max-age=300",
    }
    return Response(hotspots_csv(g), media_type="text/csv; charset=utf-8", headers=headers)
