"""The access policy: one pure object that answers ``can(actor, action, resource)``.

Every route and command asks it (never a role check of its own) and audits the answer on
non-public data. It reads only its arguments: the actor's roles and grants, the dataset's
classification and personal-data flags (from the contract), the opgave's members, state and end
date, and the time. The rules, in short (docs/governance.md has the full table):

- *openbaar* datasets: metadata and data for everyone, anonymous included.
- *intern* and *vertrouwelijk*: metadata for staff (anyone logged in); *geheim*: metadata only for
  the dataset's owner and steward, its dienst's data officer, the board and the admin.
- Data of a non-public dataset: everything for its data owner and steward; others only through
  an active grant, per column: a column without personal data at the grant's level, a direct or
  quasi-identifier at most pseudonymised (pseudonym or generalised), a special-category column
  only when the grant names it. Columns outside the grant's list: none.
- Ingest and release: the dataset's owner and steward, its dienst's data officer, the admin.
- Publishing counts of a dataset as open data (through disclosure control): its owner and steward.
- Opgaven: any staff member may ask; its requester, members, the data owners of its datasets,
  the board and the admin see it; a data owner decides on their dataset's part, never on their
  own request; members use the workspace while it is approved and before its end date; the
  requester or the admin closes it early.
- Users and grants: the admin. The audit log: the admin and the board. The Datashop: staff file,
  data officers and the admin triage. The algorithm register: data officers and the admin edit.
- An API token only carries the actions it was scoped for (beyond what the public may do anyway).
"""

from __future__ import annotations

import datetime as dt

from stadsdata.core.access import (
    Action,
    Actor,
    DatasetResource,
    Decision,
    Level,
    OpgaveResource,
    Role,
)

PUBLIC = "openbaar"
SECRET = "geheim"

#: The most a grant gives a column, by the column's personal-data flag.
CEILING = {
    "none": Level.read,
    "quasi_identifier": Level.pseudonymised,
    "direct_identifier": Level.pseudonymised,
    "special_category": Level.pseudonymised,  # and only when the grant names the column
}

_DATASET_ACTIONS = {Action.view_metadata, Action.read_data, Action.ingest, Action.release, Action.publish_aggregate}
_OPGAVE_ACTIONS = {
    Action.view_opgave,
    Action.approve_opgave,
    Action.use_workspace,
    Action.export_result,
    Action.close_opgave,
}


def _allow(level: Level, reason: str, columns: dict[str, Level] | None = None) -> Decision:
    return Decision(True, level, reason, columns or {})


def _deny(reason: str) -> Decision:
    return Decision(False, Level.none, reason)


class AccessPolicy:
    """Stateless; one instance serves every request."""

    def can(
        self,
        actor: Actor,
        action: Action,
        resource: DatasetResource | OpgaveResource | None = None,
        *,
        now: dt.datetime | None = None,
    ) -> Decision:
        now = now or dt.datetime.now(dt.UTC)
        if actor.via_token_scopes is not None and action.value not in actor.via_token_scopes:
            # a token never gives less than no login at all: what the public may do, it may do
            public = self.can(Actor.anonymous(), action, resource, now=now)
            if public.allowed:
                return public
            return _deny(f"the API token is not scoped for {action.value}")
        if action in _DATASET_ACTIONS:
            if not isinstance(resource, DatasetResource):
                raise TypeError(f"{action.value} needs a DatasetResource")
            return self._dataset(actor, action, resource, now)
        if action in _OPGAVE_ACTIONS:
            if not isinstance(resource, OpgaveResource):
                raise TypeError(f"{action.value} needs an OpgaveResource")
            return self._opgave(actor, action, resource, now)
        return self._platform(actor, action)

    # -- datasets --------------------------------------------------------------------------------
    def _dataset(self, actor: Actor, action: Action, d: DatasetResource, now: dt.datetime) -> Decision:
        public = d.classification == PUBLIC
        owner = actor.has(Role.data_owner, d.id) or actor.has(Role.data_steward, d.id)
        officer = actor.has(Role.data_officer, d.owner_dienst)
        admin = actor.has(Role.platform_admin)
        if action == Action.view_metadata:
            if public:
                return _allow(Level.read, "openbaar: metadata for everyone")
            if not actor.is_staff:
                return _deny(f"{d.classification}: metadata only for staff; log in")
            if d.classification != SECRET:
                return _allow(Level.read, f"{d.classification}: metadata for staff")
            if owner or officer or admin or actor.has(Role.governance_board):
                return _allow(Level.read, "geheim: metadata for its owner, steward, data officer, board and admin")
            return _deny("geheim: metadata only for its owner, steward, data officer, board and admin")
        if action == Action.publish_aggregate:
            if owner:
                return _allow(Level.aggregated, "publish_aggregate: data owner or steward of the dataset")
            return _deny("publish_aggregate: only the dataset's data owner or steward publishes its counts")
        if action in (Action.ingest, Action.release):
            if owner or officer or admin:
                return _allow(Level.read, f"{action.value}: data owner, steward, data officer of the dienst or admin")
            return _deny(f"{action.value}: only the dataset's data owner, steward, its dienst's data officer or admin")
        # read_data
        everything = dict.fromkeys(d.personal_data, Level.read)
        if public:
            return _allow(Level.read, "openbaar: data for everyone", everything)
        if not actor.is_staff:
            return _deny(f"{d.classification}: no data without login and a grant")
        if owner:
            return _allow(Level.read, "data owner or steward of the dataset", everything)
        grants = [g for g in actor.grants if g.dataset_id == d.id and g.active(now)]
        if not grants:
            return _deny(f"{d.classification}: data only with a grant (an approved opgave)")
        columns: dict[str, Level] = {}
        for name, flag in d.personal_data.items():
            best = Level.none
            for g in grants:
                if g.columns is not None and name not in g.columns:
                    continue
                if flag == "special_category" and name not in g.special_categories:
                    continue
                best = max(best, min(g.level, CEILING.get(flag, Level.none)))
            columns[name] = best
        level = max(columns.values(), default=Level.none)
        if level == Level.none:
            return _deny("the grant covers none of the dataset's columns")
        purposes = sorted({str(g.opgave_id) for g in grants if g.opgave_id is not None})
        why = f"grant ({', '.join('opgave ' + p for p in purposes) or 'direct'})"
        return _allow(level, why, columns)

    # -- opgaven ---------------------------------------------------------------------------------
    def _opgave(self, actor: Actor, action: Action, o: OpgaveResource, now: dt.datetime) -> Decision:
        if not actor.is_staff:
            return _deny("opgaven are for staff; log in")
        if action == Action.view_opgave:
            if actor.user == o.requester or actor.user in o.members:
                return _allow(Level.read, "requester or member of the opgave")
            if any(actor.has(Role.data_owner, d) for d in o.datasets):
                return _allow(Level.read, "data owner of a dataset it asks for")
            if actor.has(Role.platform_admin) or actor.has(Role.governance_board):
                return _allow(Level.read, "oversight: platform admin or governance board")
            return _deny(f"opgave {o.id} is seen by its requester, members, data owners, the board and the admin")
        if action == Action.approve_opgave:
            if o.dataset is None:
                raise TypeError("approve_opgave needs the opgave's dataset")
            if actor.user == o.requester:
                return _deny("nobody approves their own request")
            if o.state != "requested":
                return _deny(f"opgave {o.id} is {o.state}; only a requested opgave can be decided")
            if actor.has(Role.data_owner, o.dataset.id):
                return _allow(Level.read, f"data owner of {o.dataset.id}")
            return _deny(f"only the data owner of {o.dataset.id} decides on its part")
        if action == Action.close_opgave:
            if actor.user != o.requester and not actor.has(Role.platform_admin):
                return _deny("only its requester or the admin closes an opgave")
            return _allow(Level.read, "requester of the opgave" if actor.user == o.requester else "platform admin")
        if actor.user != o.requester and actor.user not in o.members:
            return _deny(f"only the members of opgave {o.id} use its workspace")
        if o.state == "destroyed":
            return _deny(f"opgave {o.id}: its workspace has been destroyed")
        if o.state != "approved":
            return _deny(f"opgave {o.id} is {o.state}; a workspace needs an approved opgave")
        if now.date() > o.end_date:
            return _deny(f"opgave {o.id} ended on {o.end_date.isoformat()}")
        return _allow(Level.pseudonymised, f"member of opgave {o.id}")

    # -- the platform ----------------------------------------------------------------------------
    def _platform(self, actor: Actor, action: Action) -> Decision:
        if not actor.is_staff:
            return _deny(f"{action.value} needs a login")
        allowed: dict[Action, tuple[Role, ...] | None] = {
            Action.request_opgave: None,  # any staff member
            Action.file_datashop: None,
            Action.manage_users: (Role.platform_admin,),
            Action.view_audit: (Role.platform_admin, Role.governance_board),
            Action.triage_datashop: (Role.platform_admin, Role.data_officer),
            Action.edit_register: (Role.platform_admin, Role.data_officer),
        }
        roles = allowed[action]
        if roles is None:
            return _allow(Level.read, f"{action.value}: any staff member")
        if any(g.role in roles for g in actor.roles):
            return _allow(Level.read, f"{action.value}: {' or '.join(r.value for r in roles)}")
        return _deny(f"{action.value} needs the role {' or '.join(r.value for r in roles)}")
