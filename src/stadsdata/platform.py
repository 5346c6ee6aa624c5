"""The composition root: ``Platform(settings)`` wires metastore, engine, tables and the areas.

Nothing is created at import time. Every command and every test builds its own Platform.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from stadsdata import demo
from stadsdata.catalog import Catalog
from stadsdata.catalog.sql import referenced_tables, split_name
from stadsdata.core.access import Action, Actor, DatasetResource, Role
from stadsdata.core.contract import Contract, load_contract
from stadsdata.core.identifiers import validate_dataset_id
from stadsdata.core.policy import AccessPolicy
from stadsdata.engine import QueryResult, TableRef, TableStore, create_engine
from stadsdata.errors import IndicatorError, NotFoundError, SQLError, StadsdataError
from stadsdata.governance.audit import AuditLog, witness_path
from stadsdata.governance.catalog_access import CatalogAccess, record_resource
from stadsdata.governance.datashop import Datashop
from stadsdata.governance.enforce import enforce
from stadsdata.governance.identity import Identity
from stadsdata.governance.opgaven import ColumnRequest, Opgaven, OpgaveRequest, dataset_resource
from stadsdata.indicators import IndicatorService
from stadsdata.ingest import IngestContext, Ingestor, IngestResult, RecoveryReport, recover
from stadsdata.metastore import Metastore
from stadsdata.metastore.contract_files import ContractFiles
from stadsdata.metastore.opgaven_store import Opgave
from stadsdata.metastore.records import DatasetRecord
from stadsdata.models import Models, TrafficRisk, WmoForecast
from stadsdata.opendata.aggregates import AggregatePublisher
from stadsdata.register import REGISTER_2022, AlgorithmRegister, ImportReport
from stadsdata.reports import Reports
from stadsdata.settings import Settings
from stadsdata.workspaces.service import Workspaces

log = logging.getLogger(__name__)

DEMO_WMO = "wmo_clienten_synthetisch"
#: Only ever used in a demo home: printed by `stadsdata demo`, documented in the README.
DEMO_PASSWORD = "demo-wachtwoord-2026"
DEMO_USERS = (
    ("ana", "Ana Analist", "Dienst OCW", [(Role.analyst, None)]),
    ("gert", "Gert Analist", "Dienst OCW", [(Role.analyst, None)]),
    ("olga", "Olga Eigenaar", "Dienst OCW", [(Role.data_owner, DEMO_WMO)]),
    ("dora", "Dora Data-officer", "Dienst OCW", [(Role.data_officer, "Dienst Onderwijs, Cultuur en Welzijn (OCW)")]),
    ("bart", "Bart Bestuur", "Bestuursdienst", [(Role.governance_board, None)]),
    ("adam", "Adam Beheer", "Bestuursdienst", [(Role.platform_admin, None)]),
)


class Platform:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.home.expanduser().resolve()
        for folder in ("contracts", "landing", "staging", "tables", "locks"):
            (self.home / folder).mkdir(parents=True, exist_ok=True)
        self.metastore = Metastore.open(settings.metastore_url or f"sqlite:///{self.home / 'metastore.db'}")
        self.engine = create_engine(
            settings.engine,
            threads=settings.engine_threads,
            memory_limit=settings.engine_memory_limit,
            spark_master=settings.spark_master,
            spark_remote=settings.spark_remote,
            spark_driver_memory=settings.spark_driver_memory,
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
        # governance: one policy, one audit log, and the areas that ask and record through them
        self.policy = AccessPolicy()
        self.audit = AuditLog(self.metastore, witness=witness_path(self.home))
        self.identity = Identity(
            self.metastore,
            audit=self.audit,
            token_max_days=settings.token_max_days,
            session_hours=settings.session_hours,
            password_min_length=settings.password_min_length,
        )
        self.opgaven = Opgaven(
            self.metastore,
            self.audit,
            self.policy,
            max_months=settings.opgave_max_months,
            users_exist=self.identity.unknown_users,
        )
        self.datashop = Datashop(self.metastore, self.audit, self.policy)
        self.access = CatalogAccess(self.catalog, self.policy, self.audit)
        self.aggregates = AggregatePublisher(
            self.catalog,
            self.ingestor,
            self.policy,
            self.audit,
            staging=self.home / "staging",
            default_threshold=settings.disclosure_threshold,
        )
        self.workspaces = Workspaces(
            self.home,
            self.metastore,
            self.engine,
            self.tables,
            self.audit,
            self.policy,
            threshold=settings.disclosure_threshold,
            p_percent=settings.disclosure_p_percent,
        )
        # the algorithm register (docs/register.md): edited through the policy, linked to the catalogue
        self.algorithms = AlgorithmRegister(self.metastore, self.audit, self.policy, self.catalog, self.opgaven)
        # models (docs/wmo-forecast.md): read the catalogue, publish their output, register their card
        self.models = Models(
            wmo=WmoForecast(
                self.catalog, self.ingestor, self.policy, self.audit, self.algorithms, staging=self.home / "staging"
            ),
            verkeer=TrafficRisk(
                self.catalog, self.ingestor, self.policy, self.audit, self.algorithms, staging=self.home / "staging"
            ),
        )
        # indicators (docs/indicators.md): definitions as files, computed into the dataset `indicatoren`
        self.indicators = IndicatorService(
            self.catalog,
            self.ingestor,
            self.engine,
            self.policy,
            self.audit,
            folders=[demo.INDICATORS, self.home / "indicators"],
            staging=self.home / "staging",
        )
        # reports (docs/reports.md): every dataset of the meldingen type, aggregated by the engine
        self.reports = Reports(self.catalog, self.engine)

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
    # With an ``actor`` (the command line passes one; the demo loader and tests may not), each of
    # these asks the access policy first (``ingest`` or ``release``), audits the answer and stops
    # on a no; a dataset whose metadata the actor may not see answers as an unknown one.
    def register(self, contract_file: Path, *, actor: Actor | None = None) -> Contract:
        contract = load_contract(contract_file)
        if actor is not None:
            self._enforce(actor, Action.ingest, dataset_resource(contract))
        self.ingestor.register(contract)
        return contract

    def ingest(
        self,
        file: Path,
        dataset_id: str,
        *,
        like: str | None = None,
        title: str | None = None,
        actor: Actor | None = None,
        recompute: bool = True,
    ) -> IngestResult:
        """A delivery becomes a new version; when the dataset feeds the indicators (and
        ``recompute``), they are recomputed (``details["indicators"]`` says what came of it)."""
        if actor is not None:
            resource = self._ingest_resource(actor, dataset_id, like)
            if resource is not None:
                self._enforce(actor, Action.ingest, resource)
        result = self.ingestor.ingest(file, dataset_id, like=like, title=title)
        if recompute:
            self._recompute_indicators(result, by=actor.user if actor and actor.user else self.settings.user)
        return result

    def _recompute_indicators(self, result: IngestResult, *, by: str) -> None:
        """The ingest stands whatever happens here: a refused definition file is noted, not raised."""
        try:
            report = self.indicators.after_ingest(result.dataset_id, by=by)
        except IndicatorError as exc:
            log.warning("indicators not recomputed after %s: %s", result.dataset_id, exc)
            result.details["indicators"] = {"error": str(exc)}
            return
        if report is not None:
            result.details["indicators"] = {"version": report.version, "changed": report.changed}

    def retry(self, delivery_id: int, *, actor: Actor | None = None) -> IngestResult:
        if actor is not None:
            self._enforce(actor, Action.ingest, self._delivery_resource(actor, delivery_id))
        return self.ingestor.retry(delivery_id)

    def release(self, delivery_id: int, reason: str, *, actor: Actor | None = None) -> IngestResult:
        if actor is not None:
            self._enforce(actor, Action.release, self._delivery_resource(actor, delivery_id))
        return self.ingestor.release(delivery_id, reason)

    def visible_dataset(self, actor: Actor, dataset_id: str, *, missing: str | None = None) -> DatasetRecord:
        """The dataset's record when ``actor`` may see its metadata (audited when not openbaar);
        otherwise the NotFoundError of an unknown dataset (``missing``: its message), so that a
        dataset's existence does not leak to those who may not see it."""
        try:
            return self.access.metadata(actor, dataset_id)
        except NotFoundError:
            raise NotFoundError(missing or f"dataset {dataset_id!r} not found; see `stadsdata catalog list`") from None

    def readable_reports(self, actor: Actor) -> list[DatasetRecord]:
        """The reports datasets (docs/reports.md) whose rows ``actor`` may read: open data, or a
        grant at read level; the others are, to them, not there."""
        visible = {r.id for r in self.access.visible(actor)}
        readable = []
        for record in self.reports.datasets():
            if record.id not in visible:
                continue
            if record.classification != "openbaar":
                try:
                    self.access.rows(actor, record.id)
                except StadsdataError:
                    continue
            readable.append(record)
        return readable

    def _enforce(self, actor: Actor, action: Action, resource: DatasetResource) -> None:
        enforce(self.policy, self.audit, actor, action, resource, f"dataset:{resource.id}")

    def _ingest_resource(self, actor: Actor, dataset_id: str, like: str | None) -> DatasetResource | None:
        """What an ingest asks the policy about: the dataset, or the new dataset ``--like`` makes
        (its id with the classification, dienst and personal data of the other). None: nothing to
        ask about, the ingest itself says what is wrong (an unknown dataset without a contract)."""
        validate_dataset_id(dataset_id)
        if like is not None:
            validate_dataset_id(like, where="--like dataset id")
            missing = f"--like {like!r}: no such dataset; see `stadsdata catalog list`"
            model = self.visible_dataset(actor, like, missing=missing)
            return replace(record_resource(model), id=dataset_id)
        if self.metastore.has_dataset(dataset_id):
            unregistered = (  # the ingest's own message for a dataset that does not exist
                f"dataset {dataset_id!r} is not registered; register a contract with "
                "`stadsdata register CONTRACT.yaml`, or use --like OTHER_ID"
            )
            return record_resource(self.visible_dataset(actor, dataset_id, missing=unregistered))
        if self.contracts.exists(dataset_id):  # a contract file waiting for its first delivery
            return dataset_resource(self.contracts.load(dataset_id))
        return None

    def _delivery_resource(self, actor: Actor, delivery_id: int) -> DatasetResource:
        delivery = self.metastore.get_delivery(delivery_id)
        missing = f"delivery {delivery_id} not found; see `stadsdata deliveries`"
        return record_resource(self.visible_dataset(actor, delivery.dataset_id, missing=missing))

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

    # -- governance ----------------------------------------------------------------------------
    def decide_opgave(self, actor: Actor, opgave_id: int, dataset_id: str, **decision: Any) -> Opgave:
        """A data owner's decision; when it completes an approval, the workspace is built."""
        opgave = self.opgaven.decide(actor, opgave_id, dataset_id, **decision)
        if opgave.state == "approved" and self.workspaces.store.find(opgave_id) is None:
            self.workspaces.build(opgave_id, by=actor.user or "system")
        return opgave

    # -- SQL -------------------------------------------------------------------------------
    def sql(self, query: str, *, limit: int | None = None, actor: Actor | None = None) -> QueryResult:
        """One read-only query over the datasets. With ``actor``: every dataset it names needs
        rows as stored (``CatalogAccess.rows``: read access to every column; asked and audited per
        dataset), else AccessDeniedError with the policy's reason and no rows; a dataset the actor
        may not see is left out, so the query fails exactly as on a name that is no dataset."""
        if actor is None:
            return self.catalog.query(query, limit=limit)
        tables: dict[str, TableRef] = {}
        for name in sorted(referenced_tables(query)):
            dataset_id, number = split_name(name)
            known = self.metastore.has_dataset(dataset_id)
            if known:
                try:
                    self.access.rows(actor, dataset_id)
                except NotFoundError:
                    known = False  # the actor may not see it: as if it did not exist
            if not known:
                if number is not None:
                    raise SQLError(
                        f"unknown dataset {dataset_id!r} in {name!r}; see `stadsdata catalog list`"
                    ) from None
                continue  # not a dataset (for this actor): the engine says what is wrong
            try:
                tables[name] = self.catalog.table_ref(dataset_id, number)
            except NotFoundError as exc:
                raise SQLError(str(exc)) from None
        return self.engine.query(query, tables, limit=limit)

    # -- demo ------------------------------------------------------------------------------
    def load_demo_governance(self, today: dt.date | None = None) -> dict[str, Any]:
        """Demo users (with the documented demo password) and two opgaven on the SYNTHETIC Wmo
        register: one approved with its workspace, one that ended and was destroyed."""
        today = today or dt.date.today()
        me = self.settings.user
        for name, display, dienst, roles in DEMO_USERS:
            if self.identity.unknown_users([name]):
                self.identity.add_user(name, display_name=display, password=DEMO_PASSWORD, dienst=dienst, by=me)
                for role, scope in roles:
                    self.identity.assign_role(name, role, scope, by=me)
        analyst, owner = self.identity.actor_for("ana"), self.identity.actor_for("olga")
        opgaven = []
        # the second is filed as if 60 days ago, for one month: it has ended, and the sweep destroys it
        for title, months, filed in (
            ("Wmo-voorzieningen per wijk (demo)", 6, today),
            ("Wmo-gebruik per wijk (demo, afgelopen)", 1, today - dt.timedelta(days=60)),
        ):
            opgave = self.opgaven.request(
                analyst,
                OpgaveRequest(
                    title=title,
                    purpose="Welke Wmo-voorzieningen worden per wijk gebruikt, voor de inkoop en de begroting.",
                    legal_ground="e",
                    legal_basis="Wmo 2015, art. 2.1.2 (beleidsplan maatschappelijke ondersteuning)",
                    dpia_reference="DPIA-DEMO-001 (fictief)",
                    dpia_status="afgerond",
                    end_date=filed + dt.timedelta(days=30 * months),
                    columns=[
                        ColumnRequest(DEMO_WMO, "bsn", "Cliënten tellen en koppelen binnen de opgave."),
                        ColumnRequest(DEMO_WMO, "geboortedatum", "Leeftijdsopbouw van de cliënten."),
                        ColumnRequest(DEMO_WMO, "wijkcode", "De eenheid van de analyse: de wijk."),
                        ColumnRequest(DEMO_WMO, "voorziening", "Het soort voorziening: de kern van de vraag."),
                    ],
                    members=["gert"],
                ),
                today=filed,
            )
            self.decide_opgave(
                owner,
                opgave.id,
                DEMO_WMO,
                approve=True,
                reason="Doel, grondslag en DPIA zijn in orde (demo).",
                special_categories=["voorziening"],
            )
            opgaven.append(opgave.id)
        destroyed = self.workspaces.sweep(today=today)
        return {
            "users": [u[0] for u in DEMO_USERS],
            "approved": opgaven[0],
            "destroyed": [d["opgave"] for d in destroyed],
        }

    def load_demo(self, on_loaded=None) -> list[IngestResult]:  # type: ignore[no-untyped-def]
        """Register and load every demo dataset the repo ships: real data, plus the SYNTHETIC Wmo
        register with the demo users and opgaven; then the real algorithm register (96 entries) and
        the models trained on the demo data (``load_demo_models``)."""
        results = []
        for dataset_id in demo.DEMO_DATASETS:
            if not self.metastore.has_dataset(dataset_id):
                self.register(demo.contract_path(dataset_id))
            result = self.ingest(demo.data_path(dataset_id), dataset_id, recompute=False)
            results.append(result)
            if on_loaded:
                on_loaded(result)
        self.indicators.compute(by=self.settings.user)  # once, over every source just loaded
        if DEMO_WMO in demo.DEMO_DATASETS and not self.opgaven.list():
            self.load_demo_governance()
        self.load_demo_register()
        self.load_demo_models()
        return results

    def load_demo_models(self) -> None:
        """Train the models on the demo data: each publishes its output dataset and registers its
        model card in the algorithm register (docs/wmo-forecast.md)."""
        self.models.wmo.train(by=self.settings.user)
        self.models.verkeer.run(by=self.settings.user)  # hotspots of every gemeente in the BRON file

    def load_demo_register(self) -> ImportReport:
        """The real 2022 Algoritmeregister export into the algorithm register (idempotent)."""
        return self.algorithms.import_2022(REGISTER_2022, by=self.settings.user)
