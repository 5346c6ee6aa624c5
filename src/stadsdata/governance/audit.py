"""The audit log: append-only and hash-chained; ``verify`` names the first broken entry.

Every entry (who, when, action, resource, purpose, decision, detail) carries
``hash = sha256(canonical JSON of its fields and prev_hash)``, and ``prev_hash`` is the previous
entry's hash (64 zeros for the first). Editing a field, deleting an entry, reordering entries or
changing a hash breaks the chain at that entry, and ``verify`` says which and how.

A chain alone cannot show that its newest entries were cut off, nor that someone with write access
recomputed every hash after an edit. So each append also records the newest (seq, hash) in a small
*head witness* file outside the database (``<home>/audit-head.json``): ``verify`` then demands that
entry and that hash. Keep the witness where the database's administrators cannot write.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stadsdata.core.access import Action, Actor, Decision
from stadsdata.metastore.audit_store import GENESIS_HASH, AuditEntry, AuditStore
from stadsdata.metastore.store import Metastore

try:  # POSIX: a lock between processes; elsewhere only between threads
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

WITNESS_NAME = "audit-head.json"


def witness_path(home: Path) -> Path:
    """Where a platform home keeps the audit log's head witness."""
    return home / WITNESS_NAME


@dataclass(frozen=True)
class VerifyResult:
    """``ok`` and the number of entries; otherwise the first broken entry and one line saying why."""

    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str | None = None
    last_hash: str | None = None


def actor_name(actor: Actor | str) -> str:
    """How an actor appears in the log: the user name, or ``anonymous`` (or a name like ``system``)."""
    if isinstance(actor, Actor):
        return actor.user if actor.user is not None else "anonymous"
    return actor


class AuditLog:
    """Append to, list and verify the audit log. ``witness``: the head witness file (None: no
    witness, and then a cut-off tail cannot be detected)."""

    def __init__(self, metastore: Metastore, *, witness: Path | None = None) -> None:
        self.store = AuditStore(metastore)
        self.witness = witness
        self._thread_lock = threading.Lock()

    # -- writing ---------------------------------------------------------------------------
    def append(
        self,
        actor: Actor | str,
        action: Action | str,
        resource: str,
        decision: str | Decision,
        purpose: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Add one entry. ``decision`` may be the policy's ``Decision``: it is recorded as
        ``allowed`` or ``denied`` with its level, reason and column levels in the detail."""
        detail = dict(detail or {})
        if isinstance(actor, Actor) and actor.via_token_scopes is not None:
            detail.setdefault("via", "token")
        if isinstance(decision, Decision):
            detail.setdefault("level", decision.level.label)
            detail.setdefault("reason", decision.reason)
            if decision.columns:
                detail.setdefault("columns", {c: lvl.label for c, lvl in decision.columns.items()})
            decision = "allowed" if decision.allowed else "denied"
        entry = self.store.append(
            actor=actor_name(actor),
            action=str(action),
            resource=resource,
            decision=decision,
            purpose=purpose,
            detail=detail,
        )
        if self.witness is not None:
            self._advance_witness(entry)
        return entry

    @contextlib.contextmanager
    def _witness_lock(self) -> Iterator[None]:
        assert self.witness is not None
        with self._thread_lock:
            if fcntl is None:  # pragma: no cover
                yield
                return
            self.witness.parent.mkdir(parents=True, exist_ok=True)
            with open(self.witness.with_name(self.witness.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _advance_witness(self, entry: AuditEntry) -> None:
        """Record ``entry`` as the head, unless another writer already recorded a later one.
        Written to a temporary file, flushed to disk and renamed: never half a file."""
        assert self.witness is not None
        with self._witness_lock():
            current = self._read_witness()
            if isinstance(current, tuple) and current[0] >= entry.seq:
                return
            fd, tmp = tempfile.mkstemp(dir=self.witness.parent, prefix=".audit-head-")
            try:
                with os.fdopen(fd, "w") as f:
                    json.dump({"seq": entry.seq, "hash": entry.hash, "at": entry.at.isoformat()}, f)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.witness)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise

    def _read_witness(self) -> tuple[int, str] | str | None:
        """(seq, hash) of the head witness; None when there is none; a message when it is unreadable."""
        if self.witness is None or not self.witness.exists():
            return None
        try:
            data = json.loads(self.witness.read_text(encoding="utf-8"))
            seq, digest = data["seq"], data["hash"]
            if not isinstance(seq, int) or not isinstance(digest, str):
                raise ValueError("seq must be a number and hash a string")
            return seq, digest
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return f"the head witness {self.witness} is unreadable ({exc})"

    # -- reading ---------------------------------------------------------------------------
    def list(
        self,
        limit: int = 50,
        *,
        actor: str | None = None,
        action: Action | str | None = None,
        resource: str | None = None,
    ) -> list[AuditEntry]:
        """The newest ``limit`` entries, newest first, optionally of one actor, action or resource."""
        return self.store.list(limit, actor=actor, action=str(action) if action else None, resource=resource)

    def verify(self) -> VerifyResult:
        """Walk the whole chain in order and report the first entry that breaks it."""
        witness = self._read_witness()
        expected, prev_seq, prev_hash = 1, 0, GENESIS_HASH
        count, broken, reason = 0, None, None
        witness_hash: str | None = None  # the log's hash of the witness's entry
        for entry in self.store.entries():
            count += 1
            if broken is not None:
                continue  # only counting now
            problem = self._check(entry, expected, prev_seq, prev_hash)
            if problem is not None:
                broken, reason = problem
                continue
            if isinstance(witness, tuple) and entry.seq == witness[0]:
                witness_hash = entry.hash
            expected, prev_seq, prev_hash = entry.seq + 1, entry.seq, entry.hash
        if broken is None and witness is not None:
            if isinstance(witness, str):
                broken, reason = None, witness
            elif witness[0] > prev_seq:
                ends = f"the log ends at entry {prev_seq}" if prev_seq else "the log is empty"
                broken = prev_seq + 1
                reason = (
                    f"entry {broken} missing ({ends}, but the head witness {self.witness} records entry {witness[0]})"
                )
            elif witness_hash != witness[1]:
                broken = witness[0]
                reason = (
                    f"entry {broken}: hash differs from the head witness {self.witness} "
                    "(the log was rewritten up to this entry)"
                )
        if reason is not None:
            return VerifyResult(ok=False, entries=count, first_broken_seq=broken, reason=reason)
        return VerifyResult(ok=True, entries=count, last_hash=prev_hash if count else None)

    @staticmethod
    def _check(entry: AuditEntry, expected: int, prev_seq: int, prev_hash: str) -> tuple[int, str] | None:
        """Why ``entry`` breaks the chain (its seq and the reason), or None."""
        if entry.seq > expected:
            if expected == 1:
                return 1, f"entry 1 missing (the log starts at entry {entry.seq})"
            return expected, f"entry {expected} missing (sequence jumps from {prev_seq} to {entry.seq})"
        if entry.seq < expected:  # entries come in seq order, so only a first seq below 1 gets here
            return entry.seq, f"entry {entry.seq}: not a valid sequence number (the log starts at entry 1)"
        if entry.prev_hash != prev_hash:
            if entry.seq == 1:
                return 1, "entry 1: previous hash is not the start of the chain (64 zeros) (deleted or reordered)"
            return (
                entry.seq,
                f"entry {entry.seq}: previous hash does not match entry {prev_seq} (deleted or reordered)",
            )
        try:
            intact = entry.computed_hash() == entry.hash
        except (TypeError, ValueError):  # a field no longer of its type: certainly edited
            intact = False
        if not intact:
            return entry.seq, f"entry {entry.seq}: hash does not match its content (edited)"
        return None


__all__ = ["AuditEntry", "AuditLog", "VerifyResult", "WITNESS_NAME", "actor_name", "witness_path"]
