"""The generated contracts of the traffic-risk model's outputs: ``verkeer_hotspots`` (every
location of every gemeente in the accidents dataset) and ``verkeer_prioriteiten`` (the matching
with residents' reports). Both open, keyed on ``locatie_id``; lineage is recorded next to them."""

from __future__ import annotations

from typing import Any

HOTSPOTS = "verkeer_hotspots"
PRIORITIES = "verkeer_prioriteiten"
ORIGIN = "stadsdata models verkeer (docs/traffic-risk.md)"
OWNER_DIENST = "Dienst Stedelijke Ontwikkeling (DSO)"


def _column(name: str, kind: str, unit: str | None, nl: str, en: str, nullable: bool = False) -> dict[str, Any]:
    return {"name": name, "type": kind, "unit": unit, "nullable": nullable, "description": {"nl": nl, "en": en}}


LOCATION = [
    _column(
        "locatie_id",
        "string",
        None,
        "Gemeentecode en RD-coördinaten (meter) van het zwaartepunt van de locatie, bijvoorbeeld GM0344-134236-454860.",
        "Gemeente code and RD coordinates (metres) of the location's heaviest point.",
    ),
    _column("gemeentecode", "string", None, "CBS-gemeentecode (indeling 2024).", "CBS gemeente code (2024)."),
    _column("gemeentenaam", "string", None, "Naam van de gemeente.", "Name of the gemeente.", nullable=True),
    _column("lon", "number", "graden (WGS84)", "Lengtegraad van de locatie.", "Longitude of the location."),
    _column("lat", "number", "graden (WGS84)", "Breedtegraad van de locatie.", "Latitude of the location."),
]
COUNTS = [
    _column("rd_x", "integer", "meter", "RD-x (EPSG:28992) van de locatie.", "RD x (EPSG:28992)."),
    _column("rd_y", "integer", "meter", "RD-y (EPSG:28992) van de locatie.", "RD y (EPSG:28992)."),
    _column("punten", "integer", "aantal", "Aantal NWB-punten in de locatie.", "Number of NWB points joined."),
    _column("ongevallen", "integer", "aantal", "Aantal ongevallen (geschat uit partijen).", "Accidents (estimated)."),
    _column("dodelijk", "integer", "aantal", "Ongevallen met dodelijke afloop.", "Fatal accidents."),
    _column("letsel", "integer", "aantal", "Ongevallen met letsel.", "Injury accidents."),
    _column("materieel", "integer", "aantal", "Ongevallen met uitsluitend materiële schade.", "Damage-only accidents."),
    _column(
        "gewogen_score",
        "number",
        "gewogen ongevallen",
        "Ruwe score: dodelijk x gewicht + letsel x gewicht + materieel x gewicht (standaard 10/3/1).",
        "Raw score: severity-weighted accident count (default weights 10/3/1).",
    ),
    _column(
        "risicoscore",
        "number",
        "gewogen ongevallen",
        "Risicoscore: de gewogen score na empirische-Bayes-krimp naar het gemiddelde van de gemeente.",
        "Risk score: the weighted score after empirical-Bayes shrinkage toward the gemeente's mean.",
    ),
    _column("rang", "integer", None, "Rang binnen de gemeente op risicoscore (1 = hoogste).", "Rank in the gemeente."),
]
RUN = [
    _column("jaar_van", "integer", "jaar", "Eerste jaar van de ongevallen.", "First year of the accidents."),
    _column("jaar_tot", "integer", "jaar", "Laatste jaar van de ongevallen.", "Last year of the accidents."),
    _column("straal_m", "number", "meter", "Straal waarbinnen punten één locatie vormen.", "Clustering radius."),
    _column("modelversie", "string", None, "Versie van het model en zijn invoer.", "Model and input version."),
]


def _base(dataset: str, title: dict[str, str], description: dict[str, str], sources: list[str]) -> dict[str, Any]:
    return {
        "id": dataset,
        "title": title,
        "description": description,
        "owner_dienst": OWNER_DIENST,
        "data_owner": "Manager Verkeer en Mobiliteit, DSO",
        "steward": "Datasteward Mobiliteit, DSO",
        "contact_email": "data@denhaag.nl",
        "themes": ["mobiliteit", "veiligheid"],
        "keywords": ["verkeersveiligheid", "ongevallen", "hotspots", "model", "stadsdata-model"],
        "classification": "openbaar",
        "licence": "CC0-1.0",
        "update_frequency": "irregular",
        "legal_basis": (
            "Geen persoonsgegevens: tellingen per plek op de weg, uit openbare ongevallengegevens (BRON). "
            "Wegenverkeerswet 1994, art. 18 (zorg van de wegbeheerder voor de verkeersveiligheid)."
        ),
        "retention": {"period": "permanent", "reason": "Open data: eerdere uitkomsten blijven als versies vindbaar."},
        "source": {
            "publisher": OWNER_DIENST,
            "attribution": "Stadsdata verkeersrisicomodel op Rijkswaterstaat BRON",
            "retrieved_from": f"{ORIGIN} from {', '.join(sources)}",
        },
        "key": ["locatie_id"],
    }


def hotspots_contract(source: str, years: tuple[int, int], gemeenten: int) -> dict[str, Any]:
    first, last = years
    contract = _base(
        HOTSPOTS,
        {
            "nl": f"Verkeersongevallen per locatie met risicoscore, {first}-{last} (model)",
            "en": f"Road accidents per location with a risk score, {first}-{last} (model)",
        },
        {
            "nl": (
                f"Elke plek op de weg met ten minste één geregistreerd ongeval in {first}-{last}, in {gemeenten} "
                f"gemeenten uit {source}: het aantal ongevallen naar ernst, een ruwe gewogen score en een risicoscore "
                "die toevallige pieken afvlakt (empirische Bayes, per gemeente), met de rang binnen de gemeente. "
                "Punten van het wegennet binnen de straal vormen één locatie. Een hulpmiddel om plekken te kiezen "
                "voor nader onderzoek, geen oordeel over een plek en geen officiële ongevallenstatistiek. Methode en "
                "beperkingen: docs/traffic-risk.md."
            ),
            "en": (
                f"Every place on the road with at least one registered accident in {first}-{last}, in {gemeenten} "
                f"gemeenten from {source}: accidents by severity, a raw weighted score and a risk score that damps "
                "chance peaks (empirical Bayes, per gemeente), with the rank in the gemeente. Road-network points "
                "within the radius form one location. A tool to pick places for closer study, not a verdict on a "
                "place and not official accident statistics. Method and limits: docs/traffic-risk.md."
            ),
        },
        [source],
    )
    contract["spatial_coverage"] = f"{gemeenten} gemeenten (indeling 2024) met ongevallen in {source}"
    contract["temporal_coverage"] = {"start": f"{first}-01-01", "end": f"{last}-12-31"}
    contract["columns"] = [*LOCATION, *COUNTS, *RUN]
    contract["quality"] = [
        {"rule": "unique", "columns": ["gemeentecode", "rang"], "severity": "blocking"},
        {"rule": "range", "column": "risicoscore", "min": 0, "severity": "blocking"},
        {"rule": "range", "column": "ongevallen", "min": 1, "severity": "blocking"},
        {"rule": "pattern", "column": "gemeentecode", "pattern": r"^GM\d{4}$", "severity": "blocking"},
    ]
    return contract


def priorities_contract(accidents: str, reports: str, gemeenten: list[str]) -> dict[str, Any]:
    contract = _base(
        PRIORITIES,
        {
            "nl": "Prioriteiten verkeersveiligheid: ongevallenrisico en meldingen van bewoners (model)",
            "en": "Road-safety priorities: accident risk and residents' reports (model)",
        },
        {
            "nl": (
                f"Per locatie met ongevallen ({accidents}) het aantal meldingen 'Onveilige verkeerssituatie' in de "
                f"buurt ({reports}) en de prioriteit: eerst de plekken waar risico en meldingen allebei hoog zijn. "
                f"Gemeenten: {', '.join(gemeenten)}. Methode en beperkingen: docs/traffic-risk.md."
            ),
            "en": (
                f"Per accident location ({accidents}) the number of nearby 'unsafe traffic situation' reports "
                f"({reports}) and the priority: first the places where risk and reports are both high. "
                f"Gemeenten: {', '.join(gemeenten)}. Method and limits: docs/traffic-risk.md."
            ),
        },
        [accidents, reports],
    )
    contract["spatial_coverage"] = f"Gemeenten met zowel ongevallen als meldingen: {', '.join(gemeenten)}"
    contract["temporal_coverage"] = {}
    contract["columns"] = [
        *LOCATION,
        _column("risicoscore", "number", "gewogen ongevallen", "Risicoscore (zie verkeer_hotspots).", "Risk score."),
        _column("risico_rang", "integer", None, "Rang op risicoscore (1 = hoogste).", "Rank by risk."),
        _column("meldingen", "integer", "aantal", "Meldingen binnen de afstand.", "Reports within the distance."),
        _column("meldingen_rang", "number", None, "Rang op meldingen (gedeeld bij gelijk).", "Rank by reports."),
        _column("rangproduct", "number", None, "Risico_rang x meldingen_rang.", "Rank product."),
        _column("kwadrant", "string", None, "Beide hoog, alleen risico, alleen meldingen, geen.", "Quadrant."),
        _column("prioriteit", "integer", None, "Volgorde binnen de gemeente (1 = eerst).", "Priority in the gemeente."),
        _column("afstand_m", "number", "meter", "Afstand waarbinnen een melding telt.", "Matching distance."),
        _column("modelversie", "string", None, "Versie van het model en zijn invoer.", "Model and input version."),
    ]
    contract["quality"] = [
        {"rule": "unique", "columns": ["gemeentecode", "prioriteit"], "severity": "blocking"},
        {
            "rule": "allowed_values",
            "column": "kwadrant",
            "values": ["beide hoog", "alleen risico hoog", "alleen meldingen hoog", "geen van beide"],
            "severity": "blocking",
        },
    ]
    return contract
