"""What kind of file a delivery is: by its extension, confirmed by its content."""

from __future__ import annotations

from pathlib import Path

from stadsdata.errors import DeliveryError

EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".geojson": "geojson",
    ".json": "json",
    ".ndjson": "json",
    ".jsonl": "json",
    ".parquet": "parquet",
}

LABELS = {
    "csv": "CSV text",
    "xlsx": "an XLSX workbook",
    "geojson": "GeoJSON",
    "json": "JSON",
    "parquet": "a Parquet file",
}


def _sniff(head: bytes, tail: bytes) -> str:
    """What the first and last bytes look like."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1") and tail.endswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head.startswith(b"%PDF"):
        return "pdf"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"{", b"[")):
        return "json"
    return "csv"


def detect_format(path: Path, display: str) -> str:
    """The delivery's format; raises DeliveryError when content and extension disagree."""
    ext = path.suffix.lower()
    kind = EXTENSIONS.get(ext)
    if kind is None:
        raise DeliveryError(
            f"{display}: unknown file type {ext or '(no extension)'!r}; expected one of {', '.join(sorted(EXTENSIONS))}"
        )
    size = path.stat().st_size
    if size == 0:
        raise DeliveryError(f"{display}: the file is empty (0 bytes); expected {LABELS[kind]} with a header and rows")
    with open(path, "rb") as handle:
        head = handle.read(8192)
        handle.seek(max(0, size - 4))
        tail = handle.read(4)
    seen = _sniff(head, tail)
    matches = {
        "csv": seen == "csv",
        "xlsx": seen == "xlsx",
        "parquet": seen == "parquet",
        "json": seen == "json",
        "geojson": seen == "json",
    }[kind]
    if not matches:
        looks = {
            "xlsx": "a ZIP/XLSX workbook",
            "parquet": "a Parquet file",
            "json": "JSON text",
            "csv": "plain text (CSV)",
            "xls": "an old binary .xls workbook",
            "pdf": "a PDF document",
            "binary": "binary data",
        }[seen]
        raise DeliveryError(
            f"{display}: the extension {ext!r} says {LABELS[kind]}, but the content is {looks}; "
            f"expected content that matches the extension"
        )
    return kind
