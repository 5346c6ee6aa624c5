"""While the server runs, destroy ended workspaces on a timer (`STADSDATA_SWEEP_INTERVAL_SECONDS`).

The same work as `stadsdata workspaces sweep`: an opgave past its end date or closed loses its
workspace file and key, with the destruction recorded in the audit log.
"""

from __future__ import annotations

import logging
import threading

from stadsdata.platform import Platform

log = logging.getLogger("stadsdata.sweeper")


class Sweeper:
    def __init__(self, platform: Platform, interval: float) -> None:
        self.platform = platform
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="stadsdata-workspace-sweeper", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                for destroyed in self.platform.workspaces.sweep(by="system"):
                    log.info("workspace of opgave %s destroyed (%s)", destroyed["opgave"], destroyed["reason"])
            except Exception:  # keep sweeping: a failure is logged, the next round tries again
                log.exception("workspace sweep failed")
            if self._stop.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
