"""What every model service on the platform does the same way: read a catalogued dataset (only what
the actor may read), ask the access policy before writing, and write an output dataset with its
generated contract and lineage, where an unchanged file makes no new version.

A model subclasses ``ModelService`` and names itself (``label``, ``purpose``, ``origin``,
``model_version``); the Wmo forecast (``models.wmo.service``) and the traffic-risk model
(``models.verkeer.service``) do.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from stadsdata.catalog import Catalog
from stadsdata.core.access import Action, Actor
from stadsdata.core.contract import parse_contract
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import ConflictError, ModelError, NotFoundError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.catalog_access import CatalogAccess, record_resource
from stadsdata.governance.enforce import enforce
from stadsdata.governance.opgaven import dataset_resource
from stadsdata.ingest import Ingestor
from stadsdata.register import AlgorithmRegister


class ModelService:
    #: how the model names itself in errors and lineage notes ("Wmo model")
    label: str = "model"
    #: the purpose it gives the access policy when it writes ("Wmo forecast")
    purpose: str = "model output"
    #: the start of ``source.retrieved_from`` in its generated contracts: marks a dataset as its output
    origin: str = ""
    model_version: str = "0"

    def __init__(
        self,
        catalog: Catalog,
        ingestor: Ingestor,
        policy: AccessPolicy,
        audit: AuditLog,
        algorithms: AlgorithmRegister,
        *,
        staging: Path,
    ) -> None:
        self.catalog = catalog
        self.metastore = catalog.metastore
        self.ingestor = ingestor
        self.policy = policy
        self.audit = audit
        self.algorithms = algorithms
        self.access = CatalogAccess(catalog, policy, audit)
        self.staging = staging

    # -- reading -----------------------------------------------------------------------------
    def table(self, dataset_id: str, actor: Actor | None = None) -> pd.DataFrame:
        """The current version of a dataset as a DataFrame (with ``actor``: only when it may read
        the rows; a dataset it may not see is an unknown one)."""
        if actor is not None:
            self.access.rows(actor, dataset_id)
        if not self.metastore.has_dataset(dataset_id):
            raise NotFoundError(f"dataset {dataset_id!r} not found; see `stadsdata catalog list`")
        if self.metastore.get_dataset(dataset_id).current_version is None:
            raise ModelError(f"{dataset_id}: no version yet; expected a loaded dataset")
        return self.catalog.query(f'SELECT * FROM "{dataset_id}"').to_arrow().to_pandas()

    def content(self, dataset_id: str) -> str:
        """The SHA-256 of the content of a dataset's current version (for a model version's fingerprint)."""
        record = self.metastore.get_dataset(dataset_id)
        return self.metastore.get_version(dataset_id, record.current_version).content_sha256

    # -- writing -----------------------------------------------------------------------------
    def ask(self, actor: Actor | None, dataset: str, contract: dict[str, Any]) -> None:
        """The policy's ``ingest`` on the output dataset (its generated contract before it exists);
        no actor: the operator at the command line or the demo."""
        if actor is None:
            return
        if self.metastore.has_dataset(dataset):
            resource = record_resource(self.metastore.get_dataset(dataset))
        else:
            resource = dataset_resource(parse_contract(contract, source=f"generated contract of {dataset}"))
        enforce(self.policy, self.audit, actor, Action.ingest, resource, f"dataset:{dataset}", purpose=self.purpose)

    def write(
        self,
        dataset: str,
        contract: dict[str, Any],
        rows: pd.DataFrame,
        sources: list[str],
        *,
        float_format: str | None = None,
    ) -> tuple[int, bool]:
        """Write ``rows`` as the next version of ``dataset`` (registered with ``contract`` and
        lineage to ``sources`` the first time): (version, new). An unchanged file is no new version;
        a dataset of the same name that is not this model's output is a conflict, and stays as it is."""
        exists = self.metastore.has_dataset(dataset)
        if exists:
            retrieved = (self.metastore.get_dataset(dataset).contract.get("source") or {}).get("retrieved_from", "")
            if not str(retrieved).startswith(self.origin):
                raise ConflictError(f"dataset {dataset!r} already exists and is not the {self.label}'s output")
        self.staging.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.staging) as folder:
            file = Path(folder) / f"{dataset}.csv"
            rows.to_csv(file, index=False, lineterminator="\n", float_format=float_format)
            sha = hashlib.sha256(file.read_bytes()).hexdigest()
            if exists:
                record = self.metastore.get_dataset(dataset)
                if record.current_version is not None:
                    current = self.metastore.get_version(dataset, record.current_version)
                    if current.content_sha256 == sha:
                        return current.number, False
            else:
                self.ingestor.register(parse_contract(contract, source=f"generated contract of {dataset}"))
            for source in sources:  # idempotent; a new source adds its own line
                self.metastore.add_lineage(dataset, source, "derived_from", note=f"{self.label} {self.model_version}")
            result = self.ingestor.ingest(file, dataset)
        return result.version, True
