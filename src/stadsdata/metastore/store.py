"""The Metastore: every read and write of the platform's own state goes through here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from stadsdata.errors import ConflictError, NotFoundError
from stadsdata.metastore.models import (
    DatasetRow,
    DeliveryEventRow,
    DeliveryRow,
    LineageRow,
    NoticeRow,
    VersionRow,
    utcnow,
)
from stadsdata.metastore.records import (
    DatasetRecord,
    DeliveryEvent,
    DeliveryRecord,
    LineageRecord,
    NoticeRecord,
    VersionRecord,
)

MIGRATIONS = Path(__file__).parent / "migrations"

#: Delivery states. A delivery moves receiving -> received -> parsed -> checked -> loaded,
#: or ends in rejected (bad input) or interrupted (the process died; see ingest.recovery).
UNFINISHED_STATES = ("receiving", "received", "parsed", "checked")
FINAL_STATES = ("loaded", "rejected", "interrupted", "quarantined", "released")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _dataset(row: DatasetRow) -> DatasetRecord:
    return DatasetRecord(
        id=row.id,
        title=row.title,
        classification=row.classification,
        owner_dienst=row.owner_dienst,
        contract=row.contract,
        contract_sha256=row.contract_sha256,
        like_of=row.like_of,
        current_version=row.current_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _version(row: VersionRow) -> VersionRecord:
    return VersionRecord(
        dataset_id=row.dataset_id,
        number=row.number,
        storage_version=row.storage_version,
        row_count=row.row_count,
        schema=row.schema,
        schema_changes=row.schema_changes,
        content_sha256=row.content_sha256,
        contract_sha256=row.contract_sha256,
        delivery_id=row.delivery_id,
        delivered_by=row.delivered_by,
        created_at=row.created_at,
    )


def _delivery(row: DeliveryRow, events: list[DeliveryEventRow] | None = None) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        dataset_id=row.dataset_id,
        filename=row.filename,
        stored_path=row.stored_path,
        format=row.format,
        sha256=row.sha256,
        size_bytes=row.size_bytes,
        delivered_by=row.delivered_by,
        received_at=row.received_at,
        state=row.state,
        state_at=row.state_at,
        error=row.error,
        version_number=row.version_number,
        details=dict(row.details or {}),
        events=[DeliveryEvent(e.state, e.at, e.detail) for e in (events or [])],
    )


def _notice(row: NoticeRow) -> NoticeRecord:
    return NoticeRecord(
        id=row.id,
        dataset_id=row.dataset_id,
        delivery_id=row.delivery_id,
        role=row.role,
        recipient=row.recipient,
        kind=row.kind,
        subject=row.subject,
        body=row.body,
        created_at=row.created_at,
        read_at=row.read_at,
        read_by=row.read_by,
        resolved_at=row.resolved_at,
        resolution=row.resolution,
    )


def search_text_for(contract: dict[str, Any]) -> str:
    """What `catalog search` matches: titles, descriptions, column names and texts, themes, keywords."""
    parts: list[str] = [contract["id"]]
    for key in ("title", "description"):
        parts += [v for v in contract.get(key, {}).values() if v]
    parts += contract.get("themes", []) + contract.get("keywords", [])
    parts += [contract.get("owner_dienst", "")]
    for col in contract.get("columns", []):
        parts.append(col["name"])
        parts += [v for v in col.get("description", {}).values() if v]
    return "\n".join(parts).lower()


class Metastore:
    """Catalogue, versions, deliveries and lineage, on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- lifecycle -----------------------------------------------------------------------
    @classmethod
    def open(cls, url: str) -> Metastore:
        """Connect and bring the schema to the newest Alembic revision."""
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs["pool_pre_ping"] = True
        engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(engine, "connect", _sqlite_pragmas)
        store = cls(engine)
        store.migrate()
        return store

    def migrate(self, revision: str = "head") -> None:
        """Upgrade to ``revision`` (Alembic is imported only when there is work to do)."""
        from stadsdata.metastore.migrations import HEAD

        if revision == "head" and self.schema_revision() == HEAD:
            return
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def schema_revision(self) -> str | None:
        """The revision in the database's alembic_version table (None for an empty database)."""
        with self.engine.connect() as connection:
            if not self.engine.dialect.has_table(connection, "alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # -- datasets ------------------------------------------------------------------------
    def add_dataset(self, contract: dict[str, Any], contract_sha256: str, like_of: str | None = None) -> None:
        with self.session() as s:
            if s.get(DatasetRow, contract["id"]) is not None:
                raise ConflictError(f"dataset {contract['id']!r} already exists; choose another id")
            s.add(
                DatasetRow(
                    id=contract["id"],
                    title=contract["title"]["nl"],
                    classification=contract["classification"],
                    owner_dienst=contract["owner_dienst"],
                    contract=contract,
                    contract_sha256=contract_sha256,
                    search_text=search_text_for(contract),
                    like_of=like_of,
                )
            )

    def _set_contract(self, s: Session, contract: dict[str, Any], contract_sha256: str) -> DatasetRow:
        # the row lock (PostgreSQL) serialises writers of one dataset across machines, so two loads
        # can never number the same version; SQLite has one writer at a time anyway
        row = s.get(DatasetRow, contract["id"], with_for_update=True)
        if row is None:
            raise NotFoundError(f"dataset {contract['id']!r} not found")
        row.contract = contract
        row.contract_sha256 = contract_sha256
        row.title = contract["title"]["nl"]
        row.classification = contract["classification"]
        row.owner_dienst = contract["owner_dienst"]
        row.search_text = search_text_for(contract)
        return row

    def update_contract(self, contract: dict[str, Any], contract_sha256: str) -> None:
        with self.session() as s:
            self._set_contract(s, contract, contract_sha256)

    def get_dataset(self, dataset_id: str) -> DatasetRecord:
        with self.session() as s:
            row = s.get(DatasetRow, dataset_id)
            if row is None:
                raise NotFoundError(f"dataset {dataset_id!r} not found; see `stadsdata catalog list`")
            return _dataset(row)

    def has_dataset(self, dataset_id: str) -> bool:
        with self.session() as s:
            return s.get(DatasetRow, dataset_id) is not None

    def list_datasets(self) -> list[DatasetRecord]:
        with self.session() as s:
            return [_dataset(r) for r in s.scalars(select(DatasetRow).order_by(DatasetRow.id))]

    def search_datasets(self, text: str) -> list[DatasetRecord]:
        """Datasets whose titles, descriptions, columns, themes or keywords contain every word."""
        words = [w for w in text.lower().split() if w]
        with self.session() as s:
            query = select(DatasetRow).order_by(DatasetRow.id)
            for word in words:
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                query = query.where(DatasetRow.search_text.like(f"%{escaped}%", escape="\\"))
            return [_dataset(r) for r in s.scalars(query)]

    # -- versions ------------------------------------------------------------------------
    def list_versions(self, dataset_id: str) -> list[VersionRecord]:
        with self.session() as s:
            rows = s.scalars(select(VersionRow).where(VersionRow.dataset_id == dataset_id).order_by(VersionRow.number))
            return [_version(r) for r in rows]

    def get_version(self, dataset_id: str, number: int) -> VersionRecord:
        with self.session() as s:
            row = s.scalar(select(VersionRow).where(VersionRow.dataset_id == dataset_id, VersionRow.number == number))
            if row is None:
                raise NotFoundError(f"dataset {dataset_id!r} has no version {number}")
            return _version(row)

    def current_versions(self) -> dict[str, tuple[VersionRecord, float | None]]:
        """Every dataset's current version with the quality score kept with the delivery it came
        from (None without a report), in one query: for lists and facets over the whole catalogue."""
        score = DeliveryRow.details[("quality", "score")].as_float()
        query = (
            select(VersionRow, score)
            .join(
                DatasetRow,
                (DatasetRow.id == VersionRow.dataset_id) & (DatasetRow.current_version == VersionRow.number),
            )
            .outerjoin(DeliveryRow, DeliveryRow.id == VersionRow.delivery_id)
        )
        with self.session() as s:
            return {row.dataset_id: (_version(row), value) for row, value in s.execute(query)}

    # -- deliveries ----------------------------------------------------------------------
    def add_delivery(self, dataset_id: str, filename: str, delivered_by: str) -> int:
        with self.session() as s:
            row = DeliveryRow(
                dataset_id=dataset_id, filename=filename, delivered_by=delivered_by, state="receiving", details={}
            )
            s.add(row)
            s.flush()
            s.add(DeliveryEventRow(delivery_id=row.id, state="receiving", detail=filename))
            return row.id

    def set_delivery_state(self, delivery_id: int, state: str, detail: str | None = None, **fields: Any) -> None:
        """Move a delivery to ``state`` (and set other fields) in one committed transaction."""
        with self.session() as s:
            self._set_state(s, delivery_id, state, detail, **fields)

    def _set_state(self, s: Session, delivery_id: int, state: str, detail: str | None, **fields: Any) -> None:
        row = s.get(DeliveryRow, delivery_id)
        if row is None:
            raise NotFoundError(f"delivery {delivery_id} not found")
        details = fields.pop("details", None)
        if details:
            row.details = {**(row.details or {}), **details}
        for key, value in fields.items():
            setattr(row, key, value)
        row.state = state
        row.state_at = utcnow()
        s.add(DeliveryEventRow(delivery_id=delivery_id, state=state, detail=detail))

    def get_delivery(self, delivery_id: int) -> DeliveryRecord:
        with self.session() as s:
            row = s.get(DeliveryRow, delivery_id)
            if row is None:
                raise NotFoundError(f"delivery {delivery_id} not found; see `stadsdata deliveries`")
            events = list(
                s.scalars(
                    select(DeliveryEventRow)
                    .where(DeliveryEventRow.delivery_id == delivery_id)
                    .order_by(DeliveryEventRow.id)
                )
            )
            return _delivery(row, events)

    def list_deliveries(self, dataset_id: str | None = None, states: tuple[str, ...] = ()) -> list[DeliveryRecord]:
        with self.session() as s:
            query = select(DeliveryRow).order_by(DeliveryRow.id)
            if dataset_id:
                query = query.where(DeliveryRow.dataset_id == dataset_id)
            if states:
                query = query.where(DeliveryRow.state.in_(states))
            return [_delivery(r) for r in s.scalars(query)]

    def record_load(
        self,
        *,
        delivery_id: int,
        contract: dict[str, Any],
        contract_sha256: str,
        storage_version: int,
        row_count: int,
        schema: list[dict[str, Any]],
        schema_changes: dict[str, Any],
        content_sha256: str,
        delivered_by: str,
        detail: str | None = None,
    ) -> int:
        """Register a new version and mark the delivery loaded, atomically. Returns the version number."""
        with self.session() as s:
            dataset = self._set_contract(s, contract, contract_sha256)
            existing = s.scalar(select(VersionRow).where(VersionRow.delivery_id == delivery_id))
            if existing is not None:  # a recovery that already ran
                return existing.number
            last = s.scalar(select(func.max(VersionRow.number)).where(VersionRow.dataset_id == dataset.id))
            number = (last or 0) + 1
            s.add(
                VersionRow(
                    dataset_id=dataset.id,
                    number=number,
                    storage_version=storage_version,
                    row_count=row_count,
                    schema=schema,
                    schema_changes=schema_changes,
                    content_sha256=content_sha256,
                    contract_sha256=contract_sha256,
                    delivery_id=delivery_id,
                    delivered_by=delivered_by,
                )
            )
            dataset.current_version = number
            dataset.updated_at = utcnow()
            self._set_state(s, delivery_id, "loaded", detail or f"version {number}", version_number=number)
            self._resolve_notices(s, dataset.id, f"version {number} loaded from delivery {delivery_id}")
            return number

    # -- notices (the inbox) ------------------------------------------------------------
    def quarantine_delivery(
        self, delivery_id: int, message: str, details: dict[str, Any], *, role: str, recipient: str, subject: str
    ) -> int:
        """Put a delivery in quarantine and leave a notice for ``recipient``, in one transaction."""
        with self.session() as s:
            self._set_state(s, delivery_id, "quarantined", message, error=message, details=details)
            row = s.get(DeliveryRow, delivery_id)
            assert row is not None
            notice = NoticeRow(
                dataset_id=row.dataset_id,
                delivery_id=delivery_id,
                role=role,
                recipient=recipient,
                kind="quarantine",
                subject=subject,
                body=message,
            )
            s.add(notice)
            s.flush()
            return notice.id

    def _resolve_notices(self, s: Session, dataset_id: str, resolution: str) -> None:
        for row in s.scalars(
            select(NoticeRow).where(NoticeRow.dataset_id == dataset_id, NoticeRow.resolved_at.is_(None))
        ):
            row.resolved_at = utcnow()
            row.resolution = resolution

    def list_notices(self, *, dataset_id: str | None = None, open_only: bool = True) -> list[NoticeRecord]:
        with self.session() as s:
            query = select(NoticeRow).order_by(NoticeRow.id.desc())
            if dataset_id:
                query = query.where(NoticeRow.dataset_id == dataset_id)
            if open_only:
                query = query.where(NoticeRow.resolved_at.is_(None))
            return [_notice(r) for r in s.scalars(query)]

    def notices_of_deliveries(self, delivery_ids: list[int]) -> dict[int, NoticeRecord]:
        """The (latest) notice about each delivery, for listing deliveries."""
        if not delivery_ids:
            return {}
        with self.session() as s:
            rows = s.scalars(select(NoticeRow).where(NoticeRow.delivery_id.in_(delivery_ids)).order_by(NoticeRow.id))
            return {r.delivery_id: _notice(r) for r in rows if r.delivery_id is not None}

    def read_notice(self, notice_id: int, reader: str) -> NoticeRecord:
        """A notice, marked read by ``reader`` the first time."""
        with self.session() as s:
            row = s.get(NoticeRow, notice_id)
            if row is None:
                raise NotFoundError(f"notice {notice_id} not found; see `stadsdata inbox --all`")
            if row.read_at is None:
                row.read_at = utcnow()
                row.read_by = reader
            s.flush()
            return _notice(row)

    # -- lineage -------------------------------------------------------------------------
    def add_lineage(
        self, dataset_id: str, source_id: str, relation: str = "derived_from", note: str | None = None
    ) -> None:
        with self.session() as s:
            if s.get(LineageRow, (dataset_id, source_id)) is None:
                s.add(LineageRow(dataset_id=dataset_id, source_id=source_id, relation=relation, note=note))

    def lineage(self, dataset_id: str) -> dict[str, list[LineageRecord]]:
        """Upstream (what this dataset comes from) and downstream (what comes from it)."""
        with self.session() as s:
            up = s.scalars(select(LineageRow).where(LineageRow.dataset_id == dataset_id))
            down = s.scalars(select(LineageRow).where(LineageRow.source_id == dataset_id))
            to_record = lambda r: LineageRecord(r.dataset_id, r.source_id, r.relation, r.note)  # noqa: E731
            return {"upstream": [to_record(r) for r in up], "downstream": [to_record(r) for r in down]}


__all__ = ["Metastore", "UNFINISHED_STATES", "FINAL_STATES"]
