"""The order timeline's thresholds as settings: ORDERDESK_* variables in people's units."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orderdesk.config import Settings
from orderdesk.core.errors import InputError
from orderdesk.core.timeline_rules import DEFAULT_RULES


@pytest.fixture(autouse=True)
def _no_thresholds_from_the_developer(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RECEIPT_WITHIN", "DELIVERY_WITHIN", "RETRYING_AFTER", "DUPLICATE_WITHIN"):
        monkeypatch.delenv(f"ORDERDESK_{name}", raising=False)


def test_unset_thresholds_are_the_issues() -> None:
    assert Settings.load().timeline_rules() == DEFAULT_RULES


def test_each_threshold_comes_from_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERDESK_RECEIPT_WITHIN", "45m")
    monkeypatch.setenv("ORDERDESK_DELIVERY_WITHIN", "2h")
    monkeypatch.setenv("ORDERDESK_RETRYING_AFTER", "90")  # a bare number is seconds
    monkeypatch.setenv("ORDERDESK_DUPLICATE_WITHIN", "1w")
    rules = Settings.load().timeline_rules()
    assert rules.receipt_within == timedelta(minutes=45)
    assert rules.delivery_within == timedelta(hours=2)
    assert rules.retrying_after == timedelta(seconds=90)
    assert rules.duplicate_within == timedelta(days=7)


def test_a_threshold_that_is_not_a_duration_names_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORDERDESK_RETRYING_AFTER", "a while")
    with pytest.raises(InputError, match="ORDERDESK_RETRYING_AFTER: 'a while' is not a duration"):
        Settings.load()
