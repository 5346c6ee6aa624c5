"""The generated contract of ``wmo_prognose``: open, keyed on (gebiedscode, jaar), derived from
the datasets the model read (lineage is recorded next to it in the metastore)."""

from __future__ import annotations

from typing import Any

DATASET = "wmo_prognose"
ORIGIN = "stadsdata models wmo (docs/wmo-forecast.md)"
OWNER_DIENST = "Dienst Onderwijs, Cultuur en Welzijn (OCW)"


def _column(name: str, kind: str, unit: str | None, nl: str, en: str, nullable: bool = False) -> dict[str, Any]:
    return {"name": name, "type": kind, "unit": unit, "nullable": nullable, "description": {"nl": nl, "en": en}}


def prognose_contract(sources: list[str], base_year: int, years: list[int], city: str) -> dict[str, Any]:
    first, last = min(years), max(years)
    return {
        "id": DATASET,
        "title": {
            "nl": f"Wmo-prognose per wijk {first}-{last} (model)",
            "en": f"Wmo forecast per wijk {first}-{last} (model)",
        },
        "description": {
            "nl": (
                f"Verwacht aantal Wmo-cliënten per wijk en voor de gemeente ({city}) in de jaren {first} tot en met "
                f"{last}, met een 90%-voorspelinterval (ondergrens, bovengrens). Berekend door het Wmo-model van "
                f"Stadsdata: een Poisson-regressie van het aantal Wmo-cliënten per wijk (CBS, 2019) op de opbouw van "
                f"de wijk, toegepast op een bevolkingsprognose per leeftijdsgroep vanaf {base_year}. Het is een "
                "prognose op wijkniveau voor beleid en begroting; niet bruikbaar voor besluiten over personen. "
                "Elke bewoonde wijk heeft een prognose. Wijken met minder dan 1.000 inwoners of een geheim Wmo-aantal "
                "tellen niet mee bij het schatten van het model; hun prognose is onzeker en de kolom toelichting "
                "zegt waarom. De gemeenterij is de som van de wijken. Methode, validatie en beperkingen: "
                "docs/wmo-forecast.md."
            ),
            "en": (
                f"Expected number of Wmo clients per wijk and for the city ({city}) in {first}-{last}, with a 90% "
                "prediction interval (lower, upper). Computed by the Stadsdata Wmo model: a Poisson regression of "
                "Wmo clients per wijk (CBS, 2019) on the wijk's structure, applied to a population projection by age "
                f"band from {base_year}. A forecast at wijk level for policy and budgets; not for decisions about "
                "individuals. Every inhabited wijk has a forecast. Wijken with fewer than 1,000 inhabitants or a "
                "secret Wmo count do not enter the fit; their forecast is uncertain and the column toelichting says "
                "why. The city row is the sum of the wijken. Method, validation and limits: docs/wmo-forecast.md."
            ),
        },
        "owner_dienst": OWNER_DIENST,
        "data_owner": "Manager Beleidsonderzoek, OCW",
        "steward": "Datasteward Zorg en Welzijn, OCW",
        "contact_email": "data@denhaag.nl",
        "themes": ["zorg-en-welzijn", "bevolking"],
        "keywords": ["Wmo", "prognose", "model", "wijken", "stadsdata-model"],
        "classification": "openbaar",
        "licence": "CC0-1.0",
        "update_frequency": "irregular",
        "spatial_coverage": f"Gemeente {city}: elke bewoonde wijk",
        "temporal_coverage": {"start": f"{first}-01-01", "end": f"{last}-12-31"},
        "legal_basis": (
            "Geen persoonsgegevens: een modeluitkomst op wijkniveau uit openbare CBS-statistiek (CC BY 4.0). "
            "Wmo 2015, art. 2.1.2 (beleidsplan maatschappelijke ondersteuning)."
        ),
        "retention": {"period": "permanent", "reason": "Open data: eerdere prognoses blijven als versies vindbaar."},
        "source": {
            "publisher": OWNER_DIENST,
            "attribution": "Stadsdata Wmo-model op CBS Kerncijfers wijken en buurten (CC BY 4.0)",
            "retrieved_from": f"{ORIGIN} from {', '.join(sources)}",
        },
        "key": ["gebiedscode", "jaar"],
        "columns": [
            _column(
                "gebiedscode",
                "string",
                None,
                "CBS-code van de wijk (WK) of gemeente (GM).",
                "CBS code of the wijk or gemeente.",
            ),
            _column("gebiedsniveau", "string", None, "wijk of gemeente.", "wijk or gemeente."),
            _column("jaar", "integer", "jaar", "Het jaar van de prognose (peildatum 1 januari).", "Forecast year."),
            _column(
                "basisjaar",
                "integer",
                "jaar",
                "Het laatst waargenomen bevolkingsjaar.",
                "Last observed population year.",
            ),
            _column(
                "inwoners",
                "integer",
                "aantal",
                "Verwacht aantal inwoners (middenvariant).",
                "Projected inhabitants (central).",
            ),
            _column(
                "prognose", "integer", "aantal", "Verwacht aantal Wmo-cliënten.", "Expected number of Wmo clients."
            ),
            _column(
                "ondergrens", "integer", "aantal", "Ondergrens van het 90%-voorspelinterval.", "Lower bound (90%)."
            ),
            _column(
                "bovengrens", "integer", "aantal", "Bovengrens van het 90%-voorspelinterval.", "Upper bound (90%)."
            ),
            _column(
                "per_1000_inwoners",
                "number",
                "per 1.000 inwoners",
                "Prognose per 1.000 inwoners.",
                "Forecast per 1,000.",
            ),
            _column("modelversie", "string", None, "Versie van het model en zijn invoer.", "Model and input version."),
            _column(
                "toelichting",
                "string",
                None,
                "Leeg, of waarom de prognose van deze wijk onzeker is "
                "(een kleine wijk telt niet mee bij het schatten).",
                "Empty, or why this wijk's forecast is uncertain (a small wijk is not used to fit the model).",
                nullable=True,
            ),
        ],
        "quality": [
            {"rule": "unique", "columns": ["gebiedscode", "jaar"], "severity": "blocking"},
            {"rule": "range", "column": "prognose", "min": 0, "severity": "blocking"},
            {
                "rule": "allowed_values",
                "column": "gebiedsniveau",
                "values": ["wijk", "gemeente"],
                "severity": "blocking",
            },
        ],
    }
