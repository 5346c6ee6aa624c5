"""The national Algoritmeregister metadata standard v1.0, and validation against it.

The field definitions come from the standard's own configuration file (``data/
algoritmeregister_standaard_v1_0.json``, MinBZK/Algoritmeregister, EUPL-1.2): title, type, maximum
length, required flag, help text, instructions, example and permitted values, in the file's order.
``validate`` checks a set of fields against them and answers with one ``FieldProblem`` per problem:
unknown field, required field missing, too long, a value outside the permitted ones, the wrong
type, a grouping item without its title or link, and text with U+FFFD (the replacement character a
wrong encoding upstream leaves behind), which is reported, never "fixed".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
STANDARD_FILE = DATA / "algoritmeregister_standaard_v1_0.json"
VERSION = "1.0"
BROKEN = "\ufffd"  # U+FFFD REPLACEMENT CHARACTER


@dataclass(frozen=True)
class FieldDef:
    name: str
    title: str
    type: str  # string, enum, array
    max_length: int | None
    required: bool
    help_text: str
    instructions: str
    example: Any
    permitted_values: list[str] | None
    items: dict[str, FieldDef] | None  # the {title, link} of a *_grouping array
    recommended: list[str] | None = None  # recommended (not mandatory) values, e.g. impacttoets titles
    show_always: bool = False

    @property
    def is_grouping(self) -> bool:
        return self.items is not None


@dataclass(frozen=True)
class FieldProblem:
    field: str  # a v1.0 field name; for a grouping item "impacttoetsen_grouping[2].title"
    message: str  # one line: what is wrong and what was expected

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _flag(value: Any) -> bool:
    """The file writes one required flag as the string "false"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _field(name: str, spec: dict[str, Any]) -> FieldDef:
    items = spec.get("items")
    return FieldDef(
        name=name,
        title=spec.get("title", name),
        type=spec.get("type", "string"),
        max_length=spec.get("max_length"),
        required=_flag(spec.get("required", False)),
        help_text=spec.get("help_text", ""),
        instructions=spec.get("instructions", ""),
        example=spec.get("example"),
        permitted_values=spec.get("permitted_values"),
        items={k: _field(k, v) for k, v in items.items()} if isinstance(items, dict) else None,
        recommended=spec.get("recommended_items"),
        show_always=_flag(spec.get("show_always", False)),
    )


def load_standard(path: Path = STANDARD_FILE) -> dict[str, FieldDef]:
    config = json.loads(path.read_text(encoding="utf-8"))
    return {name: _field(name, spec) for name, spec in config["properties"].items()}


#: Every field of the standard, in the order of the standard's file.
STANDARD: dict[str, FieldDef] = load_standard()
REQUIRED: tuple[str, ...] = tuple(name for name, f in STANDARD.items() if f.required)
GROUPINGS: tuple[str, ...] = tuple(name for name, f in STANDARD.items() if f.is_grouping)


def is_empty(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, list | dict) and not value)
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_string(where: str, definition: FieldDef, value: Any) -> list[FieldProblem]:
    if not isinstance(value, str):
        return [FieldProblem(where, f"expected text ({definition.title}), got {type(value).__name__}")]
    problems = []
    if definition.max_length is not None and len(value) > definition.max_length:
        problems.append(
            FieldProblem(
                where, f"{len(value)} characters; expected at most {definition.max_length} ({definition.title})"
            )
        )
    if BROKEN in value:
        problems.append(
            FieldProblem(
                where,
                f"contains {value.count(BROKEN)} broken character(s) (U+FFFD from a wrong encoding upstream); "
                "expected the original text",
            )
        )
    return problems


def _check(name: str, definition: FieldDef, value: Any) -> list[FieldProblem]:
    if definition.type == "enum":
        if not isinstance(value, str) or value not in (definition.permitted_values or []):
            allowed = ", ".join(definition.permitted_values or [])
            return [FieldProblem(name, f"{_short(value)} is not permitted; expected one of: {allowed}")]
        return []
    if definition.type == "array":
        if not isinstance(value, list):
            return [FieldProblem(name, f"expected a list ({definition.title}), got {type(value).__name__}")]
        problems: list[FieldProblem] = []
        if definition.items is not None:
            for position, item in enumerate(value, start=1):
                where = f"{name}[{position}]"
                if not isinstance(item, dict):
                    problems.append(FieldProblem(where, "expected an object with title and link"))
                    continue
                for key in item:
                    if key not in definition.items:
                        problems.append(
                            FieldProblem(f"{where}.{key}", f"unknown key; expected {', '.join(definition.items)}")
                        )
                for key, item_def in definition.items.items():
                    item_value = item.get(key)
                    if is_empty(item_value):
                        if item_def.required:
                            problems.append(FieldProblem(f"{where}.{key}", f"required: expected {item_def.title}"))
                        continue
                    problems += _check_string(f"{where}.{key}", item_def, item_value)
            return problems
        permitted = definition.permitted_values
        for position, item in enumerate(value, start=1):
            if not isinstance(item, str):
                problems.append(FieldProblem(f"{name}[{position}]", f"expected text, got {type(item).__name__}"))
            elif permitted is not None and item not in permitted:
                problems.append(
                    FieldProblem(
                        f"{name}[{position}]",
                        f"{_short(item)} is not permitted; expected one of: {', '.join(permitted)}",
                    )
                )
        return problems
    return _check_string(name, definition, value)


def validate(fields: dict[str, Any]) -> list[FieldProblem]:
    """Every problem of ``fields`` against the standard, in the standard's field order (unknown
    fields first). An empty list: the entry meets the standard."""
    problems = [
        FieldProblem(name, "unknown field; expected a field of the Algoritmeregister standard v1.0")
        for name in fields
        if name not in STANDARD
    ]
    for name, definition in STANDARD.items():
        value = fields.get(name)
        if is_empty(value):
            if definition.required:
                problems.append(FieldProblem(name, f"required: expected {definition.title}"))
            continue
        problems += _check(name, definition, value)
    return problems


def broken_fields(fields: dict[str, Any]) -> list[str]:
    """The fields whose text (or grouping items) contain U+FFFD."""
    return [name for name, value in fields.items() if BROKEN in json.dumps(value, ensure_ascii=False)]
