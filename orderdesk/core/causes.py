"""A finding's cause: what went wrong with the particulars taken out, so one fault is one group.

Two orders that failed the same way say so in different words: the template
names a different missing field, the printer quotes a different order id, a
webhook answered 500 to one postback and timed out on the next. The cause keeps
what names the fault and drops what names the order: ids, references, quoted
names, hosts and numbers (an HTTP status stays: ``HTTP 500`` and ``HTTP 503``
are two faults). For example:

- ``template: UndefinedError: '<name>' is undefined``
- ``delivery: <printer> did not answer within <n> s``
- ``webhook: HTTP 500`` (the customer's webhook answered 500 to a postback)

A cause is still the store's text: untrusted, shown only through the safe path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["CAUSE_LIMIT", "finding_cause", "normalise"]

#: Causes are grouped on and indexed: a longer one is cut, as the error column is.
CAUSE_LIMIT = 200

# Each pattern is replaced in turn; earlier ones protect what later ones would break.
_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
# A run of hex digits long enough to be a key or a signature, not a word.
_HEX = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_HOST = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
# An id is a word with a separator and a digit in it: req_01HX..., po_000123, ORD-1042.
_ID = re.compile(r"\b[A-Za-z]+[_-][A-Za-z0-9_-]*\d[A-Za-z0-9_-]*\b")
# A status code is a number that follows the words that announce one.
_STATUS = re.compile(r"\b(HTTP|answered|status|code) ([1-5]\d\d)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![A-Za-z_])\d+(?:[.,]\d+)*")
_KEPT = "\ue001"


def normalise(text: str, known: Iterable[tuple[str | None, str]] = ()) -> str:
    """``text`` on one line with its particulars replaced by placeholders.

    ``known`` pairs a value the text may quote (the order's reference, its
    printer's name) with the placeholder it becomes.
    """
    line = " ".join(text.split())
    for value, placeholder in sorted(
        ((v, p) for v, p in known if v), key=lambda pair: -len(pair[0])
    ):
        line = line.replace(value, placeholder)
    line = _URL.sub("<url>", line)
    line = _UUID.sub("<id>", line)
    line = _HEX.sub("<id>", line)
    line = _QUOTED.sub(lambda match: f"{match[0][0]}<name>{match[0][0]}", line)
    line = _HOST.sub("<host>", line)
    line = _ID.sub("<id>", line)
    # A status code is kept by hiding its digits from the number pattern a moment.
    line = _STATUS.sub(lambda match: f"{match[1]} {_KEPT}{match[2]}", line)
    line = _NUMBER.sub(lambda match: match[0] if _follows_kept(line, match) else "<n>", line)
    line = line.replace(_KEPT, "")
    return line if len(line) <= CAUSE_LIMIT else line[: CAUSE_LIMIT - 1] + "…"


def _follows_kept(line: str, match: re.Match[str]) -> bool:
    return match.start() > 0 and line[match.start() - 1] == _KEPT


#: Rules whose detail is the last answer of a postback's delivery to the customer.
_WEBHOOK_RULES = frozenset({"undelivered", "shipped_undelivered", "delivery_retrying"})


def finding_cause(
    rule: str,
    detail: str | None,
    *,
    reference: str | None = None,
    order_id: str | None = None,
    customer: str | None = None,
    printer: str | None = None,
) -> str | None:
    """The normalised cause of a finding of ``rule`` with ``detail``; None when it has none.

    A postback's delivery answer is prefixed ``webhook:``, a printer's error
    message ``printer:``; a request's detail already names its stage.
    """
    if detail is None or not detail.strip():
        return None
    known = (
        (reference, "<ref>"),
        (order_id, "<order>"),
        (customer, "<customer>"),
        (printer, "<printer>"),
    )
    cause = normalise(detail, known)
    if rule in _WEBHOOK_RULES:
        return f"webhook: {cause}"
    if rule in ("error_postback", "cancel_after_printed"):
        return f"printer: {cause}"
    if rule == "duplicate_reference":
        return f"submit: {cause}"
    return cause
