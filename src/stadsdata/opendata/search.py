"""Finding datasets: full-text search with facets and sort, over what the public may see.

Used by the portal's search page and by ``GET /api/v1/datasets``. Every word of the query must
occur somewhere in the dataset's texts (id, titles, descriptions, themes, keywords, dienst,
column names and descriptions); relevance weighs where it occurs (title before keywords and
themes before columns). Facets count the datasets that match the query and the *other* facets'
selections, so a user sees how many results each value would give.

The ``quality`` facet buckets the current version's quality score (docs/quality.md): ``hoog``
(95 or more), ``midden`` (80 to 95), ``laag`` (under 80) and ``onbekend`` (no version yet, or a
version without a report). The scores come from the metastore in one query, never from the data.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from stadsdata.catalog import Catalog
from stadsdata.errors import StadsdataError
from stadsdata.metastore.records import DatasetRecord

FACETS = ("theme", "dienst", "classification", "format", "licence", "quality")
SORTS = ("relevance", "title", "updated", "quality")
#: Values of the quality facet, best first (the order they are listed in).
QualityBucket = Literal["hoog", "midden", "laag", "onbekend"]
QUALITY_BUCKETS: tuple[str, ...] = get_args(QualityBucket)
QUALITY_HIGH = 95.0  # a score of at least this is "hoog"
QUALITY_MEDIUM = 80.0  # at least this (and below QUALITY_HIGH) is "midden"; below it "laag"
MAX_LIMIT = 200


class SearchError(StadsdataError):
    """A search request that cannot be answered (unknown facet or sort)."""

    http_status = 400


@dataclass(frozen=True)
class DatasetCard:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    themes: list[str]
    keywords: list[str]
    owner_dienst: str
    classification: str
    licence: str
    formats: list[str]
    rows: int | None
    version: int | None
    updated_at: dt.datetime | None
    quality_score: float | None = None  # the current version's quality score, 0..100
    score: float = 0.0  # relevance to the query

    def text(self, field: str, lang: str) -> str:
        values: dict[str, str] = getattr(self, field)
        return values.get(lang) or values.get("nl") or next(iter(values.values()), "")


@dataclass(frozen=True)
class SearchResult:
    cards: list[DatasetCard]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    query: str
    filters: dict[str, list[str]]
    sort: str


def distribution_formats(contract: dict[str, Any]) -> list[str]:
    """The download formats the API offers for a dataset (GeoJSON only with a geometry column)."""
    formats = ["CSV", "JSON", "Parquet"]
    if any(c.get("type") == "geometry" for c in contract.get("columns", [])):
        formats.insert(1, "GeoJSON")
    return formats


def _fold(text: str) -> str:
    """Lower case without accents, so 'Fryslan' finds 'Fryslân' and 'WMO' finds 'Wmo'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(query: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", _fold(query)) if w]


def _fields(contract: dict[str, Any]) -> list[tuple[float, str]]:
    """(weight, folded text) of everything a query may match."""
    out: list[tuple[float, str]] = [(5.0, contract["id"])]
    out += [(5.0, v) for v in contract.get("title", {}).values() if v]
    out += [(2.0, k) for k in contract.get("keywords", [])]
    out += [(2.0, t) for t in contract.get("themes", [])]
    out += [(1.5, contract.get("owner_dienst", ""))]
    out += [(1.0, v) for v in contract.get("description", {}).values() if v]
    for column in contract.get("columns", []):
        out.append((1.0, column["name"]))
        out += [(0.5, v) for v in column.get("description", {}).values() if v]
    return [(w, _fold(t)) for w, t in out if t]


def _score(words: list[str], fields: list[tuple[float, str]]) -> float:
    """0 when a word occurs nowhere; else the sum over words of the best weight where it occurs."""
    total = 0.0
    for word in words:
        best = max((w for w, text in fields if word in text), default=0.0)
        if best == 0.0:
            return 0.0
        total += best
    return total


def quality_bucket(score: float | None) -> str:
    """The quality facet's value for a score: hoog, midden, laag, or onbekend without one."""
    if score is None:
        return "onbekend"
    if score >= QUALITY_HIGH:
        return "hoog"
    return "midden" if score >= QUALITY_MEDIUM else "laag"


def _facet_values(card: DatasetCard, facet: str) -> list[str]:
    if facet == "theme":
        return card.themes
    if facet == "dienst":
        return [card.owner_dienst]
    if facet == "classification":
        return [card.classification]
    if facet == "format":
        return card.formats
    if facet == "quality":
        return [quality_bucket(card.quality_score)]
    return [card.licence]


def cards(catalog: Catalog, records: list[DatasetRecord] | None = None) -> list[DatasetCard]:
    """One card per dataset in ``records`` (default: the ones the public may see)."""
    return [card for card, _ in _cards_and_contracts(catalog, records)]


def _cards_and_contracts(
    catalog: Catalog, records: list[DatasetRecord] | None = None
) -> list[tuple[DatasetCard, dict[str, Any]]]:
    out = []
    current_versions = catalog.metastore.current_versions()
    for record in catalog.public() if records is None else records:
        contract = record.contract
        current, quality_score = current_versions.get(record.id, (None, None))
        card = DatasetCard(
            id=record.id,
            title=dict(contract.get("title", {})),
            description=dict(contract.get("description", {})),
            themes=list(contract.get("themes", [])),
            keywords=list(contract.get("keywords", [])),
            owner_dienst=contract.get("owner_dienst", ""),
            classification=record.classification,
            licence=contract.get("licence", ""),
            formats=distribution_formats(contract),
            rows=current.row_count if current else None,
            version=current.number if current else None,
            updated_at=current.created_at if current else record.updated_at,
            quality_score=quality_score,
        )
        out.append((card, contract))
    return out


def search_datasets(
    catalog: Catalog,
    q: str = "",
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    lang: str = "nl",
    offset: int = 0,
    limit: int = 50,
    records: list[DatasetRecord] | None = None,
) -> SearchResult:
    """Search ``records`` (default: the openbaar datasets; the caller passes what the actor may see)."""
    filters = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if any(vs)}
    unknown = [k for k in filters if k not in FACETS]
    if unknown:
        raise SearchError(f"unknown facet {unknown[0]!r}; expected one of {', '.join(FACETS)}")
    if sort not in SORTS:
        raise SearchError(f"unknown sort {sort!r}; expected one of {', '.join(SORTS)}")
    if offset < 0 or not 0 <= limit <= MAX_LIMIT:
        raise SearchError(f"offset must be >= 0 and limit between 0 and {MAX_LIMIT}")
    words = _words(q)
    matched: list[DatasetCard] = []
    for card, contract in _cards_and_contracts(catalog, records):
        score = _score(words, _fields(contract)) if words else 1.0
        if score > 0:
            matched.append(replace(card, score=score))

    def passes(card: DatasetCard, skip: str | None = None) -> bool:
        return all(
            any(v in _facet_values(card, facet) for v in values) for facet, values in filters.items() if facet != skip
        )

    facets: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        counts: dict[str, int] = {}
        for card in matched:
            if passes(card, skip=facet):
                for value in dict.fromkeys(_facet_values(card, facet)):
                    counts[value] = counts.get(value, 0) + 1
        if facet == "quality":  # a scale: always best to worst
            facets[facet] = [(v, counts[v]) for v in QUALITY_BUCKETS if v in counts]
        else:
            facets[facet] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    hits = [c for c in matched if passes(c)]
    if sort == "title":
        hits.sort(key=lambda c: _fold(c.text("title", lang)))
    elif sort == "updated":
        hits.sort(key=lambda c: c.updated_at.timestamp() if c.updated_at else 0.0, reverse=True)
    elif sort == "quality":  # best first, datasets without a score last; ties by title
        hits.sort(key=lambda c: (c.quality_score is None, -(c.quality_score or 0.0), _fold(c.text("title", lang))))
    else:
        hits.sort(key=lambda c: (-c.score, _fold(c.text("title", lang))))
    return SearchResult(hits[offset : offset + limit], len(hits), facets, q, filters, sort)
