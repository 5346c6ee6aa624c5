"""Web fixtures: an in-process client over the demo platform, a real server on loopback, and a
real browser (tests/web/browser.py holds what browser tests share)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from stadsdata.platform import Platform
from stadsdata.web import create_app
from tests.conftest import make_settings
from tests.web.browser import CHROMIUM, LAUNCH_ARGS, NO_CHROMIUM, PAGE_OPTIONS, PAGE_TIMEOUT_MS, open_page


@pytest.fixture
def client(demo_platform: Platform) -> Iterator[TestClient]:
    """The app over a private copy of the real demo data, in process."""
    with TestClient(create_app(demo_platform)) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform  # the very object the server serves (to act on it behind its back)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(platform), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_home(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo home for one test module's live server."""
    import shutil

    home = tmp_path_factory.mktemp("live") / "home"
    shutil.copytree(demo_template, home)
    return home


@pytest.fixture(scope="module")
def live_server(live_home: Path) -> Iterator[LiveServer]:
    """A real uvicorn server on a free loopback port, over a copy of the demo data (one per module)."""
    with Platform(make_settings(live_home)) as platform, LiveServer(platform) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright: one per test module."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh context per test: 1280x900, Dutch, downloads accepted, 20 s timeout."""
    with open_page(browser, **PAGE_OPTIONS) as fresh:
        fresh.set_default_timeout(PAGE_TIMEOUT_MS)
        yield fresh
