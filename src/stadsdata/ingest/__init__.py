"""The landing zone: a delivered file becomes a new immutable version of a dataset, or is rejected.

Stages (persisted in the metastore, see ``pipeline``): receiving -> received -> parsed -> checked
-> loaded, or rejected with a reason, or interrupted when the process died (``recovery``).
"""

from stadsdata.ingest.pipeline import IngestContext, Ingestor, IngestResult
from stadsdata.ingest.recovery import RecoveryReport, recover

__all__ = ["IngestContext", "IngestResult", "Ingestor", "RecoveryReport", "recover"]
