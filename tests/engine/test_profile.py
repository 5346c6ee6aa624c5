"""Column profiles on real staged files: the CBS KWB 2019 Den Haag CSV and the CBS gemeenten 2024
GeoJSON, staged the way ingest stages them, checked against values computed here from the source."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from stadsdata import demo
from stadsdata.core.contract import ColumnType, Contract, load_contract
from stadsdata.engine import duckdb_profile
from stadsdata.engine.base import ProfileColumn
from stadsdata.engine.duckdb_engine import DuckDBEngine
from stadsdata.ingest import csv_dialect, readers
from stadsdata.ingest.columns import plan_columns

KWB = "cbs_kwb_2019_den_haag"
GEMEENTEN = "cbs_gemeenten_2024"
VALUE_KEYS = {"min", "max", "mean", "not_finite", "histogram", "min_length", "max_length", "top", "top_other"}


@pytest.fixture(scope="module")
def engine() -> DuckDBEngine:
    return DuckDBEngine()


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(demo.contract_path(KWB))


@pytest.fixture(scope="module")
def source() -> list[dict[str, str]]:
    """The delivered CSV as text: the independent reference for every expected value."""
    with open(demo.data_path(KWB), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def stage_csv(engine: DuckDBEngine, contract: Contract, csv_file: Path, dest: Path) -> Path:
    dialect, header = csv_dialect.detect_dialect(csv_file, "utf-8-sig", contract, csv_file.name)
    result = engine.stage_csv(csv_file, dialect, header, plan_columns(contract, header, csv_file.name).fields, dest)
    assert not result.problems
    return dest


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def staged(engine: DuckDBEngine, contract: Contract, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kwb")
    return stage_csv(engine, contract, demo.data_path(KWB), folder / "staged.parquet")


@pytest.fixture(scope="module")
def kwb(engine: DuckDBEngine, contract: Contract, staged: Path) -> dict[str, Any]:
    return engine.profile([staged], columns_of(contract))


def columns_of(contract: Contract, hidden: tuple[str, ...] = ()) -> list[ProfileColumn]:
    return [ProfileColumn(c.name, c.type, values_hidden=c.name in hidden) for c in contract.columns]


def by_name(profile: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in profile["columns"]}


def typed(value: str, kind: ColumnType) -> Any:
    return int(value) if kind == ColumnType.integer else float(value) if kind == ColumnType.number else value


def values(source: list[dict[str, str]], name: str, kind: ColumnType) -> list[Any]:
    return [typed(row[name], kind) for row in source if row[name] != ""]


def parquet(path: Path, data: dict[str, pa.Array]) -> Path:
    pq.write_table(pa.table(data), path)
    return path


class RecordingConnection:
    """A DuckDB connection that keeps the SQL it runs."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        self.statements: list[str] = []

    def execute(self, sql: str) -> duckdb.DuckDBPyConnection:
        self.statements.append(sql)
        return self.con.execute(sql)


# -- the real file -------------------------------------------------------------------------------
def test_rows_and_columns_in_the_order_given(
    engine: DuckDBEngine, kwb: dict[str, Any], contract: Contract, staged: Path
) -> None:
    assert kwb["rows"] == 159
    assert [c["name"] for c in kwb["columns"]] == contract.column_names
    assert [c["type"] for c in kwb["columns"]] == [c.type.value for c in contract.columns]
    some = list(reversed(columns_of(contract)))[:5]
    assert [c["name"] for c in engine.profile([staged], some)["columns"]] == [c.name for c in some]


def test_empties_and_exact_distinct_counts_match_the_csv(
    kwb: dict[str, Any], contract: Contract, source: list[dict[str, str]]
) -> None:
    profiled = by_name(kwb)
    with_empties = 0
    for column in contract.columns:
        got = profiled[column.name]
        present = values(source, column.name, column.type)
        empty = len(source) - len(present)
        assert got["empty"] == empty, column.name
        assert got["share_empty"] == empty / 159, column.name
        assert got["distinct"] == len(set(present)), column.name
        assert got["distinct_exact"] is True
        with_empties += empty > 0
    assert with_empties == 74  # the CBS secrecy gaps of this file
    assert profiled["GemiddeldeHuishoudensgrootte_32"]["empty"] == 4
    assert profiled["GemiddeldeHuishoudensgrootte_32"]["share_empty"] == pytest.approx(4 / 159)


def test_top_values_of_region_type(kwb: dict[str, Any], source: list[dict[str, str]]) -> None:
    region = by_name(kwb)["SoortRegio_2"]
    assert Counter(row["SoortRegio_2"] for row in source) == {"Buurt": 114, "Wijk": 44, "Gemeente": 1}
    assert region["distinct"] == 3
    assert region["top"] == [
        {"value": "Buurt", "count": 114},
        {"value": "Wijk", "count": 44},
        {"value": "Gemeente", "count": 1},
    ]
    assert region["top_other"] == 0
    assert (region["min_length"], region["max_length"]) == (4, 8)


def test_top_is_ten_values_ties_by_value_and_the_rest_counted(
    kwb: dict[str, Any], source: list[dict[str, str]]
) -> None:
    codes = by_name(kwb)["WijkenEnBuurten"]  # the key: 159 values once each
    assert codes["top"] == [{"value": v, "count": 1} for v in sorted(r["WijkenEnBuurten"] for r in source)[:10]]
    assert codes["top_other"] == 149
    lengths = [len(r["WijkenEnBuurten"]) for r in source]
    assert (codes["min_length"], codes["max_length"]) == (min(lengths), max(lengths)) == (6, 10)
    change = by_name(kwb)["IndelingswijzigingWijkenEnBuurten_4"]  # a code column with one empty
    assert change["empty"] == 1 and change["top"] == [{"value": "1", "count": 158}] and change["top_other"] == 0


def test_inhabitants_min_max_mean_and_histogram(kwb: dict[str, Any], source: list[dict[str, str]]) -> None:
    inhabitants = by_name(kwb)["AantalInwoners_5"]
    present = values(source, "AantalInwoners_5", ColumnType.integer)
    assert (inhabitants["min"], inhabitants["max"]) == (min(present), max(present)) == (0, 537833)
    assert inhabitants["mean"] == round(sum(present) / len(present), 1)  # 6 significant digits
    # round bins of 60,000 from 0: the gemeente row alone in the last one
    assert inhabitants["histogram"] == [
        {"from": i * 60_000, "to": (i + 1) * 60_000, "count": 158 if i == 0 else 1 if i == 8 else 0} for i in range(9)
    ]


def test_every_numeric_column_against_the_csv(
    kwb: dict[str, Any], contract: Contract, source: list[dict[str, str]]
) -> None:
    profiled = by_name(kwb)
    numeric = [c for c in contract.columns if c.type in (ColumnType.integer, ColumnType.number)]
    assert len(numeric) == 110
    for column in numeric:
        got = profiled[column.name]
        present = values(source, column.name, column.type)
        assert (got["min"], got["max"]) == (min(present), max(present)), column.name
        assert got["mean"] == pytest.approx(sum(present) / len(present), rel=1e-5), column.name
        bins = got["histogram"]
        if len(set(present)) < 2:
            assert bins == [], column.name
            continue
        assert 1 <= len(bins) <= 10 and bins[0]["from"] <= min(present) and bins[-1]["to"] >= max(present)
        assert all(a["to"] == b["from"] for a, b in zip(bins, bins[1:], strict=False)), column.name
        assert sum(b["count"] for b in bins) == len(present), column.name
        expected = [
            sum(b["from"] <= v < b["to"] or (last and v == b["to"]) for v in present)
            for last, b in ((i == len(bins) - 1, b) for i, b in enumerate(bins))
        ]
        assert [b["count"] for b in bins] == expected, column.name
        if column.type == ColumnType.integer:
            assert all(isinstance(b["from"], int) and isinstance(b["to"], int) for b in bins)
        else:
            assert got["not_finite"] == 0


def test_the_profile_is_plain_json(kwb: dict[str, Any]) -> None:
    text = json.dumps(kwb, allow_nan=False)
    assert json.loads(text) == kwb


# -- personal data ---------------------------------------------------------------------------------
def test_a_hidden_column_gets_counts_only(engine: DuckDBEngine, contract: Contract, staged: Path) -> None:
    hidden = ("AantalInwoners_5", "SoortRegio_2", "GemiddeldeHuishoudensgrootte_32")
    profiled = by_name(engine.profile([staged], columns_of(contract, hidden)))
    for name in hidden:
        assert set(profiled[name]) == {"name", "type", "empty", "share_empty", "distinct", "distinct_exact", "hidden"}
        assert profiled[name]["hidden"] is True
    assert profiled["SoortRegio_2"]["distinct"] == 3 and profiled["GemiddeldeHuishoudensgrootte_32"]["empty"] == 4
    assert "hidden" not in profiled["Mannen_6"] and profiled["Mannen_6"]["max"] == 266778


def test_a_hidden_column_only_ever_appears_inside_a_count(staged: Path) -> None:
    con = RecordingConnection()
    columns = [
        ProfileColumn("AantalInwoners_5", ColumnType.integer, values_hidden=True),
        ProfileColumn("SoortRegio_2", ColumnType.string, values_hidden=True),
        ProfileColumn("Mannen_6", ColumnType.integer),
    ]
    duckdb_profile.profile(con, [staged], columns)  # type: ignore[arg-type]
    assert 1 < len(con.statements) <= 3
    for name in ("AantalInwoners_5", "SoortRegio_2"):
        quoted = f'"{name}"'
        uses = [s.count(quoted) for s in con.statements]
        counted = [s.count(f"count({quoted})") + s.count(f"count(DISTINCT {quoted})") for s in con.statements]
        assert uses == counted and sum(uses) == 2, name


# -- several files, no rows, no files ----------------------------------------------------------------
def test_two_files_read_together_profile_as_one(
    engine: DuckDBEngine, contract: Contract, source: list[dict[str, str]], kwb: dict[str, Any], tmp_path: Path
) -> None:
    header = list(source[0])
    first = stage_csv(engine, contract, write_csv(tmp_path / "a.csv", header, source[:100]), tmp_path / "a.parquet")
    second = stage_csv(engine, contract, write_csv(tmp_path / "b.csv", header, source[100:]), tmp_path / "b.parquet")
    together = engine.profile([first, second], columns_of(contract))
    assert together["rows"] == 159

    def without_mean(profile: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in c.items() if k != "mean"} for c in profile["columns"]]

    assert without_mean(together) == without_mean(kwb)
    for mine, whole in zip(together["columns"], kwb["columns"], strict=True):
        if "mean" in whole:  # the sum of doubles may differ in its last bit with the order of rows
            assert mine["mean"] == pytest.approx(whole["mean"], rel=1e-9)


def test_a_file_without_rows(
    engine: DuckDBEngine, contract: Contract, source: list[dict[str, str]], tmp_path: Path
) -> None:
    empty = stage_csv(engine, contract, write_csv(tmp_path / "leeg.csv", list(source[0]), []), tmp_path / "e.parquet")
    for profile in (engine.profile([empty], columns_of(contract)), engine.profile([], columns_of(contract))):
        assert profile["rows"] == 0
        assert json.loads(json.dumps(profile, allow_nan=False)) == profile
        for got in profile["columns"]:
            assert (got["empty"], got["share_empty"], got["distinct"]) == (0, 0.0, 0)
        profiled = by_name(profile)
        assert profiled["AantalInwoners_5"] | {"histogram": []} == profiled["AantalInwoners_5"]
        assert (profiled["AantalInwoners_5"]["min"], profiled["AantalInwoners_5"]["mean"]) == (None, None)
        assert profiled["SoortRegio_2"]["top"] == [] and profiled["SoortRegio_2"]["top_other"] == 0
        assert profiled["SoortRegio_2"]["min_length"] is None


# -- geometry and the other types -----------------------------------------------------------------------
def test_geometry_column_of_the_real_gemeenten_gets_empties_only(engine: DuckDBEngine, tmp_path: Path) -> None:
    contract = load_contract(demo.contract_path(GEMEENTEN))
    path = demo.data_path(GEMEENTEN)
    header, table = readers.read_geojson(path, path.name, "geometry")
    staged = tmp_path / "gemeenten.parquet"
    assert not engine.stage_arrow(table, plan_columns(contract, header, path.name).fields, staged).problems
    profile = engine.profile([staged], columns_of(contract))
    assert profile["rows"] == 342
    geometry = by_name(profile)["geometry"]
    assert geometry == {"name": "geometry", "type": "geometry", "empty": 0, "share_empty": 0.0}
    assert by_name(profile)["statcode"]["distinct"] == 342


def test_empty_geometries_are_counted(engine: DuckDBEngine, tmp_path: Path) -> None:
    point = bytes.fromhex("0101000000000000000000f03f0000000000000040")  # POINT (1 2) as WKB
    file = parquet(tmp_path / "g.parquet", {"geometry": pa.array([point, None, point, None], pa.binary())})
    hidden = ProfileColumn("geometry", ColumnType.geometry, values_hidden=True)
    assert engine.profile([file], [ProfileColumn("geometry", ColumnType.geometry), hidden])["columns"] == [
        {"name": "geometry", "type": "geometry", "empty": 2, "share_empty": 0.5},
        {"name": "geometry", "type": "geometry", "empty": 2, "share_empty": 0.5, "hidden": True},
    ]


def test_all_empty_columns_have_the_same_keys_with_no_values(engine: DuckDBEngine, tmp_path: Path) -> None:
    kinds = {
        ColumnType.integer: pa.int64(),
        ColumnType.number: pa.float64(),
        ColumnType.string: pa.string(),
        ColumnType.boolean: pa.bool_(),
        ColumnType.date: pa.date32(),
        ColumnType.datetime: pa.timestamp("us", tz="UTC"),
    }
    file = parquet(tmp_path / "n.parquet", {k.value: pa.nulls(3, t) for k, t in kinds.items()})
    got = by_name(engine.profile([file], [ProfileColumn(k.value, k) for k in kinds]))
    assert got["integer"] | {"min": None, "max": None, "mean": None, "histogram": []} == got["integer"]
    assert got["number"]["not_finite"] == 0 and got["number"]["histogram"] == [] and got["number"]["max"] is None
    assert got["string"]["top"] == [] and got["string"]["min_length"] is None
    assert got["boolean"] | {"top": [], "top_other": 0} == got["boolean"]
    assert (got["date"]["min"], got["datetime"]["max"]) == (None, None)
    assert all(c["empty"] == 3 and c["share_empty"] == 1.0 and c["distinct"] == 0 for c in got.values())


def test_nan_and_infinity_are_counted_but_kept_out_of_the_statistics(engine: DuckDBEngine, tmp_path: Path) -> None:
    numbers = [1.0, math.nan, math.inf, 2.5, None, -math.inf, 1.0]
    file = parquet(tmp_path / "x.parquet", {"x": pa.array(numbers, pa.float64())})
    profile = engine.profile([file], [ProfileColumn("x", ColumnType.number)])
    json.dumps(profile, allow_nan=False)
    got = profile["columns"][0]
    assert (got["empty"], got["not_finite"], got["min"], got["max"], got["mean"]) == (1, 3, 1.0, 2.5, 1.5)
    assert sum(b["count"] for b in got["histogram"]) == 3
    assert got["histogram"][0] == {"from": 1.0, "to": 1.2, "count": 2}  # bins of 0.2 (a round width)
    assert got["histogram"][-1]["to"] == 2.6


def test_booleans_dates_and_times(engine: DuckDBEngine, tmp_path: Path) -> None:
    moments = [dt.datetime(2024, 3, 1, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))), None]
    moments += [dt.datetime(2019, 1, 1, tzinfo=dt.UTC)]
    file = parquet(
        tmp_path / "t.parquet",
        {
            "flag": pa.array([True, False, True], pa.bool_()),
            "day": pa.array([dt.date(2019, 1, 1), dt.date(2024, 12, 31), None], pa.date32()),
            "moment": pa.array(moments, pa.timestamp("us", tz="UTC")),
            "word": pa.array(["b", "a", "b"], pa.string()),
        },
    )
    columns = [
        ProfileColumn("flag", ColumnType.boolean),
        ProfileColumn("day", ColumnType.date),
        ProfileColumn("moment", ColumnType.datetime),
        ProfileColumn("word", ColumnType.string),
    ]
    flag, day, moment, word = engine.profile([file], columns)["columns"]
    assert flag == {
        "name": "flag",
        "type": "boolean",
        "empty": 0,
        "share_empty": 0.0,
        "distinct": 2,
        "distinct_exact": True,
        "top": [{"value": True, "count": 2}, {"value": False, "count": 1}],
        "top_other": 0,
    }
    assert (day["min"], day["max"], day["distinct"]) == ("2019-01-01", "2024-12-31", 2)
    assert (moment["min"], moment["max"]) == ("2019-01-01T00:00:00.000000Z", "2024-03-01T09:30:00.000000Z")
    assert not (VALUE_KEYS - {"min", "max"}) & (set(day) | set(moment))
    assert word["top"] == [{"value": "b", "count": 2}, {"value": "a", "count": 1}]


# -- limits -------------------------------------------------------------------------------------------
def test_large_tables_estimate_distinct_counts(
    engine: DuckDBEngine, contract: Contract, staged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckdb_profile, "EXACT_DISTINCT_ROWS", 100)
    profiled = by_name(engine.profile([staged], columns_of(contract)))
    assert all(c["distinct_exact"] is False for c in profiled.values() if c["type"] != "geometry")
    assert profiled["SoortRegio_2"]["distinct"] == 3
    assert abs(profiled["WijkenEnBuurten"]["distinct"] - 159) <= 16  # HyperLogLog: within 10 %
    # numbers get no distinct count at that size (the estimate cost most of the profile's time)
    assert profiled["AantalInwoners_5"]["distinct"] is None and profiled["AantalInwoners_5"]["min"] == 0
    assert profiled["AantalInwoners_5"]["histogram"]


def test_many_distinct_values_get_no_top(
    engine: DuckDBEngine, contract: Contract, staged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckdb_profile, "TOP_DISTINCT", 100)
    profiled = by_name(engine.profile([staged], columns_of(contract)))
    assert (profiled["WijkenEnBuurten"]["top"], profiled["WijkenEnBuurten"]["top_other"]) == (None, None)
    assert profiled["SoortRegio_2"]["top"][0] == {"value": "Buurt", "count": 114}


def test_118_columns_take_three_queries(contract: Contract, staged: Path) -> None:
    con = RecordingConnection()
    profile = duckdb_profile.profile(con, [staged], columns_of(contract))  # type: ignore[arg-type]
    assert len(profile["columns"]) == 118
    assert len(con.statements) == 3  # the row count (Parquet footers), scan 1, scan 2
    assert all(s.count("read_parquet(") == 1 for s in con.statements)


# -- histogram bins --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("low", "high", "integer", "edges"),
    [
        (0, 1, True, [0, 1, 2]),  # one bin per value
        (3, 12, True, list(range(3, 14))),
        (0, 10, True, [0, 2, 4, 6, 8, 10]),  # 11 values: bins of 2
        (0, 100, True, list(range(0, 101, 10))),  # the last bin holds 90 to 100
        (-7, 35, True, [-10, -5, 0, 5, 10, 15, 20, 25, 30, 35]),  # the last bin holds 30 to 35
        (0.0, 100.0, False, [float(e) for e in range(0, 101, 10)]),
        (1.0, 3.1, False, [0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 3.0, 3.3]),
        (0.5, 0.5000001, False, [0.5 + i * 1e-08 for i in range(11)]),
    ],
)
def test_round_bins(low: float, high: float, integer: bool, edges: list[float]) -> None:
    got, boundaries = duckdb_profile._bins(low, high, integer=integer)
    assert got == pytest.approx(edges, rel=1e-12, abs=0)
    assert len(boundaries) == len(got) - 1 <= 10
    assert boundaries[-1] == high and boundaries == sorted(set(boundaries))
    assert got[0] <= low < got[1] and got[-2] <= high <= got[-1]  # equal: a bin per value, the last [high, high + 1)
