"""An auditor that only collects entries, for area tests (the audit log has its own tests)."""

from __future__ import annotations

from typing import Any


class Recorder:
    """Collects audit entries (the audit log itself has its own tests)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def append(self, actor: str, action: str, resource: str, decision: str, purpose=None, detail=None):  # type: ignore[no-untyped-def]
        self.entries.append(dict(actor=actor, action=action, resource=resource, decision=decision, purpose=purpose))
