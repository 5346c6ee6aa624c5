"""The portal: server-rendered HTML pages, Dutch by default with an English switch.

Pages: home ``/``, search ``/datasets``, a dataset ``/datasets/{id}`` and one of its versions
``/datasets/{id}/versions/{n}``, and ``/login`` / ``/logout``. Everything reads without
JavaScript; ``static/portal.js`` only adds copy buttons. What a visitor sees is what the access
policy lets them see (``governance.catalog_access``): the public only ``openbaar`` datasets,
logged-in staff also the metadata of intern and vertrouwelijk ones, and rows only with read access;
a dataset they may not see is the same 404 page as an unknown id, so nothing leaks. Downloads and
API examples point at the API under ``/api/v1``. UI strings live in ``i18n``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from stadsdata.catalog import Catalog
from stadsdata.catalog.service import DatasetView
from stadsdata.core.access import Level
from stadsdata.errors import AuthenticationError, CsrfError, NotFoundError, StadsdataError
from stadsdata.governance.catalog_access import CatalogAccess
from stadsdata.metastore.records import DatasetRecord
from stadsdata.opendata.search import FACETS, QUALITY_BUCKETS, SORTS, SearchResult, search_datasets
from stadsdata.web import auth, faceted
from stadsdata.web.faceted import FacetedSearch
from stadsdata.web.i18n import LANGUAGE_COOKIE, LANGUAGE_NAMES, LANGUAGES, Translator, resolve_language
from stadsdata.web.quality_report import profile_view, quality_view, trend_of

HERE = Path(__file__).parent
PAGE_SIZE = 20  # search results a page (read per request)
PREVIEW_ROWS = 20
MAX_CELL = 160  # characters of a preview cell (long texts and WKT geometries are cut)
RECENT = 5
COLLAPSE_COLUMNS = 40  # a column table longer than this starts folded (one click opens it)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

router = APIRouter(include_in_schema=False)


def install(app: FastAPI) -> None:
    """Add the portal's pages, its static files and an HTML 404 for browsers."""
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["excerpt"] = excerpt
    app.state.portal_templates = templates
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(router)
    _install_html_not_found(app)
    _install_html_errors(app)


# -- pages ---------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse, name="portal.home")
def home(request: Request) -> Response:
    t = _translator(request)
    catalog = _catalog(request)
    records = _visible(request)
    everything = search_datasets(catalog, lang=t.lang, limit=0, records=records)
    recent = search_datasets(catalog, sort="updated", lang=t.lang, limit=RECENT, records=records)
    return _render(
        request,
        "home.html",
        {"total": everything.total, "themes": everything.facets["theme"], "recent": recent.cards},
    )


@router.get("/datasets", response_class=HTMLResponse, name="portal.search")
def search(request: Request) -> Response:
    t = _translator(request)
    state = FacetedSearch("/datasets", FACETS, SORTS, page_size=PAGE_SIZE).read(request.query_params)
    catalog = _catalog(request)
    records = _visible(request)

    def run(offset: int, limit: int) -> SearchResult:
        return search_datasets(
            catalog,
            q=state.q,
            filters=state.filters,
            sort=state.sort,
            lang=t.lang,
            offset=offset,
            limit=limit,
            records=records,
        )

    result, state = state.fetch(run)
    contracts = {r.id: r.contract for r in records} if state.q else {}
    matched = {card.id: matching_columns(contracts.get(card.id, {}), state.q) for card in result.cards}
    facets = faceted.facets(
        state,
        result.facets,
        title=lambda name: t(f"facet.{name}"),
        label=t.facet_value,
        scales={"quality": QUALITY_BUCKETS},  # a scale: best to worst, whatever the counts
        dutch=lambda name: name == "dienst",
    )
    return _render(
        request,
        "search.html",
        {
            "result": result,
            "matched": matched,
            "state": state,
            "facets": facets,
            "chips": faceted.chips(state, facets),
            "sorts": SORTS,
        },
    )


@router.get("/datasets/{dataset_id}", response_class=HTMLResponse, name="portal.dataset")
def dataset(request: Request, dataset_id: str) -> Response:
    catalog = _catalog(request)
    try:
        view = _access(request).view(auth.portal_actor(request), dataset_id)
    except StadsdataError:
        return _not_found(request)
    current = view.current
    data_refused = _data_refused(request, view)
    preview = _preview(catalog, view, None) if current and not data_refused else None
    formats = {d.id: d.format for d in view.deliveries}
    t = _translator(request)
    quality = profile = None
    if current:
        report = {**(view.quality_of(current) or {"score": 100.0, "rules": []}), "version": current.number}
        quality = quality_view(report, t, trend=trend_of(view, t))
        profile = profile_view(view.profile_of(current), t)
    return _render(
        request,
        "dataset.html",
        {
            "quality": quality,
            "profile": profile,
            "view": view,
            "contract": view.contract,
            "current": current,
            "preview": preview,
            "versions": list(reversed(view.versions)),
            "delivery_formats": formats,
            "lineage": _visible_lineage(request, view),
            "downloads": [] if data_refused else _downloads(view),
            "data_refused": data_refused,
            "api": _api_links(request, view.record.id),
            "COLLAPSE_COLUMNS": COLLAPSE_COLUMNS,
        },
    )


@router.get("/datasets/{dataset_id}/versions/{number}", response_class=HTMLResponse, name="portal.version")
def version(request: Request, dataset_id: str, number: str) -> Response:
    catalog = _catalog(request)
    try:
        view = _access(request).view(auth.portal_actor(request), dataset_id)
    except StadsdataError:
        return _not_found(request)
    chosen = next((v for v in view.versions if number.isdigit() and v.number == int(number)), None)
    if chosen is None:
        return _not_found(request)
    described = {c.name: c for c in view.contract.columns}
    formats = {d.id: d.format for d in view.deliveries}
    data_refused = _data_refused(request, view)
    return _render(
        request,
        "version.html",
        {
            "view": view,
            "contract": view.contract,
            "version": chosen,
            "current": view.current,
            "described": described,
            "delivery_format": formats.get(chosen.delivery_id) if chosen.delivery_id is not None else None,
            "preview": None if data_refused else _preview(catalog, view, chosen.number),
            "downloads": [] if data_refused else _downloads(view, chosen.number),
            "data_refused": data_refused,
            "sql_name": f'"{view.record.id}@{chosen.number}"',
        },
    )


# -- login -----------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse, name="portal.login")
def login_page(request: Request) -> Response:
    return _login_form(request, error=None)


def _login_form(request: Request, *, error: str | None, user: str = "", status: int = 200) -> Response:
    token = auth.new_login_csrf()
    response = _render(
        request,
        "login.html",
        {"error": error, "user": user, "next": auth.safe_next(request.query_params.get("next")), "login_csrf": token},
        status=status,
    )
    response.set_cookie(
        auth.LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict", secure=_secure(request)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/login", response_class=HTMLResponse, name="portal.login.post")
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=10, max_part_size=10_000)
    t = _translator(request)
    user = str(form.get("user", "")).strip()[:64]
    try:
        auth.check_login_csrf(request, form.get(auth.CSRF_FIELD))
    except CsrfError:
        return _login_form(request, error=t("login.expired"), user=user, status=403)
    try:
        cookie, _csrf = request.app.state.platform.identity.start_session(user, str(form.get("password", "")))
    except AuthenticationError:
        return _login_form(request, error=t("login.wrong"), user=user, status=401)
    target = auth.safe_next(str(form.get("next", "")))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        auth.SESSION_COOKIE,
        cookie,
        max_age=request.app.state.platform.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(auth.LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", name="portal.logout")
async def logout(request: Request) -> Response:
    await auth.checked_form(request)
    request.app.state.platform.identity.end_session(request.cookies.get(auth.SESSION_COOKIE, ""))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE)
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


# -- page parts ----------------------------------------------------------------------------
def excerpt(text: str, length: int = 240) -> str:
    """The start of ``text`` cut at a word boundary, with an ellipsis when anything was cut."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(" ,;:.-–(")
    return cut + "…"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matching_columns(contract: dict[str, Any], q: str, *, at_most: int = 5) -> list[str]:
    """Columns whose name or description holds a word of the query: why a dataset was found."""
    words = [w for w in re.split(r"[\s,;]+", _fold(q)) if len(w) > 1]
    found = []
    for column in contract.get("columns", []):
        texts = [column.get("name", ""), *column.get("description", {}).values()]
        haystack = _fold(" ".join(t for t in texts if t))
        if any(w in haystack for w in words):
            found.append(column["name"])
    return found[:at_most]


@dataclass(frozen=True)
class Preview:
    columns: list[str]
    numeric: list[bool]
    rows: list[list[tuple[str, bool]]]  # (text, truncated)
    total: int
    version: int
    failed: bool = False


@dataclass(frozen=True)
class Download:
    format: str
    url: str


def _preview(catalog: Catalog, view: DatasetView, number: int | None) -> Preview:
    """The first rows of the current version (``number`` None) or of version ``number``."""
    version = next((v for v in view.versions if v.number == number), None) if number else view.current
    assert version is not None
    table = view.record.id if number is None else f'"{view.record.id}@{number}"'
    types = {c["name"]: c["type"] for c in version.schema}
    try:
        result = catalog.query(f"SELECT * FROM {table} LIMIT {PREVIEW_ROWS}", limit=PREVIEW_ROWS)
    except StadsdataError:
        return Preview([], [], [], version.row_count, version.number, failed=True)
    rows = [[_cell(value) for value in row] for row in result.rows]
    numeric = [types.get(name) in ("integer", "number") for name in result.columns]
    return Preview(result.columns, numeric, rows, version.row_count, version.number)


def _cell(value: Any) -> tuple[str, bool]:
    """A preview cell's text, and whether it was cut."""
    if value is None:
        return "", False
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if len(text) > MAX_CELL:
        return text[: MAX_CELL - 1].rstrip() + "…", True
    return text, False


def _downloads(view: DatasetView, number: int | None = None) -> list[Download]:
    """Links to the API's files, of the current version or (on a version page) of version ``number``."""
    if view.current is None:
        return []
    formats = ["csv", "csv-excel", "json"]
    if view.contract.geometry_column:
        formats.append("geojson")
    formats.append("parquet")
    pinned = f"&version={number}" if number is not None else ""
    return [Download(fmt, f"/api/v1/datasets/{view.record.id}/rows?format={fmt}{pinned}") for fmt in formats]


def _api_links(request: Request, dataset_id: str) -> dict[str, str]:
    base = str(request.base_url).rstrip("/")
    rows = f"/api/v1/datasets/{dataset_id}/rows?format=json"
    return {
        "rows": rows,
        "metadata": f"/api/v1/datasets/{dataset_id}",
        "docs": "/api/v1/docs",
        "curl": f"curl '{base}{rows}'",
    }


def _visible_lineage(request: Request, view: DatasetView) -> dict[str, list[str]]:
    """Related dataset ids, leaving out those the visitor may not see (not shown, not counted)."""
    visible = {r.id for r in _visible(request)}
    return {
        "upstream": [x.source_id for x in view.lineage["upstream"] if x.source_id in visible],
        "downstream": [x.dataset_id for x in view.lineage["downstream"] if x.dataset_id in visible],
    }


def _data_refused(request: Request, view: DatasetView) -> str | None:
    """None when the visitor may see the rows as stored; otherwise the policy's reason (why the
    page shows metadata only). Open data is never refused."""
    if view.record.classification == "openbaar":
        return None
    decision = _access(request).data(auth.portal_actor(request), view.record.id)
    if not decision.allowed:
        return decision.reason
    partial = [c for c, level in decision.columns.items() if level < Level.read]
    if partial:
        return f"{decision.reason}: {', '.join(partial[:5])} only pseudonymised, in the opgave's workspace"
    return None


# -- rendering -----------------------------------------------------------------------------
def _catalog(request: Request) -> Catalog:
    catalog: Catalog = request.app.state.platform.catalog
    return catalog


def _access(request: Request) -> CatalogAccess:
    access: CatalogAccess = request.app.state.platform.access
    return access


def _visible(request: Request) -> list[DatasetRecord]:
    """The datasets this visitor may see (asked of the policy once per request)."""
    cached = getattr(request.state, "visible", None)
    if cached is None:
        cached = request.state.visible = _access(request).visible(auth.portal_actor(request))
    return cached  # type: ignore[no-any-return]


def _translator(request: Request) -> Translator:
    return Translator(resolve_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)))


def _switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return request.url.path + "?" + urlencode(params)


def _render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> Response:
    t = _translator(request)
    templates: Jinja2Templates = request.app.state.portal_templates
    actor = auth.portal_actor(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "actor": actor,
            "csrf": auth.session_csrf(request),
            "session_problem": getattr(request.state, "session_problem", None),
            "t": t,
            "lang": t.lang,
            "other_lang": t.other,
            "other_lang_name": LANGUAGE_NAMES[t.other],
            "switch_url": _switch_url(request, t.other),
            "path": request.url.path,
            **context,
        },
        status_code=status,
    )
    response.headers["Content-Language"] = t.lang
    response.headers["Vary"] = "Cookie"
    if actor.is_staff:  # a page for one user: no shared cache may keep it
        response.headers["Cache-Control"] = "private, no-store"
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=LANGUAGE_COOKIE_AGE, httponly=True, samesite="lax")
    return response


def _not_found(request: Request) -> Response:
    return _render(request, "not_found.html", {}, status=404)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith(("/api/", "/catalog."))


def _install_html_errors(app: FastAPI) -> None:
    """A browser gets a user error (a refused form, a closed workspace) as a portal page that
    says what went wrong; programs keep problem JSON."""
    fallback = app.exception_handlers[StadsdataError]

    async def handler(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StadsdataError) and _wants_html(request):
            if isinstance(exc, NotFoundError):
                return _not_found(request)
            opgave = re.match(r"/opgaven/(\d+)/", request.url.path)  # a workspace page: back to its opgave
            back = f"/opgaven/{opgave.group(1)}" if opgave else None
            return _render(request, "error.html", {"message": str(exc), "back": back}, status=exc.http_status)
        response: Response = await fallback(request, exc)
        return response

    app.add_exception_handler(StadsdataError, handler)


def _install_html_not_found(app: FastAPI) -> None:
    """Browsers asking for an unknown page get the portal's 404 page; programs keep problem JSON."""
    fallback = app.exception_handlers.get(StarletteHTTPException)

    async def handler(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StarletteHTTPException) and exc.status_code == 404 and _wants_html(request):
            return _not_found(request)
        if fallback is None:  # pragma: no cover - problems.install always registers one
            raise exc
        response: Response = await fallback(request, exc)
        return response

    app.add_exception_handler(StarletteHTTPException, handler)
