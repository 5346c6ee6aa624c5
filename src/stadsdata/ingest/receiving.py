"""Receiving a delivery: keep the file exactly as delivered, with its SHA-256, size and encoding.

The copy runs in a background thread while the pipeline already parses the source file: on a
large CSV, copying, hashing and ``fsync`` cost a third of the time the parse does, and both are
mostly waiting on the disk or running in C without the GIL. The copy's single pass also tells
whether the whole file is valid UTF-8 (ASCII blocks are skipped cheaply), so the parser does not
have to read the file a second time to choose between UTF-8 and cp1252.

The source must not change while it is received: its size and modification time are compared
before and after, and a delivery whose file changed underneath is rejected.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stadsdata.errors import DeliveryError

BLOCK = 1 << 22
#: Flush the copy to disk every this many bytes, so a multi-GB delivery never piles up dirty pages
#: (the kernel would throttle every writer on the disk, the parser's output included, when it does).
FLUSH_EVERY = 1 << 26


@dataclass(frozen=True)
class Receipt:
    stored: Path
    sha256: str
    size: int
    utf8_error_at: int | None  # byte offset of the first byte that is not UTF-8; None when all is UTF-8

    @property
    def is_utf8(self) -> bool:
        return self.utf8_error_at is None


class Receiver:
    """Copies ``source`` to ``stored`` (via ``stored.partial``, fsynced, then read-only) in a thread."""

    def __init__(self, source: Path, stored: Path, display: str, on_copied: Callable[[], None]) -> None:
        self.source = source
        self.stored = stored
        self.display = display
        self.on_copied = on_copied
        self._before = os.stat(source)
        self._receipt: Receipt | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"receive {display}", daemon=True)

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def wait(self) -> None:
        """Wait for the copy to end, whatever its outcome (used when the pipeline fails)."""
        if self._thread.ident is not None:  # started
            self._thread.join()

    def result(self) -> Receipt:
        """Wait for the copy; raise what it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._receipt is not None
        after = os.stat(self.source)
        changed = (after.st_size, after.st_mtime_ns) != (self._before.st_size, self._before.st_mtime_ns)
        if changed or self._receipt.size != after.st_size:
            raise DeliveryError(
                f"{self.display}: the file changed while it was being received "
                f"({self._before.st_size} bytes before, {after.st_size} after); expected a file that is complete "
                "and no longer being written; deliver it again"
            )
        return self._receipt

    def _run(self) -> None:
        try:
            self._receipt = self._copy()
        except BaseException as exc:  # handed to the pipeline's thread by result()
            self._error = exc

    def _copy(self) -> Receipt:
        partial = self.stored.with_name(self.stored.name + ".partial")
        digest = hashlib.sha256()
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8_error_at: int | None = None
        size = flushed = 0
        with open(self.source, "rb") as src, open(partial, "wb", buffering=0) as out:
            while block := src.read(BLOCK):
                digest.update(block)
                out.write(block)
                if size + len(block) - flushed >= FLUSH_EVERY:
                    os.fdatasync(out.fileno())
                    if hasattr(os, "posix_fadvise"):  # the kept copy is not read again soon: free the cache
                        os.posix_fadvise(out.fileno(), flushed, size + len(block) - flushed, os.POSIX_FADV_DONTNEED)
                    flushed = size + len(block)
                if utf8_error_at is None:
                    pending = decoder.getstate()[0]
                    if pending or not block.isascii():
                        try:
                            decoder.decode(block)
                        except UnicodeDecodeError as exc:  # offsets count from the pending bytes
                            utf8_error_at = size - len(pending) + exc.start
                size += len(block)
            if utf8_error_at is None:
                pending = decoder.getstate()[0]
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError as exc:
                    utf8_error_at = size - len(pending) + exc.start
            os.fsync(out.fileno())
        self.on_copied()
        os.replace(partial, self.stored)
        os.chmod(self.stored, 0o444)
        return Receipt(self.stored, digest.hexdigest(), size, utf8_error_at)
