"""An opgave's workspace on the SYNTHETIC Wmo client register, end to end: request, approval,
build, pseudonymised queries, an export through disclosure control, and destruction."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from stadsdata import demo
from stadsdata.core.access import Actor, Role, RoleGrant
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import AccessDeniedError, DisclosureError, GovernanceError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.opgaven import ColumnRequest, Opgaven, OpgaveRequest
from stadsdata.metastore.models import UserRow
from stadsdata.platform import Platform
from stadsdata.workspaces.service import WorkspaceGoneError, Workspaces

WMO = "wmo_clienten_synthetisch"
TODAY = dt.date(2026, 11, 23)
ANA = Actor("ana", frozenset({RoleGrant(Role.analyst)}))
GERT = Actor("gert", frozenset({RoleGrant(Role.analyst)}))
OLGA = Actor("olga", frozenset({RoleGrant(Role.data_owner, WMO)}))
OTTO = Actor("otto", frozenset({RoleGrant(Role.analyst)}))


@pytest.fixture(scope="module")
def wmo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SYNTHETIC register loaded once (36,830 rows)."""
    from tests.conftest import make_settings

    home = tmp_path_factory.mktemp("wmo") / "home"
    with Platform(make_settings(home)) as p:
        p.register(demo.contract_path(WMO))
        p.ingest(demo.data_path(WMO), WMO)
        with p.metastore.session() as s:
            for name in ("ana", "gert", "olga", "otto"):
                s.add(UserRow(name=name, display_name=name.title(), password_hash="-"))
    return home


@pytest.fixture
def env(wmo_home: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    import shutil

    from tests.conftest import make_settings

    home = tmp_path / "home"
    shutil.copytree(wmo_home, home)
    with Platform(make_settings(home)) as p:
        audit = AuditLog(p.metastore)
        policy = AccessPolicy()
        opgaven = Opgaven(p.metastore, audit, policy)
        spaces = Workspaces(p.home, p.metastore, p.engine, p.tables, audit, policy)
        yield p, audit, opgaven, spaces


def approved(opgaven: Opgaven, *, special: bool = True, end: dt.date = dt.date(2027, 6, 30)) -> int:
    opgave = opgaven.request(
        ANA,
        OpgaveRequest(
            title="Wmo-voorzieningen per wijk",
            purpose="Welke voorzieningen worden per wijk gebruikt, voor de inkoop van 2027.",
            legal_ground="e",
            legal_basis="Wmo 2015, art. 2.1.2",
            dpia_reference="DPIA-2026-021",
            dpia_status="afgerond",
            end_date=end,
            columns=[
                ColumnRequest(WMO, "bsn", "Cliënten tellen en koppelen binnen de opgave."),
                ColumnRequest(WMO, "geboortedatum", "Leeftijd in jaren voor de leeftijdsopbouw."),
                ColumnRequest(WMO, "postcode", "Spreiding binnen de wijk op PC4-niveau."),
                ColumnRequest(WMO, "wijkcode", "De eenheid van de analyse: de wijk."),
                ColumnRequest(WMO, "voorziening", "Het soort voorziening: de kern van de vraag."),
            ],
            members=["gert"],
        ),
        today=TODAY,
    )
    opgaven.decide(
        OLGA,
        opgave.id,
        WMO,
        approve=True,
        reason="Doel, grondslag en DPIA zijn in orde.",
        special_categories=["voorziening"] if special else [],
    )
    return opgave.id


def test_workspace_holds_only_approved_pseudonymised_columns(env) -> None:  # type: ignore[no-untyped-def]
    platform, audit, opgaven, spaces = env
    opgave_id = approved(opgaven)
    record = spaces.build(opgave_id, by="olga")
    [table] = record.tables
    assert table["rows"] == 36830
    assert table["columns"] == {
        "bsn": "pseudonymise",
        "geboortedatum": "generalise:year",
        "postcode": "generalise:pc4",
        "wijkcode": "keep",
        "voorziening": "keep",
    }
    key = platform.home / "secrets" / "opgaven" / f"{opgave_id}.key"
    assert key.stat().st_mode & 0o777 == 0o600
    result = spaces.query(GERT, opgave_id, f"select * from {WMO} order by bsn limit 5")
    assert result.columns == ["bsn", "geboortedatum", "postcode", "wijkcode", "voorziening"]
    for bsn, year, pc4, _, _ in result.rows:
        assert re.fullmatch(r"[0-9a-f]{32}", bsn) and isinstance(year, int) and re.fullmatch(r"\d{4}", pc4)
    # no BSN of the source appears in the workspace file
    source = demo.data_path(WMO).read_text(encoding="utf-8").splitlines()[1:200]
    content = Path(record.path).read_bytes()
    assert not any(line.split(";")[0].encode() in content for line in source)
    # joins inside the opgave work: one pseudonym per client
    distinct = spaces.query(ANA, opgave_id, f"select count(distinct bsn), count(*) from {WMO}").rows
    assert distinct == [(36830, 36830)]
    # a non-member is refused, and that is audited
    with pytest.raises(AccessDeniedError, match="only the members of opgave"):
        spaces.query(OTTO, opgave_id, f"select count(*) from {WMO}")
    assert audit.list(limit=1)[0].decision == "denied"


def test_without_the_special_approval_the_provision_stays_out(env) -> None:  # type: ignore[no-untyped-def]
    _, _, opgaven, spaces = env
    opgave_id = approved(opgaven, special=False)
    record = spaces.build(opgave_id, by="olga")
    assert "voorziening" not in record.tables[0]["columns"]


def test_export_suppresses_small_cells(env) -> None:  # type: ignore[no-untyped-def]
    _, audit, opgaven, spaces = env
    opgave_id = approved(opgaven)
    spaces.build(opgave_id, by="olga")
    sql = f"select wijkcode, voorziening, count(*) as n from {WMO} group by all"
    blocked = spaces.export(ANA, opgave_id, sql, ["wijkcode", "voorziening"], "n")
    assert blocked.decision.status == "blocked" and blocked.rows == []
    assert "primary: n=" in blocked.decision.explanation
    assert audit.list(limit=1)[0].decision == "blocked"
    released = spaces.export(ANA, opgave_id, sql, ["wijkcode", "voorziening"], "n", accept_suppression=True)
    assert released.decision.released
    published = [r["n"] for r in released.rows if r["n"] is not None]
    assert published and all(n == 0 or n >= 10 for n in published)  # nothing below the threshold leaves
    assert any(r["suppressed"] == "primary" for r in released.rows)


def test_sweep_destroys_after_the_end_date(env) -> None:  # type: ignore[no-untyped-def]
    platform, audit, opgaven, spaces = env
    opgave_id = approved(opgaven, end=dt.date(2026, 12, 31))
    record = spaces.build(opgave_id, by="olga")
    assert spaces.sweep(today=dt.date(2026, 12, 31)) == []  # the end date itself still counts
    [destroyed] = spaces.sweep(today=dt.date(2027, 1, 1))
    assert destroyed["opgave"] == opgave_id and destroyed["key_destroyed"]
    assert {f["file"] for f in destroyed["files"]} >= {Path(record.path).name, f"{opgave_id}.key"}
    assert destroyed["tables"][0]["sha256"] == record.tables[0]["sha256"]
    assert not Path(record.path).exists() and not (platform.home / "secrets" / "opgaven" / f"{opgave_id}.key").exists()
    assert not any((platform.home / "workspaces").iterdir())  # no file with workspace data left
    with pytest.raises(WorkspaceGoneError, match=rf"opgave {opgave_id} was destroyed on \d{{4}}-\d{{2}}-\d{{2}}"):
        spaces.query(ANA, opgave_id, f"select count(*) from {WMO}")
    assert opgaven.get(opgave_id).state == "destroyed"
    # newest first: the refused query after the destruction, the destruction itself
    assert [(e.action, e.decision) for e in audit.list(limit=2)] == [
        ("use_workspace", "denied"),
        ("workspace_destroyed", "done"),
    ]
    assert audit.verify().ok


def test_close_early_then_sweep(env) -> None:  # type: ignore[no-untyped-def]
    _, _, opgaven, spaces = env
    opgave_id = approved(opgaven)
    spaces.build(opgave_id, by="olga")
    with pytest.raises(AccessDeniedError, match="only its requester or the admin"):
        spaces.close(GERT, opgave_id)
    assert spaces.close(ANA, opgave_id).state == "closed"
    [destroyed] = spaces.sweep(today=TODAY)
    assert destroyed["reason"] == "closed early"
    with pytest.raises(GovernanceError, match="only an approved opgave can be closed"):
        spaces.close(ANA, opgave_id)


def test_a_table_per_pseudonym_is_refused_and_audited(env) -> None:  # type: ignore[no-untyped-def]
    """Suppression withholds counts, not categories: a count per person would let every pseudonym
    leave, whatever the SQL calls the column."""
    _, audit, opgaven, spaces = env
    opgave_id = approved(opgaven)
    spaces.build(opgave_id, by="olga")
    for sql in (
        f"select bsn, count(*) as n from {WMO} group by all",
        f"select bsn as wijk, count(*) as n from {WMO} group by all",  # an alias hides nothing
    ):
        dimension = "bsn" if "as wijk" not in sql else "wijk"
        with pytest.raises(DisclosureError, match=f"dimension '{dimension}' holds pseudonyms of {WMO}.bsn"):
            spaces.export(ANA, opgave_id, sql, [dimension], "n", accept_suppression=True)
        entry = audit.list(limit=1)[0]
        assert (entry.action, entry.decision) == ("workspace_export", "refused")


def test_a_magnitude_table_follows_the_p_percent_rule(env) -> None:  # type: ignore[no-untyped-def]
    """Sums per cell from one row per client (here: each client's age in 2019), checked by the p%
    rule and at least `threshold` contributors per cell; the contributor column never leaves."""
    _, audit, opgaven, spaces = env
    opgave_id = approved(opgaven)
    spaces.build(opgave_id, by="olga")
    sql = f"select wijkcode, voorziening, bsn, 2019 - geboortedatum as leeftijd from {WMO}"
    released = spaces.export(
        ANA,
        opgave_id,
        sql,
        ["wijkcode", "voorziening"],
        "leeftijd",
        contributor="bsn",
        magnitude=True,
        accept_suppression=True,
    )
    assert released.decision.released and released.columns == ["wijkcode", "voorziening", "leeftijd", "suppressed"]
    assert all("bsn" not in row for row in released.rows)
    sums = {(r["wijkcode"], r["voorziening"]): r for r in released.rows}
    # a cell with fewer than 10 clients is suppressed; a large one is published as the exact sum
    counts = spaces.query(
        ANA, opgave_id, f"select wijkcode, voorziening, count(*), sum(2019 - geboortedatum) from {WMO} group by all"
    ).rows
    small = [(w, v) for w, v, n, _ in counts if n < 10]
    large = [(w, v, total) for w, v, n, total in counts if n >= 200]
    assert small and all(sums[cell]["leeftijd"] is None for cell in small)
    assert large and any(sums[(w, v)]["leeftijd"] == total for w, v, total in large)
    [export] = audit.list(limit=1, action="workspace_export")
    assert "p% rule" in export.detail["rule"] and export.detail["findings"] and export.decision == "released"


def test_a_datasets_own_threshold_is_used(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    platform, _, opgaven, spaces = env
    import yaml

    data = yaml.safe_load(demo.contract_path(WMO).read_text(encoding="utf-8"))
    data["disclosure_threshold"] = 400
    with platform.metastore.session() as s:  # the registered contract, as a steward would change it
        from stadsdata.metastore.models import DatasetRow

        row = s.get(DatasetRow, WMO)
        row.contract = {**row.contract, "disclosure_threshold": 400}
    opgave_id = approved(opgaven)
    spaces.build(opgave_id, by="olga")
    sql = f"select wijkcode, count(*) as n from {WMO} group by all"
    released = spaces.export(ANA, opgave_id, sql, ["wijkcode"], "n", accept_suppression=True)
    published = [r["n"] for r in released.rows if r["n"] is not None]
    assert published and all(n >= 400 for n in published)
    assert any(r["n"] is None for r in released.rows)


def test_a_copied_home_uses_its_own_workspace_file(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A copy or restore of a home (with workspace records that name the original's path) reads
    and destroys its own workspace files, never the original's."""
    import shutil

    from tests.conftest import make_settings

    platform, _, opgaven, spaces = env
    opgave_id = approved(opgaven)
    original = Path(spaces.build(opgave_id, by="olga").path)
    copy = tmp_path / "copy"
    shutil.copytree(platform.home, copy)
    with Platform(make_settings(copy)) as other:
        copied = Workspaces(other.home, other.metastore, other.engine, other.tables, other.audit, other.policy)
        assert copied.query(ANA, opgave_id, f"select count(*) from {WMO}").rows == [(36830,)]
        copied.destroy(opgave_id, by="test", reason="the copy is cleaned up")
        assert not copied.path_of(opgave_id).exists()
    assert original.exists()  # the original home's workspace is untouched
    assert spaces.query(ANA, opgave_id, f"select count(*) from {WMO}").rows == [(36830,)]
