"""One typed settings tree, read once (in the CLI or by a test) and passed down.

Every setting is read from an environment variable ``STADSDATA_<NAME>`` (nested with ``__``)
or given directly. Each one is documented in ``docs/settings.md``; a test keeps that true.
No other module reads environment variables.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STADSDATA_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(
        default_factory=lambda: Path.home() / ".stadsdata",
        description="Platform home: contracts, landing zone, tables and the SQLite metastore live here.",
    )
    metastore_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the metastore. Empty: a SQLite file metastore.db in the home. "
        "Production: postgresql+psycopg://user:pass@host/db.",
    )
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description="Query engine: duckdb (embedded, the default) or spark (needs the extra "
        "`pip install 'stadsdata[spark]'` and Java 17; queries, quality rules and indicators run on Spark, "
        "see docs/scaling.md).",
    )
    spark_remote: str | None = Field(
        default=None,
        description="Spark Connect URL of a Spark cluster (sc://host:15002; with a token: "
        "sc://host:443/;use_ssl=true;token=...). Empty: a local Spark in this process (spark_master).",
    )
    spark_master: str = Field(
        default="local[2]", description="Master of the local Spark when spark_remote is empty (local[N]: N cores)."
    )
    spark_driver_memory: str = Field(
        default="2g", description="Memory of the local Spark driver JVM (Spark syntax, e.g. 2g)."
    )
    engine_threads: int | None = Field(default=None, description="Threads the engine may use. Empty: all cores.")
    engine_memory_limit: str = Field(
        default="2GB", description="Memory the engine may use for one query or ingest (DuckDB syntax, e.g. 2GB)."
    )
    user: str = Field(
        default_factory=_default_user,
        description="Who is acting: recorded as 'delivered by' on deliveries. Defaults to the login name.",
    )
    host: str = Field(default="127.0.0.1", description="Address `stadsdata serve` and `stadsdata demo` listen on.")
    port: int = Field(default=8000, description="Port `stadsdata serve` and `stadsdata demo` listen on.")
    lang: Literal["nl", "en"] = Field(default="nl", description="Language of titles and descriptions shown.")
    opgave_max_months: int = Field(
        default=12, ge=1, le=60, description="Longest an opgave (purpose-bound analysis project) may run, in months."
    )
    disclosure_threshold: int = Field(
        default=10, ge=1, description="Smallest count a cell of a table leaving a workspace may show."
    )
    disclosure_p_percent: float = Field(
        default=10.0,
        gt=0,
        le=100,
        description="The p of the p% dominance rule for sums (magnitude tables) leaving a workspace.",
    )
    sweep_interval_seconds: float = Field(
        default=3600,
        ge=0,
        description="How often `stadsdata serve` destroys the workspaces of ended opgaven (0: never; then run "
        "`stadsdata workspaces sweep` from cron).",
    )
    token_max_days: int = Field(default=90, ge=1, description="Longest lifetime of an API token, in days.")
    session_hours: int = Field(default=8, ge=1, description="Lifetime of a portal login, in hours.")
    password_min_length: int = Field(default=12, ge=8, description="Shortest password a user may set.")
    fault_pause_at: str | None = Field(
        default=None,
        description="Test hook for crash tests only: the name of an ingest stage at which the process writes "
        "'<home>/fault-paused' and waits to be killed. Never set this in production.",
    )

    @property
    def resolved_metastore_url(self) -> str:
        return self.metastore_url or f"sqlite:///{self.home / 'metastore.db'}"
