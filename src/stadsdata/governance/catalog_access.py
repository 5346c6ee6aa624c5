"""What an actor sees of the catalogue: every listing, dataset page and row read asks the policy.

Anonymous visitors see only *openbaar* datasets; logged-in staff also see the metadata of the
non-public datasets the policy lets them see (intern and vertrouwelijk for all staff, geheim for
a few), and their data only per grant. A dataset the actor may not see does not exist for them:
the same 404 as an unknown id, so its existence does not leak.

Auditing: every decision on a non-public dataset is written to the audit log: opening its page
or metadata (``view_metadata``), and reading its rows (``read_data``). A listing (search, home)
writes one entry naming how many non-public datasets it showed, not one per dataset.
"""

from __future__ import annotations

from stadsdata.catalog import Catalog
from stadsdata.catalog.service import DatasetView
from stadsdata.core.access import Action, Actor, DatasetResource, Decision, Level
from stadsdata.core.policy import PUBLIC, AccessPolicy
from stadsdata.errors import AccessDeniedError, NotFoundError
from stadsdata.governance.audit import AuditLog
from stadsdata.metastore.records import DatasetRecord


def record_resource(record: DatasetRecord) -> DatasetResource:
    """The policy's view of a dataset, from its registered contract."""
    contract = record.contract
    return DatasetResource(
        record.id,
        record.classification,
        str(contract.get("owner_dienst", "")),
        {c["name"]: str(c.get("personal_data", "none")) for c in contract.get("columns", [])},
    )


def not_found(dataset_id: str) -> NotFoundError:
    return NotFoundError(f"dataset {dataset_id!r} not found; see /api/v1/datasets")


class CatalogAccess:
    def __init__(self, catalog: Catalog, policy: AccessPolicy, audit: AuditLog) -> None:
        self.catalog = catalog
        self.policy = policy
        self.audit = audit

    def visible(self, actor: Actor) -> list[DatasetRecord]:
        """The datasets whose metadata ``actor`` may see (for the anonymous public: the openbaar ones)."""
        shown = [
            r for r in self.catalog.list() if self.policy.can(actor, Action.view_metadata, record_resource(r)).allowed
        ]
        hidden_count = sum(1 for r in shown if r.classification != PUBLIC)
        if hidden_count:
            self.audit.append(
                actor,
                Action.view_metadata,
                "catalogue",
                "allowed",
                detail={"non_public_listed": hidden_count},
            )
        return shown

    def _record(self, dataset_id: str) -> DatasetRecord | None:
        try:
            return self.catalog.metastore.get_dataset(dataset_id)
        except NotFoundError:
            return None

    def metadata(self, actor: Actor, dataset_id: str) -> DatasetRecord:
        """The dataset's record if ``actor`` may see its metadata; otherwise the public 404."""
        record = self._record(dataset_id)
        if record is None:
            raise not_found(dataset_id)
        decision = self.policy.can(actor, Action.view_metadata, record_resource(record))
        if record.classification != PUBLIC:
            self.audit.append(actor, Action.view_metadata, f"dataset:{dataset_id}", decision)
        if not decision.allowed:
            raise not_found(dataset_id)
        return record

    def view(self, actor: Actor, dataset_id: str) -> DatasetView:
        """``Catalog.show`` for ``actor``: the 404 of an unknown id when they may not see it."""
        self.metadata(actor, dataset_id)
        return self.catalog.show(dataset_id)

    def data(self, actor: Actor, dataset_id: str, *, purpose: str | None = None) -> Decision:
        """The policy's decision on reading the dataset's data (audited when not openbaar)."""
        record = self.metadata(actor, dataset_id)
        decision = self.policy.can(actor, Action.read_data, record_resource(record))
        if record.classification != PUBLIC:
            self.audit.append(actor, Action.read_data, f"dataset:{dataset_id}", decision, purpose=purpose)
        return decision

    def rows(self, actor: Actor, dataset_id: str) -> Decision:
        """Rows as stored need read access to every column: the data owner or steward, or a grant at
        read level. Anything less raises AccessDeniedError saying where the data can be used
        (an opgave's pseudonymised workspace)."""
        decision = self.data(actor, dataset_id)
        if not decision.allowed:
            raise AccessDeniedError(f"read_data on {dataset_id}: {decision.reason}")
        partial = sorted((c, level) for c, level in decision.columns.items() if level < Level.read)
        if partial:
            named = ", ".join(f"{c} ({level.label})" for c, level in partial[:5]) + (" …" if len(partial) > 5 else "")
            raise AccessDeniedError(
                f"read_data on {dataset_id}: your access to {named} is less than read; "
                "rows with pseudonymised columns are only in the workspace of an approved opgave"
            )
        return decision
