"""The rows service: which version a request reads, its page, its total, its exports, its ETag.

For the anonymous public only ``openbaar`` datasets exist here (anything else is 404 as if it did
not exist); a logged-in actor (an API token) sees what the access policy allows, through
``governance.catalog_access`` (audited), and rows of a non-public dataset only with read access to
every column. Versions are immutable, so what is derived from one (its parsed contract, its
files, its totals per filter) is cached under a key that names exactly that version; the only
per-request metastore read is the dataset record, which tells the current version and whether
the dataset is still public.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import pyarrow as pa

from stadsdata import __version__
from stadsdata.catalog import Catalog
from stadsdata.catalog.service import PUBLIC, DatasetView
from stadsdata.core.access import Actor
from stadsdata.core.contract import ColumnType
from stadsdata.engine.base import ROW_POSITION, Condition, Engine, RowsQuery, ServedTable
from stadsdata.errors import NotFoundError
from stadsdata.governance.catalog_access import CatalogAccess
from stadsdata.metastore.records import VersionRecord
from stadsdata.opendata.cursor import CursorCodec, load_key
from stadsdata.opendata.query import ColumnInfo, QueryParser, RowsRequest

log = logging.getLogger("stadsdata.opendata")
K = TypeVar("K")
V = TypeVar("V")


class _LRU(Generic[K, V]):
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value


@dataclass(frozen=True)
class VersionView:
    """One public dataset version, ready to answer rows requests."""

    dataset: DatasetView
    version: VersionRecord
    table: ServedTable
    columns: list[ColumnInfo]
    parser: QueryParser

    @property
    def id(self) -> str:
        return self.dataset.record.id

    @property
    def number(self) -> int:
        return self.version.number

    @property
    def total_rows(self) -> int:
        return self.table.rows

    @property
    def geometry(self) -> str | None:
        return next((c.name for c in self.columns if c.type == ColumnType.geometry), None)

    def types(self) -> dict[str, ColumnType]:
        return {c.name: c.type for c in self.columns}

    def column_list(self, fields: tuple[str, ...]) -> list[dict[str, str]]:
        by_name = self.types()
        return [{"name": f, "type": by_name[f].value} for f in fields]


@dataclass(frozen=True)
class Page:
    rows: list[str]  # JSON object texts
    total: int
    cursor: str | None  # for the next page, or None on the last page


class RowsService:
    def __init__(
        self,
        catalog: Catalog,
        engine: Engine,
        *,
        cache_dir: Path,
        key_file: Path,
        access: CatalogAccess | None = None,
    ) -> None:
        self.catalog = catalog
        self.access = access
        self.engine = engine
        self.cache_dir = cache_dir
        self.cursors = CursorCodec(load_key(key_file))
        self._datasets: _LRU[tuple[Any, ...], DatasetView] = _LRU(256)
        self._versions: _LRU[tuple[Any, ...], VersionView] = _LRU(256)
        self._totals: _LRU[tuple[Any, ...], int] = _LRU(20_000)

    # -- which version ---------------------------------------------------------------------------
    def dataset(self, dataset_id: str, actor: Actor | None = None) -> DatasetView:
        """The dataset as ``actor`` may see it (None: the anonymous public): an openbaar dataset
        from a cache per contract and version; any other only through the access policy (audited),
        and the public 404 when the policy says no."""
        try:
            record = self.catalog.metastore.get_dataset(dataset_id)
        except NotFoundError:
            record = None
        if record is None or record.classification != PUBLIC:
            if record is None or actor is None or self.access is None:
                return self.catalog.public_view(dataset_id)  # raises the public 404
            return self.access.view(actor, dataset_id)
        key = (record.id, record.contract_sha256, record.current_version, record.updated_at, record.created_at)
        view = self._datasets.get(key)
        if view is None:
            view = self._datasets.put(key, self.catalog.public_view(dataset_id))
        return view

    def version_record(
        self, dataset_id: str, number: int | None = None, actor: Actor | None = None
    ) -> tuple[DatasetView, VersionRecord]:
        """The dataset (as ``actor`` may see it) and one of its versions (default: the current one),
        or a clear 404."""
        view = self.dataset(dataset_id, actor)
        if not view.versions:
            raise NotFoundError(f"dataset {dataset_id!r} has no data yet (no version has been loaded)")
        if number is None:
            return view, view.versions[-1]
        version = next((v for v in view.versions if v.number == number), None)
        if version is None:
            raise NotFoundError(
                f"dataset {dataset_id!r} has no version {number}; its versions are 1 to {view.versions[-1].number}"
            )
        return view, version

    def version(self, dataset_id: str, number: int | None = None, actor: Actor | None = None) -> VersionView:
        """A version ready for rows requests. Rows of a dataset that is not openbaar need read access
        to every column (``CatalogAccess.rows``, audited; 403 otherwise)."""
        view, version = self.version_record(dataset_id, number, actor)
        if view.record.classification != PUBLIC and self.access is not None and actor is not None:
            self.access.rows(actor, dataset_id)
        key = (view.record.id, view.record.created_at, version.number, version.storage_version, version.content_sha256)
        cached = self._versions.get(key)
        if cached is not None and cached.dataset is view:
            return cached
        if cached is not None:  # same version, newer contract text (descriptions, nullability)
            return self._versions.put(key, self._version_view(view, version, cached.table))
        return self._versions.put(key, self._version_view(view, version, None))

    def _version_view(self, view: DatasetView, version: VersionRecord, table: ServedTable | None) -> VersionView:
        contract = view.contract
        nullable = {c.name: c.nullable for c in contract.columns}
        columns = [ColumnInfo(c["name"], ColumnType(c["type"]), nullable.get(c["name"], True)) for c in version.schema]
        names = {c.name for c in columns}
        key = list(contract.key) if contract.key and all(k in names for k in contract.key) else []
        if table is None:
            ref = self.catalog.table_ref(view.record.id, version.number)
            table = ServedTable(
                key=f"{view.record.id}/{view.record.created_at.isoformat()}/v{version.number}/"
                f"{version.storage_version}/{version.content_sha256[:16]}",
                ref=ref,
                rows=version.row_count,  # the whole table at this version (append mode included)
                order=tuple(key) or (ROW_POSITION,),
                cache_dir=self.cache_dir,
            )
        return VersionView(view, version, table, columns, QueryParser(view.record.id, columns, key))

    # -- rows ------------------------------------------------------------------------------------
    def total(self, vv: VersionView, conditions: tuple[Condition, ...]) -> int:
        if not conditions:
            return vv.total_rows
        key = (vv.table.key, conditions)
        cached = self._totals.get(key)
        if cached is None:
            cached = self._totals.put(key, self.engine.count_rows(vv.table, conditions))
        return cached

    def _after(self, vv: VersionView, request: RowsRequest) -> tuple[Any, ...] | None:
        if request.cursor is None:
            return None
        types = vv.types()
        sort_types = [(k.column, types.get(k.column, ColumnType.integer)) for k in request.order]
        return self.cursors.decode(
            request.cursor, version=vv.number, fingerprint=request.fingerprint(), types=sort_types
        )

    def _query(self, vv: VersionView, request: RowsRequest, columns: tuple[str, ...] | None = None) -> RowsQuery:
        return RowsQuery(
            columns=request.fields if columns is None else columns,
            conditions=request.conditions,
            order=request.order,
            after=self._after(vv, request),
            limit=request.limit,
            offset=request.offset,
        )

    def page(self, vv: VersionView, request: RowsRequest) -> Page:
        query = self._query(vv, request)
        if request.limit == 0:
            return Page([], self.total(vv, request.conditions), None)
        page = self.engine.json_page(vv.table, query)
        if not request.conditions:
            total = vv.total_rows
        elif query.after is None and not query.offset and not page.more:
            total = len(page.rows)  # the whole result is on this page: no count needed
            self._totals.put((vv.table.key, request.conditions), total)
        else:
            total = self.total(vv, request.conditions)
        cursor = None
        if page.more and page.last is not None:
            cursor = self.cursors.encode(vv.number, request.fingerprint(), page.last)
        return Page(page.rows, total, cursor)

    def batches(self, vv: VersionView, request: RowsRequest, *, geometry: str) -> Iterator[pa.RecordBatch]:
        width = max(1, len(request.fields))
        return self.engine.arrow_batches(
            vv.table,
            self._query(vv, request),
            geometry="wkb" if geometry == "wkb" else "wkt",
            batch_rows=max(1024, min(65_536, 2_000_000 // width)),
        )

    def features(self, vv: VersionView, request: RowsRequest) -> Iterator[list[str]]:
        return self.engine.json_rows(vv.table, self._query(vv, request), shape="feature", batch_rows=5_000)

    def prepare(self, dataset_id: str, number: int | None = None, *, wait: bool = True) -> bool:
        """Build the serving copy of a (large) version now rather than on its first request."""
        return self.engine.prepare_rows(self.version(dataset_id, number).table, wait=wait)

    def warm(self) -> list[str]:
        """Start (in the background) what makes the current version of every public dataset fast to
        serve; returns the ids for which something was started. Run when a server starts."""
        started = []
        for record in self.catalog.public():
            if record.current_version is None:
                continue
            try:
                if self.prepare(record.id, wait=False):
                    started.append(record.id)
            except Exception:  # one broken dataset must not stop a server from starting
                log.exception("warming up %s failed", record.id)
        return started

    # -- caching ---------------------------------------------------------------------------------
    @staticmethod
    def etag(vv: VersionView, fmt: str, query: list[tuple[str, str]]) -> str:
        """A weak ETag: same dataset version, same format, same query -> same rows."""
        text = repr((__version__, vv.table.key, fmt, sorted(query)))
        return 'W/"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
