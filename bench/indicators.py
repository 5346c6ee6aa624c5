"""Benchmark: recompute every indicator for every region of the all-NL KWB 2017 file (16,667
regions), with the platform's SQL on the engine and, in the same run, with a straightforward
pandas implementation of the same definitions. Both read the same Parquet file and write the
same long table (indicator, regio, regionaam, niveau, gemeente, wijk, periode, waarde, bron) to
Parquet; the values are compared before the times are printed.

    uv run --frozen python bench/indicators.py            # 16,667 rows
    uv run --frozen python bench/indicators.py --scale 100  # 1.67 M rows (the rows repeated)

The pandas side evaluates each definition's SQL expression (parsed with sqlglot) with vectorised
Series arithmetic: ``pd.to_numeric`` per column, ``NULLIF`` as ``where``, a division by zero as
NaN, exactly as the SQL does. It is written the way one would write it by hand, not slowed down.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stadsdata import demo  # noqa: E402
from stadsdata.engine import TableRef  # noqa: E402
from stadsdata.indicators import compute as sql  # noqa: E402
from stadsdata.indicators.definitions import IndicatorSet, base_name  # noqa: E402
from stadsdata.indicators.service import NEW_COLUMNS  # noqa: E402
from stadsdata.indicators.sources import ValueSource, value_source  # noqa: E402
from stadsdata.platform import Platform  # noqa: E402
from stadsdata.settings import Settings  # noqa: E402

DATASET = "cbs_kwb_2017_nl"


def evaluate(node, frame: pd.DataFrame, columns: dict[str, str]) -> pd.Series | float:  # type: ignore[no-untyped-def]
    """A definition's expression (a sqlglot tree) over a DataFrame, with SQL's NULL semantics."""
    from sqlglot import exp

    if isinstance(node, exp.Column):
        return pd.to_numeric(frame[columns[base_name(node.name)]], errors="coerce").astype("float64")
    if isinstance(node, exp.Literal):
        return float(node.this)
    if isinstance(node, exp.Paren):
        return evaluate(node.this, frame, columns)
    if isinstance(node, exp.Neg):
        return -evaluate(node.this, frame, columns)
    if isinstance(node, exp.Nullif):
        a, b = evaluate(node.this, frame, columns), evaluate(node.expression, frame, columns)
        return a.where(a != b) if isinstance(a, pd.Series) else (np.nan if a == b else a)
    if isinstance(node, exp.Coalesce):
        values = [evaluate(e, frame, columns) for e in [node.this, *node.expressions]]
        out = values[0]
        for v in values[1:]:
            out = out.fillna(v) if isinstance(out, pd.Series) else out
        return out
    a, b = evaluate(node.this, frame, columns), evaluate(node.expression, frame, columns)
    if isinstance(node, exp.Add):
        return a + b
    if isinstance(node, exp.Sub):
        return a - b
    if isinstance(node, exp.Mul):
        return a * b
    if isinstance(node, exp.Div):
        b = b.where(b != 0) if isinstance(b, pd.Series) else (np.nan if b == 0 else b)
        return a / b
    raise NotImplementedError(node.key)


def pandas_compute(definitions: IndicatorSet, source: ValueSource, files: list[str], dest: Path) -> int:
    import sqlglot

    frame = pd.read_parquet(files)
    code = frame[source.code].astype("string")
    keep = code.str[:2].isin(["NL", "GM", "WK", "BU"])
    frame, code = frame[keep], code[keep]
    prefix = code.str[:2]
    level = prefix.map({"NL": "land", "GM": "gemeente", "WK": "wijk", "BU": "buurt"})
    gemeente = ("GM" + code.str[2:6]).where(prefix != "NL")
    wijk = ("WK" + code.str[2:8]).where(prefix == "BU")
    parts = []
    for definition in definitions.definitions.values():
        ok, _ = source.binds(definition, definitions.bindings[definition.id])
        if not ok:
            continue
        values = evaluate(sqlglot.parse_one(definition.expression, read="duckdb"), frame, source.columns)
        part = pd.DataFrame(
            {
                "indicator": definition.id,
                "regio": code,
                "regionaam": code,
                "niveau": level,
                "gemeente": gemeente,
                "wijk": wijk,
                "periode": np.int32(source.period),
                "waarde": values,
                "bron": source.label,
            }
        )
        parts.append(part[part["niveau"].isin([lv.value for lv in definition.levels])])
    result = pd.concat(parts, ignore_index=True)
    result.to_parquet(dest, index=False)
    return len(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="repeat the 16,667 rows N times")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side (the median is printed)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-indicators-"))
    try:
        with Platform(Settings(home=work / "home", user="bench")) as platform:
            platform.register(demo.contract_path(DATASET))
            platform.ingest(demo.data_path(DATASET), DATASET, recompute=False)
            t0 = time.perf_counter()
            report = platform.indicators.compute(by="bench")
            full = time.perf_counter() - t0
            record = platform.metastore.get_dataset(DATASET)
            source = value_source(record)
            assert source is not None
            ref = platform.catalog.table_ref(DATASET)
            data = pq.read_table(list(ref.files))
            file = work / "source.parquet"
            pq.write_table(pa.concat_tables([data] * args.scale), file)
            definitions = platform.indicators.current_set()
            plan = sql.plan(definitions, [source], [])
            query = sql.build_sql(plan, names=False)
            tables = {source.label: TableRef((str(file),), ref.columns)}
            engine_times, pandas_times = [], []
            for _ in range(args.repeat):
                t = time.perf_counter()
                rows_engine = platform.engine.query_to_parquet(query, tables, work / "engine.parquet")
                engine_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                rows_pandas = pandas_compute(definitions, source, [str(file)], work / "pandas.parquet")
                pandas_times.append(time.perf_counter() - t)
            # the same table? (order aside)
            differ = platform.engine.query(
                "SELECT count(*) FROM (SELECT indicator, regio, periode, round(waarde, 9) FROM e "
                "EXCEPT ALL SELECT indicator, regio, periode, round(waarde, 9) FROM p)",
                {
                    "e": TableRef((str(work / "engine.parquet"),), NEW_COLUMNS),
                    "p": TableRef((str(work / "pandas.parquet"),), NEW_COLUMNS),
                },
            ).rows[0][0]
        e, p = statistics.median(engine_times), statistics.median(pandas_times)
        print(f"source rows: {data.num_rows * args.scale:,} (scale {args.scale}); indicators: {len(plan.indicators)}")
        print(f"values written: engine {rows_engine:,}, pandas {rows_pandas:,}; rows that differ: {differ}")
        print(f"engine SQL (query_to_parquet): {e:8.3f} s  (median of {args.repeat}: {engine_times})")
        print(f"pandas (read, eval, write):     {p:8.3f} s  (median of {args.repeat}: {pandas_times})")
        print(f"speed-up engine over pandas:    {p / e:8.2f} x")
        print(
            f"full compute through the platform at scale 1 (plan, SQL, compare, ingest as a version): {full:.3f} s, "
            f"{report.values:,} values, {report.secret:,} NULL (secret)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
