"""Users, role assignments, data grants, API tokens and portal sessions: their rows and records.

Only SQL and plain records here; the rules (password policy, role scopes, token lifetimes, what
an expired token says) live in ``stadsdata.governance.identity``. Secrets never reach this module:
it stores password hashes (argon2id), and SHA-256 hashes of token secrets and session cookies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from stadsdata.errors import ConflictError, NotFoundError
from stadsdata.metastore.models import (
    ApiTokenRow,
    DataGrantRow,
    OpgaveRow,
    RoleAssignmentRow,
    SessionRow,
    UserRow,
    utcnow,
)
from stadsdata.metastore.store import Metastore


# -- records -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UserRecord:
    """A user as shown: never the password hash."""

    name: str
    display_name: str
    email: str | None
    dienst: str | None
    active: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class RoleAssignmentRecord:
    id: int
    user_name: str
    role: str
    scope: str | None
    granted_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DataGrantRecord:
    id: int
    user_name: str
    dataset_id: str
    level: str
    columns: tuple[str, ...] | None
    special_categories: tuple[str, ...]
    opgave_id: int | None
    reason: str
    granted_by: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def active(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


@dataclass(frozen=True)
class TokenRecord:
    """An API token as shown: never its secret (which is not stored) nor its hash."""

    id: int
    user_name: str
    name: str
    scopes: tuple[str, ...]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None


@dataclass(frozen=True)
class SessionRecord:
    user_name: str
    csrf_token: str
    created_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None


def _user(row: UserRow) -> UserRecord:
    return UserRecord(row.name, row.display_name, row.email, row.dienst, row.active, row.created_at)


def _role(row: RoleAssignmentRow) -> RoleAssignmentRecord:
    return RoleAssignmentRecord(row.id, row.user_name, row.role, row.scope, row.granted_by, row.created_at)


def _grant(row: DataGrantRow) -> DataGrantRecord:
    return DataGrantRecord(
        id=row.id,
        user_name=row.user_name,
        dataset_id=row.dataset_id,
        level=row.level,
        columns=tuple(row.columns) if row.columns is not None else None,
        special_categories=tuple(row.special_categories or ()),
        opgave_id=row.opgave_id,
        reason=row.reason,
        granted_by=row.granted_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def _token(row: ApiTokenRow) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        user_name=row.user_name,
        name=row.name,
        scopes=tuple(row.scopes or ()),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def _session(row: SessionRow) -> SessionRecord:
    return SessionRecord(row.user_name, row.csrf_token, row.created_at, row.expires_at, row.ended_at)


class IdentityStore:
    """The SQL of identity: one short transaction per call, plain records out."""

    def __init__(self, metastore: Metastore) -> None:
        self.metastore = metastore

    @staticmethod
    def _user_row(s: Session, name: str) -> UserRow:
        row = s.get(UserRow, name)
        if row is None:
            raise NotFoundError(f"user {name!r} not found; see `stadsdata users list`")
        return row

    # -- users -------------------------------------------------------------------------------
    def add_user(
        self, *, name: str, display_name: str, email: str | None, dienst: str | None, password_hash: str
    ) -> UserRecord:
        with self.metastore.session() as s:
            if s.get(UserRow, name) is not None:
                raise ConflictError(f"user {name!r} already exists; choose another name")
            row = UserRow(
                name=name,
                display_name=display_name,
                email=email,
                dienst=dienst,
                password_hash=password_hash,
                active=True,
                created_at=utcnow(),
            )
            s.add(row)
            s.flush()
            return _user(row)

    def find_user(self, name: str) -> UserRecord | None:
        with self.metastore.session() as s:
            row = s.get(UserRow, name)
            return _user(row) if row is not None else None

    def get_user(self, name: str) -> UserRecord:
        with self.metastore.session() as s:
            return _user(self._user_row(s, name))

    def list_users(self) -> list[UserRecord]:
        with self.metastore.session() as s:
            return [_user(r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]

    def existing_users(self, names: list[str]) -> set[str]:
        """Which of ``names`` are users (active or not)."""
        if not names:
            return set()
        with self.metastore.session() as s:
            return set(s.scalars(select(UserRow.name).where(UserRow.name.in_(names))))

    def password_hash(self, name: str) -> tuple[str, bool] | None:
        """(hash, active) of a user, or None when there is no such user: for checking a password."""
        with self.metastore.session() as s:
            row = s.get(UserRow, name)
            return (row.password_hash, row.active) if row is not None else None

    def set_password_hash(self, name: str, password_hash: str, *, only_if: str | None = None) -> bool:
        """Store a new hash; with ``only_if``, only while the stored hash is still that one (a rehash
        must not overwrite a password changed in the meantime). True when stored."""
        with self.metastore.session() as s:
            query = update(UserRow).where(UserRow.name == name).values(password_hash=password_hash)
            if only_if is not None:
                query = query.where(UserRow.password_hash == only_if)
            return s.execute(query).rowcount == 1  # type: ignore[attr-defined]

    def deactivate_user(self, name: str, at: dt.datetime) -> UserRecord:
        """Mark the user inactive, end their open sessions and revoke their live tokens, at once."""
        with self.metastore.session() as s:
            row = self._user_row(s, name)
            if not row.active:
                raise ConflictError(f"user {name!r} is already deactivated")
            row.active = False
            s.execute(
                update(SessionRow)
                .where(SessionRow.user_name == name, SessionRow.ended_at.is_(None))
                .values(ended_at=at)
            )
            s.execute(
                update(ApiTokenRow)
                .where(ApiTokenRow.user_name == name, ApiTokenRow.revoked_at.is_(None))
                .values(revoked_at=at)
            )
            s.flush()
            return _user(row)

    # -- roles -------------------------------------------------------------------------------
    def add_role(self, *, user_name: str, role: str, scope: str | None, granted_by: str) -> RoleAssignmentRecord:
        with self.metastore.session() as s:
            self._user_row(s, user_name)
            query = select(RoleAssignmentRow).where(
                RoleAssignmentRow.user_name == user_name, RoleAssignmentRow.role == role
            )
            query = query.where(
                RoleAssignmentRow.scope.is_(None) if scope is None else RoleAssignmentRow.scope == scope
            )
            if s.scalar(query) is not None:  # NULL scopes are never equal in a UNIQUE constraint
                where = f" for {scope!r}" if scope else ""
                raise ConflictError(f"user {user_name!r} already has the role {role}{where}")
            row = RoleAssignmentRow(
                user_name=user_name, role=role, scope=scope, granted_by=granted_by, created_at=utcnow()
            )
            s.add(row)
            s.flush()
            return _role(row)

    def remove_role(self, *, user_name: str, role: str, scope: str | None) -> RoleAssignmentRecord:
        with self.metastore.session() as s:
            self._user_row(s, user_name)
            query = select(RoleAssignmentRow).where(
                RoleAssignmentRow.user_name == user_name, RoleAssignmentRow.role == role
            )
            query = query.where(
                RoleAssignmentRow.scope.is_(None) if scope is None else RoleAssignmentRow.scope == scope
            )
            row = s.scalar(query)
            if row is None:
                where = f" for {scope!r}" if scope else ""
                raise NotFoundError(f"user {user_name!r} does not have the role {role}{where}")
            record = _role(row)
            s.delete(row)
            return record

    def roles_of(self, user_name: str) -> list[RoleAssignmentRecord]:
        with self.metastore.session() as s:
            query = select(RoleAssignmentRow).where(RoleAssignmentRow.user_name == user_name)
            return [_role(r) for r in s.scalars(query.order_by(RoleAssignmentRow.id))]

    def all_roles(self) -> list[RoleAssignmentRecord]:
        with self.metastore.session() as s:
            return [_role(r) for r in s.scalars(select(RoleAssignmentRow).order_by(RoleAssignmentRow.id))]

    # -- data grants -------------------------------------------------------------------------
    def opgave_exists(self, opgave_id: int) -> bool:
        with self.metastore.session() as s:
            return s.get(OpgaveRow, opgave_id) is not None

    def add_grant(
        self,
        *,
        user_name: str,
        dataset_id: str,
        level: str,
        columns: list[str] | None,
        special_categories: list[str],
        opgave_id: int | None,
        reason: str,
        granted_by: str,
        expires_at: dt.datetime | None,
    ) -> DataGrantRecord:
        with self.metastore.session() as s:
            self._user_row(s, user_name)
            row = DataGrantRow(
                user_name=user_name,
                dataset_id=dataset_id,
                level=level,
                columns=columns,
                special_categories=special_categories,
                opgave_id=opgave_id,
                reason=reason,
                granted_by=granted_by,
                created_at=utcnow(),
                expires_at=expires_at,
            )
            s.add(row)
            s.flush()
            return _grant(row)

    def get_grant(self, grant_id: int) -> DataGrantRecord:
        with self.metastore.session() as s:
            row = s.get(DataGrantRow, grant_id)
            if row is None:
                raise NotFoundError(f"data grant {grant_id} not found; see `stadsdata users grants NAME`")
            return _grant(row)

    def revoke_grant(self, grant_id: int, at: dt.datetime) -> DataGrantRecord:
        with self.metastore.session() as s:
            row = s.get(DataGrantRow, grant_id, with_for_update=True)
            if row is None:
                raise NotFoundError(f"data grant {grant_id} not found; see `stadsdata users grants NAME`")
            if row.revoked_at is not None:
                raise ConflictError(f"data grant {grant_id} was already revoked on {row.revoked_at.date().isoformat()}")
            row.revoked_at = at
            s.flush()
            return _grant(row)

    def grants_of(self, user_name: str, *, active_at: dt.datetime | None = None) -> list[DataGrantRecord]:
        """A user's data grants, oldest first; with ``active_at`` only those not revoked nor expired then."""
        with self.metastore.session() as s:
            query = select(DataGrantRow).where(DataGrantRow.user_name == user_name)
            if active_at is not None:
                query = query.where(
                    DataGrantRow.revoked_at.is_(None),
                    or_(DataGrantRow.expires_at.is_(None), DataGrantRow.expires_at > active_at),
                )
            return [_grant(r) for r in s.scalars(query.order_by(DataGrantRow.id))]

    # -- API tokens --------------------------------------------------------------------------
    def add_token(
        self, *, user_name: str, name: str, token_hash: str, scopes: list[str], expires_at: dt.datetime
    ) -> TokenRecord:
        with self.metastore.session() as s:
            self._user_row(s, user_name)
            row = ApiTokenRow(
                user_name=user_name,
                name=name,
                token_hash=token_hash,
                scopes=scopes,
                created_at=utcnow(),
                expires_at=expires_at,
            )
            s.add(row)
            s.flush()
            return _token(row)

    def token_by_hash(self, token_hash: str) -> TokenRecord | None:
        with self.metastore.session() as s:
            row = s.scalar(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))
            return _token(row) if row is not None else None

    def get_token(self, token_id: int) -> TokenRecord:
        with self.metastore.session() as s:
            row = s.get(ApiTokenRow, token_id)
            if row is None:
                raise NotFoundError(f"token {token_id} not found; see `stadsdata tokens list`")
            return _token(row)

    def mark_token_used(self, token_id: int, at: dt.datetime) -> None:
        with self.metastore.session() as s:
            s.execute(update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=at))

    def revoke_token(self, token_id: int, at: dt.datetime) -> TokenRecord:
        with self.metastore.session() as s:
            row = s.get(ApiTokenRow, token_id, with_for_update=True)
            if row is None:
                raise NotFoundError(f"token {token_id} not found; see `stadsdata tokens list`")
            if row.revoked_at is not None:
                raise ConflictError(f"token {token_id} was already revoked on {row.revoked_at.date().isoformat()}")
            row.revoked_at = at
            s.flush()
            return _token(row)

    def list_tokens(self, user_name: str | None = None) -> list[TokenRecord]:
        with self.metastore.session() as s:
            query = select(ApiTokenRow).order_by(ApiTokenRow.id)
            if user_name is not None:
                query = query.where(ApiTokenRow.user_name == user_name)
            return [_token(r) for r in s.scalars(query)]

    # -- portal sessions ---------------------------------------------------------------------
    def add_session(self, *, session_id: str, user_name: str, csrf_token: str, expires_at: dt.datetime) -> None:
        with self.metastore.session() as s:
            self._user_row(s, user_name)
            s.add(
                SessionRow(
                    id=session_id,
                    user_name=user_name,
                    csrf_token=csrf_token,
                    created_at=utcnow(),
                    expires_at=expires_at,
                )
            )

    def get_session(self, session_id: str) -> SessionRecord | None:
        with self.metastore.session() as s:
            row = s.get(SessionRow, session_id)
            return _session(row) if row is not None else None

    def end_session(self, session_id: str, at: dt.datetime) -> SessionRecord | None:
        """End a session (once). Returns it as it was, or None when unknown or already ended."""
        with self.metastore.session() as s:
            row = s.get(SessionRow, session_id)
            if row is None or row.ended_at is not None:
                return None
            record = _session(row)
            row.ended_at = at
            return record

    def purge_sessions(self, before: dt.datetime) -> int:
        """Delete sessions that expired or ended by ``before``; returns how many."""
        with self.metastore.session() as s:
            rows = s.scalars(
                select(SessionRow).where(or_(SessionRow.expires_at <= before, SessionRow.ended_at <= before))
            ).all()
            for row in rows:
                s.delete(row)
            return len(rows)


__all__ = [
    "DataGrantRecord",
    "IdentityStore",
    "RoleAssignmentRecord",
    "SessionRecord",
    "TokenRecord",
    "UserRecord",
]
