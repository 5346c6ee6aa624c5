"""`stadsdata indicators list|compute|show` in-process on a copy of the real demo home."""

from __future__ import annotations

from typer.testing import CliRunner

from stadsdata.cli.main import app
from stadsdata.errors import AccessDeniedError, IndicatorError
from stadsdata.platform import Platform
from tests.indicators.helpers import write_definition

RUNNER = CliRunner()


def run(platform: Platform, *args: str, user: str = "tester"):  # type: ignore[no-untyped-def]
    return RUNNER.invoke(app, ["--home", str(platform.home), *args], env={"STADSDATA_USER": user, "COLUMNS": "200"})


def test_list_show_and_compute(demo_platform: Platform) -> None:
    count = len(demo_platform.indicators.definitions())
    listed = run(demo_platform, "indicators", "list")
    assert listed.exit_code == 0, listed.output
    assert f"{count} indicators in 8 themes; 2 products, 1 monitors" in listed.stdout
    assert "wmo_clienten_per_1000" in listed.stdout
    shown = run(
        demo_platform, "indicators", "show", "wmo_clienten_per_1000", "--region", "WK051802", "--region", "WK051801"
    )
    assert shown.exit_code == 0, shown.output
    assert "1000.0 * WmoClienten / AantalInwoners" in shown.stdout
    [value] = demo_platform.indicators.values(["wmo_clienten_per_1000"], ["WK051802"], [2019])
    assert f"{value.value:,.1f}" in shown.stdout and "Belgisch Park" in shown.stdout
    assert "geheim / n.b." in shown.stdout  # Oostduinen: NULL, shown as secret, not 0
    version = demo_platform.catalog.versions("indicatoren")[-1].number
    computed = run(demo_platform, "indicators", "compute")
    assert computed.exit_code == 0, computed.output
    assert f"indicatoren: unchanged: version {version} stays; {count} indicators" in computed.stdout
    assert "computing" in computed.stderr and "cbs_kwb_2019_den_haag@1" in computed.stdout


def test_compute_writes_a_version_after_a_new_definition_and_a_bad_file_is_one_line(demo_platform: Platform) -> None:
    version = demo_platform.catalog.versions("indicatoren")[-1].number
    own = demo_platform.home / "indicators"
    write_definition(own, "inwoners_per_huishouden")
    computed = run(demo_platform, "indicators", "compute")
    assert computed.exit_code == 0, computed.output
    assert f"indicatoren: version {version + 1} written" in computed.stdout
    shown = run(demo_platform, "indicators", "show", "inwoners_per_huishouden", "--region", "GM0518")
    assert "GM0518" in shown.stdout
    bad = write_definition(own, "inwoners_per_huishouden", levels=["stad"])
    refused = run(demo_platform, "indicators", "list")  # a new process: no good set to fall back on
    assert refused.exit_code != 0 and isinstance(refused.exception, IndicatorError)
    assert str(refused.exception) == (
        f"{bad}: field 'levels': expected a non-empty list of land, gemeente, wijk, buurt; got \"['stad']\""
    )


def test_compute_asks_the_policy(demo_platform: Platform) -> None:
    denied = run(demo_platform, "indicators", "compute", user="ana")  # a demo analyst
    assert isinstance(denied.exception, AccessDeniedError)
    assert str(denied.exception).startswith("ingest on dataset:indicatoren: ingest: only the dataset's data owner")
