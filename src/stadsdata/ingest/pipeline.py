"""The ingest pipeline: receive, parse, check, load; every stage persisted before the next.

A delivery is a row in the metastore whose state moves
``receiving -> received -> parsed -> checked -> loaded`` or ends ``rejected`` with a one-line
reason. The received file is kept as delivered (with its SHA-256) whatever happens. Data
becomes visible only through one atomic Delta commit; the metastore then records the version.
If the process dies in between, ``recovery`` finishes or rolls back the delivery.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stadsdata.core.contract import ColumnType, Contract, LoadMode, PersonalData
from stadsdata.core.identifiers import validate_dataset_id
from stadsdata.core.quality import (
    VERSION_RULES,
    Change,
    Reference,
    Severity,
    Timeliness,
    Unique,
    check_change,
    check_timeliness,
)
from stadsdata.core.quality import score as quality_score
from stadsdata.engine import Engine, Problem, ProfileColumn, StageResult, TableStore
from stadsdata.errors import ConflictError, DeliveryError, NotFoundError, QuarantinedError
from stadsdata.ingest import csv_dialect, readers
from stadsdata.ingest.columns import ColumnPlan, evolved_column, plan_columns
from stadsdata.ingest.formats import detect_format
from stadsdata.ingest.locks import dataset_lock
from stadsdata.ingest.receiving import Receipt, Receiver
from stadsdata.metastore import Metastore
from stadsdata.metastore.contract_files import ContractFiles, atomic_write

STAGES = ("receiving", "received", "parsed", "checked", "committed")


@dataclass
class IngestContext:
    metastore: Metastore
    engine: Engine
    tables: TableStore
    contracts: ContractFiles
    landing: Path
    staging: Path
    locks: Path
    user: str
    pause_at: str | None = None
    pause_marker: Path | None = None

    def checkpoint(self, stage: str) -> None:
        """Crash-test hook: stop here (waiting to be killed) when the settings ask for it."""
        if self.pause_at != stage:
            return
        if self.pause_marker is not None:
            atomic_write(self.pause_marker, f"{stage} {os.getpid()}\n")
        while True:  # pragma: no cover - only ever left by SIGKILL
            time.sleep(0.05)

    def staging_dir(self, delivery_id: int) -> Path:
        return self.staging / f"d{delivery_id:06d}"


@dataclass
class _Attempt:
    """How a parse chose the CSV encoding: known from the whole file, or assumed from its head."""

    encoding_known: bool = False
    assumed_utf8: bool = False


_Parsed = tuple[str, ColumnPlan, StageResult, dict[str, Any]]


@dataclass(frozen=True)
class IngestResult:
    delivery_id: int
    dataset_id: str
    version: int
    row_count: int
    schema_changes: dict[str, Any]
    details: dict[str, Any]


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.basename(name))[:120] or "delivery"


def _where(display: str, problem: Problem, fmt: str) -> str:
    parts = [display]
    if problem.row is not None:
        if fmt == "csv":
            parts.append(f"line {problem.row + 1} (row {problem.row})")
        elif fmt == "geojson":
            parts.append(f"feature {problem.row}")
        else:
            parts.append(f"row {problem.row}")
    if problem.column:
        parts.append(f"column {problem.column}")
    return ", ".join(parts)


class Ingestor:
    def __init__(self, ctx: IngestContext) -> None:
        self.ctx = ctx

    # -- registration ----------------------------------------------------------------------
    def register(self, contract: Contract, *, like_of: str | None = None) -> None:
        if self.ctx.metastore.has_dataset(contract.id):
            raise ConflictError(f"dataset {contract.id!r} already exists; choose another id")
        self.ctx.contracts.save(contract)
        self.ctx.metastore.add_dataset(contract.to_data(), contract.fingerprint(), like_of=like_of)

    def _dataset_contract(self, dataset_id: str, like: str | None, title: str | None) -> Contract:
        ms = self.ctx.metastore
        if like is not None:
            validate_dataset_id(like, where="--like dataset id")
            if ms.has_dataset(dataset_id):
                raise ConflictError(f"dataset {dataset_id!r} already exists; --like registers a new dataset")
            if not ms.has_dataset(like):
                raise NotFoundError(f"--like {like!r}: no such dataset; see `stadsdata catalog list`")
            contract = self.ctx.contracts.load(like).renamed(dataset_id, title)
            self.register(contract, like_of=like)
            return contract
        if not ms.has_dataset(dataset_id):
            if self.ctx.contracts.exists(dataset_id):
                contract = self.ctx.contracts.load(dataset_id)
                self.register(contract)
                return contract
            raise NotFoundError(
                f"dataset {dataset_id!r} is not registered; register a contract with "
                f"`stadsdata register CONTRACT.yaml`, or use --like OTHER_ID"
            )
        if title:
            raise DeliveryError("--title only applies with --like (a new dataset); edit the contract to retitle")
        return self.ctx.contracts.load(dataset_id)

    # -- the pipeline ----------------------------------------------------------------------
    def ingest(
        self, source: Path, dataset_id: str, *, like: str | None = None, title: str | None = None
    ) -> IngestResult:
        validate_dataset_id(dataset_id)
        display = source.name
        if not source.is_file():
            raise DeliveryError(f"{source}: file not found; expected a path to a delivered file")
        with dataset_lock(self.ctx.locks, dataset_id):
            contract = self._dataset_contract(dataset_id, like, title)
            delivery_id = self.ctx.metastore.add_delivery(dataset_id, display, self.ctx.user)
            return self._run(delivery_id, source, display, contract)

    def retry(self, delivery_id: int) -> IngestResult:
        """Run an interrupted or rejected delivery again from its kept file, as a new delivery."""
        old = self.ctx.metastore.get_delivery(delivery_id)
        if old.state not in ("interrupted", "rejected") or not old.stored_path:
            raise ConflictError(
                f"delivery {delivery_id} is {old.state}; only an interrupted or rejected delivery "
                "with a kept file can be retried"
            )
        with dataset_lock(self.ctx.locks, old.dataset_id):
            contract = self.ctx.contracts.load(old.dataset_id)
            new_id = self.ctx.metastore.add_delivery(old.dataset_id, old.filename, self.ctx.user)
            self.ctx.metastore.set_delivery_state(
                new_id, "receiving", f"retry of delivery {delivery_id}", details={"retry_of": delivery_id}
            )
            return self._run(new_id, Path(old.stored_path), old.filename, contract)

    def release(self, delivery_id: int, reason: str) -> IngestResult:
        """Publish a quarantined delivery anyway: its kept file runs again, the reason is recorded."""
        old = self.ctx.metastore.get_delivery(delivery_id)
        if old.state != "quarantined" or not old.stored_path:
            raise ConflictError(f"delivery {delivery_id} is {old.state}; only a quarantined delivery can be released")
        if len(reason.strip()) < 10:
            raise DeliveryError("a release needs a reason of at least 10 characters; it is recorded with the version")
        release = {"from_delivery": delivery_id, "reason": reason.strip(), "by": self.ctx.user}
        with dataset_lock(self.ctx.locks, old.dataset_id):
            contract = self.ctx.contracts.load(old.dataset_id)
            new_id = self.ctx.metastore.add_delivery(old.dataset_id, old.filename, self.ctx.user)
            self.ctx.metastore.set_delivery_state(
                new_id, "receiving", f"release of quarantined delivery {delivery_id}", details={"release": release}
            )
            result = self._run(new_id, Path(old.stored_path), old.filename, contract, release=release)
            self.ctx.metastore.set_delivery_state(
                delivery_id, "released", f"released by {self.ctx.user} as delivery {new_id}: {reason.strip()}"
            )
            return result

    def _quality(self, delivery_id: int, staged: Path, contract: Contract) -> tuple[dict[str, Any], dict[str, Any]]:
        """Profile the version this delivery would become and run the contract's rules.

        Row-level rules run in the engine on the delivered rows; ``change`` compares this profile
        with the previous version's, ``timeliness`` the delivery time with the previous version's.
        Values of personal-data columns never leave the engine unmasked.
        """
        ms, engine = self.ctx.metastore, self.ctx.engine
        versions = ms.list_versions(contract.id)
        previous = versions[-1] if versions else None
        files = [staged]
        if contract.load_mode == LoadMode.append and previous is not None:
            files = [Path(f) for f in self.ctx.tables.files_at(contract.id, previous.storage_version)] + files
        personal = {c.name for c in contract.columns if c.personal_data != PersonalData.none}
        profile = engine.profile(files, [ProfileColumn(c.name, c.type, c.name in personal) for c in contract.columns])
        row_rules = [r for r in contract.quality if r.rule not in VERSION_RULES]
        references = {
            r.dataset: self._current_files(r.dataset)
            for r in row_rules
            if isinstance(r, Reference) and ms.has_dataset(r.dataset)
        }
        engine_results = iter(engine.check_rules(staged, row_rules, references))
        previous_profile = None
        if previous is not None and previous.delivery_id is not None:
            previous_profile = ms.get_delivery(previous.delivery_id).details.get("profile")
        delivered_at = ms.get_delivery(delivery_id).received_at
        results = []
        for rule in contract.quality:
            if isinstance(rule, Timeliness):
                previous_at = previous.created_at if previous else None
                results.append(check_timeliness(rule, contract.update_frequency.value, previous_at, delivered_at))
            elif isinstance(rule, Change):
                results.append(check_change(rule, profile, previous_profile))
            else:
                results.append(next(engine_results))
        for outcome in results:
            for example in outcome["examples"]:
                example["values"] = {
                    k: ("<hidden: personal data>" if k in personal else _plain(v)) for k, v in example["values"].items()
                }
        return {"score": quality_score(results), "rules": results}, profile

    def _run(
        self, delivery_id: int, source: Path, display: str, contract: Contract, release: dict[str, Any] | None = None
    ) -> IngestResult:
        ms = self.ctx.metastore
        work = self.ctx.staging_dir(delivery_id)
        receiver: Receiver | None = None
        try:
            # Receive (copy, hash, fsync) in the background while parsing the source: see receiving.py.
            receiver = Receiver(
                source, self._landing_path(delivery_id, contract.id, display), display, self._copied
            ).start()
            work.mkdir(parents=True, exist_ok=True)
            staged = work / "data.parquet"
            attempt = _Attempt()
            parsed: _Parsed | None = None
            parse_error: Exception | None = None
            try:
                parsed = self._parse(source, display, contract, staged, work, receiver.result, attempt)
            except Exception as exc:  # reported once the file is safely received
                parse_error = exc
            receipt = receiver.result()
            ms.set_delivery_state(
                delivery_id,
                "received",
                f"{receipt.size} bytes, sha256 {receipt.sha256[:12]}",
                stored_path=str(receipt.stored),
                sha256=receipt.sha256,
                size_bytes=receipt.size,
            )
            self.ctx.checkpoint("received")
            if attempt.assumed_utf8 and not receipt.is_utf8:
                # the head looked like UTF-8 but the whole file is not: parse the kept file again
                staged.unlink(missing_ok=True)
                parsed = self._parse(receipt.stored, display, contract, staged, work, lambda: receipt, _Attempt(True))
            elif parse_error is not None:
                raise parse_error
            assert parsed is not None
            fmt, plan, result, details = parsed
            problems = result.problems
            if problems:
                first = problems[0]
                more = f" ({len(problems)} problems in all)" if len(problems) > 1 else ""
                raise DeliveryError(f"{_where(display, first, fmt)}: {first.message}{more}")
            ms.set_delivery_state(
                delivery_id,
                "parsed",
                f"{result.row_count} rows ({details.get('dialect', fmt)})",
                format=fmt,
                details={**details, "rows": result.row_count},
            )
            self.ctx.checkpoint("parsed")

            final = self._check(delivery_id, staged, display, fmt, contract, plan, result)
            report, profile = self._quality(delivery_id, staged, final)
            blocking = [r for r in report["rules"] if not r["passed"] and r["severity"] == "blocking"]
            if blocking and release is None:
                message = (
                    f"{display}: quarantined: "
                    + "; ".join(
                        f"{r['rule']} {r['detail']}"
                        + (f" (first at row {r['examples'][0]['row']})" if r["examples"] else "")
                        for r in blocking
                    )
                    + f"; the current version is unchanged; release with `stadsdata deliveries release {delivery_id}`"
                )
                ms.quarantine_delivery(
                    delivery_id,
                    message,
                    {"quality": report, "profile": profile},
                    role="data_owner",
                    recipient=final.data_owner,
                    subject=f"{final.id}: delivery {delivery_id} ({display}) is in quarantine",
                )
                shutil.rmtree(work, ignore_errors=True)
                raise QuarantinedError(message)
            if release is not None:
                if any(r["kind"] == "unique" and sorted(r["columns"]) == sorted(final.key) for r in blocking):
                    raise DeliveryError(
                        f"{display}: cannot release: duplicate values of the key {', '.join(final.key)} cannot be "
                        "published (versions, the API and appends rely on a unique key); deliver a corrected file"
                    )
                report["released"] = release
            atomic_write(work / f"{final.id}.yaml", final.to_yaml())
            ms.set_delivery_state(
                delivery_id,
                "checked",
                f"contract checks passed; quality score {report['score']}",
                details={"filled_with_null": plan.filled_with_null, "quality": report, "profile": profile},
            )
            self.ctx.checkpoint("checked")

            return self._load(delivery_id, staged, final, receipt.sha256, result.row_count, plan, details)
        except QuarantinedError:
            raise
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            if receiver is not None:
                receiver.wait()
            message = str(exc)
            if not isinstance(exc, DeliveryError):
                message = f"{display}: internal error during ingest ({type(exc).__name__}: {exc})"
            ms.set_delivery_state(delivery_id, "rejected", message, error=message)
            self.ctx.tables.remove_uncommitted(contract.id, delivery_id)
            shutil.rmtree(work, ignore_errors=True)
            raise

    def _landing_path(self, delivery_id: int, dataset_id: str, display: str) -> Path:
        folder = self.ctx.landing / dataset_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"d{delivery_id:06d}-{_safe_name(display)}"

    def _copied(self) -> None:
        self.ctx.checkpoint("receiving")

    def _parse(
        self,
        source: Path,
        display: str,
        contract: Contract,
        staged: Path,
        work: Path,
        receipt: Callable[[], Receipt],
        attempt: _Attempt,
    ) -> _Parsed:
        fmt = detect_format(source, display)
        engine = self.ctx.engine
        details: dict[str, Any] = {"format": fmt}
        if fmt == "csv":
            encoding = None if attempt.encoding_known else csv_dialect.head_encoding(source)
            if encoding is None:
                got = receipt()
                encoding = csv_dialect.full_encoding(got.stored, display, got.utf8_error_at)
                source = got.stored
            elif not encoding.needs_transcoding:
                attempt.assumed_utf8 = True
            text = source
            if encoding.needs_transcoding:
                text = csv_dialect.transcode(source, encoding, work / "utf8.csv")
            dialect, header = csv_dialect.detect_dialect(text, "utf-8-sig", contract, display)
            details["encoding"] = encoding.name
            details["dialect"] = f"{dialect.label.replace('utf-8', encoding.name)}"
            plan = plan_columns(contract, header, display)
            result = engine.stage_csv(text, dialect, header, plan.fields, staged)
        elif fmt == "parquet":
            header = engine.parquet_columns(source)
            plan = plan_columns(contract, header, display)
            result = engine.stage_parquet(source, plan.fields, staged)
        else:
            if fmt == "xlsx":
                header, table = readers.read_xlsx(source, display)
            elif fmt == "geojson" or (fmt == "json" and contract.geometry_column and _looks_geojson(source)):
                fmt = "geojson"
                details["format"] = fmt
                header, table = readers.read_geojson(source, display, contract.geometry_column or "geometry")
            else:
                header, table = readers.read_json(source, display)
            plan = plan_columns(contract, header, display)
            result = engine.stage_arrow(table, plan.fields, staged)
        return fmt, plan, result, details

    def _check(
        self,
        delivery_id: int,
        staged: Path,
        display: str,
        fmt: str,
        contract: Contract,
        plan: ColumnPlan,
        result: StageResult,
    ) -> Contract:
        if result.row_count == 0:
            raise DeliveryError(f"{display}: the file has a header but no data rows; expected at least one row")
        engine = self.ctx.engine
        required = [c.name for c in contract.columns if not c.nullable]
        problem = engine.first_null(staged, required)
        if problem:
            raise DeliveryError(f"{_where(display, problem, fmt)}: {problem.message}")
        # a blocking `unique` rule on the key makes duplicates a quality finding (quarantine, with the
        # full report) instead of an immediate rejection
        problem = None if _key_is_a_quality_rule(contract) else engine.first_duplicate_key(staged, contract.key)
        if problem is None and contract.load_mode == LoadMode.append:
            problem = engine.first_existing_key(staged, contract.key, self._current_files(contract.id))
        if problem:
            raise DeliveryError(f"{_where(display, problem, fmt)}: {problem.message}")
        if not plan.new_columns:
            return contract
        types = {name: engine.infer_type(staged, name) for name in plan.new_columns}
        engine.recast(staged, {n: t for n, t in types.items() if t != ColumnType.string})
        return contract.with_added_columns([evolved_column(n, t, delivery_id) for n, t in types.items()])

    def _current_files(self, dataset_id: str) -> list[str]:
        versions = self.ctx.metastore.list_versions(dataset_id)
        if not versions:
            return []
        return self.ctx.tables.files_at(dataset_id, versions[-1].storage_version)

    def _load(
        self,
        delivery_id: int,
        staged: Path,
        contract: Contract,
        sha: str,
        rows: int,
        plan: ColumnPlan,
        details: dict[str, Any],
    ) -> IngestResult:
        tables = self.ctx.tables
        folder = tables.path(contract.id)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / tables.data_file_name(delivery_id)
        os.replace(staged, target)
        storage_version = tables.commit(
            contract.id, [target], delivery_id, append=contract.load_mode == LoadMode.append
        )
        self.ctx.checkpoint("committed")
        return finish_load(self.ctx, delivery_id, contract, storage_version, rows, sha, plan.filled_with_null, details)


def _key_is_a_quality_rule(contract: Contract) -> bool:
    return any(
        isinstance(r, Unique) and sorted(r.columns) == sorted(contract.key) and r.severity == Severity.blocking
        for r in contract.quality
    )


def _plain(value: Any) -> Any:
    """A JSON-safe example value."""
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _looks_geojson(path: Path) -> bool:
    with open(path, "rb") as handle:
        return b"FeatureCollection" in handle.read(4096)


def schema_of(contract: Contract) -> list[dict[str, str]]:
    return [{"name": c.name, "type": c.type.value} for c in contract.columns]


def finish_load(
    ctx: IngestContext,
    delivery_id: int,
    contract: Contract,
    storage_version: int,
    rows: int,
    sha: str,
    filled_with_null: list[str],
    details: dict[str, Any],
) -> IngestResult:
    """After the Delta commit: write the contract and record the version (also used by recovery)."""
    ms = ctx.metastore
    delivery = ms.get_delivery(delivery_id)
    previous = ms.list_versions(contract.id)
    schema = schema_of(contract)
    changes: dict[str, Any] = {}
    if previous:
        before = {c["name"]: c["type"] for c in previous[-1].schema}
        after = {c["name"]: c["type"] for c in schema}
        added = [n for n in after if n not in before]
        removed = [n for n in before if n not in after]
        retyped = [n for n in after if n in before and before[n] != after[n]]
        changes = {k: v for k, v in {"added": added, "removed": removed, "retyped": retyped}.items() if v}
    if filled_with_null:
        changes["filled_with_null"] = filled_with_null
    if contract.load_mode == LoadMode.append and previous:
        changes["appended_rows"] = rows
        rows += previous[-1].row_count  # a version counts the whole table, not the delivery
    ctx.contracts.save(contract)
    number = ms.record_load(
        delivery_id=delivery_id,
        contract=contract.to_data(),
        contract_sha256=contract.fingerprint(),
        storage_version=storage_version,
        row_count=rows,
        schema=schema,
        schema_changes=changes,
        content_sha256=sha,
        delivered_by=delivery.delivered_by,
    )
    shutil.rmtree(ctx.staging_dir(delivery_id), ignore_errors=True)
    return IngestResult(delivery_id, contract.id, number, rows, changes, details)
