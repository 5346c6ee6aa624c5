"""DuckDB extensions come from PyPI wheels (no downloads at run time)."""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

EXTENSIONS = ("spatial", "delta", "excel")


def extension_path(name: str) -> Path:
    """Path of the extension binary inside its wheel, for the installed DuckDB version."""
    module = importlib.import_module(f"duckdb_extension_{name}")
    base = Path(module.__file__).parent / "extensions"
    wanted = base / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not wanted.exists():
        found = sorted(p.name for p in base.iterdir()) if base.exists() else []
        raise RuntimeError(
            f"duckdb {duckdb.__version__} has no matching {name} extension wheel (found {found}); "
            f"pin duckdb-extension-{name}=={duckdb.__version__}"
        )
    return wanted


def load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    con.execute(f"LOAD '{extension_path(name)}'")
