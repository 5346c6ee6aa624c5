"""Column profiles in SQL (being written: see the engine interface's ``profile``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from stadsdata.engine.base import ProfileColumn


def profile(con: duckdb.DuckDBPyConnection, files: list[Path], columns: list[ProfileColumn]) -> dict[str, Any]:
    raise NotImplementedError("column profiles are being built")
