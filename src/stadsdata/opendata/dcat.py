"""DCAT-AP-NL 3.0: the public catalogue as an RDF graph, built from the dataset contracts.

Pure: ``catalog_graph(datasets, base_url)`` takes the datasets the public may see (a contract,
its versions and their quality reports each) and returns an rdflib ``Graph`` with one
``dcat:Catalog``, a ``dcat:Dataset`` per openbaar dataset, a ``dcat:Distribution`` per download
format of the rows API and one ``dcat:DataService`` for that API; a dataset whose current version
has a quality report also gets its score as a W3C DQV ``dqv:QualityMeasurement`` of the
catalogue's one ``dqv:Metric``. ``serialize`` turns it into Turtle or JSON-LD; the web layer
serves the bytes. Where a contract field is free text and DCAT-AP-NL asks for a URI from a code
list (themes, licence, frequency, places), the explicit tables below map it; docs/dcat.md lists
them. Every concept the graph references is typed and labelled, so the shapes can check the
class ranges offline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from stadsdata.core.contract import Classification, Contract, UpdateFrequency
from stadsdata.metastore.records import VersionRecord

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
DCT = DCTERMS  # a DefinedNamespace: DCT.title and DCT.format are terms, not str methods
DQV = Namespace("http://www.w3.org/ns/dqv#")  # W3C Data Quality Vocabulary (not in rdflib.namespace)
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME = EU + "data-theme"
OWMS = "http://standaarden.overheid.nl/owms/terms/"
IANA = "https://www.iana.org/assignments/media-types/"
TOOI_GEMEENTE = "https://identifier.overheid.nl/tooi/id/gemeente/"
PUBLIC = URIRef(EU + "access-right/PUBLIC")
LICENCE_UNKNOWN = URIRef(OWMS + "licentieonbekend")
LANGUAGES = {"nl": URIRef(EU + "language/NLD"), "en": URIRef(EU + "language/ENG")}
LANGUAGE_LABELS = {"nl": ("Nederlands", "Dutch"), "en": ("Engels", "English")}


@dataclass(frozen=True)
class Organisation:
    """The publisher of the catalogue: a government organisation with its TOOI identifier."""

    uri: str
    name: dict[str, str]
    homepage: str


#: The municipality that publishes this catalogue. The demo datasets and their contracts are
#: Gemeente Den Haag's (contact data@denhaag.nl, spatial coverage GM0518); DCAT-AP-NL asks for a
#: publisher URI from the TOOI organisation lists (KOOP), where gemeente GM0518 is the URI below.
PUBLISHER = Organisation(
    uri=TOOI_GEMEENTE + "gm0518",
    name={"nl": "Gemeente Den Haag", "en": "Municipality of The Hague"},
    homepage="https://www.denhaag.nl/",
)


@dataclass(frozen=True)
class DownloadFormat:
    """One ``?format=`` of ``GET /api/v1/datasets/{id}/rows``: a distribution of every dataset."""

    key: str
    media_type: str  # IANA media type
    file_type: str  # code in the EU file-type table
    title: dict[str, str]
    spatial_only: bool = False
    conforms_to: str | None = None  # an established specification of the format's contents
    paged: bool = False  # the API answers in pages (with `next` links): an access URL, not a download


DOWNLOAD_FORMATS: tuple[DownloadFormat, ...] = (
    DownloadFormat("json", "application/json", "JSON", {"nl": "JSON (pagina's)", "en": "JSON (pages)"}, paged=True),
    DownloadFormat("csv", "text/csv", "CSV", {"nl": "CSV (komma's, UTF-8)", "en": "CSV (commas, UTF-8)"}),
    DownloadFormat(
        "csv-excel",
        "text/csv",
        "CSV",
        {"nl": "CSV voor Excel (puntkomma's, UTF-8 met BOM)", "en": "CSV for Excel (semicolons, UTF-8 with BOM)"},
    ),
    DownloadFormat(
        "geojson",
        "application/geo+json",
        "GEOJSON",
        {"nl": "GeoJSON", "en": "GeoJSON"},
        spatial_only=True,
        conforms_to="https://www.rfc-editor.org/rfc/rfc7946",
    ),
    DownloadFormat("parquet", "application/vnd.apache.parquet", "PARQUET", {"nl": "Parquet", "en": "Parquet"}),
)

#: EU data themes (``dcat:theme``, mandatory in DCAT-AP-NL 3.0): code -> (nl, en) preferred labels.
EU_THEMES: dict[str, tuple[str, str]] = {
    "AGRI": ("Landbouw, visserij, bosbouw en voeding", "Agriculture, fisheries, forestry and food"),
    "ECON": ("Economie en financiën", "Economy and finance"),
    "EDUC": ("Onderwijs, cultuur en sport", "Education, culture and sport"),
    "ENER": ("Energie", "Energy"),
    "ENVI": ("Milieu", "Environment"),
    "GOVE": ("Overheid en publieke sector", "Government and public sector"),
    "HEAL": ("Gezondheid", "Health"),
    "INTR": ("Internationale vraagstukken", "International issues"),
    "JUST": ("Justitie, rechtsstelsel en openbare veiligheid", "Justice, legal system and public safety"),
    "REGI": ("Regio's en steden", "Regions and cities"),
    "SOCI": ("Bevolking en samenleving", "Population and society"),
    "TECH": ("Wetenschap en technologie", "Science and technology"),
    "TRAN": ("Vervoer", "Transport"),
}


@dataclass(frozen=True)
class ThemeMapping:
    """A contract theme slug: EU data themes, and a term of the Overheid.nl taxonomy (TBA) if one fits."""

    eu: tuple[str, ...]
    owms: str | None = None  # term under http://standaarden.overheid.nl/owms/terms/
    owms_label: str | None = None


#: Contract theme slug -> code lists. A slug missing here is reported by ``unmapped_themes``;
#: a dataset none of whose themes is mapped gets GOVE (all municipal data is public-sector data).
THEMES: dict[str, ThemeMapping] = {
    "bestuur": ThemeMapping(("GOVE",), "Bestuur", "Bestuur"),
    "bevolking": ThemeMapping(("SOCI",)),  # the TBA has no population theme
    "cultuur": ThemeMapping(("EDUC",), "Cultuur_en_recreatie", "Cultuur en recreatie"),
    "digitalisering": ThemeMapping(("GOVE", "TECH"), "ICT", "ICT"),
    "economie": ThemeMapping(("ECON",), "Economie", "Economie"),
    "energie": ThemeMapping(("ENER",), "Energie", "Energie"),
    "financien": ThemeMapping(("ECON",), "Financien", "Financiën"),
    "geografie": ThemeMapping(("REGI",), "Ruimte_en_infrastructuur", "Ruimte en infrastructuur"),
    "inkomen": ThemeMapping(("ECON", "SOCI"), "Inkomensbeleid", "Inkomensbeleid"),
    "milieu": ThemeMapping(("ENVI",), "Natuur_en_milieu", "Natuur en milieu"),
    "mobiliteit": ThemeMapping(("TRAN",), "Verkeer_(thema)", "Verkeer"),
    # public space: streets, green, litter (Signalen reports); the TBA files it under space and infrastructure
    "openbare-ruimte": ThemeMapping(("REGI",), "Ruimte_en_infrastructuur", "Ruimte en infrastructuur"),
    "onderwijs": ThemeMapping(("EDUC",), "Onderwijs_en_wetenschap", "Onderwijs en wetenschap"),
    "sport": ThemeMapping(("EDUC",), "Sport_(thema)", "Sport"),
    "veiligheid": ThemeMapping(("JUST",), "Openbare_orde_en_veiligheid", "Openbare orde en veiligheid"),
    "voorzieningen": ThemeMapping(("REGI",), "Ruimte_en_infrastructuur", "Ruimte en infrastructuur"),
    "werk": ThemeMapping(("ECON", "SOCI"), "Werk_(thema)", "Werk"),
    "wonen": ThemeMapping(("SOCI", "REGI"), "Huisvesting_(thema)", "Huisvesting"),
    "zorg-en-welzijn": ThemeMapping(("HEAL", "SOCI"), "Zorg_en_gezondheid", "Zorg en gezondheid"),
}
FALLBACK_THEME = "GOVE"

#: Contract licence (SPDX id, case-insensitive) -> EU licence table code.
LICENCES: dict[str, str] = {
    "cc-by-4.0": "CC_BY_4_0",
    "cc-by-sa-4.0": "CC_BYSA_4_0",
    "cc0-1.0": "CC0",
    "odbl-1.0": "ODBL",
}

#: Contract update_frequency -> EU frequency table: (code, nl label, en label).
FREQUENCIES: dict[UpdateFrequency, tuple[str, str, str]] = {
    UpdateFrequency.continuous: ("CONT", "voortdurend", "continuous"),
    UpdateFrequency.daily: ("DAILY", "dagelijks", "daily"),
    UpdateFrequency.weekly: ("WEEKLY", "wekelijks", "weekly"),
    UpdateFrequency.monthly: ("MONTHLY", "maandelijks", "monthly"),
    UpdateFrequency.quarterly: ("QUARTERLY", "driemaandelijks", "quarterly"),
    UpdateFrequency.annual: ("ANNUAL", "jaarlijks", "annual"),
    UpdateFrequency.irregular: ("IRREG", "onregelmatig", "irregular"),
    UpdateFrequency.never: ("NEVER", "nooit", "never"),
}

#: The quality score (docs/quality.md) as a DQV metric, one resource per catalogue.
QUALITY_METRIC = {
    "label": {"nl": "Kwaliteitsscore", "en": "Quality score"},
    "definition": {
        "nl": "Score van 0 tot 100 voor een versie van een dataset: 100 maal het gewogen gemiddelde, "
        "over de kwaliteitsregels in het contract van de dataset, van het aandeel rijen dat aan de regel "
        "voldoet. Een blokkerende regel weegt 2, een waarschuwing 1; bij een volledigheidsregel telt "
        "alleen het aandeel lege waarden boven de toegestane grens als fout. Een regel die niet kon "
        "worden gecontroleerd telt niet mee; zonder regels is de score 100. Berekend bij het laden "
        "van de versie.",
        "en": "Score from 0 to 100 for a version of a dataset: 100 times the weighted mean, over the quality "
        "rules in the dataset's contract, of the share of rows that pass the rule. A blocking rule weighs "
        "2, a warning 1; for a completeness rule only the share of empty values beyond its allowed bound "
        "counts as failing. A rule that could not be checked does not count; without rules the score is "
        "100. Computed when the version is loaded.",
    },
}
#: The metric's dimension: the contract's rules are what the data must conform to. ISO/IEC 25012
#: names this characteristic "compliance" but has no RDF URIs, and each W3C ldqd dimension covers
#: only part of the rules (completeness, accuracy, consistency), so the catalogue defines it.
QUALITY_DIMENSION = {
    "label": {"nl": "Naleving van het datacontract", "en": "Compliance with the data contract"},
    "definition": {
        "nl": "De mate waarin de gegevens voldoen aan de regels in het contract van de dataset: "
        "volledigheid, bereik, patroon, toegestane waarden, uniciteit, optellingen, verwijzingen naar "
        "andere datasets, tijdigheid en verandering tussen versies (naar het kenmerk 'compliance' van "
        "ISO/IEC 25012).",
        "en": "The degree to which the data adheres to the rules in the dataset's contract: completeness, "
        "range, pattern, allowed values, uniqueness, sums, references to other datasets, timeliness and "
        "change between versions (after the 'compliance' characteristic of ISO/IEC 25012).",
    },
}

_GEMEENTE_CODE = re.compile(r"\bGM(\d{4})\b")
_NETHERLANDS = re.compile(r"^\s*Nederland\b")


class PublishedDataset(Protocol):
    """What the catalogue needs of a dataset (``catalog.DatasetView`` has it)."""

    @property
    def contract(self) -> Contract: ...

    @property
    def versions(self) -> Sequence[VersionRecord]: ...

    def quality_of(self, version: VersionRecord | None) -> Mapping[str, Any] | None:
        """The quality report of ``version`` (``score`` 0..100 and ``rules``), None without one."""
        ...


def unmapped_themes(contract: Contract) -> list[str]:
    """The contract's theme slugs that ``THEMES`` does not know (shown only via the fallback)."""
    return [slug for slug in contract.themes if slug not in THEMES]


def formats_for(contract: Contract) -> list[DownloadFormat]:
    """The download formats of a dataset: GeoJSON only when it has a geometry column."""
    return [f for f in DOWNLOAD_FORMATS if not f.spatial_only or contract.geometry_column]


def rows_url(base_url: str, dataset_id: str, fmt: DownloadFormat) -> str:
    return f"{base_url.rstrip('/')}/api/v1/datasets/{dataset_id}/rows?format={fmt.key}"


def _timestamp(value: dt.datetime) -> Literal:
    """An xsd:dateTime in UTC, to the second (the metastore may hand out naive UTC times)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return Literal(value.astimezone(dt.UTC).replace(microsecond=0), datatype=XSD.dateTime)


class _Builder:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.g = Graph(bind_namespaces="none")
        for prefix, ns in (
            ("rdf", RDF),
            ("rdfs", RDFS),
            ("xsd", XSD),
            ("adms", ADMS),
            ("dcat", DCAT),
            ("dcatap", DCATAP),
            ("dct", DCT),
            ("dqv", DQV),
            ("foaf", FOAF),
            ("locn", LOCN),
            ("prov", PROV),
            ("skos", SKOS),
            ("vcard", VCARD),
        ):
            self.g.bind(prefix, ns, override=True)
        self.catalog = URIRef(f"{self.base}/catalog")
        self.service = URIRef(f"{self.base}/catalog#service/api-v1")
        self.publisher = URIRef(PUBLISHER.uri)
        self.metric = URIRef(f"{self.base}/catalog#metric/quality-score")
        self.dimension = URIRef(f"{self.base}/catalog#dimension/contract-compliance")
        self.measured = False  # whether any dataset has a measurement (then the metric is described)

    # -- small helpers --------------------------------------------------------------------
    def add(self, subject: Node, predicate: URIRef, obj: Node) -> None:
        self.g.add((subject, predicate, obj))

    def texts(self, subject: Node, predicate: URIRef, values: Mapping[str, str | None]) -> None:
        for lang, text in values.items():
            if text and text.strip():
                self.add(subject, predicate, Literal(text.strip(), lang=lang))

    def typed(self, uri: str | URIRef, *classes: URIRef) -> URIRef:
        node = URIRef(uri)
        for cls in classes:
            self.add(node, RDF.type, cls)
        return node

    def concept(self, uri: str, labels: Mapping[str, str], scheme: str | None = None) -> URIRef:
        node = self.typed(uri, SKOS.Concept)
        self.texts(node, SKOS.prefLabel, labels)
        if scheme:
            self.add(node, SKOS.inScheme, URIRef(scheme))
        return node

    def language(self, lang: str) -> URIRef:
        node = self.typed(LANGUAGES[lang], DCT.LinguisticSystem)
        nl, en = LANGUAGE_LABELS[lang]
        self.texts(node, RDFS.label, {"nl": nl, "en": en})
        return node

    def document(self, url: str) -> URIRef:
        return self.typed(url, FOAF.Document)

    # -- agents and contact points --------------------------------------------------------
    def add_publisher(self) -> None:
        node = self.typed(self.publisher, FOAF.Agent, FOAF.Organization)
        self.texts(node, FOAF.name, PUBLISHER.name)
        kind = self.concept("http://purl.org/adms/publishertype/LocalAuthority", {"en": "Local Authority"})
        self.add(node, DCT.type, kind)
        self.add(node, FOAF.homepage, self.document(PUBLISHER.homepage))

    def contact(self, key: str, name: str, email: str | None) -> BNode:
        node = BNode(f"contact-{key}")
        self.add(node, RDF.type, VCARD.Kind)
        self.add(node, RDF.type, VCARD.Organization)
        self.add(node, VCARD.fn, Literal(name, lang="nl"))
        if email:
            self.add(node, VCARD.hasEmail, URIRef(f"mailto:{email}"))
        else:
            self.add(node, VCARD.hasURL, URIRef(PUBLISHER.homepage))
        return node

    def creator(self, contract: Contract) -> Node:
        if contract.source is None:  # the municipality made the data itself
            return self.publisher
        node = BNode(f"creator-{contract.id}")
        self.add(node, RDF.type, FOAF.Agent)
        self.add(node, RDF.type, FOAF.Organization)
        self.add(node, FOAF.name, Literal(contract.source.publisher, lang="nl"))
        return node

    # -- code-list mappings ---------------------------------------------------------------
    def themes(self, contract: Contract) -> list[URIRef]:
        """EU data themes first (mandatory; GOVE when no slug is mapped), then Overheid.nl terms."""
        eu: dict[str, None] = {}
        owms: list[URIRef] = []
        for mapping in (THEMES[slug] for slug in contract.themes if slug in THEMES):
            eu.update(dict.fromkeys(mapping.eu))
            if mapping.owms and mapping.owms_label:
                owms.append(self.concept(OWMS + mapping.owms, {"nl": mapping.owms_label}))
        nodes = []
        for code in eu or [FALLBACK_THEME]:
            nl, en = EU_THEMES[code]
            nodes.append(self.concept(f"{DATA_THEME}/{code}", {"nl": nl, "en": en}, DATA_THEME))
        return nodes + list(dict.fromkeys(owms))

    def licence(self, contract: Contract) -> tuple[URIRef, BNode | None]:
        """The licence URI, and a rights statement carrying the contract's text when it has none."""
        code = LICENCES.get(contract.licence.strip().lower())
        if code:
            node = self.typed(EU + "licence/" + code, DCT.LicenseDocument)
            self.add(node, RDFS.label, Literal(contract.licence.strip()))
            return node, None
        if contract.licence.startswith(("http://", "https://")):
            return self.typed(contract.licence, DCT.LicenseDocument), None
        unknown = self.typed(LICENCE_UNKNOWN, DCT.LicenseDocument)
        self.texts(unknown, RDFS.label, {"nl": "Licentie onbekend", "en": "Licence unknown"})
        rights = BNode(f"rights-{contract.id}")
        self.add(rights, RDF.type, DCT.RightsStatement)
        self.add(rights, RDFS.label, Literal(contract.licence, lang="nl"))
        return unknown, rights

    def frequency(self, contract: Contract) -> URIRef:
        code, nl, en = FREQUENCIES[contract.update_frequency]
        node = self.typed(f"{EU}frequency/{code}", DCT.Frequency)
        self.texts(node, SKOS.prefLabel, {"nl": nl, "en": en})
        return node

    def spatial(self, contract: Contract) -> list[Node]:
        text = contract.spatial_coverage
        places: list[Node] = []
        for code in dict.fromkeys(_GEMEENTE_CODE.findall(text)):
            places.append(self.typed(f"{TOOI_GEMEENTE}gm{code}", DCT.Location))
        if _NETHERLANDS.match(text):
            country = self.typed(EU + "country/NLD", DCT.Location)
            self.texts(country, SKOS.prefLabel, {"nl": "Nederland", "en": "Netherlands"})
            places.append(country)
        described = BNode(f"spatial-{contract.id}")
        self.add(described, RDF.type, DCT.Location)
        self.add(described, LOCN.geographicName, Literal(text, lang="nl"))
        places.append(described)
        return places

    def temporal(self, contract: Contract) -> BNode | None:
        period = contract.temporal_coverage
        if period.start is None and period.end is None:
            return None
        node = BNode(f"temporal-{contract.id}")
        self.add(node, RDF.type, DCT.PeriodOfTime)
        if period.start:
            self.add(node, DCAT.startDate, Literal(period.start, datatype=XSD.date))
        if period.end:
            self.add(node, DCAT.endDate, Literal(period.end, datatype=XSD.date))
        return node

    # -- the resources --------------------------------------------------------------------
    def dataset(self, item: PublishedDataset) -> tuple[URIRef, list[URIRef], dt.datetime | None]:
        c = item.contract
        versions = list(item.versions)
        node = self.typed(f"{self.base}/catalog#dataset/{c.id}", DCAT.Dataset)
        landing = f"{self.base}/datasets/{c.id}"
        self.add(node, DCT.identifier, Literal(str(node)))
        other = BNode(f"identifier-{c.id}")
        self.add(other, RDF.type, ADMS.Identifier)
        self.add(other, SKOS.notation, Literal(c.id))
        self.add(node, ADMS.identifier, other)
        self.texts(node, DCT.title, {"nl": c.title.nl, "en": c.title.en})
        self.texts(node, DCT.description, {"nl": c.description.nl, "en": c.description.en})
        self.add(node, DCT.publisher, self.publisher)
        self.add(node, DCT.creator, self.creator(c))
        self.add(
            node, DCAT.contactPoint, self.contact(c.id, f"{PUBLISHER.name['nl']}, {c.owner_dienst}", c.contact_email)
        )
        self.add(node, DCT.accessRights, self.typed(PUBLIC, DCT.RightsStatement))
        themes = self.themes(c)
        for theme in themes:
            self.add(node, DCAT.theme, theme)
        for keyword in dict.fromkeys(c.keywords):
            self.add(node, DCAT.keyword, Literal(keyword, lang="nl"))
        self.add(node, DCT.language, self.language("nl"))
        self.add(node, DCAT.landingPage, self.document(landing))
        self.add(node, DCT.accrualPeriodicity, self.frequency(c))
        for place in self.spatial(c):
            self.add(node, DCT.spatial, place)
        period = self.temporal(c)
        if period is not None:
            self.add(node, DCT.temporal, period)
        if c.source is not None:
            if c.source.url:
                self.add(node, FOAF.page, self.document(c.source.url))
            provenance = BNode(f"provenance-{c.id}")
            self.add(provenance, RDF.type, DCT.ProvenanceStatement)
            note = c.source.attribution
            if c.source.retrieved_from:
                note += f" Opgehaald van {c.source.retrieved_from}"
            self.add(provenance, RDFS.label, Literal(note, lang="nl"))
            self.add(node, DCT.provenance, provenance)
        issued = modified = None
        if versions:
            issued, modified = versions[0].created_at, versions[-1].created_at
            self.add(node, DCT.issued, _timestamp(issued))
            self.add(node, DCT.modified, _timestamp(modified))
            self.add(node, DCAT.version, Literal(str(versions[-1].number)))
            report = item.quality_of(versions[-1])
            if report and report.get("score") is not None:
                self.add(node, DQV.hasQualityMeasurement, self.measurement(node, c.id, versions[-1], report["score"]))
        licence, rights = self.licence(c)
        formats = formats_for(c)
        for fmt in formats:
            self.add(node, DCAT.distribution, self.distribution(c, fmt, licence, rights, issued, modified))
        return node, [t for t in themes if str(t).startswith(DATA_THEME)], modified

    def measurement(self, dataset: URIRef, dataset_id: str, version: VersionRecord, score: float) -> URIRef:
        """The current version's quality score as a ``dqv:QualityMeasurement`` of the catalogue's metric."""
        node = self.typed(
            f"{self.base}/catalog#dataset/{dataset_id}/version/{version.number}/quality", DQV.QualityMeasurement
        )
        self.add(node, DQV.isMeasurementOf, self.metric)
        self.add(node, DQV.computedOn, dataset)
        self.add(node, DQV.value, Literal(Decimal(str(score)), datatype=XSD.decimal))
        self.add(node, PROV.generatedAtTime, _timestamp(version.created_at))
        self.measured = True
        return node

    def quality_metric(self) -> None:
        """The metric and its dimension, described once, when a dataset has a measurement."""
        metric = self.typed(self.metric, DQV.Metric)
        self.texts(metric, SKOS.prefLabel, QUALITY_METRIC["label"])
        self.texts(metric, SKOS.definition, QUALITY_METRIC["definition"])
        self.add(metric, DQV.expectedDataType, XSD.decimal)
        self.add(metric, DQV.inDimension, self.dimension)
        dimension = self.typed(self.dimension, DQV.Dimension, SKOS.Concept)
        self.texts(dimension, SKOS.prefLabel, QUALITY_DIMENSION["label"])
        self.texts(dimension, SKOS.definition, QUALITY_DIMENSION["definition"])

    def distribution(
        self,
        c: Contract,
        fmt: DownloadFormat,
        licence: URIRef,
        rights: BNode | None,
        issued: dt.datetime | None,
        modified: dt.datetime | None,
    ) -> URIRef:
        node = self.typed(f"{self.base}/catalog#dataset/{c.id}/distribution/{fmt.key}", DCAT.Distribution)
        titles = {"nl": c.title.nl, "en": c.title.en}  # no English title: no English texts
        self.texts(node, DCT.title, {lang: t and f"{t.strip()} – {fmt.title[lang]}" for lang, t in titles.items()})
        descriptions = {
            "nl": f"De huidige versie als {fmt.title['nl']}, via de open-data-API.",
            "en": f"The current version as {fmt.title['en']}, from the open-data API.",
        }
        self.texts(node, DCT.description, {lang: d for lang, d in descriptions.items() if titles[lang]})
        url = URIRef(rows_url(self.base, c.id, fmt))
        self.add(node, DCAT.accessURL, url)
        if not fmt.paged:
            self.add(node, DCAT.downloadURL, url)
        self.add(node, DCAT.accessService, self.service)
        self.add(node, DCAT.mediaType, self.typed(IANA + fmt.media_type, DCT.MediaType))
        self.add(node, DCT.format, self.file_type(fmt))
        if fmt.conforms_to:
            standard = self.typed(fmt.conforms_to, DCT.Standard)
            self.add(standard, DCT.title, Literal(f"{fmt.title['en']} specification"))
            self.add(node, DCT.conformsTo, standard)
        self.add(node, DCT.license, licence)
        if rights is not None:
            self.add(node, DCT.rights, rights)
        self.add(node, DCT.language, self.language("nl"))
        if issued is not None and modified is not None:
            self.add(node, DCT.issued, _timestamp(issued))
            self.add(node, DCT.modified, _timestamp(modified))
        return node

    def file_type(self, fmt: DownloadFormat) -> URIRef:
        node = self.typed(f"{EU}file-type/{fmt.file_type}", DCT.MediaTypeOrExtent)
        self.add(node, RDFS.label, Literal(fmt.file_type))
        return node

    def data_service(self, datasets: list[URIRef], themes: list[URIRef]) -> None:
        node = self.typed(self.service, DCAT.DataService)
        api = f"{self.base}/api/v1/"
        self.add(node, DCT.identifier, Literal(api))
        self.texts(node, DCT.title, {"nl": "Stadsdata open-data-API", "en": "Stadsdata open-data API"})
        self.texts(
            node,
            DCT.description,
            {
                "nl": "Metadata en rijen van alle openbare datasets: filteren, sorteren, bladeren, eerdere "
                "versies, en downloads in JSON, CSV, GeoJSON en Parquet. Fouten als RFC 9457 problem details.",
                "en": "Metadata and rows of every public dataset: filter, sort, page, earlier versions, and "
                "downloads in JSON, CSV, GeoJSON and Parquet. Errors are RFC 9457 problem details.",
            },
        )
        self.add(node, DCAT.endpointURL, URIRef(api))
        self.add(node, DCAT.endpointDescription, URIRef(f"{api}openapi.json"))
        docs = self.document(f"{api}docs")
        self.add(node, DCAT.landingPage, docs)
        self.add(node, FOAF.page, docs)
        self.add(node, DCT.accessRights, self.typed(PUBLIC, DCT.RightsStatement))
        terms = BNode("api-licence")
        self.add(terms, RDF.type, DCT.LicenseDocument)
        self.texts(
            terms,
            RDFS.label,
            {
                "nl": "Gebruik van de API is vrij; voor de gegevens geldt de licentie van elke dataset.",
                "en": "Use of the API is free; the data is under the licence of each dataset.",
            },
        )
        self.add(node, DCT.license, terms)
        self.add(node, DCAT.contactPoint, self.contact("catalogue", PUBLISHER.name["nl"], None))
        self.add(node, DCT.publisher, self.publisher)
        self.add(node, DCT.creator, self.publisher)
        for theme in dict.fromkeys(themes or [URIRef(f"{DATA_THEME}/{FALLBACK_THEME}")]):
            self.add(node, DCAT.theme, theme)
        for keyword, lang in (("open data", "nl"), ("API", "nl"), ("open data", "en"), ("API", "en")):
            self.add(node, DCAT.keyword, Literal(keyword, lang=lang))
        for lang in ("nl", "en"):
            self.add(node, DCT.language, self.language(lang))
        for fmt in DOWNLOAD_FORMATS:
            self.add(node, DCT.format, self.file_type(fmt))
        for dataset in datasets:
            self.add(node, DCAT.servesDataset, dataset)

    def catalogue(self, datasets: list[URIRef], modified: list[dt.datetime]) -> None:
        node = self.typed(self.catalog, DCAT.Catalog)
        name = PUBLISHER.name
        self.texts(node, DCT.title, {"nl": f"Open data van {name['nl']}", "en": f"Open data of the {name['en']}"})
        self.texts(
            node,
            DCT.description,
            {
                "nl": f"De openbare datasets van {name['nl']} op het Stadsdata-platform: beschrijving, "
                "downloads per formaat en de open-data-API, volgens DCAT-AP-NL 3.0.",
                "en": f"The public datasets of the {name['en']} on the Stadsdata platform: descriptions, "
                "downloads per format and the open-data API, following DCAT-AP-NL 3.0.",
            },
        )
        self.add(node, DCT.publisher, self.publisher)
        self.add(node, DCT.creator, self.publisher)
        self.add(node, DCAT.contactPoint, self.contact("catalogue", name["nl"], None))
        self.add(node, FOAF.homepage, self.document(f"{self.base}/"))
        for lang in ("nl", "en"):
            self.add(node, DCT.language, self.language(lang))
        scheme = self.typed(DATA_THEME, SKOS.ConceptScheme)
        self.texts(scheme, DCT.title, {"en": "Data theme"})
        self.add(node, DCAT.themeTaxonomy, scheme)
        if modified:
            self.add(node, DCT.modified, _timestamp(max(modified)))
        for dataset in datasets:
            self.add(node, DCAT.dataset, dataset)
        self.add(node, DCAT.service, self.service)


def catalog_graph(datasets: Iterable[PublishedDataset], base_url: str) -> Graph:
    """The DCAT-AP-NL 3.0 catalogue of ``datasets``; anything not openbaar is left out."""
    builder = _Builder(base_url)
    builder.add_publisher()
    nodes: list[URIRef] = []
    themes: list[URIRef] = []
    modified: list[dt.datetime] = []
    for item in datasets:
        if item.contract.classification != Classification.openbaar:
            continue  # never published, whatever the caller passes
        node, dataset_themes, changed = builder.dataset(item)
        nodes.append(node)
        themes.extend(dataset_themes)
        if changed is not None:
            modified.append(changed)
    builder.data_service(nodes, themes)
    builder.catalogue(nodes, modified)
    if builder.measured:
        builder.quality_metric()
    return builder.g


Serialization = TypingLiteral["turtle", "json-ld"]
MEDIA_TYPES: dict[str, str] = {"turtle": "text/turtle", "json-ld": "application/ld+json"}


def serialize(graph: Graph, fmt: Serialization) -> bytes:
    """Turtle, or JSON-LD with the bound prefixes as its inline context (no remote context)."""
    if fmt == "json-ld":
        context = {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix}
        return graph.serialize(format="json-ld", context=context, indent=2, encoding="utf-8")
    return graph.serialize(format="turtle", encoding="utf-8")
