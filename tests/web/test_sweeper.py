"""`stadsdata serve` destroys ended workspaces on a timer: the app's lifespan runs the sweeper."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from fastapi.testclient import TestClient

from stadsdata import demo
from stadsdata.governance.opgaven import ColumnRequest, OpgaveRequest
from stadsdata.platform import DEMO_PASSWORD, Platform
from stadsdata.web.app import create_app
from tests.conftest import make_settings

WMO = "wmo_clienten_synthetisch"


def test_the_server_sweeps_an_ended_opgave(tmp_path: Path) -> None:
    with Platform(make_settings(tmp_path / "home", sweep_interval_seconds=0.2)) as platform:
        platform.register(demo.contract_path(WMO))
        platform.ingest(demo.data_path(WMO), WMO)
        for name, role in (("ana", "analyst"), ("olga", "data_owner")):
            platform.identity.add_user(name, display_name=name, password=DEMO_PASSWORD, by="tester")
            platform.identity.assign_role(name, role, WMO if role == "data_owner" else None, by="tester")
        filed = dt.date.today() - dt.timedelta(days=40)  # filed as if 40 days ago, for 30 days: ended
        opgave = platform.opgaven.request(
            platform.identity.actor_for("ana"),
            OpgaveRequest(
                title="Wijken met veel cliënten",
                purpose="Welke wijken de meeste Wmo-cliënten hebben, voor de inzet van wijkteams.",
                legal_ground="e",
                legal_basis="Wmo 2015, art. 2.1.2",
                dpia_reference="DPIA-TEST-1",
                dpia_status="afgerond",
                end_date=filed + dt.timedelta(days=30),
                columns=[ColumnRequest(WMO, "wijkcode", "De wijk als eenheid van analyse.")],
            ),
            today=filed,
        )
        platform.decide_opgave(
            platform.identity.actor_for("olga"), opgave.id, WMO, approve=True, reason="In orde voor de test."
        )
        workspace = Path(platform.workspaces.store.find(opgave.id).path)  # type: ignore[union-attr]
        assert workspace.exists() and platform.opgaven.get(opgave.id).state == "approved"
        with TestClient(create_app(platform)) as client:
            assert client.get("/api/v1/datasets").status_code == 200
            deadline = time.monotonic() + 30
            while platform.opgaven.get(opgave.id).state != "destroyed" and time.monotonic() < deadline:
                time.sleep(0.1)
        assert platform.opgaven.get(opgave.id).state == "destroyed"
        assert not workspace.exists()
        entry = platform.audit.list(limit=1, action="workspace_destroyed")[0]
        assert entry.actor == "system" and entry.resource == f"opgave/{opgave.id}/workspace"
        assert platform.audit.verify().ok
