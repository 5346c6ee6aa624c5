"""Workspaces: an approved opgave's own DuckDB file, its queries, its exports, its destruction.

- **Build**: for every dataset with approved columns, the current version's files go into one
  table of a new file ``<home>/workspaces/opgave-<id>.duckdb``, with only the approved columns:
  direct identifiers as keyed pseudonyms (HMAC-SHA256 under the opgave's own key, kept in
  ``<home>/secrets/opgaven/<id>.key``), quasi-identifiers generalised, special categories only
  when named in the approval (``stadsdata.privacy.pseudonyms``).
- **Query**: members only, while the opgave is approved and before its end date; read-only, one
  SELECT, nothing outside the file (the engine enforces it). Every query is audited.
- **Export**: a count table leaves only through disclosure control (threshold, secondary
  suppression); a blocked export says which cells and why, and is audited as blocked.
- **Destruction**: at the end date, or when closed early, ``sweep`` removes the file and the key
  and records what was destroyed (content hashes) with the workspace and in the audit log. After
  that every access is a clear "destroyed on <date>" error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stadsdata.core.access import Action, Actor
from stadsdata.core.contract import parse_contract
from stadsdata.core.policy import AccessPolicy
from stadsdata.engine import Engine, QueryResult, TableStore
from stadsdata.engine.base import WorkspaceTable
from stadsdata.errors import DisclosureError, GovernanceError, NotFoundError, StadsdataError, WorkspaceGoneError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.enforce import enforce
from stadsdata.governance.opgaven import opgave_resource
from stadsdata.metastore import Metastore
from stadsdata.metastore.models import utcnow
from stadsdata.metastore.opgaven_store import Opgave, OpgavenStore
from stadsdata.metastore.workspace_store import WorkspaceRecord, WorkspaceStore
from stadsdata.privacy.disclosure import (
    ExportDecision,
    check_frequency_table,
    check_magnitude_table,
    decide_export,
)
from stadsdata.privacy.pseudonyms import new_key, plan_columns, workspace_columns


@dataclass(frozen=True)
class Export:
    decision: ExportDecision
    rows: list[dict[str, Any]]  # the protected table (empty when blocked)
    columns: list[str]
    threshold: int = 10
    rule: str = ""


class Workspaces:
    def __init__(
        self,
        home: Path,
        metastore: Metastore,
        engine: Engine,
        tables: TableStore,
        audit: AuditLog,
        policy: AccessPolicy,
        *,
        threshold: int = 10,
        p_percent: float = 10.0,
    ) -> None:
        self.root = home / "workspaces"
        self.keys = home / "secrets" / "opgaven"
        self.metastore = metastore
        self.engine = engine
        self.tables = tables
        self.audit = audit
        self.policy = policy
        self.threshold = threshold
        self.p_percent = p_percent
        self.opgaven = OpgavenStore(metastore)
        self.store = WorkspaceStore(metastore)

    def path_of(self, opgave_id: int) -> Path:
        """The workspace file of an opgave, always under this home: the record's stored path is
        only a note of where it was built, so a copied or restored home never reaches another's."""
        return self.root / f"opgave-{opgave_id}.duckdb"

    def _key_path(self, opgave_id: int) -> Path:
        return self.keys / f"{opgave_id}.key"

    # -- build -----------------------------------------------------------------------------------
    def build(self, opgave_id: int, *, by: str) -> WorkspaceRecord:
        """Build the workspace of an approved opgave (once)."""
        opgave = self.opgaven.get(opgave_id)
        if opgave.state != "approved":
            raise GovernanceError(f"opgave {opgave_id} is {opgave.state}; a workspace needs an approved opgave")
        if self.store.find(opgave_id) is not None:
            raise GovernanceError(f"opgave {opgave_id} already has a workspace")
        specials = opgave.details.get("special_categories", {})
        tables: list[WorkspaceTable] = []
        sources: dict[str, dict[str, Any]] = {}
        for dataset_id in opgave.datasets:
            approved = opgave.approved_columns(dataset_id)
            if not approved:
                continue
            record = self.metastore.get_dataset(dataset_id)
            contract = parse_contract(record.contract, source=f"metastore contract of {dataset_id}")
            versions = self.metastore.list_versions(dataset_id)
            if not versions:
                raise GovernanceError(f"dataset {dataset_id!r} has no version to put in a workspace")
            plans = plan_columns(contract.columns, approved=approved, special_approved=specials.get(dataset_id, []))
            columns = workspace_columns(plans)
            tables.append(
                WorkspaceTable(dataset_id, self.tables.files_at(dataset_id, versions[-1].storage_version), columns)
            )
            sources[dataset_id] = {
                "version": versions[-1].number,
                "columns": {c.name: c.transform for c in columns},
                "excluded": {
                    p.name: p.transform.reason for p in plans if not p.transform.included and p.name in approved
                },
            }
        if not tables:
            raise GovernanceError(f"opgave {opgave_id} has no approved columns")
        key = new_key()
        self.keys.mkdir(parents=True, exist_ok=True)
        os.chmod(self.keys, 0o700)
        key_path = self._key_path(opgave_id)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.path_of(opgave_id)
        built = self.engine.build_workspace(path, tables, key)
        described = [{**t, "dataset": t["table"], **sources[t["table"]]} for t in built]
        record = self.store.add(opgave_id, str(path), by, described)
        self.audit.append(
            by,
            "workspace_built",
            f"opgave/{opgave_id}/workspace",
            "done",
            purpose=opgave.purpose,
            detail={"tables": [{k: t[k] for k in ("table", "rows", "sha256", "columns")} for t in described]},
        )
        return record

    # -- use ---------------------------------------------------------------------------------------
    def _open(self, actor: Actor, opgave_id: int, action: Action) -> tuple[Opgave, WorkspaceRecord]:
        opgave = self.opgaven.get(opgave_id)
        record = self.store.find(opgave_id)
        resource = f"opgave/{opgave_id}/workspace"
        if record is not None and record.destroyed_at is not None:
            self.audit.append(actor, action, resource, "denied", detail={"reason": "destroyed"})
            raise WorkspaceGoneError(
                f"the workspace of opgave {opgave_id} was destroyed on {record.destroyed_at.date().isoformat()}; "
                "its data no longer exists"
            )
        enforce(self.policy, self.audit, actor, action, opgave_resource(opgave), resource, purpose=opgave.purpose)
        if record is None:
            raise NotFoundError(f"opgave {opgave_id} has no workspace yet; it is built when the opgave is approved")
        return opgave, record

    def show(self, actor: Actor, opgave_id: int) -> WorkspaceRecord:
        """The workspace's record (its tables, their columns as stored) for a member: the same
        checks, audit and "destroyed on <date>" error as a query."""
        return self._open(actor, opgave_id, Action.use_workspace)[1]

    def query(self, actor: Actor, opgave_id: int, sql: str, *, limit: int | None = None) -> QueryResult:
        opgave, record = self._open(actor, opgave_id, Action.use_workspace)
        result = self.engine.workspace_query(self.path_of(opgave_id), sql, limit=limit)
        self.audit.append(
            actor.user or "anonymous",
            "workspace_query",
            f"opgave/{opgave_id}/workspace",
            "done",
            purpose=opgave.purpose,
            detail={"sql": sql, "rows": len(result.rows)},
        )
        return result

    def threshold_for(self, opgave: Opgave) -> int:
        """The disclosure threshold of an opgave's tables: each dataset's own
        (``disclosure_threshold`` in its contract) or the platform's; the highest when it has several."""
        thresholds = []
        for dataset_id in opgave.datasets:
            contract = self.metastore.get_dataset(dataset_id).contract
            thresholds.append(contract.get("disclosure_threshold") or self.threshold)
        return max(thresholds, default=self.threshold)

    def export(
        self,
        actor: Actor,
        opgave_id: int,
        sql: str,
        dimensions: list[str],
        count: str,
        *,
        accept_suppression: bool = False,
        magnitude: bool = False,
        contributor: str | None = None,
    ) -> Export:
        """A table out of the workspace, through disclosure control. Blocked: nothing leaves.

        Frequency (default): ``sql`` gives one row per cell with its ``count``. Magnitude
        (``magnitude=True``): ``sql`` gives one row per contribution (``count`` is the value, e.g.
        hours of care; ``contributor`` optionally the column that says whose), and the check sums
        the cells: the p% rule (``p_percent``) and at least ``threshold`` contributors per cell.
        A refused table (wrong columns, pseudonyms as categories) is audited too."""
        opgave, record = self._open(actor, opgave_id, Action.export_result)
        threshold = self.threshold_for(opgave)
        resource = f"opgave/{opgave_id}/workspace"
        result = self.engine.workspace_query(self.path_of(opgave_id), sql)
        try:
            own = [*dimensions, count, *([contributor] if magnitude and contributor else [])]
            extra = [c for c in result.columns if c not in own]
            if extra:  # a further column would leave unchecked, even beside a suppressed cell
                raise DisclosureError(
                    f"the table has columns other than its dimensions ({', '.join(dimensions)}) and its "
                    f"{'value' if magnitude else 'count'} ({count}): {', '.join(extra)}; expected only those, "
                    "so that nothing unchecked leaves"
                )
            records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
            self._no_pseudonyms(record, records, dimensions)
            if magnitude:
                checked = check_magnitude_table(
                    records, dimensions, count, contributor=contributor, p=self.p_percent, min_contributors=threshold
                )
                if contributor:
                    for row in checked.rows:
                        row.pop(contributor, None)
            else:
                checked = check_frequency_table(records, dimensions, count, threshold=threshold)
        except DisclosureError as exc:
            self.audit.append(
                actor,
                "workspace_export",
                resource,
                "refused",
                purpose=opgave.purpose,
                detail={"sql": sql, "reason": str(exc)},
            )
            raise
        decision = decide_export(checked, suppressed_ok=accept_suppression)
        self.audit.append(  # which cells and why, never their small counts (those are for the analyst)
            actor,
            "workspace_export",
            resource,
            decision.status,
            purpose=opgave.purpose,
            detail={
                "sql": sql,
                "rule": checked.rule,
                "cells": len(checked.rows),
                "findings": [{"cell": list(map(str, f.cell)), "why": f.code} for f in checked.findings[:50]],
            },
        )
        rows = checked.rows if decision.released else []
        columns = [*(c for c in result.columns if c in (*dimensions, count)), "suppressed"]
        return Export(decision, rows, columns, threshold, checked.rule)

    def _no_pseudonyms(self, record: WorkspaceRecord, records: list[dict[str, Any]], dimensions: list[str]) -> None:
        """Refuse a table whose categories are pseudonyms: suppression withholds counts, not the
        categories, so a count per pseudonymised person would let every pseudonym leave. Checked on
        the values (an alias in the SQL does not hide them)."""
        pseudonymised = [
            (t["table"], name) for t in record.tables for name, how in t["columns"].items() if how == "pseudonymise"
        ]
        for dimension in dimensions:
            values = sorted({str(r[dimension]) for r in records if r.get(dimension) is not None})
            if not values or not pseudonymised:
                continue
            listed = ", ".join("('" + v.replace("'", "''") + "')" for v in values)
            for table, column in pseudonymised:
                hits = self.engine.workspace_query(
                    self.path_of(record.opgave_id),
                    f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS VARCHAR) IN '
                    f"(SELECT v FROM (VALUES {listed}) AS t(v))",
                )
                if hits.rows[0][0]:
                    raise DisclosureError(
                        f"dimension {dimension!r} holds pseudonyms of {table}.{column} (a direct identifier): "
                        "a table per person would let them leave; count by a category instead"
                    )

    # -- the end ---------------------------------------------------------------------------------
    def close(self, actor: Actor, opgave_id: int) -> Opgave:
        """End an opgave before its end date (its requester or the admin); the sweep destroys it."""
        opgave = self.opgaven.get(opgave_id)
        enforce(self.policy, self.audit, actor, Action.close_opgave, opgave_resource(opgave), f"opgave/{opgave_id}")
        if opgave.state != "approved":
            raise GovernanceError(f"opgave {opgave_id} is {opgave.state}; only an approved opgave can be closed")
        self.opgaven.set_state(opgave_id, "closed", closed_at=utcnow())
        self.audit.append(actor, "opgave_closed", f"opgave/{opgave_id}", "done")
        return self.opgaven.get(opgave_id)

    def sweep(self, *, today: dt.date | None = None, by: str = "system") -> list[dict[str, Any]]:
        """Destroy every workspace whose opgave has ended (end date passed, or closed)."""
        today = today or dt.date.today()
        done = []
        for opgave in self.opgaven.list():
            ended = opgave.state == "closed" or (opgave.state == "approved" and opgave.end_date < today)
            if ended:
                done.append(
                    self.destroy(
                        opgave.id,
                        by=by,
                        reason="closed early"
                        if opgave.state == "closed"
                        else f"end date {opgave.end_date.isoformat()} passed",
                    )
                )
        return done

    def destroy(self, opgave_id: int, *, by: str, reason: str) -> dict[str, Any]:
        record = self.store.find(opgave_id)
        removed: list[dict[str, Any]] = []
        path = self.path_of(opgave_id)  # in this home, wherever it was built (a copied or restored home)
        for file in (path, path.with_name(path.name + ".wal"), self._key_path(opgave_id)):
            if file.exists():
                removed.append({"file": file.name, "bytes": file.stat().st_size, "sha256": _sha256(file)})
                _shred(file)
        leftovers = [str(f) for f in (path, self._key_path(opgave_id)) if f.exists()]
        if leftovers:  # pragma: no cover - unlink failing is an environment fault
            raise StadsdataError(f"opgave {opgave_id}: could not destroy {leftovers[0]}")
        destruction = {
            "reason": reason,
            "by": by,
            "files": removed,
            "tables": [{k: t.get(k) for k in ("table", "rows", "sha256")} for t in (record.tables if record else [])],
            "key_destroyed": any(r["file"].endswith(".key") for r in removed),
        }
        if record is not None:
            self.store.destroyed(opgave_id, destruction)
        self.opgaven.set_state(opgave_id, "destroyed", destroyed_at=utcnow())
        self.audit.append(by, "workspace_destroyed", f"opgave/{opgave_id}/workspace", "done", detail=destruction)
        return {"opgave": opgave_id, **destruction}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _shred(path: Path) -> None:
    """Overwrite with zeros, flush, then unlink (on a copy-on-write or journaling file system the
    old blocks may survive; docs/governance.md says what that means for the key)."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        remaining = size
        while remaining:
            chunk = min(remaining, 1 << 20)
            handle.write(b"\0" * chunk)
            remaining -= chunk
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
