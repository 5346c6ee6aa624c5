"""`make demo` shows the real register: 96 entries, 26 of Gemeente Den Haag."""

from __future__ import annotations

from stadsdata.platform import Platform


def test_the_demo_imports_the_real_register(demo_platform: Platform) -> None:
    reg = demo_platform.algorithms
    assert reg.count() == 96
    found = reg.search(filters={"organization": ["Gemeente Den Haag"]}, limit=100)
    assert found.total == 26
    # loading the demo again changes nothing
    again = demo_platform.load_demo_register()
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 96)
