"""Every quality rule kind, on data that passes and on data that fails, on every engine: the same
counts, verdicts, details and failing examples (row numbers and values), checked against an
oracle computed with pandas on the same real KWB file.

Row-level rules (and ``unique``, ``reference``) run in the engine (``Engine.check_rules``); the
version rules (``timeliness``, ``change``) compare versions and are evaluated in
``stadsdata.core.quality`` from the engine's profiles: they are covered here too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import pandas as pd
import pyarrow.parquet as pq
import pytest
from pydantic import TypeAdapter

from stadsdata.core.contract import ColumnType
from stadsdata.core.quality import (
    CBS_REGION_PATTERN,
    VERSION_RULES,
    Rule,
    check_change,
    check_timeliness,
)
from stadsdata.engine import ProfileColumn
from stadsdata.platform import Platform

KWB = "cbs_kwb_2019_den_haag"
KWB21 = "cbs_kwb_2021_den_haag"
WIJKEN = "cbs_wijken_2019_den_haag"  # its wijkcode lists the wijken only: a buurt's code is not in it
RULE = TypeAdapter(Rule)


@dataclass(frozen=True)
class RuleCase:
    id: str
    rule: dict[str, Any]
    failing: Callable[[pd.DataFrame, dict[str, pd.DataFrame]], pd.Series]  # the oracle: which rows break it
    passes: bool


def _na(col: str) -> Callable[[pd.DataFrame, dict[str, pd.DataFrame]], pd.Series]:
    return lambda k, _: k[col].isna()


def _range(col: str, lo: float | None, hi: float | None) -> Callable[..., pd.Series]:
    def bad(k: pd.DataFrame, _: object) -> pd.Series:
        v = k[col]
        out = pd.Series(False, index=k.index)
        if lo is not None:
            out |= v < lo
        if hi is not None:
            out |= v > hi
        return out & v.notna()

    return bad


def _pattern(col: str, pattern: str) -> Callable[..., pd.Series]:
    rx = re.compile(pattern)
    return lambda k, _: k[col].notna() & ~k[col].astype(str).map(lambda v: rx.fullmatch(v) is not None)


def _allowed(col: str, values: list[str]) -> Callable[..., pd.Series]:
    return lambda k, _: k[col].notna() & ~k[col].astype(str).isin(values)


def _unique(cols: list[str]) -> Callable[..., pd.Series]:
    return lambda k, _: k.duplicated(cols, keep=False)


def _row_sum(cols: list[str], total: str, tol: float) -> Callable[..., pd.Series]:
    def bad(k: pd.DataFrame, _: object) -> pd.Series:
        present = k[[*cols, total]].notna().all(axis=1)
        return present & ((k[cols].sum(axis=1) - k[total]).abs() > tol)

    return bad


def _reference(col: str, dataset: str, target: str) -> Callable[..., pd.Series]:
    return lambda k, refs: k[col].notna() & ~k[col].astype(str).isin(set(refs[dataset][target].astype(str)))


SOORTEN = ["Gemeente", "Wijk", "Buurt"]
CASES = [
    RuleCase(
        "completeness_pass",
        {"rule": "completeness", "column": "GemiddeldeWoningwaarde_35", "max_empty": 0.1},
        _na("GemiddeldeWoningwaarde_35"),
        True,
    ),
    RuleCase(
        "completeness_fail",
        {"rule": "completeness", "column": "TweeOnderEenKapWoning_51", "max_empty": 0.2},
        _na("TweeOnderEenKapWoning_51"),
        False,
    ),
    RuleCase(
        "range_pass",
        {"rule": "range", "column": "AantalInwoners_5", "min": 0, "max": 1_000_000},
        _range("AantalInwoners_5", 0, 1_000_000),
        True,
    ),
    RuleCase(
        "range_fail",
        {"rule": "range", "column": "GemiddeldeWoningwaarde_35", "min": 100.5, "max": 400},
        _range("GemiddeldeWoningwaarde_35", 100.5, 400),
        False,
    ),
    RuleCase(
        "pattern_pass",
        {"rule": "pattern", "column": "WijkenEnBuurten", "pattern": CBS_REGION_PATTERN},
        _pattern("WijkenEnBuurten", CBS_REGION_PATTERN),
        True,
    ),
    RuleCase(
        "pattern_fail",
        {"rule": "pattern", "column": "Codering_3", "pattern": r"BU\d{4}[0-4]\d{3}"},
        _pattern("Codering_3", r"BU\d{4}[0-4]\d{3}"),
        False,
    ),
    RuleCase(
        "allowed_values_pass",
        {"rule": "allowed_values", "column": "SoortRegio_2", "values": SOORTEN},
        _allowed("SoortRegio_2", SOORTEN),
        True,
    ),
    RuleCase(
        "allowed_values_fail",
        {"rule": "allowed_values", "column": "SoortRegio_2", "values": ["Wijk"], "severity": "warning"},
        _allowed("SoortRegio_2", ["Wijk"]),
        False,
    ),
    RuleCase("unique_pass", {"rule": "unique", "columns": ["WijkenEnBuurten"]}, _unique(["WijkenEnBuurten"]), True),
    RuleCase(
        "unique_fail",
        {"rule": "unique", "columns": ["Gemeentenaam_1", "SoortRegio_2"]},
        _unique(["Gemeentenaam_1", "SoortRegio_2"]),
        False,
    ),
    RuleCase(
        "row_sum_pass",
        {"rule": "row_sum", "columns": ["Mannen_6", "Vrouwen_7"], "total": "AantalInwoners_5", "tolerance": 10},
        _row_sum(["Mannen_6", "Vrouwen_7"], "AantalInwoners_5", 10),
        True,
    ),
    RuleCase(
        "row_sum_fail",
        {"rule": "row_sum", "columns": ["Mannen_6", "Vrouwen_7"], "total": "AantalInwoners_5"},
        _row_sum(["Mannen_6", "Vrouwen_7"], "AantalInwoners_5", 0),
        False,
    ),
    RuleCase(
        "reference_pass",
        {"rule": "reference", "column": "Codering_3", "dataset": KWB, "to_column": "WijkenEnBuurten"},
        _reference("Codering_3", KWB, "WijkenEnBuurten"),
        True,
    ),
    RuleCase(
        "reference_fail",
        {"rule": "reference", "column": "Codering_3", "dataset": WIJKEN, "to_column": "wijkcode"},
        _reference("Codering_3", WIJKEN, "wijkcode"),
        False,
    ),
]


@pytest.fixture(scope="module")
def kwb(conform_home: Path) -> tuple[Path, dict[str, list[str]], pd.DataFrame, dict[str, pd.DataFrame]]:
    """The staged file (the real KWB 2019 file of the current version), the references, the oracle's frames."""
    from tests.conftest import make_settings

    with Platform(make_settings(conform_home)) as p:
        [file] = p.catalog.table_ref(KWB).files
        refs = {d: list(p.catalog.table_ref(d).files) for d in (KWB, KWB21, WIJKEN)}
    frames = {d: pq.read_table(f).to_pandas() for d, f in refs.items()}
    return Path(file), refs, pq.read_table(file).to_pandas(), frames


def test_every_rule_kind_has_a_passing_and_a_failing_case() -> None:
    kinds = {get_args(t.model_fields["rule"].annotation)[0] for t in get_args(get_args(Rule)[0])}
    engine_kinds = kinds - set(VERSION_RULES)
    for verdict in (True, False):
        covered = {c.rule["rule"] for c in CASES if c.passes is verdict}
        assert covered == engine_kinds, f"passes={verdict}: missing {engine_kinds - covered}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(conform: Platform, kwb: tuple, case: RuleCase) -> None:  # type: ignore[type-arg]
    staged, refs, frame, frames = kwb
    rule = RULE.validate_python(case.rule)
    [got] = conform.engine.check_rules(staged, [rule], refs)
    bad = case.failing(frame, frames)
    n = int(bad.sum())
    assert got["passed"] is case.passes
    assert got["checked"] == len(frame)
    if case.rule["rule"] == "completeness":
        assert got["facts"]["empty"] == n
        assert got["failing"] == (0 if case.passes else n - int(case.rule["max_empty"] * len(frame)))
    else:
        assert got["failing"] == n and got["facts"]["bad"] == n
    assert (n == 0) is case.passes or case.rule["rule"] == "completeness"
    if case.passes or case.rule["rule"] == "completeness":
        assert got["examples"] == []
        return
    # the first three failing rows, numbered from 1 as in the file, with the rule's columns' values
    rows = [int(i) + 1 for i in frame.index[bad][:3]]
    assert [e["row"] for e in got["examples"]] == rows
    columns = [case.rule["column"]] if case.rule["rule"] == "reference" else got["columns"]
    for example, row in zip(got["examples"], rows, strict=True):
        want = {c: frame.iloc[row - 1][c] for c in columns}
        assert example["values"] == pytest.approx(want) if isinstance(next(iter(want.values())), float) else want


def test_several_rules_in_one_pass_agree_with_one_at_a_time(conform: Platform, kwb: tuple) -> None:  # type: ignore[type-arg]
    staged, refs, _, _ = kwb
    rules = [RULE.validate_python(c.rule) for c in CASES]
    together = conform.engine.check_rules(staged, rules, refs)
    alone = [conform.engine.check_rules(staged, [r], refs)[0] for r in rules]
    assert together == alone


def test_a_reference_to_a_dataset_without_a_version_is_skipped(conform: Platform, kwb: tuple) -> None:  # type: ignore[type-arg]
    staged, _, _, _ = kwb
    rule = RULE.validate_python({"rule": "reference", "column": "WijkenEnBuurten", "dataset": "nog_niet_geladen"})
    [got] = conform.engine.check_rules(staged, [rule], {})
    assert got["skipped"] == "no_reference" and got["passed"] is True


def test_version_rules_from_the_engines_profiles(conform: Platform, kwb: tuple) -> None:  # type: ignore[type-arg]
    """``change`` compares two versions' profiles (here the KWB of 2019 and of 2021); ``timeliness``
    needs only the delivery times. Both are evaluated outside the engine on what it measured."""
    _, refs, frame, frames = kwb
    cols = [ProfileColumn("AantalInwoners_5", ColumnType.integer)]
    before = conform.engine.profile([Path(f) for f in refs[KWB]], cols)
    after = conform.engine.profile([Path(f) for f in refs[KWB21]], cols)
    mean_before, mean_after = frame.AantalInwoners_5.mean(), frames[KWB21].AantalInwoners_5.mean()
    change = RULE.validate_python(
        {"rule": "change", "metric": "mean", "column": "AantalInwoners_5", "max_change": 0.01}
    )
    got = check_change(change, after, before)
    # a profile keeps a mean to 6 significant digits (docs/quality.md)
    assert got["facts"]["previous"] == pytest.approx(mean_before, rel=1e-5)
    assert got["facts"]["current"] == pytest.approx(mean_after, rel=1e-5)
    assert got["passed"] is bool(abs(mean_after - mean_before) / mean_before <= 0.01)
    rows = RULE.validate_python({"rule": "change", "metric": "row_count", "max_change": 0.2})
    assert check_change(rows, after, before)["passed"] is True  # 159 rows both years
    late = RULE.validate_python({"rule": "timeliness", "grace_days": 0})
    delivered = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
    assert check_timeliness(late, "annual", delivered - dt.timedelta(days=400), delivered)["passed"] is False
    assert check_timeliness(late, "annual", delivered - dt.timedelta(days=300), delivered)["passed"] is True
