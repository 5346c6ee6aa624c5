"""Quality rules in the dataset contract, and the score of a version.

Each rule names its kind, the column(s) it applies to and a severity: ``blocking`` (a delivery
that breaks it is quarantined, not published) or ``warning`` (published, reported, scored).
Rules are evaluated by the engine in one pass over the staged data (never row by row in Python).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from stadsdata.core.identifiers import dataset_id_value

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


class Reference(_Rule):
    """Every non-empty value occurs in ``to_column`` of another dataset's current version:
    referential integrity, or membership of a reference table such as a CBS region list."""

    rule: Literal["reference"]
    column: str
    dataset: str
    to_column: str | None = None  # default: the same name as ``column``

    @field_validator("dataset")
    @classmethod
    def _dataset_id(cls, value: str) -> str:
        return dataset_id_value(value)

    @property
    def target(self) -> str:
        return self.to_column or self.column


class Timeliness(_Rule):
    """The delivery comes no later than the contract's ``update_frequency`` promises, counted
    from the previous version, plus ``grace_days``."""

    rule: Literal["timeliness"]
    grace_days: Annotated[int, Field(ge=0)] = 0


class Change(_Rule):
    """Against the previous version: the row count, or a column's mean, changes by at most
    ``max_change`` (a share: 0.2 is 20 % up or down)."""

    rule: Literal["change"]
    metric: Literal["row_count", "mean"]
    column: str | None = None
    max_change: Annotated[float, Field(gt=0)]

    @model_validator(mode="after")
    def _column_for_mean(self) -> Change:
        if (self.metric == "mean") != (self.column is not None):
            raise ValueError("metric 'mean' needs a column; metric 'row_count' takes none")
        return self


Rule = Annotated[
    Completeness | Range | Pattern | AllowedValues | Unique | RowSum | Reference | Timeliness | Change,
    Field(discriminator="rule"),
]

# Rules on the version as a whole, evaluated here from the profiles and the metastore's times;
# every other rule is evaluated by the engine on the delivered rows.
VERSION_RULES = ("timeliness", "change")

# Days between deliveries that an update frequency promises (others promise no date).
FREQUENCY_DAYS = {"continuous": 1, "daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "annual": 366}


def rule_columns(rule: Rule) -> list[str]:
    if isinstance(rule, Unique):
        return list(rule.columns)
    if isinstance(rule, RowSum):
        return [*rule.columns, rule.total]
    if isinstance(rule, Timeliness):
        return []
    if isinstance(rule, Change):
        return [rule.column] if rule.column else []
    return [rule.column]


def rule_label(rule: Rule) -> str:
    """A short, stable name for a rule: kind and columns (or what it measures)."""
    if isinstance(rule, Reference):
        return f"reference({rule.column} -> {rule.dataset}.{rule.target})"
    if isinstance(rule, Timeliness):
        return "timeliness"
    if isinstance(rule, Change):
        return f"change(mean of {rule.column})" if rule.column else "change(row_count)"
    return f"{rule.rule}({', '.join(rule_columns(rule))})"


def result(rule: Rule, checked: int, failing: int, passed: bool, detail: str, **facts: Any) -> dict[str, Any]:
    """One rule's outcome as stored with the version. ``facts`` hold the measured numbers that
    ``describe`` turns into a sentence in Dutch or English."""
    return {
        "rule": rule_label(rule),
        "kind": rule.rule,
        "columns": rule_columns(rule),
        "severity": rule.severity.value,
        "checked": checked,
        "failing": failing,
        "passed": passed,
        "detail": detail,
        "description": rule.description,
        "facts": facts,
        "examples": [],
    }


def skipped(rule: Rule, reason: str, code: str, **facts: Any) -> dict[str, Any]:
    """A rule that could not be evaluated (no previous version, reference dataset not loaded):
    reported, not scored, never blocking."""
    out = result(rule, 0, 0, True, f"not checked: {reason}", **facts)
    out["skipped"] = code
    return out


def check_timeliness(
    rule: Timeliness, frequency: str, previous_at: dt.datetime | None, delivered_at: dt.datetime
) -> dict[str, Any]:
    if previous_at is None:
        return skipped(rule, "the first version has nothing to be late after", "first_version")
    allowed = FREQUENCY_DAYS[frequency] + rule.grace_days
    days = (delivered_at - previous_at).total_seconds() / 86400
    late = days > allowed
    detail = f"delivered {days:.1f} days after the previous version; {frequency} promises at most {allowed} days"
    facts = {"days": round(days, 1), "allowed_days": allowed, "frequency": frequency}
    return result(rule, 1, int(late), not late, detail, **facts)


def _mean_of(profile: dict[str, Any], column: str) -> float | None:
    for col in profile.get("columns", []):
        if col["name"] == column:
            return col.get("mean")
    return None


def check_change(rule: Change, profile: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """Compare two version profiles (this version's and the previous one's)."""
    if previous is None:
        return skipped(rule, "there is no previous version (with a profile) to compare with", "first_version")
    if rule.metric == "row_count":
        before, after = previous.get("rows"), profile.get("rows")
    else:
        assert rule.column is not None
        before, after = _mean_of(previous, rule.column), _mean_of(profile, rule.column)
    if before is None or after is None:
        return skipped(rule, "the column has no mean in one of the versions", "no_mean")
    before, after = float(before), float(after)
    if before == 0:
        change = 0.0 if after == 0 else math.inf
    else:
        change = abs(after - before) / abs(before)
    broken = change > rule.max_change
    what = "row count" if rule.metric == "row_count" else f"mean of {rule.column}"
    shown = "∞" if math.isinf(change) else f"{change:.1%}"
    detail = f"{what} {_fmt(before)} -> {_fmt(after)} ({shown}); at most {rule.max_change:.0%} allowed"
    facts = {
        "metric": rule.metric,
        "previous": before,
        "current": after,
        "change": None if math.isinf(change) else round(change, 4),
        "max_change": rule.max_change,
    }
    return result(rule, 1, int(broken), not broken, detail, **facts)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.4g}"


def score(results: list[dict[str, object]]) -> float:
    """0..100: 100 x the weighted mean of the share of rows that pass each rule.

    A blocking rule weighs 2, a warning 1; a completeness rule passes in full when the share of
    empties is within its bound, and otherwise counts the empty share beyond it as failing.
    Skipped rules (not evaluated) do not count. No rules: 100.
    """
    scored = [r for r in results if not r.get("skipped")]
    if not scored:
        return 100.0
    total = weight_sum = 0.0
    for r in scored:
        weight = 2.0 if r["severity"] == Severity.blocking else 1.0
        checked = float(r["checked"]) or 1.0  # type: ignore[arg-type]
        passed = 1.0 - min(1.0, float(r["failing"]) / checked)  # type: ignore[arg-type]
        total += weight * passed
        weight_sum += weight
    return round(100.0 * total / weight_sum, 1)
