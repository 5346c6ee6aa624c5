"""Who may do what: roles, actions, access levels, and the actor that the access policy judges.

Plain, immutable values with no I/O: the identity area builds an ``Actor`` from the metastore
(its roles and data grants), and ``stadsdata.core.policy.AccessPolicy`` answers
``can(actor, action, resource)`` with a ``Decision``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Role(StrEnum):
    """The roles of the platform. ``data_owner`` and ``data_steward`` hold per dataset (their
    scope is a dataset id), ``data_officer`` per dienst (scope: the dienst's name); the others are
    platform-wide (no scope). The anonymous public has no role at all."""

    platform_admin = "platform_admin"
    governance_board = "governance_board"
    data_officer = "data_officer"
    data_owner = "data_owner"
    data_steward = "data_steward"
    analyst = "analyst"


SCOPED_ROLES = {Role.data_owner: "dataset", Role.data_steward: "dataset", Role.data_officer: "dienst"}


class Level(IntEnum):
    """How much of a dataset or column an actor gets, from nothing to everything."""

    none = 0
    aggregated = 1  # only aggregates that pass disclosure control
    pseudonymised = 2  # rows, with direct identifiers as keyed pseudonyms and quasi-identifiers generalised
    read = 3  # rows as stored

    @property
    def label(self) -> str:
        return self.name


class Action(StrEnum):
    """Everything a route or command can ask the policy about."""

    view_metadata = "view_metadata"  # the contract, versions, quality: the catalogue entry
    read_data = "read_data"  # rows, downloads, SQL on the dataset's tables
    ingest = "ingest"  # deliver a file, retry, register a dataset
    release = "release"  # publish a quarantined delivery
    publish_aggregate = "publish_aggregate"  # publish counts of the dataset as open data (disclosure control)
    request_opgave = "request_opgave"
    view_opgave = "view_opgave"  # see an opgave: its purpose, columns, decisions and state
    approve_opgave = "approve_opgave"  # a data owner's decision on their part of an opgave
    use_workspace = "use_workspace"  # query an opgave's workspace (members only, while active)
    export_result = "export_result"  # take a result out of a workspace (through disclosure control)
    close_opgave = "close_opgave"  # end an opgave before its end date
    manage_users = "manage_users"  # users, roles, grants, tokens of others
    view_audit = "view_audit"  # read and verify the audit log
    file_datashop = "file_datashop"  # ask the Datashop a data question
    triage_datashop = "triage_datashop"  # answer, turn into an opgave, or decline
    edit_register = "edit_register"  # algorithm register entries


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    scope: str | None = None  # dataset id or dienst for scoped roles


@dataclass(frozen=True)
class DataGrant:
    """Access to one non-public dataset beyond its metadata: a level, optionally limited to some
    columns, for a purpose (an opgave), until a moment."""

    dataset_id: str
    level: Level
    columns: frozenset[str] | None = None  # None: every column the level allows
    opgave_id: int | None = None
    special_categories: frozenset[str] = frozenset()  # special-category columns explicitly approved
    expires_at: dt.datetime | None = None

    def active(self, now: dt.datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True)
class Actor:
    """Whoever asks: a logged-in user (with roles and grants) or the anonymous public."""

    user: str | None
    roles: frozenset[RoleGrant] = frozenset()
    grants: tuple[DataGrant, ...] = ()
    dienst: str | None = None
    via_token_scopes: frozenset[str] | None = None  # an API token limits its user's actions

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(user=None)

    @property
    def is_staff(self) -> bool:
        return self.user is not None

    def has(self, role: Role, scope: str | None = None) -> bool:
        """Holds ``role`` (platform-wide, or for ``scope`` when the role is scoped)."""
        return any(g.role == role and (scope is None or g.scope == scope) for g in self.roles)


@dataclass(frozen=True)
class DatasetResource:
    """What the policy needs of a dataset: read from its contract."""

    id: str
    classification: str  # openbaar, intern, vertrouwelijk, geheim
    owner_dienst: str
    personal_data: dict[str, str] = field(default_factory=dict)  # column -> none/direct_identifier/...


@dataclass(frozen=True)
class Decision:
    """The policy's answer: allowed or not, the level, per column for data, and why (one line)."""

    allowed: bool
    level: Level
    reason: str
    columns: dict[str, Level] = field(default_factory=dict)


@dataclass(frozen=True)
class OpgaveResource:
    """What the policy needs of an opgave. ``dataset`` is set when the question is about one
    dataset's part of it (an approval)."""

    id: int
    requester: str
    members: frozenset[str]
    state: str  # requested, approved, declined, closed, destroyed
    end_date: dt.date
    dataset: DatasetResource | None = None
    datasets: frozenset[str] = frozenset()  # every dataset it asks columns of
