"""Catalogue reads: list, show, search, versions, lineage, and the tables behind SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stadsdata.catalog.sql import referenced_tables, split_name
from stadsdata.core.contract import ColumnType, Contract, parse_contract
from stadsdata.engine import Engine, QueryResult, TableRef, TableStore
from stadsdata.errors import NotFoundError, SQLError
from stadsdata.metastore import Metastore
from stadsdata.metastore.records import DatasetRecord, DeliveryRecord, LineageRecord, VersionRecord


@dataclass(frozen=True)
class DatasetView:
    """Everything `catalog show` tells about one dataset."""

    record: DatasetRecord
    contract: Contract
    versions: list[VersionRecord]
    deliveries: list[DeliveryRecord]
    lineage: dict[str, list[LineageRecord]]

    @property
    def current(self) -> VersionRecord | None:
        return self.versions[-1] if self.versions else None

    def quality_of(self, version: VersionRecord | None) -> dict[str, Any] | None:
        """The quality report kept with the delivery that became ``version`` (None without one)."""
        if version is None:
            return None
        return next((d.details.get("quality") for d in self.deliveries if d.id == version.delivery_id), None)

    def profile_of(self, version: VersionRecord | None) -> dict[str, Any] | None:
        """The column profile kept with the delivery that became ``version`` (None without one)."""
        if version is None:
            return None
        return next((d.details.get("profile") for d in self.deliveries if d.id == version.delivery_id), None)


PUBLIC = "openbaar"


class Catalog:
    def __init__(self, metastore: Metastore, tables: TableStore, engine: Engine) -> None:
        self.metastore = metastore
        self.tables = tables
        self.engine = engine

    def list(self) -> list[DatasetRecord]:
        return self.metastore.list_datasets()

    def search(self, text: str) -> list[DatasetRecord]:
        return self.metastore.search_datasets(text)

    # -- what the public sees (until the governance issue adds login and grants) -------------
    def public(self) -> list[DatasetRecord]:
        """Datasets classified ``openbaar``: the only ones shown, counted or faceted without login."""
        return [r for r in self.metastore.list_datasets() if r.classification == PUBLIC]

    def public_view(self, dataset_id: str) -> DatasetView:
        """``show`` for the public: a dataset that is not openbaar does not exist (404, nothing leaked)."""
        try:
            view = self.show(dataset_id)
        except NotFoundError:
            view = None
        if view is None or view.record.classification != PUBLIC:
            raise NotFoundError(f"dataset {dataset_id!r} not found; see /api/v1/datasets")
        return view

    def show(self, dataset_id: str) -> DatasetView:
        record = self.metastore.get_dataset(dataset_id)
        return DatasetView(
            record=record,
            contract=parse_contract(record.contract, source=f"metastore contract of {dataset_id}"),
            versions=self.metastore.list_versions(dataset_id),
            deliveries=self.metastore.list_deliveries(dataset_id),
            lineage=self.metastore.lineage(dataset_id),
        )

    def versions(self, dataset_id: str) -> list[VersionRecord]:
        self.metastore.get_dataset(dataset_id)
        return self.metastore.list_versions(dataset_id)

    def table_ref(self, dataset_id: str, number: int | None = None) -> TableRef:
        record = self.metastore.get_dataset(dataset_id)
        if number is None:
            number = record.current_version
            if number is None:
                contract = record.contract
                columns = tuple((c["name"], ColumnType(c["type"])) for c in contract["columns"])
                return TableRef((), columns)
        version = self.metastore.get_version(dataset_id, number)
        files = tuple(self.tables.files_at(dataset_id, version.storage_version))
        columns = tuple((c["name"], ColumnType(c["type"])) for c in version.schema)
        return TableRef(files, columns)

    def query(self, sql: str, *, limit: int | None = None) -> QueryResult:
        tables: dict[str, TableRef] = {}
        for name in referenced_tables(sql):
            dataset_id, number = split_name(name)
            if not self.metastore.has_dataset(dataset_id):
                if number is not None:
                    raise SQLError(f"unknown dataset {dataset_id!r} in {name!r}; see `stadsdata catalog list`")
                continue  # not a dataset: the engine says what is wrong
            try:
                tables[name] = self.table_ref(dataset_id, number)
            except NotFoundError as exc:
                raise SQLError(str(exc)) from None
        return self.engine.query(sql, tables, limit=limit)

    def summary(self, dataset_id: str) -> dict[str, Any]:
        view = self.show(dataset_id)
        return {
            "id": view.record.id,
            "title": view.record.title,
            "versions": len(view.versions),
            "rows": view.current.row_count if view.current else 0,
        }
