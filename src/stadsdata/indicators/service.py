"""``IndicatorService`` (``platform.indicators``): definitions, computation, and the reads the
portal, API and command line make (see ``model.py`` for the shapes, docs/indicators.md).

Definitions are re-read when a file changes; a bad file is refused with one IndicatorError line
and the set loaded before stays in use (``problem`` holds the refusal). ``compute`` writes a new
version of the ``indicatoren`` dataset only when the result differs from the current version.
Reads come from an in-memory copy of the current table version, rebuilt when the version changes.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stadsdata.catalog import Catalog
from stadsdata.core.access import Action, Actor, DatasetResource
from stadsdata.core.contract import ColumnType, parse_contract
from stadsdata.core.policy import AccessPolicy
from stadsdata.engine import Engine, TableRef
from stadsdata.errors import IndicatorError, NotFoundError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.catalog_access import record_resource
from stadsdata.governance.enforce import enforce
from stadsdata.indicators import compute as sql
from stadsdata.indicators.definitions import IndicatorSet, load_set
from stadsdata.indicators.geo import Boundaries, in_gemeente
from stadsdata.indicators.model import (
    ComputeReport,
    IndicatorDef,
    IndicatorValue,
    Level,
    Monitor,
    Peer,
    Product,
    ProfileRow,
    Region,
    Theme,
)
from stadsdata.indicators.sources import (
    INDICATOR_DATASET,
    BoundarySource,
    ValueSource,
    boundary_source,
    value_source,
)
from stadsdata.indicators.table import IndicatorTable
from stadsdata.ingest import Ingestor

log = logging.getLogger(__name__)
TYPES = {"periode": ColumnType.integer, "waarde": ColumnType.number}
NEW_COLUMNS = tuple((c, TYPES.get(c, ColumnType.string)) for c in sql.COLUMNS)


class IndicatorService:
    def __init__(
        self,
        catalog: Catalog,
        ingestor: Ingestor,
        engine: Engine,
        policy: AccessPolicy,
        audit: AuditLog,
        *,
        folders: list[Path],
        staging: Path,
    ) -> None:
        self.catalog = catalog
        self.ingestor = ingestor
        self.engine = engine
        self.policy = policy
        self.audit = audit
        self.folders = folders
        self.staging = staging
        self.problem: IndicatorError | None = None  # the refusal of the files on disk, if any
        self._set: IndicatorSet | None = None
        self._signature: tuple[tuple[str, float, int], ...] | None = None
        self._table: IndicatorTable | None = None
        self._boundaries = Boundaries(catalog)

    # -- definitions -------------------------------------------------------------------------
    def _files_signature(self) -> tuple[tuple[str, float, int], ...]:
        found = []
        for folder in self.folders:
            if folder.is_dir():
                for f in sorted(folder.glob("*.yaml")):
                    stat = f.stat()
                    found.append((str(f), stat.st_mtime, stat.st_size))
        return tuple(found)

    def load(self) -> IndicatorSet:
        """Read the definition files now; raise IndicatorError (and keep the set before) on a bad one."""
        signature = self._files_signature()
        try:
            loaded = load_set(self.folders)
        except IndicatorError as exc:
            self.problem, self._signature = exc, signature
            raise
        self._set, self._signature, self.problem = loaded, signature, None
        return loaded

    def current_set(self) -> IndicatorSet:
        """The definitions in use: re-read when a file changed; the previous good set when the
        files are now bad (``problem`` says why); an IndicatorError when there never was one."""
        if self._set is None or self._files_signature() != self._signature:
            try:
                return self.load()
            except IndicatorError:
                if self._set is None:
                    raise
                log.warning("indicator definitions refused, the previous set stays in use: %s", self.problem)
        assert self._set is not None
        return self._set

    def definitions(self) -> list[IndicatorDef]:
        return list(self.current_set().definitions.values())

    def definition(self, indicator_id: str) -> IndicatorDef:
        return _get(self.current_set().definitions, indicator_id, "indicator", "stadsdata indicators list")

    def themes(self) -> list[Theme]:
        return list(self.current_set().themes.values())

    def products(self) -> list[Product]:
        return list(self.current_set().products.values())

    def monitors(self) -> list[Monitor]:
        return list(self.current_set().monitors.values())

    def theme(self, theme_id: str) -> Theme:
        return _get(self.current_set().themes, theme_id, "theme", "themes.yaml")

    def product(self, product_id: str) -> Product:
        return _get(self.current_set().products, product_id, "product", "themes.yaml")

    def monitor(self, monitor_id: str) -> Monitor:
        return _get(self.current_set().monitors, monitor_id, "monitor", "themes.yaml")

    # -- sources -----------------------------------------------------------------------------
    def sources(self) -> tuple[list[ValueSource], list[BoundarySource]]:
        records = self.catalog.list()
        values = [s for r in records if (s := value_source(r)) is not None]
        shapes = [s for r in records if (s := boundary_source(r)) is not None]
        return values, shapes

    def feeds(self, dataset_id: str) -> bool:
        """Whether a dataset's versions go into the indicator table (values or region names)."""
        if dataset_id == INDICATOR_DATASET or not self.catalog.metastore.has_dataset(dataset_id):
            return False
        record = self.catalog.metastore.get_dataset(dataset_id)
        if boundary_source(record) is not None:
            return True
        source = value_source(record)
        if source is None:
            return False
        current = self.current_set()
        return any(source.binds(d, current.bindings[d.id])[0] for d in current.definitions.values())

    # -- computation -------------------------------------------------------------------------
    def authorise_compute(self, actor: Actor) -> None:
        """Ask the policy for ``ingest`` on the indicator dataset (audited; AccessDeniedError on a no)."""
        metastore = self.catalog.metastore
        if metastore.has_dataset(INDICATOR_DATASET):
            resource = record_resource(metastore.get_dataset(INDICATOR_DATASET))
        else:
            contract = sql.indicator_contract()
            resource = DatasetResource(INDICATOR_DATASET, "openbaar", str(contract["owner_dienst"]))
        enforce(self.policy, self.audit, actor, Action.ingest, resource, f"dataset:{INDICATOR_DATASET}")

    def compute(self, *, by: str, progress: Callable[[str], None] | None = None) -> ComputeReport:
        """Every indicator for every region and period from the current source versions; a new
        version of ``indicatoren`` when the result differs from the current one."""
        say = progress or (lambda _: None)
        say("reading the definitions")
        definitions = self.current_set()
        values, shapes = self.sources()
        plan = sql.plan(definitions, values, shapes)
        metastore = self.catalog.metastore
        current = (
            metastore.get_dataset(INDICATOR_DATASET).current_version
            if metastore.has_dataset(INDICATOR_DATASET)
            else None
        )
        if not plan.sources:
            return ComputeReport(INDICATOR_DATASET, current or 0, False, 0, 0, 0, 0, (), (), plan.skipped)
        tables = {s.label: self.catalog.table_ref(s.dataset_id, s.version) for s, _ in plan.sources}
        tables.update({b.label: self.catalog.table_ref(b.dataset_id, b.version) for b in plan.boundaries})
        self.staging.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.staging) as folder:
            file = Path(folder) / f"{INDICATOR_DATASET}.parquet"
            say(f"computing {len(plan.indicators)} indicators from {', '.join(plan.labels)}")
            written = self.engine.query_to_parquet(sql.build_sql(plan), tables, file)
            tables = {"new": TableRef((str(file),), NEW_COLUMNS)}
            if current is not None:
                say("comparing with the current version")
                tables["old"] = self.catalog.table_ref(INDICATOR_DATASET, current)
            [(_, secret, regions, periods, differ)] = self.engine.query(
                sql.summary_sql(compare=current is not None), tables
            ).rows
            changed = current is None or differ > 0
            version = current or 0
            if changed:
                say(f"writing {written:,} values")
                if not metastore.has_dataset(INDICATOR_DATASET):
                    contract = parse_contract(sql.indicator_contract(), source="generated indicator contract")
                    self.ingestor.register(contract)
                for source, defs in plan.sources:
                    note = f"indicators: {', '.join(d.id for d in defs)}"
                    metastore.add_lineage(INDICATOR_DATASET, source.dataset_id, "derived_from", note=note[:500])
                for shape in plan.boundaries:
                    metastore.add_lineage(INDICATOR_DATASET, shape.dataset_id, "derived_from", note="region names")
                version = self.ingestor.ingest(file, INDICATOR_DATASET).version
        log.info(
            "indicators computed by=%s version=%s changed=%s values=%s sources=%s",
            by,
            version,
            changed,
            written,
            ",".join(plan.labels),
        )
        return ComputeReport(
            dataset_id=INDICATOR_DATASET,
            version=version,
            changed=changed,
            indicators=len(plan.indicators),
            values=written,
            secret=int(secret),
            regions=int(regions),
            periods=tuple(int(p) for p in periods),
            sources=tuple(plan.labels),
            skipped=plan.skipped,
        )

    def after_ingest(self, dataset_id: str, *, by: str) -> ComputeReport | None:
        """The hook of ``Platform.ingest``: recompute when the dataset feeds the indicators."""
        if not self.feeds(dataset_id):
            return None
        return self.compute(by=by)

    # -- reads -------------------------------------------------------------------------------
    def table(self) -> IndicatorTable:
        """The current version of the indicator table, in memory (NotFoundError before a compute)."""
        metastore = self.catalog.metastore
        version = (
            metastore.get_dataset(INDICATOR_DATASET).current_version
            if metastore.has_dataset(INDICATOR_DATASET)
            else None
        )
        if version is None:
            raise NotFoundError("no indicator values yet; run `stadsdata indicators compute`")
        if self._table is None or self._table.version != version:
            ref = {"t": self.catalog.table_ref(INDICATOR_DATASET, version)}
            cols = ", ".join(sql.q(c) for c in sql.COLUMNS)
            rows = self.engine.query(f"SELECT {cols} FROM t ORDER BY indicator, regio, periode", ref).rows
            self._table = IndicatorTable.build(version, rows)
        return self._table

    def values(
        self,
        indicators: list[str] | None = None,
        regions: list[str] | None = None,
        periods: list[int] | None = None,
        level: Level | None = None,
        gemeente: str | None = None,
    ) -> list[IndicatorValue]:
        return self.table().values(indicators, regions, periods, level, gemeente)

    def periods(self, indicator: str | None = None) -> list[int]:
        return self.table().periods(indicator)

    def regions(self, level: Level | None = None, gemeente: str | None = None) -> list[Region]:
        return self.table().region_list(level, gemeente)

    def region(self, code: str) -> Region:
        return self.table().region(code)

    def profile(self, region_code: str, period: int | None = None) -> list[ProfileRow]:
        return self.table().profile(self.definitions(), region_code, period)

    def peers(self, gemeente_code: str, n: int = 8) -> list[Peer]:
        return self.table().peers(gemeente_code, n)

    # -- maps --------------------------------------------------------------------------------
    def boundaries(self, level: Level, gemeente: str | None = None) -> dict[str, Any]:
        """GeoJSON (WGS84) of the regions of ``level`` (in ``gemeente``), properties code and name."""
        _, shapes = self.sources()
        collection = self._boundaries.collection(shapes, Level(level), gemeente)
        try:
            regions = self.table().regions
        except NotFoundError:
            regions = {}
        for feature in collection["features"]:  # the table's name where the boundary file has none
            props = feature["properties"]
            if not props.get("name") and props["code"] in regions:
                props["name"] = regions[props["code"]].name
        return collection

    def boundary_mismatches(self, level: Level, period: int, gemeente: str | None = None) -> dict[str, list[str]]:
        """Codes with values (in ``period``) but no boundary, and boundaries without values (e.g.
        gemeenten merged between the indeling of the data and that of the boundaries)."""
        shapes = {f["properties"]["code"] for f in self.boundaries(level, gemeente)["features"]}
        table = self.table()
        valued = {
            r.code
            for r in table.regions.values()
            if r.level == Level(level)
            and in_gemeente(r.code, gemeente)
            and any(table.rows[i][6] == period and table.rows[i][7] is not None for i in table.by_region[r.code])
        }
        return {
            "values_without_boundary": sorted(valued - shapes),
            "boundaries_without_values": sorted(shapes - valued),
        }


def _get(items: dict[str, Any], key: str, kind: str, where: str) -> Any:
    try:
        return items[key]
    except KeyError:
        raise NotFoundError(f"{kind} {key!r} not found; see {where}") from None
