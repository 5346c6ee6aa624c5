"""Immutable table versions as Delta tables on disk (delta-rs).

A dataset's table is the folder ``<root>/<dataset id>``. The engine writes a version's Parquet
files into that folder first; they are invisible until ``commit`` adds them to the Delta log in
one atomic commit that carries the delivery id, so a crash either left a version or did not.
Platform version numbers (1, 2, ...) are mapped to Delta versions by the metastore.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable, Field, Schema
from deltalake.transaction import AddAction, create_table_with_add_actions

DELIVERY_KEY = "stadsdata.delivery"


class TableStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, dataset_id: str) -> Path:
        return self.root / dataset_id

    def exists(self, dataset_id: str) -> bool:
        return DeltaTable.is_deltatable(str(self.path(dataset_id)))

    def data_file_name(self, delivery_id: int, part: int = 0) -> str:
        return f"part-d{delivery_id:06d}-{part:03d}.parquet"

    def commit(self, dataset_id: str, files: list[Path], delivery_id: int, *, append: bool = False) -> int:
        """Make ``files`` (already inside the table folder) one new Delta version, replacing the
        previous version's files (or, with ``append``, adding to them); return the Delta version."""
        table_path = self.path(dataset_id)
        schema = pq.read_schema(files[0])
        actions = []
        for file in files:
            stat = file.stat()
            stats = json.dumps({"numRecords": pq.ParquetFile(file).metadata.num_rows})
            actions.append(AddAction(file.name, stat.st_size, {}, int(stat.st_mtime * 1000), True, stats))
        properties = CommitProperties(custom_metadata={DELIVERY_KEY: str(delivery_id)})
        delta_schema = Schema.from_arrow(schema)
        if not self.exists(dataset_id):
            create_table_with_add_actions(
                str(table_path), delta_schema, actions, mode="error", commit_properties=properties
            )
            return 0
        table = DeltaTable(str(table_path))
        known = {f.name for f in table.schema().fields}
        new_fields = [f for f in delta_schema.fields if f.name not in known]
        if new_fields:  # schema evolution: widen the table first, then append
            table.alter.add_columns([Field(f.name, f.type, nullable=True) for f in new_fields])
        table.create_write_transaction(
            actions, mode="append" if append else "overwrite", schema=delta_schema, commit_properties=properties
        )
        return DeltaTable(str(table_path)).version()

    def files_at(self, dataset_id: str, storage_version: int) -> list[str]:
        table = DeltaTable(str(self.path(dataset_id)), version=storage_version)
        return [uri.removeprefix("file://") for uri in table.file_uris()]

    def find_commit(self, dataset_id: str, delivery_id: int) -> int | None:
        """The Delta version that a delivery committed, if any (used by crash recovery)."""
        if not self.exists(dataset_id):
            return None
        for entry in DeltaTable(str(self.path(dataset_id))).history():
            if entry.get(DELIVERY_KEY) == str(delivery_id):
                return int(entry["version"])
        return None

    def remove_uncommitted(self, dataset_id: str, delivery_id: int) -> list[Path]:
        """Delete a delivery's data files that no Delta version references (after a crash)."""
        folder = self.path(dataset_id)
        if not folder.exists():
            return []
        prefix = f"part-d{delivery_id:06d}-"
        committed: set[str] = set()
        if self.exists(dataset_id):
            committed = {os.path.basename(u) for u in DeltaTable(str(folder)).file_uris()}
        removed = []
        for file in folder.glob(prefix + "*.parquet"):
            if file.name not in committed:
                file.unlink()
                removed.append(file)
        return removed

    @staticmethod
    def arrow_schema(file: Path) -> pa.Schema:
        return pq.read_schema(file)
