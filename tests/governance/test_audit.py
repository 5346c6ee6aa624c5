"""The audit log: the hash chain, tampering of every kind detected and named, concurrent appends.

Runs on SQLite and on PostgreSQL (with STADSDATA_TEST_POSTGRES_URL). Tampering is done the way an
intruder would: by rewriting rows in the database, underneath the application.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stadsdata.core.access import Action, Actor, Decision, Level
from stadsdata.governance.audit import AuditLog, witness_path
from stadsdata.metastore import Metastore
from stadsdata.metastore.audit_store import GENESIS_HASH
from stadsdata.metastore.models import AuditRow
from tests.cli.run import stadsdata

TABLE = AuditRow.__table__
N = 8  # entries in the chain the property tests tamper with


@pytest.fixture
def log(store: Metastore, tmp_path: Path) -> AuditLog:
    return AuditLog(store, witness=tmp_path / "audit-head.json")


def fill(log: AuditLog, n: int = N) -> None:
    """``n`` entries of every shape: with and without purpose, nested detail, a Decision, a token actor."""
    for i in range(1, n + 1):
        if i % 4 == 1:
            log.append("alice", Action.read_data, f"dataset:wmo_{i}", "allowed", purpose=f"opgave {i}")
        elif i % 4 == 2:
            decision = Decision(False, Level.none, "intern dataset; no grant", {"bsn": Level.none})
            log.append(Actor.anonymous(), Action.read_data, "dataset:wmo", decision)
        elif i % 4 == 3:
            actor = Actor(user="bob", via_token_scopes=frozenset({"read_data"}))
            log.append(actor, "token.create", f"token:{i}", "done", detail={"n": i, "nested": {"a": [1, 2.5, None]}})
        else:
            log.append("system", "workspace.destroy", f"opgave:{i}", "done", detail={"files": ["a", "é"], "ok": True})


def rows_of(store: Metastore) -> list[dict[str, Any]]:
    with store.engine.connect() as c:
        return [dict(r._mapping) for r in c.execute(sa.select(TABLE).order_by(TABLE.c.seq))]


def rewrite(store: Metastore, rows: list[dict[str, Any]]) -> None:
    """Replace the whole table with ``rows``, as someone with write access to the database could."""
    with store.engine.begin() as c:
        c.execute(sa.delete(TABLE))
        if rows:
            c.execute(sa.insert(TABLE), rows)


# -- the chain -------------------------------------------------------------------------------------
def test_empty_log_is_intact(log: AuditLog) -> None:
    result = log.verify()
    assert result.ok and result.entries == 0 and result.last_hash is None and result.reason is None


def test_hash_is_sha256_of_canonical_json(log: AuditLog) -> None:
    """The definition, pinned, so that anyone can check the chain with other tools."""
    first = log.append("alice", "read_data", "dataset:x", "allowed", purpose="opgave 1", detail={"b": 1, "a": "é"})
    second = log.append("bob", "view_audit", "audit_log", "allowed")
    body = {
        "seq": 1,
        "at": first.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": "alice",
        "action": "read_data",
        "resource": "dataset:x",
        "purpose": "opgave 1",
        "decision": "allowed",
        "detail": {"a": "é", "b": 1},
        "prev_hash": "0" * 64,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.prev_hash == GENESIS_HASH == "0" * 64
    assert first.hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert (second.seq, second.prev_hash) == (2, first.hash)
    result = log.verify()
    assert result.ok and result.entries == 2 and result.last_hash == second.hash


def test_append_records_decisions_and_token_use(log: AuditLog) -> None:
    decision = Decision(True, Level.pseudonymised, "grant 3 for opgave 7", {"bsn": Level.pseudonymised})
    token_actor = Actor(user="carla", via_token_scopes=frozenset({"read_data"}))
    entry = log.append(token_actor, Action.read_data, "dataset:wmo", decision, purpose="opgave 7")
    assert (entry.actor, entry.action, entry.decision) == ("carla", "read_data", "allowed")
    assert entry.detail == {
        "via": "token",
        "level": "pseudonymised",
        "reason": "grant 3 for opgave 7",
        "columns": {"bsn": "pseudonymised"},
    }
    denied = log.append(Actor.anonymous(), Action.read_data, "dataset:wmo", Decision(False, Level.none, "intern"))
    assert (denied.actor, denied.decision) == ("anonymous", "denied")
    assert [e.seq for e in log.list(10)] == [2, 1]
    assert [e.seq for e in log.list(10, actor="carla")] == [1]
    assert [e.seq for e in log.list(10, action="read_data", resource="dataset:wmo")] == [2, 1]
    assert log.list(1)[0].seq == 2


def test_detail_must_be_plain_json(log: AuditLog) -> None:
    with pytest.raises(ValueError, match="not plain JSON"):
        log.append("alice", "x", "y", "done", detail={"score": float("nan")})
    with pytest.raises(ValueError, match="1 to 60 characters"):
        log.append("alice", "x" * 61, "y", "done")
    assert log.verify().entries == 0  # nothing written


# -- tampering -------------------------------------------------------------------------------------
def test_each_kind_of_tampering_is_named(store: Metastore, log: AuditLog) -> None:
    fill(log)
    original = rows_of(store)

    def verify_with(rows: list[dict[str, Any]]) -> tuple[int | None, str | None]:
        rewrite(store, rows)
        result = log.verify()
        assert not result.ok and result.entries == len(rows)
        return result.first_broken_seq, result.reason

    edited = [dict(r) for r in original]
    edited[4]["actor"] = "mallory"
    assert verify_with(edited) == (5, "entry 5: hash does not match its content (edited)")

    assert verify_with(original[:4] + original[5:]) == (5, "entry 5 missing (sequence jumps from 4 to 6)")
    assert verify_with(original[1:]) == (1, "entry 1 missing (the log starts at entry 2)")

    swapped = [dict(r) for r in original]
    swapped[2]["seq"], swapped[3]["seq"] = 4, 3
    assert verify_with(swapped) == (3, "entry 3: previous hash does not match entry 2 (deleted or reordered)")

    rehashed = [dict(r) for r in original]
    rehashed[6]["hash"] = "f" * 64
    assert verify_with(rehashed) == (7, "entry 7: hash does not match its content (edited)")

    # deleting the newest entry leaves a valid chain: the head witness outside the database notices
    first, reason = verify_with(original[:-1])
    assert first == N and reason is not None
    assert reason.startswith(f"entry {N} missing (the log ends at entry {N - 1}, but the head witness")

    rewrite(store, original)
    assert log.verify().ok


def test_recomputed_chain_is_caught_by_the_witness(store: Metastore, log: AuditLog, tmp_path: Path) -> None:
    """Someone who edits an entry and recomputes every later hash leaves a valid chain; only the
    head witness (kept outside the database) shows it."""
    fill(log)
    rows = rows_of(store)
    rows[2]["resource"] = "dataset:something_else"
    prev = rows[1]["hash"]
    for row in rows[2:]:
        row["prev_hash"] = prev
        fields = {k: v for k, v in row.items() if k != "hash"}
        row["hash"] = prev = _hash(fields)
    rewrite(store, rows)
    result = log.verify()
    assert (result.ok, result.first_broken_seq) == (False, N)
    assert result.reason is not None and "hash differs from the head witness" in result.reason
    # without a witness, the rewritten chain is consistent: the limit of a bare hash chain
    assert AuditLog(store).verify().ok


def _hash(fields: dict[str, Any]) -> str:
    from stadsdata.metastore.audit_store import entry_hash

    return entry_hash(**fields)


def test_unreadable_witness_is_not_intact(log: AuditLog) -> None:
    fill(log, 2)
    assert log.witness is not None
    log.witness.write_text("{broken")
    result = log.verify()
    assert not result.ok and result.reason is not None and "unreadable" in result.reason


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
HEX64 = st.text("0123456789abcdef", min_size=64, max_size=64)
JSON_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False), TEXT
)
DETAIL = st.dictionaries(TEXT, JSON_VALUE, max_size=3)
FIELDS = ("at", "actor", "action", "resource", "purpose", "decision", "detail", "prev_hash", "hash")


def _new_value(data: st.DataObject, name: str, old: Any) -> Any:
    if name == "at":
        micros = data.draw(st.integers(-(10**12), 10**12).filter(bool), label="shift in microseconds")
        return old + dt.timedelta(microseconds=micros)
    strategy = {
        "actor": TEXT,
        "action": TEXT,
        "resource": TEXT,
        "decision": TEXT,
        "purpose": st.one_of(st.none(), TEXT),
        "detail": DETAIL,
        "prev_hash": HEX64,
        "hash": HEX64,
    }[name]
    return data.draw(strategy.filter(lambda v: v != old), label=f"new {name}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_tampering_is_detected_and_named(store: Metastore, log: AuditLog, data: st.DataObject) -> None:
    """Edit any field of any entry, delete any entry, swap two entries' seq, move an entry's seq, or
    change a hash: verify fails, and names the first broken entry."""
    if not rows_of(store):
        fill(log)
    original = rows_of(store)
    assert len(original) == N
    rows = [dict(r) for r in original]
    kind = data.draw(st.sampled_from(["edit", "delete", "swap", "move"]), label="tampering")
    k = data.draw(st.integers(1, N), label="entry")
    if kind == "edit":
        name = data.draw(st.sampled_from(FIELDS), label="field")
        rows[k - 1][name] = _new_value(data, name, rows[k - 1][name])
        expected = (k, "previous hash" if name == "prev_hash" else "hash does not match its content (edited)")
    elif kind == "delete":
        del rows[k - 1]
        expected = (k, f"entry {k} missing")
    elif kind == "swap":
        j = data.draw(st.integers(1, N).filter(lambda j: j != k), label="other entry")
        i, j = min(k, j), max(k, j)
        rows[i - 1]["seq"], rows[j - 1]["seq"] = j, i
        expected = (i, "previous hash")
    else:
        rows[k - 1]["seq"] = N + data.draw(st.integers(1, 1000), label="seq beyond the end")
        expected = (k, f"entry {k} missing")
    try:
        rewrite(store, rows)
        result = log.verify()
    finally:
        rewrite(store, original)
    assert not result.ok
    assert result.first_broken_seq == expected[0], result.reason
    assert result.reason is not None and result.reason.startswith(f"entry {expected[0]}")
    assert expected[1] in result.reason


# -- concurrency -------------------------------------------------------------------------------------
@pytest.mark.parametrize("separate_connections", [False, True], ids=["one-engine", "engine-per-thread"])
def test_concurrent_appends_keep_one_chain(metastore_url: str, tmp_path: Path, separate_connections: bool) -> None:
    """Threads appending at once (through one engine, or each through its own as separate processes
    would) never fork the chain: seq 1..n without gaps or duplicates, every link intact."""
    threads, each = 8, 15
    witness = tmp_path / "audit-head.json"
    shared = Metastore.open(metastore_url)
    start = threading.Barrier(threads)

    def work(t: int) -> list[int]:
        store = Metastore.open(metastore_url) if separate_connections else shared
        log = AuditLog(store, witness=witness)
        start.wait()
        try:
            return [log.append(f"user{t}", "read_data", f"dataset:d{i}", "allowed").seq for i in range(each)]
        finally:
            if separate_connections:
                store.close()

    try:
        with ThreadPoolExecutor(threads) as pool:
            seqs = [s for chunk in pool.map(work, range(threads)) for s in chunk]
        assert sorted(seqs) == list(range(1, threads * each + 1))
        result = AuditLog(shared, witness=witness).verify()
        assert result.ok, result.reason
        assert result.entries == threads * each
        assert json.loads(witness.read_text())["seq"] == threads * each
    finally:
        shared.close()


# -- the command line ------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_verify_passes_then_fails_after_a_manual_edit(tmp_path: Path) -> None:
    home = tmp_path / "home"
    added = stadsdata("tokens", "list", home=home)  # a read: audited too
    assert added.returncode == 0, added.stderr
    listed = stadsdata("audit", "list", "--limit", "5", home=home)
    assert listed.returncode == 0, listed.stderr
    assert "manage_users" in listed.stdout and "1 entries" in listed.stdout

    ok = stadsdata("audit", "verify", home=home)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("audit log intact: 2 entries, last hash ")

    with sqlite3.connect(home / "metastore.db") as db:  # plain SQL, underneath the platform
        db.execute("UPDATE audit_log SET decision = 'denied' WHERE seq = 2")
    broken = stadsdata("audit", "verify", home=home)
    assert broken.returncode == 1
    assert broken.stdout.strip() == "audit log broken: entry 2: hash does not match its content (edited)"
    assert witness_path(home).exists()


@pytest.mark.postgres
def test_postgres_role_with_insert_and_select_only_can_append(postgres_url: str) -> None:
    """The append lock needs no UPDATE or DELETE privilege, so PostgreSQL can keep the log append-only."""
    owner = Metastore.open(postgres_url)  # migrates as the owner
    role = f"audit_writer_{uuid.uuid4().hex[:8]}"
    database = sa.engine.make_url(postgres_url).database
    with owner.engine.begin() as c:
        c.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
        c.execute(sa.text(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"'))
        c.execute(sa.text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
        c.execute(sa.text(f'GRANT SELECT ON alembic_version TO "{role}"'))
        c.execute(sa.text(f'GRANT SELECT, INSERT ON audit_log TO "{role}"'))
    writer = Metastore.open(sa.engine.make_url(postgres_url).set(username=role).render_as_string(hide_password=False))
    try:
        log = AuditLog(writer)
        fill(log, 3)
        assert log.verify().ok
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), writer.engine.begin() as c:
            c.execute(sa.text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), writer.engine.begin() as c:
            c.execute(sa.text("DELETE FROM audit_log WHERE seq = 3"))
        assert log.verify().ok and log.verify().entries == 3
    finally:
        writer.close()
        with owner.engine.begin() as c:
            c.execute(sa.text(f'DROP OWNED BY "{role}"'))
        owner.close()
        admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:  # a role is the cluster's: drop it once nothing refers to it
            c.execute(sa.text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"))
            c.execute(sa.text(f'DROP ROLE "{role}"'))
        admin.dispose()
