"""Quality rules in the dataset contract, and the score of a version.

Each rule names its kind, the column(s) it applies to and a severity: ``blocking`` (a delivery
that breaks it is quarantined, not published) or ``warning`` (published, reported, scored).
Rules are evaluated by the engine in one pass over the staged data (never row by row in Python).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# CBS region code lists (gemeente, wijk, buurt)
CBS_REGION_PATTERN = r"^(GM\d{4}|WK\d{6}|BU\d{8})$"


class Severity(StrEnum):
    blocking = "blocking"
    warning = "warning"


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity = Severity.blocking
    description: str | None = None


class Completeness(_Rule):
    """At most ``max_empty`` (a share, 0..1) of the column's values may be empty."""

    rule: Literal["completeness"]
    column: str
    max_empty: Annotated[float, Field(ge=0, le=1)]


class Range(_Rule):
    """Every non-empty value lies in [min, max]."""

    rule: Literal["range"]
    column: str
    min: float | None = None
    max: float | None = None


class Pattern(_Rule):
    """Every non-empty value matches the regular expression (whole value)."""

    rule: Literal["pattern"]
    column: str
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


class AllowedValues(_Rule):
    """Every non-empty value is one of ``values``."""

    rule: Literal["allowed_values"]
    column: str
    values: Annotated[list[str], Field(min_length=1)]


class Unique(_Rule):
    """No two rows share the same values in ``columns``."""

    rule: Literal["unique"]
    columns: Annotated[list[str], Field(min_length=1)]


class RowSum(_Rule):
    """Within a row, the sum of ``columns`` equals ``total`` up to ``tolerance`` (rows with empties skipped)."""

    rule: Literal["row_sum"]
    columns: Annotated[list[str], Field(min_length=2)]
    total: str
    tolerance: Annotated[float, Field(ge=0)] = 0


Rule = Annotated[
    Completeness | Range | Pattern | AllowedValues | Unique | RowSum,
    Field(discriminator="rule"),
]


def rule_columns(rule: Rule) -> list[str]:
    if isinstance(rule, Unique):
        return list(rule.columns)
    if isinstance(rule, RowSum):
        return [*rule.columns, rule.total]
    return [rule.column]


def rule_label(rule: Rule) -> str:
    """A short, stable name for a rule: kind and columns."""
    columns = rule_columns(rule)
    return f"{rule.rule}({', '.join(columns)})"


def score(results: list[dict[str, object]]) -> float:
    """0..100: 100 x the weighted mean of the share of rows that pass each rule.

    A blocking rule weighs 2, a warning 1; a completeness rule passes in full when the share of
    empties is within its bound, and otherwise counts the empty share beyond it as failing.
    No rules: 100.
    """
    if not results:
        return 100.0
    total = weight_sum = 0.0
    for r in results:
        weight = 2.0 if r["severity"] == Severity.blocking else 1.0
        checked = float(r["checked"]) or 1.0  # type: ignore[arg-type]
        passed = 1.0 - min(1.0, float(r["failing"]) / checked)  # type: ignore[arg-type]
        total += weight * passed
        weight_sum += weight
    return round(100.0 * total / weight_sum, 1)
