"""One writer per dataset: an exclusive file lock, released by the OS when the process dies."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stadsdata.errors import ConflictError


@contextmanager
def dataset_lock(folder: Path, dataset_id: str, *, wait: bool = False) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{dataset_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise ConflictError(
                f"dataset {dataset_id!r} is being written by another process; try again when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)


def is_locked(folder: Path, dataset_id: str) -> bool:
    try:
        with dataset_lock(folder, dataset_id):
            return False
    except ConflictError:
        return True
