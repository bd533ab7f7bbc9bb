"""The statuses a record of each kind can have, and the one check of the statuses a user names.

Flags, saved views and the filter language all name statuses; each asks here,
so a status is known, or refused in the same words, wherever it is typed.
"""

from __future__ import annotations

from collections.abc import Iterable

from orderdesk import strings
from orderdesk.core.errors import UnknownStatus
from orderdesk.core.records import POSTBACK_STATUSES, REQUEST_STATUSES, Kind

__all__ = ["STATUSES", "check_statuses"]

STATUSES: dict[Kind, tuple[str, ...]] = {
    "requests": REQUEST_STATUSES,
    "postbacks": POSTBACK_STATUSES,
}


def check_statuses(
    kind: Kind, statuses: Iterable[str], *, flag: str = "--status"
) -> tuple[str, ...]:
    """The statuses, each one a record of ``kind`` can have; raises UnknownStatus at the first not.

    ``flag`` is what the user typed the statuses after, as the message names it.
    """
    allowed = STATUSES[kind]
    checked = tuple(statuses)
    for status in checked:
        if status not in allowed:
            message = strings.BAD_CHOICE.format(flag=flag, value=status, allowed=", ".join(allowed))
            raise UnknownStatus(message, status, allowed)
    return checked
