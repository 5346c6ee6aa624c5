"""The reports (meldingen) dataset type: which columns make a dataset one, and how they are named.

A *report* (melding openbare ruimte) follows the Signalen data model: a main and a sub category,
when it was created and closed (``resolved_date``; empty while it is open, so the state is
derived), a point and an area. Any dataset whose contract has these columns with these types is a
reports dataset: the dashboard, the aggregations and the traffic-risk matching read it, whatever
the municipality. There is no registration step: the contract's columns are the test.

``category_slug`` and ``subcategory_slug`` are part of the Signalen model and of the shipped
template contract, but optional here: an export without slugs still works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stadsdata.core.contract import ColumnType
from stadsdata.errors import StadsdataError


class ReportsError(StadsdataError):
    """A request the reports area cannot answer: a dataset that is not of the reports type, a
    filter value that does not exist. One line naming the dataset or field and what was expected."""

    http_status = 422


#: column -> the types it may have. The names are the template contract's (docs/reports.md).
REQUIRED: dict[str, tuple[ColumnType, ...]] = {
    "id": (ColumnType.string, ColumnType.integer),
    "created_at": (ColumnType.datetime,),
    "hoofdcategorie": (ColumnType.string,),
    "subcategorie": (ColumnType.string,),
    "wijk": (ColumnType.string,),
    "straat": (ColumnType.string,),
    "lon": (ColumnType.number,),
    "lat": (ColumnType.number,),
    "resolved_date": (ColumnType.date,),
    "days_open": (ColumnType.integer, ColumnType.number),
}
OPTIONAL: dict[str, tuple[ColumnType, ...]] = {
    "category_slug": (ColumnType.string,),
    "subcategory_slug": (ColumnType.string,),
}
#: the sub category residents use for dangerous traffic spots (read by the traffic-risk matching)
UNSAFE_TRAFFIC = "Onveilige verkeerssituatie"
#: the shipped first delivery of the type, and its contract: the template for another city
TEMPLATE = "meldingen_assen_signalen_2026"


def _columns(contract: Mapping[str, Any] | Any) -> dict[str, str]:
    """Column name -> type of a contract (a ``Contract`` or its plain data)."""
    columns: Sequence[Any] = contract["columns"] if isinstance(contract, Mapping) else contract.columns
    out: dict[str, str] = {}
    for column in columns:
        name = column["name"] if isinstance(column, Mapping) else column.name
        kind = column["type"] if isinstance(column, Mapping) else column.type
        out[str(name)] = str(getattr(kind, "value", kind))
    return out


def problems(contract: Mapping[str, Any] | Any) -> list[str]:
    """What keeps a contract from being of the reports type: one phrase per missing or mistyped
    column (empty: it is a reports dataset)."""
    have = _columns(contract)
    found: list[str] = []
    for name, kinds in REQUIRED.items():
        expected = " or ".join(k.value for k in kinds)
        if name not in have:
            found.append(f"column {name!r} is missing (expected {expected})")
        elif have[name] not in {k.value for k in kinds}:
            found.append(f"column {name!r} is {have[name]} (expected {expected})")
    for name, kinds in OPTIONAL.items():
        if name in have and have[name] not in {k.value for k in kinds}:
            found.append(f"column {name!r} is {have[name]} (expected {kinds[0].value})")
    return found


def is_reports(contract: Mapping[str, Any] | Any) -> bool:
    return not problems(contract)


def require_reports(dataset_id: str, contract: Mapping[str, Any] | Any) -> None:
    """Raise ``ReportsError`` naming the dataset and its first problem when it is not a reports dataset."""
    found = problems(contract)
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise ReportsError(
            f"dataset {dataset_id!r} is not a reports dataset: {found[0]}{more}; "
            f"see docs/reports.md for the columns of the type"
        )
