"""Opgaven: request, the data owner's decision, grants; every bad request a clear error and
nothing stored.

The dataset is the real Den Haag KWB table under a test contract that classifies it
vertrouwelijk and flags three of its columns as personal data (flags only: the data stays the
real aggregate), so that every rule of the workflow has something to act on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from stadsdata import demo
from stadsdata.core.access import Action, Actor, DataGrant, Level, Role, RoleGrant
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import AccessDeniedError, GovernanceError, NotFoundError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.opgaven import ColumnRequest, Opgaven, OpgaveRequest, dataset_resource
from stadsdata.metastore.models import DataGrantRow, UserRow
from stadsdata.metastore.opgaven_store import OpgavenStore
from stadsdata.platform import Platform

KWB = "cbs_kwb_2019_den_haag"
TODAY = dt.date(2026, 11, 23)
FLAGS = {
    "WijkenEnBuurten": "direct_identifier",
    "MeestVoorkomendePostcode_113": "quasi_identifier",
    "WmoClienten_89": "special_category",
}


@pytest.fixture
def setup(platform: Platform, tmp_path: Path) -> tuple[Platform, Opgaven, AuditLog]:
    data = yaml.safe_load(demo.contract_path(KWB).read_text(encoding="utf-8"))
    data["classification"] = "vertrouwelijk"
    for column in data["columns"]:
        column["personal_data"] = FLAGS.get(column["name"], "none")
    contract = tmp_path / f"{KWB}.yaml"
    contract.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    platform.register(contract)
    with platform.metastore.session() as s:
        for name in ("ana", "gert", "olga"):
            s.add(UserRow(name=name, display_name=name.title(), password_hash="-"))
    audit = AuditLog(platform.metastore)
    return platform, Opgaven(platform.metastore, audit, AccessPolicy(), users_exist=None), audit


ANALYST = Actor("ana", frozenset({RoleGrant(Role.analyst)}))
OWNER = Actor("olga", frozenset({RoleGrant(Role.data_owner, KWB)}))


def request(**changes: Any) -> OpgaveRequest:
    fields: dict[str, Any] = dict(
        title="Wmo-gebruik per wijk",
        purpose="Inzicht in het Wmo-gebruik per wijk om de begroting 2027 te onderbouwen.",
        legal_ground="e",
        legal_basis="Wmo 2015, art. 2.1.2 (beleidsplan)",
        dpia_reference="DPIA-2026-014",
        dpia_status="afgerond",
        end_date=dt.date(2027, 6, 30),
        columns=[
            ColumnRequest(KWB, "WijkenEnBuurten", "De regio om per wijk te tellen."),
            ColumnRequest(KWB, "AantalInwoners_5", "De noemer: Wmo-gebruik per 1000 inwoners."),
            ColumnRequest(KWB, "WmoClienten_89", "Het aantal Wmo-cliënten zelf."),
        ],
        members=["gert"],
    )
    fields.update(changes)
    return OpgaveRequest(**fields)


def test_request_approve_and_grant(setup: tuple[Platform, Opgaven, AuditLog]) -> None:
    platform, opgaven, audit = setup
    opgave = opgaven.request(ANALYST, request(), today=TODAY)
    assert opgave.state == "requested" and opgave.requester == "ana" and opgave.members == ["gert"]
    assert [c.decision for c in opgave.columns] == ["pending"] * 3
    # the owner approves but does not name the special-category column: it stays out
    opgave = opgaven.decide(OWNER, opgave.id, KWB, approve=True, reason="Doel en grondslag zijn helder.")
    assert opgave.state == "approved"
    assert {c.column: c.decision for c in opgave.columns} == {
        "WijkenEnBuurten": "approved",
        "AantalInwoners_5": "approved",
        "WmoClienten_89": "declined",
    }
    with platform.metastore.session() as s:
        grants = s.scalars(select(DataGrantRow).order_by(DataGrantRow.user_name)).all()
        assert [(g.user_name, g.level, g.columns, g.opgave_id) for g in grants] == [
            ("ana", "pseudonymised", ["WijkenEnBuurten", "AantalInwoners_5"], opgave.id),
            ("gert", "pseudonymised", ["WijkenEnBuurten", "AantalInwoners_5"], opgave.id),
        ]
    assert [(e.action, e.decision) for e in reversed(audit.list(limit=50))] == [
        ("request_opgave", "allowed"),
        ("opgave_requested", "done"),
        ("approve_opgave", "allowed"),
        ("opgave_decided", "approved"),
    ]


def test_special_category_needs_explicit_approval(setup: tuple[Platform, Opgaven, AuditLog]) -> None:
    platform, opgaven, _ = setup
    opgave = opgaven.request(ANALYST, request(), today=TODAY)
    opgave = opgaven.decide(
        OWNER,
        opgave.id,
        KWB,
        approve=True,
        reason="Ook het aantal cliënten is nodig voor het doel.",
        special_categories=["WmoClienten_89"],
    )
    assert all(c.decision == "approved" for c in opgave.columns)
    with platform.metastore.session() as s:
        grant = s.scalars(select(DataGrantRow).where(DataGrantRow.user_name == "gert")).one()
        assert grant.special_categories == ["WmoClienten_89"]
    # the grant, as the policy sees it: pseudonymised at most, the special column included
    actor = Actor(
        "gert",
        grants=(
            DataGrant(
                KWB, Level.pseudonymised, frozenset(grant.columns), opgave.id, frozenset(grant.special_categories)
            ),
        ),
    )
    decision = AccessPolicy().can(actor, Action.read_data, dataset_resource(platform.catalog.show(KWB).contract))
    assert decision.columns["WmoClienten_89"] == Level.pseudonymised
    assert decision.columns["AantalInwoners_5"] == Level.pseudonymised
    assert decision.columns["Mannen_6"] == Level.none  # not asked, not granted


def test_declining_declines_the_opgave(setup: tuple[Platform, Opgaven, AuditLog]) -> None:
    platform, opgaven, _ = setup
    opgave = opgaven.request(ANALYST, request(), today=TODAY)
    opgave = opgaven.decide(OWNER, opgave.id, KWB, approve=False, reason="Het doel kan met open data.")
    assert opgave.state == "declined"
    with platform.metastore.session() as s:
        assert s.scalars(select(DataGrantRow)).all() == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"purpose": "Inzicht."}, "purpose: expected the purpose in a sentence"),
        ({"purpose": ""}, "purpose: expected the purpose in a sentence"),
        ({"legal_ground": "g"}, "legal_ground: 'g' is not a ground of AVG art. 6(1)"),
        ({"legal_basis": ""}, "legal_basis: expected the law"),
        ({"dpia_status": "weet niet"}, "dpia_status: 'weet niet'; expected one of"),
        ({"end_date": dt.date(2027, 11, 24)}, "end_date: 2027-11-24 is past the maximum of 12 months (2027-11-23)"),
        ({"end_date": TODAY}, "end_date: 2026-11-23 is not in the future"),
        ({"columns": []}, "columns: expected at least one dataset column"),
        (
            {"columns": [ColumnRequest(KWB, "Inwoners", "Een kolom die niet bestaat.")]},
            "columns[1] (cbs_kwb_2019_den_haag.Inwoners): the dataset has no column 'Inwoners'",
        ),
        (
            {"columns": [ColumnRequest("bestaat_niet", "x", "Een dataset die niet bestaat.")]},
            "columns[1] (bestaat_niet.x): no dataset 'bestaat_niet' in the catalogue",
        ),
        (
            {"columns": [ColumnRequest(KWB, "AantalInwoners_5", "nodig")]},
            "expected a reason why the column is needed",
        ),
    ],
)
def test_bad_requests_are_clear_errors_and_store_nothing(
    setup: tuple[Platform, Opgaven, AuditLog], changes: dict[str, Any], message: str
) -> None:
    _, opgaven, _ = setup
    with pytest.raises(GovernanceError) as info:
        opgaven.request(ANALYST, request(**changes), today=TODAY)
    assert message in str(info.value) and "\n" not in str(info.value)
    assert opgaven.list() == []


def test_nobody_approves_their_own_request(setup: tuple[Platform, Opgaven, AuditLog]) -> None:
    _, opgaven, audit = setup
    both = Actor("ana", frozenset({RoleGrant(Role.analyst), RoleGrant(Role.data_owner, KWB)}))
    opgave = opgaven.request(both, request(), today=TODAY)
    with pytest.raises(AccessDeniedError, match="nobody approves their own request"):
        opgaven.decide(both, opgave.id, KWB, approve=True, reason="Ik keur mijn eigen aanvraag goed.")
    assert opgaven.get(opgave.id).state == "requested"
    assert all(c.decision == "pending" for c in opgaven.get(opgave.id).columns)
    assert audit.list(limit=1)[0].decision == "denied"


def test_only_the_owner_decides_and_only_once(setup: tuple[Platform, Opgaven, AuditLog]) -> None:
    _, opgaven, _ = setup
    opgave = opgaven.request(ANALYST, request(), today=TODAY)
    other = Actor("gert", frozenset({RoleGrant(Role.analyst)}))
    with pytest.raises(AccessDeniedError, match="only the data owner of cbs_kwb_2019_den_haag decides"):
        opgaven.decide(other, opgave.id, KWB, approve=True, reason="Ik ben niet de eigenaar.")
    opgaven.decide(OWNER, opgave.id, KWB, approve=True, reason="Doel en grondslag zijn helder.")
    with pytest.raises(AccessDeniedError, match="only a requested opgave can be decided"):
        opgaven.decide(OWNER, opgave.id, KWB, approve=False, reason="Toch maar niet.")


def test_anonymous_cannot_request(setup: tuple[Platform, Opgaven, AuditLog]) -> None:
    _, opgaven, _ = setup
    with pytest.raises(AccessDeniedError, match="needs a login"):
        opgaven.request(Actor.anonymous(), request(), today=TODAY)
    assert OpgavenStore(opgaven.metastore).list() == []


def test_who_sees_an_opgave_and_who_is_asked_to_decide(setup: tuple[Platform, Opgaven, AuditLog]) -> None:
    _, opgaven, audit = setup
    opgave = opgaven.request(ANALYST, request(), today=TODAY)
    member = Actor("gert", frozenset({RoleGrant(Role.analyst)}))
    stranger = Actor("eva", frozenset({RoleGrant(Role.analyst)}))
    board = Actor("bart", frozenset({RoleGrant(Role.governance_board)}))
    for who in (ANALYST, member, OWNER, board):
        assert [o.id for o in opgaven.visible_to(who)] == [opgave.id], who.user
        assert opgaven.show(who, opgave.id).title == "Wmo-gebruik per wijk"
    assert opgaven.visible_to(stranger) == []
    with pytest.raises(NotFoundError, match=f"no opgave {opgave.id}"):
        opgaven.show(stranger, opgave.id)
    assert audit.list(limit=1)[0].decision == "denied"  # the refusal is on record
    assert [(o.id, d) for o, d in opgaven.to_decide(OWNER)] == [(opgave.id, KWB)]
    assert opgaven.to_decide(ANALYST) == [] and opgaven.to_decide(board) == []
    opgaven.decide(OWNER, opgave.id, KWB, approve=False, reason="Geen DPIA voor deze kolommen.")
    assert opgaven.to_decide(OWNER) == []


def test_a_dataset_the_requester_may_not_see_is_as_unknown(setup: tuple[Platform, Opgaven, AuditLog]) -> None:
    platform, opgaven, _ = setup
    with platform.metastore.session() as s:
        from stadsdata.metastore.models import DatasetRow

        s.get(DatasetRow, KWB).classification = "geheim"
        row = s.get(DatasetRow, KWB)
        row.contract = {**row.contract, "classification": "geheim"}
    hidden = request(columns=[ColumnRequest(KWB, "AantalInwoners_5", "De noemer: inwoners per wijk.")])
    unknown = request(columns=[ColumnRequest("bestaat_niet", "AantalInwoners_5", "De noemer: inwoners per wijk.")])
    with pytest.raises(GovernanceError) as seen:
        opgaven.request(ANALYST, hidden, today=TODAY)
    with pytest.raises(GovernanceError) as never:
        opgaven.request(ANALYST, unknown, today=TODAY)
    assert str(seen.value) == str(never.value).replace("bestaat_niet", KWB)
    assert opgaven.list() == []
