"""The dataset contract: one YAML file per dataset, the single source of truth.

Ingest, the catalogue, SQL, and later the API, access policy and DCAT export all read it.
A broken contract raises ContractError naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from stadsdata.core.identifiers import dataset_id_value
from stadsdata.core.quality import FREQUENCY_DAYS, Rule, rule_columns
from stadsdata.errors import ContractError

# libyaml's C parser and emitter where PyYAML has them: a contract read or written per ingest.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Classification(StrEnum):
    openbaar = "openbaar"
    intern = "intern"
    vertrouwelijk = "vertrouwelijk"
    geheim = "geheim"


class PersonalData(StrEnum):
    none = "none"
    direct_identifier = "direct_identifier"
    quasi_identifier = "quasi_identifier"
    special_category = "special_category"


class ColumnType(StrEnum):
    string = "string"
    integer = "integer"
    number = "number"
    boolean = "boolean"
    date = "date"
    datetime = "datetime"
    geometry = "geometry"


class SchemaMode(StrEnum):
    """What a delivery with columns the contract does not know does to the dataset."""

    reject = "reject"  # the delivery is rejected
    evolve = "evolve"  # the column is added to the table and to the contract


class LoadMode(StrEnum):
    """What a loaded delivery is: the whole table anew, or rows added to the current version."""

    replace = "replace"  # every delivery is a complete table (a new snapshot)
    append = "append"  # every delivery adds rows; keys must be new


class UpdateFrequency(StrEnum):
    continuous = "continuous"
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"
    irregular = "irregular"
    never = "never"


#: An update frequency in words: (Dutch, English).
FREQUENCY_LABELS: dict[str, tuple[str, str]] = {
    "continuous": ("Doorlopend", "Continuous"),
    "daily": ("Dagelijks", "Daily"),
    "weekly": ("Wekelijks", "Weekly"),
    "monthly": ("Maandelijks", "Monthly"),
    "quarterly": ("Per kwartaal", "Quarterly"),
    "annual": ("Jaarlijks", "Annual"),
    "irregular": ("Onregelmatig", "Irregular"),
    "never": ("Wordt niet bijgewerkt", "Not updated"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Text(_Strict):
    """A text in Dutch (required) and English (optional, falls back to Dutch)."""

    nl: Annotated[str, Field(min_length=1)]
    en: str | None = None

    def get(self, lang: str = "nl") -> str:
        return (self.en if lang == "en" and self.en else self.nl).strip()


class Column(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=128)]
    type: ColumnType
    unit: str | None = None
    description: Text
    nullable: bool = True
    personal_data: PersonalData = PersonalData.none

    @field_validator("name")
    @classmethod
    def _name_chars(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            raise ValueError("expected letters, digits and _ only, starting with a letter or _")
        return value


class TemporalCoverage(_Strict):
    start: dt.date | None = None
    end: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TemporalCoverage:
        if self.start and self.end and self.end < self.start:
            raise ValueError("end is before start")
        return self


class Retention(_Strict):
    """How long versions are kept: an ISO 8601 duration (P10Y) or 'permanent' (archival value)."""

    period: str
    reason: str | None = None

    @field_validator("period")
    @classmethod
    def _iso_or_permanent(cls, value: str) -> str:
        if value != "permanent" and not re.fullmatch(r"P(\d+Y)?(\d+M)?(\d+D)?", value) or value == "P":
            raise ValueError("expected an ISO 8601 duration such as P7Y or P18M, or 'permanent'")
        return value


class Source(_Strict):
    publisher: str
    url: str | None = None
    attribution: str
    retrieved_from: str | None = None


class Contract(_Strict):
    id: str
    title: Text
    description: Text
    owner_dienst: Annotated[str, Field(min_length=1)]
    data_owner: Annotated[str, Field(min_length=1)]
    steward: Annotated[str, Field(min_length=1)]
    contact_email: str | None = None
    themes: Annotated[list[str], Field(min_length=1)]
    keywords: list[str] = []
    classification: Classification
    licence: Annotated[str, Field(min_length=1)]
    update_frequency: UpdateFrequency
    spatial_coverage: Annotated[str, Field(min_length=1)]
    temporal_coverage: TemporalCoverage
    legal_basis: Annotated[str, Field(min_length=1)]
    retention: Retention
    source: Source | None = None
    schema_mode: SchemaMode = SchemaMode.reject
    load_mode: LoadMode = LoadMode.replace
    key: list[str] = []
    columns: Annotated[list[Column], Field(min_length=1)]
    quality: list[Rule] = []
    #: the smallest count a published cell of this dataset's data may have (default: the setting)
    disclosure_threshold: Annotated[int, Field(ge=2, le=1000)] | None = None

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return dataset_id_value(value)

    @model_validator(mode="after")
    def _columns_consistent(self) -> Contract:
        names = [c.name for c in self.columns]
        lowered = [n.lower() for n in names]
        duplicates = sorted({n for n in names if lowered.count(n.lower()) > 1})
        if duplicates:
            raise ValueError(f"duplicate column names {duplicates}")
        for key in self.key:
            if key not in names:
                raise ValueError(f"key column {key!r} is not among the columns")
            if self.column(key).nullable:
                raise ValueError(f"key column {key!r} must have nullable: false")
        if sum(c.type == ColumnType.geometry for c in self.columns) > 1:
            raise ValueError("at most one geometry column")
        for position, rule in enumerate(self.quality):
            for column in rule_columns(rule):
                if column not in names:
                    raise ValueError(f"quality rule {position + 1} ({rule.rule}): unknown column {column!r}")
            if rule.rule == "timeliness" and self.update_frequency.value not in FREQUENCY_DAYS:
                raise ValueError(
                    f"quality rule {position + 1} (timeliness): update_frequency {self.update_frequency.value!r} "
                    f"promises no date; expected one of {', '.join(FREQUENCY_DAYS)}"
                )
            if rule.rule == "change" and rule.column is not None:
                if self.column(rule.column).type not in (ColumnType.integer, ColumnType.number):
                    raise ValueError(
                        f"quality rule {position + 1} (change): column {rule.column!r} is not numeric; "
                        "a mean needs an integer or number column"
                    )
            if rule.rule == "reference" and rule.dataset == self.id:
                raise ValueError(f"quality rule {position + 1} (reference): a dataset cannot reference itself")
        return self

    # -- helpers ---------------------------------------------------------------------
    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def geometry_column(self) -> str | None:
        return next((c.name for c in self.columns if c.type == ColumnType.geometry), None)

    def to_data(self) -> dict[str, Any]:
        """Plain data, ready for YAML or JSON."""
        return self.model_dump(mode="json", exclude_none=True)

    def to_yaml(self) -> str:
        return yaml.dump(self.to_data(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.to_yaml().encode("utf-8")).hexdigest()

    def renamed(self, new_id: str, title: str | None = None) -> Contract:
        """The same contract under another id (``ingest --like``), optionally with a new title."""
        data = self.to_data()
        data["id"] = new_id
        if title:
            data["title"] = {"nl": title, "en": title}
        return Contract.model_validate(data)

    def with_added_columns(self, columns: list[Column]) -> Contract:
        data = self.to_data()
        data["columns"] = data["columns"] + [c.model_dump(mode="json", exclude_none=True) for c in columns]
        return Contract.model_validate(data)


def _location(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic location such as ('columns', 3, 'type') into 'columns[3] (Foo).type'."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                name = node[item].get("name")
                if name:
                    label = f"[{item}] ({name})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
        try:
            node = node[item]
        except (KeyError, IndexError, TypeError):
            node = None
    return "".join(parts) or "(top level)"


def parse_contract(data: Any, *, source: str) -> Contract:
    """Validate plain data as a contract; errors name ``source`` and the field."""
    if not isinstance(data, dict):
        raise ContractError(f"{source}: expected a mapping of contract fields at the top level")
    try:
        return Contract.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _location(tuple(first["loc"]), data)
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "missing":
            message = "required field is missing"
        elif first["type"] == "extra_forbidden":
            message = "unknown field (check the spelling against docs/contracts.md)"
        more = f" (and {len(exc.errors()) - 1} more problems)" if len(exc.errors()) > 1 else ""
        raise ContractError(f"{source}: field {where}: {message}{more}") from None


def load_contract(path: Path) -> Contract:
    """Read and validate one contract file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError(f"{path}: contract file not found") from None
    except UnicodeDecodeError as exc:
        raise ContractError(f"{path}: not UTF-8 text (byte {exc.start}); expected a UTF-8 YAML file") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader (libyaml's when present)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ContractError(f"{path}:{where}: {problem}; expected valid YAML") from None
    contract = parse_contract(data, source=str(path))
    if path.stem != contract.id:
        raise ContractError(f"{path}: field id: {contract.id!r} does not match the file name; expected {path.stem!r}")
    return contract
