"""Every UI string of the portal in Dutch and English, and the formatting that differs per language.

Dutch is the default; ``?lang=en`` switches to English (the portal remembers the choice in a
cookie). Templates call ``t("key", name=value)``; a key missing from ``MESSAGES`` is a bug that
raises ``KeyError`` (a test renders every page in both languages). Texts from a dataset contract
come in the chosen language through ``t.text(...)``; when a text exists only in Dutch it is marked
``lang="nl"`` so screen readers pronounce it in Dutch on an English page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stadsdata.core.contract import FREQUENCY_LABELS

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_COOKIE = "stadsdata_lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

#: key -> (Dutch, English). Placeholders use str.format: "{count} datasets".
MESSAGES: dict[str, tuple[str, str]] = {
    # frame
    "site.name": ("Stadsdata", "Stadsdata"),
    "site.tagline": ("Open data van de gemeente", "Open data of the municipality"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "nav.label": ("Hoofdmenu", "Main menu"),
    "nav.home": ("Home", "Home"),
    "nav.datasets": ("Datasets", "Datasets"),
    "nav.api": ("API", "API"),
    "nav.login": ("Inloggen", "Log in"),
    "nav.logout": ("Uitloggen", "Log out"),
    "login.title": ("Inloggen", "Log in"),
    "login.lead": (
        "Voor medewerkers van de gemeente: na het inloggen ziet u ook de interne datasets, uw opgaven en de Datashop.",
        "For staff of the municipality: once logged in you also see internal datasets, your opgaven and the Datashop.",
    ),
    "login.user": ("Gebruikersnaam", "User name"),
    "login.password": ("Wachtwoord", "Password"),
    "login.submit": ("Inloggen", "Log in"),
    "login.public": (
        "Openbare datasets kunt u zonder inloggen bekijken en downloaden.",
        "Open datasets can be viewed and downloaded without logging in.",
    ),
    "login.wrong": ("Onbekende gebruiker of verkeerd wachtwoord.", "Unknown user or wrong password."),
    "login.expired": (
        "Het formulier was verlopen. Probeer het opnieuw.",
        "The form had expired. Please try again.",
    ),
    "login.session_problem": (
        "Uw sessie is verlopen of beëindigd. Log opnieuw in om verder te gaan.",
        "Your session has expired or ended. Log in again to continue.",
    ),
    "error.title": ("Dat lukte niet", "That did not work"),
    "error.back": ("Terug", "Back"),
    "dataset.staff_only": (
        "{classification}: alleen zichtbaar voor medewerkers",
        "{classification}: visible to staff only",
    ),
    "dataset.data_refused": (
        "De gegevens zelf zijn niet vrij beschikbaar: u ziet alleen de beschrijving.",
        "The data itself is not freely available: you see its description only.",
    ),
    "dataset.data_refused.why": ("Reden:", "Reason:"),
    "dataset.request_opgave": ("Vraag een opgave aan", "Request an opgave"),
    "lang.switch.label": ("Taal", "Language"),
    "breadcrumb.label": ("Kruimelpad", "Breadcrumb"),
    "footer.label": ("Over deze site", "About this site"),
    "footer.about": (
        "Stadsdata publiceert de datasets van de gemeente die openbaar zijn. Elke dataset heeft een "
        "contract: eigenaar, licentie, kolommen en bewaartermijn.",
        "Stadsdata publishes the datasets of the municipality that are public. Every dataset has a "
        "contract: owner, licence, columns and retention period.",
    ),
    "footer.developers": ("Voor ontwikkelaars", "For developers"),
    "footer.api_docs": ("API-documentatie (OpenAPI)", "API documentation (OpenAPI)"),
    "footer.dcat": ("Catalogus als DCAT-AP-NL (Turtle)", "Catalogue as DCAT-AP-NL (Turtle)"),
    "footer.source": ("Open source: Stadsdata", "Open source: Stadsdata"),
    # home
    "home.title": ("Data van de gemeente vinden en gebruiken", "Find and use the municipality's data"),
    "home.intro": (
        "Zoek in {count} openbare datasets. Bekijk de kolommen en de eerste rijen, download de data als "
        "CSV, JSON of Parquet of gebruik de API.",
        "Search {count} public datasets. Read the columns and the first rows, download the data as CSV, "
        "JSON or Parquet, or use the API.",
    ),
    "search.label": ("Zoek een dataset", "Search for a dataset"),
    "search.hint": (
        "Bijvoorbeeld: wmo, bevolking, gemeentegrenzen of een kolomnaam",
        "For example: wmo, population, municipal boundaries or a column name",
    ),
    "search.button": ("Zoeken", "Search"),
    "home.themes": ("Thema's", "Themes"),
    "home.themes.none": ("Er zijn nog geen openbare datasets.", "There are no public datasets yet."),
    "home.recent": ("Recent gewijzigd", "Recently changed"),
    "home.all": ("Alle {count} datasets bekijken", "View all {count} datasets"),
    "home.developers.title": ("Voor ontwikkelaars", "For developers"),
    "home.developers.text": (
        "Alle openbare datasets zijn ook beschikbaar via een REST-API met filters, paginering en "
        "downloads, en als DCAT-catalogus voor data.overheid.nl.",
        "All public datasets are also available through a REST API with filters, paging and "
        "downloads, and as a DCAT catalogue for data.overheid.nl.",
    ),
    "count.datasets": ("{count} datasets", "{count} datasets"),
    "count.datasets.one": ("1 dataset", "1 dataset"),
    # search
    "search.title": ("Datasets", "Datasets"),
    "search.title.query": ("Zoekresultaten voor ‘{q}’", "Search results for ‘{q}’"),
    "search.results": ("{count} datasets gevonden", "{count} datasets found"),
    "search.results.one": ("1 dataset gevonden", "1 dataset found"),
    "search.results.none": ("Geen datasets gevonden.", "No datasets found."),
    "search.results.none.hint": (
        "Probeer een ander of korter zoekwoord, of haal filters weg.",
        "Try another or a shorter search term, or remove filters.",
    ),
    "search.filters": ("Filters", "Filters"),
    "search.filters.active": ("Actieve filters", "Active filters"),
    "search.filters.count": ("{count} actief", "{count} active"),
    "search.filters.clear": ("Alle filters wissen", "Clear all filters"),
    "search.filter.remove": ("Filter {label} verwijderen", "Remove filter {label}"),
    "search.selected": ("geselecteerd", "selected"),
    "search.sort": ("Sorteren op", "Sort by"),
    "search.sort.relevance": ("Relevantie", "Relevance"),
    "search.sort.title": ("Titel (A-Z)", "Title (A-Z)"),
    "search.sort.updated": ("Laatst gewijzigd", "Recently changed"),
    "search.sort.quality": ("Kwaliteit (hoogste eerst)", "Quality (highest first)"),
    "search.sort.apply": ("Sorteren", "Sort"),
    "search.pages": ("Pagina's", "Pages"),
    "search.previous": ("Vorige", "Previous"),
    "search.next": ("Volgende", "Next"),
    "search.page_of": ("Pagina {page} van {pages}", "Page {page} of {pages}"),
    "facet.theme": ("Thema", "Theme"),
    "facet.dienst": ("Dienst", "Department"),
    "facet.classification": ("Classificatie", "Classification"),
    "facet.format": ("Formaat", "Format"),
    "facet.licence": ("Licentie", "Licence"),
    "facet.quality": ("Kwaliteit", "Quality"),
    "facet.quality.hoog": ("hoog (95 of meer)", "high (95 or more)"),
    "facet.quality.midden": ("midden (80 tot 95)", "medium (80 to 95)"),
    "facet.quality.laag": ("laag (onder 80)", "low (below 80)"),
    "facet.quality.onbekend": ("onbekend", "unknown"),
    "facet.count": ("{count} datasets", "{count} datasets"),
    "card.updated": ("Gewijzigd {date}", "Changed {date}"),
    "card.rows": ("{rows} rijen", "{rows} rows"),
    "card.formats": ("Formaten", "Formats"),
    "card.quality": ("Kwaliteit {score} van 100", "Quality {score} out of 100"),
    "card.matched_columns": ("Gevonden in kolommen", "Found in columns"),
    # dataset page
    "dataset.contents": ("Op deze pagina", "On this page"),
    "dataset.facts": ("Kerngegevens", "Key facts"),
    "dataset.rows": ("Rijen", "Rows"),
    "dataset.columns_count": ("Kolommen", "Columns"),
    "dataset.version": ("Versie", "Version"),
    "dataset.updated": ("Laatst gewijzigd", "Last changed"),
    "dataset.licence": ("Licentie", "Licence"),
    "dataset.downloads": ("Downloaden", "Download"),
    "dataset.downloads.intro": (
        "De huidige versie (versie {version}, {rows} rijen) als bestand:",
        "The current version (version {version}, {rows} rows) as a file:",
    ),
    "dataset.downloads.none": (
        "Deze dataset heeft nog geen geladen versie om te downloaden.",
        "This dataset has no loaded version to download yet.",
    ),
    "download.csv": ("CSV", "CSV"),
    "download.csv.hint": ("komma-gescheiden, UTF-8", "comma-separated, UTF-8"),
    "download.csv-excel": ("CSV voor Excel", "CSV for Excel"),
    "download.csv-excel.hint": (
        "puntkomma-gescheiden, opent direct goed in Nederlandse Excel",
        "semicolon-separated, opens correctly in Dutch Excel",
    ),
    "download.json": ("JSON", "JSON"),
    "download.json.hint": ("voor programma's", "for programs"),
    "download.geojson": ("GeoJSON", "GeoJSON"),
    "download.geojson.hint": ("voor kaarten en GIS", "for maps and GIS"),
    "download.parquet": ("Parquet", "Parquet"),
    "download.parquet.hint": ("kolomopslag, voor data-analyse", "columnar, for data analysis"),
    "dataset.metadata": ("Over deze dataset", "About this dataset"),
    "meta.id": ("Identificatie", "Identifier"),
    "meta.owner_dienst": ("Dienst", "Department"),
    "meta.data_owner": ("Data-eigenaar", "Data owner"),
    "meta.steward": ("Datasteward", "Data steward"),
    "meta.contact": ("Contact", "Contact"),
    "meta.themes": ("Thema's", "Themes"),
    "meta.keywords": ("Trefwoorden", "Keywords"),
    "meta.classification": ("Classificatie", "Classification"),
    "meta.licence": ("Licentie", "Licence"),
    "meta.update_frequency": ("Actualisatie", "Update frequency"),
    "meta.spatial": ("Gebied", "Spatial coverage"),
    "meta.temporal": ("Periode", "Temporal coverage"),
    "meta.temporal.range": ("{start} tot en met {end}", "{start} to {end}"),
    "meta.temporal.from": ("vanaf {start}", "from {start}"),
    "meta.temporal.until": ("tot en met {end}", "until {end}"),
    "meta.temporal.unknown": ("niet vastgelegd", "not recorded"),
    "meta.legal_basis": ("Grondslag", "Legal basis"),
    "meta.retention": ("Bewaartermijn", "Retention period"),
    "meta.key": ("Sleutel", "Key"),
    "meta.source": ("Bron", "Source"),
    "meta.attribution": ("Bronvermelding", "Attribution"),
    "meta.source.link": ("Website van de bron", "Source website"),
    "meta.none": ("geen", "none"),
    "retention.permanent": ("Permanent bewaren", "Kept permanently"),
    "retention.years": ("{n} jaar", "{n} years"),
    "retention.year": ("1 jaar", "1 year"),
    "retention.months": ("{n} maanden", "{n} months"),
    "retention.month": ("1 maand", "1 month"),
    "retention.days": ("{n} dagen", "{n} days"),
    "retention.day": ("1 dag", "1 day"),
    "dataset.columns": ("Kolommen", "Columns"),
    "columns.caption": (
        "De {count} kolommen van deze dataset, met type, eenheid en beschrijving",
        "The {count} columns of this dataset, with type, unit and description",
    ),
    "columns.intro": (
        "Elke kolom met zijn type, eenheid, beschrijving en of hij persoonsgegevens bevat.",
        "Every column with its type, unit, description and whether it holds personal data.",
    ),
    "columns.show": ("Alle {count} kolommen tonen", "Show all {count} columns"),
    "columns.hide": ("Kolommen verbergen", "Hide the columns"),
    "columns.name": ("Naam", "Name"),
    "columns.type": ("Type", "Type"),
    "columns.unit": ("Eenheid", "Unit"),
    "columns.description": ("Beschrijving", "Description"),
    "columns.personal_data": ("Persoonsgegevens", "Personal data"),
    "columns.required": ("verplicht", "required"),
    "columns.key": ("sleutel", "key"),
    "dataset.preview": ("Voorbeeld", "Preview"),
    "dataset.quality": ("Kwaliteit", "Quality"),
    "quality.score": (
        "Kwaliteitsscore van versie {version}: {score} van 100",
        "Quality score of version {version}: {score} out of 100",
    ),
    "quality.caption": (
        "De kwaliteitsregels uit het contract, gecontroleerd bij het laden van deze versie",
        "The contract's quality rules, checked when this version was loaded",
    ),
    "quality.rule": ("Regel", "Rule"),
    "quality.severity": ("Ernst", "Severity"),
    "quality.result": ("Uitkomst", "Result"),
    "quality.detail": ("Toelichting", "Detail"),
    "quality.pass": ("voldoet", "passes"),
    "quality.fail": ("voldoet niet", "fails"),
    "quality.none": ("Het contract bevat geen kwaliteitsregels.", "The contract has no quality rules."),
    "quality.released": (
        "Ondanks blokkerende bevindingen vrijgegeven door de data-eigenaar: {reason}",
        "Released despite blocking findings by the data owner: {reason}",
    ),
    # quality report and column profile (templates/_quality.html, also the HTML report)
    "quality.score.delivery": (
        "Kwaliteitsscore van levering {delivery}: {score} van 100",
        "Quality score of delivery {delivery}: {score} out of 100",
    ),
    "quality.caption.delivery": (
        "De kwaliteitsregels uit het contract, gecontroleerd bij het ontvangen van deze levering",
        "The contract's quality rules, checked when this delivery was received",
    ),
    "quality.counts": ("Uitkomsten", "Results"),
    "quality.count.pass": ("voldoen", "pass"),
    "quality.count.fail": ("voldoen niet", "fail"),
    "quality.count.skipped": ("niet gecontroleerd", "not checked"),
    "quality.kind": ("Soort", "Kind"),
    "quality.skipped": ("niet gecontroleerd", "not checked"),
    "quality.examples": ("Voorbeelden", "Examples"),
    "quality.example.row": ("rij {row}", "row {row}"),
    "quality.value.empty": ("leeg", "empty"),
    "quality.value.hidden": ("verborgen (persoonsgegevens)", "hidden (personal data)"),
    "quality.released.by": (
        "Ondanks blokkerende bevindingen vrijgegeven door {by} (levering {delivery}): {reason}",
        "Released despite blocking findings by {by} (delivery {delivery}): {reason}",
    ),
    "quality.trend": ("Score per versie", "Score per version"),
    "quality.trend.item": ("versie {n}", "version {n}"),
    "dataset.profile": ("Kolomprofiel", "Column profile"),
    "profile.intro": (
        "Wat er in elke kolom staat, gemeten over alle {rows} rijen bij het laden: lege waarden, "
        "verschillende waarden, het bereik, het gemiddelde en de verdeling.",
        "What each column holds, measured over all {rows} rows when loaded: empty values, distinct "
        "values, the range, the mean and the distribution.",
    ),
    "profile.caption": ("Profiel van de {count} kolommen", "Profile of the {count} columns"),
    "profile.show": ("Kolomprofiel tonen ({count} kolommen)", "Show the column profile ({count} columns)"),
    "profile.hide": ("Profiel verbergen", "Hide the profile"),
    "profile.column": ("Kolom", "Column"),
    "profile.type": ("Type", "Type"),
    "profile.empty": ("Leeg", "Empty"),
    "profile.distinct": ("Verschillend", "Distinct"),
    "profile.range": ("Bereik", "Range"),
    "profile.mean": ("Gemiddelde", "Mean"),
    "profile.distribution": ("Verdeling", "Distribution"),
    "profile.length": ("{low} tot {high} tekens", "{low} to {high} characters"),
    "profile.length.same": ("{n} tekens", "{n} characters"),
    "profile.length.one": ("1 teken", "1 character"),
    "profile.hidden": ("waarden verborgen (persoonsgegevens)", "values hidden (personal data)"),
    "profile.unique": ("alle waarden verschillend", "every value different"),
    "profile.many": ("te veel verschillende waarden", "too many different values"),
    "profile.other": ("overige", "other"),
    "profile.histogram": ("Verdeling in {bins} klassen", "Distribution in {bins} bins"),
    "profile.not_finite": ("{count} niet eindig", "{count} not finite"),
    "profile.estimated": (
        "Een ≈ voor een aantal verschillende waarden betekent een schatting.",
        "A ≈ before a number of distinct values means an estimate.",
    ),
    "profile.none": ("Er is geen kolomprofiel van deze versie.", "There is no column profile of this version."),
    "report.title": ("Kwaliteitsrapport: {title}", "Quality report: {title}"),
    "report.eyebrow": ("Kwaliteitsrapport", "Quality report"),
    "report.facts": ("Over dit rapport", "About this report"),
    "report.dataset": ("Dataset", "Dataset"),
    "report.version": ("Versie", "Version"),
    "report.delivery": ("Levering", "Delivery"),
    "report.state": ("Status", "State"),
    "report.rows": ("Rijen", "Rows"),
    "report.made": ("Gemaakt op", "Made on"),
    "report.footer": (
        "Gemaakt met Stadsdata. De regels en hun ernst staan in het contract van de dataset.",
        "Made with Stadsdata. The rules and their severity are in the dataset's contract.",
    ),
    "state.loaded": ("geladen", "loaded"),
    "state.quarantined": ("in quarantaine: niet gepubliceerd", "quarantined: not published"),
    "state.released": ("vrijgegeven", "released"),
    "state.rejected": ("afgewezen", "rejected"),
    "state.interrupted": ("onderbroken", "interrupted"),
    "preview.caption": (
        "De eerste {shown} van {total} rijen (versie {version})",
        "The first {shown} of {total} rows (version {version})",
    ),
    "preview.scroll": (
        "De tabel is breder dan het scherm: scroll horizontaal om alle kolommen te zien.",
        "The table is wider than the screen: scroll horizontally to see every column.",
    ),
    "preview.truncated": ("ingekort", "truncated"),
    "preview.empty": ("Deze versie heeft geen rijen.", "This version has no rows."),
    "preview.unavailable": (
        "Het voorbeeld kan nu niet worden getoond.",
        "The preview cannot be shown right now.",
    ),
    "dataset.versions": ("Versies", "Versions"),
    "versions.caption": (
        "Elke levering maakt een nieuwe versie; oudere versies blijven opvraagbaar",
        "Every delivery makes a new version; older versions stay available",
    ),
    "versions.number": ("Versie", "Version"),
    "versions.created": ("Geladen op", "Loaded on"),
    "versions.rows": ("Rijen", "Rows"),
    "versions.columns": ("Kolommen", "Columns"),
    "versions.changes": ("Schemawijzigingen", "Schema changes"),
    "versions.format": ("Geleverd als", "Delivered as"),
    "versions.current": ("huidige versie", "current version"),
    "versions.none": ("Er is nog geen versie geladen.", "No version has been loaded yet."),
    "versions.link": ("Versie {n}", "Version {n}"),
    "changes.none": ("geen", "none"),
    "changes.first": ("eerste versie", "first version"),
    "changes.added": ("toegevoegd", "added"),
    "changes.removed": ("verwijderd", "removed"),
    "changes.retyped": ("ander type", "type changed"),
    "changes.filled_with_null": ("ontbrak in levering (leeg)", "missing from delivery (empty)"),
    "dataset.lineage": ("Herkomst", "Lineage"),
    "lineage.upstream": ("Afgeleid van", "Derived from"),
    "lineage.downstream": ("Gebruikt door", "Used by"),
    "lineage.external": ("Externe bron", "External source"),
    "lineage.internal": ("Binnen deze catalogus", "Within this catalogue"),
    "lineage.none": (
        "niet afgeleid van andere datasets, en geen datasets afgeleid van deze",
        "not derived from other datasets, and no datasets derived from this one",
    ),
    "dataset.api": ("API", "API"),
    "api.intro": (
        "Vraag de rijen op met filters, sortering en paginering. Een voorbeeld met curl:",
        "Request the rows with filters, sorting and paging. An example with curl:",
    ),
    "api.example.label": ("Voorbeeld van een API-aanroep", "Example of an API call"),
    "api.copy": ("Kopiëren", "Copy"),
    "api.copied": ("Gekopieerd", "Copied"),
    "api.copy_failed": ("Kopiëren lukte niet; selecteer de tekst zelf", "Could not copy; select the text"),
    "api.rows": ("Rijen als JSON", "Rows as JSON"),
    "api.metadata": ("Metadata als JSON", "Metadata as JSON"),
    "api.docs": ("Alle API-functies (OpenAPI)", "Every API function (OpenAPI)"),
    # version page
    "version.title": ("Versie {n}", "Version {n}"),
    "version.of": ("van {title}", "of {title}"),
    "version.is_current": ("Dit is de huidige versie.", "This is the current version."),
    "version.not_current": (
        "Dit is een oudere versie. De huidige versie is versie {n}.",
        "This is an older version. The current version is version {n}.",
    ),
    "version.downloads.intro": (
        "Precies deze versie (versie {version}, {rows} rijen) als bestand:",
        "Exactly this version (version {version}, {rows} rows) as a file:",
    ),
    "version.back": ("Terug naar de dataset", "Back to the dataset"),
    "version.facts": ("Over deze versie", "About this version"),
    "version.schema": ("Kolommen in deze versie", "Columns in this version"),
    "version.schema.caption": (
        "De {count} kolommen van versie {n} met hun type",
        "The {count} columns of version {n} with their type",
    ),
    "version.sql": ("Naam van deze versie in SQL:", "Name of this version in SQL:"),
    "version.neighbours": ("Andere versies", "Other versions"),
    # errors
    "notfound.title": ("Pagina niet gevonden", "Page not found"),
    "notfound.text": (
        "Deze pagina bestaat niet, of de dataset is niet openbaar.",
        "This page does not exist, or the dataset is not public.",
    ),
    "notfound.search": ("Zoek een dataset", "Search for a dataset"),
    "notfound.home": ("Naar de homepage", "Go to the home page"),
    # values
    "bool.yes": ("ja", "yes"),
    "bool.no": ("nee", "no"),
}

THEMES: dict[str, tuple[str, str]] = {
    "bestuur": ("Bestuur", "Governance"),
    "bevolking": ("Bevolking", "Population"),
    "digitalisering": ("Digitalisering", "Digitalisation"),
    "economie": ("Economie", "Economy"),
    "energie": ("Energie", "Energy"),
    "geografie": ("Geografie", "Geography"),
    "inkomen": ("Inkomen", "Income"),
    "mobiliteit": ("Mobiliteit", "Mobility"),
    "onderwijs": ("Onderwijs", "Education"),
    "openbare-ruimte": ("Openbare ruimte", "Public space"),
    "veiligheid": ("Veiligheid", "Safety"),
    "voorzieningen": ("Voorzieningen", "Amenities"),
    "werk": ("Werk", "Work"),
    "wonen": ("Wonen", "Housing"),
    "zorg-en-welzijn": ("Zorg en welzijn", "Care and welfare"),
}

CLASSIFICATIONS: dict[str, tuple[str, str]] = {
    "openbaar": ("Openbaar", "Public"),
    "intern": ("Intern", "Internal"),
    "vertrouwelijk": ("Vertrouwelijk", "Confidential"),
    "geheim": ("Geheim", "Secret"),
}

PERSONAL_DATA: dict[str, tuple[str, str]] = {
    "none": ("Geen", "None"),
    "direct_identifier": ("Direct identificerend", "Direct identifier"),
    "quasi_identifier": ("Indirect identificerend", "Quasi-identifier"),
    "special_category": ("Bijzonder persoonsgegeven", "Special category"),
}

COLUMN_TYPES: dict[str, tuple[str, str]] = {
    "string": ("tekst", "text"),
    "integer": ("geheel getal", "integer"),
    "number": ("getal", "number"),
    "boolean": ("ja/nee", "boolean"),
    "date": ("datum", "date"),
    "datetime": ("datum en tijd", "date and time"),
    "geometry": ("geometrie", "geometry"),
}

LICENCES: dict[str, tuple[str, str | None]] = {
    # SPDX id -> (label, URL)
    "CC-BY-4.0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "CC-BY-SA-4.0": ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "ODbL-1.0": ("ODbL 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}

MONTHS: dict[str, tuple[str, ...]] = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def resolve_language(query: str | None, cookie: str | None) -> str:
    """The page language: ``?lang=`` first, then the cookie, else Dutch."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE


@dataclass(frozen=True)
class LocalText:
    """A text and the language it is actually in (Dutch when an English text is missing)."""

    value: str
    lang: str

    def __str__(self) -> str:
        return self.value

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.value) if p.strip()]


def _pick(pair: tuple[str, str] | tuple[str, str | None], lang: str) -> str:
    nl, en = pair[0], pair[1]
    return (en if lang == "en" and en else nl) or ""


@dataclass(frozen=True)
class Translator:
    """The UI language of one request: ``t("key")``, labels for contract values, numbers, dates."""

    lang: str = DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: Any) -> str:
        text = _pick(MESSAGES[key], self.lang)
        return text.format(**values) if values else text

    @property
    def other(self) -> str:
        return "en" if self.lang == "nl" else "nl"

    def plural(self, key: str, count: int) -> str:
        """``key.one`` for one, else ``key`` with the count formatted for this language."""
        if count == 1 and f"{key}.one" in MESSAGES:
            return self(f"{key}.one")
        return self(key, count=self.number(count))

    # -- contract texts ----------------------------------------------------------------
    def text(self, value: Any) -> LocalText:
        """A contract text (``Text`` or a ``{"nl": ..., "en": ...}`` mapping) in this language."""
        if isinstance(value, Mapping):
            nl, en = value.get("nl") or "", value.get("en")
        else:
            nl, en = getattr(value, "nl", "") or "", getattr(value, "en", None)
        if self.lang == "en" and en and en.strip():
            return LocalText(en.strip(), "en")
        return LocalText(str(nl).strip(), "nl")

    def dutch(self, value: str) -> LocalText:
        """A contract field that has only a Dutch version (dienst, legal basis, coverage)."""
        return LocalText(value, "nl")

    # -- labels of contract values -------------------------------------------------------
    def theme(self, slug: str) -> str:
        if slug in THEMES:
            return _pick(THEMES[slug], self.lang)
        return slug.replace("-", " ").replace("_", " ").capitalize()

    def classification(self, value: str) -> str:
        return _pick(CLASSIFICATIONS[value], self.lang) if value in CLASSIFICATIONS else value

    def update_frequency(self, value: str) -> str:
        return _pick(FREQUENCY_LABELS[value], self.lang) if value in FREQUENCY_LABELS else value

    def personal_data(self, value: str) -> str:
        return _pick(PERSONAL_DATA[value], self.lang) if value in PERSONAL_DATA else value

    def column_type(self, value: str) -> str:
        return _pick(COLUMN_TYPES[value], self.lang) if value in COLUMN_TYPES else value

    def licence(self, value: str) -> str:
        return LICENCES[value][0] if value in LICENCES else value

    def licence_url(self, value: str) -> str | None:
        return LICENCES[value][1] if value in LICENCES else None

    def change_kind(self, kind: str) -> str:
        """A key of a version's ``schema_changes`` (added, removed, retyped, filled_with_null)."""
        key = f"changes.{kind}"
        return self(key) if key in MESSAGES else kind.replace("_", " ")

    def delivery_state(self, state: str) -> str:
        """A delivery's state (loaded, quarantined, released, ...) in words."""
        key = f"state.{state}"
        return self(key) if key in MESSAGES else state

    def facet_value(self, facet: str, value: str) -> str:
        """How a facet value reads: themes, classifications, licences and quality buckets get labels;
        the rest is as stored."""
        if facet == "theme":
            return self.theme(value)
        if facet == "classification":
            return self.classification(value)
        if facet == "licence":
            return self.licence(value)
        if facet == "quality" and f"facet.quality.{value}" in MESSAGES:
            return self(f"facet.quality.{value}")
        return value

    def retention(self, period: str) -> str:
        """``P10Y`` -> "10 jaar"; ``permanent`` -> "Permanent bewaren"."""
        if period == "permanent":
            return self("retention.permanent")
        match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?", period)
        if not match:
            return period
        parts = []
        for amount, unit in zip(match.groups(), ("year", "month", "day"), strict=True):
            if amount:
                n = int(amount)
                parts.append(self(f"retention.{unit}") if n == 1 else self(f"retention.{unit}s", n=n))
        joiner = " en " if self.lang == "nl" else " and "
        return joiner.join(parts) or period

    # -- numbers and dates ---------------------------------------------------------------
    def number(self, value: int | float | None) -> str:
        """12345 -> "12.345" in Dutch, "12,345" in English."""
        if value is None:
            return ""
        if isinstance(value, int):
            text = f"{value:,}"
        else:
            text = f"{value:,.2f}".rstrip("0").rstrip(".")
        if self.lang == "nl":
            text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
        return text

    def date(self, value: dt.date | dt.datetime | None) -> str:
        """``2019-01-01`` -> "1 januari 2019" / "1 January 2019"."""
        if value is None:
            return ""
        return f"{value.day} {MONTHS[self.lang][value.month - 1]} {value.year}"

    def datetime(self, value: dt.datetime | None) -> str:
        """A stored timestamp (UTC when naive) in Dutch time: "23 november 2026, 13:42"."""
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        local = value.astimezone(_local_zone())
        return f"{self.date(local)}, {local:%H:%M}"


def _local_zone() -> dt.tzinfo:
    """Europe/Amsterdam, the time every page shows; UTC when the zone database is missing."""
    try:
        return ZoneInfo("Europe/Amsterdam")
    except ZoneInfoNotFoundError:  # pragma: no cover - a machine without tzdata
        return dt.UTC


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "LANGUAGE_NAMES",
    "MESSAGES",
    "LocalText",
    "Translator",
    "resolve_language",
]
