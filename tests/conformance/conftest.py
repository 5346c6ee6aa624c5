"""The conformance suite: the same tests on every engine (in the spirit of Ibis's backend tests).

``engine_name`` is one parametrised fixture over ``ENGINES``; ``conform`` gives the platform of
the real demo data (the shipped KWB tables and the others, loaded once by ``demo_template``) on
that engine. Spark starts once per test session (a local Spark, ``local[2]``). Without PySpark
or Java the Spark params skip with the reason, and STADSDATA_REQUIRE_ALL=1 (CI) makes that skip
a failure. A known difference is marked with ``gap(engine, reason)``: an xfail(strict=True), so
a gap that closes fails the suite until its mark is removed; nothing is skipped silently.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from stadsdata.engine import spark_session
from stadsdata.platform import Platform
from tests.conftest import make_settings

ENGINES = ("duckdb", "spark")


def gap(engine: str, reason: str) -> pytest.MarkDecorator:
    """A known gap of one engine: ``reason`` starts with "not implemented" or "not possible on <engine>"."""
    assert reason.startswith(("not implemented", f"not possible on {engine.capitalize()}")), reason
    return pytest.mark.conformance_gap(engine=engine, reason=reason)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "conformance_gap(engine, reason): a known gap of one engine (an xfail, strict) in tests/conformance"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``conformance_gap(engine=...)`` becomes a strict xfail on that engine's params only."""
    for item in items:
        engine = getattr(item, "callspec", None) and item.callspec.params.get("engine_name")
        for mark in item.iter_markers("conformance_gap"):
            if mark.kwargs["engine"] == engine:
                item.add_marker(pytest.mark.xfail(strict=True, reason=mark.kwargs["reason"]))


@pytest.fixture(scope="session")
def conform_home(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo home that every engine reads (nothing here writes to it)."""
    home = tmp_path_factory.mktemp("conformance") / "home"
    shutil.copytree(demo_template, home)
    return home


@pytest.fixture(scope="session", params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    if request.param == "spark":
        why = spark_session.available()
        if why is not None:
            pytest.skip(f"the Spark engine cannot run here: {why}")
    return request.param


@pytest.fixture(scope="session")
def platforms(conform_home: Path) -> Iterator[dict[str, Platform]]:
    """One platform per engine on the same home, opened when first asked for."""
    opened: dict[str, Platform] = {}
    yield opened
    for p in opened.values():
        p.close()


@pytest.fixture
def conform(engine_name: str, platforms: dict[str, Platform], conform_home: Path) -> Platform:
    """The demo platform on the engine of this param."""
    if engine_name not in platforms:
        platforms[engine_name] = Platform(
            make_settings(conform_home, engine=engine_name, spark_master="local[2]", spark_driver_memory="1g")
        )
    return platforms[engine_name]
