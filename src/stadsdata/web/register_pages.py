"""The algorithm register in the portal: the public list and entry pages, and the edit forms.

- ``/algoritmes``: every entry, with a search box and facets (organisation, theme, status,
  publication category), counts and pages, like ``/datasets``.
- ``/algoritmes/{id}``: every field of the Algoritmeregister standard v1.0 under the standard's
  own titles, in its order; what the import found wrong (a missing required field, unreadable
  characters) as a notice; the catalogue datasets it uses (linked where the visitor may see them,
  the others only counted); its version history (who, when, why, what changed).
- ``/algoritmes/new`` and ``/algoritmes/{id}/edit``: one form field per v1.0 field with the
  standard's help text and instructions, for staff the policy lets edit the register
  (``edit_register``: data officers and the admin). The register area enforces and versions;
  these handlers only turn forms into calls. Every POST checks the session's CSRF token first; a
  ``RegisterError`` brings the form back with its one-line error and every value entered.

``algorithms_for_dataset(request, dataset_id)`` is a template global: the dataset page lists the
algorithms that use the dataset (``_algorithms_for_dataset.html``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from stadsdata.core.access import Action, Actor
from stadsdata.errors import AccessDeniedError, NotFoundError, RegisterError
from stadsdata.governance.opgaven import opgave_resource
from stadsdata.platform import Platform
from stadsdata.register.service import AlgorithmEntry, AlgorithmVersion
from stadsdata.register.standard import STANDARD, FieldDef
from stadsdata.web import auth, faceted
from stadsdata.web.api_register import FACETS, problem_text
from stadsdata.web.faceted import FacetedSearch
from stadsdata.web.i18n import Translator
from stadsdata.web.portal import _render, _translator, _visible

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
SEARCH = FacetedSearch("/algoritmes", FACETS, page_size=PAGE_SIZE)
GROUPING_ROWS = 2  # empty title/link rows offered below the filled ones
SHORT_TEXT = 500  # a string field longer than this is a textarea
MAX_TEXT = 20_000  # characters read of one posted field (the area checks the standard's maximum)
DONE = {"created", "saved"}
CHANGE_EXCERPT = 300  # characters of an old or new value shown before it folds


def install(app: FastAPI) -> None:
    """Add the register's pages, and the dataset page's helper to every page's templates."""
    app.include_router(router)
    app.state.portal_templates.env.globals["algorithms_for_dataset"] = algorithms_for_dataset


def algorithms_for_dataset(request: Request, dataset_id: str) -> list[AlgorithmEntry]:
    """The register's entries that use ``dataset_id`` (for the dataset page, which only shows a
    dataset the visitor may see)."""
    return list(_platform(request).algorithms.algorithms_using(dataset_id))


# -- the list ----------------------------------------------------------------------------------
@router.get("/algoritmes", response_class=HTMLResponse, name="register.list")
def algorithms(request: Request) -> Response:
    t = _translator(request)
    state = SEARCH.read(request.query_params)
    register = _platform(request).algorithms
    found, state = state.fetch(
        lambda offset, limit: register.search(q=state.q, filters=state.filters, offset=offset, limit=limit)
    )
    facets = faceted.facets(
        state, found.facets, title=lambda name: t(f"register.facet.{name}"), dutch=lambda name: True
    )
    return _render(
        request,
        "algorithms.html",
        {
            "found": found,
            "state": state,
            "facets": facets,
            "chips": faceted.chips(state, facets),
            "may_edit": _may_edit(request, auth.portal_actor(request)),
        },
    )


# -- new ---------------------------------------------------------------------------------------
@router.get("/algoritmes/new", response_class=HTMLResponse, name="register.new")
def algorithm_new(request: Request) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    _require_edit(request, actor)
    values = {name: _empty(field) for name, field in STANDARD.items()}
    values.update({"lang": "nld", "standard_version": "1.0"})
    dataset = request.query_params.get("dataset", "").strip()[:200]
    return _form(request, actor, None, values, [dataset] if dataset else [], "", error=None)


@router.post("/algoritmes/new", response_class=HTMLResponse, name="register.new.post")
async def algorithm_create(request: Request) -> Response:
    posted = await auth.checked_form(request)
    actor = auth.portal_actor(request)
    values, datasets, reason = _posted(posted)
    opgaven_text = _opgaven_text(posted)
    try:
        entry = _platform(request).algorithms.create(
            actor, _fields(values), datasets=datasets, opgaven=_opgave_numbers(opgaven_text), source="portal"
        )
    except RegisterError as exc:
        return _form(request, actor, None, values, datasets, reason, error=str(exc), status=422, opgaven=opgaven_text)
    return RedirectResponse(f"/algoritmes/{entry.id}?done=created", status_code=303)


# -- one entry ---------------------------------------------------------------------------------
@router.get("/algoritmes/{algorithm_id}", response_class=HTMLResponse, name="register.entry")
def algorithm(request: Request, algorithm_id: str) -> Response:
    t = _translator(request)
    actor = auth.portal_actor(request)
    platform = _platform(request)
    entry = platform.algorithms.get(algorithm_id)  # NotFoundError: the portal's 404 page
    visible = {r.id: r for r in _visible(request)}
    linked = [visible[d] for d in entry.datasets if d in visible]
    done = request.query_params.get("done")
    opgaven = [_opgave_view(platform, actor, number) for number in entry.opgaven]
    return _render(
        request,
        "algorithm.html",
        {
            "entry": entry,
            "fields": [_field_view(name, field, entry.fields.get(name)) for name, field in STANDARD.items()],
            "problems": _problems(t, entry),
            "datasets": linked,
            "datasets_hidden": len(entry.datasets) - len(linked),
            "opgaven": opgaven,
            "history": [_version_view(t, v, set(visible)) for v in platform.algorithms.history(entry.id)],
            "may_edit": _may_edit(request, actor),
            "done": done if done in DONE else None,
        },
    )


@router.get("/algoritmes/{algorithm_id}/edit", response_class=HTMLResponse, name="register.edit")
def algorithm_edit(request: Request, algorithm_id: str) -> Response:
    actor = auth.portal_actor(request)
    if not actor.is_staff:
        return _to_login(request)
    _require_edit(request, actor)
    entry = _platform(request).algorithms.get(algorithm_id)
    values = {name: _stored(field, entry.fields.get(name)) for name, field in STANDARD.items()}
    opgaven = ", ".join(str(n) for n in entry.opgaven)
    return _form(request, actor, entry, values, list(entry.datasets), "", error=None, opgaven=opgaven)


@router.post("/algoritmes/{algorithm_id}/edit", response_class=HTMLResponse, name="register.edit.post")
async def algorithm_update(request: Request, algorithm_id: str) -> Response:
    posted = await auth.checked_form(request)
    actor = auth.portal_actor(request)
    register = _platform(request).algorithms
    entry = register.get(algorithm_id)
    values, datasets, reason = _posted(posted)
    # Linked datasets the editor may not see are not in the form's list: they stay linked.
    visible = {r.id for r in _visible(request)}
    kept = [d for d in entry.datasets if d not in visible]
    datasets = [*datasets, *(d for d in kept if d not in datasets)]
    opgaven_text = _opgaven_text(posted)
    try:
        if not reason:
            _require_edit(request, actor)  # a refusal first: nobody without the right learns more
            raise RegisterError("reason: say why the entry changes; it is shown in the version history")
        register.update(
            actor,
            entry.id,
            _fields(values),
            reason=reason,
            datasets=datasets,
            opgaven=_opgave_numbers(opgaven_text),
        )
    except RegisterError as exc:
        return _form(request, actor, entry, values, datasets, reason, error=str(exc), status=422, opgaven=opgaven_text)
    return RedirectResponse(f"/algoritmes/{entry.id}?done=saved#history", status_code=303)


# -- the form ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class FormField:
    name: str
    title: str
    widget: str  # input, textarea, select, checkboxes, pairs
    value: Any  # str; list[str] for checkboxes; list[(title, link)] for pairs
    options: list[str]
    max_length: int | None
    required: bool
    help_text: str
    instructions: str
    example: str

    @property
    def id(self) -> str:
        return f"f-{self.name}"


def _form(
    request: Request,
    actor: Actor,
    entry: AlgorithmEntry | None,
    values: dict[str, Any],
    datasets: list[str],
    reason: str,
    *,
    error: str | None,
    status: int = 200,
    opgaven: str = "",
) -> Response:
    records = _visible(request)
    return _render(
        request,
        "algorithm_edit.html",
        {
            "entry": entry,
            "form_fields": [_form_field(name, field, values.get(name)) for name, field in STANDARD.items()],
            "datasets": datasets,
            "opgaven": opgaven,
            "catalogue": sorted(records, key=lambda r: r.id),
            "reason": reason,
            "error": error,
            "error_field": _error_field(error),
            "action": f"/algoritmes/{entry.id}/edit" if entry else "/algoritmes/new",
        },
        status=status,
    )


def _widget(field: FieldDef) -> str:
    if field.type == "enum":
        return "select"
    if field.type == "array":
        return "pairs" if field.items else "checkboxes"
    return "textarea" if field.max_length and field.max_length > SHORT_TEXT else "input"


def _form_field(name: str, field: FieldDef, value: Any) -> FormField:
    widget = _widget(field)
    if widget == "pairs":
        pairs = list(value or [])
        value = pairs + [("", "")] * GROUPING_ROWS
    example = field.example
    if isinstance(example, list):
        example = ", ".join(_plain(x) for x in example)
    return FormField(
        name=name,
        title=field.title,
        widget=widget,
        value=value if value is not None else ([] if widget == "checkboxes" else ""),
        options=list(field.permitted_values or []),
        max_length=field.max_length,
        required=bool(field.required),
        help_text=field.help_text or "",
        instructions=field.instructions or "",
        example=str(example or ""),
    )


def _empty(field: FieldDef) -> Any:
    return [] if field.type == "array" else ""


def _stored(field: FieldDef, value: Any) -> Any:
    """A stored value as the form holds it: text, a list of themes, or (title, link) pairs."""
    widget = _widget(field)
    if widget == "pairs":
        return [(str(p.get("title") or ""), str(p.get("link") or "")) for p in value or [] if isinstance(p, dict)]
    if widget == "checkboxes":
        return [str(v) for v in value or []] if isinstance(value, list) else ([str(value)] if value else [])
    return "" if value is None else str(value)


def _posted(posted: FormData) -> tuple[dict[str, Any], list[str], str]:
    """The form's values per v1.0 field (as the form holds them), the datasets and the reason."""
    values: dict[str, Any] = {}
    for name, field in STANDARD.items():
        widget = _widget(field)
        if widget == "pairs":
            titles = _strings(posted, f"{name}.title")
            links = _strings(posted, f"{name}.link")
            pairs = list(zip(titles, links, strict=False))
            values[name] = [(a.strip(), b.strip()) for a, b in pairs if a.strip() or b.strip()]
        elif widget == "checkboxes":
            values[name] = list(dict.fromkeys(v.strip() for v in _strings(posted, name) if v.strip()))
        else:
            value = posted.get(name)
            # Browsers send a textarea's line breaks as CRLF: unchanged text must stay unchanged.
            values[name] = value.replace("\r\n", "\n").strip()[:MAX_TEXT] if isinstance(value, str) else ""
    datasets = list(dict.fromkeys(v.strip() for v in _strings(posted, "datasets") if v.strip()))[:100]
    reason = posted.get("reason")
    return values, datasets, reason.replace("\r\n", "\n").strip()[:2000] if isinstance(reason, str) else ""


def _opgaven_text(posted: FormData) -> str:
    value = posted.get("opgaven")
    return value.strip()[:500] if isinstance(value, str) else ""


def _opgave_numbers(text: str) -> list[int]:
    """``"3, 7"`` -> [3, 7]; anything else is refused naming the field."""
    numbers = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        cleaned = part.strip().removeprefix("#")
        if not cleaned.isdigit():
            raise RegisterError(
                f"opgaven: {part.strip()!r} is not an opgave number; expected numbers separated by commas"
            )
        numbers.append(int(cleaned))
    return numbers


@dataclass(frozen=True)
class OpgaveView:
    number: int
    title: str | None  # only for who may view the opgave
    href: str | None


def _opgave_view(platform: Any, actor: Actor, number: int) -> OpgaveView:
    """An opgave linked to an entry: its number for everyone; its title and page for who may view it."""
    try:
        opgave = platform.opgaven.get(number)
    except NotFoundError:
        return OpgaveView(number, None, None)
    if actor.is_staff and platform.policy.can(actor, Action.view_opgave, opgave_resource(opgave)).allowed:
        return OpgaveView(number, opgave.title, f"/opgaven/{number}")
    return OpgaveView(number, None, None)


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the area takes them: grouping pairs as {title, link}."""
    out: dict[str, Any] = {}
    for name, field in STANDARD.items():
        value = values.get(name)
        if _widget(field) == "pairs":
            value = [{"title": a, "link": b} for a, b in value or []]
        out[name] = value
    return out


def _strings(posted: FormData, name: str) -> list[str]:
    return [v[:MAX_TEXT] for v in posted.getlist(name) if isinstance(v, str)]


def _error_field(error: str | None) -> str | None:
    """The form field a RegisterError names first (``goal: ...`` -> goal; grouping items
    ``lawful_basis_grouping[1].link: ...`` -> lawful_basis_grouping)."""
    match = re.match(r"([a-z_]+)", error or "")
    if match and (match.group(1) in STANDARD or match.group(1) in ("datasets", "opgaven", "reason")):
        return match.group(1)
    return None


# -- the entry page ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldView:
    name: str
    title: str
    kind: str  # empty, text, long, link, email, list, links
    value: Any


URL = re.compile(r"^https?://\S+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)


def _field_view(name: str, field: FieldDef, value: Any) -> FieldView:
    if value is None or value == "" or value == []:
        return FieldView(name, field.title, "empty", None)
    if field.type == "array":
        items = value if isinstance(value, list) else [value]
        if field.items:
            links = [
                (str(i.get("title") or i.get("link") or ""), str(i.get("link") or ""))
                for i in items
                if isinstance(i, dict)
            ]
            return FieldView(name, field.title, "links", [(a, b if URL.match(b) else "") for a, b in links])
        return FieldView(name, field.title, "list", [str(i) for i in items])
    text = str(value).strip()
    if URL.match(text):
        return FieldView(name, field.title, "link", text)
    if EMAIL.match(text):
        return FieldView(name, field.title, "email", text)
    if "\n" in text or len(text) > SHORT_TEXT:
        return FieldView(name, field.title, "long", [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()])
    return FieldView(name, field.title, "text", text)


def _problems(t: Translator, entry: AlgorithmEntry) -> list[str]:
    """What the import found wrong, in words: 'ontbreekt: Publicatiecategorie'."""
    missing: list[str] = []
    unreadable: list[str] = []
    other: list[str] = []
    for problem in entry.problems:
        name = re.match(r"[a-z_]*", problem.field).group(0)  # type: ignore[union-attr]
        field = STANDARD.get(name)
        title = field.title if field else problem.field
        text = problem_text(problem)
        if text.startswith("required"):
            missing.append(title)
        elif "U+FFFD" in text or "broken character" in text:
            unreadable.append(title)
        else:
            other.append(f"{title}: {text}")
    lines = []
    if missing:
        lines.append(t("algorithm.problems.missing", fields=", ".join(dict.fromkeys(missing))))
    if unreadable:
        lines.append(t("algorithm.problems.unreadable", fields=", ".join(dict.fromkeys(unreadable))))
    return lines + other


@dataclass(frozen=True)
class ChangeView:
    field: str
    title: str
    old: str
    new: str

    @property
    def long(self) -> bool:
        return len(self.old) > CHANGE_EXCERPT or len(self.new) > CHANGE_EXCERPT


@dataclass(frozen=True)
class VersionView:
    number: int
    at: Any
    by: str
    reason: str
    changes: list[ChangeView]

    @property
    def created(self) -> bool:
        """The entry's first version (created or imported): every change is from nothing."""
        return all(not c.old for c in self.changes)


def _version_view(t: Translator, version: AlgorithmVersion, visible: set[str]) -> VersionView:
    """A version for the page; linked datasets the visitor may not see are left out of it."""
    changes = []
    for name, (old, new) in version.changes.items():
        if name == "datasets":
            old, new = _seen(old, visible), _seen(new, visible)
            if old == new:
                continue
        field = STANDARD.get(name)
        titles = {"datasets": t("algorithm.datasets"), "opgaven": t("algorithm.opgaven")}
        title = field.title if field else titles.get(name, name)
        changes.append(ChangeView(name, title, _plain(old), _plain(new)))
    return VersionView(version.number, version.at, version.by, version.reason or "", changes)


def _seen(datasets: Any, visible: set[str]) -> list[str]:
    return [d for d in datasets or [] if d in visible]


def _plain(value: Any) -> str:
    """A field's value in one line: lists joined, links as 'title (link)'."""
    if value is None:
        return ""
    if isinstance(value, dict):
        title, link = str(value.get("title") or ""), str(value.get("link") or "")
        return f"{title} ({link})" if title and link else title or link
    if isinstance(value, list | tuple):
        return "; ".join(_plain(v) for v in value)
    return str(value)


# -- helpers -------------------------------------------------------------------------------------
def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _may_edit(request: Request, actor: Actor) -> bool:
    """Whether to show the edit buttons (the area itself enforces, and audits)."""
    return actor.is_staff and _platform(request).policy.can(actor, Action.edit_register).allowed


def _require_edit(request: Request, actor: Actor) -> None:
    decision = _platform(request).policy.can(actor, Action.edit_register)
    if not decision.allowed:
        raise AccessDeniedError(f"edit_register: {decision.reason}")


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


__all__ = ["algorithms_for_dataset", "install", "router"]
