"""`make demo` shows the real register (96 entries, 26 of Gemeente Den Haag) and the demo's model cards."""

from __future__ import annotations

import pytest

from stadsdata.errors import RegisterError
from stadsdata.platform import Platform
from tests.demo_expect import MODEL_CARDS, REGISTER, REGISTER_2022, REGISTER_DEN_HAAG


def test_the_demo_imports_the_real_register(demo_platform: Platform) -> None:
    reg = demo_platform.algorithms
    assert reg.count() == REGISTER
    found = reg.search(filters={"organization": ["Gemeente Den Haag"]}, limit=100)
    assert found.total == REGISTER_DEN_HAAG
    assert set(MODEL_CARDS) <= {e.id for e in found.entries}
    # loading the demo again changes nothing
    again = demo_platform.load_demo_register()
    assert (again.imported, again.updated, again.unchanged) == (0, 0, REGISTER_2022)


def test_an_entry_links_to_opgaven_that_exist_and_shows_the_change_in_its_history(demo_platform: Platform) -> None:
    reg = demo_platform.algorithms
    dora = demo_platform.identity.actor_for("dora")
    approved, destroyed = (o.id for o in sorted(demo_platform.opgaven.list(), key=lambda o: o.id))
    entry = reg.get("gemeente-den-haag-wmo-voorspelmodel")
    assert entry.opgaven == []
    linked = reg.update(dora, entry.id, {}, reason="Getoetst in de opgave.", opgaven=[approved])
    assert linked.opgaven == [approved] and linked.version == entry.version + 1
    assert reg.history(entry.id)[0].changes == {"opgaven": ([], [approved])}
    assert [e.id for e in reg.algorithms_for_opgave(approved)] == [entry.id]
    # an ended (destroyed) opgave is still a fact to link to; an unknown number is refused, nothing changes
    both = reg.update(dora, entry.id, {}, reason="Ook de vorige.", opgaven=[destroyed, approved])
    assert both.opgaven == sorted([approved, destroyed])
    with pytest.raises(RegisterError, match=r"^opgaven: no opgave 999; see `stadsdata opgaven list`$"):
        reg.update(dora, entry.id, {}, reason="x", opgaven=[999])
    assert reg.get(entry.id) == both
    # leaving opgaven out keeps them; an empty list unlinks
    assert reg.update(dora, entry.id, {"status": "Buiten gebruik"}, reason="Gestopt.").opgaven == both.opgaven
    assert reg.update(dora, entry.id, {}, reason="Losgekoppeld.", opgaven=[]).opgaven == []
