"""What every browser test shares: Debian's chromium driven by Playwright, axe-core, screenshots.

Chromium comes from Debian (scripts/chromium.sh installs it; never `playwright install`). A browser
test module marks itself with ``pytestmark = requires_chromium``: without chromium its tests skip,
and STADSDATA_REQUIRE_ALL=1 (CI) turns that skip into a failure (see tests/conftest.py). The
``browser`` and ``page`` fixtures live in tests/web/conftest.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from stadsdata.platform import DEMO_PASSWORD

CHROMIUM = shutil.which("chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).parents[2] / "build" / "screenshots"
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
# The context of the ``page`` fixture: a desktop window in Dutch.
PAGE_OPTIONS: dict[str, Any] = {"accept_downloads": True, "viewport": {"width": 1280, "height": 900}, "locale": "nl-NL"}
PAGE_TIMEOUT_MS = 20_000

NO_CHROMIUM = "Debian's chromium is not installed: run scripts/chromium.sh as root (apt-get install chromium)"

requires_chromium = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)


@contextmanager
def open_page(browser: Any, **context_options: Any) -> Iterator[Any]:
    """A page in a fresh browser context with these options (viewport, locale, JavaScript...),
    closed afterwards."""
    context = browser.new_context(**context_options)
    try:
        yield context.new_page()
    finally:
        context.close()


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA violations on the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={**WCAG_21_AA, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def accessible(page: Any) -> None:
    """Assert that axe-core finds no serious or critical WCAG 2.1 AA violation on the page."""
    violations = serious_violations(page)
    assert not violations, f"{page.url}:\n" + "\n".join(violations)


def screenshot(page: Any, name: str, *, selector: str | None = None, full_page: bool = True) -> None:
    """Write build/screenshots/{name}.png: the whole page, the window only, or one element."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"{name}.png")
    if selector:
        page.locator(selector).screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=full_page)


def no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def log_in(page: Any, base: str, user: str, next_path: str, *, sent_by_the_page: bool = False) -> None:
    """Through the login form with the demo password, coming back to ``next_path``: either as the
    header's login link does (/login?next=...), or ``sent_by_the_page`` itself, as a newcomer
    meets it when asking for a page that needs a login."""
    if sent_by_the_page:
        page.goto(base + next_path)
        page.wait_for_url(re.compile(r".*/login\?next=.*"))
    else:
        page.goto(f"{base}/login?next={quote(next_path)}")
    page.get_by_label("Gebruikersnaam").fill(user)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(base + next_path)
    assert page.locator(".site-nav__name").inner_text() == user


def log_out(page: Any) -> None:
    """Through the header's button; the browser lands on the home page, logged out."""
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(re.compile(r".*/$"))
    assert page.locator(".site-nav__name").count() == 0
