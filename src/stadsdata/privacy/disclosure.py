"""Disclosure control: the output check a result passes before it leaves a workspace.

Pure Python over small result tables. A table comes in as **records**: a sequence of mappings, one
per cell (``QueryResult`` rows zipped with its columns, or ``pyarrow.Table.to_pylist()``), with one
or two dimension columns and a value column. A margin (total) cell has the ``total`` marker (by
default None, as SQL's ``GROUP BY ROLLUP``/``CUBE`` gives it) in the dimension it sums over.

- ``check_frequency_table``: counts. Primary suppression of cells with 0 < n < threshold, then
  secondary suppression until no suppressed cell can be recomputed from the table's totals.
- ``check_magnitude_table``: sums over contributors (one record per contribution). The p% rule
  marks a cell whose largest contributor could estimate another's value too closely; then the same
  secondary suppression.
- ``decide_export``: released or blocked, with one line naming the cells and why.

The result is a ``CheckedTable``: the records again, with a suppressed cell's value None and its
reason code in the ``suppressed`` column (``primary``, ``secondary``, ``dominance``), and a finding per
cell. Findings quote small counts: they are for the analyst inside the opgave, who sees the data
anyway, not for publication. docs/privacy.md has the algorithm, its guarantee and its limits.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from stadsdata.errors import DisclosureError

SUPPRESSED = "suppressed"  # the reason-code column added to every record
LISTED = 10  # cells named in an explanation line; ExportDecision.cells has them all
UNPROTECTABLE = (
    "cannot be protected: a total a reader may know fixes its value whatever else is suppressed "
    "(a line of one cell without its total; add the line's other categories, or its total)"
)


class _Total:
    def __repr__(self) -> str:
        return "TOTAL"


TOTAL: Any = _Total()  # the internal marker of a margin in a cell key


@dataclass(frozen=True)
class Finding:
    """One cell that is not published as it is, and why."""

    cell: tuple[Any, ...]  # the dimension values; TOTAL for a margin
    code: Literal["primary", "dominance", "secondary", "unprotectable"]
    detail: str

    @property
    def label(self) -> str:
        return _label(self.cell)

    def __str__(self) -> str:
        return f"{self.label}: {self.detail}"


def _label(cell: tuple[Any, ...]) -> str:
    return "(" + ", ".join("total" if v is TOTAL else str(v) for v in cell) + ")"


@dataclass
class CheckedTable:
    """A checked table: the records with suppressed values None and a ``suppressed`` reason code."""

    dimensions: tuple[str, ...]
    value: str
    rule: str  # e.g. "threshold 10" or "p% rule, p=10"
    rows: list[dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)
    already_suppressed: int = 0  # cells that came in as None

    @property
    def protectable(self) -> bool:
        return not any(f.code == "unprotectable" for f in self.findings)


@dataclass(frozen=True)
class ExportDecision:
    status: Literal["released", "blocked"]
    explanation: str  # one line
    cells: list[str]  # "(wijk X, type Y): primary: n=3 < 10"

    @property
    def released(self) -> bool:
        return self.status == "released"


# -- the table as cells and lines --------------------------------------------------------------
@dataclass
class _Line:
    """One additive relation: the sum of ``members`` equals ``total``."""

    members: list[tuple[Any, ...]]
    total: tuple[Any, ...]

    @property
    def keys(self) -> list[tuple[Any, ...]]:
        return [*self.members, self.total]


class _Grid:
    """The cells of a one- or two-way table, which of them are known to a reader, and its lines.

    A cell is *published* (a value), *suppressed* (the reason code), *implied zero* (an interior
    combination missing from the records), or a *virtual* total (a margin the records lack: known
    to a reader when ``totals_known``, else never known).
    """

    def __init__(self, categories: list[list[Any]], cells: dict[tuple[Any, ...], float | None], totals_known: bool):
        self.categories = categories
        self.values: dict[tuple[Any, ...], float] = {}
        self.status: dict[tuple[Any, ...], str | None] = {}
        self.present = set(cells)
        self.protects: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for key, v in cells.items():
            if v is None:
                self.status[key] = "already"
            else:
                self.values[key] = v
                self.status[key] = None
        self.lines = self._lines()
        # A total the table lacks, taken as known to a reader: published elsewhere, or the table
        # left out categories (a GROUP BY drops empty ones) and a total is of one visible cell.
        self.known_totals = {line.total for line in self.lines if totals_known and line.total not in cells}
        self.order = {k: i for i, k in enumerate(dict.fromkeys(k for line in self.lines for k in line.keys))}

    def _lines(self) -> list[_Line]:
        if len(self.categories) == 1:
            return [_Line([(c,) for c in self.categories[0]], (TOTAL,))]
        rows, cols = self.categories
        lines = [_Line([(r, c) for c in cols], (r, TOTAL)) for r in rows]
        lines += [_Line([(r, c) for r in rows], (TOTAL, c)) for c in cols]
        lines.append(_Line([(TOTAL, c) for c in cols], (TOTAL, TOTAL)))
        lines.append(_Line([(r, TOTAL) for r in rows], (TOTAL, TOTAL)))
        return lines

    @staticmethod
    def is_margin(key: tuple[Any, ...]) -> bool:
        return any(v is TOTAL for v in key)

    def unknown(self, key: tuple[Any, ...]) -> bool:
        """Not known to a reader of the published table."""
        if key in self.present:
            return self.status[key] is not None
        if self.is_margin(key):
            return key not in self.known_totals
        return self.status.get(key) is not None  # an implied zero, suppressed as a complement

    def suppressible(self, key: tuple[Any, ...]) -> bool:
        """Published now, and could be suppressed (a virtual total cannot: it is not in the table)."""
        if key in self.present:
            return self.status[key] is None
        return not self.is_margin(key) and key not in self.status

    def value(self, key: tuple[Any, ...]) -> float:
        return self.values.get(key, 0)

    def suppress(self, key: tuple[Any, ...], code: str, protects: tuple[Any, ...] | None = None) -> None:
        self.status[key] = code
        if protects is not None:
            self.protects[key] = protects

    def complement(self, lines: Iterable[_Line]) -> tuple[Any, ...] | None:
        """The cell to suppress next in ``lines``: the smallest non-zero interior cell, else a
        margin, else a zero cell (a zero complement protects least: see docs/privacy.md)."""
        candidates = {k for line in lines for k in line.keys if self.suppressible(k)}
        if not candidates:
            return None
        return min(
            candidates,
            key=lambda k: (self.is_margin(k), self.value(k) == 0, self.value(k), self.order[k]),
        )

    def determined(self) -> list[tuple[Any, ...]]:
        """Unknown cells whose value the published cells and the lines fix exactly (linear algebra
        over the rationals: the cell's unit vector lies in the row space of the lines' equations
        restricted to the unknown cells)."""
        unknowns = [k for k in self.order if self.unknown(k)]
        index = {k: i for i, k in enumerate(unknowns)}
        matrix: list[list[Fraction]] = []
        for line in self.lines:
            row = [Fraction(0)] * len(unknowns)
            for k in line.members:
                if k in index:
                    row[index[k]] += 1
            if line.total in index:
                row[index[line.total]] -= 1
            if any(row):
                matrix.append(row)
        pivots = _rref(matrix, len(unknowns))
        found = []
        for r, c in pivots:
            if sum(1 for x in matrix[r] if x) == 1:
                found.append(unknowns[c])
        return [k for k in found if k in self.present or not self.is_margin(k)]


def _rref(matrix: list[list[Fraction]], width: int) -> list[tuple[int, int]]:
    """Bring ``matrix`` to reduced row echelon form in place; returns the (row, column) pivots."""
    pivots: list[tuple[int, int]] = []
    r = 0
    for c in range(width):
        p = next((i for i in range(r, len(matrix)) if matrix[i][c]), None)
        if p is None:
            continue
        matrix[r], matrix[p] = matrix[p], matrix[r]
        lead = matrix[r][c]
        if lead != 1:
            matrix[r] = [x / lead for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c]:
                f = matrix[i][c]
                matrix[i] = [a - f * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append((r, c))
        r += 1
        if r == len(matrix):
            break
    return pivots


def _protect(grid: _Grid, findings: list[Finding]) -> None:
    """Secondary suppression until stable: no line has exactly one unknown cell, and no unknown
    cell is determined by the lines. A cell that no suppression can hide (it is the only cell of a
    line whose total a reader knows) is reported as unprotectable."""
    hopeless: list[tuple[Any, ...]] = []
    while True:
        changed = False
        for line in grid.lines:
            unknown = [k for k in line.keys if grid.unknown(k)]
            if len(unknown) != 1 or grid.status.get(unknown[0]) is None:
                continue  # nothing hidden, hidden well, or only a total nobody knows
            chosen = grid.complement([line])
            if chosen is not None:
                grid.suppress(chosen, "secondary", protects=unknown[0])
                changed = True
        if changed:
            continue
        exposed = [k for k in grid.determined() if grid.status.get(k) is not None and k not in hopeless]
        if not exposed:
            break
        key = exposed[0]
        own = [line for line in grid.lines if key in line.keys]
        if any(all(k == key or not (grid.unknown(k) or grid.suppressible(k)) for k in line.keys) for line in own):
            hopeless.append(key)
            continue
        chosen = grid.complement(own) or grid.complement(grid.lines)
        if chosen is None:
            hopeless.extend(exposed)
            break
        grid.suppress(chosen, "secondary", protects=key)
    findings.extend(Finding(k, "unprotectable", UNPROTECTABLE) for k in hopeless)


# -- reading records ---------------------------------------------------------------------------
def _read(
    records: Iterable[Mapping[str, Any]],
    dimensions: Sequence[str],
    value: str,
    total: Any,
) -> tuple[list[dict[str, Any]], list[list[Any]], dict[tuple[Any, ...], float | None]]:
    dims = tuple(dimensions)
    if len(dims) not in (1, 2):
        raise DisclosureError(f"expected a table with one or two dimensions; got {len(dims)} ({', '.join(dims)})")
    rows = [dict(r) for r in records]
    categories: list[list[Any]] = [[] for _ in dims]
    seen: list[set[Any]] = [set() for _ in dims]
    cells: dict[tuple[Any, ...], float | None] = {}
    for n, row in enumerate(rows, start=1):
        row.pop(SUPPRESSED, None)
        missing = [c for c in (*dims, value) if c not in row]
        if missing:
            raise DisclosureError(f"row {n} lacks the column(s) {', '.join(missing)}")
        key = tuple(TOTAL if _is_total(row[d], total) else row[d] for d in dims)
        for i, v in enumerate(key):
            if v is not TOTAL and v not in seen[i]:
                seen[i].add(v)
                categories[i].append(v)
        if key in cells:
            raise DisclosureError(f"row {n}: the cell {_label(key)} occurs twice")
        v = row[value]
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0 or math.isnan(v)):
            raise DisclosureError(f"row {n}: {value} is {v!r}; expected a number of 0 or more, or empty (suppressed)")
        cells[key] = v
    _check_margins(categories, cells)
    return rows, categories, cells


def _is_total(v: Any, total: Any) -> bool:
    return v is None if total is None else v == total


def _check_margins(categories: list[list[Any]], cells: dict[tuple[Any, ...], float | None]) -> None:
    """Margins come complete or not at all per dimension, and equal the sums of their cells."""
    if len(categories) == 2:
        rows, cols = categories
        for name, keys in (
            ("row totals", [(r, TOTAL) for r in rows]),
            ("column totals", [(TOTAL, c) for c in cols]),
        ):
            have = [k in cells for k in keys]
            if any(have) and not all(have):
                absent = [_label(k) for k, h in zip(keys, have, strict=True) if not h]
                raise DisclosureError(
                    f"the table has some {name} but not {', '.join(absent[:5])}; expected all or none"
                )
    grid = _Grid(categories, cells, totals_known=False)
    for line in grid.lines:
        if line.total not in cells or cells[line.total] is None:
            continue
        parts = [cells.get(k, 0) if k in cells else (None if grid.is_margin(k) else 0) for k in line.members]
        if any(p is None for p in parts):
            continue
        got = sum(parts)  # type: ignore[arg-type]
        want = cells[line.total]
        if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-6):
            raise DisclosureError(
                f"the total {_label(line.total)} is {want} but its cells sum to {got}; "
                "expected totals that are the exact sums of their cells (check before rounding)"
            )


def _result(
    grid: _Grid,
    rows: list[dict[str, Any]],
    dims: tuple[str, ...],
    value: str,
    total: Any,
    rule: str,
    findings: list[Finding],
    rounding_base: int | None,
) -> CheckedTable:
    def key_of(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(TOTAL if _is_total(row[d], total) else row[d] for d in dims)

    for key, code in grid.status.items():
        if code == "secondary":
            protected = grid.protects.get(key)
            why = f"protects {_label(protected)}" if protected else "protects other cells"
            findings.append(Finding(key, "secondary", f"secondary: {why}"))
    out = []
    for row in rows:
        code = grid.status.get(key_of(row))
        if code is None:
            v = row[value]
            row[value] = round_to_base(v, rounding_base) if rounding_base and v is not None else v
            row[SUPPRESSED] = None
        else:
            row[value] = None
            row[SUPPRESSED] = None if code == "already" else code
        out.append(row)
    for key, code in grid.status.items():  # implied zeros chosen as complements
        if key not in grid.present and code is not None:
            extra = {d: k for d, k in zip(dims, key, strict=True)}
            extra.update({value: None, SUPPRESSED: code})
            out.append(extra)
    order = {k: i for i, k in enumerate(grid.order)}
    findings.sort(key=lambda f: (["primary", "dominance", "secondary", "unprotectable"].index(f.code), order[f.cell]))
    already = sum(1 for c in grid.status.values() if c == "already")
    return CheckedTable(dims, value, rule, out, findings, already)


# -- the checks --------------------------------------------------------------------------------
def check_frequency_table(
    records: Iterable[Mapping[str, Any]],
    dimensions: Sequence[str],
    count: str = "n",
    *,
    threshold: int = 10,
    totals_known: bool = True,
    rounding_base: int | None = None,
    total: Any = None,
) -> CheckedTable:
    """Check a one- or two-way count table, with or without margins.

    Primary suppression: a cell (margins included) with 0 < n < ``threshold``. A zero cell is
    published: it is not in itself about a person (see docs/privacy.md on group disclosure).
    Secondary suppression: until no suppressed cell can be recomputed, every row, column and margin
    line that holds a suppressed cell holds at least two (a suppressed margin counts), and the
    lines leave no suppressed cell's value fixed. ``totals_known``: when the table lacks margins,
    assume a reader knows them anyway (published elsewhere, e.g. the population per wijk), the
    safe default. ``rounding_base``: round the published cells to this base (5) afterwards.
    A cell that comes in as None counts as suppressed already.
    """
    if threshold < 1:
        raise DisclosureError(f"threshold is {threshold}; expected 1 or more")
    rows, categories, cells = _read(records, dimensions, count, total)
    grid = _Grid(categories, cells, totals_known)
    findings = []
    for key in grid.order:
        n = cells.get(key)
        if key in cells and n is not None and 0 < n < threshold:
            grid.suppress(key, "primary")
            findings.append(Finding(key, "primary", f"primary: n={_num(n)} < {threshold}"))
    _protect(grid, findings)
    return _result(grid, rows, tuple(dimensions), count, total, f"threshold {threshold}", findings, rounding_base)


def p_percent_sensitive(contributions: Sequence[float], p: float = 10.0) -> bool:
    """The p% rule: a cell is sensitive when its total minus its two largest contributions is less
    than p% of the largest, so the second largest contributor could estimate the largest's value to
    within p%. A cell of one or two (non-zero) contributors is always sensitive."""
    ordered = sorted(contributions, reverse=True)
    if not ordered or ordered[0] <= 0:
        return False
    rest = sum(ordered[2:])
    return rest < p / 100 * ordered[0]


def check_magnitude_table(
    contributions: Iterable[Mapping[str, Any]],
    dimensions: Sequence[str],
    value: str,
    *,
    contributor: str | None = None,
    p: float = 10.0,
    min_contributors: int | None = None,
    margins: bool = True,
    totals_known: bool = True,
    rounding_base: int | None = None,
) -> CheckedTable:
    """Check a one- or two-way table of sums, from its contributions (one record each, with the
    dimension columns and a value of 0 or more; ``contributor`` names a column identifying who
    contributed, to add up several records of one contributor first).

    Each cell's sum is computed here, with the margins when ``margins``; a cell is primary-sensitive
    by the p% rule (``p_percent_sensitive``), or with fewer than ``min_contributors``
    contributors when given. Secondary suppression and ``totals_known`` as for frequency tables.
    The result has one record per cell, margins with None in the dimension they sum over.
    """
    dims = tuple(dimensions)
    if len(dims) not in (1, 2):
        raise DisclosureError(f"expected a table with one or two dimensions; got {len(dims)} ({', '.join(dims)})")
    if p <= 0:
        raise DisclosureError(f"p is {p}; expected a percentage above 0")
    per_cell: dict[tuple[Any, ...], dict[Any, float]] = {}
    for n, row in enumerate(contributions, start=1):
        missing = [c for c in (*dims, value, *([contributor] if contributor else [])) if c not in row]
        if missing:
            raise DisclosureError(f"contribution {n} lacks the column(s) {', '.join(missing)}")
        key = tuple(row[d] for d in dims)
        if any(v is None for v in key):
            empty = ", ".join(d for d, v in zip(dims, key, strict=True) if v is None)
            raise DisclosureError(
                f"contribution {n} has no value for {empty}; "
                "expected a category (label unknown values, e.g. 'onbekend')"
            )
        v = row[value]
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0 or math.isnan(v):
            raise DisclosureError(f"contribution {n}: {value} is {v!r}; expected a number of 0 or more")
        who = row[contributor] if contributor else ("row", n)
        keys = [key]
        if margins:
            keys += _margin_keys(key)
        for k in keys:
            cell = per_cell.setdefault(k, {})
            cell[who] = cell.get(who, 0) + v
    ordered = sorted(per_cell, key=_Grid.is_margin)  # stable: the cells first, then the margins
    records = [
        {**{d: (None if k is TOTAL else k) for d, k in zip(dims, key, strict=True)}, value: sum(per_cell[key].values())}
        for key in ordered
    ]
    rows, categories, cells = _read(records, dims, value, None)
    grid = _Grid(categories, cells, totals_known)
    findings = []
    for key in grid.order:
        if key not in per_cell:
            continue
        parts = list(per_cell[key].values())
        if p_percent_sensitive(parts, p):
            top = sorted(parts, reverse=True)
            share = 100 * sum(top[2:]) / top[0]
            grid.suppress(key, "dominance")
            findings.append(
                Finding(
                    key,
                    "dominance",
                    f"dominance: the total minus the two largest is {share:.1f}% of the largest (< {p:g}%)",
                )
            )
        elif min_contributors and len([x for x in parts if x > 0]) < min_contributors:
            grid.suppress(key, "primary")
            findings.append(Finding(key, "primary", f"primary: {len(parts)} contributors < {min_contributors}"))
    _protect(grid, findings)
    return _result(grid, rows, dims, value, None, f"p% rule, p={p:g}", findings, rounding_base)


def _margin_keys(key: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    if len(key) == 1:
        return [(TOTAL,)]
    r, c = key
    return [(r, TOTAL), (TOTAL, c), (TOTAL, TOTAL)]


def round_to_base(value: float, base: int = 5) -> int:
    """Round to the nearest multiple of ``base``, halves up (12.5 -> 15 with base 5)."""
    if base < 1:
        raise DisclosureError(f"rounding base is {base}; expected 1 or more")
    return int(math.floor(value / base + 0.5)) * base


def _num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


# -- the decision -------------------------------------------------------------------------------
def decide_export(check: CheckedTable, *, suppressed_ok: bool = False) -> ExportDecision:
    """Released or blocked, in one line naming the cells.

    Without findings the table is released as it is. With findings it is blocked, unless
    ``suppressed_ok`` (the analyst chose to export the protected table, with the cells suppressed):
    then it is released with the suppressions listed. A cell that cannot be protected always blocks.
    """
    cells = [str(f) for f in check.findings]
    earlier = f"; {check.already_suppressed} cells came suppressed" if check.already_suppressed else ""
    if not check.findings:
        return ExportDecision("released", f"released: {len(check.rows)} cells pass ({check.rule}){earlier}", [])
    shown = cells[:LISTED]
    listing = "; ".join(shown) + (f"; and {len(cells) - len(shown)} more" if len(cells) > len(shown) else "")
    sensitive = sum(1 for f in check.findings if f.code in ("primary", "dominance"))
    secondary = sum(1 for f in check.findings if f.code == "secondary")
    counts = f"{sensitive} sensitive cell{'s' if sensitive != 1 else ''} ({check.rule}), {secondary} secondary"
    if not check.protectable:
        return ExportDecision("blocked", f"blocked: cannot be protected by suppression: {listing}", cells)
    if suppressed_ok:
        return ExportDecision("released", f"released with suppression: {counts}: {listing}", cells)
    return ExportDecision("blocked", f"blocked: {counts}: {listing}", cells)


__all__: Sequence[str] = [
    "SUPPRESSED",
    "CheckedTable",
    "DisclosureError",
    "ExportDecision",
    "Finding",
    "check_frequency_table",
    "check_magnitude_table",
    "decide_export",
    "p_percent_sensitive",
    "round_to_base",
]
