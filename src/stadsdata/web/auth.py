"""Who is asking: the portal's session cookie, or the API's bearer token.

- **Portal**: logging in (``/login``) starts a session (``governance.identity``); its random id
  travels in an HttpOnly, SameSite=Lax cookie. Every form that changes something carries the
  session's CSRF token, checked before anything happens; the login form itself carries a
  pre-session token (double submit: a cookie and a form field that must match). An unknown, ended
  or expired session is simply anonymous, with a message on the page.
- **API**: ``Authorization: Bearer sd_...`` with a token from ``stadsdata tokens create``. A token
  acts for its user, limited to its scopes. The API ignores the session cookie, so no other site
  can make a logged-in browser call it. A bad token is a 401 problem, never silently anonymous.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from stadsdata.core.access import Actor
from stadsdata.errors import AuthenticationError, CsrfError
from stadsdata.governance.identity import Identity

SESSION_COOKIE = "stadsdata_session"
LOGIN_CSRF_COOKIE = "stadsdata_login_csrf"
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 1_000_000


def _identity(request: Request) -> Identity:
    identity: Identity = request.app.state.platform.identity
    return identity


# -- portal --------------------------------------------------------------------------------
def portal_actor(request: Request) -> Actor:
    """The logged-in user of this browser, or the anonymous public (computed once per request)."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    actor = Actor.anonymous()
    request.state.session_problem = None
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        try:
            actor = _identity(request).session_actor(cookie)
        except AuthenticationError as exc:
            request.state.session_problem = str(exc)
    request.state.actor = actor
    return actor


def session_csrf(request: Request) -> str | None:
    """The CSRF token to put into this page's forms (None when not logged in)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or not portal_actor(request).is_staff:
        return None
    return _identity(request).csrf_token(cookie)


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token against the session: a CsrfError (403)
    before anything is done otherwise."""
    form = await request.form(max_files=0, max_fields=200, max_part_size=MAX_FORM_BYTES)
    token = form.get(CSRF_FIELD)
    _identity(request).check_csrf(request.cookies.get(SESSION_COOKIE, ""), token if isinstance(token, str) else None)
    return form


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def check_login_csrf(request: Request, token: object) -> None:
    """The login form's double-submit check: its field must equal its cookie."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    given = token if isinstance(token, str) else ""
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfError("the login form has expired or did not come from this site; reload the page and try again")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site only (no other host, no scheme)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


# -- API -----------------------------------------------------------------------------------
def api_actor(request: Request) -> Actor:
    """The token's user (limited to its scopes), or the anonymous public without a token."""
    header = request.headers.get("authorization")
    if not header:
        return Actor.anonymous()
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthenticationError("the Authorization header must be 'Bearer <token>' (a token from stadsdata tokens)")
    return _identity(request).authenticate_token(secret.strip())


ApiActor = Annotated[Actor, Depends(api_actor)]
PortalActor = Annotated[Actor, Depends(portal_actor)]
