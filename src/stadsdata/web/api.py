"""The open-data API under /api/v1 (filled in by the portal/API issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["datasets"])
