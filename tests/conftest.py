"""Shared fixtures. Every test builds its own platform on tmp_path (no shared state).

STADSDATA_REQUIRE_ALL=1 (set by .ci/run) turns every skip into a failure: in CI everything runs.
STADSDATA_TEST_POSTGRES_URL points the PostgreSQL tests at a server (``make test`` starts one).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stadsdata.metastore import Metastore
from stadsdata.platform import Platform
from stadsdata.settings import Settings

REQUIRE_ALL = os.environ.get("STADSDATA_REQUIRE_ALL") == "1"
POSTGRES_URL = os.environ.get("STADSDATA_TEST_POSTGRES_URL")
DATA = Path(__file__).parent / "data"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped, but STADSDATA_REQUIRE_ALL=1 demands that everything runs: {reason}"


def make_settings(home: Path, **overrides: object) -> Settings:
    return Settings(home=home, user="tester", **overrides)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "home")


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    with Platform(settings) as p:
        yield p


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the real demo data loaded, built once per test session."""
    home = tmp_path_factory.mktemp("demo-template") / "home"
    with Platform(make_settings(home)) as p:
        p.load_demo()
    return home


@pytest.fixture
def demo_platform(demo_template: Path, tmp_path: Path) -> Iterator[Platform]:
    """A private copy of the demo home (Delta tables use absolute-free relative paths)."""
    home = tmp_path / "home"
    shutil.copytree(demo_template, home)
    with Platform(make_settings(home)) as p:
        yield p


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server: set STADSDATA_TEST_POSTGRES_URL (`make test` starts one)")
    import sqlalchemy as sa

    name = f"stadsdata_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def metastore_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new metastore database: SQLite, and PostgreSQL where a server is configured."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/m.db"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(metastore_url: str) -> Iterator[Metastore]:
    """A migrated, empty metastore on each backend."""
    ms = Metastore.open(metastore_url)
    try:
        yield ms
    finally:
        ms.close()
