"""Identity: users and argon2id passwords, role scopes, data grants, API tokens, portal sessions.

Runs on SQLite and on PostgreSQL (with STADSDATA_TEST_POSTGRES_URL); the command line as a user
runs it, in real subprocesses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from stadsdata.core.access import Action, Level, Role, RoleGrant
from stadsdata.errors import ConflictError, NotFoundError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.identity import (
    WRONG_LOGIN,
    AuthenticationError,
    CsrfError,
    Identity,
    IdentityError,
)
from stadsdata.metastore import Metastore
from stadsdata.metastore.models import ApiTokenRow, AuditRow, SessionRow, UserRow
from tests.cli.run import stadsdata

PASSWORD = "correct horse battery staple"
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # argon2id, cheap for tests
T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
CONTRACT = {
    "id": "wmo_test",
    "title": {"nl": "Wmo-cliënten (test)"},
    "classification": "vertrouwelijk",
    "owner_dienst": "Zorg",
    "columns": [{"name": "bsn"}, {"name": "wijk"}, {"name": "geboortedatum"}],
}


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def store(store: Metastore) -> Metastore:
    """The shared metastore (SQLite and PostgreSQL) with one dataset to scope roles and grants to."""
    store.add_dataset(CONTRACT, "0" * 64)
    return store


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def audit(store: Metastore, tmp_path: Path) -> AuditLog:
    return AuditLog(store, witness=tmp_path / "audit-head.json")


@pytest.fixture
def identity(store: Metastore, audit: AuditLog, clock: Clock) -> Identity:
    ident = Identity(store, audit=audit, hasher=FAST, clock=clock)
    ident.add_user(
        "alice", display_name="Alice de Vries", email="alice@example.nl", dienst="Zorg", password=PASSWORD, by="admin"
    )
    return ident


def table(store: Metastore, model: type) -> list[dict]:  # type: ignore[type-arg]
    with store.engine.connect() as c:
        return [dict(r._mapping) for r in c.execute(sa.select(model.__table__))]


# -- users and passwords -----------------------------------------------------------------------------
def test_user_password_is_argon2id_and_verifies(identity: Identity, store: Metastore) -> None:
    [row] = table(store, UserRow)
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    user = identity.verify_password("alice", PASSWORD)
    assert (user.name, user.display_name, user.dienst, user.active) == ("alice", "Alice de Vries", "Zorg", True)
    assert not hasattr(user, "password_hash")


def test_one_error_for_unknown_user_wrong_password_and_deactivated(identity: Identity) -> None:
    for name, password in [("alice", PASSWORD + "!"), ("nobody", PASSWORD), ("alice", "")]:
        with pytest.raises(AuthenticationError) as info:
            identity.verify_password(name, password)
        assert str(info.value) == WRONG_LOGIN == "unknown user or wrong password"
    identity.deactivate("alice", by="admin")
    with pytest.raises(AuthenticationError, match=f"^{WRONG_LOGIN}$"):
        identity.verify_password("alice", PASSWORD)


def test_unknown_user_costs_the_same_argon2_work(store: Metastore, clock: Clock) -> None:
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
            calls.append("verify")
            return super().verify(hash, password)

    ident = Identity(store, hasher=Counting(time_cost=1, memory_cost=1024, parallelism=1), clock=clock)
    ident.add_user("bob", display_name="Bob", password=PASSWORD, by="admin")
    for name in ("bob", "nobody"):
        calls.clear()
        with pytest.raises(AuthenticationError):
            ident.verify_password(name, "wrong password here")
        assert calls == ["verify"], name


def test_outdated_hash_is_replaced_at_login(identity: Identity, store: Metastore, clock: Clock) -> None:
    old = table(store, UserRow)[0]["password_hash"]
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    assert stronger.check_needs_rehash(old)
    upgraded = Identity(store, hasher=stronger, clock=clock)
    with pytest.raises(AuthenticationError):
        upgraded.verify_password("alice", "not the password at all")
    assert table(store, UserRow)[0]["password_hash"] == old  # a failed login changes nothing
    upgraded.verify_password("alice", PASSWORD)
    new = table(store, UserRow)[0]["password_hash"]
    assert new != old and new.startswith("$argon2id$v=19$m=2048,t=2,p=1$")
    assert not stronger.check_needs_rehash(new)
    upgraded.verify_password("alice", PASSWORD)
    assert table(store, UserRow)[0]["password_hash"] == new  # no rehash when nothing changed


def test_user_rules(identity: Identity) -> None:
    with pytest.raises(IdentityError, match="^a password needs at least 12 characters; this one has 5$"):
        identity.add_user("bob", display_name="Bob", password="short", by="admin")
    strict = Identity(identity.metastore, hasher=FAST, password_min_length=20)
    with pytest.raises(IdentityError, match="at least 20 characters; this one has 12"):
        strict.add_user("bob", display_name="Bob", password="x" * 12, by="admin")
    with pytest.raises(ConflictError, match="user 'alice' already exists"):
        identity.add_user("alice", display_name="Other", password=PASSWORD, by="admin")
    with pytest.raises(IdentityError, match="reserved"):
        identity.add_user("anonymous", display_name="Anon", password=PASSWORD, by="admin")
    with pytest.raises(IdentityError, match="is not acceptable"):
        identity.add_user("bob smith", display_name="Bob", password=PASSWORD, by="admin")
    with pytest.raises(IdentityError, match="e-mail address 'bob' is not valid"):
        identity.add_user("bob", display_name="Bob", email="bob", password=PASSWORD, by="admin")
    with pytest.raises(IdentityError, match="needs a display name"):
        identity.add_user("bob", display_name=" ", password=PASSWORD, by="admin")
    assert [u.name for u in identity.list_users()] == ["alice"]  # nothing added
    with pytest.raises(NotFoundError, match="user 'nobody' not found"):
        identity.get_user("nobody")
    assert identity.unknown_users(["nobody", "alice", "x", "nobody"]) == ["nobody", "x"]
    assert identity.unknown_users([]) == []


# -- roles ---------------------------------------------------------------------------------------------
def test_role_scope_validation(identity: Identity) -> None:
    cases = [
        ("data_owner", None, "role data_owner holds per dataset: give the dataset as scope (--scope)"),
        ("data_steward", "nope", "dataset 'nope' not found"),
        ("data_officer", None, "role data_officer holds per dienst: give the dienst as scope (--scope)"),
        ("analyst", "wmo_test", "role analyst holds platform-wide and takes no scope; got 'wmo_test'"),
        ("platform_admin", "Zorg", "takes no scope"),
        ("superuser", None, "unknown role 'superuser'; expected one of platform_admin, governance_board"),
    ]
    for role, scope, message in cases:
        with pytest.raises(IdentityError) as info:
            identity.assign_role("alice", role, scope, by="admin")
        assert message in str(info.value), (role, scope)
    assert identity.roles("alice") == []  # nothing assigned

    identity.assign_role("alice", Role.data_owner, "wmo_test", by="admin")
    identity.assign_role("alice", "data_officer", "Zorg", by="admin")
    identity.assign_role("alice", "analyst", by="admin")
    with pytest.raises(ConflictError, match="already has the role analyst"):
        identity.assign_role("alice", "analyst", by="admin")
    with pytest.raises(ConflictError, match="already has the role data_owner for 'wmo_test'"):
        identity.assign_role("alice", "data_owner", "wmo_test", by="admin")
    with pytest.raises(NotFoundError, match="user 'nobody' not found"):
        identity.assign_role("nobody", "analyst", by="admin")
    assert {(r.role, r.scope, r.granted_by) for r in identity.roles("alice")} == {
        ("data_owner", "wmo_test", "admin"),
        ("data_officer", "Zorg", "admin"),
        ("analyst", None, "admin"),
    }
    identity.revoke_role("alice", "data_owner", "wmo_test", by="admin")
    with pytest.raises(NotFoundError, match="does not have the role data_owner for 'wmo_test'"):
        identity.revoke_role("alice", "data_owner", "wmo_test", by="admin")
    with pytest.raises(NotFoundError, match="does not have the role data_steward"):
        identity.revoke_role("alice", "data_steward", "wmo_test", by="admin")
    assert {r.role for r in identity.roles("alice")} == {"data_officer", "analyst"}


# -- grants and the actor ------------------------------------------------------------------------------
def test_actor_has_roles_dienst_and_active_grants(identity: Identity, clock: Clock) -> None:
    identity.assign_role("alice", "analyst", by="admin")
    identity.assign_role("alice", "data_steward", "wmo_test", by="admin")
    lasting = identity.add_grant("alice", "wmo_test", "aggregated", reason="dashboard", by="owner")
    limited = identity.add_grant(
        "alice",
        "wmo_test",
        Level.pseudonymised,
        reason="analysis",
        by="owner",
        columns=["wijk", "bsn"],
        special_categories=["bsn"],
        expires_at=T0 + dt.timedelta(days=30),
    )
    revoked = identity.add_grant("alice", "wmo_test", "read", reason="mistake", by="owner")
    identity.revoke_grant(revoked.id, by="owner")

    actor = identity.actor_for("alice", T0)
    assert actor.user == "alice" and actor.dienst == "Zorg" and actor.via_token_scopes is None
    assert actor.roles == frozenset({RoleGrant(Role.analyst), RoleGrant(Role.data_steward, "wmo_test")})
    assert actor.has(Role.data_steward, "wmo_test") and not actor.has(Role.data_owner)
    by_level = {g.level: g for g in actor.grants}
    assert set(by_level) == {Level.aggregated, Level.pseudonymised}
    assert by_level[Level.aggregated].columns is None
    assert by_level[Level.pseudonymised].columns == frozenset({"wijk", "bsn"})
    assert by_level[Level.pseudonymised].special_categories == frozenset({"bsn"})
    later = identity.actor_for("alice", T0 + dt.timedelta(days=31))
    assert [g.level for g in later.grants] == [Level.aggregated]
    assert {g.id for g in identity.grants("alice")} == {lasting.id, limited.id, revoked.id}
    assert {g.id for g in identity.grants("alice", active_at=T0)} == {lasting.id, limited.id}

    with pytest.raises(ConflictError, match=f"data grant {revoked.id} was already revoked on 2026-11-20"):
        identity.revoke_grant(revoked.id, by="owner")
    identity.deactivate("alice", by="admin")
    with pytest.raises(AuthenticationError, match="user 'alice' is deactivated"):
        identity.actor_for("alice", T0)


def test_grant_rules(identity: Identity) -> None:
    cases = [
        (("wmo_test", "none"), {}, "grant level must be one of read, pseudonymised, aggregated"),
        (("wmo_test", "everything"), {}, "grant level must be one of"),
        (("nope", "read"), {}, "dataset 'nope' not found in the catalogue"),
        (("wmo_test", "read"), {"columns": ["postcode"]}, "dataset 'wmo_test' has no column 'postcode'; its columns"),
        (("wmo_test", "read"), {"columns": []}, "needs at least one column"),
        (("wmo_test", "read"), {"opgave_id": 99}, "opgave 99 not found"),
        (("wmo_test", "read"), {"expires_at": T0 - dt.timedelta(hours=1)}, "cannot expire in the past"),
        (("wmo_test", "read"), {"reason": " "}, "needs a reason"),
    ]
    for args, extra, message in cases:
        kwargs = {"reason": "because", "by": "owner", **extra}
        with pytest.raises(IdentityError) as info:
            identity.add_grant("alice", *args, **kwargs)  # type: ignore[arg-type]
        assert message in str(info.value), (args, extra)
    assert identity.grants("alice") == []


# -- API tokens ----------------------------------------------------------------------------------------
def test_token_secret_is_shown_once_and_stored_hashed(identity: Identity, store: Metastore, clock: Clock) -> None:
    issued = identity.create_token("alice", "notebook", [Action.read_data, "view_metadata"], 30)
    secret = issued.secret
    assert secret.startswith("sd_") and len(secret) == 3 + 43  # 32 random bytes, urlsafe base64
    assert secret not in repr(issued)
    [row] = table(store, ApiTokenRow)
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    everything = repr(table(store, ApiTokenRow)) + repr(table(store, AuditRow))
    assert secret not in everything and secret[3:] not in everything
    token = issued.token
    assert (token.user_name, token.name, token.scopes) == ("alice", "notebook", ("read_data", "view_metadata"))
    assert token.expires_at == T0 + dt.timedelta(days=30)
    assert not any(secret in repr(t) for t in identity.list_tokens())

    clock.now = T0 + dt.timedelta(days=1)
    actor = identity.authenticate_token(secret)
    assert actor.user == "alice" and actor.dienst == "Zorg"
    assert actor.via_token_scopes == frozenset({"read_data", "view_metadata"})
    assert identity.list_tokens("alice")[0].last_used_at == clock.now


def test_token_rules(identity: Identity, store: Metastore) -> None:
    with pytest.raises(IdentityError, match="^a token lives 1 to 90 days; got 91$"):
        identity.create_token("alice", "notebook", ["read_data"], 91)
    with pytest.raises(IdentityError, match="a token lives 1 to 90 days; got 0"):
        identity.create_token("alice", "notebook", ["read_data"], 0)
    with pytest.raises(IdentityError, match="unknown token scope 'everything'; expected actions: view_metadata"):
        identity.create_token("alice", "notebook", ["everything"], 10)
    with pytest.raises(IdentityError, match="needs at least one scope"):
        identity.create_token("alice", "notebook", [], 10)
    with pytest.raises(IdentityError, match="needs a name"):
        identity.create_token("alice", " ", ["read_data"], 10)
    with pytest.raises(NotFoundError, match="user 'nobody' not found"):
        identity.create_token("nobody", "notebook", ["read_data"], 10)
    assert table(store, ApiTokenRow) == []
    short = Identity(store, hasher=FAST, token_max_days=7, clock=identity.clock)
    assert short.create_token("alice", "ci", ["read_data"]).token.expires_at == T0 + dt.timedelta(days=7)
    with pytest.raises(IdentityError, match="a token lives 1 to 7 days; got 8"):
        short.create_token("alice", "ci", ["read_data"], 8)


def test_refused_tokens_say_why_and_change_nothing(identity: Identity, store: Metastore, clock: Clock) -> None:
    expiring = identity.create_token("alice", "short", ["read_data"], 2).secret
    revoked = identity.create_token("alice", "revoked", ["read_data"], 30)
    clock.now = T0 + dt.timedelta(hours=5)
    identity.revoke_token(revoked.token.id, by="admin")
    before = table(store, ApiTokenRow)

    clock.now = T0 + dt.timedelta(days=2)  # the moment the first one expires
    with pytest.raises(AuthenticationError, match="^token expired on 2026-11-22$"):
        identity.authenticate_token(expiring)
    with pytest.raises(AuthenticationError, match="^token revoked on 2026-11-20$"):
        identity.authenticate_token(revoked.secret)
    for garbage in ("sd_" + "A" * 43, "", "Bearer nonsense", expiring + "x"):
        with pytest.raises(AuthenticationError, match="^unknown token$"):
            identity.authenticate_token(garbage)
    assert table(store, ApiTokenRow) == before  # no last_used_at, nothing else

    with pytest.raises(ConflictError, match=f"token {revoked.token.id} was already revoked on 2026-11-20"):
        identity.revoke_token(revoked.token.id, by="admin")
    with pytest.raises(NotFoundError, match="token 999 not found"):
        identity.revoke_token(999, by="admin")
    denied = [e for e in identity.audit.list(50, action="token.use")]  # type: ignore[union-attr]
    assert {(e.resource, e.decision, e.detail["reason"]) for e in denied} == {
        (f"token:{revoked.token.id}", "denied", "revoked"),
        ("token:1", "denied", "expired"),
    }


def test_deactivation_revokes_tokens_and_ends_sessions(identity: Identity) -> None:
    secret = identity.create_token("alice", "notebook", ["read_data"], 30).secret
    cookie, _ = identity.start_session("alice", PASSWORD)
    identity.deactivate("alice", by="admin")
    with pytest.raises(AuthenticationError, match="^token revoked on 2026-11-20$"):
        identity.authenticate_token(secret)
    with pytest.raises(AuthenticationError, match="^session ended at 2026-11-20 09:00 UTC; log in again$"):
        identity.session_actor(cookie)
    with pytest.raises(ConflictError, match="already deactivated"):
        identity.deactivate("alice", by="admin")
    with pytest.raises(IdentityError, match="deactivated and cannot get a token"):
        identity.create_token("alice", "again", ["read_data"], 1)


# -- portal sessions -----------------------------------------------------------------------------------
def test_session_login_csrf_and_logout(identity: Identity, store: Metastore, clock: Clock) -> None:
    with pytest.raises(AuthenticationError, match=f"^{WRONG_LOGIN}$"):
        identity.start_session("alice", "wrong password, sorry")
    assert table(store, SessionRow) == []

    cookie, csrf = identity.start_session("alice", PASSWORD)
    assert len(cookie) >= 43 and len(csrf) >= 43 and cookie != csrf
    [row] = table(store, SessionRow)
    assert row["id"] == hashlib.sha256(cookie.encode()).hexdigest() and cookie not in repr(row)
    assert row["expires_at"] == T0 + dt.timedelta(hours=8)
    assert identity.session_actor(cookie).user == "alice"
    assert identity.csrf_token(cookie) == csrf

    identity.check_csrf(cookie, csrf)
    for wrong in (None, "", csrf[:-1], csrf + "x", "ü" * 43):
        with pytest.raises(CsrfError, match="CSRF token does not match your session"):
            identity.check_csrf(cookie, wrong)
    other_cookie, other_csrf = identity.start_session("alice", PASSWORD)
    with pytest.raises(CsrfError):
        identity.check_csrf(cookie, other_csrf)  # another session's token does not do
    with pytest.raises(CsrfError):
        identity.check_csrf("no such cookie", csrf)
    with pytest.raises(AuthenticationError, match="^not logged in"):
        identity.session_actor("no such cookie")

    clock.now = T0 + dt.timedelta(hours=1)
    identity.end_session(cookie)
    identity.end_session(cookie)  # twice is harmless
    with pytest.raises(AuthenticationError, match="^session ended at 2026-11-20 10:00 UTC; log in again$"):
        identity.session_actor(cookie)
    with pytest.raises(CsrfError):
        identity.check_csrf(cookie, csrf)

    clock.now = T0 + dt.timedelta(hours=8)
    with pytest.raises(AuthenticationError, match="^session expired at 2026-11-20 17:00 UTC; log in again$"):
        identity.session_actor(other_cookie)
    assert identity.purge_sessions() == 2
    assert table(store, SessionRow) == []


def test_session_lifetime_is_configurable(store: Metastore, clock: Clock) -> None:
    ident = Identity(store, hasher=FAST, session_hours=0.5, clock=clock)
    ident.add_user("bob", display_name="Bob", password=PASSWORD, by="admin")
    cookie, _ = ident.start_session("bob", PASSWORD)
    assert ident.session_actor(cookie, T0 + dt.timedelta(minutes=29)).user == "bob"
    with pytest.raises(AuthenticationError, match="session expired at 2026-11-20 09:30 UTC"):
        ident.session_actor(cookie, T0 + dt.timedelta(minutes=30))


# -- audit -----------------------------------------------------------------------------------------------
def test_changes_and_refused_logins_are_audited(identity: Identity, audit: AuditLog) -> None:
    identity.assign_role("alice", "analyst", by="admin")
    grant = identity.add_grant("alice", "wmo_test", "aggregated", reason="dashboard", by="owner")
    token = identity.create_token("alice", "notebook", ["read_data"], 10, by="admin")
    identity.revoke_token(token.token.id, by="admin")
    cookie, _ = identity.start_session("alice", PASSWORD)
    identity.end_session(cookie)
    for name in ("alice", "correct horse battery staple"):  # a password typed in the name field
        with pytest.raises(AuthenticationError):
            identity.start_session(name, "wrong password")
    identity.revoke_grant(grant.id, by="owner")

    entries = list(reversed(audit.list(100)))
    assert [(e.actor, e.action, e.resource, e.decision) for e in entries] == [
        ("admin", "user.add", "user:alice", "done"),
        ("admin", "role.assign", "user:alice", "done"),
        ("owner", "grant.add", "dataset:wmo_test", "done"),
        ("admin", "token.create", f"token:{token.token.id}", "done"),
        ("admin", "token.revoke", f"token:{token.token.id}", "done"),
        ("alice", "session.start", "user:alice", "done"),
        ("alice", "session.end", "user:alice", "done"),
        ("alice", "session.start", "user:alice", "denied"),
        ("anonymous", "session.start", "user:?", "denied"),
        ("owner", "grant.revoke", "dataset:wmo_test", "done"),
    ]
    assert "correct horse" not in repr(entries) and token.secret not in repr(entries)
    assert entries[2].detail["level"] == "aggregated" and entries[2].detail["user"] == "alice"
    assert audit.verify().ok


# -- the command line ------------------------------------------------------------------------------------
def _run(home: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is None:
        result = stadsdata(*args, home=home)
    else:  # tests.cli.run has no stdin: the same call with input
        import os
        import subprocess
        import sys

        env = {k: v for k, v in os.environ.items() if not k.startswith("STADSDATA_")}
        env["COLUMNS"] = "250"
        result = subprocess.run(
            [sys.executable, "-m", "stadsdata.cli.main", "--home", str(home), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
    return result.returncode, result.stdout, result.stderr


@pytest.mark.slow
def test_cli_users_roles_and_tokens(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, out, err = _run(
        home,
        "users",
        "add",
        "alice",
        "--display-name",
        "Alice de Vries",
        "--email",
        "alice@example.nl",
        "--dienst",
        "Zorg",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    assert out.strip() == "added user alice (Alice de Vries, Zorg)"

    code, out, err = _run(home, "users", "add", "bob", "--display-name", "Bob", "--password-stdin", stdin="short\n")
    assert code == 2 and err.strip() == "error: a password needs at least 12 characters; this one has 5"

    code, out, err = _run(home, "users", "role", "alice", "data_owner")
    assert code == 2 and "role data_owner holds per dataset: give the dataset as scope (--scope)" in err
    code, out, err = _run(home, "users", "role", "alice", "data_officer", "--scope", "Zorg")
    assert code == 0 and out.strip() == "alice is now data_officer for Zorg", err

    code, out, err = _run(home, "users", "list")
    assert code == 0 and "alice" in out and "data_officer:Zorg" in out and "1 users" in out

    code, out, err = _run(
        home, "tokens", "create", "notebook", "--user", "alice", "--scope", "read_data", "--days", "7"
    )
    assert code == 0, err
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("sd_") and "shown only now" in out and "token 1 (notebook) for alice" in out
    code, out, err = _run(home, "tokens", "create", "x", "--user", "alice", "--scope", "read_data", "--days", "91")
    assert code == 2 and "a token lives 1 to 90 days; got 91" in err

    code, out, err = _run(home, "tokens", "list")
    assert code == 0 and "notebook" in out and "active" in out and secret not in out and secret[3:12] not in out
    code, out, err = _run(home, "tokens", "revoke", "1")
    assert code == 0 and out.strip() == "revoked token 1 (notebook) of alice"
    code, out, err = _run(home, "users", "revoke-role", "alice", "data_officer", "--scope", "Zorg")
    assert code == 0 and out.strip() == "alice is no longer data_officer for Zorg"

    code, out, err = _run(home, "audit", "list", "--limit", "100")
    assert code == 0
    for action in ("user.add", "role.assign", "manage_users", "token.create", "token.revoke", "role.revoke"):
        assert action in out
    assert secret not in out and PASSWORD not in out
    code, out, err = _run(home, "audit", "verify")
    assert code == 0 and out.startswith("audit log intact: 8 entries, last hash "), out + err
