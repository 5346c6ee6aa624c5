"""Contract files in the platform home: ``<home>/contracts/<id>.yaml``, the source of truth.

Writes are atomic (write to a temporary file, fsync, rename), so a crash never leaves half a
contract. The metastore keeps a copy for search; the file wins.
"""

from __future__ import annotations

import os
from pathlib import Path

from stadsdata.core.contract import Contract, load_contract
from stadsdata.core.identifiers import validate_dataset_id
from stadsdata.errors import NotFoundError


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class ContractFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, dataset_id: str) -> Path:
        return self.folder / f"{validate_dataset_id(dataset_id)}.yaml"

    def exists(self, dataset_id: str) -> bool:
        return self.path(dataset_id).exists()

    def load(self, dataset_id: str) -> Contract:
        path = self.path(dataset_id)
        if not path.exists():
            raise NotFoundError(f"no contract for dataset {dataset_id!r} (looked for {path})")
        return load_contract(path)

    def save(self, contract: Contract) -> Path:
        path = self.path(contract.id)
        atomic_write(path, contract.to_yaml())
        return path

    def all(self) -> list[Contract]:
        return [load_contract(p) for p in sorted(self.folder.glob("*.yaml"))]
