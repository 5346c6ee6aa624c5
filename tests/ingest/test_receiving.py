"""Receiving: the kept copy, its hash, and the whole-file encoding decided during the copy.

The parse starts on the head of the file while the copy runs; a file whose head is ASCII but
which turns out to be cp1252 further down must still load correctly, and a byte that is neither
UTF-8 nor cp1252 far into the file must be reported on its own line. Built from the real
CBS KWB 2017 file (rows with accented names moved to the end, so the head is plain ASCII).
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest

from stadsdata import demo
from stadsdata.errors import DeliveryError
from stadsdata.ingest.csv_dialect import HEAD_BYTES
from stadsdata.ingest.receiving import Receiver
from stadsdata.platform import Platform

KWB_2017 = "cbs_kwb_2017_nl"


def accents_last() -> tuple[str, int]:
    """The real 2017 file as text, rows with non-ASCII characters last; and the line of the first such row."""
    with open(demo.data_path(KWB_2017), encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    plain = [r for r in rows if ",".join(r).isascii()]
    accented = [r for r in rows if not ",".join(r).isascii()]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *plain, *accented])
    return buffer.getvalue(), len(plain) + 2


@pytest.fixture
def kwb(platform: Platform) -> Platform:
    platform.register(demo.contract_path(KWB_2017))
    return platform


def test_cp1252_that_only_shows_after_the_head(kwb: Platform, tmp_path: Path) -> None:
    text, first_accented_line = accents_last()
    raw = text.encode("cp1252")
    assert raw[:HEAD_BYTES].isascii() and not raw.isascii()  # the head alone would say UTF-8
    file = tmp_path / "kwb2017_cp1252.csv"
    file.write_bytes(raw)
    result = kwb.ingest(file, KWB_2017)
    assert result.details["encoding"] == "cp1252"
    assert result.row_count == text.count("\n") - 1
    got = kwb.sql(f"select Gemeentenaam_1 from {KWB_2017} where WijkenEnBuurten = 'GM1900'").rows
    assert got == [("Súdwest-Fryslân",)]
    delivery = kwb.metastore.get_delivery(kwb.metastore.list_deliveries(KWB_2017)[-1].id)
    assert delivery.sha256 == hashlib.sha256(raw).hexdigest() and delivery.size_bytes == len(raw)
    assert Path(delivery.stored_path).read_bytes() == raw
    assert [e.state for e in delivery.events] == ["receiving", "received", "parsed", "checked", "loaded"]
    assert first_accented_line > 1000


def test_bad_byte_far_into_the_file_names_its_line(kwb: Platform, tmp_path: Path) -> None:
    text, first_accented_line = accents_last()
    raw = text.encode("utf-8")
    line_start = sum(len(line) + 1 for line in raw.split(b"\n")[: first_accented_line - 1])
    broken = raw[:line_start] + raw[line_start:].replace("ú".encode(), b"\x81", 1)  # 0x81: not cp1252 either
    file = tmp_path / "kwb2017_kapot.csv"
    file.write_bytes(broken)
    with pytest.raises(DeliveryError) as info:
        kwb.ingest(file, KWB_2017)
    assert str(info.value).startswith(f"{file.name}: line {first_accented_line}: bytes that are neither UTF-8")
    delivery = kwb.metastore.list_deliveries(KWB_2017)[-1]
    assert delivery.state == "rejected" and Path(delivery.stored_path).read_bytes() == broken
    assert kwb.catalog.versions(KWB_2017) == []


@pytest.mark.parametrize("split", [0, 1, 2, 3])
def test_utf8_check_across_block_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split: int) -> None:
    """A multi-byte character cut by a block boundary is still UTF-8; a bad byte is found at its offset."""
    monkeypatch.setattr("stadsdata.ingest.receiving.BLOCK", 8)
    good = ("abcdefg" + "Súdwest-Fryslân" * 3)[split:].encode()
    source = tmp_path / "good.csv"
    source.write_bytes(good)
    receipt = Receiver(source, tmp_path / "kept-good.csv", "good.csv", lambda: None).start().result()
    assert receipt.is_utf8 and receipt.size == len(good)
    assert receipt.sha256 == hashlib.sha256(good).hexdigest()
    bad = b"x" * (6 + split) + b"\xc3(" + good  # a lead byte followed by ASCII, at or near a boundary
    source.write_bytes(bad)
    receipt = Receiver(source, tmp_path / "kept-bad.csv", "bad.csv", lambda: None).start().result()
    assert receipt.utf8_error_at == 6 + split
    truncated = good + b"\xc3"  # the file ends inside a character
    source.write_bytes(truncated)
    receipt = Receiver(source, tmp_path / "kept-cut.csv", "cut.csv", lambda: None).start().result()
    assert receipt.utf8_error_at == len(good)


def test_file_that_changes_while_received_is_rejected(tmp_path: Path) -> None:
    source = tmp_path / "groeit.csv"
    source.write_bytes(b"a;b\n1;2\n")
    receiver = Receiver(source, tmp_path / "kept.csv", "groeit.csv", lambda: None).start()
    receiver.wait()
    with open(source, "ab") as handle:  # a department's tool still writing
        handle.write(b"3;4\n")
    with pytest.raises(DeliveryError, match=r"^groeit.csv: the file changed while it was being received"):
        receiver.result()
