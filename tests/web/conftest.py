"""Web fixtures: an in-process client over the demo platform, and a real server on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient

from stadsdata.platform import Platform
from stadsdata.web import create_app
from tests.conftest import make_settings


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
    """A real uvicorn server on a free loopback port, over a copy of the demo data."""
    with Platform(make_settings(live_home)) as platform, LiveServer(platform) as server:
        yield server
