"""The standard v1.0 as shipped, and validation against it: one problem per field, one line each."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stadsdata.register.standard import DATA, STANDARD, FieldProblem, validate

SHARED = DATA / "algoritmeregister_standaard_v1_0.json"


def valid() -> dict[str, Any]:
    return {
        "name": "Voorspellen Wmo-gebruik per wijk",
        "description_short": "Schat hoeveel inwoners per wijk Wmo-ondersteuning zullen vragen.",
        "organization": "Gemeente Den Haag",
        "category": ["Zorg en gezondheid"],
        "status": "In ontwikkeling",
        "contact_email": "datashop@denhaag.nl",
        "publication_category": "Overige algoritmes",
        "lang": "nld",
        "standard_version": "1.0",
        "impacttoetsen_grouping": [{"title": "Data Protection Impact Assessment (DPIA)", "link": "https://x.nl/dpia"}],
    }


def fields_of(problems: list[FieldProblem]) -> list[str]:
    return [p.field for p in problems]


def test_the_standard_is_loaded_in_the_files_order() -> None:
    raw = json.loads(SHARED.read_text(encoding="utf-8"))["properties"]
    assert list(STANDARD) == list(raw)
    assert len(STANDARD) == 31
    name = STANDARD["name"]
    assert (name.title, name.type, name.max_length, name.required) == ("Naam", "string", 100, True)
    assert name.help_text and name.instructions and name.example == "Automatische Verkeersregeling Ringweg"
    assert STANDARD["status"].permitted_values == ["In ontwikkeling", "In gebruik", "Buiten gebruik"]
    assert STANDARD["category"].type == "array" and "Sociale zekerheid" in STANDARD["category"].permitted_values
    grouping = STANDARD["impacttoetsen_grouping"].items
    assert grouping is not None and set(grouping) == {"title", "link"}
    assert grouping["title"].required and not grouping["link"].required and grouping["link"].max_length == 500
    assert "Data Protection Impact Assessment (DPIA)" in (grouping["title"].recommended or [])
    # the file writes one flag as the string "false": read as not required
    assert STANDARD["source_data_grouping"].required is False
    required = [n for n, d in STANDARD.items() if d.required]
    assert required == [
        "name",
        "description_short",
        "organization",
        "status",
        "contact_email",
        "publication_category",
        "lang",
    ]


def test_a_complete_entry_is_valid() -> None:
    assert validate(valid()) == []


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"name": "x" * 101}, "name", "101 characters; expected at most 100 (Naam)"),
        ({"name": ""}, "name", "required: expected Naam"),
        ({"status": None}, "status", "required: expected Status"),
        (
            {"status": "Actief"},
            "status",
            "'Actief' is not permitted; expected one of: In ontwikkeling, In gebruik, Buiten gebruik",
        ),
        ({"publication_category": "B"}, "publication_category", "'B' is not permitted"),
        ({"lang": "Nederlands"}, "lang", "'Nederlands' is not permitted; expected one of: nld"),
        ({"category": ["Basisregistratie"]}, "category[1]", "'Basisregistratie' is not permitted"),
        ({"category": "Verkeer"}, "category", "expected a list (Thema), got str"),
        ({"goal": 12}, "goal", "expected text (Doel en impact), got int"),
        ({"goal": "Caf\ufffd"}, "goal", "contains 1 broken character(s) (U+FFFD"),
        (
            {"impacttoetsen_grouping": [{"link": "https://x.nl"}]},
            "impacttoetsen_grouping[1].title",
            "required: expected Titel van impacttoets",
        ),
        (
            {"impacttoetsen_grouping": [{"title": "DPIA", "link": "h" * 501}]},
            "impacttoetsen_grouping[1].link",
            "501 characters; expected at most 500",
        ),
        (
            {"impacttoetsen_grouping": [{"title": "DPIA", "url": "x"}]},
            "impacttoetsen_grouping[1].url",
            "unknown key; expected title, link",
        ),
        ({"impacttoetsen_grouping": ["DPIA"]}, "impacttoetsen_grouping[1]", "expected an object with title and link"),
        (
            {"lawful_basis_grouping": [{"title": "Wmo 2015"}]},
            "lawful_basis_grouping[1].link",
            "required: expected Link naar wettelijke basis",
        ),
        ({"department": "OCW"}, "department", "unknown field; expected a field of the Algoritmeregister standard v1.0"),
    ],
)
def test_each_problem_names_its_field(change: dict[str, Any], field: str, expected: str) -> None:
    problems = validate(valid() | change)
    assert fields_of(problems) == [field]
    assert expected in problems[0].message
    assert "\n" not in str(problems[0]) and str(problems[0]).startswith(f"{field}: ")


def test_every_problem_is_reported_not_only_the_first() -> None:
    problems = validate({"name": "x" * 150, "goal": "\ufffd" * 3, "category": ["Recht", "Onbekend"]})
    assert fields_of(problems) == [
        "name",
        "description_short",
        "organization",
        "category[2]",
        "status",
        "contact_email",
        "publication_category",
        "goal",
        "lang",
    ]


def test_text_that_is_both_too_long_and_broken_gets_both_problems() -> None:
    problems = validate(valid() | {"description_short": "\ufffd" * 401})
    assert [p.field for p in problems] == ["description_short", "description_short"]
    assert "401 characters" in problems[0].message and "401 broken" in problems[1].message
