"""The command line as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import csv
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from stadsdata import demo
from tests.cli.run import stadsdata
from tests.demo_expect import COMPUTED


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli") / "home"
    result = stadsdata("demo", "--no-serve", home=home)
    assert result.returncode == 0, result.stderr
    for dataset in (
        "cbs_kwb_2019_den_haag",
        "cbs_kwb_2017_nl",
        "cbs_kwb_2019_gemeenten",
        "cbs_gemeenten_2024",
        "algoritmeregister_2022",
    ):
        assert f"loaded {dataset}" in result.stdout
    assert "catalog list" in result.stdout  # where to look next
    assert re.search(r"computed indicatoren +version 1: +[\d,]+ values", result.stdout)  # and the indicators
    return home


def test_done_when_count_is_159(demo_home: Path) -> None:
    result = stadsdata("sql", "select count(*) from cbs_kwb_2019_den_haag", "--format", "csv", home=demo_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["count_star()", "159"]


def test_sql_json_and_table(demo_home: Path) -> None:
    result = stadsdata(
        "sql",
        "select statcode, statnaam from cbs_gemeenten_2024 where statcode = 'GM0518'",
        "-f",
        "json",
        home=demo_home,
    )
    assert json.loads(result.stdout) == [{"statcode": "GM0518", "statnaam": "'s-Gravenhage"}]
    table = stadsdata("sql", 'select count(*) as n from "cbs_kwb_2019_den_haag@1"', home=demo_home)
    assert "159" in table.stdout and "1 row" in table.stdout


def test_catalog_commands(demo_home: Path) -> None:
    listed = stadsdata("catalog", "list", home=demo_home)
    shipped = len(demo.DEMO_DATASETS) + len(COMPUTED)  # and the computed ones (indicatoren, wmo_prognose, ...)
    assert listed.returncode == 0 and f"{shipped} datasets" in listed.stdout  # staff catalogue: vertrouwelijk too
    found = stadsdata("catalog", "search", "wmo", home=demo_home)
    for wmo in ("cbs_kwb_2019_den_haag", "wmo_hbh_gemeenten_2017_2019", "wmo_clienten_synthetisch"):
        assert wmo in found.stdout  # the KWB 2019 (its Wmo columns), the Wmo panel and the Wmo register
    assert re.search(r"\b\d+ datasets match", found.stdout)
    shown = stadsdata("catalog", "show", "cbs_kwb_2019_den_haag", home=demo_home)
    assert shown.returncode == 0
    for text in ("openbaar", "WmoClienten_89", "CC-BY-4.0", "Versions", "159"):
        assert text in shown.stdout, text
    versions = stadsdata("versions", "cbs_gemeenten_2024", home=demo_home)
    assert "342" in versions.stdout


def test_user_error_is_one_line_and_non_zero(demo_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "leeg.csv"
    bad.write_bytes(b"")
    result = stadsdata("ingest", str(bad), "--dataset", "cbs_kwb_2019_gemeenten", home=demo_home)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: leeg.csv: the file is empty (0 bytes)")
    listed = stadsdata("deliveries", "--dataset", "cbs_kwb_2019_gemeenten", home=demo_home)
    assert "rejected" in listed.stdout
    path_id = stadsdata("ingest", str(bad), "--dataset", "../../etc", home=demo_home)
    assert path_id.returncode == 2 and "is not valid" in path_id.stderr
    unknown = stadsdata("sql", "select * from bestaat_niet", home=demo_home)
    assert unknown.returncode == 2 and unknown.stderr.startswith("error: query failed")


def test_demo_refuses_a_home_it_did_not_make(tmp_path: Path) -> None:
    home = tmp_path / "echt"
    home.mkdir()
    (home / "iets.txt").write_text("data van iemand")
    result = stadsdata("demo", "--no-serve", home=home)
    assert result.returncode == 2 and "did not create" in result.stderr
    assert (home / "iets.txt").exists()


def test_quality_report(demo_home: Path) -> None:
    result = stadsdata("quality", "report", "cbs_kwb_2019_den_haag", home=demo_home)
    assert result.returncode == 0, result.stderr
    assert "cbs_kwb_2019_den_haag version 1: quality score 100.0 / 100" in result.stdout
    assert "range(AantalInwoners_5)" in result.stdout and "FAIL" not in result.stdout
    assert "0 van 159 rijen voldoen niet" in result.stdout  # the detail in the setting's language (nl)
    english = stadsdata("quality", "report", "cbs_kwb_2019_den_haag", "--lang", "en", home=demo_home)
    assert "0 of 159 rows break it" in english.stdout
    missing = stadsdata("quality", "report", "bestaat_niet", home=demo_home)
    assert missing.returncode == 2 and "bestaat_niet" in missing.stderr
    both = stadsdata("quality", "report", "cbs_kwb_2019_den_haag", "--version", "1", "--delivery", "1", home=demo_home)
    assert both.returncode == 2 and "not both" in both.stderr
    bad_lang = stadsdata("quality", "report", "cbs_kwb_2019_den_haag", "--lang", "fr", home=demo_home)
    assert bad_lang.returncode == 2 and "nl or en" in bad_lang.stderr


class _Page(HTMLParser):
    """Checks that every element is closed in order, and collects anything loaded from outside."""

    VOID = ("meta", "link", "br", "img", "input", "hr")

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith(("#", "data:")):
                self.external.append(value)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        depth = len(self.stack)
        self.handle_starttag(tag, attrs)
        del self.stack[depth:]

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


def parse_page(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert parser.stack == [] and parser.external == []
    return page


def test_quality_report_as_one_html_file(demo_home: Path, tmp_path: Path) -> None:
    target = tmp_path / "rapporten" / "kwb.html"
    result = stadsdata("quality", "report", "cbs_kwb_2019_den_haag", "--html", str(target), home=demo_home)
    assert result.returncode == 0, result.stderr
    assert f"wrote {target}" in result.stdout.replace("\n", "")
    assert "range(AantalInwoners_5)" in result.stdout  # the text report still comes first
    page = parse_page(target)
    assert '<html lang="nl">' in page and "<style>" in page and "<script" not in page
    assert "<h1>Kerncijfers wijken en buurten 2019, Den Haag (CBS)</h1>" in page
    assert "Kwaliteitsscore van versie 1: 100 van 100" in page
    assert "<code>range(AantalInwoners_5)</code>" in page and '<td data-label="Soort">bereik</td>' in page
    assert "0 van 159 rijen voldoen niet" in page and "geladen" in page
    # the column profile: every column, SoortRegio_2's values, AantalInwoners_5's range
    assert page.count('<th scope="row"><code>') == 118
    assert re.search(r"Buurt</span> <span[^>]*>114</span>", page)
    assert "0 – 537.833" in page
    english = tmp_path / "kwb-en.html"
    stadsdata("quality", "report", "cbs_kwb_2019_den_haag", "--html", str(english), "--lang", "en", home=demo_home)
    assert "Quality score of version 1: 100 out of 100" in parse_page(english) and "0 – 537,833" in english.read_text()


def test_quality_report_of_a_quarantined_delivery(demo_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(demo_home, home)
    with demo.data_path("cbs_kwb_2019_den_haag").open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    header = table[0]
    row = next(r for r in table if r[header.index("WijkenEnBuurten")] == "BU05180170")
    row[header.index("AantalInwoners_5")] = "-15"
    broken = tmp_path / "kwb_negatief.csv"
    with broken.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    ingest = stadsdata("ingest", str(broken), "--dataset", "cbs_kwb_2019_den_haag", home=home)
    assert ingest.returncode == 2 and "quarantined" in ingest.stderr
    match = re.search(r"stadsdata deliveries release (\d+)", ingest.stderr)
    assert match
    delivery = match.group(1)
    target = tmp_path / "quarantaine.html"
    args = ("quality", "report", "cbs_kwb_2019_den_haag", "--delivery", delivery, "--html", str(target))
    result = stadsdata(*args, home=home)
    assert result.returncode == 0, result.stderr
    assert f"delivery {delivery} (quarantined): quality score" in result.stdout
    assert "FAIL" in result.stdout and "1 van 159 rijen voldoen niet" in result.stdout
    page = parse_page(target)
    assert f"Kwaliteitsscore van levering {delivery}:" in page and "in quarantaine: niet gepubliceerd" in page
    assert "gecontroleerd bij het ontvangen van deze levering" in page
    failing = re.search(
        r'<tr class="rule rule--fail">\s*<th scope="row"[^>]*><code>range\(AantalInwoners_5\)</code>(.*?)</tr>',
        page,
        re.S,
    )
    assert failing and "rij 3" in failing.group(1) and "-15" in failing.group(1)
    # the current version is untouched, and its report says so
    current = stadsdata("quality", "report", "cbs_kwb_2019_den_haag", home=home)
    assert "version 1: quality score 100.0 / 100" in current.stdout
    other = stadsdata("quality", "report", "cbs_gemeenten_2024", "--delivery", delivery, home=home)
    assert other.returncode == 2 and "not a delivery of" in other.stderr
