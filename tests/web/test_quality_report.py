"""The view data and the self-contained HTML of a quality report (web/quality_report.py).

The real KWB report and profile are tested through the portal (test_portal.py) and the command
line (tests/cli/test_cli.py); here a profile with every column kind the demo data lacks: personal
data, dates, times, booleans, many distinct values, estimated counts and infinities.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from stadsdata.web.i18n import Translator
from stadsdata.web.quality_report import HIDDEN_VALUE, profile_view, quality_view, render_report

NL, EN = Translator("nl"), Translator("en")

PROFILE = {
    "rows": 2_000_000,
    "columns": [
        {"name": "bsn", "type": "string", "empty": 0, "share_empty": 0.0, "distinct": 1_999_000,
         "distinct_exact": False, "hidden": True},
        {"name": "geboren", "type": "date", "empty": 10, "share_empty": 0.000005, "distinct": 30_000,
         "distinct_exact": False, "min": "1920-01-31", "max": "2024-12-01"},
        {"name": "gemeld", "type": "datetime", "empty": 0, "share_empty": 0.0, "distinct": 5,
         "distinct_exact": False, "min": "2024-07-01T10:00:00.000000Z", "max": "2024-12-01T10:00:00.000000Z"},
        {"name": "actief", "type": "boolean", "empty": 0, "share_empty": 0.0, "distinct": 2,
         "distinct_exact": False, "top": [{"value": True, "count": 1_500_000}, {"value": False, "count": 500_000}],
         "top_other": 0},
        {"name": "straat", "type": "string", "empty": 0, "share_empty": 0.0, "distinct": 40_000,
         "distinct_exact": False, "min_length": 2, "max_length": 60, "top": None, "top_other": None},
        {"name": "toelichting", "type": "string", "empty": 0, "share_empty": 0.0, "distinct": 12,
         "distinct_exact": False, "min_length": 1, "max_length": 80,
         "top": [{"value": "x" * 80, "count": 1_000_000}] + [{"value": f"v{i}", "count": 100_000} for i in range(9)],
         "top_other": 100_000},
        {"name": "ratio", "type": "number", "empty": 0, "share_empty": 0.0, "distinct": 100,
         "distinct_exact": False, "min": 0.00125, "max": 1234.5, "mean": 0.5, "not_finite": 3,
         "histogram": [{"from": 0.0, "to": 617.25, "count": 1_999_996}, {"from": 617.25, "to": 1234.5, "count": 1}]},
        {"name": "geometry", "type": "geometry", "empty": 2, "share_empty": 0.000001},
    ],
}  # fmt: skip


def columns(lang: Translator = NL) -> dict:  # type: ignore[type-arg]
    view = profile_view(PROFILE, lang)
    assert view is not None
    return {c.name: c for c in view.columns}


def test_personal_data_columns_show_counts_only() -> None:
    bsn = columns()["bsn"]
    assert (bsn.chart, bsn.low, bsn.high, bsn.mean, bsn.bars) == ("hidden", "", "", "", [])
    assert bsn.distinct == "≈ 1.999.000"


def test_dates_times_booleans_and_many_values() -> None:
    c = columns()
    assert (c["geboren"].low, c["geboren"].high) == ("31 januari 1920", "1 december 2024")
    assert c["geboren"].empty == "10 (0,0 %)"
    assert c["gemeld"].low == "1 juli 2024, 12:00"  # UTC, shown in Dutch summer time
    assert [(b.label, b.count, b.size) for b in c["actief"].bars] == [
        ("ja", "1.500.000", 100.0),
        ("nee", "500.000", 33.3),
    ]
    assert [b.label for b in columns(EN)["actief"].bars] == ["yes", "no"]
    assert c["straat"].chart == "many" and (c["straat"].low, c["straat"].high) == ("2", "60")


def test_top_values_are_cut_to_five_and_long_values_to_a_label() -> None:
    top = columns()["toelichting"]
    assert len(top.bars) == 5 and top.other == "600.000"  # 5 of the top 10 not shown + 100.000 beyond them
    assert top.bars[0].label.endswith("…") and len(top.bars[0].label) == 32 and top.bars[0].title == "x" * 80


def test_numbers_in_dutch_and_english_and_small_bars_stay_visible() -> None:
    ratio = columns()["ratio"]
    assert (ratio.low, ratio.high, ratio.mean, ratio.not_finite) == ("0,0013", "1.234,5", "0,5", "3")
    assert [b.label for b in ratio.bars] == ["0 – 617,25", "617,25 – 1.234,5"]
    assert ratio.bars[1].size == 4.0  # one row of two million still shows
    assert columns(EN)["ratio"].high == "1,234.5"
    assert columns()["geometry"].chart == "none" and columns()["geometry"].distinct == ""


def test_rule_outcomes_examples_and_skipped_rules() -> None:
    report = {
        "score": 87.5,
        "version": None,
        "delivery": 12,
        "state": "quarantined",
        "rules": [
            {"rule": "range(leeftijd)", "kind": "range", "columns": ["leeftijd"], "severity": "blocking",
             "checked": 8, "failing": 1, "passed": False, "detail": "1 of 8 rows break it", "facts": {"bad": 1},
             "examples": [{"row": 4, "values": {"leeftijd": -1, "bsn": HIDDEN_VALUE, "naam": None}}]},
            {"rule": "change(rows)", "kind": "change", "columns": [], "severity": "warning", "checked": 8,
             "failing": 0, "passed": True, "detail": "not checked", "facts": {}, "examples": [],
             "skipped": "first_version"},
        ],
    }  # fmt: skip
    view = quality_view(report, NL)
    assert view.score == "87,5" and (view.passed, view.failed, view.skipped) == (0, 1, 1)
    failing, skipped = view.rules
    assert (failing.kind, failing.severity, failing.outcome, failing.sentence) == (
        "bereik",
        "blokkerend",
        "fail",
        "1 van 8 rijen voldoen niet",
    )
    assert failing.examples[0].values == [
        ("leeftijd", "-1"),
        ("bsn", "verborgen (persoonsgegevens)"),
        ("naam", "leeg"),
    ]
    assert skipped.outcome == "skipped" and skipped.sentence == "niet gecontroleerd: er is geen vorige versie"
    assert quality_view(report, EN).rules[1].sentence == "not checked: there is no previous version"


class _Checker(HTMLParser):
    """Collects the tags that would load something from outside the file."""

    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            value = values.get(name) or ""
            if value and not value.startswith(("#", "data:")):
                self.external.append(f"{tag} {name}={value}")
        if tag not in ("meta", "link", "br", "img", "input"):
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        depth = len(self.open)
        self.handle_starttag(tag, attrs)
        del self.open[depth:]  # <rect/>: opened and closed

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, (self.open[-3:], tag)
        self.open.pop()


def test_the_report_is_one_self_contained_page_with_personal_data_hidden() -> None:
    report = {"dataset": "test_personen", "version": 3, "delivery": 9, "state": "loaded", "score": 100.0,
              "rules": [], "profile": PROFILE}  # fmt: skip
    page = render_report(report, title="Personen", now=dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.UTC))
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.external == [] and checker.open == []
    assert "<script" not in page and "<style>" in page and "--sd-color-pass" in page
    assert '<html lang="nl">' in page and "<title>Kwaliteitsrapport: Personen</title>" in page
    assert "Gemaakt op</dt><dd>6 januari 2025, 10:00" in page
    assert "Het contract bevat geen kwaliteitsregels." in page
    bsn = re.search(r"<code>bsn</code></th>(.*?)</tr>", page, re.S)
    assert bsn and "waarden verborgen (persoonsgegevens)" in bsn.group(1)
    assert "Een ≈ voor een aantal verschillende waarden betekent een schatting." in page
    english = render_report(report, title="People", lang="en")
    assert '<html lang="en">' in english and "values hidden (personal data)" in english
