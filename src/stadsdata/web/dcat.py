"""The DCAT-AP-NL 3.0 catalogue: /catalog.ttl and /catalog.jsonld (and /catalog, which redirects).

Only what the access policy shows the anonymous public (``CatalogAccess.visible``) is described,
whoever asks: datasets that are not openbaar are neither shown nor counted. URLs in the catalogue
are built on the request's base URL.
"""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from stadsdata.core.access import Actor
from stadsdata.errors import NotFoundError
from stadsdata.opendata import dcat
from stadsdata.platform import Platform

router = APIRouter(tags=["catalogue"])

_DESCRIPTION = (
    "The public datasets as a DCAT-AP-NL 3.0 catalogue (dcat:Catalog, a dcat:Dataset per openbaar "
    "dataset, a dcat:Distribution per download format, a dcat:DataService for this API), for "
    "harvesters such as data.overheid.nl."
)


def _catalogue(request: Request, fmt: dcat.Serialization) -> Response:
    platform: Platform = request.app.state.platform
    catalog = platform.catalog
    views = []
    # what the policy lets the anonymous public see, whoever asks: this is what is harvested
    for record in platform.access.visible(Actor.anonymous()):
        try:
            views.append(catalog.public_view(record.id))
        except NotFoundError:  # removed or reclassified since the listing: not public now
            continue
    body = dcat.serialize(dcat.catalog_graph(views, str(request.base_url)), fmt)
    etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'  # weak: the same for gzip and identity
    headers = {"ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=dcat.MEDIA_TYPES[fmt], headers=headers)


@router.get(
    "/catalog.ttl",
    summary="DCAT-AP-NL 3.0 catalogue (Turtle)",
    description=_DESCRIPTION,
    response_class=Response,
    responses={200: {"content": {"text/turtle": {}}, "description": "The catalogue in Turtle"}},
)
def catalog_turtle(request: Request) -> Response:
    return _catalogue(request, "turtle")


@router.get(
    "/catalog.jsonld",
    summary="DCAT-AP-NL 3.0 catalogue (JSON-LD)",
    description=_DESCRIPTION,
    response_class=Response,
    responses={200: {"content": {"application/ld+json": {}}, "description": "The catalogue in JSON-LD"}},
)
def catalog_jsonld(request: Request) -> Response:
    return _catalogue(request, "json-ld")


@router.get("/catalog", include_in_schema=False)
def catalog_resource(request: Request) -> RedirectResponse:
    """The catalogue's own URI: 303 to JSON-LD when the client asks for it, else to Turtle."""
    wants_jsonld = "application/ld+json" in request.headers.get("accept", "")
    target = "catalog.jsonld" if wants_jsonld else "catalog.ttl"
    return RedirectResponse(str(request.base_url) + target, status_code=303, headers={"Vary": "Accept"})
