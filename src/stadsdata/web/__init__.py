"""The web layer: the portal (HTML), the open-data API under /api/v1 and the DCAT catalogue."""

from stadsdata.web.app import create_app

__all__ = ["create_app"]
