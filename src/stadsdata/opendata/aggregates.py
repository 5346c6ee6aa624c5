"""Safe aggregates: a count table of a non-public dataset, published as an open dataset.

The data owner (or steward) of a dataset asks for counts by one or two of its columns; the
platform writes the query itself (``count(*)`` per cell, with the margins), so that what is
checked really is a frequency table and nothing else can leave. The table goes through the same
disclosure control as an export from a workspace (``privacy.disclosure``: threshold, secondary
suppression, margins included), at the dataset's ``disclosure_threshold`` or the platform's
default. What passes becomes a new version of an *openbaar* dataset with its own generated
contract: suppressed cells are empty with ``onderdrukt`` true, a blocking quality rule keeps any
later version from holding a small cell, and the lineage points at the source. A table that
cannot be protected is refused with the cells and why; nothing is registered or published then.
Every step is audited: the policy's decision (``publish_aggregate``), and the publication with
its disclosure explanation.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from stadsdata.catalog import Catalog
from stadsdata.core.access import Action, Actor
from stadsdata.core.contract import Contract, PersonalData, parse_contract
from stadsdata.core.identifiers import validate_dataset_id
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import ConflictError, DisclosureError, GovernanceError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.catalog_access import CatalogAccess, record_resource
from stadsdata.governance.enforce import enforce
from stadsdata.ingest import Ingestor, IngestResult
from stadsdata.privacy.disclosure import ExportDecision, check_frequency_table, decide_export

TOTAL = "Totaal"
EMPTY = "(leeg)"
COUNT = "aantal"
FLAG = "onderdrukt"
MARK = "stadsdata-aggregaat"  # the keyword that marks a generated aggregate
SYNTHETIC = re.compile(r"SYNTHETI", re.IGNORECASE)


@dataclass(frozen=True)
class AggregateSpec:
    """What to publish: counts of ``source`` by ``dimensions`` (one or two columns), as dataset ``id``."""

    id: str
    source: str
    dimensions: list[str]
    title_nl: str
    title_en: str | None = None
    description_nl: str | None = None
    description_en: str | None = None


@dataclass(frozen=True)
class PublishedAggregate:
    result: IngestResult
    decision: ExportDecision
    threshold: int
    cells: int
    suppressed: int


def aggregate_sql(source: str, dimensions: list[str]) -> str:
    """``count(*)`` per cell and per margin: the only query an aggregate runs."""
    labels = [
        f"CASE WHEN GROUPING(\"{d}\") = 1 THEN '{TOTAL}' ELSE COALESCE(CAST(\"{d}\" AS VARCHAR), '{EMPTY}') END"
        f' AS "{d}"'
        for d in dimensions
    ]
    quoted = [f'"{d}"' for d in dimensions]
    if len(dimensions) == 1:
        sets = f"({quoted[0]}), ()"
    else:
        sets = f"({quoted[0]}, {quoted[1]}), ({quoted[0]}), ({quoted[1]}), ()"
    return f'SELECT {", ".join(labels)}, count(*) AS "{COUNT}" FROM "{source}" GROUP BY GROUPING SETS ({sets})'


def _check_spec(spec: AggregateSpec, source: Contract) -> None:
    validate_dataset_id(spec.id, where="aggregate dataset id")
    if spec.id == spec.source:
        raise GovernanceError(f"id: {spec.id!r} is the source itself; expected a new dataset id")
    if len(spec.title_nl.strip()) < 5:
        raise GovernanceError("title: expected a Dutch title of at least 5 characters")
    if not 1 <= len(spec.dimensions) <= 2 or len(set(spec.dimensions)) != len(spec.dimensions):
        raise GovernanceError(
            f"dimensions: expected one or two different columns of {spec.source}; "
            f"got {', '.join(spec.dimensions) or 'none'}"
        )
    columns = {c.name: c for c in source.columns}
    for name in spec.dimensions:
        if name not in columns:
            raise GovernanceError(
                f"dimensions: {spec.source} has no column {name!r}; expected one of {', '.join(columns)}"
            )
        if columns[name].personal_data == PersonalData.direct_identifier:
            raise GovernanceError(
                f"dimensions: {name!r} is a direct identifier of {spec.source}; counts by it would describe persons"
            )
        if columns[name].type == "geometry":
            raise GovernanceError(f"dimensions: {name!r} is a geometry; expected a column with categories")


def _threshold(source: Contract, default: int) -> int:
    return source.disclosure_threshold or default


def aggregate_contract(spec: AggregateSpec, source: Contract, threshold: int) -> dict[str, Any]:
    """The generated contract of the aggregate: open, derived from ``source``, labelled SYNTHETIC
    when the source is."""
    synthetic = bool(SYNTHETIC.search(source.title.nl)) or any(k.upper() == "SYNTHETISCH" for k in source.keywords)
    title_nl, title_en = spec.title_nl.strip(), (spec.title_en or "").strip() or None
    if synthetic and not SYNTHETIC.search(title_nl):
        title_nl = f"SYNTHETISCH: {title_nl}"
    if synthetic and title_en and not SYNTHETIC.search(title_en):
        title_en = f"SYNTHETIC: {title_en}"
    by = " en ".join(spec.dimensions)
    method_nl = (
        f"Aantallen uit de dataset {source.id} ({source.classification.value}) per {by}, met totalen. "
        f"Gepubliceerd na outputcontrole: een aantal kleiner dan {threshold} (en elke cel waaruit zo'n aantal "
        f"terug te rekenen zou zijn) is leeg gelaten en heeft {FLAG} = waar."
    )
    method_en = (
        f"Counts from the dataset {source.id} ({source.classification.value}) by {', '.join(spec.dimensions)}, "
        f"with totals. Published after disclosure control: a count below {threshold} (and any cell from which "
        f"such a count could be recomputed) is left empty and has {FLAG} = true."
    )
    if synthetic:
        method_nl += " De bron is SYNTHETISCH: deze aantallen beschrijven geen echte personen."
        method_en += " The source is SYNTHETIC: these counts describe no real persons."
    described = {c.name: c for c in source.columns}
    columns: list[dict[str, Any]] = [
        {
            "name": name,
            "type": "string",
            "nullable": False,
            "description": {
                "nl": f"{described[name].description.nl} ('{TOTAL}': alle waarden samen; '{EMPTY}': niet ingevuld)",
                "en": f"{described[name].description.get('en')} ('{TOTAL}': all values together; "
                f"'{EMPTY}': not filled in)",
            },
        }
        for name in spec.dimensions
    ]
    columns += [
        {
            "name": COUNT,
            "type": "integer",
            "nullable": True,
            "description": {
                "nl": "Aantal rijen in de bron; leeg als het onderdrukt is.",
                "en": "Number of rows in the source; empty when suppressed.",
            },
        },
        {
            "name": FLAG,
            "type": "boolean",
            "nullable": False,
            "description": {
                "nl": "Waar als het aantal is onderdrukt (outputcontrole).",
                "en": "True when the count was suppressed (disclosure control).",
            },
        },
    ]
    return {
        "id": spec.id,
        "title": {"nl": title_nl, **({"en": title_en} if title_en else {})},
        "description": {
            "nl": "\n\n".join(p for p in ((spec.description_nl or "").strip(), method_nl) if p),
            "en": "\n\n".join(p for p in ((spec.description_en or "").strip(), method_en) if p),
        },
        "owner_dienst": source.owner_dienst,
        "data_owner": source.data_owner,
        "steward": source.steward,
        **({"contact_email": source.contact_email} if source.contact_email else {}),
        "themes": list(source.themes),
        "keywords": list(dict.fromkeys([*source.keywords, "aggregaat", MARK])),
        "classification": "openbaar",
        "licence": "CC0-1.0",
        "update_frequency": source.update_frequency.value,
        "spatial_coverage": source.spatial_coverage,
        "temporal_coverage": source.temporal_coverage.model_dump(mode="json", exclude_none=True),
        "legal_basis": (
            f"Openbaar gemaakt als aggregaat na outputcontrole (drempel {threshold}). Grondslag van de bron: "
            f"{source.legal_basis}"
        ),
        "retention": {"period": "permanent", "reason": "Open data: gepubliceerde aggregaten blijven vindbaar."},
        "source": {
            "publisher": source.owner_dienst,
            "attribution": f"Aggregaat van {source.id} (Stadsdata, outputcontrole drempel {threshold})",
            "retrieved_from": f"aggregate of {source.id} by {', '.join(spec.dimensions)}",
        },
        "key": list(spec.dimensions),
        "columns": columns,
        "disclosure_threshold": threshold,
        "quality": [
            {
                "rule": "range",
                "column": COUNT,
                "min": threshold,
                "severity": "blocking",
                "description": f"Geen gepubliceerd aantal onder de drempel van {threshold}.",
            }
        ],
    }


class AggregatePublisher:
    def __init__(
        self,
        catalog: Catalog,
        ingestor: Ingestor,
        policy: AccessPolicy,
        audit: AuditLog,
        *,
        staging: Path,
        default_threshold: int = 10,
    ) -> None:
        self.catalog = catalog
        self.ingestor = ingestor
        self.policy = policy
        self.audit = audit
        self.staging = staging
        self.default_threshold = default_threshold
        self.access = CatalogAccess(catalog, policy, audit)

    def publish(self, actor: Actor, spec: AggregateSpec) -> PublishedAggregate:
        metastore = self.catalog.metastore
        record = self.access.metadata(actor, spec.source)  # one you may not see is as unknown (404)
        enforce(
            self.policy,
            self.audit,
            actor,
            Action.publish_aggregate,
            record_resource(record),
            f"dataset:{spec.source}",
            purpose=f"publish an aggregate as {spec.id}",
        )
        source = parse_contract(record.contract, source=f"metastore contract of {spec.source}")
        _check_spec(spec, source)
        if record.current_version is None:
            raise GovernanceError(f"source: {spec.source} has no version yet; nothing to count")
        origin = f"aggregate of {source.id} by {', '.join(spec.dimensions)}"
        exists = metastore.has_dataset(spec.id)
        if exists:
            existing = metastore.get_dataset(spec.id).contract
            if (existing.get("source") or {}).get("retrieved_from") != origin:
                raise ConflictError(f"dataset {spec.id!r} already exists and is not the {origin}; choose another id")
        threshold = _threshold(source, self.default_threshold)
        result = self.catalog.query(aggregate_sql(spec.source, spec.dimensions))
        records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        for name in spec.dimensions:
            clash = self.catalog.query(
                f"SELECT count(*) FROM \"{spec.source}\" WHERE CAST(\"{name}\" AS VARCHAR) IN ('{TOTAL}', '{EMPTY}')"
            )
            if clash.rows[0][0]:
                raise GovernanceError(
                    f"dimensions: {name!r} has a category named {TOTAL!r} or {EMPTY!r}, the labels of the totals "
                    "and of empty values"
                )
        checked = check_frequency_table(records, spec.dimensions, COUNT, threshold=threshold, total=TOTAL)
        decision = decide_export(checked, suppressed_ok=True)
        suppressed = sum(1 for r in checked.rows if r[COUNT] is None)
        self.audit.append(  # counts of cells only: the findings quote small counts, not for the log
            actor,
            "aggregate_published" if decision.released else "aggregate_blocked",
            f"dataset:{spec.id}",
            decision.status,
            purpose=f"open data from {spec.source}",
            detail={
                "source": spec.source,
                "dimensions": spec.dimensions,
                "threshold": threshold,
                "cells": len(checked.rows),
                "suppressed": suppressed,
            },
        )
        if not decision.released:
            raise DisclosureError(f"{spec.id}: not published: {decision.explanation}")
        if not exists:
            self.ingestor.register(
                parse_contract(aggregate_contract(spec, source, threshold), source=f"aggregate {spec.id}")
            )
            metastore.add_lineage(spec.id, spec.source, "derived_from", note=f"counts by {', '.join(spec.dimensions)}")
        rows = checked.rows
        table = pa.table(
            {
                **{d: pa.array([str(r[d]) for r in rows], pa.string()) for d in spec.dimensions},
                COUNT: pa.array([r[COUNT] for r in rows], pa.int64()),
                FLAG: pa.array([r[COUNT] is None for r in rows], pa.bool_()),
            }
        )
        self.staging.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.staging) as folder:
            file = Path(folder) / f"{spec.id}.parquet"
            pq.write_table(table, file)
            ingested = self.ingestor.ingest(file, spec.id)
        return PublishedAggregate(ingested, decision, threshold, len(rows), suppressed)
