"""Finishing or rolling back deliveries whose process died (SIGKILL, power loss).

Run at the start of every command. A delivery in an unfinished state whose dataset is not
locked by a live process is either
- finished, when its Delta commit exists (the data is there; only the bookkeeping was lost), or
- marked ``interrupted``, with its uncommitted files removed; the received file is kept so
  ``stadsdata deliveries retry ID`` can run it again.
The previous version stays readable throughout: it is never touched.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pyarrow.parquet as pq

from stadsdata.core.contract import load_contract
from stadsdata.errors import ConflictError
from stadsdata.ingest.locks import dataset_lock
from stadsdata.ingest.pipeline import IngestContext, finish_load
from stadsdata.metastore.store import UNFINISHED_STATES


@dataclass(frozen=True)
class RecoveryReport:
    delivery_id: int
    dataset_id: str
    stage: str
    outcome: str  # "loaded" or "interrupted"
    message: str


def recover(ctx: IngestContext) -> list[RecoveryReport]:
    reports: list[RecoveryReport] = []
    for delivery in ctx.metastore.list_deliveries(states=UNFINISHED_STATES):
        try:
            with dataset_lock(ctx.locks, delivery.dataset_id):
                current = ctx.metastore.get_delivery(delivery.id)
                if current.state not in UNFINISHED_STATES:
                    continue
                reports.append(_recover_one(ctx, current.id, current.dataset_id, current.state))
        except ConflictError:
            continue  # a live process holds the dataset: it is not a crash
    return reports


def _recover_one(ctx: IngestContext, delivery_id: int, dataset_id: str, stage: str) -> RecoveryReport:
    storage_version = ctx.tables.find_commit(dataset_id, delivery_id)
    work = ctx.staging_dir(delivery_id)
    delivery = ctx.metastore.get_delivery(delivery_id)
    staged_contract = work / f"{dataset_id}.yaml"
    if storage_version is not None and staged_contract.exists():
        contract = load_contract(staged_contract)
        files = ctx.tables.files_at(dataset_id, storage_version)
        name = ctx.tables.data_file_name(delivery_id)
        rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files if f.endswith(name))
        result = finish_load(
            ctx,
            delivery_id,
            contract,
            storage_version,
            rows,
            delivery.sha256 or "",
            delivery.details.get("filled_with_null", []),
            delivery.details,
        )
        return RecoveryReport(
            delivery_id,
            dataset_id,
            stage,
            "loaded",
            f"delivery {delivery_id} ({delivery.filename}) for {dataset_id} was committed before the process stopped; "
            f"finished it as version {result.version}",
        )
    ctx.tables.remove_uncommitted(dataset_id, delivery_id)
    shutil.rmtree(work, ignore_errors=True)
    for partial in (ctx.landing / dataset_id).glob(f"d{delivery_id:06d}-*.partial"):
        partial.unlink()  # a copy that never finished
    if delivery.stored_path:
        again = (
            f"the delivered file is kept at {delivery.stored_path}; "
            f"run `stadsdata deliveries retry {delivery_id}` to try again"
        )
    else:
        again = "the file was not completely received; deliver it again"
    message = (
        f"delivery {delivery_id} ({delivery.filename}) for {dataset_id} was interrupted while {stage}: nothing was "
        f"loaded and the current version is unchanged; {again}"
    )
    ctx.metastore.set_delivery_state(delivery_id, "interrupted", f"process stopped while {stage}", error=message)
    return RecoveryReport(delivery_id, dataset_id, stage, "interrupted", message)
