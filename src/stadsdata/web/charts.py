"""Charts as SVG text, drawn in Python: horizontal bars (a comparison) and lines (a trend).

Pure functions: data in, SVG text out. No JavaScript, no CDN, no browser: the same SVG is
inlined in a page, served as a download and turned into PNG with ``vl_convert.svg_to_png``
(``to_png``). Every chart carries a ``<title>`` and ``<desc>`` for screen readers and a
``<title>`` per bar or point (its value on hover). A value CBS kept secret (``None``) is drawn
as no bar and labelled with the caller's word for it ("geheim"), never as 0.

Maps are in ``maps.py``; both share ``Labels`` and the helpers here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
TEXT = "#1a1a1a"
MUTED = "#4a4a4a"
GRID = "#d4d9de"
BAR = "#3c78a8"  # 4.6:1 on white
HIGHLIGHT = "#154273"  # the portal's dark blue
SERIES = ("#154273", "#b3541e", "#2f7d32", "#7b3294", "#4a4a4a", "#01689b", "#a6192e", "#6b6b00")


@dataclass(frozen=True)
class Labels:
    """The words a chart shows, in the page's language, and how it writes a number."""

    fmt: Callable[[float], str]
    secret: str = "geheim"
    missing: str = "geen waarde"
    places: Callable[[float, int], str] | None = None  # a number with so many decimals (axis ticks)

    def tick(self, value: float, ticks: Sequence[float]) -> str:
        """An axis label with as many decimals as the step between ticks needs (0.01 steps: 2)."""
        if self.places is None or len(ticks) < 2:
            return self.fmt(value)
        step = abs(ticks[1] - ticks[0]) or 1.0
        return self.places(value, max(0, -math.floor(math.log10(step) + 1e-9)))


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: secret (or unreliable)
    highlight: bool = False
    href: str | None = None
    missing: bool = False  # no value at all (not secret): labelled ``Labels.missing``


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[int, float | None], ...]  # (period, value); None: secret


def attr(text: object) -> str:
    return escape(str(text), quote=True)


def role(interactive: bool) -> str:
    """``img`` for a picture; ``group`` when it holds links (an ``img``'s children are not reachable)."""
    return "group" if interactive else "img"


def _svg_open(width: float, height: float, title: str, desc: str, uid: str, interactive: bool = False) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="{width:g}" '
        f'height="{height:g}" role="{role(interactive)}" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{FONT}" font-size="13" class="chart">',
        f'<title id="{uid}-title">{attr(title)}</title>',
        f'<desc id="{uid}-desc">{attr(desc)}</desc>',
        f'<rect width="{width:g}" height="{height:g}" fill="#ffffff"/>',
    ]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (about ``count`` of them)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0]
    if high == low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.5 and len(ticks) < 50:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _text_width(text: str, size: float = 13) -> float:
    """A rough width of ``text`` in pixels (DejaVu Sans averages about 0.6 em)."""
    return len(text) * size * 0.6


def bar_chart(
    bars: Sequence[Bar], *, title: str, unit: str, labels: Labels, uid: str = "bars", width: int = 640
) -> str:
    """Horizontal bars, one per region, in the given order, with the value at the end of each bar.

    The scale starts at zero (or below, for negative values); a secret value has no bar and
    reads ``labels.secret``; a missing one reads ``labels.missing``."""
    known = [b.value for b in bars if b.value is not None and not b.missing]
    low = min([0.0, *known])
    high = max([0.0, *known]) or 1.0
    ticks = nice_ticks(low, high)
    low, high = min(low, ticks[0]), max(high, ticks[-1])
    label_w = min(240.0, max([_text_width(b.label) for b in bars] + [60.0]) + 12)
    value_w = 80.0
    row, top = 26, 30
    plot_x, plot_w = label_w, width - label_w - value_w
    height = top + row * len(bars) + 34

    def x(v: float) -> float:
        return plot_x + (v - low) / (high - low) * plot_w

    described = ", ".join(f"{b.label}: {_value_text(b, labels)}" for b in bars)
    out = _svg_open(width, height, title, f"{unit}. {described}", uid, interactive=any(b.href for b in bars))
    out.append(f'<text x="{plot_x:.1f}" y="16" fill="{MUTED}">{attr(unit)}</text>')
    bottom = top + row * len(bars)
    for tick in ticks:
        tx = x(tick)
        out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{top - 4}" y2="{bottom}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{tx:.1f}" y="{bottom + 16}" text-anchor="middle" fill="{MUTED}">'
            f"{attr(labels.tick(tick, ticks))}</text>"
        )
    for i, bar in enumerate(bars):
        y = top + i * row
        name = _shorten(bar.label, label_w - 12)
        weight = ' font-weight="bold"' if bar.highlight else ""
        text = f'<text x="{plot_x - 8:.1f}" y="{y + 17}" text-anchor="end" fill="{TEXT}"{weight}>{attr(name)}</text>'
        if bar.href:
            text = f'<a href="{attr(bar.href)}">{text}</a>'
        out.append(text)
        shown = _value_text(bar, labels)
        tip = f"<title>{attr(bar.label)}: {attr(shown)}</title>"
        if bar.value is None or bar.missing:
            out.append(
                f'<text x="{x(0) + 6:.1f}" y="{y + 17}" fill="{MUTED}" font-style="italic">{attr(shown)}{tip}</text>'
            )
            continue
        x0, x1 = sorted((x(0), x(bar.value)))
        fill = HIGHLIGHT if bar.highlight else BAR
        out.append(
            f'<rect x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 0.5):.1f}" height="{row - 8}" '
            f'fill="{fill}">{tip}</rect>'
        )
        out.append(f'<text x="{x1 + 6:.1f}" y="{y + 17}" fill="{TEXT}"{weight}>{attr(shown)}</text>')
    out.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top - 4}" y2="{bottom}" stroke="{MUTED}"/>')
    out.append("</svg>")
    return "\n".join(out)


def line_chart(
    series: Sequence[Series], *, title: str, unit: str, labels: Labels, uid: str = "trend", width: int = 640
) -> str:
    """A line per series over the periods (years), a dot per value with its value as ``<title>``.

    Periods are spaced by year and a line joins the values a series has; a secret value breaks the
    line (no point is drawn for it, and the ``<desc>`` says so)."""
    periods = sorted({p for s in series for p, _ in s.points})
    known = [v for s in series for _, v in s.points if v is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    low = min(0.0, low)
    ticks = nice_ticks(low, high)
    low, high = ticks[0], ticks[-1] if ticks[-1] > ticks[0] else ticks[0] + 1
    legend_rows = len(series)
    top, left, right = 30, max(56.0, max(_text_width(labels.tick(t, ticks)) for t in ticks) + 16), 24.0
    plot_h = 220
    height = top + plot_h + 30 + legend_rows * 22 + 8
    first, last = (periods[0], periods[-1]) if periods else (0, 1)
    span = max(1, last - first)

    def x(period: int) -> float:
        return left + (period - first) / span * (width - left - right) if last != first else (width + left) / 2

    def y(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    described = "; ".join(
        f"{s.name}: " + ", ".join(f"{p} {labels.secret if v is None else labels.fmt(v)}" for p, v in s.points)
        for s in series
    )
    out = _svg_open(width, height, title, f"{unit}. {described}", uid)
    out.append(f'<text x="{left:.1f}" y="16" fill="{MUTED}">{attr(unit)}</text>')
    for tick in ticks:
        ty = y(tick)
        out.append(f'<line x1="{left:.1f}" x2="{width - right:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{left - 6:.1f}" y="{ty + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{attr(labels.tick(tick, ticks))}</text>"
        )
    for period in range(first, last + 1) if span <= 30 else periods:
        out.append(
            f'<text x="{x(period):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="{MUTED}">{period}</text>'
        )
    for i, s in enumerate(series):
        colour = SERIES[i % len(SERIES)]
        segments: list[list[tuple[float, float]]] = [[]]
        for period, value in sorted(s.points):
            if value is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append((x(period), y(value)))
        for segment in segments:
            if len(segment) > 1:
                points = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
                out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for period, value in s.points:
            if value is None:  # secret: a hollow marker on the axis, labelled
                out.append(
                    f'<circle cx="{x(period):.1f}" cy="{top + plot_h:.1f}" r="4" fill="#ffffff" stroke="{colour}" '
                    f'stroke-width="1.5"><title>{attr(s.name)}, {period}: {attr(labels.secret)}</title></circle>'
                )
                continue
            out.append(
                f'<circle cx="{x(period):.1f}" cy="{y(value):.1f}" r="4.5" fill="{colour}">'
                f"<title>{attr(s.name)}, {period}: {attr(labels.fmt(value))}</title></circle>"
            )
        ly = top + plot_h + 36 + i * 22
        out.append(f'<rect x="{left:.1f}" y="{ly:.1f}" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{left + 20:.1f}" y="{ly + 12:.1f}" fill="{TEXT}">{attr(s.name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _value_text(bar: Bar, labels: Labels) -> str:
    if bar.missing:
        return labels.missing
    return labels.secret if bar.value is None else labels.fmt(bar.value)


def _shorten(text: str, room: float) -> str:
    if _text_width(text) <= room:
        return text
    keep = max(4, int(room / (13 * 0.6)) - 1)
    return text[:keep] + "…"


def to_png(svg: str, *, scale: float = 2.0) -> bytes:
    """The SVG as PNG (vl-convert's resvg; no browser needed)."""
    import vl_convert

    return bytes(vl_convert.svg_to_png(svg, scale=scale))
