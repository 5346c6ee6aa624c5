"""The evaluation as a self-contained HTML page (``stadsdata models wmo evaluate --report``)."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from stadsdata.models.wmo.data import FEATURES
from stadsdata.models.wmo.evaluate import Evaluation, summary_table

STYLE = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{border:1px solid #bbb;padding:0.25rem 0.5rem}
th{background:#eef2f6;text-align:left}td.num{text-align:right}caption{text-align:left;font-weight:bold}
"""


def _table(frame: pd.DataFrame, caption: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for value in row:
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            text = "" if value is None or (numeric and pd.isna(value)) else str(value)
            cells.append(f'<td class="num">{html.escape(text)}</td>' if numeric else f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def render(evaluation: Evaluation) -> str:
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Wmo model: evaluation</title><style>{STYLE}</style></head><body>",
        "<h1>Wmo forecast per wijk: evaluation</h1>",
        f"<p>Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC from "
        f"<code>{html.escape(evaluation.dataset)}</code>. "
        "Errors are of the rate per 1,000 inhabitants; MAPE in %; bias = mean of predicted minus observed. "
        "Method and limits: docs/wmo-forecast.md.</p>",
        _table(summary_table(evaluation), "Validation"),
        f"<p>The model's 90% prediction interval held the observed count in {evaluation.coverage:.0f}% of the wijken "
        f"(leave-one-out). Overdispersion (Pearson scale): {evaluation.scale:.1f}; deviance explained "
        f"{evaluation.deviance_explained:.0%}.</p>",
    ]
    if evaluation.rate_ratios is not None:
        ratios = evaluation.rate_ratios.round(3).reset_index(names="feature")
        ratios.insert(1, "per", [FEATURES[f] for f in ratios["feature"]])
        parts.append(_table(ratios, "Rate ratios (quasi-Poisson GLM, all included wijken)"))
    excluded = pd.DataFrame([(e.code, e.reason) for e in evaluation.excluded], columns=["wijk", "reason"])
    parts.append(_table(excluded, "Wijken left out (never treated as 0)"))
    loo = evaluation.loo.reset_index().round(1)
    parts.append(_table(loo, "Leave-one-out predictions per wijk (rate per 1,000)"))
    if evaluation.backtest is not None:
        b = evaluation.backtest
        breaks = b.table[b.table["break"] != ""].reset_index().round(1)
        parts.append(_table(breaks, f"Backtest {b.fit_year} -> {b.test_year}: gemeenten where it breaks, and why"))
        left = pd.DataFrame([(e.code, e.reason) for e in b.excluded], columns=["gemeente", "reason"])
        parts.append(_table(left, "Backtest: gemeenten not compared"))
    if evaluation.transfer is not None:
        parts.append(
            _table(evaluation.transfer.reset_index().round(1), f"Transfer to {evaluation.transfer_dataset} per wijk")
        )
    parts.append("</body></html>")
    return "\n".join(parts)
