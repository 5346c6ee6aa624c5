"""Workspace records: where an opgave's workspace lives, what it holds, and its destruction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from stadsdata.metastore.models import WorkspaceRow, utcnow
from stadsdata.metastore.store import Metastore


@dataclass(frozen=True)
class WorkspaceRecord:
    opgave_id: int
    path: str
    built_at: dt.datetime
    built_by: str
    tables: list[dict[str, Any]]
    destroyed_at: dt.datetime | None
    destruction: dict[str, Any] | None


def _record(row: WorkspaceRow) -> WorkspaceRecord:
    return WorkspaceRecord(
        row.opgave_id, row.path, row.built_at, row.built_by, list(row.tables), row.destroyed_at, row.destruction
    )


class WorkspaceStore:
    def __init__(self, metastore: Metastore) -> None:
        self.metastore = metastore

    def add(self, opgave_id: int, path: str, built_by: str, tables: list[dict[str, Any]]) -> WorkspaceRecord:
        with self.metastore.session() as s:
            row = WorkspaceRow(opgave_id=opgave_id, path=path, built_by=built_by, tables=tables)
            s.add(row)
            s.flush()
            return _record(row)

    def find(self, opgave_id: int) -> WorkspaceRecord | None:
        with self.metastore.session() as s:
            row = s.get(WorkspaceRow, opgave_id)
            return _record(row) if row is not None else None

    def live(self) -> list[WorkspaceRecord]:
        with self.metastore.session() as s:
            query = select(WorkspaceRow).where(WorkspaceRow.destroyed_at.is_(None)).order_by(WorkspaceRow.opgave_id)
            return [_record(r) for r in s.scalars(query)]

    def destroyed(self, opgave_id: int, destruction: dict[str, Any]) -> WorkspaceRecord:
        with self.metastore.session() as s:
            row = s.get(WorkspaceRow, opgave_id, with_for_update=True)
            assert row is not None
            row.destroyed_at = utcnow()
            row.destruction = destruction
            return _record(row)
