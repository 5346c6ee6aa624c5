"""Disclosure control: primary and secondary suppression of count tables, the p% rule for
magnitude tables, rounding, and the export decision.

The guarantee is checked from the outside: a small solver of its own (numpy, floating point rank)
takes only what a table publishes and asks, for every suppressed cell, whether the published cells
and totals fix its value."""

from __future__ import annotations

import csv
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stadsdata import demo
from stadsdata.privacy.disclosure import (
    SUPPRESSED,
    DisclosureError,
    check_frequency_table,
    check_magnitude_table,
    decide_export,
    p_percent_sensitive,
    round_to_base,
)

WIJKEN = ["Centrum", "Laak", "Escamp"]
TYPES = ["hulp", "vervoer", "woning"]


def cross_table(values: dict[tuple[Any, Any], int], *, margins: bool = True) -> list[dict[str, Any]]:
    rows = sorted({r for r, _ in values}, key=str)
    cols = sorted({c for _, c in values}, key=str)
    out = [{"wijk": r, "type": c, "n": values[r, c]} for r in rows for c in cols if (r, c) in values]
    if margins:
        out += [{"wijk": r, "type": None, "n": sum(values.get((r, c), 0) for c in cols)} for r in rows]
        out += [{"wijk": None, "type": c, "n": sum(values.get((r, c), 0) for r in rows)} for c in cols]
        out.append({"wijk": None, "type": None, "n": sum(values.values())})
    return out


def published(rows: list[dict[str, Any]]) -> dict[tuple[Any, Any], Any]:
    return {(r["wijk"], r["type"]): r["n"] for r in rows}


# -- an independent check of what a reader can recompute ----------------------------------------
def lines_of(rows: list[Any], cols: list[Any]) -> list[tuple[list[tuple[Any, Any]], tuple[Any, Any]]]:
    lines = [([(r, c) for c in cols], (r, None)) for r in rows]
    lines += [([(r, c) for r in rows], (None, c)) for c in cols]
    lines.append(([(None, c) for c in cols], (None, None)))
    lines.append(([(r, None) for r in rows], (None, None)))
    return lines


def recomputable(output: list[dict[str, Any]], original: dict[tuple[Any, Any], int]) -> list[tuple[Any, Any]]:
    """The suppressed cells whose value follows from what is published. A cell the output lacks is
    known to a reader: a missing combination is zero, and a table without margins is taken to have
    totals known from elsewhere. Numpy rank over the unknown cells."""
    shown = published(output)
    rows = sorted({r for r, _ in original}, key=str)
    cols = sorted({c for _, c in original}, key=str)
    unknown = [k for k, v in shown.items() if v is None]
    index = {k: i for i, k in enumerate(unknown)}
    matrix = []
    for members, total in lines_of(rows, cols):
        row = np.zeros(len(unknown))
        for k in members:
            if k in index:
                row[index[k]] += 1
        if total in index:
            row[index[total]] -= 1
        if row.any():
            matrix.append(row)
    if not unknown:
        return []
    a = np.array(matrix) if matrix else np.zeros((0, len(unknown)))
    rank = np.linalg.matrix_rank(a) if len(a) else 0
    fixed = []
    for k, i in index.items():
        unit = np.zeros(len(unknown))
        unit[i] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            fixed.append(k)
    return fixed


def every_line_has_two(output: list[dict[str, Any]], original: dict[tuple[Any, Any], int]) -> bool:
    shown = published(output)
    rows = sorted({r for r, _ in original}, key=str)
    cols = sorted({c for _, c in original}, key=str)
    for members, total in lines_of(rows, cols):
        keys = [*members, total]
        hidden = sum(1 for k in keys if k in shown and shown[k] is None)
        if hidden == 1:
            return False
    return True


# -- examples -----------------------------------------------------------------------------------
EXAMPLE = {
    ("Centrum", "hulp"): 40,
    ("Centrum", "vervoer"): 3,
    ("Centrum", "woning"): 25,
    ("Laak", "hulp"): 30,
    ("Laak", "vervoer"): 12,
    ("Laak", "woning"): 18,
    ("Escamp", "hulp"): 55,
    ("Escamp", "vervoer"): 20,
    ("Escamp", "woning"): 0,
}


def test_two_way_table_with_margins() -> None:
    check = check_frequency_table(cross_table(EXAMPLE), ["wijk", "type"], "n")
    shown = published(check.rows)
    assert shown["Centrum", "vervoer"] is None
    codes = {(r["wijk"], r["type"]): r[SUPPRESSED] for r in check.rows}
    assert codes["Centrum", "vervoer"] == "primary"
    suppressed = {k for k, v in shown.items() if v is None}
    assert suppressed == {("Centrum", "vervoer"), ("Centrum", "woning"), ("Laak", "vervoer"), ("Laak", "woning")}
    assert all(codes[k] == "secondary" for k in suppressed - {("Centrum", "vervoer")})
    assert shown["Escamp", "woning"] == 0  # a zero cell is published
    assert shown[None, None] == 203  # the margins stay
    assert [str(f) for f in check.findings][0] == "(Centrum, vervoer): primary: n=3 < 10"
    assert "secondary: protects (Centrum, vervoer)" in [f.detail for f in check.findings]
    assert recomputable(check.rows, EXAMPLE) == []


def test_decision_lists_the_cells() -> None:
    check = check_frequency_table(cross_table(EXAMPLE), ["wijk", "type"], "n")
    blocked = decide_export(check)
    assert blocked.status == "blocked" and not blocked.released
    assert blocked.explanation.startswith("blocked: 1 sensitive cell (threshold 10), 3 secondary: ")
    assert "(Centrum, vervoer): primary: n=3 < 10" in blocked.explanation
    assert "\n" not in blocked.explanation and len(blocked.cells) == 4
    assert decide_export(check, suppressed_ok=True).explanation.startswith("released with suppression: ")
    # the protected table itself passes a second check, as it is
    again = check_frequency_table(check.rows, ["wijk", "type"], "n")
    assert again.findings == [] and again.already_suppressed == 4
    assert decide_export(again).explanation == "released: 16 cells pass (threshold 10); 4 cells came suppressed"


def test_clean_table_is_released() -> None:
    values = {k: v + 10 for k, v in EXAMPLE.items()}
    check = check_frequency_table(cross_table(values), ["wijk", "type"], "n")
    assert check.findings == [] and decide_export(check).status == "released"
    assert all(r[SUPPRESSED] is None for r in check.rows)


def test_threshold_is_configurable() -> None:
    check = check_frequency_table(cross_table(EXAMPLE), ["wijk", "type"], "n", threshold=20)
    primary = {f.label for f in check.findings if f.code == "primary"}
    assert primary == {"(Centrum, vervoer)", "(Laak, vervoer)", "(Laak, woning)"}
    assert recomputable(check.rows, EXAMPLE) == []
    with pytest.raises(DisclosureError):
        check_frequency_table(cross_table(EXAMPLE), ["wijk", "type"], "n", threshold=0)


def test_small_margin_is_primary() -> None:
    values = {("A", "x"): 2, ("A", "y"): 3, ("B", "x"): 40, ("B", "y"): 50}
    check = check_frequency_table(cross_table(values), ["wijk", "type"], "n")
    shown = published(check.rows)
    assert shown["A", None] is None  # row total 5 < 10
    assert recomputable(check.rows, values) == []
    assert every_line_has_two(check.rows, values)


def test_table_without_margins_assumes_the_totals_are_known() -> None:
    rows = cross_table(EXAMPLE, margins=False)
    safe = check_frequency_table(rows, ["wijk", "type"], "n")
    assert len([f for f in safe.findings if f.code == "secondary"]) == 3
    assert recomputable(safe.rows, EXAMPLE) == []
    trusting = check_frequency_table(rows, ["wijk", "type"], "n", totals_known=False)
    assert [f.code for f in trusting.findings] == ["primary"]


def test_one_way_table() -> None:
    counts = Counter({"Centrum": 120, "Laak": 4, "Escamp": 300, "Loosduinen": 45})
    rows = [{"wijk": w, "n": n} for w, n in counts.items()] + [{"wijk": None, "n": sum(counts.values())}]
    check = check_frequency_table(rows, ["wijk"], "n")
    shown = {r["wijk"]: r["n"] for r in check.rows}
    assert shown["Laak"] is None and shown["Loosduinen"] is None  # the smallest other cell
    assert shown[None] == 469
    assert decide_export(check).status == "blocked"


def test_one_category_with_a_known_total_cannot_be_protected() -> None:
    check = check_frequency_table([{"wijk": "Laak", "n": 4}], ["wijk"], "n")
    assert [f.code for f in check.findings] == ["primary", "unprotectable"]
    decision = decide_export(check, suppressed_ok=True)
    assert decision.status == "blocked" and "cannot be protected" in decision.explanation


def test_missing_combinations_are_zeros_and_can_be_complements() -> None:
    values = {("A", "x"): 3, ("A", "y"): 0, ("B", "x"): 0, ("B", "y"): 50}
    rows = [r for r in cross_table(values) if r["n"] != 0 or r["wijk"] is None or r["type"] is None]
    check = check_frequency_table(rows, ["wijk", "type"], "n")
    assert recomputable(check.rows, values) == []
    assert every_line_has_two(check.rows, values)


def test_rounding_to_base_five() -> None:
    assert [round_to_base(v) for v in (0, 2, 3, 7, 12, 12.5, 13, 203)] == [0, 0, 5, 5, 10, 15, 15, 205]
    check = check_frequency_table(cross_table(EXAMPLE), ["wijk", "type"], "n", rounding_base=5)
    values = [r["n"] for r in check.rows if r["n"] is not None]
    assert values and all(v % 5 == 0 for v in values)
    assert published(check.rows)["Centrum", "vervoer"] is None


@pytest.mark.parametrize(
    ("rows", "dims", "message"),
    [
        ([{"wijk": "A", "type": "x", "n": 3}], ["wijk", "type", "n"], "one or two dimensions"),
        ([{"wijk": "A", "n": 3}, {"wijk": "A", "n": 4}], ["wijk"], "occurs twice"),
        ([{"wijk": "A", "n": -1}], ["wijk"], "expected a number of 0 or more"),
        ([{"wijk": "A", "n": "3"}], ["wijk"], "expected a number of 0 or more"),
        ([{"wijk": "A"}], ["wijk"], "lacks the column"),
        ([{"wijk": "A", "n": 30}, {"wijk": None, "n": 31}], ["wijk"], "is 31 but its cells sum to 30"),
        (
            [
                {"wijk": "A", "type": "x", "n": 30},
                {"wijk": "B", "type": "x", "n": 30},
                {"wijk": "A", "type": None, "n": 30},
            ],
            ["wijk", "type"],
            "some row totals but not",
        ),
    ],
)
def test_bad_tables(rows: list[dict[str, Any]], dims: list[str], message: str) -> None:
    with pytest.raises(DisclosureError, match=message):
        check_frequency_table(rows, dims, "n")


def test_a_named_total_label() -> None:
    rows = [{"wijk": "A", "n": 30}, {"wijk": "B", "n": 3}, {"wijk": "C", "n": 40}, {"wijk": "Totaal", "n": 73}]
    check = check_frequency_table(rows, ["wijk"], "n", total="Totaal")
    shown = {r["wijk"]: r["n"] for r in check.rows}
    assert shown == {"A": None, "B": None, "C": 40, "Totaal": 73}


def test_real_counts_from_the_kwb() -> None:
    """Inhabitants per wijk x kind of region in Den Haag 2019 (real counts, with small cells)."""
    with open(demo.data_path("cbs_kwb_2019_den_haag"), encoding="utf-8", newline="") as handle:
        source = list(csv.DictReader(handle))
    buurten = [r for r in source if r["SoortRegio_2"] == "Buurt"]
    # buurten per wijk code x whether the buurt has fewer than 100 inhabitants
    values: dict[tuple[Any, Any], int] = Counter(
        (r["WijkenEnBuurten"][2:8], "klein" if int(r["AantalInwoners_5"]) < 100 else "groot") for r in buurten
    )
    check = check_frequency_table(cross_table(dict(values)), ["wijk", "type"], "n")
    shown = published(check.rows)
    assert any(v is None for v in shown.values())
    assert all(v is None or v == 0 or v >= 10 for v in shown.values())
    assert recomputable(check.rows, dict(values)) == []
    assert every_line_has_two(check.rows, dict(values))


# -- properties ----------------------------------------------------------------------------------
COUNTS = st.one_of(st.integers(0, 12), st.integers(10, 200))


@st.composite
def two_way(draw: st.DrawFn) -> dict[tuple[Any, Any], int]:
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 5))
    return {(f"r{i}", f"c{j}"): draw(COUNTS) for i in range(n_rows) for j in range(n_cols)}


@settings(max_examples=300, deadline=None)
@given(values=two_way(), margins=st.booleans(), threshold=st.sampled_from([3, 5, 10]))
def test_property_no_small_cell_and_nothing_recomputable(
    values: dict[tuple[Any, Any], int], margins: bool, threshold: int
) -> None:
    check = check_frequency_table(cross_table(values, margins=margins), ["wijk", "type"], "n", threshold=threshold)
    shown = published(check.rows)
    # no published cell is below the threshold
    assert all(v is None or v == 0 or v >= threshold for v in shown.values())
    # every primary cell is suppressed
    full = published(cross_table(values, margins=margins))
    assert all(shown[k] is None for k, v in full.items() if 0 < v < threshold)
    if not check.protectable:
        assert decide_export(check, suppressed_ok=True).status == "blocked"
        return
    # every row and column with a suppressed cell has another one, or a suppressed margin
    assert every_line_has_two(check.rows, values)
    # and no suppressed cell is fixed by what is published (and the totals a reader may know)
    assert recomputable(check.rows, values) == []


@settings(max_examples=200, deadline=None)
@given(counts=st.lists(COUNTS, min_size=2, max_size=8), margin=st.booleans())
def test_property_one_way(counts: list[int], margin: bool) -> None:
    rows = [{"wijk": f"w{i}", "n": n} for i, n in enumerate(counts)]
    if margin:
        rows.append({"wijk": None, "n": sum(counts)})
    check = check_frequency_table(rows, ["wijk"], "n")
    shown = {r["wijk"]: r["n"] for r in check.rows}
    assert all(v is None or v == 0 or v >= 10 for v in shown.values())
    hidden = [k for k, v in shown.items() if v is None]
    assert len(hidden) != 1  # one suppressed cell would follow from the total
    if hidden and check.protectable:
        assert len(hidden) >= 2


# -- magnitude tables ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("parts", "p", "sensitive"),
    [
        ([100, 5, 3], 10, True),  # 3 < 10: the runner-up knows the largest to within 3%
        ([50, 40, 30], 10, False),
        ([100, 5, 3, 4], 10, True),  # 7 < 10
        ([100, 5, 3, 4], 5, False),  # 7 >= 5
        ([1000], 10, True),  # one contributor
        ([600, 400], 10, True),  # two contributors
        ([0, 0, 0], 10, False),
        ([], 10, False),
        ([30, 30, 30, 30], 10, False),
    ],
)
def test_p_percent_rule(parts: list[float], p: float, sensitive: bool) -> None:
    assert p_percent_sensitive(parts, p) is sensitive


def test_magnitude_table() -> None:
    """Wmo costs per wijk x provision, one record per client; one client dominates a cell."""
    contributions = []
    costs = {
        ("Centrum", "hulp"): [1200, 900, 1500, 1100, 700],
        ("Centrum", "vervoer"): [25000, 300, 200],  # dominated: 200 < 10% of 25000
        ("Laak", "hulp"): [800, 950, 1000, 1300],
        ("Laak", "vervoer"): [400, 500, 450, 600],
    }
    client = 0
    for (wijk, kind), values in costs.items():
        for v in values:
            client += 1
            contributions.append({"wijk": wijk, "type": kind, "kosten": v, "client": f"c{client}"})
    check = check_magnitude_table(contributions, ["wijk", "type"], "kosten", contributor="client")
    shown = {(r["wijk"], r["type"]): r["kosten"] for r in check.rows}
    assert shown["Centrum", "vervoer"] is None
    assert [f.code for f in check.findings][0] == "dominance"
    assert "% of the largest (< 10%)" in check.findings[0].detail
    hidden = {k for k, v in shown.items() if v is None}
    assert len(hidden) >= 4  # the rectangle, or the rows with their margins
    original = {k: sum(v) for k, v in costs.items()}
    as_counts = [{"wijk": r["wijk"], "type": r["type"], "n": r["kosten"]} for r in check.rows]
    assert recomputable(as_counts, original) == []
    assert shown[None, None] == sum(original.values())
    assert check.rule == "p% rule, p=10"
    assert decide_export(check).status == "blocked"


def test_magnitude_adds_up_one_contributor_first() -> None:
    rows = [
        {"wijk": "A", "kosten": 100, "client": "x"},
        {"wijk": "A", "kosten": 100, "client": "x"},
        {"wijk": "A", "kosten": 100, "client": "y"},
        {"wijk": "A", "kosten": 100, "client": "z"},
    ]
    per_record = check_magnitude_table(rows, ["wijk"], "kosten", margins=False, totals_known=False)
    per_client = check_magnitude_table(
        rows, ["wijk"], "kosten", contributor="client", margins=False, totals_known=False
    )
    assert per_record.findings == []  # four records of 100: 200 >= 10
    assert [f.code for f in per_client.findings] == []  # x=200, y=100, z=100: 100 >= 20
    few = check_magnitude_table(
        rows, ["wijk"], "kosten", contributor="client", margins=False, totals_known=False, min_contributors=5
    )
    assert [f.detail for f in few.findings] == ["primary: 3 contributors < 5"]


def test_magnitude_bad_input() -> None:
    with pytest.raises(DisclosureError, match="expected a category"):
        check_magnitude_table([{"wijk": None, "kosten": 1}], ["wijk"], "kosten")
    with pytest.raises(DisclosureError, match="0 or more"):
        check_magnitude_table([{"wijk": "A", "kosten": -1}], ["wijk"], "kosten")
    with pytest.raises(DisclosureError, match="above 0"):
        check_magnitude_table([{"wijk": "A", "kosten": 1}], ["wijk"], "kosten", p=0)
