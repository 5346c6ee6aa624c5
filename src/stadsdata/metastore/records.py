"""Plain records the metastore hands out: callers never hold ORM objects or sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DatasetRecord:
    id: str
    title: str
    classification: str
    owner_dienst: str
    contract: dict[str, Any]
    contract_sha256: str
    like_of: str | None
    current_version: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class VersionRecord:
    dataset_id: str
    number: int
    storage_version: int
    row_count: int
    schema: list[dict[str, Any]]
    schema_changes: dict[str, Any]
    content_sha256: str
    contract_sha256: str
    delivery_id: int | None
    delivered_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DeliveryEvent:
    state: str
    at: dt.datetime
    detail: str | None


@dataclass(frozen=True)
class DeliveryRecord:
    id: int
    dataset_id: str
    filename: str
    stored_path: str | None
    format: str | None
    sha256: str | None
    size_bytes: int | None
    delivered_by: str
    received_at: dt.datetime
    state: str
    state_at: dt.datetime
    error: str | None
    version_number: int | None
    details: dict[str, Any]
    events: list[DeliveryEvent] = field(default_factory=list)


@dataclass(frozen=True)
class LineageRecord:
    dataset_id: str
    source_id: str
    relation: str
    note: str | None


@dataclass(frozen=True)
class NoticeRecord:
    id: int
    dataset_id: str
    delivery_id: int | None
    role: str
    recipient: str
    kind: str
    subject: str
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    read_by: str | None
    resolved_at: dt.datetime | None
    resolution: str | None

    @property
    def status(self) -> str:
        if self.resolved_at is not None:
            return "resolved"
        return "read" if self.read_at is not None else "unread"
