"""Indicator definitions as files: ``<id>.yaml`` per indicator and ``themes.yaml`` per folder.

The shipped definitions live in ``demo/indicators/``; a city adds or replaces its own in
``<home>/indicators/`` (a file there with the id of a shipped one replaces it; a theme, product
or monitor in its ``themes.yaml`` with the id of a shipped one replaces that). Every problem is
one ``IndicatorError`` line that names the file, the field and what was expected.

An expression is SQL over CBS *base* column names (the OData name without its ``_NN`` suffix,
e.g. ``1000.0 * WmoClienten / NULLIF(AantalInwoners, 0)``). Only arithmetic, numbers, column
names, ``NULLIF``, ``COALESCE``, ``GREATEST`` and ``LEAST`` are allowed, so that the same
expression runs on any engine and can be checked without running it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stadsdata.errors import IndicatorError
from stadsdata.indicators.model import Direction, IndicatorDef, Level, Monitor, Product, Text, Theme

ID = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
THEMES_FILE = "themes.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
REQUIRED = ("id", "title", "description", "theme", "unit", "definition", "levels", "direction")
OPTIONAL = ("notes", "decimals", "sources", "exclude_sources")


def base_name(column: str) -> str:
    """The binding key of a column: without a ``_NN`` suffix, lower case, without underscores.

    ``GemiddeldInkomenPerInwoner_66`` (KWB 2017), ``GemiddeldInkomenPerInwoner_72`` (KWB 2019)
    and ``gemiddeldinkomenperinwoner`` (the Wmo panel) all become ``gemiddeldinkomenperinwoner``."""
    return re.sub(r"_\d+$", "", column).replace("_", "").lower()


@dataclass(frozen=True)
class Binding:
    """Where a definition may take its figures from: dataset id patterns (fnmatch), both optional."""

    sources: tuple[str, ...] = ()
    exclude_sources: tuple[str, ...] = ()

    def allows(self, dataset_id: str) -> bool:
        from fnmatch import fnmatchcase

        if self.sources and not any(fnmatchcase(dataset_id, p) for p in self.sources):
            return False
        return not any(fnmatchcase(dataset_id, p) for p in self.exclude_sources)


@dataclass(frozen=True)
class IndicatorSet:
    """One consistent, validated set of definitions, themes, products and monitors."""

    definitions: dict[str, IndicatorDef]
    themes: dict[str, Theme]
    products: dict[str, Product]
    monitors: dict[str, Monitor]
    bindings: dict[str, Binding] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # the files it was read from


def _fail(file: Path, fieldname: str, expected: str, got: Any = None) -> IndicatorError:
    shown = "" if got is None else f"; got {str(got)[:80]!r}"
    return IndicatorError(f"{file}: field {fieldname!r}: expected {expected}{shown}")


def _text(file: Path, fieldname: str, value: Any, *, required: bool = True) -> Text | None:
    if value is None and not required:
        return None
    if isinstance(value, str) and value.strip():
        return Text(value.strip())
    if isinstance(value, dict) and isinstance(value.get("nl"), str) and value["nl"].strip():
        unknown = set(value) - {"nl", "en"}
        en = value.get("en")
        if unknown or (en is not None and not isinstance(en, str)):
            raise _fail(file, fieldname, "a text, or nl and en texts", value)
        return Text(value["nl"].strip(), en.strip() if en else None)
    raise _fail(file, fieldname, "a text, or a mapping with a non-empty nl (and an en) text", value)


def _id(file: Path, fieldname: str, value: Any) -> str:
    if not isinstance(value, str) or not ID.fullmatch(value):
        raise _fail(file, fieldname, "an id of lower-case letters, digits and _ (2-64, starting with a letter)", value)
    return value


def _ids(file: Path, fieldname: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise _fail(file, fieldname, "a non-empty list of indicator ids", value)
    return tuple(_id(file, f"{fieldname}[{i}]", v) for i, v in enumerate(value))


def _patterns(file: Path, fieldname: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(file, fieldname, "a list of dataset ids (patterns with * allowed)", value)
    return tuple(value)


def parse_expression(file: Path, value: Any) -> tuple[str, tuple[str, ...]]:
    """The expression (normalised) and the base column names it uses, or the error of ``file``."""
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    if not isinstance(value, str) or not value.strip():
        raise _fail(file, "definition", "an SQL expression over CBS column names")
    try:
        tree = sqlglot.parse_one(value, read="duckdb")
    except ParseError as exc:
        first = str(exc).splitlines()[0]
        raise _fail(file, "definition", f"a valid SQL expression ({first})") from None
    allowed = (
        exp.Column,
        exp.Identifier,
        exp.Literal,
        exp.Paren,
        exp.Neg,
        exp.Add,
        exp.Sub,
        exp.Mul,
        exp.Div,
        exp.Nullif,
        exp.Coalesce,
        exp.Greatest,
        exp.Least,
    )
    columns: list[str] = []
    for node in tree.walk(bfs=False):
        if not isinstance(node, allowed):
            raise _fail(
                file,
                "definition",
                "arithmetic (+ - * /) over column names and numbers, NULLIF, COALESCE, GREATEST or LEAST; "
                f"not {node.key.upper()}",
                value,
            )
        if isinstance(node, exp.Column):
            if node.table:
                raise _fail(file, "definition", "plain column names, without a table", value)
            columns.append(node.name)
        if isinstance(node, exp.Literal) and node.is_string:
            raise _fail(file, "definition", "numbers, not text literals", value)
    if not columns:
        raise _fail(file, "definition", "an expression that uses at least one column", value)
    return tree.sql(dialect="duckdb"), tuple(dict.fromkeys(columns))


def parse_definition(file: Path, data: Any) -> tuple[IndicatorDef, Binding]:
    if not isinstance(data, dict):
        raise _fail(file, "(file)", "a YAML mapping with the fields " + ", ".join(REQUIRED))
    for name in REQUIRED:
        if name not in data:
            raise _fail(file, name, "a value (required)")
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise _fail(file, unknown[0], "one of the fields " + ", ".join(REQUIRED + OPTIONAL))
    ident = _id(file, "id", data["id"])
    if file.stem != ident:
        raise _fail(file, "id", f"the file name without .yaml ({file.stem!r})", ident)
    levels = data["levels"]
    if not isinstance(levels, list) or not levels or not all(v in Level.__members__ for v in levels):
        raise _fail(file, "levels", "a non-empty list of " + ", ".join(Level.__members__), levels)
    if data["direction"] not in Direction.__members__:
        raise _fail(file, "direction", "one of " + ", ".join(Direction.__members__), data["direction"])
    decimals = data.get("decimals", 1)
    if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 4:
        raise _fail(file, "decimals", "a whole number from 0 to 4", decimals)
    expression, requires = parse_expression(file, data["definition"])
    definition = IndicatorDef(
        id=ident,
        title=_text(file, "title", data["title"]),  # type: ignore[arg-type]
        description=_text(file, "description", data["description"]),  # type: ignore[arg-type]
        theme=_id(file, "theme", data["theme"]),
        unit=_text(file, "unit", data["unit"]),  # type: ignore[arg-type]
        levels=tuple(Level(v) for v in dict.fromkeys(levels)),
        direction=Direction(data["direction"]),
        expression=expression,
        requires=requires,
        notes=_text(file, "notes", data.get("notes"), required=False),
        decimals=decimals,
    )
    binding = Binding(
        _patterns(file, "sources", data.get("sources")),
        _patterns(file, "exclude_sources", data.get("exclude_sources")),
    )
    return definition, binding


def _read_yaml(file: Path) -> Any:
    try:
        return yaml.load(file.read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise _fail(file, "(file)", f"valid YAML{where}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(file, "(file)", f"a readable UTF-8 file ({exc})") from None


def _themes_file(file: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    data = _read_yaml(file) or {}
    if not isinstance(data, dict) or set(data) - {"themes", "products", "monitors"}:
        raise _fail(file, "(file)", "a mapping with themes, products and monitors")
    parts = []
    for part in ("themes", "products", "monitors"):
        items = data.get(part) or []
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise _fail(file, part, "a list of mappings")
        parts.append(items)
    return parts[0], parts[1], parts[2]


def load_set(folders: list[Path]) -> IndicatorSet:
    """Read every folder in order (later folders add to and replace earlier ones) and check the
    whole: every theme an indicator names exists, every indicator a theme, product or monitor
    lists exists. Raises IndicatorError on the first problem."""
    definitions: dict[str, IndicatorDef] = {}
    bindings: dict[str, Binding] = {}
    sources: dict[str, Path] = {}
    raw: dict[str, dict[str, tuple[Path, dict[str, Any]]]] = {"themes": {}, "products": {}, "monitors": {}}
    files: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob("*.yaml")):
            files.append(str(file))
            if file.name == THEMES_FILE:
                for part, items in zip(("themes", "products", "monitors"), _themes_file(file), strict=True):
                    for i, item in enumerate(items):
                        raw[part][_id(file, f"{part}[{i}].id", item.get("id"))] = (file, item)
                continue
            definition, binding = parse_definition(file, _read_yaml(file))
            definitions[definition.id] = definition
            bindings[definition.id] = binding
            sources[definition.id] = file
    themes: dict[str, Theme] = {}
    for ident, (file, item) in raw["themes"].items():
        listed = tuple(item.get("indicators") or ())
        if listed:
            listed = _ids(file, f"themes[{ident}].indicators", list(listed))
        for name in listed:
            if name not in definitions:
                raise _fail(file, f"themes[{ident}].indicators", "ids of existing indicators", name)
        own = [d.id for d in definitions.values() if d.theme == ident and d.id not in listed]
        themes[ident] = Theme(
            id=ident,
            title=_text(file, f"themes[{ident}].title", item.get("title")),  # type: ignore[arg-type]
            description=_text(file, f"themes[{ident}].description", item.get("description")),  # type: ignore[arg-type]
            indicators=tuple(n for n in listed if definitions[n].theme == ident) + tuple(sorted(own)),
        )
    for ident, definition in definitions.items():
        if definition.theme not in themes:
            raise _fail(
                sources[ident],
                "theme",
                "the id of a theme in themes.yaml (" + ", ".join(sorted(themes)) + ")",
                definition.theme,
            )
    products: dict[str, Product] = {}
    for ident, (file, item) in raw["products"].items():
        indicators = _ids(file, f"products[{ident}].indicators", item.get("indicators"))
        for name in indicators:
            if name not in definitions:
                raise _fail(file, f"products[{ident}].indicators", "ids of existing indicators", name)
        products[ident] = Product(
            id=ident,
            title=_text(file, f"products[{ident}].title", item.get("title")),  # type: ignore[arg-type]
            description=_text(file, f"products[{ident}].description", item.get("description")),  # type: ignore[arg-type]
            indicators=indicators,
        )
    monitors: dict[str, Monitor] = {}
    for ident, (file, item) in raw["monitors"].items():
        indicators = _ids(file, f"monitors[{ident}].indicators", item.get("indicators"))
        for name in indicators:
            if name not in definitions:
                raise _fail(file, f"monitors[{ident}].indicators", "ids of existing indicators", name)
        level = item.get("level")
        if level not in Level.__members__:
            raise _fail(file, f"monitors[{ident}].level", "one of " + ", ".join(Level.__members__), level)
        gemeente = item.get("gemeente")
        if not isinstance(gemeente, str) or not re.fullmatch(r"GM\d{4}", gemeente):
            raise _fail(file, f"monitors[{ident}].gemeente", "a gemeente code such as GM0518", gemeente)
        monitors[ident] = Monitor(
            id=ident,
            title=_text(file, f"monitors[{ident}].title", item.get("title")),  # type: ignore[arg-type]
            description=_text(file, f"monitors[{ident}].description", item.get("description")),  # type: ignore[arg-type]
            indicators=indicators,
            level=Level(level),
            gemeente=gemeente,
        )
    return IndicatorSet(definitions, themes, products, monitors, bindings, tuple(files))
