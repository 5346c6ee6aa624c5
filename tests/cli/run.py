"""Running the command line as a user does: a real subprocess with a given home."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def stadsdata(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """``stadsdata --home HOME ARGS`` without the caller's STADSDATA_* settings, 250 columns wide."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STADSDATA_")}
    env["COLUMNS"] = "250"
    return subprocess.run(
        [sys.executable, "-m", "stadsdata.cli.main", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
