"""Rendering results for the terminal: rich tables for people, CSV and JSON for programs."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from stadsdata.engine import QueryResult

_wide = None if sys.stdout.isatty() else 200  # files and pipes get lines that are not cut at 80
out = Console(highlight=False, width=_wide)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def render_result(result: QueryResult, fmt: str) -> None:
    if fmt == "json":
        rows = [{c: _plain(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        for row in result.rows:
            writer.writerow(["" if v is None else _plain(v) for v in row])
    else:
        table = Table(show_lines=False, header_style="bold")
        for name, kind in zip(result.columns, result.types, strict=True):
            numeric = any(t in kind for t in ("INT", "DOUBLE", "DECIMAL", "FLOAT", "HUGEINT"))
            table.add_column(name, justify="right" if numeric else "left", overflow="fold")
        for row in result.rows:
            table.add_row(*["" if v is None else str(_plain(v)) for v in row])
        out.print(table)
        out.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}", style="dim")


def kv_table(pairs: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in pairs:
        table.add_row(key, value)
    return table


def when(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
