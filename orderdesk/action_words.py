"""An action of the trail worded for people: what it did, who asked, and how it went.

The order timeline, the Actions screen and ``orderdesk actions`` say an action
the same way, so the wording lives once, here. What comes from the service
(an actor, an error) is data: callers show it through their one safe path.
"""

from __future__ import annotations

from orderdesk import strings
from orderdesk.core.action_records import ActionRecord

__all__ = ["action_result", "action_story", "result_code"]


def result_code(action: ActionRecord) -> str:
    """The answer the action got (``200``), or ``-`` when it has none (yet)."""
    code = action.result.status_code if action.result is not None else None
    return "-" if code is None else str(code)


def action_result(action: ActionRecord) -> str:
    """How the action went: its answer's code, ``failed: why``, or its status while it runs."""
    result = action.result
    if action.status == "failed":
        why = result.error if result is not None and result.error else None
        if why is None and result is not None and result.status_code is not None:
            why = str(result.status_code)
        return strings.ACTION_RESULT_FAILED.format(error=why) if why else action.status
    if action.status == "succeeded" and result is not None and result.status_code is not None:
        return str(result.status_code)
    return action.status


def action_story(action: ActionRecord) -> str:
    """``redelivered by alice: 200``, ``resubmitted (reprocess) by bob: failed: …``."""
    if action.kind == "redeliver":
        return strings.TIMELINE_REDELIVERED.format(actor=action.actor, result=action_result(action))
    return strings.TIMELINE_RESUBMITTED.format(
        mode=action.mode or "-", actor=action.actor, result=action_result(action)
    )
