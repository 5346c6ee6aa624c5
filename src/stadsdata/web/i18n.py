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
    "error.opgave": ("Naar de opgave", "To the opgave"),
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
    # staff navigation and pages (governance, issue #4): web/governance_pages.py
    "nav.opgaven": ("Opgaven", "Opgaven"),
    "nav.datashop": ("Datashop", "Datashop"),
    "nav.inbox": ("Inbox", "Inbox"),
    "nav.inbox.unread": ("ongelezen", "unread"),
    "nav.audit": ("Auditlog", "Audit log"),
    "form.not_saved": (
        "Het formulier is niet opgeslagen. Pas dit aan en verstuur het opnieuw:",
        "The form was not saved. Correct this and send it again:",
    ),
    "done.requested": (
        "Uw opgave is aangevraagd. De data-eigenaar beslist erover; u ziet de stand hier.",
        "Your opgave has been requested. The data owner decides on it; you see its state here.",
    ),
    "done.decided": ("Uw besluit is vastgelegd.", "Your decision has been recorded."),
    "done.closed": (
        "De opgave is beëindigd. De werkruimte wordt bij de volgende opruimronde vernietigd.",
        "The opgave has been closed. Its workspace is destroyed at the next sweep.",
    ),
    "done.filed": (
        "Uw vraag is ingediend bij de Datashop.",
        "Your question has been filed with the Datashop.",
    ),
    "done.triaged": ("De vraag is afgehandeld.", "The question has been triaged."),
    # opgaven
    "opgaven.title": ("Opgaven", "Opgaven"),
    "opgaven.lead": (
        "Een opgave is een analyseproject met één doel: wie welke kolommen van welke dataset tot wanneer "
        "mag gebruiken, en waarom. De data komt in een eigen, afgeschermde werkruimte.",
        "An opgave is an analysis project with one purpose: who may use which columns of which dataset "
        "until when, and why. The data goes into its own, sealed workspace.",
    ),
    "opgaven.new": ("Nieuwe opgave aanvragen", "Request a new opgave"),
    "opgaven.waiting": ("Wacht op uw besluit", "Waiting for your decision"),
    "opgaven.waiting.intro": (
        "U bent data-eigenaar van een dataset waarvan deze opgaven kolommen vragen.",
        "You are the data owner of a dataset these opgaven ask columns of.",
    ),
    "opgaven.waiting.item": ("Opgave {id}: {title}", "Opgave {id}: {title}"),
    "opgaven.waiting.detail": (
        "{dataset}, aangevraagd door {requester} op {date}",
        "{dataset}, requested by {requester} on {date}",
    ),
    "opgaven.waiting.none": ("Er wacht niets op uw besluit.", "Nothing is waiting for your decision."),
    "opgaven.mine": ("Mijn opgaven", "My opgaven"),
    "opgaven.caption.one": ("1 opgave die u mag zien", "1 opgave you may see"),
    "opgaven.caption": (
        "{count} opgaven die u mag zien, de nieuwste eerst",
        "{count} opgaven you may see, newest first",
    ),
    "opgaven.none": ("U heeft nog geen opgaven.", "You have no opgaven yet."),
    "opgave.heading": ("Opgave {id}", "Opgave {id}"),
    "opgave.number": ("Nr.", "No."),
    "opgave.title": ("Titel", "Title"),
    "opgave.state": ("Status", "State"),
    "opgave.state.requested": ("aangevraagd", "requested"),
    "opgave.state.approved": ("goedgekeurd", "approved"),
    "opgave.state.declined": ("afgewezen", "declined"),
    "opgave.state.closed": ("beëindigd", "closed"),
    "opgave.state.destroyed": ("afgelopen, werkruimte vernietigd", "ended, workspace destroyed"),
    "opgave.requester": ("Aanvrager", "Requester"),
    "opgave.members": ("Leden", "Members"),
    "opgave.end_date": ("Einddatum", "End date"),
    "opgave.purpose": ("Doel", "Purpose"),
    "opgave.legal_ground": ("Grondslag (AVG art. 6 lid 1)", "Lawful basis (GDPR art. 6(1))"),
    "opgave.legal_ground.value": ("onder {letter}", "point ({letter})"),
    "opgave.legal_basis": ("Wettelijke basis", "Legal basis"),
    "opgave.dpia": ("DPIA", "DPIA"),
    "opgave.dpia_reference": ("DPIA-kenmerk", "DPIA reference"),
    "opgave.dpia_status": ("Stand van de DPIA", "DPIA status"),
    "opgave.filed": ("Aangevraagd op", "Requested on"),
    "opgave.decided": ("Besloten op", "Decided on"),
    "opgave.closed": ("Beëindigd op", "Closed on"),
    "opgave.destroyed": ("Vernietigd op", "Destroyed on"),
    "opgave.about": ("Over deze opgave", "About this opgave"),
    "opgave.columns": ("Gevraagde kolommen", "Columns asked for"),
    "opgave.columns.caption": (
        "Elke gevraagde kolom met de reden, het besluit van de data-eigenaar en hoe hij in de werkruimte staat",
        "Every column asked for, with its reason, the data owner's decision and how it is stored in the workspace",
    ),
    "opgave.columns.caption.no_workspace": (
        "Elke gevraagde kolom met de reden en het besluit van de data-eigenaar",
        "Every column asked for, with its reason and the data owner's decision",
    ),
    "opgave.column": ("Kolom", "Column"),
    "opgave.column.reason": ("Reden", "Reason"),
    "opgave.column.decision": ("Besluit", "Decision"),
    "opgave.column.decided_by": ("door {user} op {date}", "by {user} on {date}"),
    "opgave.column.workspace": ("In de werkruimte", "In the workspace"),
    "opgave.special.approved": (
        "uitdrukkelijk goedgekeurd (art. 9 AVG)",
        "explicitly approved (GDPR art. 9)",
    ),
    "opgave.workspace": ("Werkruimte", "Workspace"),
    "opgave.decisions": ("Besluiten van de data-eigenaren", "The data owners' decisions"),
    "opgave.decide": ("Uw besluit", "Your decision"),
    "opgave.close": ("Opgave eerder beëindigen", "Close the opgave early"),
    "decision.pending": ("wacht op besluit", "pending"),
    "decision.approved": ("goedgekeurd", "approved"),
    "decision.declined": ("afgewezen", "declined"),
    "ground.a": ("toestemming van de betrokkene", "consent of the data subject"),
    "ground.b": ("uitvoering van een overeenkomst", "performance of a contract"),
    "ground.c": ("wettelijke verplichting", "legal obligation"),
    "ground.d": ("vitale belangen", "vital interests"),
    "ground.e": (
        "taak van algemeen belang of openbaar gezag",
        "task in the public interest or official authority",
    ),
    "ground.f": (
        "gerechtvaardigd belang (niet voor de publieke taak van een overheid)",
        "legitimate interests (not for a public authority's tasks)",
    ),
    "dpia.niet_nodig": ("niet nodig", "not needed"),
    "dpia.in_uitvoering": ("in uitvoering", "in progress"),
    "dpia.afgerond": ("afgerond", "completed"),
    "transform.keep": ("zoals opgeslagen", "as stored"),
    "transform.pseudonymise": (
        "gepseudonimiseerd (sleutel van deze opgave)",
        "pseudonymised (this opgave's key)",
    ),
    "transform.generalise_year": ("gegeneraliseerd: alleen het jaar", "generalised: the year only"),
    "transform.generalise_pc4": ("gegeneraliseerd: alleen de cijfers (PC4)", "generalised: the digits only (PC4)"),
    "transform.generalise_age_band5": ("gegeneraliseerd: leeftijdsklasse van 5 jaar", "generalised: 5-year age band"),
    "transform.absent": ("niet in de werkruimte", "not in the workspace"),
    # a new opgave
    "opgave_new.title": ("Opgave aanvragen", "Request an opgave"),
    "opgave_new.lead": (
        "Vraag alleen de kolommen die u voor het doel nodig heeft, elk met een reden. De data-eigenaar "
        "beslist per kolom; direct identificerende gegevens komen gepseudonimiseerd in de werkruimte.",
        "Ask only for the columns the purpose needs, each with a reason. The data owner decides per "
        "column; direct identifiers come into the workspace pseudonymised.",
    ),
    "opgave_new.dataset": ("Dataset", "Dataset"),
    "opgave_new.dataset.label": ("Van welke dataset heeft u kolommen nodig?", "Which dataset do you need columns of?"),
    "opgave_new.dataset.choose": ("Kies deze dataset", "Choose this dataset"),
    "opgave_new.dataset.none": (
        "Er zijn geen niet-openbare datasets die u kunt zien. Openbare data kunt u zonder opgave gebruiken.",
        "There are no non-public datasets you can see. Open data needs no opgave.",
    ),
    "opgave_new.about": ("Wat en wie", "What and who"),
    "opgave_new.purpose.hint": (
        "In een zin: waarvoor is de analyse, en wat wordt er met de uitkomst gedaan?",
        "In a sentence: what is the analysis for, and what will be done with its result?",
    ),
    "opgave_new.members.hint": (
        "Gebruikersnamen van collega's die ook in de werkruimte werken, gescheiden door komma's. "
        "U zelf hoort er al bij.",
        "User names of colleagues who also work in the workspace, separated by commas. You are included already.",
    ),
    "opgave_new.end_date.hint": (
        "Op deze datum wordt de werkruimte vernietigd. Uiterlijk {months} maanden vanaf vandaag ({date}).",
        "On this date the workspace is destroyed. At most {months} months from today ({date}).",
    ),
    "opgave_new.legal_ground.hint": (
        "Voor een gemeentelijke taak is dat meestal e.",
        "For a municipal task this is usually e.",
    ),
    "opgave_new.legal": ("Wettelijke basis en DPIA", "Legal basis and DPIA"),
    "opgave_new.legal_basis.hint": (
        "De wet die de taak geeft, bijvoorbeeld: Wmo 2015, art. 2.1.2",
        "The law that gives the task, for example: Wmo 2015, art. 2.1.2",
    ),
    "opgave_new.choose": ("Kies…", "Choose…"),
    "opgave_new.columns": ("Kolommen van {dataset}", "Columns of {dataset}"),
    "opgave_new.columns.hint": (
        "Vink elke kolom aan die u nodig heeft en schrijf erbij waarom.",
        "Tick every column you need and write down why.",
    ),
    "opgave_new.columns.error": ("Kies ten minste één kolom.", "Choose at least one column."),
    "opgave_new.columns.caption": (
        "De {count} kolommen van de dataset, met hun soort persoonsgegeven",
        "The dataset's {count} columns, with their kind of personal data",
    ),
    "opgave_new.column.reason_for": ("Reden voor {column}", "Reason for {column}"),
    "opgave_new.submit": ("Opgave aanvragen", "Request the opgave"),
    # deciding and closing
    "decide.intro": (
        "U beslist over het deel van uw dataset. U kunt kolommen weglaten; een bijzonder persoonsgegeven "
        "keurt u alleen uitdrukkelijk goed.",
        "You decide on your dataset's part. You can leave columns out; a special category of personal "
        "data is approved only explicitly.",
    ),
    "decide.part": ("Het deel van {dataset}", "The part of {dataset}"),
    "decide.decision": ("Besluit", "Decision"),
    "decide.approve": ("Goedkeuren (de aangevinkte kolommen)", "Approve (the ticked columns)"),
    "decide.decline": ("Afwijzen", "Decline"),
    "decide.columns": ("Kolommen", "Columns"),
    "decide.columns.hint": (
        "Haal het vinkje weg bij een kolom die niet nodig is.",
        "Untick a column that is not needed.",
    ),
    "decide.asked_because": ("Gevraagd omdat:", "Asked because:"),
    "decide.special": (
        "Ik keur het bijzondere persoonsgegeven {column} uitdrukkelijk goed (art. 9 AVG)",
        "I explicitly approve the special category of personal data {column} (GDPR art. 9)",
    ),
    "decide.reason": ("Motivering", "Reasoning"),
    "decide.reason.hint": (
        "Waarom u zo beslist; de aanvrager en het auditlog zien dit.",
        "Why you decide this way; the requester and the audit log see it.",
    ),
    "decide.submit": ("Besluit vastleggen", "Record the decision"),
    "close.intro": (
        "Beëindig de opgave als het werk klaar is. De werkruimte en de sleutel worden dan vernietigd.",
        "Close the opgave when the work is done. Its workspace and key are then destroyed.",
    ),
    "close.submit": ("Opgave beëindigen", "Close the opgave"),
    "destruction.reason": ("Reden", "Reason"),
    "destruction.by": ("Door", "By"),
    "destruction.key": ("Sleutel vernietigd", "Key destroyed"),
    "destruction.files": ("Vernietigde bestanden", "Files destroyed"),
    "destruction.bytes": ("{n} bytes", "{n} bytes"),
    "destruction.tables": ("Tabellen (inhoud-hash)", "Tables (content hash)"),
    # workspace
    "workspace.title": ("Werkruimte van opgave {id}", "Workspace of opgave {id}"),
    "workspace.none": (
        "Er is nog geen werkruimte: die wordt gebouwd zodra de opgave is goedgekeurd.",
        "There is no workspace yet: it is built once the opgave is approved.",
    ),
    "workspace.destroyed_on": (
        "De werkruimte is vernietigd op {date}. De data bestaat niet meer.",
        "The workspace was destroyed on {date}. Its data no longer exists.",
    ),
    "workspace.built": ("Gebouwd op {date} door {user}.", "Built on {date} by {user}."),
    "workspace.closed": (
        "De opgave is beëindigd; de werkruimte wordt bij de volgende opruimronde vernietigd.",
        "The opgave is closed; its workspace is destroyed at the next sweep.",
    ),
    "workspace.open": ("Open de werkruimte", "Open the workspace"),
    "workspace.members_only": (
        "Alleen de aanvrager en de leden werken in de werkruimte.",
        "Only the requester and the members work in the workspace.",
    ),
    "workspace.lead": (
        "Alleen voor deze opgave, tot en met {date}. Elke query en elke export staat met het doel van de "
        "opgave in het auditlog. Een tabel verlaat de werkruimte alleen via de outputcontrole.",
        "For this opgave only, until {date}. Every query and every export is in the audit log with the "
        "opgave's purpose. A table leaves the workspace only through the output check.",
    ),
    "workspace.tables": ("Tabellen en kolommen", "Tables and columns"),
    "workspace.tables.intro": (
        "Zo staan de goedgekeurde kolommen in de werkruimte: direct identificerende gegevens als pseudoniem, "
        "indirect identificerende gegevens gegeneraliseerd.",
        "This is how the approved columns are stored in the workspace: direct identifiers as pseudonyms, "
        "quasi-identifiers generalised.",
    ),
    "workspace.table.caption": ("{rows} rijen, uit versie {version}", "{rows} rows, from version {version}"),
    "workspace.stored_as": ("Opgeslagen als", "Stored as"),
    "workspace.excluded": ("Niet opgenomen:", "Left out:"),
    "workspace.query": ("Query", "Query"),
    "workspace.sql": ("SQL (één SELECT)", "SQL (one SELECT)"),
    "workspace.sql.hint": (
        "Alleen lezen, alleen de tabellen van deze werkruimte. De pagina toont hoogstens {rows} rijen.",
        "Read-only, only this workspace's tables. The page shows at most {rows} rows.",
    ),
    "workspace.run": ("Uitvoeren", "Run"),
    "workspace.result": ("Resultaat: {n} rijen", "Result: {n} rows"),
    "workspace.result.more": ("Resultaat: de eerste {n} rijen", "Result: the first {n} rows"),
    "workspace.export": ("Exporteren via de outputcontrole", "Export through the output check"),
    # export
    "export.intro": (
        "Een teltabel met één of twee dimensies mag de werkruimte uit als geen cel te klein is. "
        "Kleine cellen (en cellen waaruit ze terug te rekenen zijn) worden onderdrukt.",
        "A count table with one or two dimensions may leave the workspace when no cell is too small. "
        "Small cells (and cells they could be recomputed from) are suppressed.",
    ),
    "export.sql": ("SQL van de teltabel", "SQL of the count table"),
    "export.sql.hint": ("Bijvoorbeeld:", "For example:"),
    "export.dimensions": ("Dimensies", "Dimensions"),
    "export.dimensions.hint": (
        "Eén of twee kolommen, gescheiden door een komma",
        "One or two columns, separated by a comma",
    ),
    "export.count": ("Kolom met de aantallen", "Column with the counts"),
    "export.count.hint": ("Bijvoorbeeld n", "For example n"),
    "export.accept": (
        "Ik accepteer dat kleine cellen worden onderdrukt",
        "I accept that small cells are suppressed",
    ),
    "export.check": ("Controleren en tonen", "Check and show"),
    "export.csv": ("Controleren en downloaden (CSV)", "Check and download (CSV)"),
    "export.released": ("Vrijgegeven", "Released"),
    "export.released.intro": (
        "De tabel mag de werkruimte uit. {suppressed} van de {total} cellen zijn onderdrukt.",
        "The table may leave the workspace. {suppressed} of its {total} cells are suppressed.",
    ),
    "export.blocked": ("Geblokkeerd: er verlaat niets de werkruimte", "Blocked: nothing leaves the workspace"),
    "export.blocked.intro": (
        "De tabel heeft cellen die te klein zijn. Voeg categorieën samen, of vink aan dat u onderdrukking "
        "accepteert. Uitleg van de controle:",
        "The table has cells that are too small. Merge categories, or tick that you accept suppression. "
        "The check's explanation:",
    ),
    "export.cells": (
        "Cellen die niet zo naar buiten mogen ({count})",
        "Cells that may not leave as they are ({count})",
    ),
    "export.cells.more": ("en nog {n} cellen", "and {n} more cells"),
    "export.legend": (
        "onderdrukt: de waarde is weggelaten (primair: te klein; secundair: om een kleine cel te beschermen)",
        "suppressed: the value is left out (primary: too small; secondary: to protect a small cell)",
    ),
    "export.caption": ("De vrijgegeven tabel, {count} cellen", "The released table, {count} cells"),
    "export.rule": ("Toegepaste controle:", "Check applied:"),
    "export.total": ("totaal", "total"),
    "export.missing": (
        "–: geen rij in het resultaat (een aantal van 0).",
        "–: no row in the result (a count of 0).",
    ),
    "export.caption.cross": (
        "De vrijgegeven tabel, {count} cellen: {down} in de rijen, {across} in de kolommen",
        "The released table, {count} cells: {down} in the rows, {across} in the columns",
    ),
    "export.suppressed.primary": ("onderdrukt (primair)", "suppressed (primary)"),
    "export.suppressed.secondary": ("onderdrukt (secundair)", "suppressed (secondary)"),
    "export.suppressed.dominance": ("onderdrukt (dominantie)", "suppressed (dominance)"),
    "export.suppressed.unprotectable": ("onderdrukt", "suppressed"),
    # audit log
    "audit.title": ("Auditlog", "Audit log"),
    "audit.lead": (
        "Elke beslissing over niet-openbare data, elke wijziging van gebruikers en rechten en elke stap van een "
        "opgave. Regels worden alleen toegevoegd; elke regel draagt de hash van de vorige.",
        "Every decision on non-public data, every change to users and rights and every step of an opgave. "
        "Entries are only ever appended; each carries the hash of the one before.",
    ),
    "audit.verify": ("Controle van de keten", "Verification of the chain"),
    "audit.intact": (
        "De keten is intact: {count} regels, geen enkele gewijzigd, verwijderd of verplaatst.",
        "The chain is intact: {count} entries, none edited, deleted or reordered.",
    ),
    "audit.last_hash": ("Laatste hash:", "Last hash:"),
    "audit.broken": (
        "De keten is verbroken bij regel {seq} (van {count} regels):",
        "The chain is broken at entry {seq} (of {count} entries):",
    ),
    "audit.entries": ("Regels", "Entries"),
    "audit.filter": ("Regels filteren", "Filter the entries"),
    "audit.actor": ("Wie", "Who"),
    "audit.action": ("Actie", "Action"),
    "audit.action.hint": ("Bijvoorbeeld workspace_destroyed", "For example workspace_destroyed"),
    "audit.resource": ("Object", "Resource"),
    "audit.resource.hint": ("Bijvoorbeeld opgave/1/workspace", "For example opgave/1/workspace"),
    "audit.apply": ("Filteren", "Filter"),
    "audit.clear": ("Filters wissen", "Clear the filters"),
    "audit.caption": (
        "De nieuwste {count} regels (hoogstens {limit}), de nieuwste eerst",
        "The newest {count} entries (at most {limit}), newest first",
    ),
    "audit.seq": ("Nr.", "No."),
    "audit.at": ("Wanneer", "When"),
    "audit.decision": ("Uitkomst", "Outcome"),
    "audit.detail": ("Doel en details", "Purpose and detail"),
    "audit.purpose": ("Doel", "Purpose"),
    "audit.none": ("Geen regels gevonden.", "No entries found."),
    # Datashop
    "datashop.title": ("Datashop", "Datashop"),
    "datashop.lead": (
        "Heeft u een datavraag? Het Datashop-team zoekt uit of er al open data of indicatoren zijn, "
        "of dat er een opgave voor nodig is.",
        "Do you have a data question? The Datashop team finds out whether open data or indicators "
        "answer it, or whether it needs an opgave.",
    ),
    "datashop.my_list": ("Mijn vragen", "My questions"),
    "datashop.team_list": ("Alle vragen", "All questions"),
    "datashop.caption.one": ("1 vraag", "1 question"),
    "datashop.caption": ("{count} vragen, de nieuwste eerst", "{count} questions, newest first"),
    "datashop.none": ("Er zijn nog geen vragen.", "There are no questions yet."),
    "datashop.number": ("Nr.", "No."),
    "datashop.question": ("Vraag", "Question"),
    "datashop.question.hint": (
        "Wat wilt u weten? Beschrijf het in een of twee zinnen.",
        "What do you want to know? Describe it in a sentence or two.",
    ),
    "datashop.purpose": ("Doel", "Purpose"),
    "datashop.purpose.hint": ("Waarvoor is het antwoord nodig?", "What is the answer for?"),
    "datashop.deadline": ("Nodig vóór", "Needed by"),
    "datashop.dienst": ("Dienst", "Department"),
    "datashop.requester": ("Gevraagd door", "Asked by"),
    "datashop.state": ("Status", "State"),
    "datashop.state.new": ("nieuw", "new"),
    "datashop.state.answered": ("beantwoord", "answered"),
    "datashop.state.opgave": ("opgave geworden", "became an opgave"),
    "datashop.state.declined": ("afgewezen", "declined"),
    "datashop.ask": ("Een vraag stellen", "Ask a question"),
    "datashop.submit": ("Vraag indienen", "File the question"),
    "datashop.request": ("Datashop-vraag {id}", "Datashop question {id}"),
    "datashop.about": ("De vraag", "The question"),
    "datashop.filed": ("Ingediend op", "Filed on"),
    "datashop.resolution": ("Afhandeling", "Resolution"),
    "datashop.opgave": ("Opgave", "Opgave"),
    "datashop.history": ("Geschiedenis", "History"),
    "triage.title": ("Afhandelen", "Triage"),
    "triage.outcome": ("Uitkomst", "Outcome"),
    "triage.outcome.answered": (
        "Beantwoord met bestaande data of indicatoren",
        "Answered with existing data or indicators",
    ),
    "triage.outcome.opgave": ("Wordt een opgave", "Becomes an opgave"),
    "triage.outcome.declined": ("Afgewezen", "Declined"),
    "triage.note": ("Toelichting", "Note"),
    "triage.note.hint": (
        "Waar het antwoord staat, waarom een opgave, of waarom de vraag wordt afgewezen.",
        "Where the answer is, why an opgave, or why the question is declined.",
    ),
    "triage.opgave": ("Nummer van de opgave", "Number of the opgave"),
    "triage.opgave.hint": ("Alleen bij ‘Wordt een opgave’.", "Only with ‘Becomes an opgave’."),
    "triage.submit": ("Afhandeling vastleggen", "Record the triage"),
    # inbox
    "inbox.title": ("Inbox", "Inbox"),
    "inbox.lead": (
        "Meldingen aan de data-eigenaar, zoals een levering in quarantaine die op een besluit wacht. "
        "U ziet de meldingen over datasets waarvoor u een levering mag vrijgeven.",
        "Notices to the data owner, such as a quarantined delivery waiting for a decision. You see the "
        "notices about datasets whose deliveries you may release.",
    ),
    "inbox.show_all": ("Ook afgehandelde meldingen tonen", "Show resolved notices too"),
    "inbox.only_open": ("Alleen open meldingen tonen", "Show open notices only"),
    "inbox.caption.one": ("1 open melding", "1 open notice"),
    "inbox.caption.all.one": ("1 melding", "1 notice"),
    "inbox.caption": ("{count} open meldingen, de nieuwste eerst", "{count} open notices, newest first"),
    "inbox.caption.all": ("{count} meldingen, de nieuwste eerst", "{count} notices, newest first"),
    "inbox.none": ("Er zijn geen open meldingen voor u.", "There are no open notices for you."),
    "inbox.none.all": ("Er zijn geen meldingen voor u.", "There are no notices for you."),
    "inbox.subject": ("Onderwerp", "Subject"),
    "inbox.status": ("Status", "State"),
    "inbox.status.unread": ("ongelezen", "unread"),
    "inbox.status.read": ("gelezen", "read"),
    "inbox.status.resolved": ("afgehandeld", "resolved"),
    "inbox.dataset": ("Dataset", "Dataset"),
    "inbox.sent": ("Verstuurd", "Sent"),
    "inbox.notice": ("Melding {id}", "Notice {id}"),
    "inbox.to": ("Aan", "To"),
    "inbox.role.data_owner": ("data-eigenaar", "data owner"),
    "inbox.delivery": ("Levering", "Delivery"),
    "inbox.read": ("Gelezen", "Read"),
    "inbox.read.by": ("{date} door {user}", "{date} by {user}"),
    "inbox.resolved": ("afgehandeld op {date}:", "resolved on {date}:"),
    "inbox.open": ("open", "open"),
    "inbox.message": ("Bericht", "Message"),
    "inbox.decide": (
        "Besluiten: bekijk het kwaliteitsrapport van de levering, of geef haar toch vrij met",
        "To decide: read the delivery's quality report, or release it anyway with",
    ),
    "inbox.back": ("Terug naar de inbox", "Back to the inbox"),
    # values
    "bool.yes": ("ja", "yes"),
    "bool.no": ("nee", "no"),
    # algorithm register (web/register_pages.py)
    "nav.algorithms": ("Algoritmes", "Algorithms"),
    "register.title": ("Algoritmeregister", "Algorithm register"),
    "register.title.query": ("Algoritmes voor ‘{q}’", "Algorithms for ‘{q}’"),
    "register.lead": (
        "Welke algoritmes gebruiken overheden, waarvoor, met welke gegevens en met welk menselijk toezicht? "
        "Elke registratie volgt de landelijke standaard van het Algoritmeregister (versie 1.0).",
        "Which algorithms do governments use, what for, on which data and with which human oversight? "
        "Every entry follows the national Algoritmeregister standard (version 1.0).",
    ),
    "register.search.label": ("Zoek een algoritme", "Search for an algorithm"),
    "register.search.hint": (
        "Bijvoorbeeld een organisatie (Den Haag), een onderwerp (parkeren) of een leverancier.",
        "For example an organisation (Den Haag), a subject (parkeren) or a supplier.",
    ),
    "register.results": ("{count} algoritmes gevonden", "{count} algorithms found"),
    "register.results.one": ("1 algoritme gevonden", "1 algorithm found"),
    "register.results.none": ("Geen algoritmes gevonden.", "No algorithms found."),
    "register.results.none.hint": (
        "Probeer andere woorden of verwijder een filter.",
        "Try other words or remove a filter.",
    ),
    "register.facet.organization": ("Organisatie", "Organisation"),
    "register.facet.category": ("Thema", "Theme"),
    "register.facet.status": ("Status", "Status"),
    "register.facet.publication_category": ("Type", "Type"),
    "register.export": ("Het hele register downloaden", "Download the whole register"),
    "register.new": ("Algoritme registreren", "Register an algorithm"),
    "algorithm.unnamed": ("(zonder naam)", "(no name)"),
    "algorithm.edit": ("Bewerken", "Edit"),
    "algorithm.version": ("versie {number}, {date}", "version {number}, {date}"),
    "algorithm.done.created": ("Het algoritme is geregistreerd.", "The algorithm has been registered."),
    "algorithm.done.saved": (
        "De wijziging is opgeslagen als nieuwe versie.",
        "The change has been saved as a new version.",
    ),
    "algorithm.problems": ("Deze registratie is onvolledig", "This entry is incomplete"),
    "algorithm.problems.intro": (
        "Bij het inlezen of controleren tegen de standaard is het volgende gevonden:",
        "Importing it or checking it against the standard found:",
    ),
    "algorithm.problems.missing": ("ontbreekt: {fields}", "missing: {fields}"),
    "algorithm.problems.unreadable": ("tekens onleesbaar in: {fields}", "unreadable characters in: {fields}"),
    "algorithm.on_this_page": ("Op deze pagina", "On this page"),
    "algorithm.fields": ("Gegevens volgens de standaard", "Fields of the standard"),
    "algorithm.fields.intro": (
        "Alle velden van de Algoritmeregister-standaard 1.0, in de volgorde van de standaard.",
        "Every field of the Algoritmeregister standard 1.0, in the standard's order (its titles are Dutch).",
    ),
    "algorithm.empty": ("niet ingevuld", "not filled in"),
    "algorithm.datasets": ("Gebruikte datasets", "Datasets used"),
    "algorithm.datasets.none": (
        "Er zijn geen datasets uit de catalogus aan gekoppeld.",
        "No datasets of the catalogue are linked to it.",
    ),
    "algorithm.opgaven": ("Opgaven", "Analysis projects (opgaven)"),
    "opgave.algorithms": ("Algoritmes uit het register", "Algorithms in the register"),
    "algorithm.opgaven.intro": (
        "Doelgebonden analyseprojecten van de gemeente waarin dit algoritme is ontwikkeld of getoetst.",
        "The city's purpose-bound analysis projects in which this algorithm was developed or assessed.",
    ),
    "algorithm.opgaven.number": ("Opgave {number}", "Opgave {number}"),
    "algorithm.opgaven.staff": (
        "alleen zichtbaar voor medewerkers die deze opgave mogen inzien",
        "only visible to staff who may view this opgave",
    ),
    "algorithm.datasets.hidden": (
        "En {count} datasets die niet openbaar zijn.",
        "And {count} datasets that are not public.",
    ),
    "algorithm.datasets.hidden.one": ("En 1 dataset die niet openbaar is.", "And 1 dataset that is not public."),
    "algorithm.history": ("Versiegeschiedenis", "Version history"),
    "algorithm.history.none": ("Nog geen versies.", "No versions yet."),
    "algorithm.history.version": ("Versie {number}", "Version {number}"),
    "algorithm.history.by": ("door {user}", "by {user}"),
    "algorithm.history.reason": ("Reden:", "Reason:"),
    "algorithm.history.changes": ("Wijzigingen in versie {number}", "Changes in version {number}"),
    "algorithm.history.created": (
        "De eerste versie: {count} velden ingevuld.",
        "The first version: {count} fields filled in.",
    ),
    "algorithm.history.created.one": ("De eerste versie: 1 veld ingevuld.", "The first version: 1 field filled in."),
    "algorithm.history.field": ("Veld", "Field"),
    "algorithm.history.old": ("Was", "Was"),
    "algorithm.history.new": ("Wordt", "Became"),
    "algorithm.api": ("Deze registratie in de API:", "This entry in the API:"),
    "algorithm_new.title": ("Algoritme registreren", "Register an algorithm"),
    "algorithm_new.submit": ("Registreren", "Register"),
    "algorithm_edit.title": ("{name} bewerken", "Edit {name}"),
    "algorithm_edit.lead": (
        "Vul de velden in volgens de standaard van het Algoritmeregister. Elke wijziging wordt een nieuwe "
        "versie: wie, wanneer, wat en waarom blijven zichtbaar in de versiegeschiedenis.",
        "Fill in the fields of the Algoritmeregister standard. Every change becomes a new version: who, when, "
        "what and why stay visible in the version history.",
    ),
    "algorithm_edit.fields": ("Velden van de standaard", "Fields of the standard"),
    "algorithm_edit.required": ("verplicht", "required"),
    "algorithm_edit.instructions": ("Aanwijzingen en voorbeeld", "Instructions and example"),
    "algorithm_edit.example": ("Voorbeeld:", "Example:"),
    "algorithm_edit.max_length": ("(ten hoogste {n} tekens)", "(at most {n} characters)"),
    "algorithm_edit.choose": ("Kies…", "Choose…"),
    "algorithm_edit.pair.title": ("Titel {n}", "Title {n}"),
    "algorithm_edit.pair.link": ("Link {n}", "Link {n}"),
    "algorithm_edit.links": ("Koppelingen en reden", "Links and reason"),
    "algorithm_edit.datasets": ("Datasets uit de catalogus", "Datasets of the catalogue"),
    "algorithm_edit.datasets.hint": (
        "De datasets die het algoritme gebruikt. Houd Ctrl (of Cmd) ingedrukt om er meer te kiezen.",
        "The datasets the algorithm uses. Hold Ctrl (or Cmd) to choose more than one.",
    ),
    "algorithm_edit.opgaven": ("Opgaven", "Opgaven (analysis projects)"),
    "algorithm_edit.opgaven.hint": (
        "Nummers van de opgaven waarin het algoritme is ontwikkeld of getoetst, gescheiden door komma's "
        "(bijvoorbeeld 1, 3). DPIA- en IAMA-verwijzingen horen bij Impacttoetsen hierboven.",
        "Numbers of the opgaven in which the algorithm was developed or assessed, separated by commas "
        "(for example 1, 3). DPIA and IAMA references belong under Impacttoetsen above.",
    ),
    "algorithm_edit.reason": ("Reden van de wijziging", "Reason for the change"),
    "algorithm_edit.reason.hint": (
        "Komt in de versiegeschiedenis, zichtbaar voor iedereen.",
        "Goes into the version history, visible to everyone.",
    ),
    "algorithm_edit.submit": ("Wijziging opslaan", "Save the change"),
    "algorithm_edit.cancel": ("Annuleren", "Cancel"),
    # -- indicators (issue #6): web/indicator_pages.py, indicator_figures.py, templates indicator*/region/compare/embed
    "nav.indicators": ("Indicatoren", "Indicators"),
    # reports dashboard (/meldingen, issue #10; web/reports_pages.py)
    "nav.reports": ("Meldingen", "Reports"),
    "rep.title": ("Meldingen openbare ruimte", "Public-space reports"),
    "rep.eyebrow": ("Dashboard meldingen", "Reports dashboard"),
    "rep.lead": (
        "Wat bewoners melden over de openbare ruimte: per categorie, per wijk en per week, hoe snel meldingen "
        "zijn afgehandeld, en waar ze op de kaart liggen.",
        "What residents report about public space: by category, by wijk and by week, how quickly reports were "
        "resolved, and where they are on the map.",
    ),
    "rep.index.lead": (
        "Datasets met meldingen openbare ruimte (Signalen of vergelijkbaar). Kies een dataset voor het dashboard.",
        "Datasets of public-space reports (Signalen or similar). Choose a dataset for its dashboard.",
    ),
    "rep.index.none": (
        "Er is nog geen dataset met meldingen die u mag bekijken.",
        "There is no reports dataset yet that you may view.",
    ),
    "rep.index.how": (
        "Elke dataset met de kolommen van het datasettype meldingen verschijnt hier vanzelf (zie docs/reports.md).",
        "Every dataset with the columns of the reports dataset type appears here by itself (see docs/reports.md).",
    ),
    "rep.filter": ("Filter", "Filter"),
    "rep.filter.hint": (
        "Datums gaan over de dag waarop de melding is gemaakt; beide grenzen tellen mee.",
        "Dates are the day the report was created; both ends are included.",
    ),
    "rep.main": ("Hoofdcategorie", "Main category"),
    "rep.sub": ("Subcategorie", "Sub category"),
    "rep.all": ("Alle", "All"),
    "rep.from": ("Van (datum)", "From (date)"),
    "rep.to": ("Tot en met (datum)", "Up to and including (date)"),
    "rep.apply": ("Toon", "Show"),
    "rep.clear": ("Filter wissen", "Clear filter"),
    "rep.summary": ("In het kort", "In short"),
    "rep.summary.filtered": ("In het kort (gefilterd)", "In short (filtered)"),
    "rep.col.reports": ("Meldingen", "Reports"),
    "rep.col.open": ("Nog open", "Still open"),
    "rep.col.resolved": ("Afgehandeld", "Resolved"),
    "rep.col.median": ("Mediane afhandeltijd", "Median time to resolution"),
    "rep.col.median_days": ("Mediaan (dagen)", "Median (days)"),
    "rep.col.p90_days": ("90e percentiel (dagen)", "90th percentile (days)"),
    "rep.col.area": ("Wijk (gebied)", "Wijk (area)"),
    "rep.period": ("Gemaakt van {first} tot en met {last}", "Created from {first} up to and including {last}"),
    "rep.open.hint": (
        "Op de laatste dag van de bron nog niet afgehandeld.",
        "Not resolved yet on the source's last day.",
    ),
    "rep.days": ("{days} dagen", "{days} days"),
    "rep.p90.hint": (
        "9 van de 10 afgehandelde meldingen binnen {days} dagen.",
        "9 out of 10 resolved reports within {days} days.",
    ),
    "rep.caveats": ("Let op bij deze cijfers", "Keep in mind"),
    "rep.caveat.resolution": (
        "Afhandeltijden zijn in hele dagen: de bron geeft alleen de datum van afhandelen (resolutie één dag). "
        "Een melding die op dezelfde dag is afgehandeld, telt als 0 dagen.",
        "Times to resolution are in whole days: the source only gives the date of resolution (one-day "
        "resolution). A report resolved on the day it was made counts as 0 days.",
    ),
    "rep.caveat.undercount": (
        "Deze bron haalde één keer per dag de lijst met open meldingen op. Een melding die tussen twee "
        "ophaalmomenten is gemaakt en afgehandeld, is nooit gezien: snel afgehandelde categorieën zijn "
        "ondergeteld, en hun afhandeltijden lijken langer dan ze zijn.",
        "This source fetched the list of open reports once a day. A report made and resolved between two "
        "fetches was never seen: quickly handled categories are under-counted, and their times to resolution "
        "look longer than they are.",
    ),
    "rep.caveat.before": (
        "{count} meldingen zijn gemaakt vóór {date}, de eerste dag waarop iets is afgehandeld: waarschijnlijk "
        "begon de verzameling toen, en zijn dit alleen de meldingen die op die dag nog open stonden.",
        "{count} reports were made before {date}, the first day anything was resolved: the collection "
        "probably started then, and these are only the reports still open on that day.",
    ),
    "rep.caveat.inconsistent": (
        "{count} meldingen zijn volgens de bron afgehandeld vóór de dag waarop ze zijn gemaakt; ze tellen niet "
        "mee in de afhandeltijden.",
        "{count} reports were, according to the source, resolved before the day they were made; they are left "
        "out of the times to resolution.",
    ),
    "rep.caveat.privacy": (
        "Geen persoonsgegevens: dit dashboard toont wijken en vakken van 250 bij 250 meter, geen adressen.",
        "No personal data: this dashboard shows wijken and 250 by 250 metre cells, no addresses.",
    ),
    "rep.none": (
        "Geen meldingen voor dit filter. Kies een andere categorie of periode.",
        "No reports for this filter. Choose another category or period.",
    ),
    "rep.categories": ("Per categorie", "By category"),
    "rep.categories.hint": (
        "Klik op een categorie om alleen die meldingen te zien.",
        "Click a category to see only those reports.",
    ),
    "rep.categories.table": ("Alle categorieën als tabel", "All categories as a table"),
    "rep.categories.caption": (
        "Meldingen per hoofd- en subcategorie",
        "Reports by main and sub category",
    ),
    "rep.chart.main": ("Meldingen per hoofdcategorie", "Reports by main category"),
    "rep.main.chosen": ("Alleen de hoofdcategorie {name}.", "Only the main category {name}."),
    "rep.main.all": ("Toon alle hoofdcategorieën", "Show all main categories"),
    "rep.chart.sub_of": ("Meldingen per subcategorie van {name}", "Reports by sub category of {name}"),
    "rep.chart.sub_top": (
        "De {count} subcategorieën met de meeste meldingen",
        "The {count} sub categories with the most reports",
    ),
    "rep.unit.reports": ("aantal meldingen", "number of reports"),
    "rep.unit.reports_week": ("meldingen per week", "reports per week"),
    "rep.areas": ("Per wijk", "By wijk"),
    "rep.areas.hint": (
        "De gebieden zoals de bron ze noemt. Die namen zijn gemengd (meestal wijknamen, soms CBS-namen zoals "
        "'Wijk 04 Pittelo', ook dorpen): tel ze niet zomaar op tegen CBS-wijken. Klik op een kolomkop om te sorteren.",
        "The areas as the source names them. The names are mixed (mostly wijk names, sometimes CBS names such as "
        "'Wijk 04 Pittelo', villages too): do not match them to CBS wijken without care. Click a column heading "
        "to sort.",
    ),
    "rep.chart.areas": ("De {count} wijken met de meeste meldingen", "The {count} wijken with the most reports"),
    "rep.areas.caption": ("Meldingen per wijk ({count} gebieden)", "Reports by wijk ({count} areas)"),
    "rep.no_area": ("(geen gebied)", "(no area)"),
    "rep.weeks": ("Per week", "By week"),
    "rep.chart.weeks": ("Meldingen per ISO-week", "Reports per ISO week"),
    "rep.weeks.complete": ("hele week waargenomen", "whole week observed"),
    "rep.weeks.partial": ("week deels waargenomen", "week partly observed"),
    "rep.weeks.short": ("wk {week}", "wk {week}"),
    "rep.weeks.hint": (
        "Weken van maandag tot en met zondag (ISO). Lichte staven: de week valt deels buiten de waargenomen "
        "periode of het filter, en telt niet mee voor de trend.",
        "Weeks from Monday to Sunday (ISO). Light bars: the week lies partly outside the observed period or the "
        "filter, and does not count for the trend.",
    ),
    "rep.weeks.left_out": (
        "{count} weken vóór {date} staan niet in de grafiek (daar zijn alleen meldingen die toen nog open stonden).",
        "{count} weeks before {date} are not in the chart (they hold only the reports still open then).",
    ),
    "rep.trend": ("Trend", "Trend"),
    "rep.trend.text": (
        "gemiddeld {recent} meldingen per week in de laatste {weeks} hele weken ({first} tot en met {last}), "
        "tegen {previous} per week in de {weeks} weken daarvoor",
        "on average {recent} reports per week in the last {weeks} whole weeks ({first} up to and including "
        "{last}), against {previous} per week in the {weeks} weeks before",
    ),
    "rep.trend.none": (
        "Te weinig hele weken om een trend te geven.",
        "Too few whole weeks to give a trend.",
    ),
    "rep.resolution": ("Afhandeltijd", "Time to resolution"),
    "rep.resolution.caveat": (
        "Afhandeltijd = dagen van het maken van de melding tot de dag dat ze niet meer open stond, in hele "
        "dagen (de bron heeft een resolutie van één dag). Snel afgehandelde meldingen zijn ondergeteld (zie "
        "boven), dus de echte afhandeltijden zijn eerder korter.",
        "Time to resolution = days from making the report to the day it was no longer open, in whole days (the "
        "source has a one-day resolution). Quickly handled reports are under-counted (see above), so the real "
        "times are more likely shorter.",
    ),
    "rep.resolution.caption_hoofdcategorie": (
        "Afhandeltijd per hoofdcategorie",
        "Time to resolution by main category",
    ),
    "rep.resolution.caption_subcategorie": (
        "Afhandeltijd per subcategorie",
        "Time to resolution by sub category",
    ),
    "rep.resolution.hint": (
        "Mediaan: de helft van de afgehandelde meldingen was binnen zoveel dagen klaar; 90e percentiel: 9 van "
        "de 10. Beide zijn waargenomen waarden (hele dagen). Nog open meldingen tellen niet mee in de tijden.",
        "Median: half of the resolved reports were done within so many days; 90th percentile: 9 out of 10. Both "
        "are observed values (whole days). Reports still open are not in the times.",
    ),
    "rep.all_reports": ("Alle meldingen", "All reports"),
    "rep.map": ("Kaart", "Map"),
    "rep.map.why": (
        "Meldingen geteld per vak van {size} bij {size} meter (rijksdriehoekscoördinaten). Waarom vakken en "
        "geen wijken? Voor de gebieden van deze bron zijn geen grenzen beschikbaar, en de namen zijn gemengd. "
        "Vakken zijn overal even groot, dus aantallen zijn eerlijk te vergelijken. Lege vakken zijn niet getekend.",
        "Reports counted per cell of {size} by {size} metres (Dutch national grid). Why cells and not wijken? "
        "There are no boundaries for this source's areas, and their names are mixed. Cells are the same size "
        "everywhere, so counts compare fairly. Empty cells are not drawn.",
    ),
    "rep.map.title": ("Meldingen per vak van {size} m", "Reports per {size} m cell"),
    "rep.map.unit": ("meldingen per vak van {size} m", "reports per {size} m cell"),
    "rep.map.cells": ("vakken", "cells"),
    "rep.map.classes": (
        "klassen: kwantielen (elk ongeveer evenveel vakken)",
        "classes: quantiles (about as many cells each)",
    ),
    "rep.map.tip": (
        "{count} meldingen in het vak van {size} m bij RD {x}, {y}",
        "{count} reports in the {size} m cell at RD {x}, {y}",
    ),
    "rep.map.outline": ("Grens van de gemeente {name} (CBS)", "Boundary of the municipality of {name} (CBS)"),
    "rep.map.caption": (
        "{cells} vakken van {size} m met ten minste één melding. Wijs een vak aan voor het aantal.",
        "{cells} cells of {size} m with at least one report. Point at a cell for its count.",
    ),
    "rep.map.no_outline": (
        "De gemeentegrens ontbreekt: de dataset met CBS-gemeentegrenzen is niet geladen.",
        "The municipal boundary is missing: the dataset of CBS municipal boundaries is not loaded.",
    ),
    "rep.map.none": ("Geen meldingen met coördinaten voor dit filter.", "No reports with coordinates for this filter."),
    "rep.downloads": ("Downloads", "Downloads"),
    "rep.downloads.hint": (
        "Elk overzicht als CSV, voor hetzelfde filter als deze pagina.",
        "Every overview as CSV, for the same filter as this page.",
    ),
    "rep.dl.categorieen": ("Meldingen per categorie", "Reports by category"),
    "rep.dl.wijken": ("Meldingen per wijk", "Reports by wijk"),
    "rep.dl.weken": ("Meldingen per week", "Reports by week"),
    "rep.dl.afhandeltijden": ("Afhandeltijden", "Times to resolution"),
    "rep.dl.rastercellen": ("Meldingen per vak van de kaart", "Reports per map cell"),
    "rep.dl.kaart": ("De kaart (SVG)", "The map (SVG)"),
    "rep.dataset_downloads": ("Alle downloads van de dataset", "All downloads of the dataset"),
    "rep.all_rows_csv": ("Alle meldingen als CSV", "All reports as CSV"),
    "rep.source": ("Over de bron", "About the source"),
    "rep.source.version": ("Versie {version} van de dataset", "Version {version} of the dataset"),
    "rep.licence": ("Licentie", "Licence"),
    "ind.title": ("Indicatoren", "Indicators"),
    "ind.lead": (
        "Kerncijfers over wonen, zorg, inkomen en bevolking, berekend uit open data van het CBS: voor {gemeenten} "
        "gemeenten, {wijken} wijken en {buurten} buurten. Bekijk een thema, zoek een gebied of vergelijk gemeenten.",
        "Key figures on housing, care, income and population, computed from open CBS data: for {gemeenten} "
        "municipalities, {wijken} districts and {buurten} neighbourhoods. Open a theme, find an area or compare "
        "municipalities.",
    ),
    "ind.search.label": ("Zoek een gemeente, wijk of buurt", "Find a municipality, district or neighbourhood"),
    "ind.search.hint": (
        "Een naam of een CBS-code, bijvoorbeeld Den Haag of GM0518.",
        "A name or a CBS code, e.g. Den Haag or GM0518.",
    ),
    "ind.search.found": ("{count} gebieden voor ‘{q}’", "{count} areas for ‘{q}’"),
    "ind.search.none": ("Geen gebied gevonden voor ‘{q}’.", "No area found for ‘{q}’."),
    "ind.themes": ("Thema’s", "Themes"),
    "ind.products": ("Producten", "Products"),
    "ind.monitors": ("Monitors", "Monitors"),
    "ind.more": ("Meer", "More"),
    "ind.api": ("Indicatoren in de API", "Indicators in the API"),
    "ind.count": ("{count} indicatoren", "{count} indicators"),
    "ind.kind.theme": ("Thema", "Theme"),
    "ind.kind.product": ("Product", "Product"),
    "ind.kind.monitor": ("Monitor", "Monitor"),
    "ind.kind.indicator": ("Indicator", "Indicator"),
    "ind.level.land": ("land", "country"),
    "ind.level.gemeente": ("gemeente", "municipality"),
    "ind.level.wijk": ("wijk", "district"),
    "ind.level.buurt": ("buurt", "neighbourhood"),
    "ind.levels.land": ("Nederland", "the Netherlands"),
    "ind.levels.gemeente": ("per gemeente", "per municipality"),
    "ind.levels.wijk": ("per wijk", "per district"),
    "ind.levels.buurt": ("per buurt", "per neighbourhood"),
    "ind.secret": ("geheim", "secret"),
    "ind.no_value": ("geen waarde", "no value"),
    "ind.missing.no_data": ("geen gegevens", "no data"),
    "ind.missing.level": ("niet berekend per {level}", "not computed per {level}"),
    "ind.missing.period": ("geen gegevens voor {period}", "no data for {period}"),
    "ind.direction.higher_is_better": ("hoger is beter", "higher is better"),
    "ind.direction.lower_is_better": ("lager is beter", "lower is better"),
    "ind.direction.neutral": (
        "neutraal (hoger is niet beter of slechter)",
        "neutral (higher is neither better nor worse)",
    ),
    "ind.region.label": ("Gebied", "Area"),
    "ind.region.hint": (
        "Een naam of CBS-code (GM0518, WK051801, BU05180101).",
        "A name or CBS code (GM0518, WK051801, BU05180101).",
    ),
    "ind.region.dashboard": (
        "Voor welk gebied? Een naam of CBS-code (GM0518, WK051801, BU05180101).",
        "For which area? A name or CBS code (GM0518, WK051801, BU05180101).",
    ),
    "ind.region.submit": ("Tonen", "Show"),
    "ind.dashboard.for": ("Cijfers voor {name}", "Figures for {name}"),
    "ind.period": ("peiljaar {period}", "year {period}"),
    "ind.period.latest": ("meest recent", "most recent"),
    "ind.rank": ("plaats {rank} van {of}", "rank {rank} of {of}"),
    "ind.rank.none": ("geen plaats", "no rank"),
    "ind.reference.land": ("Nederland", "the Netherlands"),
    "ind.reference.city": ("gemeente", "municipality"),
    "ind.source": ("Bron", "Source"),
    "ind.download": ("Downloaden", "Download"),
    "ind.embed": ("Insluiten op een andere website", "Embed in another website"),
    "ind.embed.hint": ("Kopieer deze code in de HTML van uw pagina:", "Copy this code into the HTML of your page:"),
    "ind.embed.open": ("De insluitbare versie openen", "Open the embeddable version"),
    "ind.embed.more": ("Meer op Stadsdata", "More on Stadsdata"),
    "ind.numbers": ("De cijfers als tabel", "The figures as a table"),
    "ind.other": ("Overige", "Other"),
    "ind.table.region": ("Gebied", "Area"),
    "ind.table.period": ("Peiljaar", "Year"),
    "ind.table.unit": ("Eenheid", "Unit"),
    "ind.table.sort_hint": (
        "Klik op een kolomkop om op die kolom te sorteren; nogmaals klikken keert de volgorde om. Geheime en "
        "ontbrekende waarden staan altijd onderaan.",
        "Click a column header to sort on that column; click again to reverse. Secret and missing values always "
        "come last.",
    ),
    "ind.map.heading": ("Kaart", "Map"),
    "ind.map.title": ("{indicator} {level}", "{indicator} {level}"),
    "ind.map.legend": ("Legenda", "Legend"),
    "ind.map.classes": (
        "klassen: kwantielen (elk ongeveer evenveel gebieden)",
        "classes: quantiles (about as many areas each)",
    ),
    "ind.map.regions": ("{count} gebieden", "{count} areas"),
    "ind.map.choose": ("Indicator op de kaart", "Indicator on the map"),
    "ind.map.level": ("Niveau", "Level"),
    "ind.map.gemeente": ("Gemeente", "Municipality"),
    "ind.map.show": ("Tonen", "Show"),
    "ind.map.none": ("Voor dit niveau is er geen kaart.", "There is no map for this level."),
    "ind.map.mismatch.values_without_boundary": (
        "Met een waarde maar zonder grens op de kaart (bijvoorbeeld samengevoegde gemeenten)",
        "With a value but no boundary on the map (e.g. merged municipalities)",
    ),
    "ind.map.mismatch.boundaries_without_values": (
        "Op de kaart zonder waarde (bijvoorbeeld nieuwe gemeenten)",
        "On the map without a value (e.g. new municipalities)",
    ),
    "ind.map.period_other": (
        "Voor {asked} zijn er geen waarden {level}; de kaart toont {period}.",
        "There are no values {level} for {asked}; the map shows {period}.",
    ),
    "ind.trend.regions": ("Gebieden in de grafiek", "Areas in the chart"),
    "ind.compare.hint.set": (
        "Namen of CBS-codes, gescheiden door komma’s, bijvoorbeeld GM0518, Rotterdam.",
        "Names or CBS codes separated by commas, e.g. GM0518, Rotterdam.",
    ),
    "ind.trend.heading": ("Ontwikkeling", "Trend"),
    "ind.trend.title": ("{indicator} door de jaren", "{indicator} over the years"),
    "ind.bars.title": ("{indicator}, {period}", "{indicator}, {period}"),
    "ind.def.direction": ("Richting", "Direction"),
    "ind.def.levels": ("Niveaus", "Levels"),
    "ind.def.periods": ("Peiljaren", "Years"),
    "ind.def.notes": ("Zo leest u deze indicator", "How to read this indicator"),
    "ind.def.how": ("Berekening en bron", "Computation and source"),
    "ind.def.expression": ("Formule", "Formula"),
    "ind.def.requires": ("CBS-kolommen", "CBS columns"),
    "ind.monitor.map": ("Kaart {level}", "Map {level}"),
    "ind.monitor.table": ("Alle indicatoren in een tabel", "All indicators in one table"),
    "ind.profile.title": ("Profiel van {name}", "Profile of {name}"),
    "ind.profile.lead": (
        "Elke indicator met de waarde van dit gebied, die van {reference} ter vergelijking en de plaats in de "
        "rangorde.",
        "Every indicator with this area’s value, that of {reference} for comparison, and its rank.",
    ),
    "ind.profile.part_of": ("Onderdeel van", "Part of"),
    "ind.profile.indicators": ("Indicatoren", "Indicators"),
    "ind.profile.indicator": ("Indicator", "Indicator"),
    "ind.profile.value": ("Waarde", "Value"),
    "ind.profile.reference": ("Ter vergelijking", "For comparison"),
    "ind.profile.rank": ("Plaats", "Rank"),
    "ind.profile.of": ("Van", "Of"),
    "ind.profile.rank_hint": (
        "Plaats 1 is de gunstigste waarde (bij een neutrale indicator: de hoogste) onder de gebieden van hetzelfde "
        "niveau; voor een wijk of buurt: binnen de eigen gemeente.",
        "Rank 1 is the most favourable value (for a neutral indicator: the highest) among areas of the same level; "
        "for a district or neighbourhood: within its own municipality.",
    ),
    "ind.profile.map": ("Op de kaart", "On the map"),
    "ind.profile.link": ("Profiel van {name}", "Profile of {name}"),
    "ind.profile.children.gemeente": ("Wijken", "Districts"),
    "ind.profile.children.wijk": ("Buurten", "Neighbourhoods"),
    "ind.profile.children.buurt": ("Buurten", "Neighbourhoods"),
    "ind.profile.children.land": ("Gemeenten", "Municipalities"),
    "ind.compare.title": ("Vergelijken", "Compare"),
    "ind.compare.link": ("{name} vergelijken", "Compare {name}"),
    "ind.compare.lead": (
        "Vergelijk een gemeente met de gemeenten die er het meest op lijken (in inwoners, bevolkingsdichtheid en "
        "stedelijkheid), met gemeenten die u zelf kiest, of een wijk of buurt met haar gemeente.",
        "Compare a municipality with the most similar municipalities (in inhabitants, population density and "
        "urbanity), with municipalities you choose, or a district or neighbourhood with its municipality.",
    ),
    "ind.compare.label": ("Gebieden", "Areas"),
    "ind.compare.hint": (
        "Eén gemeente: vergelijken met de meest vergelijkbare gemeenten. Meer gebieden: namen of CBS-codes "
        "gescheiden door komma’s, bijvoorbeeld GM0518, GM0599, Utrecht.",
        "One municipality: compare with the most similar ones. Several areas: names or CBS codes separated by "
        "commas, e.g. GM0518, GM0599, Utrecht.",
    ),
    "ind.compare.submit": ("Vergelijken", "Compare"),
    "ind.compare.mode.peers": (
        "{name} en de meest vergelijkbare gemeenten",
        "{name} and the most similar municipalities",
    ),
    "ind.compare.mode.city": ("{name} en de eigen gemeente", "{name} and its municipality"),
    "ind.compare.mode.chosen": ("De gekozen gebieden", "The chosen areas"),
    "ind.compare.peers_hint": (
        "Vergelijkbaar: het dichtst bij in aantal inwoners, bevolkingsdichtheid en stedelijkheid (gestandaardiseerd).",
        "Similar: closest in inhabitants, population density and urbanity (standardised).",
    ),
    "ind.compare.to_peers": (
        "{name} met vergelijkbare gemeenten vergelijken",
        "Compare {name} with similar municipalities",
    ),
    "ind.compare.edit": ("Andere gebieden kiezen", "Choose other areas"),
    "ind.compare.focus": ("gekozen", "chosen"),
    "ind.compare.table": ("Vergelijking: {theme}", "Comparison: {theme}"),
    "ind.compare.charts": ("Per indicator", "Per indicator"),
    # the Wmo forecast (issue #8): /indicatoren/wmo-prognose
    "wmo.title": ("Wmo-prognose per wijk", "Wmo forecast per wijk"),
    "wmo.eyebrow": ("Prognose · model", "Forecast · model"),
    "wmo.lead": (
        "Hoeveel inwoners van elke wijk krijgen de komende jaren hulp via de Wmo? Een schatting met een "
        "onder- en bovengrens, per wijk en voor de hele stad.",
        "How many residents of each wijk will receive support under the Wmo in the coming years? An estimate "
        "with a lower and an upper bound, per wijk and for the whole city.",
    ),
    "wmo.to_monitor": ("Naar de Wmo-monitor (de cijfers van nu)", "To the Wmo monitor (the current figures)"),
    "wmo.link": (
        "Wmo-prognose per wijk: de verwachting voor de komende jaren",
        "Wmo forecast per wijk: the coming years",
    ),
    "wmo.none.title": ("Er is nog geen Wmo-prognose.", "There is no Wmo forecast yet."),
    "wmo.none.how": (
        "De dataset wmo_prognose bestaat nog niet. Een beheerder maakt hem met dit commando:",
        "The dataset wmo_prognose does not exist yet. An administrator makes it with this command:",
    ),
    "wmo.summary": ("{name} in het kort", "{name} at a glance"),
    "wmo.summary.observed": ("Gemeten (CBS), de hele gemeente.", "Measured (CBS), the whole municipality."),
    "wmo.uncertain": ("Onzekere prognose", "Uncertain forecast"),
    "wmo.uncertain.list": (
        "Onzekere prognose (de wijk telt niet mee bij het schatten van het model)",
        "Uncertain forecast (the wijk is not used to fit the model)",
    ),
    "wmo.summary.growth": ("Verwachte groei van {first} tot {last}.", "Expected growth from {first} to {last}."),
    "wmo.charts": ("Prognose per jaar", "Forecast per year"),
    "wmo.chart.title": ("Wmo-cliënten in {name}: gemeten en verwacht", "Wmo clients in {name}: measured and expected"),
    "wmo.chart.unit": ("aantal Wmo-cliënten", "number of Wmo clients"),
    "wmo.chart.note": (
        "De band is het 90%-voorspelinterval. Voor 2020 en 2021 zijn er geen Wmo-cijfers per wijk.",
        "The band is the 90% prediction interval. There are no Wmo figures per wijk for 2020 and 2021.",
    ),
    "wmo.forecast": ("prognose", "forecast"),
    "wmo.interval": ("90%-interval", "90% interval"),
    "wmo.observed": ("gemeten", "measured"),
    "wmo.choose": ("Kies een wijk", "Choose a wijk"),
    "wmo.year": ("Jaar", "Year"),
    "wmo.years.caption": ("Prognose per jaar voor {name}", "Forecast per year for {name}"),
    "wmo.map.heading": ("Verwachte groei per wijk", "Expected growth per wijk"),
    "wmo.map.hint": (
        "Klik op een wijk om de prognose per jaar te zien. Grijs: voor deze wijk is er geen prognose.",
        "Click a wijk to see its forecast per year. Grey: there is no forecast for this wijk.",
    ),
    "wmo.map.title": (
        "Verwachte groei van het aantal Wmo-cliënten, {first}-{last}, {name}",
        "Expected growth of the number of Wmo clients, {first}-{last}, {name}",
    ),
    "wmo.map.unit": ("groei {first}-{last} (%)", "growth {first}-{last} (%)"),
    "wmo.no_growth": ("geen gepubliceerd aantal in 2019", "no published count in 2019"),
    "wmo.map.missing": ("geen prognose", "no forecast"),
    "wmo.not_modelled": (
        "geen prognose (geen inwoners of geen cijfers van het CBS)",
        "no forecast (no inhabitants or no CBS figures)",
    ),
    "wmo.table": ("Alle wijken in een tabel", "All wijken in one table"),
    "wmo.table.caption": (
        "Wmo-cliënten per wijk: 2019 en prognose {last}, {name}",
        "Wmo clients per wijk: 2019 and forecast {last}, {name}",
    ),
    "wmo.col.clients": ("Wmo-cliënten", "Wmo clients"),
    "wmo.col.forecast": ("Prognose", "Forecast"),
    "wmo.col.lower": ("Ondergrens", "Lower bound"),
    "wmo.col.upper": ("Bovengrens", "Upper bound"),
    "wmo.col.growth": ("Groei", "Growth"),
    "wmo.col.clients_in": ("Cliënten {year}", "Clients {year}"),
    "wmo.col.rate_in": ("Per 1.000 inwoners {year}", "Per 1,000 inhabitants {year}"),
    "wmo.col.in": ("{name} {year}", "{name} {year}"),
    "wmo.col.growth_pct": ("Groei (%)", "Growth (%)"),
    "wmo.col.per_1000": ("Per 1.000 inwoners", "Per 1,000 inhabitants"),
    "wmo.csv.table": ("Tabel (CSV)", "Table (CSV)"),
    "wmo.csv.years": ("Alle jaren per wijk (CSV)", "Every year per wijk (CSV)"),
    "wmo.version": ("versie {version}, model {model}", "version {version}, model {model}"),
    "wmo.method": ("Hoe werkt de prognose?", "How does the forecast work?"),
    "wmo.b1.what.q": ("Wat doet het model?", "What does the model do?"),
    "wmo.b1.what": (
        "Het model schat hoeveel inwoners van elke wijk in de jaren {first} tot en met {last} hulp krijgen via de "
        "Wmo, zoals huishoudelijke hulp, een rolstoel of begeleiding. "
        "Het gaat om aantallen per wijk, nooit om personen.",
        "The model estimates how many residents of each wijk will receive support under the Wmo in {first} to {last}, "
        "such as household help, a wheelchair or guidance. It is about numbers per wijk, never about persons.",
    ),
    "wmo.b1.how.q": ("Hoe werkt het?", "How does it work?"),
    "wmo.b1.how": (
        "Eerst berekenen we hoeveel mensen er in elke wijk zullen wonen, per leeftijdsgroep. Dat doen we met de groei "
        "die we zagen van 2019 naar 2021: mensen worden ouder en er komen mensen bij of gaan er weg. Daarna kijken we "
        "hoe vaak mensen in een wijk Wmo-hulp hadden in 2019. Dat hangt samen met de opbouw van de wijk: in wijken met "
        "meer ouderen en meer mensen in de bijstand is het gebruik hoger, in wijken met een hoger inkomen en meer "
        "kinderen lager. We beginnen bij het echte aantal van elke wijk in 2019. Met die verbanden berekenen we hoe "
        "dat aantal verandert als de bevolking van de wijk verandert.",
        "First we calculate how many people will live in each wijk, per age group, from the growth seen from 2019 to "
        "2021: people grow older, and people arrive or leave. Then we look at how often people in a wijk had Wmo "
        "support in 2019. That goes with the make-up of the wijk: more elderly people and more people on social "
        "assistance mean more use; a higher income and more children mean less. We start from each wijk's real "
        "number in 2019, and use those relations to calculate how that number changes as the wijk's population "
        "changes.",
    ),
    "wmo.b1.sure.q": ("Hoe zeker is het?", "How certain is it?"),
    "wmo.b1.sure": (
        "Niet heel zeker, en dat laten we zien. Bij elke schatting staat een ondergrens en een bovengrens. De echte "
        "uitkomst ligt naar verwachting in 9 van de 10 gevallen daartussen. Voor de hele stad loopt die marge in "
        "{last} van {lower} tot {upper} cliënten.",
        "Not very, and we show it. Every estimate has a lower and an upper bound; the real outcome is expected to lie "
        "between them in 9 out of 10 cases. For the whole city the range in {last} runs from {lower} to {upper} "
        "clients.",
    ),
    "wmo.b1.good.q": ("Hoe goed is het?", "How good is it?"),
    "wmo.b1.good": (
        "De gemeten cijfers, zoals ze in het algoritmeregister staan",
        "The measured figures, as the algorithm register lists them (in Dutch)",
    ),
    "wmo.map.none": (
        "Er is geen kaart: de grenzen van de wijken zijn nog niet geladen (de dataset met wijkgrenzen ontbreekt).",
        "There is no map: the wijk boundaries have not been loaded (the dataset with wijk boundaries is missing).",
    ),
    "wmo.register": ("Het model in het algoritmeregister", "The model in the algorithm register"),
    "wmo.no_card": (
        "Het model staat nog niet in het algoritmeregister, dus de gemeten cijfers ontbreken nog. Dit commando "
        "test het model en zet het in het register:",
        "The model is not in the algorithm register yet, so the measured figures are missing. This command tests "
        "the model and registers it:",
    ),
    "wmo.limits": ("Waarvoor wel en niet?", "What is it for, and what not?"),
    "wmo.limits.persons": (
        "Het model werkt op wijkniveau, niet voor besluiten over personen.",
        "The model works at wijk level, not for decisions about persons.",
    ),
    "wmo.limits.small": (
        "Wijken zonder inwoners hebben geen prognose. Kleine wijken (minder dan 1.000 inwoners) en wijken "
        "waarvan het CBS het aantal geheim houdt, tellen niet mee bij het schatten: hun prognose is onzeker. "
        "Houdt het CBS een cijfer over inkomen of bijstand van een wijk geheim, dan gebruikt de prognose "
        "daarvoor de mediaan van de andere wijken.",
        "Wijken without inhabitants have no forecast. Small wijken (fewer than 1,000 inhabitants) and wijken "
        "whose count CBS keeps secret are not used to fit the model: their forecast is uncertain. Where CBS keeps "
        "a wijk's income or social-assistance figure secret, the forecast uses the median of the other wijken.",
    ),
    "wmo.limits.assumptions": (
        "Het model neemt aan dat de verbanden van 2019 blijven gelden, en dat inkomen en uitkeringen gelijk blijven.",
        "The model assumes the relations of 2019 still hold, and that income and benefits stay the same.",
    ),
    "wmo.limits.policy": (
        "Als de gemeente de hulp anders gaat regelen, kan het model dat niet voorzien. Beleidsmedewerkers kijken "
        "altijd zelf naar de uitkomst.",
        "When the municipality changes how support is provided, the model cannot foresee it. Policy staff always "
        "review the outcome themselves.",
    ),
    "dataset.algorithms": ("Algoritmes die deze dataset gebruiken", "Algorithms that use this dataset"),
    "dataset.algorithms.none": (
        "Geen algoritme in het register gebruikt deze dataset.",
        "No algorithm in the register uses this dataset.",
    ),
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
