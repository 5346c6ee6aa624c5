"""Crash safety: a real `stadsdata ingest` subprocess is SIGKILLed at every stage.

After the kill the catalogue is consistent, the previous version reads whole, the delivery is
visibly unfinished, and the next command reports it (interrupted, retryable) or finishes it
(when its Delta commit had landed).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stadsdata import demo
from stadsdata.platform import Platform
from tests.conftest import make_settings

GEMEENTEN = "cbs_kwb_2019_gemeenten"
STAGES = ["receiving", "received", "parsed", "checked", "committed"]


def cli(home: Path, *args: str, pause_at: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STADSDATA_")}
    env["STADSDATA_USER"] = "crash-test"
    if pause_at:
        env["STADSDATA_FAULT_PAUSE_AT"] = pause_at
    return subprocess.Popen(
        [sys.executable, "-m", "stadsdata.cli.main", "--home", str(home), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = cli(home, *args)
    stdout, stderr = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    with Platform(make_settings(home)) as platform:
        platform.register(demo.contract_path(GEMEENTEN))
        platform.ingest(demo.data_path(GEMEENTEN), GEMEENTEN)
    return home


def kill_at(home: Path, stage: str, file: Path) -> int:
    """Start an ingest that pauses at ``stage``, SIGKILL it there; return the delivery id."""
    marker = home / "fault-paused"
    marker.unlink(missing_ok=True)
    proc = cli(home, "ingest", str(file), "--dataset", GEMEENTEN, pause_at=stage)
    deadline = time.monotonic() + 90
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"ingest ended before pausing at {stage}: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"ingest never reached {stage}")
        time.sleep(0.05)
    assert marker.read_text().split()[0] == stage
    # while it hangs there, readers still see version 1, whole
    with Platform(make_settings(home)) as reader:
        assert reader.sql(f"select count(*) from {GEMEENTEN}").rows == [(355,)]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Platform(make_settings(home)) as platform:  # no recover() here: look at the raw state
        delivery = platform.metastore.list_deliveries(GEMEENTEN)[-1]
        assert delivery.state == ("checked" if stage == "committed" else stage), delivery
        assert platform.metastore.get_dataset(GEMEENTEN).current_version == 1
        return delivery.id


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_sigkill_at_every_stage(home: Path, tmp_path: Path, stage: str) -> None:
    file = demo.data_path(GEMEENTEN)
    delivery_id = kill_at(home, stage, file)

    # the next command (any command) reports or finishes the delivery
    listed = run(home, "deliveries")
    assert listed.returncode == 0, listed.stderr
    assert f"delivery {delivery_id}" in listed.stderr and "recovered:" in listed.stderr

    with Platform(make_settings(home)) as platform:
        delivery = platform.metastore.get_delivery(delivery_id)
        versions = platform.catalog.versions(GEMEENTEN)
        table_files = sorted(p.name for p in platform.tables.path(GEMEENTEN).glob("*.parquet"))
        staging = list((platform.home / "staging").iterdir())
        partials = list((platform.home / "landing").rglob("*.partial"))
        if stage == "committed":
            # the Delta commit had landed: recovery finished the bookkeeping
            assert delivery.state == "loaded" and delivery.version_number == 2
            assert [v.number for v in versions] == [1, 2]
            assert versions[1].delivery_id == delivery_id and versions[1].row_count == 355
        else:
            assert delivery.state == "interrupted"
            assert f"interrupted while {stage}" in (delivery.error or "")
            assert [v.number for v in versions] == [1]
            assert table_files == ["part-d000001-000.parquet"]  # nothing half-written left behind
        assert staging == [] and partials == []
        assert platform.sql(f"select count(*), sum(population) from {GEMEENTEN}").rows == [(355, 17282163)]
        assert platform.sql(f'select count(*) from "{GEMEENTEN}@1"').rows == [(355,)]

    # a second command has nothing left to recover
    again = run(home, "catalog", "list")
    assert again.returncode == 0 and "recovered:" not in again.stderr

    if stage not in ("committed", "receiving"):
        retried = run(home, "deliveries", "retry", str(delivery_id))
        assert retried.returncode == 0, retried.stderr
        assert "version 2" in retried.stdout
    if stage == "receiving":
        retried = run(home, "deliveries", "retry", str(delivery_id))
        assert retried.returncode == 2 and "can be retried" in retried.stderr
