"""A quarantined delivery leaves a notice for the dataset's data owner: in the inbox and in the
list of deliveries, resolved when a later version loads (a release or a corrected delivery)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from stadsdata import demo
from stadsdata.core.contract import load_contract
from stadsdata.errors import NotFoundError, QuarantinedError
from stadsdata.platform import Platform
from tests.cli.run import stadsdata

KWB = "cbs_kwb_2019_den_haag"


def broken_copy(path: Path) -> Path:
    """The real file with one buurt's population made negative."""
    with open(demo.data_path(KWB), encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    for row in table[1:]:
        if row[header.index("WijkenEnBuurten")] == "BU05180170":
            row[header.index("AantalInwoners_5")] = "-15"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def quarantined(platform: Platform, tmp_path: Path) -> tuple[Platform, int]:
    platform.register(demo.contract_path(KWB))
    platform.ingest(demo.data_path(KWB), KWB)
    with pytest.raises(QuarantinedError):
        platform.ingest(broken_copy(tmp_path / "kwb_negatief.csv"), KWB)
    return platform, platform.metastore.list_deliveries(KWB)[-1].id


def test_quarantine_leaves_a_notice_for_the_data_owner(quarantined: tuple[Platform, int]) -> None:
    platform, delivery_id = quarantined
    owner = load_contract(demo.contract_path(KWB)).data_owner
    [notice] = platform.metastore.list_notices()
    assert (notice.dataset_id, notice.delivery_id, notice.role, notice.recipient) == (
        KWB,
        delivery_id,
        "data_owner",
        owner,
    )
    assert notice.kind == "quarantine" and notice.status == "unread"
    assert f"delivery {delivery_id} (kwb_negatief.csv) is in quarantine" in notice.subject
    assert "range(AantalInwoners_5) 1 of 159 rows break it" in notice.body
    assert platform.metastore.notices_of_deliveries([delivery_id])[delivery_id].id == notice.id
    read = platform.metastore.read_notice(notice.id, "eigenaar")
    assert read.status == "read" and read.read_by == "eigenaar"
    assert platform.metastore.read_notice(notice.id, "iemand anders").read_by == "eigenaar"  # first reader kept
    with pytest.raises(NotFoundError, match="notice 999 not found"):
        platform.metastore.read_notice(999, "eigenaar")


def test_a_release_resolves_the_notice(quarantined: tuple[Platform, int]) -> None:
    platform, delivery_id = quarantined
    result = platform.release(delivery_id, "De dienst bevestigt de correctie van deze buurt.")
    assert platform.metastore.list_notices() == []  # nothing open
    [notice] = platform.metastore.list_notices(open_only=False)
    assert notice.status == "resolved"
    assert notice.resolution == f"version {result.version} loaded from delivery {result.delivery_id}"


def test_inbox_and_deliveries_on_the_command_line(quarantined: tuple[Platform, int]) -> None:
    platform, delivery_id = quarantined
    home = platform.home
    platform.close()
    owner = load_contract(demo.contract_path(KWB)).data_owner
    listing = stadsdata("deliveries", home=home)
    assert listing.returncode == 0, listing.stderr
    line = next(x for x in listing.stdout.splitlines() if x.startswith(f"│ {delivery_id} "))
    assert "quarantined" in line and "#1 to" in line and "(unread)" in listing.stdout
    inbox = stadsdata("inbox", home=home)
    assert inbox.returncode == 0, inbox.stderr
    assert "unread" in inbox.stdout and owner.split(",")[0] in inbox.stdout and KWB in inbox.stdout
    shown = stadsdata("inbox", "show", "1", home=home)
    assert shown.returncode == 0, shown.stderr
    assert "range(AantalInwoners_5)" in shown.stdout
    assert f"stadsdata deliveries release {delivery_id}" in shown.stdout
    assert "(read)" in stadsdata("deliveries", home=home).stdout
    release = stadsdata("deliveries", "release", str(delivery_id), "--reason", "Bevestigd door CBS.", home=home)
    assert release.returncode == 0, release.stderr
    assert stadsdata("inbox", home=home).stdout.strip() == "no open notices"
    assert "resolved" in stadsdata("inbox", "--all", home=home).stdout
    missing = stadsdata("inbox", "show", "42", home=home)
    assert missing.returncode != 0 and "notice 42 not found" in missing.stderr
