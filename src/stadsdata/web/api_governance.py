"""The governance API under /api/v1: opgaven, workspaces, the Datashop and the audit log, for
bearer tokens. (Being built: see issue #4.)
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1")
