"""Matching a delivery's columns to its contract: known, unknown (reject or evolve), missing."""

from __future__ import annotations

from dataclasses import dataclass, field

from stadsdata.core.contract import Column, ColumnType, Contract, PersonalData, SchemaMode, Text
from stadsdata.engine import FieldSpec
from stadsdata.errors import DeliveryError


@dataclass
class ColumnPlan:
    fields: list[FieldSpec]
    new_columns: list[str] = field(default_factory=list)
    filled_with_null: list[str] = field(default_factory=list)


def plan_columns(contract: Contract, header: list[str], display: str) -> ColumnPlan:
    by_lower = {name.lower(): name for name in header}
    fields: list[FieldSpec] = []
    missing_required: list[str] = []
    missing_optional: list[str] = []
    for column in contract.columns:
        source = by_lower.get(column.name.lower())
        if source is None:
            (missing_optional if column.nullable else missing_required).append(column.name)
        fields.append(FieldSpec(column.name, column.type, source))
    known = {c.name.lower() for c in contract.columns}
    unknown = [name for name in header if name.lower() not in known]
    expected = ", ".join(contract.column_names[:8]) + (" ..." if len(contract.columns) > 8 else "")
    if missing_required:
        raise DeliveryError(
            f"{display}: header: missing required column{'s' if len(missing_required) > 1 else ''} "
            f"{', '.join(missing_required)}; expected the contract's columns ({expected})"
        )
    if contract.schema_mode == SchemaMode.reject:
        if unknown:
            raise DeliveryError(
                f"{display}: header: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                f"(the contract of {contract.id} has schema_mode: reject); expected only the contract's columns"
            )
        if missing_optional:
            raise DeliveryError(
                f"{display}: header: missing column{'s' if len(missing_optional) > 1 else ''} "
                f"{', '.join(missing_optional)} (schema_mode: reject); expected the contract's columns ({expected})"
            )
    for name in unknown:
        fields.append(FieldSpec(name, ColumnType.string, name))
    return ColumnPlan(fields=fields, new_columns=unknown, filled_with_null=missing_optional)


def evolved_column(name: str, kind: ColumnType, delivery_id: int) -> Column:
    """A column added by schema evolution: described as such, and treated as possibly personal
    (quasi-identifier) until the steward reviews it."""
    return Column(
        name=name,
        type=kind,
        description=Text(
            nl=f"Kolom toegevoegd door levering {delivery_id} (schema-evolutie); "
            "beschrijving nog aan te vullen door de steward.",
            en=f"Column added by delivery {delivery_id} (schema evolution); "
            "description to be completed by the steward.",
        ),
        nullable=True,
        personal_data=PersonalData.quasi_identifier,
    )
