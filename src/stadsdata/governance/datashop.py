"""The Datashop: a desk where staff ask data questions.

A question states what is asked, for what purpose, by when and for which dienst. The Datashop
team (data officers, the admin) triages it: answered with existing open data or indicators (the
answer says where), turned into an opgave (the opgave's id), or declined with a reason. The
requester sees the state and the whole history; the team sees every request.
"""

from __future__ import annotations

import datetime as dt

from stadsdata.core.access import Action, Actor
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import AccessDeniedError, GovernanceError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.enforce import enforce
from stadsdata.metastore import Metastore
from stadsdata.metastore.datashop_store import DatashopRequest, DatashopStore
from stadsdata.metastore.opgaven_store import OpgavenStore

OUTCOMES = ("answered", "opgave", "declined")


class Datashop:
    def __init__(self, metastore: Metastore, audit: AuditLog, policy: AccessPolicy) -> None:
        self.store = DatashopStore(metastore)
        self.opgaven = OpgavenStore(metastore)
        self.audit = audit
        self.policy = policy

    def file(
        self,
        actor: Actor,
        *,
        question: str,
        purpose: str,
        deadline: dt.date,
        dienst: str,
        today: dt.date | None = None,
    ) -> DatashopRequest:
        enforce(self.policy, self.audit, actor, Action.file_datashop, None, "datashop")
        assert actor.user is not None
        today = today or dt.date.today()
        if len(question.strip()) < 15:
            raise GovernanceError("question: expected the data question in a sentence (at least 15 characters)")
        if len(purpose.strip()) < 15:
            raise GovernanceError("purpose: expected what the answer is for (at least 15 characters)")
        if deadline < today:
            raise GovernanceError(f"deadline: {deadline.isoformat()} has passed")
        if not dienst.strip():
            raise GovernanceError("dienst: expected the dienst that asks")
        request = self.store.add(question.strip(), purpose.strip(), deadline, dienst.strip(), actor.user)
        self.audit.append(actor.user, "datashop_filed", f"datashop/{request.id}", "done", purpose=request.purpose)
        return request

    def triage(
        self, actor: Actor, request_id: int, outcome: str, note: str, *, opgave_id: int | None = None
    ) -> DatashopRequest:
        enforce(self.policy, self.audit, actor, Action.triage_datashop, None, f"datashop/{request_id}")
        assert actor.user is not None
        request = self.store.get(request_id)
        if request.state != "new":
            raise GovernanceError(f"Datashop request {request_id} is already {request.state}")
        if outcome not in OUTCOMES:
            raise GovernanceError(f"outcome: {outcome!r}; expected one of {', '.join(OUTCOMES)}")
        if len(note.strip()) < 10:
            what = {"answered": "where the answer is", "opgave": "why an opgave", "declined": "why it is declined"}
            raise GovernanceError(f"note: expected {what[outcome]} (at least 10 characters)")
        if outcome == "opgave":
            if opgave_id is None:
                raise GovernanceError("opgave_id: expected the opgave the request became")
            self.opgaven.get(opgave_id)  # a clear 'not found' when it does not exist
        elif opgave_id is not None:
            raise GovernanceError(f"opgave_id: only for outcome 'opgave', not {outcome!r}")
        resolved = self.store.resolve(request_id, outcome, actor.user, note.strip(), opgave_id)
        self.audit.append(actor.user, "datashop_triaged", f"datashop/{request_id}", outcome, detail={"note": note})
        return resolved

    def visible_to(self, actor: Actor) -> list[DatashopRequest]:
        """The team sees every request; anyone else their own; the public none."""
        if not actor.is_staff:
            raise AccessDeniedError("the Datashop is for staff; log in")
        if self.policy.can(actor, Action.triage_datashop).allowed:
            return self.store.list()
        return self.store.list(requester=actor.user)

    def get(self, actor: Actor, request_id: int) -> DatashopRequest:
        request = self.store.get(request_id)
        if request.requester != actor.user and not self.policy.can(actor, Action.triage_datashop).allowed:
            raise AccessDeniedError(f"Datashop request {request_id}: only its requester and the Datashop team")
        return request
