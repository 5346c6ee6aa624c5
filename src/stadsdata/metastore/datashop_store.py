"""Datashop requests in the metastore: a data question, its state and its history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from stadsdata.errors import NotFoundError
from stadsdata.metastore.models import DatashopRequestRow, utcnow
from stadsdata.metastore.store import Metastore


@dataclass(frozen=True)
class DatashopRequest:
    id: int
    question: str
    purpose: str
    deadline: dt.date
    dienst: str
    requester: str
    state: str  # new, answered, opgave, declined
    resolution: str | None
    opgave_id: int | None
    created_at: dt.datetime
    history: list[dict[str, Any]]


def _request(row: DatashopRequestRow) -> DatashopRequest:
    return DatashopRequest(
        id=row.id,
        question=row.question,
        purpose=row.purpose,
        deadline=row.deadline,
        dienst=row.dienst,
        requester=row.requester,
        state=row.state,
        resolution=row.resolution,
        opgave_id=row.opgave_id,
        created_at=row.created_at,
        history=list(row.history or []),
    )


class DatashopStore:
    def __init__(self, metastore: Metastore) -> None:
        self.metastore = metastore

    def add(self, question: str, purpose: str, deadline: dt.date, dienst: str, requester: str) -> DatashopRequest:
        now = utcnow()
        with self.metastore.session() as s:
            row = DatashopRequestRow(
                question=question,
                purpose=purpose,
                deadline=deadline,
                dienst=dienst,
                requester=requester,
                state="new",
                history=[{"at": now.isoformat(), "by": requester, "state": "new", "note": "ingediend"}],
            )
            s.add(row)
            s.flush()
            return _request(row)

    def get(self, request_id: int) -> DatashopRequest:
        with self.metastore.session() as s:
            row = s.get(DatashopRequestRow, request_id)
            if row is None:
                raise NotFoundError(f"Datashop request {request_id} not found; see `stadsdata datashop list`")
            return _request(row)

    def list(self, requester: str | None = None) -> list[DatashopRequest]:
        with self.metastore.session() as s:
            query = select(DatashopRequestRow).order_by(DatashopRequestRow.id.desc())
            if requester is not None:
                query = query.where(DatashopRequestRow.requester == requester)
            return [_request(r) for r in s.scalars(query)]

    def resolve(self, request_id: int, state: str, by: str, note: str, opgave_id: int | None = None) -> DatashopRequest:
        with self.metastore.session() as s:
            row = s.get(DatashopRequestRow, request_id, with_for_update=True)
            if row is None:
                raise NotFoundError(f"Datashop request {request_id} not found; see `stadsdata datashop list`")
            row.state, row.resolution, row.opgave_id = state, note, opgave_id
            row.history = [*row.history, {"at": utcnow().isoformat(), "by": by, "state": state, "note": note}]
            return _request(row)
