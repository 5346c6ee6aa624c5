"""Opgaven in the metastore: the request, its columns with each owner's decision, and the grants
an approval creates. Callers get plain records, never ORM objects."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from stadsdata.errors import NotFoundError
from stadsdata.metastore.models import DataGrantRow, OpgaveColumnRow, OpgaveRow, utcnow
from stadsdata.metastore.store import Metastore


@dataclass(frozen=True)
class OpgaveColumn:
    dataset_id: str
    column: str
    reason: str
    decision: str  # pending, approved, declined
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str | None


@dataclass(frozen=True)
class Opgave:
    id: int
    title: str
    purpose: str
    legal_ground: str
    legal_basis: str
    dpia_reference: str
    dpia_status: str
    requester: str
    members: list[str]
    end_date: dt.date
    state: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    destroyed_at: dt.datetime | None
    columns: list[OpgaveColumn]
    details: dict[str, Any]

    @property
    def datasets(self) -> list[str]:
        return list(dict.fromkeys(c.dataset_id for c in self.columns))

    def approved_columns(self, dataset_id: str) -> list[str]:
        return [c.column for c in self.columns if c.dataset_id == dataset_id and c.decision == "approved"]


def _opgave(row: OpgaveRow, columns: list[OpgaveColumnRow]) -> Opgave:
    return Opgave(
        id=row.id,
        title=row.title,
        purpose=row.purpose,
        legal_ground=row.legal_ground,
        legal_basis=row.legal_basis,
        dpia_reference=row.dpia_reference,
        dpia_status=row.dpia_status,
        requester=row.requester,
        members=list(row.members),
        end_date=row.end_date,
        state=row.state,
        created_at=row.created_at,
        decided_at=row.decided_at,
        closed_at=row.closed_at,
        destroyed_at=row.destroyed_at,
        columns=[
            OpgaveColumn(c.dataset_id, c.column, c.reason, c.decision, c.decided_by, c.decided_at, c.decision_reason)
            for c in columns
        ],
        details=dict(row.details or {}),
    )


class OpgavenStore:
    def __init__(self, metastore: Metastore) -> None:
        self.metastore = metastore

    def add(self, fields: dict[str, Any], columns: list[tuple[str, str, str]]) -> int:
        """A new opgave in state ``requested`` with its (dataset, column, reason) rows."""
        with self.metastore.session() as s:
            row = OpgaveRow(state="requested", details={}, **fields)
            s.add(row)
            s.flush()
            for dataset_id, column, reason in columns:
                s.add(OpgaveColumnRow(opgave_id=row.id, dataset_id=dataset_id, column=column, reason=reason))
            return row.id

    def get(self, opgave_id: int) -> Opgave:
        with self.metastore.session() as s:
            row = s.get(OpgaveRow, opgave_id)
            if row is None:
                raise NotFoundError(f"opgave {opgave_id} not found; see `stadsdata opgaven list`")
            return _opgave(row, self._columns(s, opgave_id))

    def list(self, state: str | None = None) -> list[Opgave]:
        with self.metastore.session() as s:
            query = select(OpgaveRow).order_by(OpgaveRow.id)
            if state:
                query = query.where(OpgaveRow.state == state)
            return [_opgave(r, self._columns(s, r.id)) for r in s.scalars(query)]

    @staticmethod
    def _columns(s: Any, opgave_id: int) -> list[OpgaveColumnRow]:
        query = select(OpgaveColumnRow).where(OpgaveColumnRow.opgave_id == opgave_id).order_by(OpgaveColumnRow.id)
        return list(s.scalars(query))

    def decide(
        self,
        opgave_id: int,
        dataset_id: str,
        decisions: dict[str, bool],
        by: str,
        reason: str,
        special: list[str],
    ) -> tuple[Opgave, bool]:
        """Record one dataset's part (column -> approved?; ``special``: the special-category
        columns explicitly approved) and, once every part is decided, the opgave's state, with a
        grant per member for each dataset that has approved columns. The decision and its grants
        are one transaction. Returns the opgave and whether it is now decided."""
        now = utcnow()
        with self.metastore.session() as s:
            row = s.get(OpgaveRow, opgave_id, with_for_update=True)
            if row is None:
                raise NotFoundError(f"opgave {opgave_id} not found; see `stadsdata opgaven list`")
            specials = dict(row.details.get("special_categories", {}))
            specials[dataset_id] = sorted(special)
            row.details = {**row.details, "special_categories": specials}
            for column in self._columns(s, opgave_id):
                if column.dataset_id == dataset_id:
                    column.decision = "approved" if decisions.get(column.column) else "declined"
                    column.decided_by, column.decided_at, column.decision_reason = by, now, reason
            s.flush()
            columns = self._columns(s, opgave_id)
            done = all(c.decision != "pending" for c in columns)
            if done:
                approved = [c for c in columns if c.decision == "approved"]
                row.state = "approved" if approved else "declined"
                row.decided_at = now
                if approved:
                    self._grant(s, row, approved, by)
            return _opgave(row, columns), done

    @staticmethod
    def _grant(s: Any, row: OpgaveRow, approved: list[OpgaveColumnRow], by: str) -> None:
        specials = row.details.get("special_categories", {})
        expires = dt.datetime.combine(row.end_date + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        for dataset_id in dict.fromkeys(c.dataset_id for c in approved):
            names = [c.column for c in approved if c.dataset_id == dataset_id]
            for member in dict.fromkeys([row.requester, *row.members]):
                s.add(
                    DataGrantRow(
                        user_name=member,
                        dataset_id=dataset_id,
                        level="pseudonymised",
                        columns=names,
                        special_categories=[n for n in names if n in specials.get(dataset_id, [])],
                        opgave_id=row.id,
                        reason=f"opgave {row.id}: {row.title}",
                        granted_by=by,
                        expires_at=expires,
                    )
                )

    def set_details(self, opgave_id: int, **details: Any) -> None:
        with self.metastore.session() as s:
            row = s.get(OpgaveRow, opgave_id)
            if row is None:
                raise NotFoundError(f"opgave {opgave_id} not found")
            row.details = {**(row.details or {}), **details}

    def set_state(self, opgave_id: int, state: str, **fields: Any) -> None:
        """Close or destroy: the state, its time, and the opgave's grants end with it."""
        now = utcnow()
        with self.metastore.session() as s:
            row = s.get(OpgaveRow, opgave_id, with_for_update=True)
            if row is None:
                raise NotFoundError(f"opgave {opgave_id} not found")
            row.state = state
            for key, value in fields.items():
                setattr(row, key, value)
            for grant in s.scalars(
                select(DataGrantRow).where(DataGrantRow.opgave_id == opgave_id, DataGrantRow.revoked_at.is_(None))
            ):
                grant.revoked_at = now
