"""A faceted search page's state: what its query string asks, and links that change one thing.

The dataset search (``/datasets``) and the algorithm register (``/algoritmes``) are the same kind
of page: a search box, facets with counts whose values toggle on and off, chips for the chosen
values, an optional sort and pages. ``FacetedSearch`` describes one such page (its path, facets,
sort options, page size); ``read`` turns a request's query string into a ``SearchState``;
``fetch`` runs the search for the asked page (the last page when asked past the end); ``facets``
and ``chips`` give the template its filter lists. The markup is ``templates/_facets.html``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

MAX_QUERY = 200  # characters of the search text read
MAX_VALUE = 200  # characters of one facet value read
MAX_VALUES = 20  # values of one facet read


class Counted(Protocol):
    @property
    def total(self) -> int: ...


R = TypeVar("R", bound=Counted)


@dataclass(frozen=True)
class FacetedSearch:
    """One faceted search page: where it is, what it filters on, how it may sort (the first sort
    is the default, left out of links)."""

    path: str
    facets: Sequence[str]
    sorts: Sequence[str] = ()
    page_size: int = 20

    def read(self, params: QueryParams) -> SearchState:
        """The state a query string asks for; anything unknown or malformed falls back quietly
        (a search page never fails on its query string)."""
        q = params.get("q", "").strip()[:MAX_QUERY]
        filters = {
            facet: [v[:MAX_VALUE] for v in params.getlist(facet) if v][:MAX_VALUES]
            for facet in self.facets
            if params.getlist(facet)
        }
        sort = params.get("sort", "")
        if sort not in self.sorts:
            sort = self.sorts[0] if self.sorts else ""
        return SearchState(self, q, filters, sort, _positive_int(params.get("page")))


@dataclass(frozen=True)
class SearchState:
    """What one search page shows (search text, chosen facet values, sort, page), and links that
    change one thing in it. ``pages`` is known once the search has run (``fetch``)."""

    search: FacetedSearch
    q: str
    filters: dict[str, list[str]]
    sort: str = ""
    page: int = 1
    pages: int = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.search.page_size

    def fetch(self, run: Callable[[int, int], R]) -> tuple[R, SearchState]:
        """``run(offset, limit)`` for this page; asked past the end, the last page instead. The
        state comes back knowing its number of pages."""
        size = self.search.page_size
        result = run(self.offset, size)
        pages = max(1, math.ceil(result.total / size))
        state = replace(self, pages=pages)
        if self.page > pages:
            state = replace(state, page=pages)
            result = run(state.offset, size)
        return result, state

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query string's pairs with ``changes`` (q, filters, sort, page) applied; any change
        goes back to page 1 unless it names the page."""
        q = changes.get("q", self.q)
        filters = changes.get("filters", self.filters)
        sort = changes.get("sort", self.sort)
        page = changes.get("page", 1)
        out: list[tuple[str, str]] = [("q", q)] if q else []
        for facet in self.search.facets:
            out += [(facet, value) for value in filters.get(facet, [])]
        if self.search.sorts and sort != self.search.sorts[0]:
            out.append(("sort", sort))
        if page > 1:
            out.append(("page", str(page)))
        return out

    def url(self, **changes: Any) -> str:
        query = urlencode(self.params(**changes))
        return self.search.path + (f"?{query}" if query else "")

    def toggle(self, facet: str, value: str) -> str:
        """The link that chooses ``value`` of ``facet``, or takes it away when it is chosen."""
        values = list(self.filters.get(facet, []))
        values = [v for v in values if v != value] if value in values else [*values, value]
        return self.url(filters={**self.filters, facet: values})

    def with_page(self, page: int) -> str:
        return self.url(page=page)

    @property
    def previous_url(self) -> str | None:
        return self.with_page(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.with_page(self.page + 1) if self.page < self.pages else None

    @property
    def active(self) -> list[tuple[str, str]]:
        """The chosen (facet, value) pairs, in the facets' order."""
        return [(facet, value) for facet in self.search.facets for value in self.filters.get(facet, [])]

    @property
    def clear_url(self) -> str:
        return self.url(filters={})


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass(frozen=True)
class Facet:
    """One facet as the page shows it: its title, and its values with counts and toggle links.
    ``dutch`` marks values that stay Dutch on the English page (``lang="nl"``)."""

    name: str
    title: str
    values: list[FacetValue]
    dutch: bool = False


@dataclass(frozen=True)
class Chip:
    """A chosen value, shown above the results with a link that takes it away."""

    facet: str
    value: str
    label: str
    url: str


def facets(
    state: SearchState,
    counted: Mapping[str, Iterable[tuple[str, int]]],
    *,
    title: Callable[[str], str],
    label: Callable[[str, str], str] = lambda facet, value: value,
    scales: Mapping[str, Sequence[str]] | None = None,
    dutch: Callable[[str], bool] = lambda facet: False,
) -> list[Facet]:
    """Each facet's values with counts and toggle links, most results first, then by label; a
    facet in ``scales`` keeps its scale's order (best to worst, whatever the counts). A chosen
    value with no match left still shows (count 0), so it can be taken away."""
    out = []
    for name in state.search.facets:
        selected = state.filters.get(name, [])
        counts = dict(counted.get(name, []))
        counts.update({value: 0 for value in selected if value not in counts})
        values = [
            FacetValue(value, label(name, value), count, value in selected, state.toggle(name, value))
            for value, count in counts.items()
        ]
        scale = (scales or {}).get(name)
        if scale:
            values.sort(key=lambda v, scale=scale: scale.index(v.value) if v.value in scale else len(scale))
        else:
            values.sort(key=lambda v: (-v.count, v.label.lower()))
        out.append(Facet(name, title(name), values, dutch(name)))
    return out


def chips(state: SearchState, shown: Sequence[Facet]) -> list[Chip]:
    """The chosen values, in the order of ``state.active``, labelled 'Facet: value'."""
    by_name = {f.name: f for f in shown}
    out = []
    for name, value in state.active:
        facet = by_name[name]
        value_label = next((v.label for v in facet.values if v.value == value), value)
        out.append(Chip(name, value, f"{facet.title}: {value_label}", state.toggle(name, value)))
    return out


def _positive_int(text: str | None, *, default: int = 1) -> int:
    if text and text.isdigit() and 0 < len(text) < 7:
        return max(1, int(text))
    return default


__all__ = ["Chip", "Facet", "FacetValue", "FacetedSearch", "SearchState", "chips", "facets"]
