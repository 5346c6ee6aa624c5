"""``create_app(platform)``: the FastAPI application (portal, API, DCAT), built per platform."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from stadsdata import __version__
from stadsdata.platform import Platform
from stadsdata.web import (
    api,
    api_governance,
    api_indicators,
    api_register,
    api_reports,
    dcat,
    frames,
    governance_pages,
    indicator_pages,
    portal,
    problems,
    register_pages,
    reports_pages,
    verkeer_pages,
    wmo_pages,
)


def create_app(platform: Platform) -> FastAPI:
    app = FastAPI(
        title="Stadsdata open-data API",
        version=__version__,
        description="Datasets of the municipality: metadata, rows (filter, sort, page, time travel) and "
        "downloads in JSON, CSV, GeoJSON and Parquet. Only datasets classified 'openbaar' are served "
        "without login. Errors are RFC 9457 problem details.",
        docs_url="/api/v1/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.platform = platform
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(frames.FramePolicy)  # /embed/... may be framed by anyone, the rest by nobody
    problems.install(app)
    app.include_router(api.router)
    app.include_router(api_governance.router)
    app.include_router(api_register.router)
    app.include_router(api_indicators.router)
    app.include_router(api_reports.router)
    app.include_router(dcat.router)
    portal.install(app)
    governance_pages.install(app)
    register_pages.install(app)
    wmo_pages.install(app)  # before indicator_pages: its /indicatoren/{id} would take /indicatoren/wmo-prognose
    reports_pages.install(app)
    verkeer_pages.install(app)  # the traffic-risk page (/verkeer)
    indicator_pages.install(app)
    return app
