"""Ask the access policy, write its answer to the audit log, and stop on a no.

Every governance area checks access this way, so that no decision on non-public data goes
unrecorded and no area words its own refusal.
"""

from __future__ import annotations

from typing import Any

from stadsdata.core.access import Action, Actor, Decision
from stadsdata.core.policy import AccessPolicy
from stadsdata.errors import AccessDeniedError
from stadsdata.governance.audit import AuditLog


def enforce(
    policy: AccessPolicy,
    audit: AuditLog,
    actor: Actor,
    action: Action,
    resource: Any,
    name: str,
    *,
    purpose: str | None = None,
) -> Decision:
    """The policy's decision on ``action`` on ``resource`` (audited as ``name``); a refusal raises
    AccessDeniedError with the policy's reason."""
    decision = policy.can(actor, action, resource)
    audit.append(actor, action, name, decision, purpose=purpose)
    if not decision.allowed:
        raise AccessDeniedError(f"{action.value} on {name}: {decision.reason}")
    return decision
