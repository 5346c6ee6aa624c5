"""The portal's pages for staff: opgaven, workspaces, the audit log, the Datashop and the inbox.

(Being built: see issue #4.)
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
