"""Creating and editing entries: the policy decides (edit_register), validation refuses with one
line naming the field and stores nothing, every change is a version with its diff and an audit
entry, and entries link to catalogue datasets (shown both ways)."""

from __future__ import annotations

import pytest

from stadsdata.core.access import Actor
from stadsdata.errors import AccessDeniedError, NotFoundError, RegisterError
from stadsdata.platform import Platform
from tests.register.conftest import DATASET, OTHER_DATASET
from tests.register.test_standard import valid


def test_create_stores_a_valid_entry_with_version_one(reg_platform: Platform, officer: Actor) -> None:
    reg = reg_platform.algorithms
    fields = valid()
    del fields["lang"], fields["standard_version"]  # defaults
    entry = reg.create(officer, fields, datasets=[DATASET])
    assert entry.id == "gemeente-den-haag-voorspellen-wmo-gebruik-per-wijk"
    assert entry.version == 1 and entry.updated_by == "dora" and entry.source == "portal"
    assert entry.fields["lang"] == "nld" and entry.fields["standard_version"] == "1.0"
    assert entry.problems == [] and entry.datasets == [DATASET]
    assert (entry.status, entry.categories, entry.publication_category) == (
        "In ontwikkeling",
        ["Zorg en gezondheid"],
        "Overige algoritmes",
    )
    assert reg.get(entry.id) == entry
    (first,) = reg.history(entry.id)
    assert first.by == "dora" and first.changes["name"] == (None, fields["name"])
    # the same organisation and name again: a de-duplicated id
    assert reg.create(officer, fields).id == "gemeente-den-haag-voorspellen-wmo-gebruik-per-wijk-2"
    audit = reg_platform.audit.list(actor="dora")  # newest first: the decision, then what was done
    assert [(a.action, a.resource, a.decision) for a in audit] == [
        ("algorithm_created", f"algorithm/{entry.id}-2", "done"),
        ("edit_register", "register", "allowed"),
        ("algorithm_created", f"algorithm/{entry.id}", "done"),
        ("edit_register", "register", "allowed"),
    ]
    assert audit[2].detail["fields"] == list(entry.fields) and audit[2].detail["datasets"] == [DATASET]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "x" * 101}, "name: 101 characters; expected at most 100 (Naam)"),
        ({"status": "Actief"}, "status: 'Actief' is not permitted"),
        ({"contact_email": ""}, "contact_email: required: expected Contactgegevens"),
        ({"impacttoetsen_grouping": [{"link": "https://x.nl"}]}, "impacttoetsen_grouping[1].title: required"),
        ({"department": "OCW"}, "department: unknown field"),
    ],
)
def test_an_invalid_create_is_refused_and_stores_nothing(
    reg_platform: Platform, officer: Actor, change: dict, message: str
) -> None:
    with pytest.raises(RegisterError) as caught:
        reg_platform.algorithms.create(officer, valid() | change)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    assert caught.value.http_status == 422
    assert reg_platform.algorithms.count() == 0


def test_several_problems_are_all_kept_on_the_error(reg_platform: Platform, officer: Actor) -> None:
    with pytest.raises(RegisterError, match=r"^name: required: expected Naam \(and 2 more\)$") as caught:
        reg_platform.algorithms.create(officer, valid() | {"name": "", "status": "", "lang": "en"})
    assert [p.field for p in caught.value.problems] == ["name", "status", "lang"]


def test_an_unknown_dataset_is_refused(reg_platform: Platform, officer: Actor) -> None:
    with pytest.raises(RegisterError, match="datasets: no dataset 'nope' in the catalogue"):
        reg_platform.algorithms.create(officer, valid(), datasets=["nope"])
    assert reg_platform.algorithms.count() == 0


def test_only_data_officers_and_the_admin_edit(reg_platform: Platform, officer: Actor, analyst: Actor) -> None:
    reg = reg_platform.algorithms
    with pytest.raises(AccessDeniedError, match="edit_register on register: edit_register needs the role"):
        reg.create(analyst, valid())
    with pytest.raises(AccessDeniedError, match="needs a login"):
        reg.create(Actor.anonymous(), valid())
    assert reg.count() == 0
    entry = reg.create(officer, valid())
    with pytest.raises(AccessDeniedError, match=f"edit_register on algorithm/{entry.id}"):
        reg.update(analyst, entry.id, {"status": "In gebruik"}, reason="live", datasets=[DATASET])
    after = reg.get(entry.id)
    assert after == entry and len(reg.history(entry.id)) == 1
    denied = reg_platform.audit.list(actor="ana")
    assert [(a.action, a.decision) for a in denied] == [("edit_register", "denied"), ("edit_register", "denied")]


def test_update_makes_a_version_with_the_diff(reg_platform: Platform, officer: Actor) -> None:
    reg = reg_platform.algorithms
    entry = reg.create(officer, valid(), datasets=[DATASET])
    updated = reg.update(
        officer,
        entry.id,
        {"status": "In gebruik", "goal": "Beleid en inkoop onderbouwen.", "category": []},
        reason="in gebruik genomen",
        datasets=[DATASET, OTHER_DATASET],
    )
    assert updated.version == 2 and updated.status == "In gebruik" and "category" not in updated.fields
    assert updated.datasets == [OTHER_DATASET, DATASET]
    newest, first = reg.history(entry.id)
    assert newest.number == 2 and newest.by == "dora" and newest.reason == "in gebruik genomen"
    assert newest.changes == {
        "category": (["Zorg en gezondheid"], None),
        "status": ("In ontwikkeling", "In gebruik"),
        "goal": (None, "Beleid en inkoop onderbouwen."),
        "datasets": ([DATASET], [OTHER_DATASET, DATASET]),
    }
    assert first.number == 1
    audit = reg_platform.audit.list(action="algorithm_updated")
    assert audit[0].detail == {"fields": ["category", "status", "goal", "datasets"], "version": 2}
    assert audit[0].purpose == "in gebruik genomen" and audit[0].resource == f"algorithm/{entry.id}"
    # nothing changed: no new version
    same = reg.update(officer, entry.id, {"status": "In gebruik"}, reason="nogmaals")
    assert same.version == 2 and len(reg.history(entry.id)) == 2
    # a bad value is refused, nothing changes
    with pytest.raises(RegisterError, match="^status: 'weg' is not permitted"):
        reg.update(officer, entry.id, {"status": "weg"}, reason="x")
    assert reg.get(entry.id) == updated
    with pytest.raises(NotFoundError):
        reg.update(officer, "nope", {}, reason="x")


def test_an_imported_entry_with_problems_can_be_edited_field_by_field(reg_platform: Platform, officer: Actor) -> None:
    reg = reg_platform.algorithms
    reg.import_2022(by="tester")
    entry = reg.get("gemeente-den-haag-wmo-voorspelmodel")
    assert [p.field for p in entry.problems][0] == "publication_category"
    # the broken text it already has does not block an edit of another field
    fixed = reg.update(officer, entry.id, {"publication_category": "Overige algoritmes"}, reason="categorie")
    assert "publication_category" not in [p.field for p in fixed.problems]
    assert len(fixed.problems) == len(entry.problems) - 1
    # but an edit of a field must leave that field valid
    with pytest.raises(RegisterError, match="^goal: contains 1 broken character"):
        reg.update(officer, entry.id, {"goal": "Caf\ufffd"}, reason="x")


def test_algorithms_using_a_dataset(reg_platform: Platform, officer: Actor) -> None:
    reg = reg_platform.algorithms
    a = reg.create(officer, valid(), datasets=[DATASET])
    b = reg.create(officer, valid() | {"name": "Tweede algoritme"}, datasets=[DATASET, OTHER_DATASET])
    assert [e.id for e in reg.algorithms_using(DATASET)] == sorted([a.id, b.id])
    assert [e.id for e in reg.algorithms_using(OTHER_DATASET)] == [b.id]
    reg.update(officer, b.id, {}, reason="ontkoppeld", datasets=[])
    assert [e.id for e in reg.algorithms_using(OTHER_DATASET)] == []
    assert reg.algorithms_using("nope") == []


def test_opgave_and_dpia_references_go_in_impacttoetsen_grouping(reg_platform: Platform, officer: Actor) -> None:
    refs = [
        {"title": "Data Protection Impact Assessment (DPIA)", "link": "DPIA-2026-030"},
        {"title": "Opgave 3: Wmo-voorzieningen per wijk", "link": "/opgaven/3"},
    ]
    entry = reg_platform.algorithms.create(officer, valid() | {"impacttoetsen_grouping": refs})
    assert entry.fields["impacttoetsen_grouping"] == refs and entry.problems == []
