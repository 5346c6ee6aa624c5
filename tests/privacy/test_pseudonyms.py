"""Keyed pseudonyms, the generalisation rules, and each column's transform from its contract."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stadsdata import demo
from stadsdata.core.contract import Column, ColumnType, PersonalData, Text, load_contract
from stadsdata.privacy.pseudonyms import (
    RULES,
    Transform,
    TransformKind,
    age_band5,
    canonical_text,
    generalise,
    is_age,
    is_postcode,
    new_key,
    pc4,
    plan_columns,
    pseudonym,
    transform_for,
    workspace_columns,
    year,
)

KEYS = st.binary(min_size=16, max_size=80)
IDENTIFIERS = st.one_of(
    st.text(min_size=1),
    st.integers(),
    st.dates(),
    st.from_regex(r"\A[0-9]{9}\Z"),  # BSN-shaped
)


def column(name: str, kind: ColumnType, flag: PersonalData, unit: str | None = None) -> Column:
    return Column(name=name, type=kind, unit=unit, description=Text(nl=name), personal_data=flag)


# -- keys and pseudonyms ----------------------------------------------------------------------
def test_new_key_is_32_random_bytes() -> None:
    keys = {new_key() for _ in range(100)}
    assert len(keys) == 100 and all(len(k) == 32 for k in keys)


def test_pseudonym_is_truncated_hmac_sha256() -> None:
    key = bytes(range(32))
    assert pseudonym(key, "123456782") == hmac.new(key, b"123456782", hashlib.sha256).hexdigest()[:32]
    assert re.fullmatch(r"[0-9a-f]{32}", pseudonym(key, "x"))


@given(key=KEYS, value=IDENTIFIERS)
def test_property_stable_within_a_key(key: bytes, value: str | int | dt.date) -> None:
    assert pseudonym(key, value) == pseudonym(bytes(key), value)


@given(key=KEYS, other=KEYS, value=IDENTIFIERS)
def test_property_differs_across_keys(key: bytes, other: bytes, value: str | int | dt.date) -> None:
    if key != other:
        assert pseudonym(key, value) != pseudonym(other, value)


@given(key=KEYS, a=IDENTIFIERS, b=IDENTIFIERS)
def test_property_distinct_values_distinct_pseudonyms(
    key: bytes, a: str | int | dt.date, b: str | int | dt.date
) -> None:
    if canonical_text(a) != canonical_text(b):
        assert pseudonym(key, a) != pseudonym(key, b)


@given(key=KEYS, value=st.one_of(st.text(min_size=8), st.from_regex(r"\A[0-9]{9}\Z"), st.integers(min_value=10**8)))
def test_property_no_input_value_in_the_pseudonym(key: bytes, value: str | int) -> None:
    # 8 or more characters: a shorter value can occur in 32 hex digits by chance ("a1")
    assert canonical_text(value) not in pseudonym(key, value)


def test_real_bsn_like_values_do_not_survive() -> None:
    key = new_key()
    for bsn in ("111222333", "123456782", "999999990"):
        out = pseudonym(key, bsn)
        assert bsn not in out and bsn[:5] not in out


def test_canonical_text() -> None:
    assert canonical_text("0123") == "0123"
    assert canonical_text(123) == canonical_text("123") == "123"  # 123 and '123' join
    assert canonical_text(-5) == "-5"
    assert canonical_text(dt.date(1984, 2, 29)) == "1984-02-29"
    for bad in (True, 1.5, dt.datetime(2020, 1, 1), b"x", None):
        with pytest.raises(TypeError):
            canonical_text(bad)  # type: ignore[arg-type]


def test_short_key_refused() -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        pseudonym(b"too short", "x")


# -- generalisation rules ---------------------------------------------------------------------
def test_year() -> None:
    assert year(dt.date(1984, 2, 29)) == 1984
    assert year(dt.datetime(1990, 6, 1, 12, 0)) == 1990
    # 23:30 UTC on New Year's Eve is already the new year in Amsterdam
    assert year(dt.datetime(2019, 12, 31, 23, 30, tzinfo=dt.UTC)) == 2020
    assert year(dt.datetime(2019, 12, 31, 22, 30, tzinfo=dt.UTC)) == 2019
    assert year(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2511 AB", "2511"),  # Den Haag, Binnenhof
        ("2511AB", "2511"),
        ("2511ab", "2511"),
        (" 2511 AB ", "2511"),
        ("9401", "9401"),  # Assen, only PC4
        ("1012 JS", "1012"),
        ("0123 AB", None),  # no postcode starts with 0
        ("2511 A", None),
        ("25111", None),
        ("2511-AB", None),
        ("2511  AB", None),
        ("2511 AB\n", None),
        ("Binnenhof 1", None),
        ("", None),
        (None, None),
    ],
)
def test_pc4(value: str | None, expected: str | None) -> None:
    assert pc4(value) == expected


def test_pc4_on_the_real_den_haag_postcodes() -> None:
    with open(demo.data_path("cbs_kwb_2019_den_haag"), encoding="utf-8", newline="") as handle:
        values = [r["MeestVoorkomendePostcode_113"] for r in csv.DictReader(handle)]
    real = [v for v in values if v]
    assert len(real) > 100
    assert all(pc4(v) == v for v in real)  # already PC4: unchanged
    assert all(pc4(f"{v} XY") == v and pc4(f"{v}xy") == v for v in real)


@pytest.mark.parametrize(
    ("age", "band"),
    [(0, "0-4"), (4, "0-4"), (5, "5-9"), (37, "35-39"), (64, "60-64"), (99, "95-99"), (100, "100+"), (112, "100+")],
)
def test_age_band5(age: int, band: str) -> None:
    assert age_band5(age) == band


def test_age_band5_edges() -> None:
    assert age_band5(-1) is None and age_band5(None) is None


@given(st.integers(min_value=0, max_value=99))
def test_property_age_band_contains_the_age(age: int) -> None:
    low, high = (int(x) for x in age_band5(age).split("-"))  # type: ignore[union-attr]
    assert low <= age <= high and high - low == 4 and low % 5 == 0


def test_rule_registry() -> None:
    assert set(RULES) == {"none", "drop", "year", "pc4", "age_band5"}
    assert generalise("none", "x") == "x" and generalise("drop", "x") is None
    assert generalise("pc4", "2511 AB") == "2511"
    with pytest.raises(ValueError, match="unknown generalisation rule"):
        generalise("pc6", "2511 AB")


# -- transforms -------------------------------------------------------------------------------
def test_transform_texts() -> None:
    assert str(Transform.parse("keep")) == "keep"
    assert str(Transform.parse("pseudonymise")) == "pseudonymise"
    assert str(Transform.parse("generalise:pc4")) == "generalise:pc4"
    assert Transform.parse("generalise:none").kind == TransformKind.keep
    assert Transform.parse("generalise:drop").kind == TransformKind.exclude
    assert not Transform.parse("exclude").included
    for bad in ("hash", "generalise", "generalise:pc6", "keep:x", ""):
        with pytest.raises(ValueError):
            Transform.parse(bad)
    assert Transform(TransformKind.pseudonymise).apply(bytes(16), "x") == pseudonym(bytes(16), "x")
    assert Transform(TransformKind.generalise, "year").apply(bytes(16), dt.date(2001, 5, 5)) == 2001


@pytest.mark.parametrize(
    ("col", "expected"),
    [
        (column("bsn", ColumnType.string, PersonalData.direct_identifier), "pseudonymise"),
        (column("clientnummer", ColumnType.integer, PersonalData.direct_identifier), "pseudonymise"),
        (column("geboortedatum", ColumnType.date, PersonalData.direct_identifier), "pseudonymise"),
        (column("foto", ColumnType.geometry, PersonalData.direct_identifier), "exclude"),
        (column("geboortedatum", ColumnType.date, PersonalData.quasi_identifier), "generalise:year"),
        (column("aanmeldmoment", ColumnType.datetime, PersonalData.quasi_identifier), "generalise:year"),
        (column("postcode", ColumnType.string, PersonalData.quasi_identifier), "generalise:pc4"),
        (column("Postcode6", ColumnType.string, PersonalData.quasi_identifier), "generalise:pc4"),
        (column("adres_pc", ColumnType.string, PersonalData.quasi_identifier, unit="PC6"), "generalise:pc4"),
        (column("leeftijd", ColumnType.integer, PersonalData.quasi_identifier), "generalise:age_band5"),
        (column("LeeftijdBijStart", ColumnType.integer, PersonalData.quasi_identifier), "generalise:age_band5"),
        (column("age_at_start", ColumnType.integer, PersonalData.quasi_identifier), "generalise:age_band5"),
        (column("Average", ColumnType.integer, PersonalData.quasi_identifier), "exclude"),
        (column("straat", ColumnType.string, PersonalData.quasi_identifier), "exclude"),
        (column("gezondheid", ColumnType.string, PersonalData.special_category), "exclude"),
        (column("wijk", ColumnType.string, PersonalData.none), "keep"),
    ],
)
def test_transform_for(col: Column, expected: str) -> None:
    assert str(transform_for(col)) == expected


def test_special_category_needs_explicit_approval() -> None:
    col = column("diagnose", ColumnType.string, PersonalData.special_category)
    assert str(transform_for(col)) == "exclude"
    assert str(transform_for(col, special_approved=True)) == "keep"


def test_detectors() -> None:
    assert is_postcode(column("MeestVoorkomendePostcode_113", ColumnType.string, PersonalData.none))
    assert not is_postcode(column("postcode_count", ColumnType.integer, PersonalData.none))
    assert is_age(column("x", ColumnType.integer, PersonalData.none, unit="leeftijd"))
    assert not is_age(column("agent_id", ColumnType.integer, PersonalData.none))


def wmo_columns() -> list[Column]:
    return [
        column("bsn", ColumnType.string, PersonalData.direct_identifier),
        column("geboortedatum", ColumnType.date, PersonalData.quasi_identifier),
        column("postcode", ColumnType.string, PersonalData.quasi_identifier),
        column("wijk", ColumnType.string, PersonalData.quasi_identifier),
        column("voorziening", ColumnType.string, PersonalData.none),
        column("indicatie_grond", ColumnType.string, PersonalData.special_category),
        column("startdatum", ColumnType.date, PersonalData.none),
    ]


def test_plan_columns() -> None:
    plans = plan_columns(
        wmo_columns(),
        approved=["bsn", "geboortedatum", "postcode", "wijk", "voorziening", "indicatie_grond"],
        overrides={"wijk": "keep"},
    )
    got = {p.name: str(p.transform) for p in plans}
    assert got == {
        "bsn": "pseudonymise",
        "geboortedatum": "generalise:year",
        "postcode": "generalise:pc4",
        "wijk": "keep",
        "voorziening": "keep",
        "indicatie_grond": "exclude",  # asked for, but not explicitly approved as special category
        "startdatum": "exclude",  # not asked for
    }
    assert {p.name: p.transform.reason for p in plans}["startdatum"] == "not approved for this opgave"
    specs = workspace_columns(plans)
    assert [(c.name, c.transform) for c in specs] == [
        ("bsn", "pseudonymise"),
        ("geboortedatum", "generalise:year"),
        ("postcode", "generalise:pc4"),
        ("wijk", "keep"),
        ("voorziening", "keep"),
    ]
    with_special = plan_columns(wmo_columns(), special_approved=["indicatie_grond"])
    assert str(next(p for p in with_special if p.name == "indicatie_grond").transform) == "keep"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bsn": "keep"}, "direct identifier"),
        ({"bsn": "generalise:pc4"}, "direct identifier"),
        ({"indicatie_grond": "keep"}, "explicit approval"),
        ({"indicatie_grond": "pseudonymise"}, "explicit approval"),
        ({"geboortedatum": "generalise:pc4"}, "does not apply"),
        ({"voorziening": "generalise:age_band5"}, "does not apply"),
        ({"nope": "keep"}, "unknown columns"),
        ({"wijk": "hash"}, "unknown transform"),
    ],
)
def test_plan_overrides_cannot_weaken(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_columns(wmo_columns(), overrides=overrides)


def test_every_demo_contract_gets_a_plan() -> None:
    for dataset in demo.DEMO_DATASETS:
        path = demo.contract_path(dataset)
        if not path.exists():
            continue
        contract = load_contract(path)
        plans = plan_columns(contract.columns)
        assert [p.name for p in plans] == [c.name for c in contract.columns]
        for p in plans:
            if p.personal_data == PersonalData.direct_identifier:
                assert p.transform.kind in (TransformKind.pseudonymise, TransformKind.exclude)
            if p.personal_data == PersonalData.special_category:
                assert p.transform.kind == TransformKind.exclude
