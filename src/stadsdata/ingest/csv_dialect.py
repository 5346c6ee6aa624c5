"""Reading a delivered CSV's dialect: encoding, delimiter and decimal separator.

Departments deliver what their tools write: Dutch Excel writes ``;`` with decimal commas in
cp1252, CBS and most exports write ``,`` in UTF-8 (sometimes with a BOM). The delimiter is the
one under which the header splits into the contract's column names; the decimal separator is
read from the values of the contract's number columns.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from stadsdata.core.contract import ColumnType, Contract
from stadsdata.engine import CsvDialect
from stadsdata.errors import DeliveryError

CANDIDATES = (";", ",", "\t")
NAMES = {";": "';'", ",": "','", "\t": "tab"}
CHUNK = 1 << 20


@dataclass(frozen=True)
class Encoding:
    name: str  # "utf-8", "utf-8-sig", "cp1252", "utf-16"
    needs_transcoding: bool


def _line_of(path: Path, offset: int) -> int:
    count = 1
    with open(path, "rb") as handle:
        remaining = offset
        while remaining > 0:
            block = handle.read(min(CHUNK, remaining))
            if not block:
                break
            count += block.count(b"\n")
            remaining -= len(block)
    return count


def _decodes(path: Path, encoding: str) -> int | None:
    """None when the whole file decodes; else the byte offset of the first bad byte."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return offset + exc.start
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset + exc.start
    return None


HEAD_BYTES = 256 * 1024


def head_encoding(path: Path) -> Encoding | None:
    """The encoding the start of the file shows: UTF-16 by its BOM, UTF-8 when the head decodes, else None.

    UTF-8 here is an assumption about the whole file; ``full_encoding`` confirms it from the receipt.
    """
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Encoding("utf-16", True)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return None
    return Encoding("utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8", False)


def full_encoding(path: Path, display: str, utf8_error_at: int | None) -> Encoding:
    """The whole file's encoding, given where (if anywhere) it stops being UTF-8."""
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Encoding("utf-16", True)
    if utf8_error_at is None:
        return Encoding("utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8", False)
    if _decodes(path, "cp1252") is None:
        return Encoding("cp1252", True)
    raise DeliveryError(
        f"{display}: line {_line_of(path, utf8_error_at)}: bytes that are neither UTF-8 nor Windows-1252 (cp1252) "
        f"at byte {utf8_error_at}; expected a text file in UTF-8 or cp1252"
    )


def transcode(path: Path, encoding: Encoding, dest: Path) -> Path:
    """Write a UTF-8 copy of ``path`` to ``dest`` (streamed)."""
    with open(path, encoding=encoding.name, newline="") as src, open(dest, "w", encoding="utf-8", newline="") as out:
        while block := src.read(CHUNK):
            out.write(block)
    return dest


def read_head(path: Path, encoding: str, lines: int = 200) -> list[str]:
    out: list[str] = []
    with open(path, encoding=encoding, newline="") as handle:
        text = handle.read(256 * 1024)
    for line in io.StringIO(text, newline=None):
        out.append(line.rstrip("\r\n"))
        if len(out) >= lines:
            break
    return out


def _split(lines: list[str], delimiter: str) -> list[list[str]]:
    return list(csv.reader(lines, delimiter=delimiter, quotechar='"'))


def detect_dialect(path: Path, encoding: str, contract: Contract, display: str) -> tuple[CsvDialect, list[str]]:
    """The delimiter, decimal separator and header of a CSV file (``encoding`` is its text encoding)."""
    lines = read_head(path, encoding)
    if not any(ln.strip() for ln in lines):
        raise DeliveryError(f"{display}: no header line (the file has only empty lines); expected a header row")
    if not lines[0].strip():
        raise DeliveryError(f"{display}: line 1 is empty; expected the header row on line 1")
    known = {name.lower() for name in contract.column_names}
    scores = []
    for delimiter in CANDIDATES:
        rows = _split(lines, delimiter)
        header = [h.strip() for h in rows[0]]
        matched = sum(h.lower() in known for h in header)
        consistent = sum(len(r) == len(header) for r in rows[1:] if r)
        scores.append((matched, len(header) > 1, consistent, delimiter, header))
    scores.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    best = scores[0]
    if best[0] == 0 or (len(scores) > 1 and scores[1][0] == best[0] and best[0] > 0 and scores[1][2] == best[2]):
        tried = ", ".join(NAMES[d] for d in CANDIDATES)
        raise DeliveryError(
            f"{display}: line 1: cannot tell the delimiter: under none of {tried} does the header split into "
            f"the contract's column names (header starts {lines[0][:60]!r}); expected a header such as "
            f"{NAMES[';'].strip(chr(39))}-separated {';'.join(contract.column_names[:3])}"
        )
    delimiter, header = best[3], best[4]
    _check_header(header, display)
    decimal = _decimal(lines, delimiter, header, contract)
    return CsvDialect(delimiter=delimiter, decimal=decimal, encoding="utf-8"), header


def _check_header(header: list[str], display: str) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            raise DeliveryError(
                f"{display}: line 1, column {position}: empty column name; expected a name in every header cell"
            )
        if name.lower() in seen:
            raise DeliveryError(
                f"{display}: line 1, column {position}: column name {name!r} appears twice "
                f"(also column {seen[name.lower()]}); expected unique column names"
            )
        seen[name.lower()] = position


_COMMA_NUMBER = re.compile(r"^-?\d+,\d+$")
_DOT_NUMBER = re.compile(r"^-?\d+\.\d+$")


def _decimal(lines: list[str], delimiter: str, header: list[str], contract: Contract) -> str:
    """',' when the number columns' values use a decimal comma, else '.'."""
    if delimiter == ",":
        return "."
    numbers = {c.name.lower() for c in contract.columns if c.type == ColumnType.number}
    positions = [i for i, h in enumerate(header) if h.lower() in numbers]
    comma = dot = 0
    for row in _split(lines[1:], delimiter):
        for i in positions:
            if i < len(row):
                value = row[i].strip()
                comma += bool(_COMMA_NUMBER.match(value))
                dot += bool(_DOT_NUMBER.match(value))
    if dot != comma:
        return "." if dot > comma else ","
    return "," if delimiter == ";" else "."
