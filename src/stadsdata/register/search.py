"""Finding algorithms: every word of the query must occur in an entry's texts; facets count the
entries that match the query and the *other* facets' selections (as opendata/search.py does for
datasets). Pure: entries in, a page of entries and the facet counts out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from stadsdata.errors import RegisterError

FACETS = ("organization", "category", "status", "publication_category")
MAX_LIMIT = 500
#: (weight, v1.0 field) of what a query matches: the name first, then organisation and themes
WEIGHTS = (
    (5.0, "name"),
    (3.0, "organization"),
    (2.0, "tags"),
    (2.0, "category"),
    (1.5, "description_short"),
    (1.0, "goal"),
    (0.5, "methods_and_models"),
    (0.5, "source_data"),
    (0.5, "human_intervention"),
    (0.5, "lawful_basis"),
    (0.5, "provider"),
)

E = TypeVar("E")


def fold(text: str) -> str:
    """Lower case without accents, so 'WMO' finds 'Wmo' and 'financien' finds 'financiën'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(query: str) -> list[str]:
    return [w for w in re.split(r"[\s,;]+", fold(query)) if w]


def weighted_texts(fields: dict[str, Any]) -> list[tuple[float, str]]:
    out = []
    for weight, name in WEIGHTS:
        value = fields.get(name)
        values = value if isinstance(value, list) else [value]
        out += [(weight, fold(v)) for v in values if isinstance(v, str) and v]
    return out


def search_text(fields: dict[str, Any]) -> str:
    return "\n".join(text for _, text in weighted_texts(fields))


def score(query_words: list[str], texts: list[tuple[float, str]]) -> float:
    total = 0.0
    for word in query_words:
        best = max((w for w, text in texts if word in text), default=0.0)
        if best == 0.0:
            return 0.0
        total += best
    return total


def facet_values(fields: dict[str, Any], facet: str) -> list[str]:
    value = fields.get(facet)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return [value] if isinstance(value, str) and value else []


def search(
    entries: Sequence[E],
    fields_of: Callable[[E], dict[str, Any]],
    q: str = "",
    filters: dict[str, list[str]] | None = None,
    *,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[E], int, dict[str, list[tuple[str, int]]]]:
    """(the page, how many match, facets). Sorted by relevance with a query, else by
    organisation and name."""
    filters = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if any(vs)}
    unknown = [k for k in filters if k not in FACETS]
    if unknown:
        raise RegisterError(f"filter {unknown[0]!r} is not a facet; expected one of {', '.join(FACETS)}")
    if offset < 0 or not 0 <= limit <= MAX_LIMIT:
        raise RegisterError(f"offset must be >= 0 and limit between 0 and {MAX_LIMIT}")
    query_words = words(q)
    matched: list[tuple[float, E]] = []
    for entry in entries:
        s = score(query_words, weighted_texts(fields_of(entry))) if query_words else 1.0
        if s > 0:
            matched.append((s, entry))

    def passes(entry: E, skip: str | None = None) -> bool:
        fields = fields_of(entry)
        return all(
            any(v in facet_values(fields, facet) for v in values) for facet, values in filters.items() if facet != skip
        )

    facets: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        counts: dict[str, int] = {}
        for _, entry in matched:
            if passes(entry, skip=facet):
                for value in dict.fromkeys(facet_values(fields_of(entry), facet)):
                    counts[value] = counts.get(value, 0) + 1
        facets[facet] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def name_key(entry: E) -> tuple[str, str]:
        fields = fields_of(entry)
        return fold(str(fields.get("organization", ""))), fold(str(fields.get("name", "")))

    hits = [(s, e) for s, e in matched if passes(e)]
    hits.sort(key=lambda se: (-se[0], *name_key(se[1])))
    return [e for _, e in hits[offset : offset + limit]], len(hits), facets
