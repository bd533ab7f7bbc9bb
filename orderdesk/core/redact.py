"""Secrets to markers, one function: header values that carry credentials never reach the store.

A redacted value keeps its length and a short fingerprint, ``[redacted len=40
sha256:1a2b3c4d]``, so support can tell two keys apart without seeing either.
The fingerprint is the first 8 hex digits of an unsalted SHA-256: for the long
random API keys and tokens these headers carry, 32 bits say nothing useful
about the key; for a short, guessable password they would let someone confirm a
guess offline, which is the price of fingerprints that match across stores.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TypeVar

from orderdesk.core.records import (
    HttpMessage,
    HttpResponse,
    LogRecord,
    PostbackRecord,
    RequestRecord,
)

__all__ = ["is_secret_header", "redact_headers", "redact_record", "redact_value"]

_SECRET_NAMES = frozenset(
    {"authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"}
)
_SECRET_WORDS = ("key", "token", "secret", "password")
_MARKER = re.compile(r"\[redacted len=\d+ sha256:[0-9a-f]{8}\]")

_Stage = TypeVar("_Stage", HttpMessage, HttpResponse)
# LogRecord too: a caller holding "a record of either kind" gets one back.
_Record = TypeVar("_Record", RequestRecord, PostbackRecord, LogRecord)


# Header names repeat endlessly across records (a few dozen distinct ones), so
# the answer is cached: redaction runs on every stage of every synced record.
@lru_cache(maxsize=4096)
def is_secret_header(name: str) -> bool:
    """Whether a header of this name carries a credential (case-insensitive)."""
    folded = name.strip().lower()
    return folded in _SECRET_NAMES or any(word in folded for word in _SECRET_WORDS)


# A sync meets the same few keys and tokens on record after record: each marker is
# worked out once (the values are in this process's memory anyway, in the records).
@lru_cache(maxsize=1024)
def redact_value(value: str) -> str:
    """The marker for a secret value; a value that is already a marker is kept."""
    if _MARKER.fullmatch(value):
        return value
    fingerprint = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"[redacted len={len(value)} sha256:{fingerprint}]"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers with every secret value replaced by its marker, others untouched."""
    return {
        name: redact_value(value) if is_secret_header(name) else value
        for name, value in headers.items()
    }


def _redact_stage(stage: _Stage | None) -> _Stage | None:
    if stage is None or not any(is_secret_header(name) for name in stage.headers):
        return stage
    return stage.model_copy(update={"headers": redact_headers(stage.headers)})


def redact_record(record: _Record) -> _Record:
    """The record with every stage's and attempt's headers redacted: a copy if any had secrets."""
    update: dict[str, object] = {}
    for name in ("original", "final", "response"):
        stage = getattr(record, name)
        redacted = _redact_stage(stage)
        if redacted is not stage:
            update[name] = redacted
    if isinstance(record, PostbackRecord):
        attempts = [_redact_stage(attempt) for attempt in record.attempts]
        if any(new is not old for new, old in zip(attempts, record.attempts, strict=True)):
            update["attempts"] = attempts
    # Records are frozen: one without secrets is stored as it came.
    return record.model_copy(update=update) if update else record
