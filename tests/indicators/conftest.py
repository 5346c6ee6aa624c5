"""Fixtures of the indicator tests: the real demo data (``demo_platform``, a private copy of the
session's demo home with the indicators computed) and the real CBS files read by hand. Helpers
the tests import are in ``tests/indicators/helpers.py``."""

from __future__ import annotations

import pytest

from tests.indicators.helpers import read_csv


@pytest.fixture(scope="session")
def kwb2019() -> dict[str, dict[str, str]]:
    return read_csv("cbs_kwb_2019_den_haag")


@pytest.fixture(scope="session")
def kwb2017() -> dict[str, dict[str, str]]:
    return read_csv("cbs_kwb_2017_nl")
