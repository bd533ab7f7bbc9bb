"""The console's store, opened in a thread while the console's code loads, and handed over."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from orderdesk.cli.commands import main
from orderdesk.core.errors import StoreError
from orderdesk.core.query_check import truth
from orderdesk.core.store import Store
from orderdesk.core.store_opening import StoreOpening
from tests.record_factory import request


def test_the_store_opens_in_a_thread_of_its_own_and_is_handed_over_whole(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(store_url) as store:
        store.save_page("requests", [request(1)], None)
    opened_in: list[str] = []
    really_open = Store.open

    def open_and_tell(target: str) -> Store:
        opened_in.append(threading.current_thread().name)
        return really_open(target)

    monkeypatch.setattr(Store, "open", open_and_tell)
    opening = StoreOpening(store_url)
    with opening.store() as store:
        assert set(truth(store, "requests")) == {request(1).id}
    assert opened_in == ["orderdesk-open-store"]


def test_what_opening_raised_is_raised_to_whoever_takes_the_store(tmp_path: Path) -> None:
    opening = StoreOpening("nosuchdb://somewhere/orderdesk")
    with pytest.raises(StoreError, match="cannot use the database URL 'nosuchdb://"):
        opening.store()
    opening.close()  # nothing opened, nothing to close


def test_a_store_never_taken_is_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[Store] = []
    monkeypatch.setattr(Store, "close", lambda store: closed.append(store))
    opening = StoreOpening(str(tmp_path / "orderdesk.db"))
    opening.close()
    assert closed == [opening.store()]
    closed[0].engine.dispose()


def test_the_console_says_in_one_line_that_its_store_cannot_be_opened(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--db", "nosuchdb://somewhere/orderdesk"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("orderdesk: cannot use the database URL 'nosuchdb://")
    assert len(error.strip().splitlines()) == 1
