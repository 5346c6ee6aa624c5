"""Opgaven: purpose-bound analysis projects.

A request states its purpose, its legal basis (the AVG article 6(1) ground and the law), a DPIA
reference and status, every dataset and column it needs with a reason per column, its members
and an end date (at most ``max_months`` ahead). Each dataset's data owner approves or declines
their part; nobody decides on their own request; a special-category column is approved only
when the owner names it. When every part is decided the opgave is approved (some columns
approved: the members get a pseudonymised grant on exactly those columns until the end date) or
declined. Every step asks the access policy and goes into the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from stadsdata.core.access import Action, Actor, DatasetResource, OpgaveResource
from stadsdata.core.contract import Contract, PersonalData, parse_contract
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import GovernanceError, NotFoundError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.enforce import enforce
from stadsdata.metastore import Metastore
from stadsdata.metastore.opgaven_store import Opgave, OpgavenStore

#: AVG (GDPR) article 6(1): the lawful grounds, by their letter.
LEGAL_GROUNDS = {
    "a": "toestemming (consent)",
    "b": "overeenkomst (contract)",
    "c": "wettelijke verplichting (legal obligation)",
    "d": "vitale belangen (vital interests)",
    "e": "algemeen belang of openbaar gezag (public task)",
    "f": "gerechtvaardigd belang (legitimate interests; not for public authorities' tasks)",
}
DPIA_STATUSES = ("niet nodig", "in uitvoering", "afgerond")
MIN_PURPOSE = 20  # characters: a purpose is a sentence, not a word


@dataclass(frozen=True)
class ColumnRequest:
    dataset_id: str
    column: str
    reason: str


@dataclass(frozen=True)
class OpgaveRequest:
    title: str
    purpose: str
    legal_ground: str  # a-f of AVG art. 6(1)
    legal_basis: str  # the law, e.g. "Wmo 2015, art. 2.1.3"
    dpia_reference: str
    dpia_status: str
    end_date: dt.date
    columns: list[ColumnRequest]
    members: list[str] = field(default_factory=list)


def dataset_resource(contract: Contract) -> DatasetResource:
    return DatasetResource(
        contract.id,
        contract.classification.value,
        contract.owner_dienst,
        {c.name: c.personal_data.value for c in contract.columns},
    )


def opgave_resource(opgave: Opgave, contract: Contract | None = None) -> OpgaveResource:
    return OpgaveResource(
        opgave.id,
        opgave.requester,
        frozenset(opgave.members),
        opgave.state,
        opgave.end_date,
        dataset_resource(contract) if contract else None,
        frozenset(opgave.datasets),
    )


class Opgaven:
    def __init__(
        self,
        metastore: Metastore,
        audit: AuditLog,
        policy: AccessPolicy,
        *,
        max_months: int = 12,
        users_exist: Any = None,
    ) -> None:
        self.store = OpgavenStore(metastore)
        self.metastore = metastore
        self.audit = audit
        self.policy = policy
        self.max_months = max_months
        self._users_exist = users_exist  # callable(list[str]) -> list[str] of unknown names

    def _contract(self, dataset_id: str) -> Contract:
        record = self.metastore.get_dataset(dataset_id)
        return parse_contract(record.contract, source=f"metastore contract of {dataset_id}")

    # -- request ---------------------------------------------------------------------------------
    def request(self, actor: Actor, req: OpgaveRequest, *, today: dt.date | None = None) -> Opgave:
        """File an opgave. Every problem is one line naming the field; nothing is stored then."""
        today = today or dt.date.today()
        enforce(self.policy, self.audit, actor, Action.request_opgave, None, "opgaven")
        assert actor.user is not None
        if len(req.title.strip()) < 5:
            raise GovernanceError("title: expected a title of at least 5 characters")
        if len(req.purpose.strip()) < MIN_PURPOSE:
            raise GovernanceError(f"purpose: expected the purpose in a sentence (at least {MIN_PURPOSE} characters)")
        if req.legal_ground not in LEGAL_GROUNDS:
            raise GovernanceError(
                f"legal_ground: {req.legal_ground!r} is not a ground of AVG art. 6(1); expected one of a-f"
            )
        if len(req.legal_basis.strip()) < 5:
            raise GovernanceError("legal_basis: expected the law that gives the task (e.g. 'Wmo 2015, art. 2.1.3')")
        if not req.dpia_reference.strip():
            raise GovernanceError("dpia_reference: expected the DPIA's reference (or why none is needed)")
        if req.dpia_status not in DPIA_STATUSES:
            raise GovernanceError(f"dpia_status: {req.dpia_status!r}; expected one of {', '.join(DPIA_STATUSES)}")
        latest = add_months(today, self.max_months)
        if req.end_date <= today:
            raise GovernanceError(f"end_date: {req.end_date.isoformat()} is not in the future")
        if req.end_date > latest:
            raise GovernanceError(
                f"end_date: {req.end_date.isoformat()} is past the maximum of {self.max_months} months "
                f"({latest.isoformat()})"
            )
        if not req.columns:
            raise GovernanceError("columns: expected at least one dataset column with a reason")
        seen: set[tuple[str, str]] = set()
        person = replace(actor, via_token_scopes=None)
        for position, col in enumerate(req.columns, start=1):
            where = f"columns[{position}] ({col.dataset_id}.{col.column})"
            try:
                contract = self._contract(col.dataset_id)
            except NotFoundError:
                contract = None
            # a dataset the requester may not see (geheim) is answered like an unknown one; what they
            # see is their own, whatever a token they use is scoped for
            if (
                contract is None
                or not self.policy.can(person, Action.view_metadata, dataset_resource(contract)).allowed
            ):
                raise GovernanceError(f"{where}: no dataset {col.dataset_id!r} in the catalogue")
            if col.column not in contract.column_names:
                raise GovernanceError(f"{where}: the dataset has no column {col.column!r}")
            if len(col.reason.strip()) < 10:
                raise GovernanceError(f"{where}: expected a reason why the column is needed (at least 10 characters)")
            if (col.dataset_id, col.column) in seen:
                raise GovernanceError(f"{where}: asked twice")
            seen.add((col.dataset_id, col.column))
        members = list(dict.fromkeys(m.strip() for m in req.members if m.strip()))
        if self._users_exist is not None:
            unknown = self._users_exist(members)
            if unknown:
                raise GovernanceError(f"members: unknown user {unknown[0]!r}")
        opgave_id = self.store.add(
            {
                "title": req.title.strip(),
                "purpose": req.purpose.strip(),
                "legal_ground": req.legal_ground,
                "legal_basis": req.legal_basis.strip(),
                "dpia_reference": req.dpia_reference.strip(),
                "dpia_status": req.dpia_status,
                "requester": actor.user,
                "members": members,
                "end_date": req.end_date,
            },
            [(c.dataset_id, c.column, c.reason.strip()) for c in req.columns],
        )
        self.audit.append(
            actor.user,
            "opgave_requested",
            f"opgave/{opgave_id}",
            "done",
            purpose=req.purpose.strip(),
            detail={"datasets": sorted({c.dataset_id for c in req.columns}), "end_date": req.end_date.isoformat()},
        )
        return self.store.get(opgave_id)

    # -- decide ----------------------------------------------------------------------------------
    def decide(
        self,
        actor: Actor,
        opgave_id: int,
        dataset_id: str,
        *,
        approve: bool,
        reason: str,
        columns: list[str] | None = None,
        special_categories: list[str] | None = None,
    ) -> Opgave:
        """The data owner's decision on the opgave's part of ``dataset_id``. ``columns``: approve
        only these (default: all asked); a special-category column needs to be in
        ``special_categories`` as well."""
        opgave = self.store.get(opgave_id)
        if dataset_id not in opgave.datasets:
            raise GovernanceError(f"opgave {opgave_id} asks nothing of dataset {dataset_id!r}")
        contract = self._contract(dataset_id)
        enforce(
            self.policy,
            self.audit,
            actor,
            Action.approve_opgave,
            opgave_resource(opgave, contract),
            f"opgave/{opgave_id}/{dataset_id}",
        )
        assert actor.user is not None
        if len(reason.strip()) < 10:
            raise GovernanceError("reason: expected the reason for the decision (at least 10 characters)")
        asked = [c.column for c in opgave.columns if c.dataset_id == dataset_id]
        chosen = set(asked if columns is None else columns)
        unknown = sorted(chosen - set(asked))
        if unknown:
            raise GovernanceError(f"columns: {unknown[0]!r} was not asked for by opgave {opgave_id}")
        special = {c.name for c in contract.columns if c.personal_data == PersonalData.special_category}
        named = set(special_categories or [])
        wrong = sorted(named - special)
        if wrong:
            raise GovernanceError(f"special_categories: {wrong[0]!r} is not a special-category column")
        decisions = {c: approve and c in chosen and (c not in special or c in named) for c in asked}
        opgave, done = self.store.decide(
            opgave_id, dataset_id, decisions, actor.user, reason.strip(), sorted(named & chosen)
        )
        self.audit.append(
            actor.user,
            "opgave_decided",
            f"opgave/{opgave_id}/{dataset_id}",
            "approved" if any(decisions.values()) else "declined",
            purpose=opgave.purpose,
            detail={"columns": decisions, "reason": reason.strip(), "opgave_state": opgave.state},
        )
        return opgave

    def get(self, opgave_id: int) -> Opgave:
        return self.store.get(opgave_id)

    def visible_to(self, actor: Actor, state: str | None = None) -> list[Opgave]:
        """The opgaven ``actor`` may see (``view_opgave``), newest first. Not audited per opgave:
        a listing shows titles and states, no data."""
        visible = [
            o for o in self.store.list(state) if self.policy.can(actor, Action.view_opgave, opgave_resource(o)).allowed
        ]
        return list(reversed(visible))

    def show(self, actor: Actor, opgave_id: int) -> Opgave:
        """One opgave for ``actor``: the policy decides (audited); a refusal is a 404, so that an
        opgave's existence does not leak."""
        opgave = self.store.get(opgave_id)
        decision = self.policy.can(actor, Action.view_opgave, opgave_resource(opgave))
        self.audit.append(actor, Action.view_opgave, f"opgave/{opgave_id}", decision)
        if not decision.allowed:
            raise NotFoundError(f"no opgave {opgave_id}")
        return opgave

    def to_decide(self, actor: Actor) -> list[tuple[Opgave, str]]:
        """(opgave, dataset) pairs waiting for ``actor``'s decision as data owner."""
        waiting = []
        for opgave in self.store.list("requested"):
            for dataset_id in opgave.datasets:
                pending = any(c.decision == "pending" for c in opgave.columns if c.dataset_id == dataset_id)
                resource = opgave_resource(opgave, self._contract(dataset_id))
                if pending and self.policy.can(actor, Action.approve_opgave, resource).allowed:
                    waiting.append((opgave, dataset_id))
        return waiting

    def list(self, state: str | None = None) -> list[Opgave]:
        return self.store.list(state)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")
