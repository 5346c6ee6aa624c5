"""API benchmark: the same scaled-up KWB table served by Stadsdata and by Datasette, side by side.

    .venv/bin/python bench/api.py [--rows N] [--workdir DIR] [--duration S] [--concurrency C]
                                  [--sqlite-indexes columns|composite] [--rebuild] [--prepare]

1. Data: the SYNTHETIC N-row CSV of ``bench/ingest.py`` (its generator, reused when it exists).
   Stadsdata: a platform home where that file is ingested as ``bench_kwb_scaled`` (a copy of the
   real contract, classification openbaar, title marked SYNTHETIC) by ``bench/ingest.py``'s
   ingest child. Datasette: the same rows, read with the contract's types by DuckDB, inserted into
   SQLite (INTEGER, REAL, TEXT; the contract key as PRIMARY KEY) with an index on each filtered
   column (``--sqlite-indexes composite`` adds one on both) and ANALYZE, as a Datasette user would
   publish it. Both are built once per row count under the workdir and reused (``--rebuild``
   rebuilds them; ``--prepare`` only builds them); the build times are printed, not compared.
2. Datasette comes from PyPI into the benchmark's own venv (``uv venv`` + ``uv pip install``,
   cached under the workdir), never into the project's lock.
3. Both servers run as child processes on loopback at the same time: ``stadsdata --home H serve``
   (the console script of this venv, i.e. what ``uv run stadsdata`` starts) and ``datasette serve
   -i db.sqlite`` (immutable, suggested facets off, 600 s SQL time limit, unlimited CSV size).
4. Before timing, one filter is asked of both sides: the totals, the counts and the first page must
   be identical (printed). Then, per scenario and side, a load generator in this process (threads,
   one keep-alive ``http.client`` connection each, no gzip) sends requests for ``--duration``
   seconds at ``--concurrency``; every request has a filter not asked before (real classes,
   thresholds over the range of the real counts; the same sequence for both sides):
   (a) a filtered page of 100 rows with its total, (b) a filtered count, (c) a full CSV export of
   every row (one at a time; at least one per side). The server's peak RSS during (c) is read
   from the kernel (VmHWM after resetting it through /proc/PID/clear_refs, and sampled VmRSS).
5. Prints requests/s and p50/p95 latency per side, the ratios and PASS/FAIL against the targets:
   Stadsdata >= 2x Datasette's requests/s on (a) and (b), a faster full export (c), and a peak RSS
   during the export under 2 GiB (the CSV is 4.5 GiB at 10M rows: only streaming stays under it).

The data is SYNTHETIC (real values, repeated); it is only ever used to measure speed.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import itertools
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest as kwb  # noqa: E402  (bench/ingest.py: the generator, the contract, machine info, ingest child)

DATASET_ID = kwb.DATASET_ID
DATASETTE_SPEC = "datasette==0.65.5"
CODE_COLUMN = "MateVanStedelijkheid_115"  # CBS urbanisation class, a code stored as text ('1'..'4' here)
RANGE_COLUMN = "AantalInwoners_5"  # inhabitants, integer
PAGE_SIZE = 100
SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL"}
SQLITE_BUILD_VERSION = 1
# The indexes on the SQLite table besides its primary key: one per filtered column (what
# `sqlite-utils create-index` users add column by column), or also a composite one that covers the
# filtered count (``--sqlite-indexes composite``).
INDEXES = {
    "columns": [(CODE_COLUMN,), (RANGE_COLUMN,)],
    "composite": [(CODE_COLUMN,), (RANGE_COLUMN,), (CODE_COLUMN, RANGE_COLUMN)],
}
HOME_BUILD_VERSION = 1

RATE_TARGET = 2.0  # Stadsdata requests/s >= 2x Datasette's on (a) and (b)
EXPORT_TARGET = 1.0  # Datasette export seconds / Stadsdata export seconds > 1
MEMORY_TARGET_MIB = 2048  # server peak RSS during the full export
MIB = 1024 * 1024

# The Stadsdata rows API (docs/api.md). A filtered count is `limit=0`: only the "total", no rows.
STADSDATA_ROWS = f"/api/v1/datasets/{DATASET_ID}/rows"
STADSDATA_COUNT_PARAMS = {"limit": "0"}


# -- the queries ------------------------------------------------------------------------------------
Query = tuple[str, int]  # (urbanisation class, inhabitants greater than)


def real_values() -> tuple[list[str], list[int]]:
    """The distinct real urbanisation classes and inhabitant counts of the 158 real wijk and buurt rows
    (the gemeente row's 537,833 inhabitants would make most thresholds match almost nothing)."""
    with open(kwb.REAL_CSV, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["SoortRegio_2"] != "Gemeente"]
    codes = sorted({r[CODE_COLUMN] for r in rows if r[CODE_COLUMN]})
    counts = sorted({int(r[RANGE_COLUMN]) for r in rows if r[RANGE_COLUMN]})
    return codes, counts


def query_pool(seed: int = 2019) -> list[Query]:
    """Every (real class, threshold from 0 to the upper quartile of the real counts) pair, shuffled.

    The thresholds stop at the upper quartile so that the results vary from most of the table to
    a few rows (over all pairs: median 4 %, mean 15 % of the rows) rather than being mostly empty.

    No filter repeats within a run (until the pool is used up, which the report notes), so a
    server's cache of results or totals per filter does not answer for it: each request is work.
    """
    codes, counts = real_values()
    pool = [(code, threshold) for code in codes for threshold in range(upper_quartile(counts) + 1)]
    random.Random(seed).shuffle(pool)
    return pool


def upper_quartile(values: list[int]) -> int:
    return sorted(values)[int(len(values) * 0.75)]


def check_query() -> Query:
    """The most common class and the median inhabitant count: about 40 % of the rows match."""
    codes, counts = real_values()
    return codes[0], counts[len(counts) // 2]


# -- the two servers --------------------------------------------------------------------------------
@dataclass
class Side:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path
    version: str = "?"
    available: bool = True
    unavailable_reason: str = ""

    def page_path(self, q: Query) -> str:
        raise NotImplementedError

    def count_path(self, q: Query) -> str:
        raise NotImplementedError

    def export_path(self) -> str:
        raise NotImplementedError

    def page_of(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], int | None]:
        raise NotImplementedError

    def count_of(self, body: Any) -> int | None:
        raise NotImplementedError

    def lacks_total(self, body: bytes) -> bool:
        """A page whose total is null (cheap byte search; the bodies are not parsed under load)."""
        return False


class Stadsdata(Side):
    def _filters(self, q: Query) -> dict[str, str]:
        return {CODE_COLUMN: q[0], f"{RANGE_COLUMN}__gt": str(q[1])}

    def page_path(self, q: Query) -> str:
        return f"{STADSDATA_ROWS}?{urlencode({'limit': str(PAGE_SIZE), **self._filters(q)})}"

    def count_path(self, q: Query) -> str:
        return f"{STADSDATA_ROWS}?{urlencode({**STADSDATA_COUNT_PARAMS, **self._filters(q)})}"

    def export_path(self) -> str:
        return f"{STADSDATA_ROWS}?format=csv"

    def page_of(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], int | None]:
        return body["rows"], body.get("total")

    def count_of(self, body: Any) -> int | None:
        return body.get("total")

    def lacks_total(self, body: bytes) -> bool:
        return b'"total":null' in body or b'"total": null' in body


class Datasette(Side):
    """Datasette's table API for pages (rows and ``filtered_table_rows_count``) and its streamed
    CSV; a filtered count through its SQL API with named parameters, which is faster than the table
    API with ``_size=0`` (that one also runs the page query, sorted by the key, for one row)."""

    db_name: str = ""

    def _table(self, ext: str) -> str:
        return f"/{quote(self.db_name)}/{quote(DATASET_ID)}.{ext}"

    def _filters(self, q: Query) -> dict[str, str]:
        return {CODE_COLUMN: q[0], f"{RANGE_COLUMN}__gt": str(q[1])}

    def page_path(self, q: Query) -> str:
        return f"{self._table('json')}?{urlencode({**self._filters(q), '_size': str(PAGE_SIZE), '_shape': 'objects'})}"

    def count_path(self, q: Query) -> str:
        sql = (
            f"select count(*) as n from {kwb._q(DATASET_ID)} "
            f"where {kwb._q(CODE_COLUMN)} = :code and {kwb._q(RANGE_COLUMN)} > :threshold"
        )
        params = {"sql": sql, "code": q[0], "threshold": str(q[1]), "_shape": "array"}
        return f"/{quote(self.db_name)}.json?{urlencode(params)}"

    def export_path(self) -> str:
        return f"{self._table('csv')}?_stream=on&_size=max"

    def page_of(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], int | None]:
        return body["rows"], body.get("filtered_table_rows_count")

    def count_of(self, body: Any) -> int | None:
        return body[0]["n"]

    def lacks_total(self, body: bytes) -> bool:
        return b'"filtered_table_rows_count": null' in body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 600) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_ready(side: Side, path: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if side.proc.poll() is not None:
            raise SystemExit(f"{side.name} server exited with {side.proc.returncode}; log:\n{_tail(side.log)}")
        try:
            status, _ = get(side.port, path, timeout=5)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{side.name} server not ready after {timeout:.0f} s; log:\n{_tail(side.log)}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start_stadsdata(home: Path, workdir: Path) -> Stadsdata:
    script = Path(sys.executable).with_name("stadsdata")  # the same as `uv run stadsdata`, without the uv parent
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "stadsdata.cli.main"]
    port = free_port()
    log = workdir / "api-stadsdata-server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [*cmd, "--home", str(home), "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    side = Stadsdata("Stadsdata", port, proc, log)
    wait_ready(side, "/api/v1/openapi.json")
    status, body = get(port, "/api/v1/openapi.json")
    side.version = json.loads(body).get("info", {}).get("version", "?")
    return side


def wait_serving_copy(home: Path, timeout: float = 1800) -> tuple[float, str]:
    """Wait until the server has built its sorted serving copy of the table (docs/api.md, "How it
    is served": built in the background when the server starts, for tables of 50,000 rows and more;
    until then the Parquet files answer, slower, while the build takes the CPU). A one-off per
    version, like the SQLite build: not part of the comparison. (seconds waited, what happened)"""
    serving = home / "serving"
    t0 = time.monotonic()
    time.sleep(2)  # let a server that starts a build create its .partial file first
    while time.monotonic() - t0 < timeout:
        partial = list(serving.glob("*.partial")) if serving.is_dir() else []
        ready = list(serving.glob("*.duckdb")) if serving.is_dir() else []
        if ready and not partial:
            return time.monotonic() - t0, f"serving copy {ready[0].name} ready"
        if not ready and not partial and time.monotonic() - t0 > 15:
            return time.monotonic() - t0, "no serving copy was started (a small table?)"
        time.sleep(0.5)
    raise SystemExit(f"the Stadsdata serving copy in {serving} was not ready after {timeout:.0f} s")


def start_datasette(venv: Path, db: Path, workdir: Path) -> Datasette:
    port = free_port()
    log = workdir / "api-datasette-server.log"
    settings = {
        "sql_time_limit_ms": "600000",  # counts over 10M rows take tens of seconds in SQLite; an
        # interrupted count would leave a page without its total (and count as an error here)
        "max_returned_rows": "1000",
        "max_csv_mb": "0",  # no 100 MB cap on the CSV export
        "allow_csv_stream": "on",
        "suggest_facets": "off",  # do not spend time on facet suggestions in each table request
    }
    args = [x for k, v in settings.items() for x in ("--setting", k, v)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(venv / "bin" / "datasette"), "serve", "-i", str(db), "-h", "127.0.0.1", "-p", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    side = Datasette("Datasette", port, proc, log)
    side.db_name = db.stem
    wait_ready(side, "/-/versions.json")
    _, body = get(port, "/-/versions.json")
    versions = json.loads(body)
    side.version = f"{versions['datasette']['version']} (SQLite {versions['sqlite']['version']})"
    return side


def stop(side: Side) -> float:
    """Stop the server; its lifetime peak RSS in MiB from the kernel (os.wait4)."""
    if side.proc.poll() is None:
        side.proc.send_signal(2)  # SIGINT: uvicorn and Datasette shut down cleanly
    try:
        _, _, usage = _wait4(side.proc, 30)
    except TimeoutError:
        side.proc.kill()
        _, _, usage = _wait4(side.proc, 30)
    return usage.ru_maxrss / 1024 if usage else 0.0


def _wait4(proc: subprocess.Popen[bytes], timeout: float) -> tuple[int, int, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return pid, status, usage
        time.sleep(0.1)
    raise TimeoutError(proc.pid)


# -- building both sides' data ----------------------------------------------------------------------
def datasette_venv(workdir: Path) -> Path:
    """A venv with Datasette from PyPI, created once under the workdir (not the project's lock)."""
    venv = workdir / "datasette-venv"
    marker = venv / "installed.txt"
    if marker.is_file() and marker.read_text().strip() == DATASETTE_SPEC:
        return venv
    uv = shutil.which("uv")
    if not uv:
        raise SystemExit("uv is needed to create the Datasette venv (https://docs.astral.sh/uv/)")
    print(f"installing {DATASETTE_SPEC} into {venv} ...", flush=True)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([uv, "pip", "install", "--quiet", "--python", python, DATASETTE_SPEC], check=True)
    marker.write_text(DATASETTE_SPEC + "\n")
    return venv


def stadsdata_home(csv_path: Path, rows: int, workdir: Path, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The platform home with the file ingested, built once per row count by bench/ingest.py's child."""
    home = workdir / f"api-home-{rows}"
    meta_path = workdir / f"api-home-{rows}.json"
    if not rebuild and home.is_dir() and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        if meta.get("rows") == rows and meta.get("version") == HOME_BUILD_VERSION:
            return home, {**meta, "reused": True}
    shutil.rmtree(home, ignore_errors=True)
    meta_path.unlink(missing_ok=True)
    print(f"ingesting {csv_path.name} into a Stadsdata home {home} (child process) ...", flush=True)
    run = kwb.run_child(
        "ingest",
        {"home": str(home), "csv": str(csv_path), "workdir": str(workdir), "rows": rows, "profile": False},
        workdir / "api-ingest-result.json",
    )
    if run["rows"] != rows:
        raise SystemExit(f"the ingest loaded {run['rows']:,} rows; the file has {rows:,}")
    meta = {"rows": rows, "version": HOME_BUILD_VERSION, "seconds": run["seconds"], "peak_rss_mib": run["peak_rss_mib"]}
    meta_path.write_text(json.dumps(meta))
    return home, {**meta, "reused": False}


def sqlite_db(csv_path: Path, rows: int, workdir: Path, rebuild: bool, indexes: str) -> tuple[Path, dict[str, Any]]:
    """The SQLite database Datasette serves, built once per row count and index set by a child process."""
    db = workdir / f"kwb_x{rows}_{indexes}.sqlite"
    meta_path = db.with_suffix(".meta.json")
    if not rebuild and db.is_file() and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        if meta.get("rows") == rows and meta.get("version") == SQLITE_BUILD_VERSION:
            return db, {**meta, "reused": True}
    meta_path.unlink(missing_ok=True)
    print(f"loading {csv_path.name} into SQLite {db} (child process) ...", flush=True)
    args = {"csv": str(csv_path), "db": str(db), "indexes": indexes}
    run = run_child("sqlite", args, workdir / "api-sqlite-result.json")
    if run["rows"] != rows:
        raise SystemExit(f"SQLite holds {run['rows']:,} rows; the file has {rows:,}")
    meta = {"version": SQLITE_BUILD_VERSION, **run, "bytes": db.stat().st_size}
    meta_path.write_text(json.dumps(meta))
    return db, {**meta, "reused": False}


def run_child(kind: str, args: dict[str, Any], out: Path) -> dict[str, Any]:
    """Run this file as a child doing ``kind``; its result plus its peak RSS from os.wait4."""
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, json.dumps(args), str(out)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{kind} child failed with exit code {os.waitstatus_to_exitcode(status)}")
    result = json.loads(out.read_text())
    out.unlink()
    return {**result, "wall": time.perf_counter() - t0, "peak_rss_mib": usage.ru_maxrss / 1024}


def child_sqlite(args: dict[str, Any]) -> dict[str, Any]:
    """DuckDB reads the CSV with the contract's types; executemany inserts it into SQLite."""
    import sqlite3

    import duckdb

    csv_path, db = Path(args["csv"]), Path(args["db"])
    contract = kwb._contract()
    types = {c.name: c.type.value for c in contract.columns}
    header = kwb._file_header(csv_path)
    key = list(contract.key)
    duck_cols = "{" + ", ".join(
        f"{kwb._sql_str(n)}: {kwb._sql_str(kwb.DUCKDB_TYPES.get(types.get(n, 'string'), 'VARCHAR'))}" for n in header
    )
    duck_cols += "}"
    tmp = db.with_name(db.name + ".partial")
    tmp.unlink(missing_ok=True)
    sq = sqlite3.connect(tmp, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "locking_mode=EXCLUSIVE", "cache_size=-1048576"):
        sq.execute(f"PRAGMA {pragma}")
    columns = [f"{kwb._q(n)} {SQLITE_TYPES.get(types.get(n, 'string'), 'TEXT')}" for n in header]
    columns.append(f"PRIMARY KEY ({', '.join(kwb._q(k) for k in key)})")
    sq.execute(f"CREATE TABLE {kwb._q(DATASET_ID)} ({', '.join(columns)})")
    insert = f"INSERT INTO {kwb._q(DATASET_ID)} VALUES ({', '.join('?' * len(header))})"

    t0 = time.perf_counter()
    con = duckdb.connect()
    reader = con.execute(
        f"SELECT * FROM read_csv({kwb._sql_str(str(csv_path))}, delim=';', decimal_separator=',', "
        f"header=true, columns={duck_cols})"
    ).to_arrow_reader(50_000)
    n = 0
    sq.execute("BEGIN")
    for batch in reader:
        sq.executemany(insert, zip(*(col.to_pylist() for col in batch.columns), strict=True))
        n += batch.num_rows
    sq.execute("COMMIT")
    con.close()
    insert_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    for columns in INDEXES[args["indexes"]]:
        index = kwb._q(f"idx_{DATASET_ID}_{'_'.join(columns)}")
        sq.execute(f"CREATE INDEX {index} ON {kwb._q(DATASET_ID)} ({', '.join(kwb._q(c) for c in columns)})")
    index_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    sq.execute("ANALYZE")
    analyze_s = time.perf_counter() - t2
    sq.close()
    os.replace(tmp, db)
    return {
        "rows": n,
        "seconds": time.perf_counter() - t0,
        "insert_seconds": insert_s,
        "index_seconds": index_s,
        "analyze_seconds": analyze_s,
        "indexes": INDEXES[args["indexes"]],
        "sqlite": sqlite3.sqlite_version,
    }


def warm(paths: list[Path]) -> float:
    """Read the files once, so both servers start with their data in the page cache."""
    t0 = time.perf_counter()
    for path in paths:
        kwb.warm_cache(path)
    return time.perf_counter() - t0


def table_files(home: Path) -> list[Path]:
    """The home's files except the landing copies of deliveries (only the served table matters)."""
    return [p for p in home.rglob("*") if p.is_file() and "landing" not in p.relative_to(home).parts]


# -- the check --------------------------------------------------------------------------------------
def check(sides: list[Side], q: Query) -> bool:
    """Ask both sides one filter; the totals, counts and first pages must be identical."""
    desc = f"{CODE_COLUMN}={q[0]} and {RANGE_COLUMN} > {q[1]}"
    pages: dict[str, tuple[list[dict[str, Any]], int | None, int | None]] = {}
    for side in sides:
        t0 = time.perf_counter()
        status, body = get(side.port, side.page_path(q))
        first_request = time.perf_counter() - t0  # includes whatever a server prepares on first use
        if status != 200:
            side.available = False
            side.unavailable_reason = f"{status} on GET {side.page_path(q)}: {body[:300].decode(errors='replace')}"
            print(f"check: {side.name} answers {side.unavailable_reason}")
            continue
        rows, total = side.page_of(json.loads(body))
        status, body = get(side.port, side.count_path(q))
        count = side.count_of(json.loads(body)) if status == 200 else None
        pages[side.name] = (rows, total, count)
        first = rows[0].get(kwb_key()) if rows else None
        print(
            f"check: {side.name:<9} {desc}: total {total}, count {count}, first page {len(rows)} rows from {first} "
            f"(this first request: {first_request * 1000:,.0f} ms)"
        )
    if len(pages) < 2:
        return False
    (a_rows, a_total, a_count), (b_rows, b_total, b_count) = pages.values()
    ok = a_total == b_total == a_count == b_count and a_total is not None
    if not ok:
        print(f"check FAILED: totals and counts differ: {[v[1:] for v in pages.values()]}")
    common = set(a_rows[0]) & set(b_rows[0]) if a_rows and b_rows else set()
    only = (set(a_rows[0]) ^ set(b_rows[0])) if a_rows and b_rows else set()
    if only:
        print(f"check: fields on one side only (ignored): {sorted(only)}")
    same = len(a_rows) == len(b_rows) and all(
        {k: r[k] for k in common} == {k: s[k] for k in common} for r, s in zip(a_rows, b_rows, strict=False)
    )
    if not same:
        ok = False
        for i, (r, s) in enumerate(zip(a_rows, b_rows, strict=False)):
            diff = {k: (r[k], s[k]) for k in common if r[k] != s[k]}
            if diff:
                print(f"check FAILED: first pages differ at row {i}: {dict(list(diff.items())[:5])}")
                break
        else:
            print(f"check FAILED: first pages have {len(a_rows)} and {len(b_rows)} rows")
    else:
        print(f"check: first pages identical ({len(a_rows)} rows x {len(common)} columns)")
    return ok


def kwb_key() -> str:
    return kwb._contract().key[0]


# -- the load generator -----------------------------------------------------------------------------
@dataclass
class Run:
    side: str
    scenario: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    seconds: float = 0.0
    nbytes: int = 0
    client_cpu: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)
    lines: list[int] = field(default_factory=list)  # (c): CSV lines per export
    header: list[str] = field(default_factory=list)
    rss_before_mib: float = 0.0
    rss_peak_mib: float = 0.0
    rss_samples: list[float] = field(default_factory=list)

    repeated: bool = False  # (a), (b): the run used up its filters and asked some twice

    @property
    def sent(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def hammer(side: Side, scenario: str, paths: list[str], duration: float, concurrency: int) -> Run:
    """``concurrency`` threads, each with one keep-alive connection, send ``paths`` for ``duration`` s."""
    run = Run(side.name, scenario)
    source = itertools.cycle(paths)
    lock = threading.Lock()
    deadline = time.perf_counter() + duration

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", side.port, timeout=600)
        latencies, errors, nbytes, first_error = [], 0, 0, ""
        while time.perf_counter() < deadline:
            with lock:
                path = next(source)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", side.port, timeout=600)
                continue
            elapsed = time.perf_counter() - t0
            if resp.status == 200 and not side.lacks_total(body):
                latencies.append(elapsed)
                nbytes += len(body)
            elif resp.status == 200:
                errors += 1
                first_error = first_error or "200 but the total is null (a count timed out?)"
            else:
                errors += 1
                first_error = first_error or f"{resp.status} {body[:200].decode(errors='replace')}"
        conn.close()
        with lock:
            run.latencies.extend(latencies)
            run.errors += errors
            run.nbytes += nbytes
            run.first_error = run.first_error or first_error

    load0, cpu0, t0 = os.getloadavg()[0], _cpu(), time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - t0
    run.client_cpu = _cpu() - cpu0
    run.load = (load0, os.getloadavg()[0])
    return run


class RssWatch:
    """The server's peak RSS over a stretch of time: VmHWM after a reset, and VmRSS sampled."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[float] = []
        self.reset = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _status(self, field_name: str) -> float:
        with open(f"/proc/{self.pid}/status") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.samples.append(self._status("VmRSS"))
            except OSError:
                return

    def __enter__(self) -> RssWatch:
        self.before = self._status("VmRSS")
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as handle:
                handle.write("5")  # reset the peak resident set size (VmHWM) to the current RSS
            self.reset = True
        except OSError:
            self.reset = False
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max([self.before, *self.samples])
        if self.reset:
            self.peak = max(self.peak, self._status("VmHWM"))


def export(side: Side, duration: float) -> Run:
    """Full CSV exports, one at a time, at least one and more while ``duration`` lasts."""
    run = Run(side.name, "c")
    path = side.export_path()
    load0, cpu0, t_start = os.getloadavg()[0], _cpu(), time.perf_counter()
    buf_size = 1 << 20
    with RssWatch(side.proc.pid) as watch:
        while not run.latencies or time.perf_counter() - t_start < duration:
            conn = http.client.HTTPConnection("127.0.0.1", side.port, timeout=600)
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                lines, nbytes, first = 0, 0, b""
                while chunk := resp.read(buf_size):
                    if not first:
                        first = chunk[:4096]
                    lines += chunk.count(b"\n")
                    nbytes += len(chunk)
            except (OSError, http.client.HTTPException) as exc:
                run.errors += 1
                run.first_error = run.first_error or f"{type(exc).__name__}: {exc}"
                break
            finally:
                conn.close()
            if resp.status != 200:
                run.errors += 1
                run.first_error = run.first_error or f"{resp.status} {first[:200].decode(errors='replace')}"
                break
            run.latencies.append(time.perf_counter() - t0)
            run.nbytes += nbytes
            run.lines.append(lines)
            line = first.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
            run.header = next(csv.reader([line], delimiter=";" if line.count(";") > line.count(",") else ","), [])
    run.seconds = time.perf_counter() - t_start
    run.client_cpu = _cpu() - cpu0
    run.load = (load0, os.getloadavg()[0])
    run.rss_before_mib, run.rss_peak_mib = watch.before, watch.peak
    run.rss_samples = watch.samples
    return run


# -- reporting --------------------------------------------------------------------------------------
def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}" if seconds == seconds else "-"


def report(rows: int, runs: dict[tuple[str, str], Run], sides: list[Side], info: dict[str, str]) -> bool:
    names = {"a": "(a) filtered page of 100 rows", "b": "(b) filtered count", "c": "(c) full CSV export"}
    print()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print("servers: " + "; ".join(f"{s.name} {s.version} on 127.0.0.1:{s.port} (pid {s.proc.pid})" for s in sides))
    loads = [x for r in runs.values() for x in r.load]
    if loads:
        print(
            f"1-min load average around the runs: {min(loads):.1f} .. {max(loads):.1f} on {info['nproc']} CPUs "
            "(the load generator runs on the same machine; its CPU seconds are shown per run)"
        )
    print()
    head = f"{'scenario':<30} {'side':<10} {'requests':>8} {'req/s':>9} {'p50 ms':>10} {'p95 ms':>10} {'errors':>6}"
    print(head + "  client CPU s")
    print("-" * (len(head) + 14))
    verdicts: list[tuple[str, bool | None, str]] = []
    for sc in ("a", "b", "c"):
        pair = [runs.get((s.name, sc)) for s in sides]
        for run in pair:
            if run is None:
                continue
            print(
                f"{names[sc]:<30} {run.side:<10} {run.ok:>8,} {run.rate:>9,.2f} {_ms(run.pct(50)):>10} "
                f"{_ms(run.pct(95)):>10} {run.errors:>6}  {run.client_cpu:.1f}"
            )
            if run.first_error:
                print(f"{'':<30} {'':<10} first error: {run.first_error}")
            if run.repeated:
                print(f"{'':<30} {'':<10} note: the run used up its distinct filters; some were asked twice")
        s_run, d_run = pair[0], pair[1] if len(pair) > 1 else None
        if not (s_run and d_run and s_run.ok and d_run.ok):
            verdicts.append((sc, None, "not measured on both sides"))
            continue
        if sc in ("a", "b"):
            ratio = s_run.rate / d_run.rate
            ok = ratio >= RATE_TARGET and not s_run.errors
            text = f"Stadsdata/Datasette requests/s {ratio:.2f}x, target >= {RATE_TARGET:g}x"
        else:
            ratio = d_run.pct(50) / s_run.pct(50)
            ok = ratio > EXPORT_TARGET and not s_run.errors
            text = f"Datasette/Stadsdata export seconds (median) {ratio:.2f}x, target > {EXPORT_TARGET:g}x (faster)"
        print(f"{'':<30} {'ratio':<10} {text}: {_pass(ok)}")
        verdicts.append((sc, ok, f"{ratio:.2f}x"))
    print("-" * (len(head) + 14))

    exports = [runs[(s.name, "c")] for s in sides if (s.name, "c") in runs]
    mem_ok: bool | None = None
    for run in exports:
        if not run.ok:
            continue
        mib = run.nbytes / len(run.lines) / MIB
        secs = sum(run.latencies) / len(run.latencies)
        data_lines = [n - 1 for n in run.lines]
        quart = _quartiles(run.rss_samples)
        print(
            f"{run.side} export: {len(run.lines)} run(s), {mib:,.0f} MiB and {data_lines[0]:,} rows each, "
            f"{mib / secs:,.1f} MiB/s, {data_lines[0] / secs:,.0f} rows/s; server RSS before {run.rss_before_mib:,.0f} "
            f"MiB, peak during the export {run.rss_peak_mib:,.0f} MiB (sampled at 25/50/75/100 % of the time: {quart})"
        )
        if any(n != rows for n in data_lines):
            print(f"WARNING: {run.side} exported {data_lines} data lines; the table has {rows:,} rows")
            verdicts.append(("c", False, f"{run.side} export row count"))
        if run.side == sides[0].name:
            mem_ok = run.rss_peak_mib < MEMORY_TARGET_MIB
            print(f"  Stadsdata peak RSS during the export target < {MEMORY_TARGET_MIB} MiB: {_pass(mem_ok)}")
    if len(exports) == 2 and exports[0].header and exports[1].header:
        a, b = exports[0].header, exports[1].header
        if a == b:
            print(f"CSV headers of both exports identical ({len(a)} columns)")
        else:
            print(f"note: CSV headers differ: {len(a)} and {len(b)} columns; first difference {_first_diff(a, b)}")

    parts = [f"({sc}) {text} {'-' if ok is None else _pass(ok)}" for sc, ok, text in verdicts]
    parts.append(f"export peak RSS {'-' if mem_ok is None else _pass(mem_ok)}")
    all_ok = all(ok for _, ok, _ in verdicts) and bool(mem_ok)
    print(f"\nRESULT at {rows:,} rows: " + ", ".join(parts))
    return all_ok


def _first_diff(a: list[str], b: list[str]) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"at column {i}: {x!r} vs {y!r}"
    return "in length"


def _quartiles(samples: list[float]) -> str:
    if not samples:
        return "-"
    n = len(samples)
    picks = [samples[min(n - 1, max(0, int(n * q) - 1))] for q in (0.25, 0.5, 0.75, 1.0)]
    return ", ".join(f"{v:,.0f}" for v in picks) + " MiB"


# -- main -------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="data rows (default 10,000,000)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("/tmp/stadsdata-bench"),
        help="where the CSV, the platform home, the SQLite file and the Datasette venv are kept",
    )
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per scenario and side (default 20)")
    parser.add_argument("--concurrency", type=int, default=4, help="parallel connections for (a) and (b) (default 4)")
    parser.add_argument(
        "--sqlite-indexes",
        choices=sorted(INDEXES),
        default="columns",
        help="SQLite indexes for Datasette: one per filtered column (default), or also a composite one",
    )
    parser.add_argument(
        "--prepare", action="store_true", help="only build the data of both sides (and the Datasette venv), then stop"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the platform home and the SQLite file")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "ARGS", "OUT"), help=argparse.SUPPRESS)
    ns = parser.parse_args(argv)

    if ns.child:
        kind, args, out = ns.child
        result = {"sqlite": child_sqlite}[kind](json.loads(args))
        Path(out).write_text(json.dumps(result, default=str))
        return 0
    if ns.rows < 1 or ns.duration <= 0 or ns.concurrency < 1:
        parser.error("--rows, --duration and --concurrency must be positive")

    workdir = ns.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    info = kwb.machine()
    csv_path, _, _ = kwb.generate(ns.rows, workdir)
    venv = datasette_venv(workdir)
    home, home_meta = stadsdata_home(csv_path, ns.rows, workdir, ns.rebuild)
    db, db_meta = sqlite_db(csv_path, ns.rows, workdir, ns.rebuild, ns.sqlite_indexes)
    how = "reused; built" if home_meta["reused"] else "built"
    print(f"Stadsdata home {home}: {how} by Platform.ingest in {home_meta['seconds']:.1f} s")
    how = "reused; loaded" if db_meta["reused"] else "loaded"
    print(
        f"SQLite {db} ({db_meta['bytes'] / MIB:,.0f} MiB): {how} in {db_meta['seconds']:.1f} s (insert "
        f"{db_meta['insert_seconds']:.1f} s, indexes {db_meta['index_seconds']:.1f} s, ANALYZE "
        f"{db_meta['analyze_seconds']:.1f} s; not part of the comparison); indexes besides the primary key: "
        + ", ".join("(" + ", ".join(cols) + ")" for cols in db_meta["indexes"])
    )
    if ns.prepare:
        return 0
    print(f"page cache warm-up read of both sides' files: {warm([db, *table_files(home)]):.1f} s", flush=True)

    sides: list[Side] = []
    runs: dict[tuple[str, str], Run] = {}
    try:
        sides.append(start_stadsdata(home, workdir))
        waited, what = wait_serving_copy(home)
        print(f"Stadsdata: {what} after {waited:.1f} s (built by the server at start; not compared)", flush=True)
        sides.append(start_datasette(venv, db, workdir))
        info["datasette"] = sides[1].version
        pool = query_pool()
        queries = {"a": pool[0::2], "b": pool[1::2]}  # disjoint: (b) cannot reuse totals of (a)
        codes, counts = real_values()
        print(
            f"queries: {CODE_COLUMN} = one of {codes} and {RANGE_COLUMN} > a threshold from 0 to "
            f"{upper_quartile(counts):,} (upper quartile of the real counts); each of these {len(pool):,} pairs "
            "once, shuffled (seed 2019), half for (a) and half for (b), the same sequence for both sides; e.g.:"
        )
        for side in sides:
            print(f"  {side.name:<9} (a) {side.page_path(pool[0])}")
            print(f"  {'':<9} (b) {side.count_path(pool[1])}")
            print(f"  {'':<9} (c) {side.export_path()}")
        check_ok = check(sides, check_query())
        for sc in ("a", "b", "c"):
            for side in sides:
                if not side.available:
                    continue
                if sc == "c":
                    print(f"({sc}) {side.name}: full CSV export ...", flush=True)
                    runs[(side.name, sc)] = export(side, ns.duration)
                else:
                    make = side.page_path if sc == "a" else side.count_path
                    paths = [make(q) for q in queries[sc]]
                    warm_run = hammer(side, sc, paths[::-1], min(3.0, ns.duration / 4), 1)  # not counted
                    print(f"({sc}) {side.name}: {ns.duration:g} s at concurrency {ns.concurrency} ...", flush=True)
                    runs[(side.name, sc)] = hammer(side, sc, paths, ns.duration, ns.concurrency)
                    runs[(side.name, sc)].repeated = runs[(side.name, sc)].sent + warm_run.sent > len(paths)
                run = runs[(side.name, sc)]
                print(f"    {run.ok:,} requests, {run.rate:,.2f}/s, p50 {_ms(run.pct(50))} ms, {run.errors} errors")
    finally:
        lifetime = {s.name: stop(s) for s in sides}
    ok = report(ns.rows, runs, sides, info)
    print(
        "server lifetime peak RSS (os.wait4): "
        + ", ".join(f"{name} {mib:,.0f} MiB" for name, mib in lifetime.items())
        + f"; check before timing: {_pass(check_ok)}"
    )
    for side in sides:
        if not side.available:
            print(f"{side.name} was not measured: {side.unavailable_reason}")
            return 2
    return 0 if ok and check_ok else 1


if __name__ == "__main__":
    sys.exit(main())
