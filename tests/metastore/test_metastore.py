"""The metastore on both of its backends: SQLite (default) and PostgreSQL (production).

Every test that takes ``store`` or ``metastore_url`` runs twice: on a SQLite file in tmp_path and on a
fresh PostgreSQL database from the ``postgres_url`` fixture (skipped without
STADSDATA_TEST_POSTGRES_URL; ``scripts/postgres.sh start DIR`` gives one). No mocks: real databases,
real Alembic migrations, real contracts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from stadsdata.core.contract import Contract, load_contract
from stadsdata.errors import ConflictError, NotFoundError
from stadsdata.metastore import Metastore
from stadsdata.metastore.models import Base
from stadsdata.platform import Platform
from stadsdata.settings import Settings

DEMO = Path(__file__).resolve().parents[2] / "src" / "stadsdata" / "demo"
KWB_CONTRACT = DEMO / "contracts" / "cbs_kwb_2019_gemeenten.yaml"
KWB_DATA = DEMO / "data" / "kwb_2019_gemeenten_bevolking.csv"
TABLES = {
    "alembic_version",
    "datasets",
    "versions",
    "deliveries",
    "delivery_events",
    "lineage",
    "notices",
    # governance (0003)
    "users",
    "role_assignments",
    "api_tokens",
    "sessions",
    "data_grants",
    "audit_log",
    "opgaven",
    "opgave_columns",
    "workspaces",
    "datashop_requests",
    # algorithm register (0004)
    "register_entries",
    "register_versions",
    "register_links",
}
HEAD = "0004"
BIG = 5_000_000_000  # does not fit in 32 bits: BigInteger columns must hold it


# -- fixtures and helpers ------------------------------------------------------------------------


def make_contract(
    dataset_id: str,
    *,
    title: str = "Testdataset",
    description: str = "Een dataset voor de tests.",
    columns: list[str] | None = None,
    themes: list[str] | None = None,
    keywords: list[str] | None = None,
) -> dict[str, Any]:
    """A valid contract as plain data (what the metastore gets), based on a real demo contract."""
    data = load_contract(KWB_CONTRACT).to_data()
    data.update(
        id=dataset_id,
        title={"nl": title, "en": title},
        description={"nl": description},
        themes=themes or ["testthema"],
        keywords=keywords or [],
        owner_dienst="Dienst Test (DT)",
        key=[],
        quality=[],
        columns=[
            {"name": name, "type": "string", "description": {"nl": f"Kolom {name}"}} for name in (columns or ["waarde"])
        ],
    )
    data.pop("source", None)
    return Contract.model_validate(data).to_data()


def sha(data: Any) -> str:
    return hashlib.sha256(repr(data).encode()).hexdigest()


def load(store: Metastore, contract: dict[str, Any], delivery_id: int, **overrides: Any) -> int:
    args: dict[str, Any] = dict(
        delivery_id=delivery_id,
        contract=contract,
        contract_sha256=sha(contract),
        storage_version=delivery_id,
        row_count=10,
        schema=[{"name": c["name"], "type": c["type"]} for c in contract["columns"]],
        schema_changes={},
        content_sha256=sha(("content", delivery_id)),
        delivered_by="tester",
    )
    args.update(overrides)
    return store.record_load(**args)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (in UTC), PostgreSQL aware ones."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def assert_recent(value: dt.datetime) -> None:
    assert isinstance(value, dt.datetime)
    assert abs(dt.datetime.now(dt.UTC) - as_utc(value)) < dt.timedelta(minutes=5)


# -- migrations ----------------------------------------------------------------------------------


def test_migrations_bring_an_empty_database_to_head(metastore_url: str) -> None:
    engine = sa.create_engine(metastore_url)
    bare = Metastore(engine)  # no migration yet
    try:
        assert bare.schema_revision() is None
        assert set(sa.inspect(engine).get_table_names()) == set()
        bare.migrate()
        assert bare.schema_revision() == HEAD
        assert set(sa.inspect(engine).get_table_names()) == TABLES
    finally:
        bare.close()


def test_migrating_twice_is_a_no_op(metastore_url: str) -> None:
    store = Metastore.open(metastore_url)
    try:
        store.add_dataset(make_contract("blijft_staan"), "a" * 64)
        store.migrate()
        store.migrate("head")
        assert store.schema_revision() == HEAD
        assert [d.id for d in store.list_datasets()] == ["blijft_staan"]
        with store.engine.connect() as conn:
            assert conn.execute(sa.text("select version_num from alembic_version")).all() == [(HEAD,)]
    finally:
        store.close()
    again = Metastore.open(metastore_url)  # opening an up-to-date database migrates nothing
    try:
        assert again.schema_revision() == HEAD
        assert again.has_dataset("blijft_staan")
    finally:
        again.close()


def test_upgrading_from_0001_keeps_the_data(metastore_url: str) -> None:
    """A metastore made by the first release gains the notices table without losing a dataset."""
    engine = sa.create_engine(metastore_url)
    old = Metastore(engine)
    try:
        old.migrate("0001")
        old.add_dataset(make_contract("van_voor_0002"), "b" * 64)
        assert "notices" not in sa.inspect(engine).get_table_names()
        old.migrate()
        assert old.schema_revision() == HEAD
        assert old.has_dataset("van_voor_0002")
        assert set(sa.inspect(engine).get_table_names()) == TABLES
    finally:
        old.close()


def test_migrated_schema_matches_the_models(store: Metastore) -> None:
    """Alembic autogenerate finds nothing to do: models.py and the migrations agree."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


# -- datasets ------------------------------------------------------------------------------------


def test_add_get_list_has_dataset(store: Metastore) -> None:
    assert store.list_datasets() == []
    assert not store.has_dataset("bomen")
    real = load_contract(KWB_CONTRACT).to_data()
    store.add_dataset(real, "f" * 64)
    store.add_dataset(
        make_contract("bomen", title="Bomen in ’s-Gravenhage"), "b" * 64, like_of="cbs_kwb_2019_gemeenten"
    )

    assert store.has_dataset("bomen") and store.has_dataset("cbs_kwb_2019_gemeenten")
    assert [d.id for d in store.list_datasets()] == ["bomen", "cbs_kwb_2019_gemeenten"]

    kwb = store.get_dataset("cbs_kwb_2019_gemeenten")
    assert kwb.contract == real  # JSON round trip, unicode and nested values intact
    assert kwb.title == real["title"]["nl"]
    assert kwb.classification == "openbaar"
    assert kwb.owner_dienst == "Bestuursdienst (BSD)"
    assert kwb.contract_sha256 == "f" * 64
    assert kwb.like_of is None and kwb.current_version is None
    assert_recent(kwb.created_at)
    assert_recent(kwb.updated_at)

    bomen = store.get_dataset("bomen")
    assert bomen.title == "Bomen in ’s-Gravenhage"
    assert bomen.like_of == "cbs_kwb_2019_gemeenten"

    with pytest.raises(NotFoundError, match="nergens"):
        store.get_dataset("nergens")


def test_adding_a_duplicate_id_raises_conflict(store: Metastore) -> None:
    store.add_dataset(make_contract("bomen", title="Eerste"), "a" * 64)
    with pytest.raises(ConflictError, match="bomen"):
        store.add_dataset(make_contract("bomen", title="Tweede"), "b" * 64)
    assert [d.title for d in store.list_datasets()] == ["Eerste"]


def test_update_contract(store: Metastore) -> None:
    store.add_dataset(make_contract("bomen", title="Oud"), "a" * 64)
    new = make_contract("bomen", title="Nieuw", keywords=["iepen"])
    store.update_contract(new, "b" * 64)
    record = store.get_dataset("bomen")
    assert (record.title, record.contract, record.contract_sha256) == ("Nieuw", new, "b" * 64)
    assert [d.id for d in store.search_datasets("iepen")] == ["bomen"]
    with pytest.raises(NotFoundError):
        store.update_contract(make_contract("nergens"), "c" * 64)


# -- search --------------------------------------------------------------------------------------


@pytest.fixture
def searchable(store: Metastore) -> Metastore:
    store.add_dataset(
        make_contract(
            "bomen",
            title="Bomenregister",
            description="Alle bomen in de openbare ruimte, 100% compleet.",
            columns=["boom_soort", "plantjaar"],
            themes=["natuur"],
            keywords=["groen", "Iepen"],
        ),
        "a" * 64,
    )
    store.add_dataset(
        make_contract(
            "parkeren",
            title="Parkeerplaatsen",
            description="Parkeervakken per straat; pad\\naam in de bron.",
            columns=["boomxsoort", "straat"],
            themes=["verkeer"],
            keywords=["auto"],
        ),
        "b" * 64,
    )
    store.add_dataset(
        make_contract(
            "afval",
            title="Afvalcontainers",
            description="Ondergrondse containers.",
            columns=["container_id"],
            themes=["natuur", "afval"],
            keywords=["groen", "glas"],
        ),
        "c" * 64,
    )
    return store


def _ids(store: Metastore, text: str) -> list[str]:
    return [d.id for d in store.search_datasets(text)]


def test_search_matches_titles_descriptions_columns_themes_keywords(searchable: Metastore) -> None:
    assert _ids(searchable, "bomenregister") == ["bomen"]  # title
    assert _ids(searchable, "ondergrondse") == ["afval"]  # description
    assert _ids(searchable, "plantjaar") == ["bomen"]  # column name
    assert _ids(searchable, "kolom straat") == ["parkeren"]  # column description and name
    assert _ids(searchable, "verkeer") == ["parkeren"]  # theme
    assert _ids(searchable, "natuur") == ["afval", "bomen"]  # theme, sorted by id
    assert _ids(searchable, "glas") == ["afval"]  # keyword
    assert _ids(searchable, "IEPEN") == ["bomen"]  # case-insensitive
    assert _ids(searchable, "parkeer") == ["parkeren"]  # part of a word
    assert _ids(searchable, "") == ["afval", "bomen", "parkeren"]
    assert _ids(searchable, "onbekendwoord") == []


def test_search_needs_every_word(searchable: Metastore) -> None:
    assert _ids(searchable, "groen natuur") == ["afval", "bomen"]
    assert _ids(searchable, "groen  glas") == ["afval"]
    assert _ids(searchable, "groen verkeer") == []


def test_search_treats_like_wildcards_literally(searchable: Metastore) -> None:
    assert _ids(searchable, "boom_soort") == ["bomen"]  # `_` is not "any character" (boomxsoort)
    assert _ids(searchable, "_") == ["afval", "bomen"]  # only texts with a real underscore
    assert _ids(searchable, "100%") == ["bomen"]
    assert _ids(searchable, "%") == ["bomen"]  # `%` is not "anything"
    assert _ids(searchable, "0%c") == []
    assert _ids(searchable, "pad\\naam") == ["parkeren"]  # a backslash is literal too
    assert _ids(searchable, "\\") == ["parkeren"]


# -- deliveries ----------------------------------------------------------------------------------


def test_delivery_starts_receiving_and_records_state_events_in_order(store: Metastore) -> None:
    store.add_dataset(make_contract("bomen"), "a" * 64)
    delivery_id = store.add_delivery("bomen", "bomen.csv", "anna")
    d = store.get_delivery(delivery_id)
    assert (d.id, d.dataset_id, d.filename, d.delivered_by, d.state) == (
        delivery_id,
        "bomen",
        "bomen.csv",
        "anna",
        "receiving",
    )
    assert d.details == {} and d.version_number is None and d.error is None
    assert [(e.state, e.detail) for e in d.events] == [("receiving", "bomen.csv")]
    assert_recent(d.received_at)

    store.set_delivery_state(
        delivery_id,
        "received",
        "stored",
        stored_path="/landing/d1/bomen.csv",
        format="csv",
        sha256="e" * 64,
        size_bytes=BIG,
        details={"encoding": "utf-8", "rows": 3},
    )
    store.set_delivery_state(delivery_id, "parsed", None, details={"rows": 4, "delimiter": ";"})
    store.set_delivery_state(delivery_id, "checked", "ok")
    store.set_delivery_state(delivery_id, "rejected", "kapot", error="regel 3: kapot")

    d = store.get_delivery(delivery_id)
    assert d.state == "rejected" and d.error == "regel 3: kapot"
    assert (d.stored_path, d.format, d.sha256, d.size_bytes) == ("/landing/d1/bomen.csv", "csv", "e" * 64, BIG)
    assert d.details == {"encoding": "utf-8", "rows": 4, "delimiter": ";"}  # merged, later wins
    assert [(e.state, e.detail) for e in d.events] == [
        ("receiving", "bomen.csv"),
        ("received", "stored"),
        ("parsed", None),
        ("checked", "ok"),
        ("rejected", "kapot"),
    ]
    times = [as_utc(e.at) for e in d.events]
    assert times == sorted(times)
    assert as_utc(d.state_at) >= as_utc(d.received_at)


def test_list_deliveries_and_missing_deliveries(store: Metastore) -> None:
    store.add_dataset(make_contract("bomen"), "a" * 64)
    store.add_dataset(make_contract("afval"), "b" * 64)
    first = store.add_delivery("bomen", "1.csv", "anna")
    second = store.add_delivery("afval", "2.csv", "bert")
    third = store.add_delivery("bomen", "3.csv", "anna")
    store.set_delivery_state(third, "rejected", "kapot", error="kapot")
    assert [d.id for d in store.list_deliveries()] == [first, second, third]
    assert [d.id for d in store.list_deliveries("bomen")] == [first, third]
    assert [d.id for d in store.list_deliveries(states=("receiving",))] == [first, second]
    assert [d.id for d in store.list_deliveries("bomen", states=("rejected", "loaded"))] == [third]
    with pytest.raises(NotFoundError):
        store.get_delivery(999_999)
    with pytest.raises(NotFoundError):
        store.set_delivery_state(999_999, "received")


# -- versions ------------------------------------------------------------------------------------


def test_record_load_numbers_versions_in_load_order(store: Metastore) -> None:
    contract = make_contract("bomen", title="Bomen")
    store.add_dataset(contract, sha(contract))
    first = store.add_delivery("bomen", "1.csv", "anna")
    second = store.add_delivery("bomen", "2.csv", "bert")

    # The second delivery finishes first: numbers follow the order of loading, not of delivery.
    assert load(store, contract, second, row_count=BIG, storage_version=0) == 1
    assert store.get_dataset("bomen").current_version == 1

    changed = make_contract("bomen", title="Bomen, bijgewerkt", columns=["waarde", "extra"])
    assert load(store, changed, first, storage_version=1, schema_changes={"added": ["extra"]}) == 2

    record = store.get_dataset("bomen")
    assert record.current_version == 2
    assert record.title == "Bomen, bijgewerkt" and record.contract == changed  # contract updated with the load
    assert [v.number for v in store.list_versions("bomen")] == [1, 2]

    v1 = store.get_version("bomen", 1)
    assert (v1.dataset_id, v1.delivery_id, v1.storage_version, v1.row_count) == ("bomen", second, 0, BIG)
    assert v1.schema == [{"name": "waarde", "type": "string"}] and v1.schema_changes == {}
    assert v1.delivered_by == "tester" and v1.contract_sha256 == sha(contract)
    assert_recent(v1.created_at)
    v2 = store.get_version("bomen", 2)
    assert v2.delivery_id == first and v2.schema_changes == {"added": ["extra"]}
    assert [c["name"] for c in v2.schema] == ["waarde", "extra"]

    for delivery_id, number in ((second, 1), (first, 2)):
        d = store.get_delivery(delivery_id)
        assert (d.state, d.version_number) == ("loaded", number)
        assert (d.events[-1].state, d.events[-1].detail) == ("loaded", f"version {number}")


def test_record_load_is_idempotent_per_delivery(store: Metastore) -> None:
    contract = make_contract("bomen")
    store.add_dataset(contract, sha(contract))
    delivery_id = store.add_delivery("bomen", "1.csv", "anna")
    assert load(store, contract, delivery_id) == 1
    assert load(store, contract, delivery_id) == 1  # a recovery that runs again
    assert [v.number for v in store.list_versions("bomen")] == [1]
    assert store.get_dataset("bomen").current_version == 1
    assert [e.state for e in store.get_delivery(delivery_id).events].count("loaded") == 1
    # the next delivery still gets 2
    assert load(store, contract, store.add_delivery("bomen", "2.csv", "anna")) == 2


def test_version_numbers_are_per_dataset(store: Metastore) -> None:
    bomen, afval = make_contract("bomen"), make_contract("afval")
    store.add_dataset(bomen, sha(bomen))
    store.add_dataset(afval, sha(afval))
    assert load(store, bomen, store.add_delivery("bomen", "1.csv", "anna")) == 1
    assert load(store, afval, store.add_delivery("afval", "1.csv", "anna")) == 1
    assert load(store, bomen, store.add_delivery("bomen", "2.csv", "anna")) == 2
    assert store.get_dataset("afval").current_version == 1


def test_get_version_of_a_missing_number_raises_not_found(store: Metastore) -> None:
    contract = make_contract("bomen")
    store.add_dataset(contract, sha(contract))
    with pytest.raises(NotFoundError, match="version 1"):
        store.get_version("bomen", 1)
    load(store, contract, store.add_delivery("bomen", "1.csv", "anna"))
    assert store.get_version("bomen", 1).number == 1
    with pytest.raises(NotFoundError, match="version 2"):
        store.get_version("bomen", 2)
    with pytest.raises(NotFoundError):
        store.get_version("nergens", 1)
    assert store.list_versions("nergens") == []


# -- lineage -------------------------------------------------------------------------------------


def test_lineage_upstream_and_downstream(store: Metastore) -> None:
    for dataset_id in ("bron", "tussen", "eind"):
        store.add_dataset(make_contract(dataset_id), "a" * 64)
    store.add_lineage("tussen", "bron")
    store.add_lineage("eind", "tussen", relation="aggregated_from", note="per wijk")
    store.add_lineage("eind", "extern_register")  # a source outside the catalogue
    store.add_lineage("tussen", "bron", note="tweede keer: genegeerd")  # already there

    def pairs(records: list[Any]) -> set[tuple[str, str, str, str | None]]:
        return {(r.dataset_id, r.source_id, r.relation, r.note) for r in records}

    tussen = store.lineage("tussen")
    assert pairs(tussen["upstream"]) == {("tussen", "bron", "derived_from", None)}
    assert pairs(tussen["downstream"]) == {("eind", "tussen", "aggregated_from", "per wijk")}
    eind = store.lineage("eind")
    assert pairs(eind["upstream"]) == {
        ("eind", "tussen", "aggregated_from", "per wijk"),
        ("eind", "extern_register", "derived_from", None),
    }
    assert eind["downstream"] == []
    bron = store.lineage("bron")
    assert bron["upstream"] == [] and pairs(bron["downstream"]) == {("tussen", "bron", "derived_from", None)}
    assert store.lineage("extern_register")["downstream"] != []


# -- end to end on PostgreSQL --------------------------------------------------------------------


@pytest.mark.postgres
def test_platform_with_a_postgres_metastore_registers_ingests_and_queries(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", user="tester", metastore_url=postgres_url)  # = conftest make_settings
    with Platform(settings) as platform:
        assert platform.metastore.engine.dialect.name == "postgresql"
        platform.register(KWB_CONTRACT)
        result = platform.ingest(KWB_DATA, "cbs_kwb_2019_gemeenten")
        assert (result.version, result.row_count) == (1, 355)
        assert platform.sql("select count(*) from cbs_kwb_2019_gemeenten").rows == [(355,)]
    assert not (tmp_path / "home" / "metastore.db").exists()  # nothing went to SQLite

    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            versions = conn.execute(sa.text("select dataset_id, number, row_count, delivery_id from versions")).all()
            assert versions == [("cbs_kwb_2019_gemeenten", 1, 355, result.delivery_id)]
            current = conn.execute(sa.text("select current_version from datasets")).scalar_one()
            assert current == 1
            state = conn.execute(
                sa.text("select state, version_number from deliveries where id = :id"), {"id": result.delivery_id}
            ).one()
            assert tuple(state) == ("loaded", 1)
    finally:
        engine.dispose()

    # A new platform on the same home and database sees the same state.
    with Platform(settings) as platform:
        assert platform.metastore.get_dataset("cbs_kwb_2019_gemeenten").current_version == 1
        assert platform.sql("select count(*) from cbs_kwb_2019_gemeenten").rows == [(355,)]


def test_timestamps_come_back_timezone_aware_in_utc(tmp_path: Path) -> None:
    """SQLite keeps no time zone; the metastore still hands out aware UTC datetimes."""
    store = Metastore.open(f"sqlite:///{tmp_path / 'tz.db'}")
    store.add_dataset(make_contract("bomen"), "a" * 64)
    delivery_id = store.add_delivery("bomen", "bomen.csv", "anna")
    record = store.get_delivery(delivery_id)
    assert record.received_at.tzinfo is not None and record.received_at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - record.received_at) < dt.timedelta(minutes=5)
    assert store.get_dataset("bomen").created_at.tzinfo is not None
    store.close()
