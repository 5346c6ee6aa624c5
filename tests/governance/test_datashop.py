"""The Datashop desk: staff file a data question, the team triages it, the requester follows it."""

from __future__ import annotations

import datetime as dt

import pytest

from stadsdata.core.access import Actor, Role, RoleGrant
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import AccessDeniedError, GovernanceError, NotFoundError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.datashop import Datashop
from stadsdata.metastore.models import UserRow
from stadsdata.platform import Platform

TODAY = dt.date(2026, 11, 23)
ANA = Actor("ana", frozenset({RoleGrant(Role.analyst)}))
GERT = Actor("gert", frozenset({RoleGrant(Role.analyst)}))
DORA = Actor("dora", frozenset({RoleGrant(Role.data_officer, "Bestuursdienst (BSD)")}))


@pytest.fixture
def shop(platform: Platform) -> tuple[Datashop, AuditLog]:
    with platform.metastore.session() as s:
        for name in ("ana", "gert", "dora"):
            s.add(UserRow(name=name, display_name=name.title(), password_hash="-"))
    audit = AuditLog(platform.metastore)
    return Datashop(platform.metastore, audit, AccessPolicy()), audit


def ask(shop: Datashop, actor: Actor = ANA, **changes: object) -> int:
    fields: dict[str, object] = dict(
        question="Hoeveel inwoners van 65 jaar of ouder wonen er per wijk?",
        purpose="Planning van ouderenvoorzieningen in het sociaal domein.",
        deadline=dt.date(2026, 12, 15),
        dienst="Dienst OCW",
        today=TODAY,
    )
    fields.update(changes)
    return shop.file(actor, **fields).id  # type: ignore[arg-type]


def test_file_triage_and_history(shop: tuple[Datashop, AuditLog]) -> None:
    desk, audit = shop
    first = ask(desk)
    second = ask(desk, GERT, question="Welke buurten hebben de meeste eenpersoonshuishoudens?")
    answered = desk.triage(
        DORA, first, "answered", "Open data: cbs_kwb_2019_den_haag, kolom k_65JaarOfOuder_12 per wijk."
    )
    assert answered.state == "answered" and answered.resolution.startswith("Open data")
    assert [h["state"] for h in answered.history] == ["new", "answered"]
    assert [h["by"] for h in answered.history] == ["ana", "dora"]
    # the requester sees their own, the team sees all, another analyst not someone else's
    assert [r.id for r in desk.visible_to(ANA)] == [first]
    assert [r.id for r in desk.visible_to(DORA)] == [second, first]
    with pytest.raises(AccessDeniedError, match="only its requester and the Datashop team"):
        desk.get(GERT, first)
    assert desk.get(ANA, first).state == "answered"
    declined = desk.triage(DORA, second, "declined", "Dit staat al in de wijkprofielen.")
    assert declined.state == "declined"
    assert ("datashop_triaged", "declined") in [(e.action, e.decision) for e in reversed(audit.list(limit=50))]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"question": "Hoeveel?"}, "question: expected the data question in a sentence"),
        ({"purpose": "Planning"}, "purpose: expected what the answer is for"),
        ({"deadline": dt.date(2026, 11, 1)}, "deadline: 2026-11-01 has passed"),
        ({"dienst": " "}, "dienst: expected the dienst that asks"),
    ],
)
def test_bad_questions_are_clear_errors(shop: tuple[Datashop, AuditLog], changes: dict, message: str) -> None:
    desk, _ = shop
    with pytest.raises(GovernanceError, match=message):
        ask(desk, **changes)
    assert desk.visible_to(DORA) == []


def test_triage_rules(shop: tuple[Datashop, AuditLog]) -> None:
    desk, _ = shop
    request_id = ask(desk)
    with pytest.raises(AccessDeniedError, match="triage_datashop needs the role"):
        desk.triage(ANA, request_id, "answered", "Ik beantwoord mijn eigen vraag.")
    with pytest.raises(GovernanceError, match="outcome: 'misschien'"):
        desk.triage(DORA, request_id, "misschien", "Geen idee wat hiermee te doen.")
    with pytest.raises(GovernanceError, match="note: expected why it is declined"):
        desk.triage(DORA, request_id, "declined", "nee")
    with pytest.raises(GovernanceError, match="opgave_id: expected the opgave"):
        desk.triage(DORA, request_id, "opgave", "Hiervoor zijn persoonsgegevens nodig.")
    with pytest.raises(NotFoundError, match="opgave 99 not found"):
        desk.triage(DORA, request_id, "opgave", "Hiervoor zijn persoonsgegevens nodig.", opgave_id=99)
    assert desk.get(DORA, request_id).state == "new"  # nothing changed by the refused attempts
    with pytest.raises(AccessDeniedError, match="log in"):
        desk.visible_to(Actor.anonymous())
    with pytest.raises(AccessDeniedError, match="needs a login"):
        ask(desk, Actor.anonymous())
