"""``stadsdata sql`` queries on the real KWB tables (and the Assen meldingen for dates), on every
engine, each checked against an independent oracle: the same question answered with pandas on
the Parquet files of the same versions. The queries are written once, in the platform's SQL
dialect (DuckDB's); the Spark engine translates them (stadsdata.engine.spark_sql).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from stadsdata.errors import SQLError
from stadsdata.platform import Platform
from tests.conformance.conftest import gap

KWB = "cbs_kwb_2019_den_haag"
KWB21 = "cbs_kwb_2021_den_haag"
GEM = "cbs_kwb_2019_gemeenten"
MELD = "meldingen_assen_signalen_2026"
WIJKEN = "cbs_wijken_2019_den_haag"
REL_TOL = 1e-9  # floating point: the same operations, possibly summed in another order


@dataclass(frozen=True)
class Case:
    id: str
    sql: str
    expected: Callable[[dict[str, pd.DataFrame]], list[tuple[Any, ...]]]
    ordered: bool = True  # the query has a total ORDER BY; else rows compare as a multiset
    marks: tuple[pytest.MarkDecorator, ...] = ()


def rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(None if _missing(v) else v for v in r) for r in frame.itertuples(index=False, name=None)]


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _soort(f: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return f[KWB]


def _group(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    g = f[KWB].groupby("SoortRegio_2")
    out = pd.DataFrame(
        {
            "n": g.size(),
            "inwoners": g["AantalInwoners_5"].sum(),
            "gem": g["AantalInwoners_5"].mean(),
            "max_waarde": g["GemiddeldeWoningwaarde_35"].max(),
        }
    ).reset_index()
    return rows(out.sort_values("SoortRegio_2"))


def _join(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    a = f[KWB][f[KWB].SoortRegio_2 == "Wijk"][["WijkenEnBuurten", "AantalInwoners_5"]]
    b = f[KWB21][["WijkenEnBuurten", "AantalInwoners_5"]]
    m = a.merge(b, on="WijkenEnBuurten", suffixes=("_19", "_21"))
    m["groei"] = m.AantalInwoners_5_21 - m.AantalInwoners_5_19
    return rows(
        m.sort_values("WijkenEnBuurten")[["WijkenEnBuurten", "AantalInwoners_5_19", "AantalInwoners_5_21", "groei"]]
    )


def _left_join(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    a = f[KWB][["WijkenEnBuurten"]]
    b = f[KWB21][["WijkenEnBuurten", "AantalInwoners_5"]]
    m = a.merge(b, on="WijkenEnBuurten", how="left")
    return [(int(m.AantalInwoners_5.isna().sum()), len(m))]


def _window(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    w = f[KWB][f[KWB].SoortRegio_2 == "Wijk"][["WijkenEnBuurten", "AantalInwoners_5"]].copy()
    w = w.sort_values(["AantalInwoners_5", "WijkenEnBuurten"], ascending=[False, True])
    w["rang"] = range(1, len(w) + 1)
    w["cumulatief"] = w.AantalInwoners_5.cumsum()
    w["aandeel"] = w.AantalInwoners_5 / w.AantalInwoners_5.sum()
    return rows(w.head(10))


def _partition(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    b = f[KWB][f[KWB].SoortRegio_2 == "Buurt"][["WijkenEnBuurten", "AantalInwoners_5"]].copy()
    b["wijk"] = "WK" + b.WijkenEnBuurten.str[2:8]
    b = b.sort_values(["wijk", "AantalInwoners_5", "WijkenEnBuurten"], ascending=[True, False, True])
    b["n"] = b.groupby("wijk").cumcount() + 1
    top = b[b.n == 1]
    return rows(top.sort_values("wijk")[["wijk", "WijkenEnBuurten", "AantalInwoners_5"]])


def _nulls(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    k = f[KWB]
    waarde = k.GemiddeldeWoningwaarde_35
    return [
        (
            len(k),
            int(waarde.notna().sum()),
            int(waarde.isna().sum()),
            float(waarde.fillna(0).sum()),
            int((k.AantalInwoners_5 == 0).sum()),
        )
    ]


def _division(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    k = f[KWB].sort_values("WijkenEnBuurten").head(12)
    share = k.k_65JaarOfOuder_12 / k.AantalInwoners_5.where(k.AantalInwoners_5 != 0)
    out = pd.DataFrame({"code": k.WijkenEnBuurten, "share": 100.0 * share})
    return rows(out)


def _decimals(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    g = f[GEM]
    total = sum((Decimal(str(v)) for v in g.population), Decimal(0))
    return [(Decimal(total).quantize(Decimal("0.01")), len(g))]


def _dates(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    m = f[MELD].copy()
    m["maand"] = m.created_at.dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M").dt.start_time.dt.date
    g = m.groupby("maand").agg(n=("id", "size"), opgelost=("resolved_date", "count")).reset_index()
    return rows(g.sort_values("maand"))


def _date_diff(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    m = f[MELD]
    done = m[m.resolved_date.notna()]
    days = (
        pd.to_datetime(done.resolved_date) - done.created_at.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    ).dt.days
    since = m[m.created_at >= pd.Timestamp("2026-01-01", tz="UTC")]
    return [(len(done), int(days.min()), int(days.max()), len(since), dt.date(2026, 1, 1) + dt.timedelta(days=31))]


def _strings(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    k = f[KWB][f[KWB].SoortRegio_2 == "Wijk"].sort_values("WijkenEnBuurten").head(5)
    return [
        (
            r.WijkenEnBuurten,
            r.WijkenEnBuurten.lower(),
            r.WijkenEnBuurten[2:6],
            len(r.Gemeentenaam_1),
            r.Gemeentenaam_1.upper(),
            r.Gemeentenaam_1.replace("'s-", "") + " / " + r.WijkenEnBuurten,
        )
        for r in k.itertuples()
    ]


def _like(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    m = f[MELD]
    hits = m[m.straat.fillna("").str.contains("weg", regex=False) & m.hoofdcategorie.str.startswith("Afval")]
    return [(len(hits), int(hits.straat.nunique()))]


def _cte(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    k = f[KWB]
    wijken = k[k.SoortRegio_2 == "Wijk"]
    big = wijken[wijken.AantalInwoners_5 > wijken.AantalInwoners_5.mean()]
    buurten = k[(k.SoortRegio_2 == "Buurt") & ("WK" + k.WijkenEnBuurten.str[2:8]).isin(big.WijkenEnBuurten)]
    return [(len(big), len(buurten), int(buurten.AantalInwoners_5.sum()))]


def _union(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    a = f[KWB][f[KWB].SoortRegio_2 == "Gemeente"]
    b = f[KWB21][f[KWB21].SoortRegio_2.str.strip() == "Gemeente"]
    return [(2019, int(a.AantalInwoners_5.iloc[0])), (2021, int(b.AantalInwoners_5.iloc[0]))]


def _having(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    m = f[MELD]
    g = m.groupby("hoofdcategorie").size()
    g = g[g >= 100].sort_values(ascending=False)
    cats = pd.DataFrame({"hoofdcategorie": g.index, "n": g.values}).sort_values(
        ["n", "hoofdcategorie"], ascending=[False, True]
    )
    return rows(cats)


def _case(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    k = f[KWB][f[KWB].SoortRegio_2 == "Buurt"]
    klasse = pd.cut(k.AantalInwoners_5, [-1, 0, 999, 4999, 10**9], labels=["leeg", "klein", "middel", "groot"])
    g = klasse.value_counts()
    return sorted((str(c), int(n)) for c, n in g.items() if n)


def _geometry(f: dict[str, pd.DataFrame]) -> list[tuple[Any, ...]]:
    import shapely

    w = f[WIJKEN].sort_values("wijkcode").head(3)
    return [(r.wijkcode, round(shapely.from_wkb(r.geometry).area, 6)) for r in w.itertuples()]


CASES = [
    Case(
        "select",
        f"SELECT WijkenEnBuurten, AantalInwoners_5 FROM {KWB} ORDER BY WijkenEnBuurten LIMIT 5",
        lambda f: rows(f[KWB].sort_values("WijkenEnBuurten")[["WijkenEnBuurten", "AantalInwoners_5"]].head(5)),
    ),
    Case(
        "filter",
        f"SELECT WijkenEnBuurten FROM {KWB} WHERE SoortRegio_2 = 'Wijk' AND AantalInwoners_5 > 15000 ORDER BY 1",
        lambda f: rows(
            f[KWB][(f[KWB].SoortRegio_2 == "Wijk") & (f[KWB].AantalInwoners_5 > 15000)].sort_values("WijkenEnBuurten")[
                ["WijkenEnBuurten"]
            ]
        ),
    ),
    Case(
        "group_by",
        f"SELECT SoortRegio_2, count(*) AS n, sum(AantalInwoners_5) AS inwoners, avg(AantalInwoners_5) "
        f"AS gem, max(GemiddeldeWoningwaarde_35) AS max_waarde FROM {KWB} GROUP BY SoortRegio_2 ORDER BY 1",
        _group,
    ),
    Case(
        "join",
        f"SELECT a.WijkenEnBuurten, a.AantalInwoners_5, b.AantalInwoners_5, "
        f'b.AantalInwoners_5 - a.AantalInwoners_5 AS groei FROM {KWB} AS a JOIN "{KWB21}@1" AS b '
        "USING (WijkenEnBuurten) WHERE a.SoortRegio_2 = 'Wijk' ORDER BY 1",
        _join,
    ),
    Case(
        "left_join",
        f"SELECT count(*) - count(b.AantalInwoners_5), count(*) FROM {KWB} AS a LEFT JOIN {KWB21} AS b "
        "ON a.WijkenEnBuurten = b.WijkenEnBuurten",
        _left_join,
    ),
    Case(
        "window",
        "SELECT WijkenEnBuurten, AantalInwoners_5, row_number() OVER (ORDER BY AantalInwoners_5 DESC, "
        "WijkenEnBuurten) AS rang, sum(AantalInwoners_5) OVER (ORDER BY AantalInwoners_5 DESC, WijkenEnBuurten "
        "ROWS UNBOUNDED PRECEDING) AS cumulatief, AantalInwoners_5 / sum(AantalInwoners_5) OVER () AS aandeel "
        f"FROM {KWB} WHERE SoortRegio_2 = 'Wijk' ORDER BY rang LIMIT 10",
        _window,
    ),
    Case(
        "window_partition",
        "SELECT wijk, WijkenEnBuurten, AantalInwoners_5 FROM (SELECT 'WK' || substr(WijkenEnBuurten, "
        "3, 6) AS wijk, WijkenEnBuurten, AantalInwoners_5, row_number() OVER "
        "(PARTITION BY substr(WijkenEnBuurten, 3, 6) "
        f"ORDER BY AantalInwoners_5 DESC, WijkenEnBuurten) AS n FROM {KWB} WHERE SoortRegio_2 = 'Buurt') AS t "
        "WHERE n = 1 ORDER BY wijk",
        _partition,
    ),
    Case(
        "nulls",
        "SELECT count(*), count(GemiddeldeWoningwaarde_35), count(*) FILTER (WHERE GemiddeldeWoningwaarde_35 "
        "IS NULL), sum(COALESCE(GemiddeldeWoningwaarde_35, 0)), count(*) FILTER (WHERE NULLIF(AantalInwoners_5, 0) "
        f"IS NULL) FROM {KWB}",
        _nulls,
    ),
    Case(
        "division_by_zero",
        "SELECT WijkenEnBuurten AS code, 100.0 * k_65JaarOfOuder_12 / NULLIF(AantalInwoners_5, 0) "
        f"AS share FROM {KWB} ORDER BY code LIMIT 12",
        _division,
    ),
    Case(
        "decimals",
        f"SELECT CAST(sum(CAST(population AS DECIMAL(18, 2))) AS DECIMAL(18, 2)), count(*) FROM {GEM}",
        _decimals,
    ),
    Case(
        "dates",
        "SELECT CAST(date_trunc('month', created_at) AS DATE) AS maand, count(*) AS n, count(resolved_date) "
        f"AS opgelost FROM {MELD} GROUP BY 1 ORDER BY 1",
        _dates,
    ),
    Case(
        "date_arithmetic",
        "SELECT count(resolved_date), min(date_diff('day', CAST(created_at AS DATE), resolved_date)), "
        "max(date_diff('day', CAST(created_at AS DATE), resolved_date)), count(*) FILTER (WHERE created_at >= "
        f"TIMESTAMP '2026-01-01 00:00:00+00'), CAST(DATE '2026-01-01' + INTERVAL 31 DAY AS DATE) FROM {MELD}",
        _date_diff,
    ),
    Case(
        "date_minus_date",
        "SELECT count(resolved_date), min(resolved_date - CAST(created_at AS DATE)), "
        "max(resolved_date - CAST(created_at AS DATE)), count(*) FILTER (WHERE created_at >= TIMESTAMP '2026-01-01 "
        f"00:00:00+00'), CAST(DATE '2026-01-01' + INTERVAL 31 DAY AS DATE) FROM {MELD}",
        _date_diff,
        marks=(
            gap(
                "spark",
                "not implemented: date - date is a number of days on DuckDB and an interval on Spark (sqlglot does "
                "not know the column types); write date_diff('day', a, b), which both engines run",
            ),
        ),
    ),
    Case(
        "strings",
        "SELECT WijkenEnBuurten, lower(WijkenEnBuurten), substr(WijkenEnBuurten, 3, 4), "
        "length(Gemeentenaam_1), upper(Gemeentenaam_1), replace(Gemeentenaam_1, '''s-', '') || ' / ' || "
        f"WijkenEnBuurten FROM {KWB} WHERE SoortRegio_2 = 'Wijk' ORDER BY 1 LIMIT 5",
        _strings,
    ),
    Case(
        "like",
        f"SELECT count(*), count(DISTINCT straat) FROM {MELD} WHERE straat LIKE '%weg%' "
        "AND hoofdcategorie LIKE 'Afval%'",
        _like,
    ),
    Case(
        "cte_subquery",
        f"WITH wijken AS (SELECT * FROM {KWB} WHERE SoortRegio_2 = 'Wijk'), big AS (SELECT "
        "WijkenEnBuurten FROM wijken WHERE AantalInwoners_5 > (SELECT avg(AantalInwoners_5) FROM wijken)) "
        f"SELECT (SELECT count(*) FROM big), count(*), sum(AantalInwoners_5) FROM {KWB} WHERE SoortRegio_2 = 'Buurt' "
        "AND 'WK' || substr(WijkenEnBuurten, 3, 6) IN (SELECT WijkenEnBuurten FROM big)",
        _cte,
    ),
    Case(
        "union_all",
        f"SELECT 2019 AS jaar, AantalInwoners_5 FROM {KWB} WHERE SoortRegio_2 = 'Gemeente' UNION ALL "
        f"SELECT 2021, AantalInwoners_5 FROM {KWB21} WHERE trim(SoortRegio_2) = 'Gemeente' ORDER BY 1",
        _union,
    ),
    Case(
        "having",
        f"SELECT hoofdcategorie, count(*) AS n FROM {MELD} GROUP BY hoofdcategorie HAVING count(*) >= 100 "
        "ORDER BY n DESC, hoofdcategorie",
        _having,
    ),
    Case(
        "case",
        "SELECT klasse, count(*) FROM (SELECT CASE WHEN AantalInwoners_5 = 0 THEN 'leeg' WHEN "
        "AantalInwoners_5 < 1000 THEN 'klein' WHEN AantalInwoners_5 < 5000 THEN 'middel' ELSE 'groot' END AS klasse "
        f"FROM {KWB} WHERE SoortRegio_2 = 'Buurt') AS t GROUP BY klasse ORDER BY klasse",
        _case,
    ),
    Case(
        "geometry",
        f"SELECT wijkcode, round(ST_Area(geometry), 6) FROM {WIJKEN} ORDER BY wijkcode LIMIT 3",
        _geometry,
        marks=(gap("spark", "not possible on Spark: no spatial SQL functions (ST_*) without Apache Sedona"),),
    ),
]


@pytest.fixture(scope="module")
def frames(conform_home) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """The oracle's data: the Parquet files of each dataset's current version, read with pyarrow."""
    from tests.conftest import make_settings

    with Platform(make_settings(conform_home)) as p:
        return {
            d: pq.read_table(list(p.catalog.table_ref(d).files)).to_pandas() for d in (KWB, KWB21, GEM, MELD, WIJKEN)
        }


def same(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]], ordered: bool) -> None:
    assert len(got) == len(want), f"{len(got)} rows, expected {len(want)}"
    if not ordered:
        got, want = sorted(got, key=repr), sorted(want, key=repr)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert len(g) == len(w), f"row {i}: {len(g)} columns, expected {len(w)}"
        for j, (a, b) in enumerate(zip(g, w, strict=True)):
            if b is None or a is None:
                assert a is None and b is None, f"row {i}, column {j}: {a!r}, expected {b!r}"
            elif isinstance(b, float) or isinstance(a, float):
                assert math.isclose(float(a), float(b), rel_tol=REL_TOL), f"row {i}, column {j}: {a!r} != {b!r}"
            else:
                assert a == b, f"row {i}, column {j}: {a!r}, expected {b!r}"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_query(conform: Platform, frames: dict[str, pd.DataFrame], case: Case) -> None:
    result = conform.sql(case.sql)
    same(result.rows, case.expected(frames), case.ordered)


def test_column_names_and_types(conform: Platform) -> None:
    """The result's columns carry the same names and (DuckDB's) type names on every engine."""
    result = conform.sql(
        "SELECT WijkenEnBuurten AS code, AantalInwoners_5 AS n, CAST(AantalInwoners_5 AS INTEGER) AS i, "
        "PersonenautoSPerHuishouden_102 AS w, CAST(1.5 AS DECIMAL(10, 2)) AS d, DATE '2026-01-01' AS dag, "
        f"AantalInwoners_5 > 0 AS bewoond FROM {KWB} LIMIT 1"
    )
    assert result.columns == ["code", "n", "i", "w", "d", "dag", "bewoond"]
    assert result.types == ["VARCHAR", "BIGINT", "INTEGER", "DOUBLE", "DECIMAL(10,2)", "DATE", "BOOLEAN"]


def test_limit(conform: Platform) -> None:
    assert len(conform.sql(f"SELECT * FROM {KWB}", limit=7).rows) == 7


def test_a_bad_query_is_one_clear_error(conform: Platform) -> None:
    with pytest.raises(SQLError, match="query failed") as info:
        conform.sql(f"SELECT no_such_column FROM {KWB}")
    assert "\n" not in str(info.value)
