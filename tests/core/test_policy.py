"""The access policy as an authorisation matrix: every persona x every action x every
classification, against a table written out by hand (not derived from the policy's code)."""

from __future__ import annotations

import datetime as dt

import pytest

from stadsdata.core.access import (
    Action,
    Actor,
    DataGrant,
    DatasetResource,
    Level,
    OpgaveResource,
    Role,
    RoleGrant,
)
from stadsdata.core.policy import AccessPolicy

NOW = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
DIENST = "Sociaal Domein (SZW)"
DATASET = "wmo_clienten_synthetisch"
COLUMNS = {
    "bsn": "direct_identifier",
    "geboortedatum": "quasi_identifier",
    "wijk": "none",
    "voorziening": "special_category",
}
CLASSIFICATIONS = ("openbaar", "intern", "vertrouwelijk", "geheim")


def actor(name: str | None, *roles: RoleGrant, grants: tuple[DataGrant, ...] = ()) -> Actor:
    return Actor(user=name, roles=frozenset(roles), grants=grants, dienst=DIENST if name else None)


GRANT = DataGrant(DATASET, Level.pseudonymised, opgave_id=7, expires_at=NOW + dt.timedelta(days=30))
PERSONAS: dict[str, Actor] = {
    "anonymous": Actor.anonymous(),
    "analyst": actor("ana", RoleGrant(Role.analyst)),
    "analyst_with_grant": actor("gert", RoleGrant(Role.analyst), grants=(GRANT,)),
    "analyst_expired_grant": actor(
        "eva", RoleGrant(Role.analyst), grants=(DataGrant(DATASET, Level.read, expires_at=NOW - dt.timedelta(days=1)),)
    ),
    "data_owner": actor("olga", RoleGrant(Role.data_owner, DATASET)),
    "owner_of_other": actor("otto", RoleGrant(Role.data_owner, "cbs_kwb_2019_den_haag")),
    "data_steward": actor("stef", RoleGrant(Role.data_steward, DATASET)),
    "data_officer": actor("dora", RoleGrant(Role.data_officer, DIENST)),
    "officer_other_dienst": actor("dirk", RoleGrant(Role.data_officer, "Stadsbeheer (DSO)")),
    "governance_board": actor("bart", RoleGrant(Role.governance_board)),
    "platform_admin": actor("adam", RoleGrant(Role.platform_admin)),
}
STAFF = set(PERSONAS) - {"anonymous"}
KEEPERS = {"data_owner", "data_steward", "data_officer", "platform_admin"}  # ingest and release

# action -> classification -> the personas that are allowed
DATASET_MATRIX: dict[Action, dict[str, set[str]]] = {
    Action.view_metadata: {
        "openbaar": set(PERSONAS),
        "intern": STAFF,
        "vertrouwelijk": STAFF,
        "geheim": {"data_owner", "data_steward", "data_officer", "governance_board", "platform_admin"},
    },
    Action.read_data: {
        "openbaar": set(PERSONAS),
        "intern": {"data_owner", "data_steward", "analyst_with_grant"},
        "vertrouwelijk": {"data_owner", "data_steward", "analyst_with_grant"},
        "geheim": {"data_owner", "data_steward", "analyst_with_grant"},
    },
    Action.ingest: dict.fromkeys(CLASSIFICATIONS, KEEPERS),
    Action.release: dict.fromkeys(CLASSIFICATIONS, KEEPERS),
    Action.publish_aggregate: dict.fromkeys(CLASSIFICATIONS, {"data_owner", "data_steward"}),
}
PLATFORM_MATRIX: dict[Action, set[str]] = {
    Action.request_opgave: STAFF,
    Action.file_datashop: STAFF,
    Action.manage_users: {"platform_admin"},
    Action.view_audit: {"platform_admin", "governance_board"},
    Action.triage_datashop: {"platform_admin", "data_officer", "officer_other_dienst"},
    Action.edit_register: {"platform_admin", "data_officer", "officer_other_dienst"},
}

CASES = [
    (persona, action, classification, persona in allowed)
    for action, by_class in DATASET_MATRIX.items()
    for classification, allowed in by_class.items()
    for persona in PERSONAS
] + [(persona, action, None, persona in allowed) for action, allowed in PLATFORM_MATRIX.items() for persona in PERSONAS]


def test_the_matrix_covers_every_action_and_prints_its_size(capsys: pytest.CaptureFixture[str]) -> None:
    opgave_actions = {case[1] for case in OPGAVE_CASES}
    assert set(DATASET_MATRIX) | set(PLATFORM_MATRIX) | opgave_actions == set(Action)
    with capsys.disabled():
        print(f"\nauthorisation matrix (policy): {len(CASES)} cases + {len(OPGAVE_CASES)} opgave cases")


@pytest.mark.parametrize(("persona", "action", "classification", "allowed"), CASES)
def test_authorisation_matrix(persona: str, action: Action, classification: str | None, allowed: bool) -> None:
    policy = AccessPolicy()
    resource = DatasetResource(DATASET, classification, DIENST, COLUMNS) if classification else None
    decision = policy.can(PERSONAS[persona], action, resource, now=NOW)
    assert decision.allowed is allowed, decision.reason
    assert decision.reason and "\n" not in decision.reason
    assert (decision.level > Level.none) is allowed


def test_a_grant_gives_columns_by_their_personal_data_flag() -> None:
    policy = AccessPolicy()
    resource = DatasetResource(DATASET, "vertrouwelijk", DIENST, COLUMNS)
    decision = policy.can(PERSONAS["analyst_with_grant"], Action.read_data, resource, now=NOW)
    assert decision.columns == {
        "bsn": Level.pseudonymised,
        "geboortedatum": Level.pseudonymised,
        "wijk": Level.pseudonymised,  # the grant's own level caps every column
        "voorziening": Level.none,  # special category: only when the grant names it
    }
    named = DataGrant(
        DATASET, Level.read, columns=frozenset({"wijk", "voorziening"}), special_categories=frozenset({"voorziening"})
    )
    decision = policy.can(actor("nina", grants=(named,)), Action.read_data, resource, now=NOW)
    assert decision.columns == {
        "bsn": Level.none,  # not in the grant's columns
        "geboortedatum": Level.none,
        "wijk": Level.read,
        "voorziening": Level.pseudonymised,  # never more than pseudonymised for personal data
    }
    assert decision.level == Level.read


def test_an_api_token_carries_only_its_scopes() -> None:
    admin = PERSONAS["platform_admin"]
    scoped = Actor(admin.user, admin.roles, via_token_scopes=frozenset({"view_metadata"}))
    decision = AccessPolicy().can(scoped, Action.manage_users, now=NOW)
    assert not decision.allowed and decision.reason == "the API token is not scoped for manage_users"


def test_a_token_never_gives_less_than_the_public_gets() -> None:
    """A token scoped for workspaces only still reads open data, as anyone without login may; it
    does not carry its user's staff rights beyond its scopes."""
    owner = PERSONAS["data_owner"]
    scoped = Actor(owner.user, owner.roles, via_token_scopes=frozenset({"use_workspace"}))
    public = DatasetResource("open", "openbaar", "Dienst X", {"a": "none"})
    confidential = DatasetResource("wmo", "vertrouwelijk", "Dienst X", {"a": "none"})
    policy = AccessPolicy()
    assert policy.can(scoped, Action.read_data, public, now=NOW).allowed
    refused = policy.can(scoped, Action.view_metadata, confidential, now=NOW)
    assert not refused.allowed and refused.reason == "the API token is not scoped for view_metadata"


# -- opgaven ---------------------------------------------------------------------------------------
def opgave(state: str = "requested", end: dt.date = dt.date(2027, 6, 30)) -> OpgaveResource:
    return OpgaveResource(
        id=7,
        requester="ana",
        members=frozenset({"ana", "gert"}),
        state=state,
        end_date=end,
        dataset=DatasetResource(DATASET, "vertrouwelijk", DIENST, COLUMNS),
        datasets=frozenset({DATASET}),
    )


OPGAVE_CASES = [
    ("analyst", Action.view_opgave, "requested", dt.date(2027, 6, 30), True, "requester or member"),
    ("analyst_with_grant", Action.view_opgave, "approved", dt.date(2027, 6, 30), True, "requester or member"),
    ("data_owner", Action.view_opgave, "requested", dt.date(2027, 6, 30), True, "data owner of a dataset"),
    ("governance_board", Action.view_opgave, "destroyed", dt.date(2026, 1, 1), True, "oversight"),
    ("platform_admin", Action.view_opgave, "approved", dt.date(2027, 6, 30), True, "oversight"),
    ("owner_of_other", Action.view_opgave, "approved", dt.date(2027, 6, 30), False, "is seen by its requester"),
    ("data_officer", Action.view_opgave, "approved", dt.date(2027, 6, 30), False, "is seen by its requester"),
    ("anonymous", Action.view_opgave, "approved", dt.date(2027, 6, 30), False, "log in"),
    # (persona or user, action, opgave state, end date, allowed, reason part)
    ("data_owner", Action.approve_opgave, "requested", dt.date(2027, 6, 30), True, "data owner of"),
    ("owner_of_other", Action.approve_opgave, "requested", dt.date(2027, 6, 30), False, "only the data owner"),
    ("analyst", Action.approve_opgave, "requested", dt.date(2027, 6, 30), False, "nobody approves their own"),
    ("data_owner", Action.approve_opgave, "approved", dt.date(2027, 6, 30), False, "only a requested opgave"),
    ("anonymous", Action.approve_opgave, "requested", dt.date(2027, 6, 30), False, "log in"),
    ("analyst", Action.use_workspace, "approved", dt.date(2027, 6, 30), True, "member of opgave 7"),
    ("analyst_with_grant", Action.export_result, "approved", dt.date(2027, 6, 30), True, "member of opgave 7"),
    ("data_owner", Action.use_workspace, "approved", dt.date(2027, 6, 30), False, "only the members"),
    ("platform_admin", Action.use_workspace, "approved", dt.date(2027, 6, 30), False, "only the members"),
    ("analyst", Action.use_workspace, "requested", dt.date(2027, 6, 30), False, "needs an approved opgave"),
    ("analyst", Action.use_workspace, "approved", dt.date(2026, 11, 22), False, "ended on 2026-11-22"),
    ("analyst", Action.use_workspace, "destroyed", dt.date(2026, 11, 22), False, "has been destroyed"),
    ("analyst", Action.close_opgave, "approved", dt.date(2027, 6, 30), True, "requester of the opgave"),
    ("platform_admin", Action.close_opgave, "approved", dt.date(2027, 6, 30), True, "platform admin"),
    ("analyst_with_grant", Action.close_opgave, "approved", dt.date(2027, 6, 30), False, "only its requester"),
    ("data_owner", Action.close_opgave, "approved", dt.date(2027, 6, 30), False, "only its requester or the admin"),
]


@pytest.mark.parametrize(("persona", "action", "state", "end", "allowed", "why"), OPGAVE_CASES)
def test_opgave_decisions(persona: str, action: Action, state: str, end: dt.date, allowed: bool, why: str) -> None:
    decision = AccessPolicy().can(PERSONAS[persona], action, opgave(state, end), now=NOW)
    assert decision.allowed is allowed and why in decision.reason, decision.reason


def test_the_owner_who_asked_cannot_approve() -> None:
    both = actor("ana", RoleGrant(Role.analyst), RoleGrant(Role.data_owner, DATASET))
    decision = AccessPolicy().can(both, Action.approve_opgave, opgave(), now=NOW)
    assert not decision.allowed and decision.reason == "nobody approves their own request"
