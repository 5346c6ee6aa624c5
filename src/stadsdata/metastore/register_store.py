"""The algorithm register in the metastore: entries, their versions and their links.

An entry and the version row that records its change are written in one transaction, so an
entry's history is never behind its fields. Callers get plain records, never ORM objects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from stadsdata.errors import ConflictError, NotFoundError
from stadsdata.metastore.models import RegisterEntryRow, RegisterLinkRow, RegisterVersionRow, utcnow
from stadsdata.metastore.store import Metastore

DATASET = "dataset"  # the link kind of a catalogue dataset
OPGAVE = "opgave"  # the link kind of an opgave (its number, as text)


@dataclass(frozen=True)
class EntryRecord:
    id: str
    source_key: str | None
    source_id: str | None
    source: str
    fields: dict[str, Any]
    problems: list[dict[str, str]]
    raw: dict[str, Any] | None
    search_text: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    updated_by: str
    links: dict[str, list[str]]  # kind -> targets, sorted


@dataclass(frozen=True)
class VersionRecord:
    entry_id: str
    number: int
    at: dt.datetime
    by: str
    reason: str
    changes: dict[str, list[Any]]  # field -> [old, new]


@dataclass(frozen=True)
class EntryWrite:
    """What a create or an update stores: the whole new state of an entry."""

    fields: dict[str, Any]
    problems: list[dict[str, str]]
    search_text: str
    links: dict[str, list[str]]


def _links(rows: list[RegisterLinkRow]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row.kind, []).append(row.target)
    return {kind: sorted(targets) for kind, targets in out.items()}


def _entry(row: RegisterEntryRow, links: list[RegisterLinkRow]) -> EntryRecord:
    return EntryRecord(
        id=row.id,
        source_key=row.source_key,
        source_id=row.source_id,
        source=row.source,
        fields=dict(row.fields),
        problems=list(row.problems or []),
        raw=dict(row.raw) if row.raw is not None else None,
        search_text=row.search_text,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
        links=_links(links),
    )


def _version(row: RegisterVersionRow) -> VersionRecord:
    return VersionRecord(row.entry_id, row.number, row.at, row.by, row.reason, dict(row.changes))


def _source_id(fields: dict[str, Any]) -> str | None:
    value = fields.get("source_id")
    return value[:100] if isinstance(value, str) and value else None


class RegisterStore:
    def __init__(self, metastore: Metastore) -> None:
        self.metastore = metastore

    # -- reading -------------------------------------------------------------------------------
    def get(self, entry_id: str) -> EntryRecord:
        with self.metastore.session() as s:
            row = s.get(RegisterEntryRow, entry_id)
            if row is None:
                raise NotFoundError(f"algorithm {entry_id!r} not found; see `stadsdata register list`")
            links = list(s.scalars(select(RegisterLinkRow).where(RegisterLinkRow.entry_id == entry_id)))
            return _entry(row, links)

    def find(self, entry_id: str) -> EntryRecord | None:
        try:
            return self.get(entry_id)
        except NotFoundError:
            return None

    def ids_by_source_key(self, source_key: str) -> str | None:
        with self.metastore.session() as s:
            return s.scalar(select(RegisterEntryRow.id).where(RegisterEntryRow.source_key == source_key))

    def ids_by_source_id(self, source_id: str) -> list[str]:
        with self.metastore.session() as s:
            query = select(RegisterEntryRow.id).where(RegisterEntryRow.source_id == source_id)
            return list(s.scalars(query.order_by(RegisterEntryRow.id)))

    def ids(self) -> set[str]:
        with self.metastore.session() as s:
            return set(s.scalars(select(RegisterEntryRow.id)))

    def all(self) -> list[EntryRecord]:
        """Every entry, ordered by id."""
        with self.metastore.session() as s:
            links: dict[str, list[RegisterLinkRow]] = {}
            for link in s.scalars(select(RegisterLinkRow)):
                links.setdefault(link.entry_id, []).append(link)
            rows = s.scalars(select(RegisterEntryRow).order_by(RegisterEntryRow.id))
            return [_entry(row, links.get(row.id, [])) for row in rows]

    def linked_to(self, kind: str, target: str) -> list[str]:
        with self.metastore.session() as s:
            query = select(RegisterLinkRow.entry_id).where(
                RegisterLinkRow.kind == kind, RegisterLinkRow.target == target
            )
            return sorted(s.scalars(query))

    def versions(self, entry_id: str) -> list[VersionRecord]:
        """Newest first."""
        with self.metastore.session() as s:
            query = select(RegisterVersionRow).where(RegisterVersionRow.entry_id == entry_id)
            return [_version(r) for r in s.scalars(query.order_by(RegisterVersionRow.number.desc()))]

    # -- writing -------------------------------------------------------------------------------
    def add(
        self,
        entry_id: str,
        write: EntryWrite,
        *,
        source: str,
        by: str,
        reason: str,
        source_key: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> EntryRecord:
        """A new entry with its version 1 (every field as a change from nothing)."""
        now = utcnow()
        with self.metastore.session() as s:
            if s.get(RegisterEntryRow, entry_id) is not None:
                raise ConflictError(f"algorithm {entry_id!r} already exists")
            s.add(
                RegisterEntryRow(
                    id=entry_id,
                    source_key=source_key,
                    source_id=_source_id(write.fields),
                    source=source,
                    fields=write.fields,
                    problems=write.problems,
                    raw=raw,
                    search_text=write.search_text,
                    version=1,
                    created_at=now,
                    updated_at=now,
                    updated_by=by,
                )
            )
            s.flush()
            changes = {name: [None, value] for name, value in write.fields.items()}
            s.add(RegisterVersionRow(entry_id=entry_id, number=1, at=now, by=by, reason=reason, changes=changes))
            self._set_links(s, entry_id, write.links)
        return self.get(entry_id)

    def update(
        self,
        entry_id: str,
        write: EntryWrite,
        changes: dict[str, list[Any]],
        *,
        expected_version: int,
        by: str,
        reason: str,
        raw: dict[str, Any] | None = None,
    ) -> EntryRecord:
        """The next version of an entry: its new state and the diff that leads to it. Refused with
        ConflictError when someone else wrote a version since ``expected_version`` was read."""
        now = utcnow()
        with self.metastore.session() as s:
            row = s.get(RegisterEntryRow, entry_id, with_for_update=True)
            if row is None:
                raise NotFoundError(f"algorithm {entry_id!r} not found; see `stadsdata register list`")
            if row.version != expected_version:
                raise ConflictError(
                    f"algorithm {entry_id!r} changed meanwhile (now version {row.version}, "
                    f"edited from version {expected_version}); reload and edit again"
                )
            row.fields = write.fields
            row.problems = write.problems
            row.search_text = write.search_text
            row.source_id = _source_id(write.fields)
            if raw is not None:
                row.raw = raw
            row.version += 1
            row.updated_at, row.updated_by = now, by
            s.add(
                RegisterVersionRow(entry_id=entry_id, number=row.version, at=now, by=by, reason=reason, changes=changes)
            )
            self._set_links(s, entry_id, write.links)
        return self.get(entry_id)

    @staticmethod
    def _set_links(s: Any, entry_id: str, links: dict[str, list[str]]) -> None:
        s.execute(delete(RegisterLinkRow).where(RegisterLinkRow.entry_id == entry_id))
        for kind, targets in links.items():
            for target in dict.fromkeys(targets):
                s.add(RegisterLinkRow(entry_id=entry_id, kind=kind, target=target))
