"""`stadsdata demo` ends by starting the portal; `stadsdata serve` starts it on an existing home."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STADSDATA_")}
    return subprocess.Popen(
        [sys.executable, "-m", "stadsdata.cli.main", "--home", str(home), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for(url: str, proc: subprocess.Popen[str], seconds: float = 180) -> bytes:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server stopped: {proc.communicate()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out


@pytest.mark.slow
def test_demo_loads_then_serves_and_serve_restarts(tmp_path: Path) -> None:
    home = tmp_path / "home"
    port = free_port()
    proc = start(home, "demo", "--port", str(port))
    try:
        spec = wait_for(f"http://127.0.0.1:{port}/api/v1/openapi.json", proc)
        assert b'"openapi":"3.1' in spec.replace(b" ", b"")
    finally:
        out = stop(proc)
    assert "loaded cbs_kwb_2019_den_haag" in out
    assert f"http://localhost:{port}/" in out  # the address is printed

    port = free_port()
    proc = start(home, "serve", "--port", str(port))
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/openapi.json", proc, seconds=60)
    finally:
        out = stop(proc)
    assert f"http://localhost:{port}/" in out and "loaded" not in out  # serve does not reload
