"""The rows API's query language, checked against the columns of one dataset version.

``?fields=a,b&sort=a,-b&limit=100&col=value&col__gt=5&col__in=1,2`` becomes plain engine
objects (``Condition``, ``SortKey``). Every identifier must be a column of the version; every
value is parsed per the column's contract type; anything else is a ``RowsQueryError`` (400)
whose one-line message names the parameter, the column and what was expected. No text from the
request ever reaches SQL except as a bound value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from stadsdata.core.contract import ColumnType
from stadsdata.engine.base import ROW_POSITION, Condition, FilterOp, SortKey
from stadsdata.errors import StadsdataError

#: Query parameters that are not filters (a column with one of these names: use ``name__exact``).
RESERVED = ("format", "version", "fields", "sort", "limit", "offset", "cursor")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000  # rows per JSON page
MAX_FILE_LIMIT = 2**53  # files: any row count, within what every engine takes as a LIMIT
MAX_OFFSET = 10_000  # deeper than this: follow the keyset cursor in ``next``
MAX_FILTERS = 50
MAX_IN_VALUES = 500
MAX_SORT_KEYS = 8
MAX_VALUE_CHARS = 4096
INT64 = (-(2**63), 2**63 - 1)

EXPECTED = {
    ColumnType.string: "text",
    ColumnType.integer: "a whole number",
    ColumnType.number: "a number such as 12.5 (decimal point)",
    ColumnType.boolean: "true or false",
    ColumnType.date: "a date YYYY-MM-DD",
    ColumnType.datetime: "a date and time in ISO 8601, e.g. 2024-05-01T12:00:00Z",
    ColumnType.geometry: "a geometry",
}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


class RowsQueryError(StadsdataError):
    """A rows request that cannot be answered as asked: names the parameter and what was expected."""

    http_status = 400


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: ColumnType
    nullable: bool = True


@dataclass(frozen=True)
class RowsRequest:
    """A checked rows request, ready for the engine (the cursor is decoded later, by the service)."""

    fields: tuple[str, ...]
    conditions: tuple[Condition, ...]
    order: tuple[SortKey, ...]
    limit: int | None
    offset: int
    cursor: str | None

    def fingerprint(self) -> str:
        """What a cursor is bound to: the filters and the sort order (not the fields or the page size)."""
        text = repr((sorted(repr(c) for c in self.conditions), [(k.column, k.descending) for k in self.order]))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


class QueryParser:
    """Checks the parameters of one rows request against one version's columns."""

    def __init__(self, dataset_id: str, columns: list[ColumnInfo], key: list[str]) -> None:
        self.dataset_id = dataset_id
        self.columns = {c.name: c for c in columns}
        self.key = [k for k in key if k in self.columns]
        if len(self.key) != len(key):
            self.key = []

    # -- helpers ---------------------------------------------------------------------------------
    def _unknown(self, name: str, param: str) -> RowsQueryError:
        close = difflib.get_close_matches(name, list(self.columns), n=1, cutoff=0.75)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        where = f" in {param}" if param else ""
        return RowsQueryError(
            f"unknown column {name!r}{where}{hint}; the columns of {self.dataset_id!r} are listed at "
            f"/api/v1/datasets/{self.dataset_id}"
        )

    def column(self, name: str, param: str = "") -> ColumnInfo:
        try:
            return self.columns[name]
        except KeyError:
            raise self._unknown(name, param) from None

    def _names(self, text: str, param: str) -> list[str]:
        items = [item.strip() for item in text.split(",")]
        if not text.strip() or any(not item for item in items):
            raise RowsQueryError(f"{param}: expected column names separated by commas, got {text!r}")
        return items

    # -- the parts -------------------------------------------------------------------------------
    def fields(self, text: str | None) -> tuple[str, ...]:
        if text is None:
            return tuple(self.columns)
        names = self._names(text, "fields")
        seen: dict[str, None] = {}
        for name in names:
            self.column(name, "fields")
            seen[name] = None
        return tuple(seen)

    def order(self, text: str | None) -> tuple[SortKey, ...]:
        keys: list[SortKey] = []
        if text is not None:
            names = self._names(text, "sort")
            if len(names) > MAX_SORT_KEYS:
                raise RowsQueryError(f"sort: {len(names)} columns; expected at most {MAX_SORT_KEYS}")
            for item in names:
                descending = item.startswith("-")
                name = item.lstrip("-+").strip()
                col = self.column(name, "sort")
                if col.type == ColumnType.geometry:
                    raise RowsQueryError(f"sort: column {name!r} is a geometry and cannot be sorted on")
                if any(k.column == name for k in keys):
                    raise RowsQueryError(f"sort: column {name!r} is listed twice")
                keys.append(SortKey(name, descending, col.nullable))
        # Make the order total, so that a keyset position is never ambiguous: end with the key.
        tail = self.key or [ROW_POSITION]
        for name in tail:
            if not any(k.column == name for k in keys):
                nullable = self.columns[name].nullable if name in self.columns else False
                keys.append(SortKey(name, False, nullable))
        return tuple(keys)

    def limit(self, value: int | None, *, paged: bool) -> int | None:
        if value is None:
            return DEFAULT_LIMIT if paged else None
        if value < 0:
            raise RowsQueryError(f"limit: {value} is negative; expected 0 to {MAX_LIMIT}")
        if paged and value > MAX_LIMIT:
            raise RowsQueryError(
                f"limit: {value} is over the maximum of {MAX_LIMIT} rows per JSON page; follow 'next', "
                "or download everything with format=csv or format=parquet"
            )
        if value > MAX_FILE_LIMIT:
            raise RowsQueryError(f"limit: {value} is over the maximum of {MAX_FILE_LIMIT}; leave it out for every row")
        return value

    def offset(self, value: int | None) -> int:
        if value is None:
            return 0
        if value < 0:
            raise RowsQueryError(f"offset: {value} is negative; expected 0 to {MAX_OFFSET}")
        if value > MAX_OFFSET:
            raise RowsQueryError(
                f"offset: {value} is over the maximum of {MAX_OFFSET}; page deeper by following 'next' (a cursor)"
            )
        return value

    def conditions(self, params: list[tuple[str, str]]) -> tuple[Condition, ...]:
        found: list[Condition] = []
        for param, raw in params:
            if param in RESERVED:
                continue
            if len(found) >= MAX_FILTERS:
                raise RowsQueryError(f"too many filters; expected at most {MAX_FILTERS}")
            found.append(self.condition(param, raw))
        return tuple(found)

    def condition(self, param: str, raw: str) -> Condition:
        if param in self.columns:
            name, op_text = param, "exact"
        elif "__" in param:
            name, op_text = param.rsplit("__", 1)
            if name not in self.columns:
                raise self._unknown(name, f"filter {param!r}")
        else:
            close = difflib.get_close_matches(param, list(self.columns), n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise RowsQueryError(
                f"unknown parameter or column {param!r}{hint}; parameters are {', '.join(RESERVED)}, "
                "filters are <column>=<value> or <column>__<operator>=<value>"
            )
        try:
            op = FilterOp(op_text)
        except ValueError:
            raise RowsQueryError(
                f"unknown operator {op_text!r} in {param!r}; expected one of {', '.join(o.value for o in FilterOp)}"
            ) from None
        col = self.columns[name]
        if len(raw) > MAX_VALUE_CHARS:
            raise RowsQueryError(
                f"filter {param!r}: value is {len(raw)} characters; expected at most {MAX_VALUE_CHARS}"
            )
        if op == FilterOp.isnull:
            return Condition(name, op, _boolean(raw, param))
        if col.type == ColumnType.geometry:
            raise RowsQueryError(f"filter {param!r}: column {name!r} is a geometry; only {name}__isnull is supported")
        if op == FilterOp.contains:
            if col.type != ColumnType.string:
                raise RowsQueryError(
                    f"filter {param!r}: contains applies to text columns; {name!r} is {col.type.value}"
                )
            return Condition(name, op, raw)
        if op == FilterOp.in_:
            items = _list(raw, param)
            if len(items) > MAX_IN_VALUES:
                raise RowsQueryError(f"filter {param!r}: {len(items)} values; expected at most {MAX_IN_VALUES}")
            return Condition(name, op, tuple(parse_value(col, item, param) for item in items))
        return Condition(name, op, parse_value(col, raw, param))


def _boolean(raw: str, param: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowsQueryError(f"filter {param!r}: {raw!r} is not true or false")


def _list(raw: str, param: str) -> list[str]:
    """``a,b,c``, or a JSON array (``["a,b","c"]``) for values that hold commas."""
    if raw.startswith("["):
        try:
            items = json.loads(raw)
        except ValueError:
            items = None
        if not isinstance(items, list) or not all(
            isinstance(i, str | int | float) and not isinstance(i, bool) for i in items
        ):
            raise RowsQueryError(f"filter {param!r}: expected a JSON array of strings or numbers, or a,b,c")
        return [str(i) for i in items]
    return raw.split(",")


def parse_value(col: ColumnInfo, raw: str, param: str) -> Any:
    """``raw`` as a value of the column's type, or a RowsQueryError naming column and type."""
    kind = col.type
    text = raw.strip()
    try:
        if kind == ColumnType.string:
            return raw
        if kind == ColumnType.integer and _INTEGER.fullmatch(text):
            value = int(text)
            if INT64[0] <= value <= INT64[1]:
                return value
        elif kind == ColumnType.number and _NUMBER.fullmatch(text):
            value = float(text)
            if value not in (float("inf"), float("-inf")):
                return value
        elif kind == ColumnType.boolean:
            return _boolean(raw, param)
        elif kind == ColumnType.date and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return dt.date.fromisoformat(text)
        elif kind == ColumnType.datetime and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.,+\-Z]*)?", text):
            value = dt.datetime.fromisoformat(text)
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError):
        pass
    raise RowsQueryError(
        f"filter {param!r}: {raw[:80]!r} is not valid for column {col.name!r} ({kind.value}); expected {EXPECTED[kind]}"
    )
