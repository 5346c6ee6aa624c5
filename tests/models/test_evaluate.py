"""The validation on real data: leave-one-wijk-out against two baselines, errors by income group,
the backtest on the gemeente panel with its breaks named, and the transfer."""

from __future__ import annotations

import pandas as pd
import pytest

from stadsdata.errors import ModelError
from stadsdata.models.wmo import data, evaluate


@pytest.fixture(scope="module")
def base(kwb_2019: pd.DataFrame) -> data.Wijken:
    return data.wijken("cbs_kwb_2019_den_haag", kwb_2019)


@pytest.fixture(scope="module")
def result(base: data.Wijken, panel: pd.DataFrame) -> evaluate.Evaluation:
    return evaluate.evaluate(base, ("wmo_hbh_gemeenten_2017_2019", panel))


def test_leave_one_out_runs_on_every_included_wijk_against_both_baselines(
    base: data.Wijken, result: evaluate.Evaluation
) -> None:
    loo = result.loo
    assert list(loo.index) == list(base.frame.index) and len(loo) == 37
    assert loo[["observed", "model", "city_rate", "share_65"]].notna().all().all()
    observed = 1000 * base.frame["wmo"] / base.frame["population"]
    pd.testing.assert_series_equal(loo["observed"], observed, check_names=False)
    # the city-wide rate of the other 36 wijken differs per left-out wijk: it is really out of sample
    assert loo["city_rate"].nunique() == 37
    errors = result.loo_errors
    assert list(errors.index) == ["model", "city_rate", "share_65"] and (errors["n"] == 37).all()
    assert errors.loc["model", "mae"] == pytest.approx((loo["model"] - loo["observed"]).abs().mean())
    assert 0 <= result.coverage <= 100


def test_fairness_gives_errors_per_income_tercile(result: evaluate.Evaluation) -> None:
    groups = result.loo["income_group"].value_counts()
    assert set(groups.index) == {"laag", "midden", "hoog"} and groups.sum() == 37 and groups.min() >= 12
    poorest = result.loo[result.loo["income_group"] == "laag"]["income"].max()
    richest = result.loo[result.loo["income_group"] == "hoog"]["income"].min()
    assert poorest < richest
    f = result.fairness
    assert f.loc[("laag", "model"), "n"] == groups["laag"]
    assert {g for g, _ in f.index} == {"laag", "midden", "hoog"}


def test_the_backtest_names_where_it_breaks_den_haag_included(result: evaluate.Evaluation) -> None:
    b = result.backtest
    assert b is not None and (b.fit_year, b.test_year) == (2017, 2019)
    den_haag = b.table.loc["GM0518"]
    assert "12,895 -> 20" in den_haag["break"] and "provided or registered" in den_haag["break"]
    assert den_haag["observed"] < 0.1  # 20 clients among 537,833: the collapse is in the table, not hidden
    summary = b.summary
    assert summary.loc[("all gemeenten", "model"), "n"] == len(b.table)
    clean = (b.table["break"] == "").sum()
    assert summary.loc[("without the breaks", "model"), "n"] == clean < len(b.table)
    assert {m for _, m in summary.index} == {"model", "anchored", "same_as_2017"}
    # what the forecast does (the own 2017 rate moved by the model's change) beats "the same as 2017"
    # where the series has no break; the structure model alone does not
    mae = summary.xs("without the breaks", level="set")["mae"]
    assert mae["anchored"] < mae["same_as_2017"] < mae["model"]
    row = b.table.iloc[0]
    assert row["anchored"] != row["same_as_2017"] and row["anchored"] > 0
    assert any("no 2017 row" in e.reason for e in b.excluded)
    assert b.carried > 200  # KWB 2019 has no income yet: 2018's is used, and counted


def test_the_backtest_needs_the_panel_columns(panel: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match="^panel_x: no column 'wmoclienten'; expected the gemeente x year Wmo panel"):
        evaluate.backtest("panel_x", panel.drop(columns=["wmoclienten"]))


def test_the_summary_is_one_table_with_every_check(base: data.Wijken, result: evaluate.Evaluation) -> None:
    other = data.wijken("andere_gemeente", _kwb_subset(base))  # real Den Haag rows under another name
    with_transfer = evaluate.evaluate(base, None, other)
    table = evaluate.summary_table(with_transfer)
    assert set(table["check"]) == {"(a) leave-one-wijk-out", "fairness: income tercile", "(c) transfer"}
    full = evaluate.summary_table(result)
    assert "(b) backtest 2017 -> 2019" in set(full["check"])


def _kwb_subset(base: data.Wijken) -> pd.DataFrame:
    from stadsdata import demo

    table = pd.read_csv(demo.data_path("cbs_kwb_2019_den_haag"))
    return table[table["Codering_3"].isin(base.frame.index[:12])]
