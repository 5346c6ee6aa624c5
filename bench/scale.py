"""Benchmark: the same indicator definitions and quality rules on DuckDB and on a local Spark, on
the real all-NL KWB 2017 table (16,667 regions) scaled up to millions of rows.

    uv run --frozen --extra spark python bench/scale.py                       # 1 M rows, both engines
    uv run --frozen --extra spark python bench/scale.py --rows 1e6 1e7 3e7    # several sizes
    uv run --frozen python bench/scale.py --rows 1e8 --engines duckdb         # DuckDB alone

Per size, the scaled table is written once (``DIR/kwb2017_<rows>.parquet``, kept for later runs):
the real rows of ``cbs_kwb_2017_nl`` repeated (row i is real row i mod 16,667), all values real,
so every region occurs many times (SYNTHETIC volume, real distributions; it measures speed only).
Then, per engine, in a child process of its own:

- ``indicators``: the platform's indicator SQL (``indicators.compute.build_sql``, without the
  region-name join) through ``engine.query_to_parquet``: every definition that binds to the table,
  for every row, written to one Parquet file;
- ``quality``: the contract's quality rules (unique key, pattern, allowed values, completeness,
  ranges) through ``engine.check_rules``; the repeated key makes ``unique`` fail, so the failing
  path (counting and fetching examples) is measured too.

Printed per size and engine: seconds (wall) of each step, peak memory of the child's whole
process tree (the Python process and, for Spark, its JVM; sampled every 0.1 s with psutil), the
Spark session start separately, and per engine how time grows with size (the exponent b of
time ~ rows^b between consecutive sizes; 1.0 is linear). DuckDB gets ``--duckdb-memory`` (a
memory_limit) and a temp_directory under DIR, so a query larger than memory spills instead of
failing; Spark gets ``--spark-memory`` of driver memory and its local dir under DIR.

How long (2 cores, quiet machine, docs/scaling.md): 1 M rows about 1 minute for both engines;
10 M rows about 5 minutes; 30 M rows about 15 minutes (DuckDB 2, Spark 11); 100 M rows about
7 minutes on DuckDB and 40 on Spark, plus writing the 2.1 GB source file once.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DATASET = "cbs_kwb_2017_nl"


def _rows(text: str) -> int:
    return int(float(text))


def prepare(work: Path) -> tuple[Path, dict]:  # type: ignore[type-arg]
    """A platform home with the real KWB 2017 loaded (once per DIR); its source and rules."""
    from stadsdata import demo
    from stadsdata.indicators.sources import value_source
    from stadsdata.platform import Platform
    from stadsdata.settings import Settings

    home = work / "home"
    with Platform(Settings(home=home, user="bench")) as platform:
        if not platform.metastore.has_dataset(DATASET):
            platform.register(demo.contract_path(DATASET))
            platform.ingest(demo.data_path(DATASET), DATASET, recompute=False)
        record = platform.metastore.get_dataset(DATASET)
        ref = platform.catalog.table_ref(DATASET)
        source = value_source(record)
        assert source is not None
        return home, {"files": list(ref.files), "columns": [[n, k.value] for n, k in ref.columns]}


def scaled_file(work: Path, rows: int, base: dict) -> Path:  # type: ignore[type-arg]
    """The real table repeated to ``rows`` rows, written by DuckDB (kept for later runs)."""
    from stadsdata.core.contract import ColumnType
    from stadsdata.engine import TableRef, create_engine

    file = work / f"kwb2017_{rows}.parquet"
    if file.exists():
        return file
    engine = create_engine("duckdb", memory_limit="2GB")
    ref = TableRef(tuple(base["files"]), tuple((n, ColumnType(k)) for n, k in base["columns"]))
    n = len(engine.query("SELECT * FROM t", {"t": ref}).rows)
    copies = math.ceil(rows / n)
    tmp = file.with_suffix(".tmp.parquet")
    t = time.perf_counter()
    engine.query_to_parquet(
        f"SELECT t.* FROM t CROSS JOIN range({copies}) AS r(i) ORDER BY r.i LIMIT {rows}", {"t": ref}, tmp
    )
    tmp.replace(file)
    print(
        f"  wrote {file.name}: {rows:,} rows, {file.stat().st_size / 2**20:,.0f} MiB in {time.perf_counter() - t:.0f} s"
    )
    return file


def worker(args: argparse.Namespace) -> None:
    """One engine, one size: prints one JSON line of timings."""
    from stadsdata import demo
    from stadsdata.core.contract import load_contract
    from stadsdata.engine import TableRef
    from stadsdata.engine.duckdb_engine import DuckDBEngine
    from stadsdata.engine.spark_engine import SparkEngine
    from stadsdata.engine.spark_session import SparkConfig
    from stadsdata.indicators import compute as sql
    from stadsdata.indicators.sources import value_source
    from stadsdata.platform import Platform
    from stadsdata.settings import Settings

    class SpillingDuckDB(DuckDBEngine):
        """The DuckDB engine with its temp_directory in the work folder: above memory_limit it spills there."""

        def __init__(self, spill: Path, memory_limit: str) -> None:
            super().__init__(memory_limit=memory_limit)
            self.spill = spill

        def _connect(self, *, spatial: bool = False):  # type: ignore[no-untyped-def]
            con = super()._connect(spatial=spatial)
            con.execute(f"SET temp_directory = '{self.spill}'")
            return con

    work = Path(args.dir)
    with Platform(Settings(home=work / "home", user="bench")) as platform:
        source = value_source(platform.metastore.get_dataset(DATASET))
        definitions = platform.indicators.current_set()
        columns = platform.catalog.table_ref(DATASET).columns
    assert source is not None
    rules = load_contract(demo.contract_path(DATASET)).quality
    plan = sql.plan(definitions, [source], [])
    query = sql.build_sql(plan, names=False)
    file = Path(args.file)
    tables = {source.label: TableRef((str(file),), columns)}
    spill = work / f"spill-{args.engine}"
    spill.mkdir(exist_ok=True)
    out: dict[str, object] = {"engine": args.engine, "indicators": len(plan.indicators), "rules": len(rules)}
    t = time.perf_counter()
    if args.engine == "duckdb":
        engine = SpillingDuckDB(spill, memory_limit=args.duckdb_memory)
    else:
        config = SparkConfig(master=args.spark_master, driver_memory=args.spark_memory, local_dir=str(spill))
        engine = SparkEngine(config, DuckDBEngine())
        engine.spark  # noqa: B018  # start the JVM now: timed apart
    out["start_s"] = round(time.perf_counter() - t, 2)
    dest = work / f"out-{args.engine}.parquet"
    t = time.perf_counter()
    out["values"] = engine.query_to_parquet(query, tables, dest)
    out["indicators_s"] = round(time.perf_counter() - t, 2)
    dest.unlink(missing_ok=True)
    t = time.perf_counter()
    results = engine.check_rules(file, rules, {})
    out["quality_s"] = round(time.perf_counter() - t, 2)
    out["failing_rules"] = [r["rule"] for r in results if not r["passed"]]
    print("RESULT " + json.dumps(out), flush=True)


def run_child(args: argparse.Namespace, engine: str, file: Path) -> dict:  # type: ignore[type-arg]
    """A worker for one engine and size; its peak memory is the peak of its whole process tree."""
    import psutil

    cmd = [sys.executable, __file__, "--worker", "--engine", engine, "--file", str(file), "--dir", str(args.dir)]
    cmd += [
        "--duckdb-memory",
        args.duckdb_memory,
        "--spark-memory",
        args.spark_memory,
        "--spark-master",
        args.spark_master,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    line = next((x for x in stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        tail = (stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"engine": engine, "error": f"exit {proc.returncode}: {tail}", "peak_mib": peak / 2**20}
    result = json.loads(line.removeprefix("RESULT "))
    result["peak_mib"] = round(peak / 2**20)
    result["wall_s"] = round(wall, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=_rows, nargs="+", default=[1_000_000], help="sizes, e.g. 1e6 1e7 3e7 1e8")
    parser.add_argument("--engines", default="duckdb,spark", help="comma-separated: duckdb,spark")
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "stadsdata-scale"), help="work folder")
    parser.add_argument("--duckdb-memory", default="2GB", help="DuckDB memory_limit (it spills above it)")
    parser.add_argument("--spark-memory", default="2g", help="driver memory of the local Spark")
    parser.add_argument("--spark-master", default="local[2]", help="the local Spark's master")
    parser.add_argument("--clean", action="store_true", help="delete the work folder afterwards")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    print(f"work folder {work}; engines {', '.join(engines)}; load average {os.getloadavg()[0]:.1f}")
    _, base = prepare(work)
    table: list[dict] = []  # type: ignore[type-arg]
    for rows in sorted(args.rows):
        file = scaled_file(work, rows, base)
        for engine in engines:
            r = run_child(args, engine, file)
            r["rows"] = rows
            table.append(r)
            if "error" in r:
                print(f"{rows:>12,} {engine:<7} FAILED {r['error']} (peak {r['peak_mib']:,.0f} MiB)")
                continue
            print(
                f"{rows:>12,} {engine:<7} indicators {r['indicators_s']:>8.1f} s ({r['values']:,} values)  "
                f"quality {r['quality_s']:>7.1f} s ({r['rules']} rules)  start {r['start_s']:>5.1f} s  "
                f"peak {r['peak_mib']:>6,} MiB  (load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    print("\ngrowth (time ~ rows^b between consecutive sizes; b = 1 is linear):")
    for engine in engines:
        done = [r for r in table if r["engine"] == engine and "error" not in r]
        for a, b in zip(done, done[1:], strict=False):
            ratio = math.log(b["rows"] / a["rows"])
            for step in ("indicators_s", "quality_s"):
                if a[step] > 0 and b[step] > 0:
                    exponent = math.log(b[step] / a[step]) / ratio
                    print(
                        f"  {engine:<7} {step[:-2]:<10} {a['rows']:>12,} -> {b['rows']:>12,} rows: b = {exponent:.2f}"
                    )
    if args.clean:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
