"""The DCAT-AP-NL 3.0 catalogue: /catalog.ttl and /catalog.jsonld."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["catalogue"])
