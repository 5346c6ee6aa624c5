"""The DuckDB extension wheels must match the DuckDB version (they cannot be downloaded here)."""

from __future__ import annotations

import importlib.metadata

import duckdb
import pytest

from stadsdata.engine import extensions


@pytest.mark.parametrize("name", extensions.EXTENSIONS)
def test_extension_wheel_matches_duckdb(name: str) -> None:
    assert importlib.metadata.version(f"duckdb-extension-{name}") == duckdb.__version__
    assert extensions.extension_path(name).is_file()


def test_spatial_loads_from_wheel() -> None:
    con = duckdb.connect()
    extensions.load(con, "spatial")
    assert con.execute("SELECT ST_AsText(ST_Point(4.3, 52.08))").fetchone() == ("POINT (4.3 52.08)",)
