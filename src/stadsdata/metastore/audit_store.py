"""The audit log's rows: appended under a lock, one hash chain, read back as plain entries.

Each entry's ``hash`` is SHA-256 over the canonical JSON of its fields and the previous entry's
hash (``entry_hash``). The chain must never fork, so ``append`` assigns ``seq`` and ``prev_hash``
while holding the log's write lock: SQLite takes its database write lock at the start of the
transaction (``BEGIN IMMEDIATE``); PostgreSQL takes a transaction-scoped advisory lock (a row lock
on the last entry would not cover an empty table, and unlike ``LOCK TABLE ... EXCLUSIVE`` an
advisory lock needs no UPDATE or DELETE privilege, so the database can make the table append-only
by granting the application only INSERT and SELECT on it). Reads are not blocked. Checking the
chain is ``stadsdata.governance.audit``'s work; this module only stores and reads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from stadsdata.errors import NotFoundError
from stadsdata.metastore.models import AuditRow, utcnow
from stadsdata.metastore.store import Metastore

#: ``prev_hash`` of the first entry.
GENESIS_HASH = "0" * 64
#: The PostgreSQL advisory lock key of audit appends (a fixed 63-bit number: "stadsdata.audit_log").
ADVISORY_LOCK_KEY = int.from_bytes(hashlib.sha256(b"stadsdata.audit_log").digest()[:8], "big") >> 1
ACTION_MAX = 60  # column widths of audit_log (models.AuditRow)
DECISION_MAX = 40


def canonical_time(at: dt.datetime) -> str:
    """An instant as the chain hashes it: ISO 8601 in UTC with microseconds (what both databases keep)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime given to the audit log; use stadsdata.metastore.models.utcnow()")
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """``detail`` as it reads back from a JSON column (string keys, JSON types only), so that the
    hash computed at append is the hash recomputed at verify. Refuses NaN and infinity."""
    try:
        return json.loads(json.dumps(detail or {}, ensure_ascii=False, allow_nan=False, default=str))
    except ValueError as exc:
        raise ValueError(f"audit detail is not plain JSON: {exc}") from exc


def entry_hash(
    *,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    resource: str,
    purpose: str | None,
    decision: str,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of the canonical JSON (sorted keys, no spaces, UTF-8) of an entry's fields."""
    body = {
        "seq": seq,
        "at": canonical_time(at),
        "actor": actor,
        "action": action,
        "resource": resource,
        "purpose": purpose,
        "decision": decision,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log, as stored."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    resource: str
    purpose: str | None
    decision: str
    detail: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""

    def computed_hash(self) -> str:
        """The hash this entry's content (with its ``prev_hash``) should have."""
        return entry_hash(
            seq=self.seq,
            at=self.at,
            actor=self.actor,
            action=self.action,
            resource=self.resource,
            purpose=self.purpose,
            decision=self.decision,
            detail=self.detail,
            prev_hash=self.prev_hash,
        )


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        resource=row.resource,
        purpose=row.purpose,
        decision=row.decision,
        detail=row.detail,  # as stored, even when someone put something other than an object there
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class AuditStore:
    """Appends to and reads the ``audit_log`` table. Never updates or deletes a row."""

    def __init__(self, metastore: Metastore) -> None:
        self.metastore = metastore

    def _lock(self, s: Session) -> None:
        """Take the audit log's write lock for the rest of the transaction ``s``."""
        dialect = self.metastore.engine.dialect.name
        if dialect == "sqlite":
            # pysqlite opens transactions lazily (before the first write), so the read of the last
            # entry would run under no lock; BEGIN IMMEDIATE takes the write lock first (waiting up
            # to busy_timeout) and pysqlite then treats the connection as inside that transaction
            s.connection().exec_driver_sql("BEGIN IMMEDIATE")
        elif dialect == "postgresql":
            # held until commit or rollback; every appender takes it, so they queue here
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        else:  # pragma: no cover - only SQLite and PostgreSQL are supported
            raise NotImplementedError(f"the audit log cannot lock a {dialect} database")

    def append(
        self,
        *,
        actor: str,
        action: str,
        resource: str,
        decision: str,
        purpose: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Add one entry at the end of the chain (seq, time and prev_hash are assigned under the lock)."""
        if not action or len(action) > ACTION_MAX:
            raise ValueError(f"audit action must have 1 to {ACTION_MAX} characters: {action!r}")
        if not decision or len(decision) > DECISION_MAX:
            raise ValueError(f"audit decision must have 1 to {DECISION_MAX} characters: {decision!r}")
        clean = canonical_detail(detail)
        with self.metastore.session() as s:
            self._lock(s)
            last = s.execute(select(AuditRow.seq, AuditRow.hash).order_by(AuditRow.seq.desc()).limit(1)).first()
            seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
            at = utcnow()
            entry = AuditEntry(
                seq=seq,
                at=at,
                actor=actor,
                action=action,
                resource=resource,
                purpose=purpose,
                decision=decision,
                detail=clean,
                prev_hash=prev_hash,
            )
            entry = replace(entry, hash=entry.computed_hash())
            s.add(AuditRow(**asdict(entry)))
            return entry

    def entries(self, *, batch: int = 1000) -> Iterator[AuditEntry]:
        """Every entry in ``seq`` order, read in pages of ``batch`` (a short transaction each)."""
        after: int | None = None
        while True:
            with self.metastore.session() as s:
                query = select(AuditRow).order_by(AuditRow.seq).limit(batch)
                if after is not None:
                    query = query.where(AuditRow.seq > after)
                page = [_entry(r) for r in s.scalars(query)]
            yield from page
            if len(page) < batch:
                return
            after = page[-1].seq

    def list(
        self,
        limit: int = 50,
        *,
        actor: str | None = None,
        action: str | None = None,
        resource: str | None = None,
    ) -> list[AuditEntry]:
        """The newest ``limit`` entries (newest first), optionally of one actor, action or resource."""
        query = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
        if actor is not None:
            query = query.where(AuditRow.actor == actor)
        if action is not None:
            query = query.where(AuditRow.action == action)
        if resource is not None:
            query = query.where(AuditRow.resource == resource)
        with self.metastore.session() as s:
            return [_entry(r) for r in s.scalars(query)]

    def get(self, seq: int) -> AuditEntry:
        with self.metastore.session() as s:
            row = s.get(AuditRow, seq)
            if row is None:
                raise NotFoundError(f"audit entry {seq} not found; see `stadsdata audit list`")
            return _entry(row)

    def last(self) -> AuditEntry | None:
        with self.metastore.session() as s:
            row = s.scalar(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1))
            return _entry(row) if row is not None else None

    def count(self) -> int:
        with self.metastore.session() as s:
            return s.scalar(select(func.count()).select_from(AuditRow)) or 0


__all__ = ["AuditEntry", "AuditStore", "GENESIS_HASH", "canonical_detail", "canonical_time", "entry_hash"]
