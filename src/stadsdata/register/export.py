"""The standard's download format: JSON and CSV, written and read back.

JSON: a list of objects, one per entry, with every field of the standard v1.0 in the standard's
order ('' or [] where an entry has no value). CSV: the same fields as columns, one row per entry;
the list fields (``category`` and the ``*_grouping`` fields) as JSON text. Both UTF-8. Reading
either gives back exactly the fields that were written (empty values left out), so an export
re-imports without loss.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from stadsdata.errors import RegisterError
from stadsdata.register.standard import STANDARD

Format = Literal["json", "csv"]
FORMATS = ("json", "csv")


def _full(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: fields.get(name, [] if d.type == "array" else "") for name, d in STANDARD.items()}


def dump(records: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps([_full(r) for r in records], ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(list(STANDARD))
        for record in records:
            row = []
            for name, value in _full(record).items():
                if STANDARD[name].type == "array":
                    row.append(json.dumps(value, ensure_ascii=False) if value else "")
                else:
                    row.append(value)
            writer.writerow(row)
        return out.getvalue().encode("utf-8")
    raise RegisterError(f"format: {fmt!r} is not an export format; expected one of {', '.join(FORMATS)}")


def load(data: bytes, fmt: str) -> list[dict[str, Any]]:
    """The records of an export (keys as written; the caller checks them against the standard)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegisterError(f"the {fmt} export is not UTF-8 (byte {exc.start}); expected UTF-8 text") from None
    if fmt == "json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RegisterError(f"the JSON export is not valid JSON: line {exc.lineno}: {exc.msg}") from None
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise RegisterError("the JSON export: expected a list of objects, one per algorithm")
        return records
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        records = []
        for line, row in enumerate(reader, start=2):
            record: dict[str, Any] = {}
            for name, cell in row.items():
                if name is None:
                    raise RegisterError(f"the CSV export, row {line}: more cells than columns")
                definition = STANDARD.get(name)
                if definition is not None and definition.type == "array" and cell:
                    try:
                        record[name] = json.loads(cell)
                    except json.JSONDecodeError:
                        raise RegisterError(
                            f"the CSV export, row {line}, column {name}: expected a JSON list, got {cell[:40]!r}"
                        ) from None
                else:
                    record[name] = cell or ""
            records.append(record)
        return records
    raise RegisterError(f"format: {fmt!r} is not an export format; expected one of {', '.join(FORMATS)}")
