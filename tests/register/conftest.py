"""Fixtures of the register tests: a platform on each metastore backend (SQLite, and PostgreSQL
where a server is configured), the actors that edit, and the real 2022 register imported once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stadsdata import demo
from stadsdata.core.access import Actor, Role, RoleGrant
from stadsdata.platform import Platform
from tests.conftest import make_settings

DATASET = "cbs_kwb_2019_gemeenten"  # a real catalogue dataset to link to (its contract only)
OTHER_DATASET = "cbs_gemeenten_2024"


@pytest.fixture
def reg_platform(metastore_url: str, tmp_path: Path) -> Iterator[Platform]:
    """A platform whose metastore is ``metastore_url``, with two datasets registered."""
    with Platform(make_settings(tmp_path / "home", metastore_url=metastore_url)) as p:
        p.register(demo.contract_path(DATASET))
        p.register(demo.contract_path(OTHER_DATASET))
        yield p


@pytest.fixture
def officer() -> Actor:
    return Actor(user="dora", roles=frozenset({RoleGrant(Role.data_officer, "Dienst OCW")}), dienst="Dienst OCW")


@pytest.fixture
def analyst() -> Actor:
    return Actor(user="ana", roles=frozenset({RoleGrant(Role.analyst)}), dienst="Dienst OCW")
