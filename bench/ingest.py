"""Ingest benchmark: a large CSV scaled up from the real CBS KWB 2019 Den Haag file.

    .venv/bin/python bench/ingest.py [--rows N] [--workdir DIR] [--keep] [--profile]

1. Generates (once; reused when it exists with the same row count) a ``;``-separated UTF-8 CSV
   with N rows: the 159 real rows of ``kwb_2019_den_haag.csv`` cycled, the contract's key made
   unique by appending the row number, number columns written with decimal commas, empty CBS
   cells kept empty. All other values are the real ones. DuckDB writes it (seconds, not minutes).
2. In a fresh platform home, registers a copy of the real contract as ``bench_kwb_scaled``
   (titled as a SYNTHETIC scale-up) and times ``Platform.ingest`` on the file.
3. Times a bare DuckDB baseline on the same file: ``COPY (SELECT * FROM read_csv(...)) TO
   parquet`` with the column types the contract implies.
   Each of the two runs is its own child process; its peak RSS comes from the kernel
   (``os.wait4`` rusage of exactly that child; RUSAGE_CHILDREN is printed as a cross-check).
4. Prints a table with PASS/FAIL against the targets (throughput ratio baseline/ingest >= 0.7,
   peak memory < 2 GiB), the seconds per delivery state from the metastore's events, and the
   seconds per pipeline function (timing wrappers installed in the ingest child only; nothing
   under src/ is changed). ``--profile`` also runs the ingest under cProfile.

The data is SYNTHETIC (real values, repeated); it is only ever used to measure speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform as pyplatform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "src" / "stadsdata" / "demo"
REAL_CSV = DEMO / "data" / "kwb_2019_den_haag.csv"
REAL_CONTRACT = DEMO / "contracts" / "cbs_kwb_2019_den_haag.yaml"
DATASET_ID = "bench_kwb_scaled"
TITLE = "SYNTHETIC scale-up of CBS KWB 2019 Den Haag (benchmark)"
GENERATOR_VERSION = 1

RATIO_TARGET = 0.7
MEMORY_TARGET_MIB = 2048  # 2 GiB
DUCKDB_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE"}
MIB = 1024 * 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _contract():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "src"))
    from stadsdata.core.contract import load_contract

    return load_contract(REAL_CONTRACT)


# -- 1. the scaled-up file --------------------------------------------------------------------------
def generate(rows: int, workdir: Path) -> tuple[Path, bool, float]:
    """The CSV with ``rows`` data rows; (path, reused, seconds spent generating)."""
    import duckdb

    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / f"kwb_2019_den_haag_x{rows}.csv"
    meta_path = csv_path.with_suffix(".meta.json")
    if csv_path.is_file() and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        if (
            meta.get("rows") == rows
            and meta.get("bytes") == csv_path.stat().st_size
            and meta.get("generator") == GENERATOR_VERSION
        ):
            print(f"reused existing {csv_path} ({rows:,} rows, {meta['bytes'] / MIB:,.0f} MiB)")
            return csv_path, True, 0.0

    contract = _contract()
    types = {c.name: c.type.value for c in contract.columns}
    key = set(contract.key)
    print(f"generating {csv_path} ({rows:,} rows) ...", flush=True)
    t0 = time.perf_counter()
    tmp = csv_path.with_name(csv_path.name + ".partial")
    con = duckdb.connect()
    try:
        # All columns as text: the real values are written back exactly as CBS delivered them.
        con.execute(
            f"CREATE TABLE src AS SELECT row_number() OVER () - 1 AS __i, * FROM read_csv("
            f"{_sql_str(str(REAL_CSV))}, delim=',', quote='\"', header=true, all_varchar=true, "
            f"nullstr='', auto_detect=false, columns={{"
            + ", ".join(f"{_sql_str(n)}: 'VARCHAR'" for n in _real_header())
            + "})"
        )
        header = [r[0] for r in con.execute("DESCRIBE src").fetchall()][1:]
        n_real = con.execute("SELECT count(*) FROM src").fetchone()[0]
        missing = sorted(set(types) - set(header))
        if missing:
            raise SystemExit(f"real CSV lacks contract columns {missing}")
        select = []
        for name in header:
            col = f"l.{_q(name)}[r.n % {int(n_real)} + 1]"
            if name in key:
                expr = f"{col} || '-' || CAST(r.n + 1 AS VARCHAR)"
            elif types.get(name) == "number":
                expr = f"replace({col}, '.', ',')"
            else:
                expr = col
            select.append(f"{expr} AS {_q(name)}")
        # Each column as one list of its 159 real values; row n takes element n % 159. A projection
        # over range() (crossed with that one-row table) keeps the rows in order without a sort.
        lists = ", ".join(f"list({_q(n)} ORDER BY __i) AS {_q(n)}" for n in header)
        con.execute(f"CREATE TABLE lists AS SELECT {lists} FROM src")
        con.execute(
            f"COPY (SELECT {', '.join(select)} FROM range({int(rows)}) r(n) CROSS JOIN lists l) "
            f"TO {_sql_str(str(tmp))} (FORMAT csv, DELIMITER ';', HEADER true, QUOTE '\"')"
        )
    finally:
        con.close()
    os.replace(tmp, csv_path)
    seconds = time.perf_counter() - t0
    size = csv_path.stat().st_size
    meta_path.write_text(json.dumps({"rows": rows, "bytes": size, "generator": GENERATOR_VERSION}))
    print(f"generated {csv_path} in {seconds:.1f} s ({size / MIB:,.0f} MiB)", flush=True)
    return csv_path, False, seconds


def _real_header() -> list[str]:
    with open(REAL_CSV, encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n").split(",")


def _file_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n").split(";")


def warm_cache(path: Path) -> float:
    """Read the file once so the ingest and the baseline both start with it in the page cache."""
    t0 = time.perf_counter()
    buf = bytearray(1 << 24)
    with open(path, "rb", buffering=0) as handle:
        while handle.readinto(buf):
            pass
    return time.perf_counter() - t0


# -- children ---------------------------------------------------------------------------------------
def run_child(kind: str, args: dict[str, Any], out: Path) -> dict[str, Any]:
    """Run this file as a child doing ``kind``: its result plus the kernel's account of the child."""
    if out.exists():
        out.unlink()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(args), str(out)]
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)  # rusage of exactly this child
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} child failed with exit code {proc.returncode}")
    result = json.loads(out.read_text())
    out.unlink()
    result.update(
        wall=wall,
        peak_rss_mib=usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux
        load=(load_before, os.getloadavg()[0]),
    )
    return result


def bench_contract(contract: Any) -> Any:
    """The real contract, with its CBS code pattern widened to the generated keys (code + "-<row>").

    Every quality rule still runs (the same work as on real data); only the pattern admits the
    suffix that makes the repeated real codes unique, and the reference rule (the generated keys
    are not in the 2017 region table: every row fails it) becomes a warning so that the delivery
    is loaded. The reference table is loaded into the bench home first.
    """
    from stadsdata.core.quality import Pattern, Reference, Severity

    rules = [
        r.model_copy(update={"pattern": r.pattern.rstrip("$") + r"(-\d+)?$"})
        if isinstance(r, Pattern)
        else r.model_copy(update={"severity": Severity.warning})
        if isinstance(r, Reference)
        else r
        for r in contract.quality
    ]
    return contract.model_copy(update={"quality": rules})


def child_ingest(args: dict[str, Any]) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "src"))
    from stadsdata.core.contract import load_contract
    from stadsdata.platform import Platform
    from stadsdata.settings import Settings

    home = Path(args["home"])
    platform = Platform(Settings(home=home, user="bench"))
    contract = bench_contract(load_contract(REAL_CONTRACT).renamed(DATASET_ID, TITLE))
    from stadsdata import demo

    platform.register(demo.contract_path("cbs_kwb_2017_nl"))  # the reference table of a quality rule
    platform.ingest(demo.data_path("cbs_kwb_2017_nl"), "cbs_kwb_2017_nl")
    platform.ingestor.register(contract)
    timings = _install_probes(platform)

    profiler = None
    if args.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
    started_wall = dt.datetime.now(dt.UTC).isoformat()
    cpu0 = _cpu()
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    result = platform.ingest(Path(args["csv"]), DATASET_ID)
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    profile_text = None
    if profiler:
        import io
        import pstats

        prof_path = Path(args["workdir"]) / f"ingest_{args['rows']}.prof"
        profiler.dump_stats(prof_path)
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(30)
        profile_text = f"(full profile: {prof_path})\n" + buf.getvalue()
    platform.close()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "started": started_wall,
        "delivery_id": result.delivery_id,
        "rows": result.row_count,
        "version": result.version,
        "details": result.details,
        "timings": timings,
        "self_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "engine_threads": platform.settings.engine_threads,
        "engine_memory_limit": platform.settings.engine_memory_limit,
        "profile": profile_text,
    }


def _install_probes(platform: Any) -> list[list[Any]]:
    """Wrap the pipeline's functions with timers (in this child process only)."""
    from stadsdata.ingest import csv_dialect, pipeline, receiving

    timings: list[list[Any]] = []

    def timed(label: str, fn: Any) -> Any:
        def wrapper(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                timings.append([label, time.perf_counter() - t0])

        return wrapper

    receiver = receiving.Receiver
    receiver._copy = timed("receive, in a background thread: copy + sha256 + UTF-8 check + fsync", receiver._copy)
    receiver.result = timed("waiting for the receive thread (Receiver.result)", receiver.result)
    pipeline.detect_format = timed("detect_format", pipeline.detect_format)
    csv_dialect.head_encoding = timed("csv_dialect.head_encoding (first 256 KiB)", csv_dialect.head_encoding)
    csv_dialect.full_encoding = timed("csv_dialect.full_encoding", csv_dialect.full_encoding)
    csv_dialect.transcode = timed("csv_dialect.transcode", csv_dialect.transcode)
    csv_dialect.detect_dialect = timed("csv_dialect.detect_dialect", csv_dialect.detect_dialect)
    pipeline.plan_columns = timed("plan_columns", pipeline.plan_columns)
    engine = platform.engine
    engine.stage_csv = timed("engine.stage_csv (read_csv -> Parquet zstd)", engine.stage_csv)
    engine.first_null = timed("engine.first_null", engine.first_null)
    engine.first_duplicate_key = timed("engine.first_duplicate_key", engine.first_duplicate_key)
    engine.check_rules = timed("engine.check_rules (the contract's quality rules)", engine.check_rules)
    engine.profile = timed("engine.profile (the version's column profile)", engine.profile)
    platform.tables.commit = timed("tables.commit (Delta log)", platform.tables.commit)
    pipeline.finish_load = timed("finish_load (contract + metastore version)", pipeline.finish_load)
    ms = platform.metastore
    ms.add_delivery = timed("metastore writes", ms.add_delivery)
    ms.set_delivery_state = timed("metastore writes", ms.set_delivery_state)
    return timings


def child_baseline(args: dict[str, Any]) -> dict[str, Any]:
    import duckdb

    contract = _contract()
    types = {c.name: DUCKDB_TYPES.get(c.type.value, "VARCHAR") for c in contract.columns}
    header = _file_header(Path(args["csv"]))
    columns = "{" + ", ".join(f"{_sql_str(n)}: {_sql_str(types.get(n, 'VARCHAR'))}" for n in header) + "}"
    out = Path(args["out"])
    if out.exists():
        out.unlink()
    sql = (
        f"COPY (SELECT * FROM read_csv({_sql_str(args['csv'])}, delim=';', decimal_separator=',', "
        f"header=true, columns={columns})) TO {_sql_str(str(out))} (FORMAT parquet)"
    )
    con = duckdb.connect()
    cpu0 = _cpu()
    t0 = time.perf_counter()
    rows = con.execute(sql).fetchone()[0]
    seconds = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    settings = dict(
        con.execute("SELECT name, value FROM duckdb_settings() WHERE name IN ('threads', 'memory_limit')").fetchall()
    )
    con.close()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rows": int(rows),
        "parquet_bytes": out.stat().st_size,
        "self_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "settings": settings,
    }


# -- reporting --------------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    import deltalake
    import duckdb
    import pyarrow

    mem_kib = 0
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(ln.split(":", 1)[1].strip() for ln in handle if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": cpu,
        "ram": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "python": pyplatform.python_version(),
        "duckdb": duckdb.__version__,
        "deltalake": deltalake.__version__,
        "pyarrow": pyarrow.__version__,
    }


def stage_seconds(home: Path, delivery_id: int) -> list[tuple[str, str, float, str | None]]:
    """(state, next state, seconds between their events, time of the first event) from the metastore."""
    sys.path.insert(0, str(ROOT / "src"))
    from stadsdata.platform import Platform
    from stadsdata.settings import Settings

    with Platform(Settings(home=home, user="bench")) as platform:
        events = platform.metastore.get_delivery(delivery_id).events
    out = []
    for i, (before, after) in enumerate(zip(events, events[1:], strict=False)):
        first = before.at.isoformat() if i == 0 else None
        out.append((before.state, after.state, (after.at - before.at).total_seconds(), first))
    return out


def _fmt_rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(
    rows: int,
    csv_path: Path,
    ingests: list[dict[str, Any]],
    bases: list[dict[str, Any]],
    children_rss: float,
    info: dict[str, str],
) -> bool:
    """Print the table; the best (fastest) run of each side counts, memory is the worst run's."""
    ingest = min(ingests, key=lambda r: r["seconds"])
    base = min(bases, key=lambda r: r["seconds"])
    ingest_rss = max(r["peak_rss_mib"] for r in ingests)
    base_rss = max(r["peak_rss_mib"] for r in bases)
    size_mib = csv_path.stat().st_size / MIB
    ratio = base["seconds"] / ingest["seconds"]
    ratio_ok = ratio >= RATIO_TARGET
    mem_ok = ingest_rss < MEMORY_TARGET_MIB
    runs = f"best of {len(ingests)}" if len(ingests) > 1 else "one run"
    print()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print(
        f"ingest engine: threads={ingest['engine_threads'] or 'all'}, "
        f"memory_limit={ingest['engine_memory_limit']}; baseline DuckDB defaults: "
        f"threads={base['settings'].get('threads')}, memory_limit={base['settings'].get('memory_limit')}"
    )
    loads = [x for r in ingests + bases for x in r["load"]]
    print(
        f"1-min load average around the runs: {min(loads):.1f} .. {max(loads):.1f} "
        f"(on {info['nproc']} CPUs; other work on the machine inflates wall times, CPU seconds less so)"
    )
    print()
    lines = [
        ("rows", f"{rows:,}", ""),
        ("file size", f"{size_mib:,.1f} MiB", str(csv_path)),
        (
            "ingest seconds",
            f"{ingest['seconds']:.2f}",
            f"Platform.ingest call ({runs}); child process {ingest['wall']:.2f} s",
        ),
        ("ingest rows/s", _fmt_rate(rows, ingest["seconds"]), f"{size_mib / ingest['seconds']:,.1f} MiB/s"),
        ("ingest CPU seconds", f"{ingest['cpu_seconds']:.2f}", "user+sys of the ingest call, all threads"),
        ("ingest peak RSS", f"{ingest_rss:,.0f} MiB", f"target < {MEMORY_TARGET_MIB} MiB: {_pass(mem_ok)}"),
        (
            "baseline seconds",
            f"{base['seconds']:.2f}",
            f"bare DuckDB read_csv -> COPY parquet ({runs}); child process {base['wall']:.2f} s",
        ),
        ("baseline rows/s", _fmt_rate(base["rows"], base["seconds"]), f"{size_mib / base['seconds']:,.1f} MiB/s"),
        ("baseline CPU seconds", f"{base['cpu_seconds']:.2f}", ""),
        ("baseline peak RSS", f"{base_rss:,.0f} MiB", ""),
        ("ratio base/ingest", f"{ratio:.3f}", f"target >= {RATIO_TARGET}: {_pass(ratio_ok)}"),
        ("CPU ratio base/ingest", f"{base['cpu_seconds'] / ingest['cpu_seconds']:.3f}", "(information)"),
    ]
    width = max(len(a) for a, _, _ in lines)
    vwidth = max(len(b) for _, b, _ in lines)
    print("-" * 90)
    for a, b, c in lines:
        print(f"{a:<{width}}  {b:>{vwidth}}  {c}")
    print("-" * 90)
    if len(ingests) > 1:
        print(
            "all runs (s): ingest "
            + ", ".join(f"{r['seconds']:.1f}" for r in ingests)
            + "; baseline "
            + ", ".join(f"{r['seconds']:.1f}" for r in bases)
        )
    print(
        f"(peak RSS per child from os.wait4; RUSAGE_CHILDREN max over all children: {children_rss:,.0f} MiB; "
        f"self-reported: ingest {max(r['self_maxrss_mib'] for r in ingests):,.0f}, "
        f"baseline {max(r['self_maxrss_mib'] for r in bases):,.0f} MiB)"
    )
    for r in ingests + bases:
        if r["rows"] != rows:
            print(f"WARNING: a run counted {r['rows']:,} rows; the file has {rows:,}")

    print(f"\nseconds per delivery state (metastore events of the fastest ingest, delivery {ingest['delivery_id']}):")
    started = dt.datetime.fromisoformat(ingest["started"])
    stages = ingest["stages"]
    total = 0.0
    if stages:
        first_at = dt.datetime.fromisoformat(stages[0][3])
        first_at = first_at if first_at.tzinfo else first_at.replace(tzinfo=dt.UTC)
        lead = (first_at - started).total_seconds()
        total += lead
        print(
            f"  {'(call)':>10} -> {'receiving':<10} {lead:8.2f} s  {100 * lead / ingest['seconds']:5.1f} %"
            "  (lock, contract, add_delivery)"
        )
    for before, after, seconds, _ in stages:
        total += seconds
        print(f"  {before:>10} -> {after:<10} {seconds:8.2f} s  {100 * seconds / ingest['seconds']:5.1f} %")
    print(f"  {'(sum)':>24} {total:8.2f} s of {ingest['seconds']:.2f} s ingest")

    print("\nseconds per pipeline function (timing wrappers in the ingest child):")
    agg: dict[str, list[float]] = {}
    for label, seconds in ingest["timings"]:
        agg.setdefault(label, []).append(seconds)
    for label, values in sorted(agg.items(), key=lambda kv: -sum(kv[1])):
        calls = f" ({len(values)} calls)" if len(values) > 1 else ""
        share = 100 * sum(values) / ingest["seconds"]
        print(f"  {sum(values):8.2f} s  {share:5.1f} %  {label}{calls}")
    if ingest.get("profile"):
        print("\ncProfile of Platform.ingest (cumulative):")
        print(ingest["profile"].rstrip())
    print(f"\nRESULT: ratio {ratio:.3f} {_pass(ratio_ok)}, peak memory {ingest_rss:,.0f} MiB {_pass(mem_ok)}")
    return ratio_ok and mem_ok


# -- main -------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="data rows to generate (default 10,000,000)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/stadsdata-bench"),
        help="where the generated CSV, the platform home and the baseline output go",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the platform home and the baseline Parquet (the CSV is always kept)"
    )
    parser.add_argument("--profile", action="store_true", help="also run the ingest under cProfile")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run ingest and baseline alternately this many times; the fastest of each counts",
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "ARGS", "OUT"), help=argparse.SUPPRESS)
    ns = parser.parse_args(argv)

    if ns.child:
        kind, args, out = ns.child
        result = {"ingest": child_ingest, "baseline": child_baseline}[kind](json.loads(args))
        Path(out).write_text(json.dumps(result, default=str))
        return 0

    if ns.rows < 1:
        parser.error("--rows must be at least 1")
    if ns.repeat < 1:
        parser.error("--repeat must be at least 1")
    workdir = ns.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    info = machine()
    csv_path, _, _ = generate(ns.rows, workdir)
    print(f"page cache warm-up read: {warm_cache(csv_path):.1f} s", flush=True)

    parquet = workdir / f"baseline-{ns.rows}.parquet"
    ingests: list[dict[str, Any]] = []
    bases: list[dict[str, Any]] = []
    homes: list[Path] = []
    try:
        for i in range(ns.repeat):
            home = workdir / f"home-{ns.rows}-{i}"
            shutil.rmtree(home, ignore_errors=True)
            homes.append(home)
            label = f" {i + 1}/{ns.repeat}" if ns.repeat > 1 else ""
            print(f"ingest{label} (child process) ...", flush=True)
            run = run_child(
                "ingest",
                {
                    "home": str(home),
                    "csv": str(csv_path),
                    "workdir": str(workdir),
                    "rows": ns.rows,
                    "profile": ns.profile,
                },
                workdir / "ingest-result.json",
            )
            run["stages"] = stage_seconds(home, run["delivery_id"])
            print(f"  {run['seconds']:.2f} s, peak RSS {run['peak_rss_mib']:,.0f} MiB", flush=True)
            ingests.append(run)
            if not ns.keep:  # the landing copy and the table take disk space; keep only with --keep
                shutil.rmtree(home, ignore_errors=True)
            print(f"baseline{label} (child process) ...", flush=True)
            run = run_child("baseline", {"csv": str(csv_path), "out": str(parquet)}, workdir / "baseline-result.json")
            print(f"  {run['seconds']:.2f} s, peak RSS {run['peak_rss_mib']:,.0f} MiB", flush=True)
            bases.append(run)
        children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        ok = report(ns.rows, csv_path, ingests, bases, children_rss, info)
    finally:
        if not ns.keep:
            for home in homes:
                shutil.rmtree(home, ignore_errors=True)
            parquet.unlink(missing_ok=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
