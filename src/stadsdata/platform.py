"""The composition root: ``Platform(settings)`` wires metastore, engine, tables and the areas.

Nothing is created at import time. Every command and every test builds its own Platform.
"""

from __future__ import annotations

from pathlib import Path

from stadsdata import demo
from stadsdata.catalog import Catalog
from stadsdata.core.contract import Contract, load_contract
from stadsdata.engine import QueryResult, TableStore, create_engine
from stadsdata.errors import NotFoundError
from stadsdata.ingest import IngestContext, Ingestor, IngestResult, RecoveryReport, recover
from stadsdata.metastore import Metastore
from stadsdata.metastore.contract_files import ContractFiles
from stadsdata.settings import Settings


class Platform:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.home.expanduser().resolve()
        for folder in ("contracts", "landing", "staging", "tables", "locks"):
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        self.metastore = Metastore.open(settings.metastore_url or f"sqlite:///{self.home / 'metastore.db'}")
        self.engine = create_engine(
            settings.engine, threads=settings.engine_threads, memory_limit=settings.engine_memory_limit
        )
        self.tables = TableStore(self.home / "tables")
        self.contracts = ContractFiles(self.home / "contracts")
        self.catalog = Catalog(self.metastore, self.tables, self.engine)
        self._ingest_ctx = IngestContext(
            metastore=self.metastore,
            engine=self.engine,
            tables=self.tables,
            contracts=self.contracts,
            landing=self.home / "landing",
            staging=self.home / "staging",
            locks=self.home / "locks",
            user=settings.user,
            pause_at=settings.fault_pause_at,
            pause_marker=self.home / "fault-paused",
        )
        self.ingestor = Ingestor(self._ingest_ctx)

    # -- lifecycle -------------------------------------------------------------------------
    def recover(self) -> list[RecoveryReport]:
        """Finish or roll back deliveries a dead process left unfinished."""
        return recover(self._ingest_ctx)

    def close(self) -> None:
        self.metastore.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- landing zone ----------------------------------------------------------------------
    def register(self, contract_file: Path) -> Contract:
        contract = load_contract(contract_file)
        self.ingestor.register(contract)
        return contract

    def ingest(self, file: Path, dataset_id: str, *, like: str | None = None, title: str | None = None) -> IngestResult:
        return self.ingestor.ingest(file, dataset_id, like=like, title=title)

    def retry(self, delivery_id: int) -> IngestResult:
        return self.ingestor.retry(delivery_id)

    def release(self, delivery_id: int, reason: str) -> IngestResult:
        return self.ingestor.release(delivery_id, reason)

    def quality_report(self, dataset_id: str, number: int | None = None, *, delivery_id: int | None = None) -> dict:  # type: ignore[type-arg]
        """The quality report and profile of a version (default: the current one), as stored at
        its ingest; or of one delivery (a quarantined one has a report but no version)."""
        if delivery_id is not None:
            delivery = self.metastore.get_delivery(delivery_id)
            if delivery.dataset_id != dataset_id:
                raise NotFoundError(f"delivery {delivery_id} is not a delivery of {dataset_id!r}")
            if "quality" not in delivery.details:
                raise NotFoundError(f"delivery {delivery_id} ({delivery.state}) has no quality report")
            number = delivery.version_number
        else:
            record = self.metastore.get_dataset(dataset_id)
            number = number or record.current_version
            if number is None:
                raise NotFoundError(f"dataset {dataset_id!r} has no version yet")
            version = self.metastore.get_version(dataset_id, number)
            delivery = self.metastore.get_delivery(version.delivery_id)
        report = dict(delivery.details.get("quality") or {"score": 100.0, "rules": []})
        report.update(
            dataset=dataset_id,
            version=number,
            delivery=delivery.id,
            state=delivery.state,
            profile=delivery.details.get("profile"),
        )
        return report

    # -- SQL -------------------------------------------------------------------------------
    def sql(self, query: str, *, limit: int | None = None) -> QueryResult:
        return self.catalog.query(query, limit=limit)

    # -- demo ------------------------------------------------------------------------------
    def load_demo(self, on_loaded=None) -> list[IngestResult]:  # type: ignore[no-untyped-def]
        """Register and load every real demo dataset the repo ships."""
        results = []
        for dataset_id in demo.DEMO_DATASETS:
            if not self.metastore.has_dataset(dataset_id):
                self.register(demo.contract_path(dataset_id))
            result = self.ingest(demo.data_path(dataset_id), dataset_id)
            results.append(result)
            if on_loaded:
                on_loaded(result)
        return results
