"""Keyed pseudonyms and the generalisation of quasi-identifiers, and what a workspace does per column.

Pure Python (standard library only). The engine computes the same pseudonyms and rules in SQL when
it builds a workspace (``stadsdata.engine.duckdb_workspace``); tests hold both to the same answers.

- ``pseudonym(key, value)``: HMAC-SHA256 under the opgave's key of the value's canonical text
  (``canonical_text``), as the first 32 hex characters (128 bits). Same key, same value: same
  pseudonym, so joins inside an opgave work; another opgave's key gives unrelated pseudonyms.
- ``RULES``: the generalisation rules by name (``none``, ``drop``, ``year``, ``pc4``,
  ``age_band5``), each a small function from a value to its generalised value.
- ``Transform``: what happens to a column (keep, pseudonymise, generalise by a rule, exclude), and
  ``transform_for`` / ``plan_columns``: the transform of each column, from the contract.

docs/privacy.md describes the scheme and the rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from stadsdata.core.contract import Column, ColumnType, PersonalData
from stadsdata.engine.base import WORKSPACE_TRANSFORMS, WorkspaceColumn

KEY_BYTES = 32
#: Hex characters kept of the 64 of HMAC-SHA256: 128 bits, far beyond any chance of two values
#: of a register sharing a pseudonym (RFC 2104 allows truncation to half the output and more).
PSEUDONYM_HEX = 32
#: A timestamp's year is taken in this time zone (a birth at 00:30 on 1 January counts in the new year).
TIME_ZONE = "Europe/Amsterdam"
#: From this age on, one band (``100+``): very high ages are few and easy to single out.
AGE_TOP = 100
_PC4 = re.compile(r" *([1-9][0-9]{3}) ?([A-Za-z]{2})? *")


# -- keys and pseudonyms ----------------------------------------------------------------------
def new_key() -> bytes:
    """A fresh random key for one opgave: 32 bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def canonical_text(value: str | int | dt.date) -> str:
    """The text a value is pseudonymised as; the engine's ``CAST(value AS VARCHAR)`` gives the same.

    Text as it is (no trimming, case folding or Unicode normalisation: ``'0123'`` and ``'123'``
    differ), a whole number in decimal (``-12``), a date as ISO 8601 (``2019-03-01``). Other types
    (booleans, decimals, timestamps, geometries) are not identifiers and are refused.
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not pseudonymised")
    if isinstance(value, str | int):
        return str(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"expected text, a whole number or a date to pseudonymise; got {type(value).__name__}")


def pseudonym(key: bytes, value: str | int | dt.date) -> str:
    """HMAC-SHA256 of the value's canonical text (UTF-8) under ``key``, first 32 hex characters."""
    if len(key) < 16:
        raise ValueError(f"a pseudonym key needs at least 16 bytes; got {len(key)}")
    mac = hmac.new(key, canonical_text(value).encode("utf-8"), hashlib.sha256)
    return mac.hexdigest()[:PSEUDONYM_HEX]


# -- generalisation rules ---------------------------------------------------------------------
def _none(value: Any) -> Any:
    return value


def _drop(value: Any) -> None:
    return None


def year(value: dt.date | dt.datetime | None) -> int | None:
    """A date or timestamp -> its year. An aware timestamp is taken in Europe/Amsterdam time."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(ZoneInfo(TIME_ZONE))
    return value.year


def pc4(value: str | None) -> str | None:
    """A Dutch postcode -> its four digits: ``'2511 AB'``, ``'2511ab'``, ``' 2511'`` -> ``'2511'``.
    Anything that is not a postcode gives None (rather than passing an odd value through)."""
    if value is None:
        return None
    match = _PC4.fullmatch(value)
    return match.group(1) if match else None


def age_band5(value: int | None) -> str | None:
    """An age in whole years -> its five-year band: 37 -> ``'35-39'``; 100 and over -> ``'100+'``;
    a negative age -> None."""
    if value is None or value < 0:
        return None
    if value >= AGE_TOP:
        return f"{AGE_TOP}+"
    low = value // 5 * 5
    return f"{low}-{low + 4}"


@dataclass(frozen=True)
class Rule:
    """A generalisation rule: its name, the column types it applies to, and the function."""

    name: str
    types: frozenset[ColumnType]
    apply: Callable[[Any], Any]
    description: str


_ALL = frozenset(ColumnType)
RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule("none", _ALL, _none, "the value as it is"),
        Rule("drop", _ALL, _drop, "the column is left out"),
        Rule("year", frozenset({ColumnType.date, ColumnType.datetime}), year, "a date -> its year"),
        Rule("pc4", frozenset({ColumnType.string}), pc4, "a postcode -> its four digits (PC4)"),
        Rule("age_band5", frozenset({ColumnType.integer}), age_band5, "an age -> its five-year band"),
    )
}


def generalise(rule: str, value: Any) -> Any:
    """Apply a generalisation rule by name."""
    try:
        return RULES[rule].apply(value)
    except KeyError:
        raise ValueError(f"unknown generalisation rule {rule!r}; expected one of {sorted(RULES)}") from None


# -- transforms -------------------------------------------------------------------------------
class TransformKind(StrEnum):
    keep = "keep"
    pseudonymise = "pseudonymise"
    generalise = "generalise"
    exclude = "exclude"


@dataclass(frozen=True)
class Transform:
    """What happens to one column on its way into a workspace, and why (one line).

    ``str(transform)`` is its name as the engine takes it: ``keep``, ``pseudonymise``,
    ``generalise:<rule>``; ``exclude`` means the column is not in the workspace at all. The rules
    ``none`` and ``drop`` are normalised to keep and exclude.
    """

    kind: TransformKind
    rule: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if (self.kind == TransformKind.generalise) != (self.rule is not None):
            raise ValueError("a rule goes with generalise, and only with it")
        if self.rule is not None and self.rule not in RULES:
            raise ValueError(f"unknown generalisation rule {self.rule!r}; expected one of {sorted(RULES)}")

    def __str__(self) -> str:
        return f"generalise:{self.rule}" if self.kind == TransformKind.generalise else self.kind.value

    @classmethod
    def parse(cls, text: str, reason: str = "") -> Transform:
        """``keep``, ``pseudonymise``, ``exclude``, ``generalise:<rule>`` (``none`` -> keep, ``drop`` -> exclude)."""
        action, _, rule = text.partition(":")
        if action == TransformKind.generalise and rule:
            if rule == "none":
                return cls(TransformKind.keep, reason=reason)
            if rule == "drop":
                return cls(TransformKind.exclude, reason=reason)
            return cls(TransformKind.generalise, rule, reason)
        if action in TransformKind.__members__ and not rule and action != TransformKind.generalise:
            return cls(TransformKind(action), reason=reason)
        raise ValueError(
            f"unknown transform {text!r}; expected keep, pseudonymise, exclude or generalise:<rule> "
            f"with a rule in {sorted(RULES)}"
        )

    @property
    def included(self) -> bool:
        return self.kind != TransformKind.exclude

    def apply(self, key: bytes, value: Any) -> Any:
        """The Python reference of what the engine does to one value."""
        if self.kind == TransformKind.keep:
            return value
        if self.kind == TransformKind.pseudonymise:
            return None if value is None else pseudonym(key, value)
        if self.kind == TransformKind.generalise:
            return generalise(self.rule or "none", value)
        raise ValueError("an excluded column has no values in a workspace")


_POSTCODE_WORDS = ("postcode", "postal", "zipcode", "zip_code", "pc4", "pc5", "pc6")


def _words(column: Column) -> str:
    return f"{column.name} {column.unit or ''}".lower()


def is_postcode(column: Column) -> bool:
    """A text column is a postcode when its name or unit says so: it contains ``postcode``,
    ``postal``, ``zipcode``, ``zip_code`` or ``pc4``/``pc5``/``pc6`` (any case)."""
    return column.type == ColumnType.string and any(w in _words(column) for w in _POSTCODE_WORDS)


def _name_parts(name: str) -> list[str]:
    """``LeeftijdBijStart`` and ``age_at_start`` -> their words, lower case."""
    return [p.lower() for p in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+", name)]


def is_age(column: Column) -> bool:
    """A whole-number column is an age when a word of its name is ``age`` or starts with
    ``leeftijd`` (``Leeftijd``, ``LeeftijdBijStart``, ``age_at_start``), or its unit is
    ``leeftijd`` or ``age``. (``Average`` or ``agent_id`` are not.)"""
    if column.type != ColumnType.integer:
        return False
    parts = _name_parts(column.name)
    unit = (column.unit or "").strip().lower()
    return "age" in parts or any(p.startswith("leeftijd") for p in parts) or unit in ("leeftijd", "age")


def transform_for(column: Column, *, special_approved: bool = False) -> Transform:
    """The transform a column gets from its contract entry alone.

    - ``none``: keep.
    - ``direct_identifier``: pseudonymise (text, whole numbers, dates); other types are excluded.
    - ``quasi_identifier``: generalise by type: a date or timestamp -> ``year``; a text column
      named as a postcode (``is_postcode``) -> ``pc4``; a whole-number age (``is_age``) ->
      ``age_band5``. A quasi-identifier with no rule is excluded: an explicit override keeps it.
    - ``special_category``: keep only when explicitly approved, else excluded.
    """
    flag = column.personal_data
    if flag == PersonalData.none:
        return Transform(TransformKind.keep, reason="no personal data")
    if flag == PersonalData.direct_identifier:
        if column.type in (ColumnType.string, ColumnType.integer, ColumnType.date):
            return Transform(TransformKind.pseudonymise, reason="direct identifier: keyed pseudonym")
        return Transform(
            TransformKind.exclude, reason=f"direct identifier of type {column.type.value}: cannot be pseudonymised"
        )
    if flag == PersonalData.quasi_identifier:
        if column.type in (ColumnType.date, ColumnType.datetime):
            return Transform(TransformKind.generalise, "year", "quasi-identifier (date): year only")
        if is_postcode(column):
            return Transform(TransformKind.generalise, "pc4", "quasi-identifier (postcode): four digits only")
        if is_age(column):
            return Transform(TransformKind.generalise, "age_band5", "quasi-identifier (age): five-year band")
        return Transform(TransformKind.exclude, reason="quasi-identifier without a generalisation rule: excluded")
    if special_approved:
        return Transform(TransformKind.keep, reason="special category: explicitly approved")
    return Transform(TransformKind.exclude, reason="special category: not explicitly approved")


@dataclass(frozen=True)
class ColumnPlan:
    """One column of a dataset and what the workspace does with it."""

    name: str
    type: ColumnType
    personal_data: PersonalData
    transform: Transform


def plan_columns(
    columns: Iterable[Column],
    *,
    approved: Iterable[str] | None = None,
    special_approved: Iterable[str] = (),
    overrides: Mapping[str, str] | None = None,
) -> list[ColumnPlan]:
    """The transform of every column of a contract, in contract order.

    ``approved`` names the columns the opgave got (None: all); the rest are excluded.
    ``special_approved`` names the special-category columns explicitly approved.
    ``overrides`` maps a column to a transform text a data owner approved instead of the derived
    one (``generalise:pc4`` for a postcode column the name does not reveal, ``keep`` for a
    quasi-identifier such as a wijk code). An override can only pseudonymise or exclude a direct
    identifier, never include an unapproved special-category column, and must fit the column's type.
    """
    approved_set = None if approved is None else set(approved)
    special = set(special_approved)
    overrides = dict(overrides or {})
    names = set()
    plans = []
    for column in columns:
        names.add(column.name)
        if approved_set is not None and column.name not in approved_set:
            transform = Transform(TransformKind.exclude, reason="not approved for this opgave")
        else:
            transform = transform_for(column, special_approved=column.name in special)
            if column.name in overrides:
                transform = _override(column, overrides[column.name], special_approved=column.name in special)
        plans.append(ColumnPlan(column.name, column.type, column.personal_data, transform))
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"overrides name unknown columns {unknown}")
    return plans


def _override(column: Column, text: str, *, special_approved: bool) -> Transform:
    transform = Transform.parse(text, reason="approved by the data owner")
    flag = column.personal_data
    if flag == PersonalData.direct_identifier and transform.kind not in (
        TransformKind.pseudonymise,
        TransformKind.exclude,
    ):
        raise ValueError(f"column {column.name!r} is a direct identifier: it is pseudonymised or excluded, never kept")
    if transform.included and flag == PersonalData.special_category and not special_approved:
        raise ValueError(f"column {column.name!r} is a special category: including it needs its explicit approval")
    if transform.kind == TransformKind.pseudonymise and column.type not in (
        ColumnType.string,
        ColumnType.integer,
        ColumnType.date,
    ):
        raise ValueError(f"column {column.name!r}: a {column.type.value} column cannot be pseudonymised")
    if transform.rule and column.type not in RULES[transform.rule].types:
        raise ValueError(
            f"column {column.name!r}: rule {transform.rule} does not apply to a {column.type.value} column"
        )
    return transform


def workspace_columns(plans: Iterable[ColumnPlan]) -> list[WorkspaceColumn]:
    """The engine's column specs for the included columns of a plan."""
    out = [WorkspaceColumn(p.name, p.type, str(p.transform)) for p in plans if p.transform.included]
    for c in out:
        if c.transform not in WORKSPACE_TRANSFORMS:  # pragma: no cover - kept in step by a test
            raise ValueError(f"the engine has no transform {c.transform!r}")
    return out
