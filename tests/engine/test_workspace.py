"""Workspaces in the DuckDB engine, built from real rows: the CBS KWB 2019 Den Haag CSV (with its
region code WijkenEnBuurten treated as a direct identifier) and the Assen meldingen extract (with
real timestamps and dates). The pseudonyms and rules computed in SQL are held to the Python
reference in ``stadsdata.privacy.pseudonyms``, value by value."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stadsdata import demo
from stadsdata.core.contract import ColumnType
from stadsdata.engine.base import WORKSPACE_TRANSFORMS, WorkspaceColumn, WorkspaceTable
from stadsdata.engine.duckdb_engine import DuckDBEngine
from stadsdata.engine.duckdb_workspace import hmac_pads
from stadsdata.errors import ConflictError, NotFoundError, SQLError
from stadsdata.privacy import pseudonyms

TESTS = Path(__file__).parents[1]
KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))


@pytest.fixture(scope="module")
def engine() -> DuckDBEngine:
    return DuckDBEngine()


@pytest.fixture(scope="module")
def kwb_rows() -> list[dict[str, str]]:
    with open(demo.data_path("cbs_kwb_2019_den_haag"), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def kwb_parquet(tmp_path_factory: pytest.TempPathFactory, kwb_rows: list[dict[str, str]]) -> Path:
    """Five real KWB columns, typed: the region code, its kind and name, inhabitants, and the buurt's
    most common postcode (PC4, with the PC6 letters of a made-up address appended to half of them
    so the rule has something to cut)."""

    def postcode(i: int, value: str) -> str | None:
        if not value:
            return None
        return f"{value} AB" if i % 2 else value

    table = pa.table(
        {
            "WijkenEnBuurten": [r["WijkenEnBuurten"] for r in kwb_rows],
            "SoortRegio_2": [r["SoortRegio_2"] for r in kwb_rows],
            "Gemeentenaam_1": [r["Gemeentenaam_1"] for r in kwb_rows],
            "AantalInwoners_5": pa.array([int(r["AantalInwoners_5"]) for r in kwb_rows], pa.int64()),
            "Postcode": [postcode(i, r["MeestVoorkomendePostcode_113"]) for i, r in enumerate(kwb_rows)],
        }
    )
    path = tmp_path_factory.mktemp("kwb") / "kwb.parquet"
    pq.write_table(table, path)
    return path


@pytest.fixture(scope="module")
def meldingen_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with open(TESTS / "data" / "meldingen_assen_extract.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    table = pa.table(
        {
            "id": [r["id"] for r in rows],
            "created_at": pa.array(
                [dt.datetime.fromisoformat(r["created_at"]) for r in rows], pa.timestamp("us", "UTC")
            ),
            "resolved_date": [dt.date.fromisoformat(r["resolved_date"]) if r["resolved_date"] else None for r in rows],
            "days_open": pa.array([int(r["days_open"]) if r["days_open"] else None for r in rows], pa.int64()),
            "wijk": [r["wijk"] for r in rows],
        }
    )
    path = tmp_path_factory.mktemp("meldingen") / "meldingen.parquet"
    pq.write_table(table, path)
    return path


KWB_COLUMNS = [
    WorkspaceColumn("WijkenEnBuurten", ColumnType.string, "pseudonymise"),
    WorkspaceColumn("SoortRegio_2", ColumnType.string, "keep"),
    WorkspaceColumn("AantalInwoners_5", ColumnType.integer, "keep"),
    WorkspaceColumn("Postcode", ColumnType.string, "generalise:pc4"),
]


def kwb_workspace(engine: DuckDBEngine, parquet: Path, path: Path, key: bytes) -> list[dict]:
    return engine.build_workspace(path, [WorkspaceTable("kwb", [str(parquet)], KWB_COLUMNS)], key)


def rows_of(engine: DuckDBEngine, path: Path, sql: str) -> list[tuple]:
    return engine.workspace_query(path, sql).rows


# -- building ----------------------------------------------------------------------------------
def test_build_applies_every_transform(
    engine: DuckDBEngine, kwb_parquet: Path, kwb_rows: list[dict[str, str]], tmp_path: Path
) -> None:
    path = tmp_path / "ws.duckdb"
    summary = kwb_workspace(engine, kwb_parquet, path, KEY_A)
    assert [s["table"] for s in summary] == ["kwb"] and summary[0]["rows"] == len(kwb_rows) == 159
    assert len(summary[0]["sha256"]) == 64
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.duckdb"]  # no .building, no .wal
    result = engine.workspace_query(path, "SELECT * FROM kwb")
    assert result.columns == [
        "WijkenEnBuurten",
        "SoortRegio_2",
        "AantalInwoners_5",
        "Postcode",
    ]  # Gemeentenaam: not approved
    assert result.types == ["VARCHAR", "VARCHAR", "BIGINT", "VARCHAR"]
    got = sorted(result.rows, key=lambda r: (r[0], r[1], r[2], r[3] or ""))
    expected = sorted(
        (
            (
                pseudonyms.pseudonym(KEY_A, r["WijkenEnBuurten"]),
                r["SoortRegio_2"],
                int(r["AantalInwoners_5"]),
                r["MeestVoorkomendePostcode_113"] or None,
            )
            for r in kwb_rows
        ),
        key=lambda r: (r[0], r[1], r[2], r[3] or ""),
    )
    assert got == expected
    assert {r[3] for r in got} >= {"2597", "2587", "2596"}  # real PC4s of Den Haag buurten


def test_build_dates_and_timestamps(engine: DuckDBEngine, meldingen_parquet: Path, tmp_path: Path) -> None:
    columns = [
        WorkspaceColumn("id", ColumnType.string, "pseudonymise"),
        WorkspaceColumn("created_at", ColumnType.datetime, "generalise:year"),
        WorkspaceColumn("resolved_date", ColumnType.date, "generalise:year"),
        WorkspaceColumn("days_open", ColumnType.integer, "generalise:age_band5"),
        WorkspaceColumn("wijk", ColumnType.string, "keep"),
    ]
    path = tmp_path / "ws.duckdb"
    engine.build_workspace(path, [WorkspaceTable("meldingen", [str(meldingen_parquet)], columns)], KEY_A)
    source = pq.read_table(meldingen_parquet).to_pylist()
    expected = sorted(
        (
            pseudonyms.pseudonym(KEY_A, r["id"]),
            pseudonyms.year(r["created_at"]),
            pseudonyms.year(r["resolved_date"]),
            pseudonyms.age_band5(r["days_open"]),
            r["wijk"],
        )
        for r in source
    )
    got = sorted(rows_of(engine, path, "SELECT * FROM meldingen"))
    assert got == expected
    assert {r[1] for r in got} <= {2024, 2025, 2026} and any(r[3] == "100+" for r in got)


def test_build_refuses_an_existing_file_and_leaves_nothing_on_failure(
    engine: DuckDBEngine, kwb_parquet: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ws.duckdb"
    kwb_workspace(engine, kwb_parquet, path, KEY_A)
    before = path.read_bytes()
    with pytest.raises(ConflictError, match="already exists"):
        kwb_workspace(engine, kwb_parquet, path, KEY_A)
    assert path.read_bytes() == before
    other = tmp_path / "other.duckdb"
    bad = [
        WorkspaceColumn("SoortRegio_2", ColumnType.string, "keep"),
        WorkspaceColumn("nope", ColumnType.string, "keep"),
    ]
    with pytest.raises(SQLError, match="workspace table 'kwb' could not be built: .*nope"):
        engine.build_workspace(other, [WorkspaceTable("kwb", [str(kwb_parquet)], bad)], KEY_A)
    with pytest.raises(ValueError, match="cannot be pseudonymised"):
        engine.build_workspace(
            other,
            [WorkspaceTable("kwb", [str(kwb_parquet)], [WorkspaceColumn("x", ColumnType.number, "pseudonymise")])],
            KEY_A,
        )
    with pytest.raises(ValueError, match="unknown transform"):
        engine.build_workspace(
            other, [WorkspaceTable("kwb", [str(kwb_parquet)], [WorkspaceColumn("x", ColumnType.string, "hash")])], KEY_A
        )
    with pytest.raises(ValueError, match="at least 16 bytes"):
        kwb_workspace(engine, kwb_parquet, other, b"short")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws.duckdb"]


def test_empty_table(engine: DuckDBEngine, tmp_path: Path) -> None:
    path = tmp_path / "ws.duckdb"
    summary = engine.build_workspace(path, [WorkspaceTable("leeg", [], KWB_COLUMNS)], KEY_A)
    assert summary[0]["rows"] == 0
    result = engine.workspace_query(path, "SELECT * FROM leeg")
    assert result.rows == [] and result.columns == [c.name for c in KWB_COLUMNS]


def test_content_hash_is_stable(engine: DuckDBEngine, kwb_parquet: Path, tmp_path: Path) -> None:
    shuffled = tmp_path / "shuffled.parquet"
    table = pq.read_table(kwb_parquet)
    pq.write_table(table.take(list(reversed(range(table.num_rows)))), shuffled)
    first = kwb_workspace(engine, kwb_parquet, tmp_path / "a.duckdb", KEY_A)
    again = kwb_workspace(engine, shuffled, tmp_path / "b.duckdb", KEY_A)
    other_key = kwb_workspace(engine, kwb_parquet, tmp_path / "c.duckdb", KEY_B)
    assert first == again  # the same content, whatever the source's row order
    assert first[0]["sha256"] != other_key[0]["sha256"]
    assert first[0]["rows"] == other_key[0]["rows"]


# -- nothing identifying in the file -----------------------------------------------------------
def test_file_holds_no_raw_identifier_and_no_key(
    engine: DuckDBEngine, kwb_parquet: Path, kwb_rows: list[dict[str, str]], tmp_path: Path
) -> None:
    path = tmp_path / "ws.duckdb"
    kwb_workspace(engine, kwb_parquet, path, KEY_A)
    data = path.read_bytes()
    codes = {r["WijkenEnBuurten"] for r in kwb_rows}
    assert len(codes) == 159
    leaked = sorted(c for c in codes if c.encode() in data)
    assert leaked == [], f"raw identifiers in the workspace file: {leaked[:5]}"
    inner, outer = hmac_pads(KEY_A)
    for secret in (KEY_A, KEY_A.hex().encode(), inner, outer, inner.hex().encode(), outer.hex().encode()):
        assert secret not in data
    # the pseudonyms themselves are there: the search would find what is stored
    assert pseudonyms.pseudonym(KEY_A, "WK051801").encode() in data


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.text(alphabet=st.characters(codec="utf-8"), min_size=8, max_size=40), min_size=1, max_size=20)
)
def test_property_no_direct_identifier_value_in_the_file(values: list[str]) -> None:
    engine = DuckDBEngine()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "s.parquet"
        pq.write_table(pa.table({"bsn": values, "n": list(range(len(values)))}), source)
        path = Path(tmp) / "ws.duckdb"
        columns = [
            WorkspaceColumn("bsn", ColumnType.string, "pseudonymise"),
            WorkspaceColumn("n", ColumnType.integer, "keep"),
        ]
        engine.build_workspace(path, [WorkspaceTable("t", [str(source)], columns)], KEY_A)
        data = path.read_bytes()
    for v in values:
        assert v.encode("utf-8") not in data


# -- SQL == Python ---------------------------------------------------------------------------
def sql_values(engine: DuckDBEngine, values: list, kind: ColumnType, transform: str, arrow_type: pa.DataType) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "s.parquet"
        pq.write_table(pa.table({"i": list(range(len(values))), "v": pa.array(values, arrow_type)}), source)
        path = Path(tmp) / "ws.duckdb"
        columns = [WorkspaceColumn("i", ColumnType.integer, "keep"), WorkspaceColumn("v", kind, transform)]
        engine.build_workspace(path, [WorkspaceTable("t", [str(source)], columns)], KEY_A)
        return [v for _, v in engine.workspace_query(path, "SELECT i, v FROM t ORDER BY i").rows]


ENGINE = DuckDBEngine()
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8")), min_size=1, max_size=30))
def test_property_sql_hmac_equals_python_for_text(values: list[str]) -> None:
    got = sql_values(ENGINE, values, ColumnType.string, "pseudonymise", pa.string())
    assert got == [hmac.new(KEY_A, v.encode("utf-8"), hashlib.sha256).hexdigest()[:32] for v in values]
    assert got == [pseudonyms.pseudonym(KEY_A, v) for v in values]


@SLOW
@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), min_size=1, max_size=30))
def test_property_sql_hmac_equals_python_for_integers(values: list[int]) -> None:
    got = sql_values(ENGINE, values, ColumnType.integer, "pseudonymise", pa.int64())
    assert got == [pseudonyms.pseudonym(KEY_A, v) for v in values]
    assert got == [pseudonyms.pseudonym(KEY_A, str(v)) for v in values]  # 123 and '123' join


@SLOW
@given(st.lists(st.dates(min_value=dt.date(1, 1, 1)), min_size=1, max_size=30))
def test_property_sql_hmac_and_year_for_dates(values: list[dt.date]) -> None:
    assert sql_values(ENGINE, values, ColumnType.date, "pseudonymise", pa.date32()) == [
        pseudonyms.pseudonym(KEY_A, v) for v in values
    ]
    assert sql_values(ENGINE, values, ColumnType.date, "generalise:year", pa.date32()) == [v.year for v in values]


@SLOW
@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC)),
        min_size=1,
        max_size=30,
    )
)
def test_property_sql_year_equals_python_for_timestamps(values: list[dt.datetime]) -> None:
    got = sql_values(ENGINE, values, ColumnType.datetime, "generalise:year", pa.timestamp("us", "UTC"))
    assert got == [pseudonyms.year(v) for v in values]


POSTCODE_LIKE = st.one_of(
    st.from_regex(r"\A ?[0-9]{4} ?[A-Za-z]{0,2} ?\Z"),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=10),
    st.sampled_from(["2511 AB", "2511AB", "2511ab", " 2511 ", "0123 AB", "2511  AB", "2511\nAB", "2511 AB\n"]),
)


@SLOW
@given(st.lists(st.one_of(st.none(), POSTCODE_LIKE), min_size=1, max_size=30))
def test_property_sql_pc4_equals_python(values: list[str | None]) -> None:
    assert sql_values(ENGINE, values, ColumnType.string, "generalise:pc4", pa.string()) == [
        pseudonyms.pc4(v) for v in values
    ]


@SLOW
@given(st.lists(st.one_of(st.none(), st.integers(min_value=-(2**62), max_value=2**62)), min_size=1, max_size=30))
def test_property_sql_age_band_equals_python(values: list[int | None]) -> None:
    assert sql_values(ENGINE, values, ColumnType.integer, "generalise:age_band5", pa.int64()) == [
        pseudonyms.age_band5(v) for v in values
    ]


def test_engine_and_privacy_know_the_same_transforms() -> None:
    from_rules = {"keep", "pseudonymise"} | {
        f"generalise:{name}" for name in pseudonyms.RULES if name not in ("none", "drop")
    }
    assert set(WORKSPACE_TRANSFORMS) == from_rules
    for text in WORKSPACE_TRANSFORMS:
        assert str(pseudonyms.Transform.parse(text)) == text


# -- joins ------------------------------------------------------------------------------------
def two_tables(parquet: Path) -> list[WorkspaceTable]:
    return [
        WorkspaceTable(
            "inwoners",
            [str(parquet)],
            [
                WorkspaceColumn("WijkenEnBuurten", ColumnType.string, "pseudonymise"),
                WorkspaceColumn("AantalInwoners_5", ColumnType.integer, "keep"),
            ],
        ),
        WorkspaceTable(
            "soort",
            [str(parquet)],
            [
                WorkspaceColumn("WijkenEnBuurten", ColumnType.string, "pseudonymise"),
                WorkspaceColumn("SoortRegio_2", ColumnType.string, "keep"),
            ],
        ),
    ]


def test_joins_work_within_one_key_and_fail_across_keys(
    engine: DuckDBEngine, kwb_parquet: Path, kwb_rows: list[dict[str, str]], tmp_path: Path
) -> None:
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    engine.build_workspace(a, two_tables(kwb_parquet), KEY_A)
    engine.build_workspace(b, two_tables(kwb_parquet), KEY_B)
    inside = engine.workspace_query(
        a,
        'SELECT s.SoortRegio_2, sum(i.AantalInwoners_5) FROM inwoners i JOIN soort s USING ("WijkenEnBuurten") '
        "GROUP BY 1 ORDER BY 1",
    ).rows
    by_kind: dict[str, int] = {}
    for r in kwb_rows:
        by_kind[r["SoortRegio_2"]] = by_kind.get(r["SoortRegio_2"], 0) + int(r["AantalInwoners_5"])
    assert inside == sorted(by_kind.items())
    # across opgaven: the same regions, no pseudonym in common, so a join finds nothing
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
        across = con.execute('SELECT count(*) FROM a.inwoners x JOIN b.soort y USING ("WijkenEnBuurten")').fetchone()[0]
        same = con.execute('SELECT count(*) FROM a.inwoners x JOIN a.soort y USING ("WijkenEnBuurten")').fetchone()[0]
    finally:
        con.close()
    assert across == 0 and same == len(kwb_rows)


# -- read-only and sealed ----------------------------------------------------------------------
@pytest.fixture
def workspace(engine: DuckDBEngine, kwb_parquet: Path, tmp_path: Path) -> Path:
    path = tmp_path / "ws.duckdb"
    kwb_workspace(engine, kwb_parquet, path, KEY_A)
    return path


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("INSERT INTO kwb SELECT * FROM kwb", "only a SELECT query.*got INSERT"),
        ("DELETE FROM kwb", "only a SELECT query.*got DELETE"),
        ("CREATE TABLE x AS SELECT 1", "only a SELECT query.*got CREATE"),
        ("DROP TABLE kwb", "only a SELECT query.*got DROP"),
        ("ATTACH '/tmp/other.duckdb' AS other", "only a SELECT query.*got ATTACH"),
        ("COPY kwb TO '/tmp/out.csv'", "only a SELECT query.*got COPY"),
        ("INSTALL httpfs", "only a SELECT query.*got (INSTALL|LOAD)"),
        ("LOAD httpfs", "only a SELECT query.*got LOAD"),
        ("SET enable_external_access = true", "only a SELECT query.*got SET"),
        ("SELECT 1; SELECT 2", "exactly one SELECT statement; got 2"),
        ("SELECT * FROM read_csv('/etc/passwd')", "refused: .*outside the workspace.*/etc/passwd"),
        ("SELECT * FROM read_text('/etc/hostname')", "refused: .*outside the workspace"),
        ("SELECT * FROM '/etc/passwd'", "Table with name /etc/passwd does not exist"),  # no replacement scan
        ("SELECT * FROM glob('/*')", "refused: .*outside the workspace"),
        ("SELECT * FROM read_parquet('https://example.org/x.parquet')", "refused: .*outside the workspace"),
        ("SELECT * FROM kwb WHERE", "query failed: Parser Error"),
        ("SELECT * FROM nope", "query failed: Catalog Error"),
    ],
)
def test_query_refuses_everything_but_reading_the_workspace(
    engine: DuckDBEngine, workspace: Path, sql: str, message: str
) -> None:
    before = workspace.read_bytes()
    with pytest.raises(SQLError, match=message):
        engine.workspace_query(workspace, sql)
    assert workspace.read_bytes() == before
    assert engine.workspace_query(workspace, "SELECT count(*) FROM kwb").rows == [(159,)]


def test_query_cannot_read_the_source_parquet(engine: DuckDBEngine, workspace: Path, kwb_parquet: Path) -> None:
    with pytest.raises(SQLError, match="refused"):
        engine.workspace_query(workspace, f"SELECT * FROM read_parquet('{kwb_parquet}')")


def test_query_limit_and_spatial(engine: DuckDBEngine, workspace: Path) -> None:
    limited = engine.workspace_query(workspace, "SELECT * FROM kwb ORDER BY AantalInwoners_5 DESC", limit=3)
    assert len(limited.rows) == 3 and limited.rows[0][2] == 537833  # the gemeente
    assert engine.workspace_query(workspace, "SELECT ST_AsText(ST_Point(4.3, 52.08))").rows == [("POINT (4.3 52.08)",)]


def test_query_on_a_missing_workspace(engine: DuckDBEngine, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        engine.workspace_query(tmp_path / "gone.duckdb", "SELECT 1")


def test_concurrent_connections_share_the_sealed_instance(engine: DuckDBEngine, workspace: Path) -> None:
    con = duckdb.connect(str(workspace), read_only=True, config={"memory_limit": engine.memory_limit})
    try:  # a connection held open keeps DuckDB's instance: the next query finds it sealed already
        assert engine.workspace_query(workspace, "SELECT count(*) FROM kwb").rows == [(159,)]
        with pytest.raises(SQLError, match="refused"):
            engine.workspace_query(workspace, "SELECT * FROM read_csv('/etc/passwd')")
    finally:
        con.close()
