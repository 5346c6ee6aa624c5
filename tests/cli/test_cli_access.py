"""Every command asks the access policy: an authorisation matrix over the whole command line.

Eight personas (the operator, who is no user of the platform, and seven users with the roles of
``core/access.py``) run every command that takes a dataset on four copies of the real Den Haag
KWB table, one per classification (openbaar, intern, vertrouwelijk, geheim; under test contracts
that flag three columns as personal data, as tests/governance/test_opgaven.py does), and every
governance command. The expected outcome is the policy's answer for the command's action; the
command must obey it: show, do, refuse with the policy's reason, or answer as for an unknown
dataset when the persona may not see it. A handful of spot checks say the same without the policy.

The commands run in-process (typer's CliRunner) over one home built once for the module, and a
test fails when a command appears that the matrix does not list.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from stadsdata import demo
from stadsdata.cli.main import app
from stadsdata.core.access import (
    Action,
    Actor,
    DatasetResource,
    Decision,
    Level,
    OpgaveResource,
    Role,
    RoleGrant,
)
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import (
    AccessDeniedError,
    AuthenticationError,
    DeliveryError,
    GovernanceError,
    NotFoundError,
    QuarantinedError,
    SQLError,
    StadsdataError,
)
from stadsdata.governance.opgaven import ColumnRequest, OpgaveRequest
from stadsdata.platform import Platform
from tests.conftest import make_settings

KWB = "cbs_kwb_2019_den_haag"
DIENST = "Bestuursdienst (BSD)"  # the KWB contract's owner_dienst
FLAGS = {
    "WijkenEnBuurten": "direct_identifier",
    "MeestVoorkomendePostcode_113": "quasi_identifier",
    "WmoClienten_89": "special_category",
}
CLASSIFICATIONS = ("openbaar", "intern", "vertrouwelijk", "geheim")
ROWS = 30  # the first 30 rows of the real table
OPERATOR = "beheer"  # STADSDATA_USER that is no user of the platform
PERSONAS = {  # persona -> STADSDATA_USER
    "operator": OPERATOR,
    "platform_admin": "adam",
    "governance_board": "bart",
    "data_officer": "dora",  # of the datasets' dienst
    "data_owner": "olga",  # of every test dataset
    "data_steward": "stef",  # of every test dataset
    "analyst": "ana",  # no grant
    "opgave_member": "gert",  # analyst; requester of an approved opgave on every test dataset
}
OPERATOR_ACTOR = Actor(OPERATOR, frozenset({RoleGrant(Role.platform_admin)}))
POLICY = AccessPolicy()
UNKNOWN_DATASET = "kwb_onbekend"
UNKNOWN_ID = 99999
PASSWORD = "correct horse battery staple"
RUNNER = CliRunner()
WMO_SOURCES = ("cbs_kwb_2017_nl", "cbs_kwb_2019_den_haag", "cbs_kwb_2021_den_haag", "wmo_hbh_gemeenten_2017_2019")
#: what `models wmo train|forecast` ask about: ingest on the model's open output (its generated contract)
WMO_PROGNOSE = DatasetResource("wmo_prognose", "openbaar", "Dienst Onderwijs, Cultuur en Welzijn (OCW)")
#: what `models verkeer hotspots` reads (real BRON data) and asks about: ingest on its open output
VERKEER_SOURCE = "bron_ongevallen_utrecht_2015_2018"
VERKEER_REPORTS = "meldingen_assen_signalen_2026"  # real Signalen reports (openbaar), far from any accident
VERKEER_HOTSPOTS = DatasetResource("verkeer_hotspots", "openbaar", "Dienst Stedelijke Ontwikkeling (DSO)")


def dataset_of(classification: str) -> str:
    return f"kwb_{classification}"


def flags(columns: list[dict[str, Any]]) -> dict[str, str]:
    return {c["name"]: FLAGS.get(c["name"], "none") for c in columns}


@dataclass
class World:
    home: Path
    files: dict[str, Path]
    contract: dict[str, Any]  # the KWB contract as data
    actors: dict[str, Actor]
    loaded: dict[str, int] = field(default_factory=dict)  # classification -> a loaded delivery
    rejected: dict[str, int] = field(default_factory=dict)  # a rejected delivery with its file kept
    quarantined: dict[str, int] = field(default_factory=dict)
    notice: dict[str, int] = field(default_factory=dict)  # the quarantine notice
    approved: int = 0  # gert's opgave on every test dataset, approved, with its workspace
    requested: int = 0  # ana's opgave on kwb_intern, waiting for the data owner
    to_close: dict[str, int] = field(default_factory=dict)  # persona -> an approved opgave of gert
    datashop: dict[str, int] = field(default_factory=dict)  # persona -> a new Datashop request of ana
    grants: dict[str, int] = field(default_factory=dict)  # persona -> a grant of its target user
    tokens: dict[str, int] = field(default_factory=dict)  # persona -> a token of its target user
    spare_quarantine: int = 0  # for the data officer's real release

    def platform(self) -> Platform:
        return Platform(make_settings(self.home))


def target(persona: str) -> str:
    """The user a persona's user-management commands act on (one each, so nothing collides)."""
    return f"doel_{persona}"


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def write_contract(data: dict[str, Any], dataset_id: str, classification: str, folder: Path) -> Path:
    contract = {**data, "id": dataset_id, "classification": classification}
    contract["title"] = {"nl": f"KWB Den Haag ({classification}, test)", "en": f"KWB The Hague ({classification})"}
    contract["columns"] = [{**c, "personal_data": FLAGS.get(c["name"], "none")} for c in data["columns"]]
    path = folder / f"{dataset_id}.yaml"
    path.write_text(yaml.safe_dump(contract, allow_unicode=True), encoding="utf-8")
    return path


def request(
    title: str, columns: list[tuple[str, str]], today: dt.date, members: list[str] | None = None
) -> OpgaveRequest:
    return OpgaveRequest(
        title=title,
        purpose="Wmo-gebruik per wijk vergelijken met het aantal inwoners, voor de begroting.",
        legal_ground="e",
        legal_basis="Wmo 2015, art. 2.1.2",
        dpia_reference="DPIA-TEST-001",
        dpia_status="afgerond",
        end_date=today + dt.timedelta(days=90),
        members=members or [],
        columns=[ColumnRequest(d, c, "Nodig voor de vergelijking per wijk.") for d, c in columns],
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("cli-access")
    home = root / "home"
    with demo.data_path(KWB).open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))[: ROWS + 1]
    header = table[0]
    inhabitants = header.index("AantalInwoners_5")
    small = write_csv(root / "kwb_klein.csv", table)
    negative = [list(r) for r in table]
    negative[1][inhabitants] = "-15"  # breaks the blocking range rule: quarantined
    not_a_number = [list(r) for r in table]
    not_a_number[1][inhabitants] = "veel"  # not an integer: rejected, the file kept
    files = {
        "small": small,
        "negative": write_csv(root / "kwb_negatief.csv", negative),
        "bad": write_csv(root / "kwb_kapot.csv", not_a_number),
        "opgave": root / "opgave.yaml",
    }
    data = yaml.safe_load(demo.contract_path(KWB).read_text(encoding="utf-8"))
    today = dt.date.today()
    files["opgave"].write_text(
        yaml.safe_dump(
            {
                "title": "Inwoners per wijk",
                "purpose": "Het aantal inwoners per wijk voor de prognose van de Wmo.",
                "legal_ground": "e",
                "legal_basis": "Wmo 2015, art. 2.1.2",
                "dpia_reference": "DPIA-TEST-002",
                "dpia_status": "afgerond",
                "end_date": (today + dt.timedelta(days=60)).isoformat(),
                "members": [],
                "columns": [{"dataset": "kwb_openbaar", "column": "AantalInwoners_5", "reason": "De noemer."}],
            }
        ),
        encoding="utf-8",
    )
    contracts = root / "contracts"
    contracts.mkdir()
    for classification in CLASSIFICATIONS:  # contracts for `register`, one per persona
        for persona in PERSONAS:
            write_contract(data, f"reg_{classification}_{persona}", classification, contracts)
    files["contracts"] = contracts

    world = World(home, files, data, {})
    with world.platform() as p:
        for classification in CLASSIFICATIONS:
            dataset = dataset_of(classification)
            p.register(write_contract(data, dataset, classification, root))
            world.loaded[classification] = p.ingest(small, dataset).delivery_id
            with pytest.raises(DeliveryError):
                p.ingest(files["bad"], dataset)
            world.rejected[classification] = p.metastore.list_deliveries(dataset)[-1].id
            with pytest.raises(QuarantinedError):
                p.ingest(files["negative"], dataset)
            world.quarantined[classification] = p.metastore.list_deliveries(dataset)[-1].id
            [notice] = p.metastore.list_notices(dataset_id=dataset)
            world.notice[classification] = notice.id
        with pytest.raises(QuarantinedError):
            p.ingest(files["negative"], "kwb_intern")
        world.spare_quarantine = p.metastore.list_deliveries("kwb_intern")[-1].id
        for source in WMO_SOURCES:  # what `models wmo train|forecast` read (real CBS data, openbaar)
            p.register(demo.contract_path(source))
            p.ingestor.ingest(demo.data_path(source), source)
        for source in (VERKEER_SOURCE, VERKEER_REPORTS):  # what `models verkeer` reads (real, openbaar)
            p.register(demo.contract_path(source))
            p.ingestor.ingest(demo.data_path(source), source)

        identity = p.identity
        roles: dict[str, list[tuple[Role, str | None]]] = {
            "adam": [(Role.platform_admin, None)],
            "bart": [(Role.governance_board, None)],
            "dora": [(Role.data_officer, DIENST)],
            "olga": [(Role.data_owner, dataset_of(c)) for c in CLASSIFICATIONS],
            "stef": [(Role.data_steward, dataset_of(c)) for c in CLASSIFICATIONS],
            "ana": [(Role.analyst, None)],
            "gert": [(Role.analyst, None)],
            # files the opgave on all four for gert: an analyst cannot see (so cannot name) a geheim dataset
            "dana": [(Role.data_officer, DIENST)],
        }
        for name, held in roles.items():
            identity.add_user(name, display_name=name.title(), password=PASSWORD, dienst=DIENST, by="setup")
            for role, scope in held:
                identity.assign_role(name, role, scope, by="setup")
        for persona in PERSONAS:
            name = target(persona)
            identity.add_user(name, display_name=name, password=PASSWORD, by="setup")
            identity.assign_role(name, Role.governance_board, by="setup")
            world.grants[persona] = identity.add_grant(
                name, "kwb_intern", "aggregated", reason="dashboard", by="setup"
            ).id
            world.tokens[persona] = identity.create_token(name, "notebook", ["view_metadata"], 30, by="setup").token.id

        gert, ana, olga, dana = (identity.actor_for(n) for n in ("gert", "ana", "olga", "dana"))
        columns = [(dataset_of(c), col) for c in CLASSIFICATIONS for col in ("WijkenEnBuurten", "AantalInwoners_5")]
        world.approved = p.opgaven.request(dana, request("Wijken vergeleken", columns, today, ["gert"])).id
        for classification in CLASSIFICATIONS:
            p.decide_opgave(olga, world.approved, dataset_of(classification), approve=True, reason="Doel is helder.")
        assert p.opgaven.get(world.approved).state == "approved"
        for persona in PERSONAS:
            opgave = p.opgaven.request(gert, request(f"Te sluiten ({persona})", [("kwb_openbaar", "Mannen_6")], today))
            p.decide_opgave(olga, opgave.id, "kwb_openbaar", approve=True, reason="Doel is helder.")
            world.to_close[persona] = opgave.id
            world.datashop[persona] = p.datashop.file(
                ana,
                question=f"Hoeveel inwoners heeft elke wijk? ({persona})",
                purpose="Voor de prognose van de Wmo-kosten.",
                deadline=today + dt.timedelta(days=30),
                dienst=DIENST,
            ).id
        world.requested = p.opgaven.request(ana, request("Inwoners intern", [("kwb_intern", "Mannen_6")], today)).id

        world.actors = {
            persona: OPERATOR_ACTOR if name == OPERATOR else identity.actor_for(name)
            for persona, name in PERSONAS.items()
        }
        assert identity.unknown_users([OPERATOR]) == [OPERATOR]
    return world


def run(world: World, persona: str, *args: Any, input: str | None = None) -> Result:
    """``stadsdata ARGS`` in-process on the module's home, as the persona's STADSDATA_USER (or as
    ``persona`` itself when it is no persona)."""
    env = {"STADSDATA_HOME": str(world.home), "STADSDATA_USER": PERSONAS.get(persona, persona), "COLUMNS": "250"}
    return RUNNER.invoke(app, [str(a) for a in args], env=env, input=input)


def failed(result: Result) -> StadsdataError | None:
    """The user error the command stopped with (None: it did not stop with one)."""
    error = result.exception
    if error is None or isinstance(error, SystemExit):
        return None
    assert isinstance(error, StadsdataError), f"not a user error: {error!r}\n{result.output}"
    return error


def listed(output: str, name: str) -> bool:
    """Whether a table row has a cell that is exactly ``name``."""
    return re.search(rf"│ {re.escape(name)} +│", output) is not None


def resource(world: World, classification: str, dataset_id: str | None = None) -> DatasetResource:
    """What the policy is asked about a test dataset, from the contract data (not from the code
    under test)."""
    return DatasetResource(
        dataset_id or dataset_of(classification), classification, DIENST, flags(world.contract["columns"])
    )


def reads_rows(decision: Decision) -> bool:
    return decision.allowed and all(level == Level.read for level in decision.columns.values())


# -- the dataset commands --------------------------------------------------------------------------
@dataclass(frozen=True)
class DatasetCommand:
    """A command on one dataset. ``kind``: ``listing`` (the dataset is listed or not), ``show``
    (shown, refused, or not found as an unknown one), ``sql``, or ``write`` (done or refused)."""

    name: str  # the case's name (a command may have variants, e.g. ingest --like)
    path: str  # the command as the app knows it
    action: Action
    kind: str
    args: Callable[[World, str, str, bool], list[Any]]  # (world, persona, classification, unknown)
    done: Callable[[World, str, str, Result], None] = lambda w, p, c, r: _ok(r)  # what "allowed" looks like
    hides: bool = True  # a dataset the persona may not see answers as an unknown one


def _ok(result: Result) -> None:
    assert failed(result) is None, result.output


def _delivery(ids: str) -> Callable[[World, str, str, bool], list[Any]]:
    """The arguments of a command on one of the dataset's deliveries (or its notice)."""

    def args(world: World, persona: str, classification: str, unknown: bool) -> list[Any]:
        number = UNKNOWN_ID if unknown else getattr(world, ids)[classification]
        return {
            "loaded": ["deliveries", "show", number],
            "rejected": ["deliveries", "retry", number],
            "quarantined": ["deliveries", "release", number, "--reason", "kort"],
            "notice": ["inbox", "show", number],
        }[ids]

    return args


def _ds(*before: str) -> Callable[[World, str, str, bool], list[Any]]:
    """The arguments of a command that ends with the dataset's id."""
    return lambda world, persona, c, unknown: [*before, UNKNOWN_DATASET if unknown else dataset_of(c)]


def _new_id(kind: str, classification: str, persona: str) -> str:
    return f"{kind}_{classification}_{persona}"


def _says(pattern: str) -> Callable[[World, str, str, Result], None]:
    """Done, and the output matches ``pattern`` (a regex; {dataset}, {rows}, {quarantined} filled in)."""

    def done(world: World, persona: str, classification: str, result: Result) -> None:
        _ok(result)
        wanted = pattern.format(
            dataset=dataset_of(classification), rows=ROWS, quarantined=world.quarantined[classification]
        )
        assert re.search(wanted, result.output), (wanted, result.output)

    return done


def _loaded(world: World, persona: str, classification: str, result: Result) -> None:
    _ok(result)
    assert f"loaded {dataset_of(classification)} version" in result.output


def _loaded_like(world: World, persona: str, classification: str, result: Result) -> None:
    _ok(result)
    assert f"loaded {_new_id('like', classification, persona)} version 1: {ROWS} rows" in result.output


def _registered(world: World, persona: str, classification: str, result: Result) -> None:
    _ok(result)
    assert f"registered {_new_id('reg', classification, persona)}:" in result.output


def _rejected_again(world: World, persona: str, classification: str, result: Result) -> None:
    error = failed(result)  # the retry ran: the kept file is rejected again, as a new delivery
    assert isinstance(error, DeliveryError) and "veel" in str(error), result.output
    with world.platform() as p:
        latest = p.metastore.list_deliveries(dataset_of(classification))[-1]
    assert (latest.state, latest.delivered_by) == ("rejected", PERSONAS[persona])


def _reason_too_short(world: World, persona: str, classification: str, result: Result) -> None:
    error = failed(result)  # past the policy, the release itself wants a real reason
    assert isinstance(error, DeliveryError) and "reason of at least 10 characters" in str(error)


def _published(world: World, persona: str, classification: str, result: Result) -> None:
    _ok(result)
    assert re.search(rf"{_new_id('agg', classification, persona)}: version 1 published \(openbaar\)", result.output)


def _counted(world: World, persona: str, classification: str, result: Result) -> None:
    assert result.output.splitlines() == ["n", str(ROWS)], result.output


DATASET_COMMANDS = [
    DatasetCommand(
        "catalog list", "catalog list", Action.view_metadata, "listing", lambda w, p, c, u: ["catalog", "list"]
    ),
    DatasetCommand(
        "catalog search",
        "catalog search",
        Action.view_metadata,
        "listing",
        lambda w, p, c, u: ["catalog", "search", "kerncijfers"],
    ),
    DatasetCommand(
        "catalog show",
        "catalog show",
        Action.view_metadata,
        "show",
        _ds("catalog", "show"),
        _says(r"\({dataset}\)\n(.|\n)*WmoClienten_89 .*special_category"),
    ),
    DatasetCommand("versions", "versions", Action.view_metadata, "show", _ds("versions"), _says(r"│ 1 +│ {rows} +│")),
    DatasetCommand(
        "quality report",
        "quality report",
        Action.view_metadata,
        "show",
        _ds("quality", "report"),
        _says(r"{dataset} version \d+: quality score"),
    ),
    DatasetCommand("deliveries", "deliveries", Action.view_metadata, "listing", lambda w, p, c, u: ["deliveries"]),
    DatasetCommand(
        "deliveries --dataset",
        "deliveries",
        Action.view_metadata,
        "show",
        _ds("deliveries", "--dataset"),
        _says(r"│ {dataset} +│ kwb_negatief.csv +│ quarantined"),
    ),
    DatasetCommand(
        "deliveries show",
        "deliveries show",
        Action.view_metadata,
        "show",
        _delivery("loaded"),
        _says(r"dataset +{dataset} *\n"),
    ),
    DatasetCommand(
        "sql",
        "sql",
        Action.read_data,
        "sql",
        lambda w, p, c, u: ["sql", f"select count(*) as n from {UNKNOWN_DATASET if u else dataset_of(c)}", "-f", "csv"],
        _counted,
    ),
    DatasetCommand("inbox", "inbox", Action.release, "listing", lambda w, p, c, u: ["inbox", "--all"]),
    DatasetCommand(
        "inbox show",
        "inbox show",
        Action.release,
        "show",
        _delivery("notice"),
        _says(r"stadsdata deliveries release {quarantined} --reason"),
    ),
    DatasetCommand(
        "ingest",
        "ingest",
        Action.ingest,
        "write",
        lambda w, p, c, u: ["ingest", w.files["small"], "--dataset", UNKNOWN_DATASET if u else dataset_of(c)],
        _loaded,
    ),
    DatasetCommand(
        "ingest --like",
        "ingest",
        Action.ingest,
        "write",
        lambda w, p, c, u: [
            "ingest",
            w.files["small"],
            "--dataset",
            _new_id("like", c, p),
            "--like",
            UNKNOWN_DATASET if u else dataset_of(c),
        ],
        _loaded_like,
    ),
    DatasetCommand(
        "register",  # typed as `register FILE`: the group sends it to `register contract`
        "register contract",
        Action.ingest,
        "write",
        lambda w, p, c, u: ["register", w.files["contracts"] / f"{_new_id('reg', c, p)}.yaml"],
        _registered,
        hides=False,  # a new dataset: nothing to hide
    ),
    DatasetCommand(
        "deliveries retry", "deliveries retry", Action.ingest, "write", _delivery("rejected"), _rejected_again
    ),
    DatasetCommand(
        "deliveries release", "deliveries release", Action.release, "write", _delivery("quarantined"), _reason_too_short
    ),
    DatasetCommand(
        "publish aggregate",
        "publish aggregate",
        Action.publish_aggregate,
        "write",
        lambda w, p, c, u: [
            "publish",
            "aggregate",
            UNKNOWN_DATASET if u else dataset_of(c),
            "--by",
            "SoortRegio_2",
            "--as",
            _new_id("agg", c, p),
            "--title",
            "Regio's per soort (matrix)",
        ],
        _published,
    ),
]


def write_resource(world: World, command: DatasetCommand, persona: str, classification: str) -> DatasetResource:
    """What a write asks the policy about: the dataset, or the new one (--like, register)."""
    if command.name == "ingest --like":
        return replace(resource(world, classification), id=_new_id("like", classification, persona))
    if command.name == "register":
        return resource(world, classification, _new_id("reg", classification, persona))
    return resource(world, classification)


DATASET_CASES = [
    pytest.param(command, persona, classification, id=f"{command.name}-{persona}-{classification}")
    for command in DATASET_COMMANDS
    for persona in PERSONAS
    for classification in CLASSIFICATIONS
]


@pytest.mark.parametrize(("command", "persona", "classification"), DATASET_CASES)
def test_dataset_command_obeys_the_policy(
    world: World, command: DatasetCommand, persona: str, classification: str
) -> None:
    actor = world.actors[persona]
    dataset = dataset_of(classification)
    sees = POLICY.can(actor, Action.view_metadata, resource(world, classification)).allowed
    subject = write_resource(world, command, persona, classification) if command.kind == "write" else None
    decision = POLICY.can(actor, command.action, subject or resource(world, classification))
    result = run(world, persona, *command.args(world, persona, classification, False))
    error = failed(result)

    if command.kind == "listing":
        assert error is None, error
        assert listed(result.output, dataset) == decision.allowed, result.output
        return

    if command.hides and not sees:  # the same answer as for a dataset (delivery, notice) that does not exist
        real = [str(a) for a in command.args(world, persona, classification, False)]
        fake = [str(a) for a in command.args(world, persona, classification, True)]
        unknown = failed(run(world, persona, *fake))
        assert isinstance(error, NotFoundError | SQLError), result.output
        assert type(error) is type(unknown)
        if any(UNKNOWN_DATASET in a for a in fake):
            assert str(error) == str(unknown).replace(UNKNOWN_DATASET, dataset)
        else:
            [number] = [a for a, b in zip(real, fake, strict=True) if a != b]
            assert str(error) == str(unknown).replace(str(UNKNOWN_ID), number)
        return

    if command.kind == "sql":
        if reads_rows(decision):
            assert error is None, error
            _counted(world, persona, classification, result)
        else:
            assert isinstance(error, AccessDeniedError), result.output
            assert str(error).startswith(f"read_data on {dataset}: ")
            if not decision.allowed:
                assert decision.reason in str(error)
            else:
                assert "only in the workspace of an approved opgave" in str(error)
        return

    if not decision.allowed:
        assert isinstance(error, AccessDeniedError), result.output
        name = f"dataset:{subject.id if subject else dataset}"
        if command.name == "inbox show":
            name = f"notice:{world.notice[classification]}"
        assert str(error) == f"{command.action.value} on {name}: {decision.reason}"
        return

    command.done(world, persona, classification, result)


# -- the governance commands -----------------------------------------------------------------------
@dataclass(frozen=True)
class Expect:
    """What a command should do: ``ok``, ``denied`` (AccessDeniedError with ``message``),
    ``hidden`` (NotFoundError with ``message``) or ``not_a_user`` (the operator is no user)."""

    outcome: str
    message: str = ""


def platform_action(action: Action, resource_name: str) -> Callable[[World, str], Expect]:
    def expect(world: World, persona: str) -> Expect:
        decision = POLICY.can(world.actors[persona], action)
        return (
            Expect("ok")
            if decision.allowed
            else Expect("denied", f"{action.value} on {resource_name}: {decision.reason}")
        )

    return expect


def per_persona(action: Action, resource_name: Callable[[World, str], str]) -> Callable[[World, str], Expect]:
    return lambda world, persona: platform_action(action, resource_name(world, persona))(world, persona)


def opgave_resource(world: World, opgave_id: int, dataset: str | None = None) -> OpgaveResource:
    with world.platform() as p:
        o = p.opgaven.get(opgave_id)
    classification = dataset.removeprefix("kwb_") if dataset else None
    return OpgaveResource(
        o.id,
        o.requester,
        frozenset(o.members),
        o.state,
        o.end_date,
        resource(world, classification) if classification else None,
        frozenset(c.dataset_id for c in o.columns),
    )


def opgave_action(action: Action, opgave: Callable[[World, str], int], name: str, dataset: str | None = None):  # type: ignore[no-untyped-def]
    def expect(world: World, persona: str) -> Expect:
        opgave_id = opgave(world, persona)
        decision = POLICY.can(world.actors[persona], action, opgave_resource(world, opgave_id, dataset))
        if decision.allowed:
            return Expect("ok")
        if action == Action.view_opgave:
            return Expect("hidden", f"no opgave {opgave_id}")
        return Expect("denied", f"{action.value} on {name.format(id=opgave_id)}: {decision.reason}")

    return expect


def a_user(action: Action | None) -> Callable[[World, str], Expect]:
    """Only a user of the platform can (the operator is none); then the policy's ``action``."""

    def expect(world: World, persona: str) -> Expect:
        if persona == "operator":
            return Expect("not_a_user")
        return platform_action(action, "")(world, persona) if action else Expect("ok")

    return expect


def dataset_action(action: Action, subject: DatasetResource) -> Callable[[World, str], Expect]:
    """The policy's answer on a dataset the command writes (not one of the test datasets)."""

    def expect(world: World, persona: str) -> Expect:
        decision = POLICY.can(world.actors[persona], action, subject)
        if decision.allowed:
            return Expect("ok")
        return Expect("denied", f"{action.value} on dataset:{subject.id}: {decision.reason}")

    return expect


def always(world: World, persona: str) -> Expect:
    return Expect("ok")


@dataclass(frozen=True)
class GovernanceCommand:
    name: str  # the case's name
    path: str  # the command as the app knows it
    args: Callable[[World, str], list[Any]]
    expect: Callable[[World, str], Expect]
    says: str = ""  # in the output when done ({target}, {persona}, {user} filled in)
    done: Callable[[World, str, Result], None] | None = None  # a further check when done
    input: str | None = None


def _shows_opgave(world: World, persona: str, result: Result) -> None:
    decision = POLICY.can(world.actors[persona], Action.view_opgave, opgave_resource(world, world.approved))
    assert listed(result.output, str(world.approved)) == decision.allowed, result.output


def _lists_tokens(world: World, persona: str, result: Result) -> None:
    """Everyone's tokens with manage_users, else only one's own."""
    owners = {line.split("│")[2].strip() for line in result.output.splitlines() if re.match(r"│ \d+ ", line)}
    if POLICY.can(world.actors[persona], Action.manage_users).allowed:
        assert target("analyst") in owners, result.output
    else:
        assert owners <= {PERSONAS[persona]}, result.output


def _shows_requests(world: World, persona: str, result: Result) -> None:
    team = POLICY.can(world.actors[persona], Action.triage_datashop).allowed
    assert ("Hoeveel inwoners heeft elke wijk? (operator)" in result.output) == (team or persona == "analyst")


def _g(
    name: str,
    args: Callable[[World, str], list[Any]],
    expect: Callable[[World, str], Expect],
    says: str = "",
    *,
    path: str | None = None,
    done: Callable[[World, str, Result], None] | None = None,
    input: str | None = None,
) -> GovernanceCommand:
    return GovernanceCommand(name, path or name, args, expect, says, done, input)


def _manage(resource_name: Callable[[World, str], str]) -> Callable[[World, str], Expect]:
    return per_persona(Action.manage_users, resource_name)


def _user(world: World, persona: str) -> str:
    return f"user:{target(persona)}"


def _deadline() -> str:
    return (dt.date.today() + dt.timedelta(days=10)).isoformat()


#: What `indicators compute` asks about: ingest on the open indicator dataset it writes (its
#: generated contract's classification and dienst, the same as the KWB contract's).
INDICATORS = DatasetResource("indicatoren", "openbaar", DIENST)


def _computes_indicators(world: World, persona: str) -> Expect:
    decision = POLICY.can(world.actors[persona], Action.ingest, INDICATORS)
    if decision.allowed:
        return Expect("ok")
    return Expect("denied", f"ingest on dataset:indicatoren: {decision.reason}")


GOVERNANCE_COMMANDS = [
    _g("users list", lambda w, p: ["users", "list"], platform_action(Action.manage_users, "users"), "{target}"),
    _g("users show", lambda w, p: ["users", "show", target(p)], _manage(_user), "governance_board"),
    _g(
        "users add",
        lambda w, p: ["users", "add", f"nieuw_{p}", "--display-name", "Nieuw", "--password-stdin"],
        _manage(lambda w, p: f"user:nieuw_{p}"),
        "added user nieuw_{persona} (Nieuw)",
        input=PASSWORD + "\n",
    ),
    _g("users role", lambda w, p: ["users", "role", target(p), "analyst"], _manage(_user), "{target} is now analyst"),
    _g(
        "users revoke-role",
        lambda w, p: ["users", "revoke-role", target(p), "governance_board"],
        _manage(_user),
        "{target} is no longer governance_board",
    ),
    _g(
        "users grant",
        lambda w, p: ["users", "grant", target(p), "kwb_geheim", "--level", "aggregated", "--reason", "dashboard"],
        _manage(_user),
        "{target} may see kwb_geheim at level aggregated",
    ),
    _g(
        "users revoke-grant",
        lambda w, p: ["users", "revoke-grant", w.grants[p]],
        _manage(lambda w, p: f"grant:{w.grants[p]}"),
        "({target} on kwb_intern)",
    ),
    _g(
        "tokens create --user",
        lambda w, p: ["tokens", "create", "notebook", "--scope", "read_data", "--user", target(p)],
        _manage(_user),
        "(notebook) for {target}, scopes read_data",
        path="tokens create",
    ),
    _g(
        "tokens create (own)",  # one's own token: no policy question, but only a user owns one
        lambda w, p: ["tokens", "create", "eigen", "--scope", "view_metadata"],
        a_user(None),
        "(eigen) for {user}, scopes view_metadata",
        path="tokens create",
    ),
    _g(
        "tokens list --user",
        lambda w, p: ["tokens", "list", "--user", target(p)],
        _manage(_user),
        "│ {target} ",
        path="tokens list",
    ),
    _g("tokens list (own)", lambda w, p: ["tokens", "list"], always, path="tokens list", done=_lists_tokens),
    _g(
        "tokens revoke",
        lambda w, p: ["tokens", "revoke", w.tokens[p]],
        _manage(lambda w, p: f"token:{w.tokens[p]}"),
        "(notebook) of {target}",
    ),
    _g(  # last of the commands on the persona's target user
        "users deactivate",
        lambda w, p: ["users", "deactivate", target(p)],
        _manage(_user),
        "deactivated {target}: sessions ended, tokens revoked",
    ),
    _g(
        "audit list",
        lambda w, p: ["audit", "list", "-n", "3"],
        platform_action(Action.view_audit, "audit_log"),
        "3 entries",
    ),
    _g(
        "register import",
        lambda w, p: ["register", "import"],
        platform_action(Action.edit_register, "algorithm_register"),
        " entries: ",
    ),
    _g(
        "indicators compute",
        lambda w, p: ["indicators", "compute"],
        lambda w, p: _computes_indicators(w, p),
        "indicatoren: ",
    ),
    _g(
        "models wmo train",
        lambda w, p: ["models", "wmo", "train"],
        dataset_action(Action.ingest, WMO_PROGNOSE),
        "register: ",
    ),
    _g(
        "models wmo forecast",
        lambda w, p: ["models", "wmo", "forecast"],
        dataset_action(Action.ingest, WMO_PROGNOSE),
        "wmo_prognose: version ",
    ),
    _g(
        "models verkeer hotspots",
        lambda w, p: ["models", "verkeer", "hotspots", "--gemeente", "GM0344", "--top", "3"],
        dataset_action(Action.ingest, VERKEER_HOTSPOTS),
        "verkeer_hotspots: version ",
    ),
    _g(
        # Assen's reports lie far from every Utrecht accident: nothing to publish, so nothing to ask;
        # with an overlap it asks ingest on verkeer_prioriteiten (tests/cli/test_cli_verkeer.py)
        "models verkeer match",
        lambda w, p: ["models", "verkeer", "match", "--reports", VERKEER_REPORTS],
        always,
        "no place has both accidents and reports",
    ),
    _g(
        "audit verify",
        lambda w, p: ["audit", "verify"],
        platform_action(Action.view_audit, "audit_log"),
        "audit log intact: ",
    ),
    _g(
        "opgaven request",
        lambda w, p: ["opgaven", "request", w.files["opgave"]],
        a_user(Action.request_opgave),
        "requested: each dataset's data owner decides (kwb_openbaar)",
    ),
    _g("opgaven list", lambda w, p: ["opgaven", "list"], always, done=_shows_opgave),
    _g(
        "opgaven show",
        lambda w, p: ["opgaven", "show", w.approved],
        opgave_action(Action.view_opgave, lambda w, p: w.approved, "opgave/{id}"),
        "Wijken vergeleken",
    ),
    _g(
        "opgaven decide",
        lambda w, p: [
            *("opgaven", "decide", w.requested, "--dataset", "kwb_intern"),
            *("--decline", "--reason", "Dit kan met open data."),
        ],
        opgave_action(Action.approve_opgave, lambda w, p: w.requested, "opgave/{id}/kwb_intern", "kwb_intern"),
        "is declined",
    ),
    _g(
        "opgaven close",
        lambda w, p: ["opgaven", "close", w.to_close[p]],
        opgave_action(Action.close_opgave, lambda w, p: w.to_close[p], "opgave/{id}"),
        "closed; its workspace is destroyed at the next sweep",
    ),
    _g(
        "workspace sql",
        lambda w, p: ["workspace", "sql", w.approved, "select count(*) as n from kwb_geheim", "-f", "csv"],
        opgave_action(Action.use_workspace, lambda w, p: w.approved, "opgave/{id}/workspace"),
        f"n\n{ROWS}\n",
    ),
    _g(
        "workspace path",
        lambda w, p: ["workspace", "path", w.approved],
        opgave_action(Action.use_workspace, lambda w, p: w.approved, "opgave/{id}/workspace"),
        "read_only=True)",
    ),
    _g(
        "workspace export",
        lambda w, p: [
            *("workspace", "export", w.approved),
            "select AantalInwoners_5 > 5000 as groot, count(*) as n from kwb_vertrouwelijk group by 1",
            *("--dims", "groot", "--count", "n"),
        ],
        opgave_action(Action.export_result, lambda w, p: w.approved, "opgave/{id}/workspace"),
        "",  # released or blocked by disclosure control: either way the policy let it through
    ),
    _g("workspaces sweep", lambda w, p: ["workspaces", "sweep"], always),
    _g(
        "datashop ask",
        lambda w, p: [
            *("datashop", "ask", "Hoeveel mensen wonen er per wijk?", "--purpose", "Voor de prognose van de Wmo."),
            *("--deadline", _deadline(), "--dienst", DIENST),
        ],
        a_user(Action.file_datashop),
        "filed",
    ),
    _g("datashop list", lambda w, p: ["datashop", "list"], always, done=_shows_requests),
    _g(
        "datashop triage",
        lambda w, p: ["datashop", "triage", w.datashop[p], "--outcome", "answered", "--note", "Staat in de monitor."],
        per_persona(Action.triage_datashop, lambda w, p: f"datashop/{w.datashop[p]}"),
        "is answered",
    ),
]

GOVERNANCE_CASES = [
    pytest.param(command, persona, id=f"{command.name}-{persona}")
    for command in GOVERNANCE_COMMANDS
    for persona in PERSONAS
]

#: Commands that act on no dataset and ask the policy nothing, and why.
NO_QUESTION = {
    "demo": "builds a fresh home (or replaces a demo home), so whoever runs it is the operator",
    "serve": "starts the portal, where every request is judged by its own login or token",
    "register list": "the algorithm register is public: it is published for everyone",
    "register show": "the algorithm register is public: it is published for everyone",
    "register export": "the algorithm register is public: it is published for everyone",
    "models wmo evaluate": "shows aggregates of open data and writes nothing; a dataset that is not openbaar (--on) "
    "needs its rows, asked through CatalogAccess",
    "indicators list": "the indicator definitions are public: files shipped with the platform or the city's own",
    "indicators show": "the indicator table is openbaar: its values are open data for everyone",
}


@pytest.mark.parametrize(("command", "persona"), GOVERNANCE_CASES)
def test_governance_command_obeys_the_policy(world: World, command: GovernanceCommand, persona: str) -> None:
    expect = command.expect(world, persona)
    result = run(world, persona, *command.args(world, persona), input=command.input)
    error = failed(result)
    if expect.outcome == "ok":
        assert error is None, error
        said = command.says.format(target=target(persona), persona=persona, user=PERSONAS[persona])
        assert said in result.output, (said, result.output)
        if command.done is not None:
            command.done(world, persona, result)
    elif expect.outcome == "denied":
        assert isinstance(error, AccessDeniedError), result.output
        assert str(error) == expect.message
    elif expect.outcome == "hidden":
        assert isinstance(error, NotFoundError) and str(error) == expect.message, result.output
    else:
        assert isinstance(error, GovernanceError), result.output
        assert f"{OPERATOR!r} is not a user of the platform" in str(error)


# -- every command is in the matrix ---------------------------------------------------------------
def app_commands(group: Any, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    """Every command of a (typer) click group, as typed: "sql", "catalog list", ..."""
    for name, command in group.commands.items():
        path = (*prefix, name)
        if hasattr(command, "commands"):  # a group
            if command.invoke_without_command:  # its callback is a command itself (deliveries, inbox)
                yield " ".join(path)
            yield from app_commands(command, path)
        else:
            yield " ".join(path)


def test_every_command_is_in_the_matrix_and_the_size_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    commands = set(app_commands(typer.main.get_group(app)))
    dataset = {c.path for c in DATASET_COMMANDS}
    governance = {c.path for c in GOVERNANCE_COMMANDS}
    covered = dataset | governance | set(NO_QUESTION)
    assert sorted(commands - covered) == [], "commands missing from the authorisation matrix"
    assert sorted(covered - commands) == [], "the matrix lists commands the app does not have"
    assert not dataset & governance and not (dataset | governance) & set(NO_QUESTION)
    with capsys.disabled():
        print(
            f"\nauthorisation matrix (CLI): {len(DATASET_CASES)} cases over {len(DATASET_COMMANDS)} dataset commands "
            f"x {len(PERSONAS)} personas x {len(CLASSIFICATIONS)} classifications, and {len(GOVERNANCE_CASES)} cases "
            f"over {len(GOVERNANCE_COMMANDS)} governance commands x {len(PERSONAS)} personas; "
            f"{len(commands)} commands in all ({', '.join(sorted(NO_QUESTION))} ask nothing)"
        )


# -- spot checks, written out without asking the policy ---------------------------------------------
def audited(world: World, user: str, action: str) -> list[tuple[str, str]]:
    """(resource, decision) of ``user``'s audit entries for ``action``, newest first."""
    with world.platform() as p:
        return [(e.resource, e.decision) for e in p.audit.list(20, actor=user, action=action)]


def test_an_analyst_without_a_grant_cannot_query_a_vertrouwelijk_dataset(world: World) -> None:
    result = run(world, "analyst", "sql", "select count(*) as n from kwb_vertrouwelijk", "-f", "csv")
    assert str(failed(result)) == (
        "read_data on kwb_vertrouwelijk: vertrouwelijk: data only with a grant (an approved opgave)"
    )
    assert result.stdout == ""  # no rows
    assert audited(world, "ana", "read_data")[0] == ("dataset:kwb_vertrouwelijk", "denied")
    assert run(world, "analyst", "sql", "select count(*) as n from kwb_intern", "-f", "csv").exception is not None
    assert run(world, "analyst", "sql", "select count(*) as n from kwb_openbaar", "-f", "csv").stdout == "n\n30\n"


def test_the_operator_administers_but_reads_no_confidential_rows(world: World) -> None:
    loaded = run(world, "operator", "ingest", world.files["small"], "--dataset", "kwb_vertrouwelijk")
    assert failed(loaded) is None and "loaded kwb_vertrouwelijk version" in loaded.stdout
    assert audited(world, OPERATOR, "ingest")[0] == ("dataset:kwb_vertrouwelijk", "allowed")  # under its name
    assert failed(run(world, "operator", "users", "list")) is None
    assert failed(run(world, "operator", "audit", "verify")) is None
    refused = failed(run(world, "operator", "sql", "select * from kwb_vertrouwelijk"))
    assert isinstance(refused, AccessDeniedError) and "data only with a grant" in str(refused)
    assert "kwb_vertrouwelijk" in run(world, "operator", "catalog", "list").stdout  # its metadata, yes
    not_a_user = failed(run(world, "operator", "opgaven", "request", world.files["opgave"]))
    assert str(not_a_user).startswith("'beheer' is not a user of the platform, so it cannot request an opgave")


def test_the_data_owner_reads_rows_and_the_member_only_in_the_workspace(world: World) -> None:
    owner = run(world, "data_owner", "sql", "select count(*) as n from kwb_geheim", "-f", "csv")
    assert owner.stdout == "n\n30\n"
    member = failed(run(world, "opgave_member", "sql", "select WijkenEnBuurten from kwb_vertrouwelijk"))
    assert isinstance(member, AccessDeniedError)
    assert "is less than read; " in str(member) and "workspace of an approved opgave" in str(member)
    workspace = ["workspace", "sql", world.approved, "select count(*) as n from kwb_vertrouwelijk", "-f", "csv"]
    assert run(world, "opgave_member", *workspace).stdout == "n\n30\n"
    outsider = failed(run(world, "analyst", *workspace))
    assert isinstance(outsider, AccessDeniedError) and "only the members of opgave" in str(outsider)


def test_a_geheim_dataset_does_not_exist_for_an_analyst(world: World) -> None:
    listing = run(world, "analyst", "catalog", "list").stdout
    assert all(listed(listing, f"kwb_{c}") for c in ("openbaar", "intern", "vertrouwelijk"))
    assert not listed(listing, "kwb_geheim") and "kwb_geheim" not in listing
    shown = failed(run(world, "analyst", "catalog", "show", "kwb_geheim"))
    assert str(shown) == "dataset 'kwb_geheim' not found; see `stadsdata catalog list`"
    assert str(failed(run(world, "analyst", "catalog", "show", "kwb_nergens"))) == str(shown).replace(
        "kwb_geheim", "kwb_nergens"
    )
    secret = failed(run(world, "analyst", "sql", "select * from kwb_geheim"))
    assert str(secret).startswith("query failed: Catalog Error: Table with name kwb_geheim does not exist")
    assert "kwb_geheim" not in run(world, "analyst", "deliveries").stdout
    board = run(world, "governance_board", "catalog", "show", "kwb_geheim")  # the board does see it
    assert failed(board) is None and "geheim" in board.stdout


def test_the_board_cannot_ingest_and_the_data_officer_releases(world: World) -> None:
    board = failed(run(world, "governance_board", "ingest", world.files["small"], "--dataset", "kwb_openbaar"))
    assert isinstance(board, AccessDeniedError) and str(board).startswith("ingest on dataset:kwb_openbaar: ")
    reason = ["--reason", "De bron bevestigt het cijfer."]
    analyst = failed(run(world, "analyst", "deliveries", "release", world.spare_quarantine, *reason))
    assert isinstance(analyst, AccessDeniedError) and str(analyst).startswith("release on dataset:kwb_intern: ")
    officer = run(world, "data_officer", "deliveries", "release", world.spare_quarantine, *reason)
    assert failed(officer) is None, officer.output
    assert f"release of quarantined delivery {world.spare_quarantine}" in officer.stdout
    with world.platform() as p:
        assert p.metastore.get_delivery(world.spare_quarantine).state == "released"


def test_a_deactivated_user_and_a_reserved_name_cannot_act(world: World) -> None:
    with world.platform() as p:
        p.identity.add_user("oud", display_name="Oud", password=PASSWORD, by="setup")
        p.identity.deactivate("oud", by="setup")
    gone = failed(run(world, "oud", "catalog", "list"))
    assert isinstance(gone, AuthenticationError) and str(gone) == "user 'oud' is deactivated"
    reserved = failed(run(world, "system", "catalog", "list"))
    assert isinstance(reserved, GovernanceError) and "reserved" in str(reserved)


def test_an_operator_who_adds_itself_becomes_that_user(world: World) -> None:
    """Bootstrapping: the operator adds users; once its own name is a user, the policy judges it
    with that user's roles (none yet), and the command says so."""
    added = run(
        world, "nieuwkomer", "users", "add", "nieuwkomer", "--display-name", "N", "--password-stdin", input=PASSWORD
    )
    assert failed(added) is None and "note: nieuwkomer is now a user of the platform, without roles" in added.stderr
    refused = failed(run(world, "nieuwkomer", "users", "list"))
    assert str(refused) == "manage_users on users: manage_users needs the role platform_admin"
    assert failed(run(world, "another-operator", "users", "role", "nieuwkomer", "platform_admin")) is None
    assert failed(run(world, "nieuwkomer", "users", "list")) is None
