"""ORM tables of the metastore. Changes here need an Alembic migration (see migrations/)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to the metastore; use stadsdata.metastore.models.utcnow()")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime(), dict: JSON, list: JSON}


class DatasetRow(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(63), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(String(20))
    owner_dienst: Mapped[str] = mapped_column(Text)
    contract: Mapped[dict] = mapped_column(JSON)
    contract_sha256: Mapped[str] = mapped_column(String(64))
    search_text: Mapped[str] = mapped_column(Text)
    like_of: Mapped[str | None] = mapped_column(String(63), nullable=True)
    current_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionRow(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("dataset_id", "number", name="uq_versions_dataset_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    storage_version: Mapped[int] = mapped_column(Integer)
    row_count: Mapped[int] = mapped_column(BigInteger)
    schema: Mapped[list] = mapped_column(JSON)
    schema_changes: Mapped[dict] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    contract_sha256: Mapped[str] = mapped_column(String(64))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), nullable=True)
    delivered_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class DeliveryRow(Base):
    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(Text)
    stored_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    format: Mapped[str | None] = mapped_column(String(20), nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    delivered_by: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(20), index=True)
    state_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    version_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class DeliveryEventRow(Base):
    __tablename__ = "delivery_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)


class LineageRow(Base):
    __tablename__ = "lineage"

    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    relation: Mapped[str] = mapped_column(String(40), default="derived_from")
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NoticeRow(Base):
    """A message to a person in a role (the data owner of a dataset): the inbox.

    Open until resolved (a quarantined delivery released, or a later delivery loaded).
    """

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), nullable=True)
    role: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    read_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(nullable=True, index=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)


# -- governance (issue #4): identity, roles, grants, audit, opgaven, workspaces, Datashop --------
class UserRow(Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)  # the login name
    display_name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text, nullable=True)
    dienst: Mapped[str | None] = mapped_column(Text, nullable=True)
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, as argon2-cffi encodes it
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RoleAssignmentRow(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_name", "role", "scope", name="uq_role_assignment"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    scope: Mapped[str | None] = mapped_column(String(200), nullable=True)  # dataset id or dienst
    granted_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the secret
    scopes: Mapped[list] = mapped_column(JSON)  # actions the token may be used for
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class SessionRow(Base):
    """A portal login: the cookie carries ``id``; forms carry ``csrf_token``."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie value
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class DataGrantRow(Base):
    __tablename__ = "data_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(20))  # read, pseudonymised, aggregated
    columns: Mapped[list | None] = mapped_column(JSON, nullable=True)
    special_categories: Mapped[list] = mapped_column(JSON, default=list)
    opgave_id: Mapped[int | None] = mapped_column(ForeignKey("opgaven.id"), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class AuditRow(Base):
    """Append-only; each entry's ``hash`` covers its fields and the previous entry's hash."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(Text)  # user name, or "anonymous", or "system"
    action: Mapped[str] = mapped_column(String(60))
    resource: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str | None] = mapped_column(Text, nullable=True)
    decision: Mapped[str] = mapped_column(String(40))  # allowed, denied, done, ...
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class OpgaveRow(Base):
    __tablename__ = "opgaven"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    legal_ground: Mapped[str] = mapped_column(String(40))  # AVG art. 6(1) a-f
    legal_basis: Mapped[str] = mapped_column(Text)  # the law, e.g. "Wmo 2015, art. 2.1.2"
    dpia_reference: Mapped[str] = mapped_column(Text)
    dpia_status: Mapped[str] = mapped_column(String(40))
    requester: Mapped[str] = mapped_column(ForeignKey("users.name"))
    members: Mapped[list] = mapped_column(JSON)
    end_date: Mapped[dt.date] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), index=True)  # requested, approved, declined, closed, destroyed
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class OpgaveColumnRow(Base):
    """One column of one dataset that an opgave asks for, with the reason and its owner's decision."""

    __tablename__ = "opgave_columns"
    __table_args__ = (UniqueConstraint("opgave_id", "dataset_id", "column", name="uq_opgave_column"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    opgave_id: Mapped[int] = mapped_column(ForeignKey("opgaven.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[str] = mapped_column(ForeignKey("datasets.id"))
    column: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(20), default="pending")  # pending, approved, declined
    decided_by: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class DatashopRequestRow(Base):
    __tablename__ = "datashop_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    deadline: Mapped[dt.date] = mapped_column()
    dienst: Mapped[str] = mapped_column(Text)
    requester: Mapped[str] = mapped_column(ForeignKey("users.name"))
    state: Mapped[str] = mapped_column(String(20), index=True)  # new, answered, opgave, declined
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    opgave_id: Mapped[int | None] = mapped_column(ForeignKey("opgaven.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    history: Mapped[list] = mapped_column(JSON, default=list)  # [{at, by, state, note}]


class WorkspaceRow(Base):
    """An opgave's workspace: a separate DuckDB file with only the approved columns."""

    __tablename__ = "workspaces"

    opgave_id: Mapped[int] = mapped_column(ForeignKey("opgaven.id", ondelete="CASCADE"), primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    built_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    built_by: Mapped[str] = mapped_column(Text)
    tables: Mapped[list] = mapped_column(JSON)  # [{dataset, version, table, columns: {name: transform}, rows, sha256}]
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    destruction: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # what was removed, hashes, by whom


# -- the algorithm register (0004) -----------------------------------------------------------------


class RegisterEntryRow(Base):
    """One algorithm of the register: its current fields (Algoritmeregister standard v1.0 names
    only), the problems validation found, and for an imported entry the raw record it came from."""

    __tablename__ = "register_entries"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)  # a slug of organisation + name
    source_key: Mapped[str | None] = mapped_column(String(300), nullable=True, unique=True)  # upsert key
    source_id: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)  # the v1.0 field
    source: Mapped[str] = mapped_column(String(20))  # import-2022, portal, api, model
    fields: Mapped[dict] = mapped_column(JSON)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # [{field, message}]
    raw: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the 2022 record as imported
    search_text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(Text)


class RegisterVersionRow(Base):
    """One change of an entry: who, when, why, and per field the old and the new value."""

    __tablename__ = "register_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number", name="uq_register_versions_entry_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("register_entries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    by: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict] = mapped_column(JSON)  # {field: [old, new]}


class RegisterLinkRow(Base):
    """What an entry is linked to: a catalogue dataset (``kind`` dataset, ``target`` its id)."""

    __tablename__ = "register_links"

    entry_id: Mapped[str] = mapped_column(ForeignKey("register_entries.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    target: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
