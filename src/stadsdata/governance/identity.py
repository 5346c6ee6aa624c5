"""Identity: users and passwords, roles, data grants, API tokens and portal sessions.

``Identity`` holds the rules; ``stadsdata.metastore.identity_store`` does the SQL. What it hands
to the access policy is the core ``Actor`` (``actor_for``, ``authenticate_token``,
``session_actor``). Secrets are never stored: passwords as argon2id hashes, API tokens and session
cookies as SHA-256 of their random values. Every change (and every refused login or refused use of
a known token) is written to the audit log when one is given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from stadsdata.core.access import SCOPED_ROLES, Action, Actor, DataGrant, Level, Role, RoleGrant
from stadsdata.errors import AuthenticationError, CsrfError, IdentityError, NotFoundError
from stadsdata.governance.audit import AuditLog
from stadsdata.metastore.identity_store import (
    DataGrantRecord,
    IdentityStore,
    RoleAssignmentRecord,
    TokenRecord,
    UserRecord,
)
from stadsdata.metastore.models import utcnow
from stadsdata.metastore.store import Metastore

WRONG_LOGIN = "unknown user or wrong password"
TOKEN_PREFIX = "sd_"
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
RESERVED_NAMES = {"anonymous", "system"}  # how the audit log names those who are not users
GRANT_LEVELS = (Level.read, Level.pseudonymised, Level.aggregated)
PASSWORD_MAX_LENGTH = 1024  # hashing megabytes on every login attempt is a denial of service
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)  # last_used_at is written at most this often


@dataclass(frozen=True)
class IssuedToken:
    """A new API token: ``secret`` is shown this once and never stored."""

    secret: str = field(repr=False)
    token: TokenRecord


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).date().isoformat()


def _moment(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


class Identity:
    """Users, roles, grants, tokens and sessions, with their rules.

    ``token_max_days``: the longest an API token may live; ``session_hours``: how long a portal
    login lasts; ``password_min_length``: the password policy. ``hasher``: argon2id parameters
    (argon2-cffi's defaults, RFC 9106's low-memory profile); a stored hash made with other
    parameters is replaced at the next successful login. ``clock`` gives "now" where no ``now``
    is passed.
    """

    def __init__(
        self,
        metastore: Metastore,
        *,
        audit: AuditLog | None = None,
        token_max_days: int = 90,
        session_hours: float = 8,
        password_min_length: int = 12,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.metastore = metastore
        self.store = IdentityStore(metastore)
        self.audit = audit
        self.token_max_days = token_max_days
        self.session_hours = session_hours
        self.password_min_length = password_min_length
        self.hasher = hasher or PasswordHasher()
        self.clock = clock

    def _audit(
        self,
        by: str,
        action: str,
        resource: str,
        decision: str = "done",
        *,
        purpose: str | None = None,
        **detail: object,
    ) -> None:
        if self.audit is not None:
            self.audit.append(by, action, resource, decision, purpose=purpose, detail=detail)

    # -- users and passwords ---------------------------------------------------------------
    def check_password_policy(self, password: str) -> None:
        if len(password) < self.password_min_length:
            raise IdentityError(
                f"a password needs at least {self.password_min_length} characters; this one has {len(password)}"
            )
        if len(password) > PASSWORD_MAX_LENGTH:
            raise IdentityError(f"a password may have at most {PASSWORD_MAX_LENGTH} characters")
        if not password.strip():
            raise IdentityError("a password cannot be only spaces")

    def add_user(
        self,
        name: str,
        *,
        display_name: str,
        password: str,
        email: str | None = None,
        dienst: str | None = None,
        by: str,
    ) -> UserRecord:
        """A new, active user. ``by``: who adds them (for the audit log)."""
        if not USER_NAME.fullmatch(name):
            raise IdentityError(
                f"user name {name!r} is not acceptable: 1 to 64 letters, digits and . _ @ -, "
                "starting with a letter or digit"
            )
        if name.lower() in RESERVED_NAMES:
            raise IdentityError(f"user name {name!r} is reserved (the audit log uses it); choose another")
        display_name = display_name.strip()
        if not display_name:
            raise IdentityError(f"user {name!r} needs a display name (--display-name)")
        email = (email or "").strip() or None
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise IdentityError(f"e-mail address {email!r} is not valid; expected name@example.nl")
        self.check_password_policy(password)
        user = self.store.add_user(
            name=name,
            display_name=display_name,
            email=email,
            dienst=(dienst or "").strip() or None,
            password_hash=self.hasher.hash(password),
        )
        self._audit(by, "user.add", f"user:{name}", dienst=user.dienst)
        return user

    def get_user(self, name: str) -> UserRecord:
        return self.store.get_user(name)

    def list_users(self) -> list[UserRecord]:
        return self.store.list_users()

    def unknown_users(self, names: Iterable[str]) -> list[str]:
        """Those of ``names`` that are not users, in the order given (e.g. an opgave's members)."""
        wanted = list(dict.fromkeys(names))
        known = self.store.existing_users(wanted)
        return [n for n in wanted if n not in known]

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash(secrets.token_hex(16))

    def verify_password(self, name: str, password: str) -> UserRecord:
        """The user, when ``password`` is theirs and they are active. Otherwise one error for every
        case ("unknown user or wrong password"), after the same argon2 work, so neither the
        message nor the time tells whether the user exists. Rehashes an outdated hash."""
        found = self.store.password_hash(name)
        stored = found[0] if found is not None else self._dummy_hash
        try:
            self.hasher.verify(stored, password)
            matched = found is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            matched = False
        if not matched or found is None or not found[1]:
            raise AuthenticationError(WRONG_LOGIN)
        if self.hasher.check_needs_rehash(stored):
            self.store.set_password_hash(name, self.hasher.hash(password), only_if=stored)
        return self.store.get_user(name)

    def set_password(self, name: str, password: str, *, by: str) -> None:
        self.check_password_policy(password)
        self.store.get_user(name)
        self.store.set_password_hash(name, self.hasher.hash(password))
        self._audit(by, "user.password", f"user:{name}")

    def deactivate(self, name: str, *, by: str) -> UserRecord:
        """The user can no longer log in; their sessions end and their tokens are revoked."""
        user = self.store.deactivate_user(name, self.clock())
        self._audit(by, "user.deactivate", f"user:{name}")
        return user

    # -- roles -----------------------------------------------------------------------------
    @staticmethod
    def _role(role: Role | str) -> Role:
        try:
            return Role(role)
        except ValueError:
            raise IdentityError(f"unknown role {role!r}; expected one of {', '.join(r.value for r in Role)}") from None

    def _role_and_scope(self, role: Role | str, scope: str | None) -> tuple[Role, str | None]:
        role = self._role(role)
        scope = (scope or "").strip() or None
        kind = SCOPED_ROLES.get(role)
        if kind is None:
            if scope is not None:
                raise IdentityError(f"role {role.value} holds platform-wide and takes no scope; got {scope!r}")
        elif scope is None:
            raise IdentityError(f"role {role.value} holds per {kind}: give the {kind} as scope (--scope)")
        elif kind == "dataset" and not self.metastore.has_dataset(scope):
            raise IdentityError(
                f"role {role.value} needs a dataset of the catalogue as scope; "
                f"dataset {scope!r} not found (see `stadsdata catalog list`)"
            )
        return role, scope

    def assign_role(self, name: str, role: Role | str, scope: str | None = None, *, by: str) -> RoleAssignmentRecord:
        """Give a role: ``data_owner``/``data_steward`` for a dataset of the catalogue,
        ``data_officer`` for a dienst, the others platform-wide (no scope)."""
        role, scope = self._role_and_scope(role, scope)
        record = self.store.add_role(user_name=name, role=role.value, scope=scope, granted_by=by)
        self._audit(by, "role.assign", f"user:{name}", role=role.value, scope=scope)
        return record

    def revoke_role(self, name: str, role: Role | str, scope: str | None = None, *, by: str) -> RoleAssignmentRecord:
        role = self._role(role)
        record = self.store.remove_role(user_name=name, role=role.value, scope=(scope or "").strip() or None)
        self._audit(by, "role.revoke", f"user:{name}", role=role.value, scope=record.scope)
        return record

    def roles(self, name: str) -> list[RoleAssignmentRecord]:
        return self.store.roles_of(name)

    def all_roles(self) -> list[RoleAssignmentRecord]:
        return self.store.all_roles()

    # -- data grants -----------------------------------------------------------------------
    def add_grant(
        self,
        name: str,
        dataset_id: str,
        level: Level | str,
        *,
        reason: str,
        by: str,
        columns: Iterable[str] | None = None,
        special_categories: Iterable[str] = (),
        opgave_id: int | None = None,
        expires_at: dt.datetime | None = None,
    ) -> DataGrantRecord:
        """Access to a dataset beyond its metadata, at ``level`` (read, pseudonymised, aggregated),
        optionally only ``columns``, for an opgave, until ``expires_at``."""
        try:
            level = Level[level] if isinstance(level, str) else Level(level)
        except (KeyError, ValueError):
            level = Level.none
        if level not in GRANT_LEVELS:
            raise IdentityError(f"grant level must be one of {', '.join(lv.label for lv in GRANT_LEVELS)}")
        if not reason.strip():
            raise IdentityError("a data grant needs a reason (recorded with the grant)")
        try:
            dataset = self.metastore.get_dataset(dataset_id)
        except NotFoundError:
            raise IdentityError(
                f"dataset {dataset_id!r} not found in the catalogue (see `stadsdata catalog list`)"
            ) from None
        known = [c["name"] for c in dataset.contract.get("columns", [])]
        chosen = sorted(set(columns)) if columns is not None else None
        special = sorted(set(special_categories))
        for column in (chosen or []) + special:
            if column not in known:
                raise IdentityError(f"dataset {dataset_id!r} has no column {column!r}; its columns: {', '.join(known)}")
        if chosen is not None and not chosen:
            raise IdentityError("a data grant with a column list needs at least one column")
        if opgave_id is not None and not self.store.opgave_exists(opgave_id):
            raise IdentityError(f"opgave {opgave_id} not found")
        if expires_at is not None and expires_at <= self.clock():
            raise IdentityError(f"a data grant cannot expire in the past ({_moment(expires_at)})")
        record = self.store.add_grant(
            user_name=name,
            dataset_id=dataset_id,
            level=level.label,
            columns=chosen,
            special_categories=special,
            opgave_id=opgave_id,
            reason=reason.strip(),
            granted_by=by,
            expires_at=expires_at,
        )
        self._audit(
            by,
            "grant.add",
            f"dataset:{dataset_id}",
            purpose=f"opgave {opgave_id}" if opgave_id is not None else None,
            grant=record.id,
            user=name,
            level=level.label,
            columns=chosen,
            special_categories=special,
            expires_at=expires_at.isoformat() if expires_at else None,
            reason=record.reason,
        )
        return record

    def revoke_grant(self, grant_id: int, *, by: str) -> DataGrantRecord:
        record = self.store.revoke_grant(grant_id, self.clock())
        self._audit(by, "grant.revoke", f"dataset:{record.dataset_id}", grant=grant_id, user=record.user_name)
        return record

    def grants(self, name: str, *, active_at: dt.datetime | None = None) -> list[DataGrantRecord]:
        """A user's data grants; with ``active_at`` only those not revoked or expired then."""
        return self.store.grants_of(name, active_at=active_at)

    # -- the actor -------------------------------------------------------------------------
    def actor_for(self, name: str, now: dt.datetime | None = None) -> Actor:
        """The ``Actor`` the policy judges: the user's roles, data grants active at ``now``, dienst."""
        now = now or self.clock()
        user = self.store.get_user(name)
        if not user.active:
            raise AuthenticationError(f"user {name!r} is deactivated")
        roles = frozenset(
            RoleGrant(Role(r.role), r.scope) for r in self.store.roles_of(name) if r.role in Role.__members__
        )
        grants = tuple(
            DataGrant(
                dataset_id=g.dataset_id,
                level=Level[g.level],
                columns=frozenset(g.columns) if g.columns is not None else None,
                opgave_id=g.opgave_id,
                special_categories=frozenset(g.special_categories),
                expires_at=g.expires_at,
            )
            for g in self.store.grants_of(name, active_at=now)
            if g.level in Level.__members__
        )
        return Actor(user=user.name, roles=roles, grants=grants, dienst=user.dienst)

    # -- API tokens ------------------------------------------------------------------------
    def create_token(
        self,
        user: str,
        name: str,
        scopes: Iterable[Action | str],
        days: int | None = None,
        *,
        by: str | None = None,
    ) -> IssuedToken:
        """A new token for ``user``, usable for ``scopes`` (actions) during ``days`` (default and
        maximum: ``token_max_days``). The secret is in the result only; the database keeps its
        SHA-256."""
        name = name.strip()
        if not name or len(name) > 100:
            raise IdentityError("a token needs a name of 1 to 100 characters (what it is for, e.g. 'notebook')")
        wanted: list[str] = []
        for scope in scopes:
            try:
                action = Action(scope)
            except ValueError:
                raise IdentityError(
                    f"unknown token scope {scope!r}; expected actions: {', '.join(a.value for a in Action)}"
                ) from None
            if action.value not in wanted:
                wanted.append(action.value)
        if not wanted:
            raise IdentityError(
                f"a token needs at least one scope (--scope): the actions it may be used for, "
                f"from {', '.join(a.value for a in Action)}"
            )
        days = self.token_max_days if days is None else days
        if not 1 <= days <= self.token_max_days:
            raise IdentityError(f"a token lives 1 to {self.token_max_days} days; got {days}")
        user_record = self.store.get_user(user)
        if not user_record.active:
            raise IdentityError(f"user {user!r} is deactivated and cannot get a token")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        record = self.store.add_token(
            user_name=user,
            name=name,
            token_hash=_sha256(secret),
            scopes=wanted,
            expires_at=self.clock() + dt.timedelta(days=days),
        )
        self._audit(
            by or user,
            "token.create",
            f"token:{record.id}",
            user=user,
            name=name,
            scopes=wanted,
            expires_at=record.expires_at.isoformat(),
        )
        return IssuedToken(secret=secret, token=record)

    def authenticate_token(self, secret: str, now: dt.datetime | None = None) -> Actor:
        """The token's user as ``Actor``, limited to the token's scopes (``via_token_scopes``).
        Raises ``AuthenticationError``: "unknown token", "token expired on <date>", "token revoked
        on <date>"; a refused token changes nothing (a refused known token is audited)."""
        now = now or self.clock()
        token = self.store.token_by_hash(_sha256(secret))
        if token is None:
            raise AuthenticationError("unknown token")
        if token.revoked_at is not None:
            self._audit(token.user_name, "token.use", f"token:{token.id}", "denied", reason="revoked")
            raise AuthenticationError(f"token revoked on {_day(token.revoked_at)}")
        if now >= token.expires_at:
            self._audit(token.user_name, "token.use", f"token:{token.id}", "denied", reason="expired")
            raise AuthenticationError(f"token expired on {_day(token.expires_at)}")
        actor = self.actor_for(token.user_name, now)
        if token.last_used_at is None or now - token.last_used_at >= TOKEN_TOUCH_INTERVAL:
            self.store.mark_token_used(token.id, now)
        return replace(actor, via_token_scopes=frozenset(token.scopes))

    def revoke_token(self, token_id: int, *, by: str) -> TokenRecord:
        record = self.store.revoke_token(token_id, self.clock())
        self._audit(by, "token.revoke", f"token:{token_id}", user=record.user_name, name=record.name)
        return record

    def list_tokens(self, user: str | None = None) -> list[TokenRecord]:
        """Tokens (of one user, or all), without secrets: those are never stored."""
        return self.store.list_tokens(user)

    # -- portal sessions -------------------------------------------------------------------
    def start_session(self, name: str, password: str, now: dt.datetime | None = None) -> tuple[str, str]:
        """Log in: (cookie value, CSRF token). The cookie value is random and stored only as its
        SHA-256; the session lasts ``session_hours``."""
        now = now or self.clock()
        try:
            self.verify_password(name, password)
        except AuthenticationError:
            known = self.store.find_user(name) is not None  # never record a mistyped password as a name
            self._audit(
                name if known else "anonymous", "session.start", f"user:{name}" if known else "user:?", "denied"
            )
            raise
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires_at = now + dt.timedelta(hours=self.session_hours)
        self.store.add_session(session_id=_sha256(cookie), user_name=name, csrf_token=csrf, expires_at=expires_at)
        self._audit(name, "session.start", f"user:{name}", expires_at=expires_at.isoformat())
        return cookie, csrf

    def session_actor(self, cookie_value: str, now: dt.datetime | None = None) -> Actor:
        """The logged-in user of a session cookie, or ``AuthenticationError`` (unknown, ended, expired)."""
        now = now or self.clock()
        session = self.store.get_session(_sha256(cookie_value))
        if session is None:
            raise AuthenticationError("not logged in (unknown session); log in")
        if session.ended_at is not None:
            raise AuthenticationError(f"session ended at {_moment(session.ended_at)}; log in again")
        if now >= session.expires_at:
            raise AuthenticationError(f"session expired at {_moment(session.expires_at)}; log in again")
        return self.actor_for(session.user_name, now)

    def csrf_token(self, cookie_value: str) -> str | None:
        """The CSRF token to put in the forms of this session's pages (None for no open session)."""
        session = self.store.get_session(_sha256(cookie_value))
        return session.csrf_token if session is not None and session.ended_at is None else None

    def check_csrf(self, cookie_value: str, token: str | None) -> None:
        """Raise ``CsrfError`` unless ``token`` is this open session's CSRF token (constant-time)."""
        session = self.store.get_session(_sha256(cookie_value))
        expected = session.csrf_token if session is not None and session.ended_at is None else None
        given = (token or "").encode("utf-8")
        # compare even without a session, so the time taken does not tell which case it was
        matches = hmac.compare_digest((expected or secrets.token_urlsafe(32)).encode("utf-8"), given)
        if expected is None or not matches:
            raise CsrfError(
                "the form's CSRF token does not match your session; reload the page and send the form again"
            )

    def end_session(self, cookie_value: str, now: dt.datetime | None = None) -> None:
        """Log out (doing it twice is harmless)."""
        ended = self.store.end_session(_sha256(cookie_value), now or self.clock())
        if ended is not None:
            self._audit(ended.user_name, "session.end", f"user:{ended.user_name}")

    def purge_sessions(self, now: dt.datetime | None = None) -> int:
        """Delete sessions that ended or expired (housekeeping, e.g. on the server's timer)."""
        return self.store.purge_sessions(now or self.clock())


__all__ = [
    "AuthenticationError",
    "CsrfError",
    "Identity",
    "IdentityError",
    "IssuedToken",
    "TOKEN_PREFIX",
    "WRONG_LOGIN",
]
