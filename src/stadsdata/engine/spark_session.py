"""Starting (or connecting to) Spark: a local Spark in this process, or a cluster by Spark Connect.

PySpark is imported here and only when a session is needed, so that the base install (without
the ``spark`` extra) never needs it. A local session takes several seconds to start (a JVM);
one session serves the whole process (Spark allows one active local context per process).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stadsdata.errors import SettingsError

log = logging.getLogger(__name__)

_lock = threading.Lock()
LOG4J2 = Path(__file__).with_name("spark_log4j2.properties")  # errors only: no start-up chatter


@dataclass(frozen=True)
class SparkConfig:
    """Where Spark runs: ``remote`` (a Spark Connect URL, sc://host:port) or a local ``master``."""

    master: str = "local[2]"
    remote: str | None = None
    driver_memory: str = "2g"
    shuffle_partitions: int = 8
    local_dir: str | None = None  # scratch space of the local Spark (spills, shuffles)

    @property
    def where(self) -> str:
        return self.remote or self.master


def available() -> str | None:
    """Why a local Spark cannot start here (None: it can): the extra or Java is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed: pip install 'stadsdata[spark]'"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java found (PATH or JAVA_HOME): a local Spark needs Java 17"
    return None


def session(config: SparkConfig) -> Any:
    """The Spark session of ``config``, started on first use."""
    with _lock:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise SettingsError(
                "STADSDATA_ENGINE=spark needs PySpark: pip install 'stadsdata[spark]' (or use the duckdb engine)"
            ) from None
        if config.remote:
            log.info("spark connecting to=%s", config.remote.split(";", 1)[0])
            try:
                return SparkSession.builder.remote(config.remote).getOrCreate()
            except Exception as exc:  # a missing connect client, an unreachable host, a refused token
                raise SettingsError(
                    f"STADSDATA_SPARK_REMOTE={config.remote.split(';', 1)[0]}: cannot connect: {_first_line(exc)}"
                ) from None
        why = available()
        if why is not None:
            raise SettingsError(f"STADSDATA_ENGINE=spark: {why}")
        # a local Spark binds to the loopback address only (no cluster, no exposed UI)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            SparkSession.builder.master(config.master)
            .appName("stadsdata")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", config.driver_memory)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", str(config.shuffle_partitions))
            .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
            .config("spark.sql.sources.partitionOverwriteMode", "static")
            .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{LOG4J2}")
        )
        if config.local_dir:
            builder = builder.config("spark.local.dir", config.local_dir)
        log.info("spark starting master=%s", config.master)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start
            raise SettingsError(f"STADSDATA_ENGINE=spark: local Spark did not start: {_first_line(exc)}") from None
        spark.sparkContext.setLogLevel("ERROR")
        return spark


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
