"""The faceted search state shared by /datasets and /algoritmes: reading a query string, links that
change one thing, paging past the end, facet order and chips. Pure: no app, no data."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import QueryParams

from stadsdata.web.faceted import FacetedSearch, chips, facets

SEARCH = FacetedSearch("/lijst", ("theme", "quality"), ("relevance", "title"), page_size=2)


@dataclass
class Found:
    total: int
    offset: int = 0


def test_reading_a_query_string_keeps_what_is_known_and_drops_the_rest() -> None:
    state = SEARCH.read(QueryParams("q=+wmo+&theme=zorg&theme=&other=x&sort=nonsense&page=3"))
    assert (state.q, state.filters, state.sort, state.page) == ("wmo", {"theme": ["zorg"]}, "relevance", 3)
    long = SEARCH.read(QueryParams([("q", "x" * 500), *[("theme", f"t{i}" + "y" * 300) for i in range(30)]]))
    assert len(long.q) == 200 and len(long.filters["theme"]) == 20 and len(long.filters["theme"][0]) == 200
    for page in ("0", "-1", "abc", "9999999", ""):
        assert SEARCH.read(QueryParams({"page": page})).page == 1


def test_links_change_one_thing_and_go_back_to_page_one() -> None:
    state = SEARCH.read(QueryParams("q=wmo&quality=hoog&theme=zorg&sort=title&page=2"))
    assert state.url() == "/lijst?q=wmo&theme=zorg&quality=hoog&sort=title"  # the facets' order
    assert state.with_page(3) == "/lijst?q=wmo&theme=zorg&quality=hoog&sort=title&page=3"
    assert state.toggle("theme", "zorg") == "/lijst?q=wmo&quality=hoog&sort=title"
    assert state.toggle("theme", "werk") == "/lijst?q=wmo&theme=zorg&theme=werk&quality=hoog&sort=title"
    assert state.url(sort="relevance") == "/lijst?q=wmo&theme=zorg&quality=hoog"  # the default is left out
    assert state.clear_url == "/lijst?q=wmo&sort=title"
    assert state.active == [("theme", "zorg"), ("quality", "hoog")]
    assert FacetedSearch("/algoritmes", ("status",)).read(QueryParams("sort=title")).url() == "/algoritmes"


def test_asked_past_the_end_the_last_page_is_shown() -> None:
    asked: list[tuple[int, int]] = []

    def run(offset: int, limit: int) -> Found:
        asked.append((offset, limit))
        return Found(total=5, offset=offset)

    found, state = SEARCH.read(QueryParams("page=9")).fetch(run)
    assert asked == [(16, 2), (4, 2)] and found.offset == 4
    assert (state.page, state.pages, state.next_url, state.previous_url) == (3, 3, None, "/lijst?page=2")
    _, first = SEARCH.read(QueryParams("")).fetch(lambda offset, limit: Found(total=0))
    assert (first.page, first.pages, first.previous_url, first.next_url) == (1, 1, None, None)


def test_facets_order_by_count_or_scale_and_keep_a_chosen_value_with_no_match() -> None:
    state = SEARCH.read(QueryParams("theme=gone&quality=laag"))
    shown = facets(
        state,
        {"theme": [("b", 2), ("a", 2), ("c", 5)], "quality": [("laag", 1), ("hoog", 9), ("midden", 3)]},
        title=str.upper,
        label=lambda facet, value: value.capitalize(),
        scales={"quality": ("hoog", "midden", "laag")},
        dutch=lambda facet: facet == "theme",
    )
    theme, quality = shown
    assert (theme.title, theme.dutch, quality.dutch) == ("THEME", True, False)
    assert [(v.value, v.count, v.selected) for v in theme.values] == [
        ("c", 5, False),
        ("a", 2, False),
        ("b", 2, False),
        ("gone", 0, True),
    ]
    assert [v.value for v in quality.values] == ["hoog", "midden", "laag"]  # best to worst, not by count
    assert theme.values[-1].url == "/lijst?quality=laag"  # a chosen value's link takes it away
    assert [(c.label, c.url) for c in chips(state, shown)] == [
        ("THEME: Gone", "/lijst?quality=laag"),
        ("QUALITY: Laag", "/lijst?theme=gone"),
    ]
