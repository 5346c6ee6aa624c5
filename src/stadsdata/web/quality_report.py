"""Quality reports and column profiles as people read them.

Two places show them: the portal's dataset page and one self-contained HTML file
(``stadsdata quality report ID --html FILE``). Both render the same Jinja2 macros
(``templates/_quality.html``) from the view data built here, so a rule and a profile look the same
everywhere. This module does the numbers (Dutch or English formatting from
``core.quality_text``), the rule sentences (``describe``) and the bar heights of the charts; the
templates do the words (``web.i18n``) and the markup. The file inlines the portal's CSS: it needs no
server and no network, and can be mailed to a data owner.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from stadsdata.catalog.service import DatasetView
from stadsdata.core.quality_text import describe, kind, number, percent, severity
from stadsdata.web.i18n import Translator

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STYLESHEETS = (HERE / "static" / "portal.css", HERE / "static" / "quality.css")
TOP_SHOWN = 5  # top values per column in the profile (the profile keeps up to 10)
TREND_SHOWN = 12  # versions in the score trend
LABEL_LENGTH = 32  # characters of a top value's label
#: What ingest stores instead of a personal-data value in a rule's failing examples.
HIDDEN_VALUE = "<hidden: personal data>"


# -- view data -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Example:
    row: int
    values: list[tuple[str, str]]  # (column, value as shown)


@dataclass(frozen=True)
class RuleView:
    label: str  # as in the contract: "range(AantalInwoners_5)"
    kind: str  # in words: "bereik"
    severity: str  # in words: "blokkerend"
    blocking: bool
    outcome: str  # "pass", "fail" or "skipped" (not evaluated, not scored)
    sentence: str
    examples: list[Example]
    description: str = ""  # why the rule exists, from the contract (Dutch, as written there)


@dataclass(frozen=True)
class TrendPoint:
    version: int
    score: str  # formatted; "–" for a version without a report
    x: float = 0.0  # position in the sparkline (0..100 wide, 0..30 high)
    y: float = 0.0


@dataclass(frozen=True)
class Trend:
    points: list[TrendPoint]
    line: str  # SVG polyline points; "" with fewer than two scores
    low: str  # the sparkline's lowest score shown (its bottom)


@dataclass(frozen=True)
class QualityView:
    score: str
    version: int | None
    delivery: int | None
    state: str | None
    rules: list[RuleView]
    released: dict[str, Any] | None
    trend: Trend | None = None

    @property
    def passed(self) -> int:
        return sum(r.outcome == "pass" for r in self.rules)

    @property
    def failed(self) -> int:
        return sum(r.outcome == "fail" for r in self.rules)

    @property
    def skipped(self) -> int:
        return sum(r.outcome == "skipped" for r in self.rules)


@dataclass(frozen=True)
class Bar:
    label: str
    count: str
    size: float  # 0..100: share of the largest bar
    title: str = ""  # the full label when ``label`` was cut


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str  # the contract type ("integer"); the template puts it in words
    empty: str  # "1 (0,6 %)"
    distinct: str  # "139", or "≈ 1.234" when estimated
    low: str  # minimum (numbers, dates) or shortest length (texts); "" when not shown
    high: str
    mean: str
    chart: str  # histogram | top | unique | many | hidden | none
    bars: list[Bar] = field(default_factory=list)
    other: str = ""  # values outside the shown top values ("" when none)
    not_finite: str = ""  # NaN and infinities of a number column ("" when none)


@dataclass(frozen=True)
class ProfileView:
    rows: str
    columns: list[ColumnProfile]

    @property
    def estimated(self) -> bool:
        """Whether any distinct count is an estimate (tables of more than a million rows)."""
        return any(c.distinct.startswith("≈") for c in self.columns)


# -- builders ------------------------------------------------------------------------------
def score_text(score: float, lang: str) -> str:
    """100.0 -> "100"; 97.5 -> "97,5" (Dutch) or "97.5"."""
    return number(score, lang, 0 if float(score).is_integer() else 1)


def quality_view(report: dict[str, Any] | None, t: Translator, *, trend: Trend | None = None) -> QualityView:
    """The view of a stored report (``Platform.quality_report`` or ``DatasetView.quality_of``)."""
    report = report or {"score": 100.0, "rules": []}
    return QualityView(
        score=score_text(report["score"], t.lang),
        version=report.get("version"),
        delivery=report.get("delivery"),
        state=report.get("state"),
        rules=[_rule(r, t) for r in report["rules"]],
        released=report.get("released"),
        trend=trend,
    )


def _rule(result: dict[str, Any], t: Translator) -> RuleView:
    if result.get("skipped"):
        outcome = "skipped"
    else:
        outcome = "pass" if result["passed"] else "fail"
    examples = [
        Example(e["row"], [(name, _value(value, t)) for name, value in e["values"].items()]) for e in result["examples"]
    ]
    return RuleView(
        label=result["rule"],
        kind=kind(result["kind"], t.lang),
        severity=severity(result["severity"], t.lang),
        blocking=result["severity"] == "blocking",
        outcome=outcome,
        sentence=describe(result, t.lang),
        examples=examples if outcome == "fail" else [],
        description=result.get("description") or "",
    )


def trend_of(view: DatasetView, t: Translator) -> Trend:
    """The score of each version (the last ``TREND_SHOWN``), for a list and a sparkline."""
    versions = view.versions[-TREND_SHOWN:]
    scores = [(v.number, (view.quality_of(v) or {}).get("score")) for v in versions]
    known = [s for _, s in scores if s is not None]
    low = max(0.0, math.floor((min(known, default=100.0) - 5) / 10) * 10)
    span = max(len(scores) - 1, 1)
    points = []
    for i, (version, score) in enumerate(scores):
        if score is None:
            points.append(TrendPoint(version, "–"))
            continue
        x = round(100 * i / span, 2)
        y = round(2 + 26 * (100 - score) / (100 - low), 2)
        points.append(TrendPoint(version, score_text(score, t.lang), x, y))
    drawn = [p for p in points if p.score != "–"]
    line = " ".join(f"{p.x},{p.y}" for p in drawn) if len(drawn) > 1 else ""
    return Trend(points, line, score_text(low, t.lang))


def profile_view(profile: dict[str, Any] | None, t: Translator) -> ProfileView | None:
    """The view of a stored column profile (format in docs/quality.md); None without one."""
    if not profile:
        return None
    rows = int(profile["rows"])
    return ProfileView(number(rows, t.lang), [_column(c, rows, t) for c in profile["columns"]])


def _column(c: dict[str, Any], rows: int, t: Translator) -> ColumnProfile:
    lang = t.lang
    empty = f"{number(c['empty'], lang)} ({percent(c['share_empty'], lang)})" if c["empty"] else "0"
    distinct = ""
    if c.get("distinct") is not None:
        distinct = ("" if c.get("distinct_exact", True) else "≈ ") + number(c["distinct"], lang)
    elif "distinct" in c:
        distinct = "–"  # not counted: a number column of more than a million rows
    common = {"name": c["name"], "type": c["type"], "empty": empty, "distinct": distinct}
    if c.get("hidden"):
        return ColumnProfile(**common, low="", high="", mean="", chart="hidden")
    kind_ = c["type"]
    if kind_ in ("integer", "number"):
        bars = _histogram(c.get("histogram") or [], lang)
        return ColumnProfile(
            **common,
            low=_num(c.get("min"), lang),
            high=_num(c.get("max"), lang),
            mean=_num(c.get("mean"), lang),
            chart="histogram" if bars else "none",
            bars=bars,
            not_finite=number(c["not_finite"], lang) if c.get("not_finite") else "",
        )
    if kind_ in ("date", "datetime"):
        return ColumnProfile(**common, low=_when(c.get("min"), t), high=_when(c.get("max"), t), mean="", chart="none")
    low = high = ""
    if kind_ == "string" and c.get("min_length") is not None:
        low, high = number(c["min_length"], lang), number(c["max_length"], lang)
    if kind_ in ("string", "boolean"):
        top = c.get("top")
        filled = rows - c["empty"]
        if top is None:
            chart, bars, other = "many", [], ""
        elif top and c.get("distinct") == filled and all(v["count"] == 1 for v in top):
            chart, bars, other = "unique", [], ""
        else:
            shown = top[:TOP_SHOWN]
            rest = (c.get("top_other") or 0) + sum(v["count"] for v in top[TOP_SHOWN:])
            largest = max((v["count"] for v in shown), default=1) or 1
            bars = [_top_bar(_value(v["value"], t), v["count"], largest, lang) for v in shown]
            chart, other = ("top" if bars else "none"), (number(rest, lang) if rest else "")
        return ColumnProfile(**common, low=low, high=high, mean="", chart=chart, bars=bars, other=other)
    return ColumnProfile(**common, low="", high="", mean="", chart="none")  # geometry


def _histogram(bins: list[dict[str, Any]], lang: str) -> list[Bar]:
    largest = max((b["count"] for b in bins), default=0)
    if not largest:
        return []
    return [
        Bar(f"{_num(b['from'], lang)} – {_num(b['to'], lang)}", number(b["count"], lang), _size(b["count"], largest))
        for b in bins
    ]


def _size(count: int, largest: int) -> float:
    """A bar's length in percent of the largest; a bar with anything in it stays visible."""
    if not count:
        return 0.0
    return round(max(100 * count / largest, 4.0), 1)


def _top_bar(text: str, count: int, largest: int, lang: str) -> Bar:
    """A top value's bar; a long value is cut, with the full value as its title."""
    label, title = text, ""
    if len(text) > LABEL_LENGTH:
        label, title = text[: LABEL_LENGTH - 1].rstrip() + "…", text
    return Bar(label, number(count, lang), _size(count, largest), title)


def _num(value: float | int | None, lang: str) -> str:
    """A measured number: whole numbers as they are, others with 2 (or below 1: 4) decimals, no trailing zeros."""
    if value is None:
        return ""
    if float(value).is_integer():
        return number(value, lang, 0)
    text = number(value, lang, 2 if abs(value) >= 1 else 4)
    return text.rstrip("0").rstrip(".,")


def _value(value: Any, t: Translator) -> str:
    """A value from the data (an example row, a top value) as shown."""
    if value is None:
        return t("quality.value.empty")
    if value == HIDDEN_VALUE:
        return t("quality.value.hidden")
    if isinstance(value, bool):
        return t("bool.yes") if value else t("bool.no")
    if isinstance(value, int | float):
        return _num(value, t.lang)
    return str(value)


def _when(iso: str | None, t: Translator) -> str:
    if not iso:
        return ""
    try:
        if len(iso) <= 10:
            return t.date(dt.date.fromisoformat(iso))
        return t.datetime(dt.datetime.fromisoformat(iso.replace("Z", "+00:00")))
    except ValueError:
        return iso


# -- the HTML file -------------------------------------------------------------------------
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))


def render_report(
    report: dict[str, Any], *, title: str, lang: str = "nl", trend: Trend | None = None, now: dt.datetime | None = None
) -> str:
    """One self-contained HTML page: title, version or delivery and its state, score, rules, profile."""
    t = Translator(lang)
    css = "\n".join(path.read_text(encoding="utf-8") for path in STYLESHEETS)
    return (
        _environment()
        .get_template("quality_report.html")
        .render(
            t=t,
            lang=lang,
            title=title,
            dataset=report["dataset"],
            quality=quality_view(report, t, trend=trend),
            profile=profile_view(report.get("profile"), t),
            made=t.datetime(now or dt.datetime.now(dt.UTC)),
            css=css,
        )
    )


def write_report(path: Path, report: dict[str, Any], **options: Any) -> Path:
    """``render_report`` to ``path`` (UTF-8); returns the path written."""
    path.write_text(render_report(report, **options), encoding="utf-8")
    return path


__all__ = [
    "ProfileView",
    "QualityView",
    "Trend",
    "profile_view",
    "quality_view",
    "render_report",
    "score_text",
    "trend_of",
    "write_report",
]
