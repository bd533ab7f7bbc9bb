"""The action trail in the store, on every engine: pages saved (newer wins), and read back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from orderdesk.core.action_schema import ACTIONS
from orderdesk.core.action_trail import (
    ActionFilter,
    action_by_id,
    actions_of_reference,
    actions_with_keys,
    list_actions,
    save_actions,
    trail_watermark,
)
from orderdesk.core.records import Watermark
from orderdesk.core.store import Store
from tests.action_factory import T0, action


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as store:
        yield store


def _save(store: Store, *actions: object, watermark: Watermark | None = None) -> None:
    with store.writing() as connection:
        save_actions(connection, list(actions), watermark)  # type: ignore[arg-type]


def _count(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(ACTIONS)).scalar_one())


class TestSaving:
    def test_a_saved_action_reads_back_equal(self, store: Store) -> None:
        made = action("act_1", kind="resubmit", mode="reprocess", error="printer said no")
        _save(store, made)
        assert action_by_id(store, "act_1") == made
        assert action_by_id(store, "act_nope") is None

    def test_the_newer_version_wins_and_an_older_one_changes_nothing(self, store: Store) -> None:
        queued = action("act_1", status="queued")
        done = action("act_1", updated_minutes=1, status="failed", status_code=500)
        with store.writing() as connection:
            assert save_actions(connection, [queued], None).new == 1
        with store.writing() as connection:
            assert save_actions(connection, [done], None).updated == 1
        with store.writing() as connection:
            saved = save_actions(connection, [queued], None)
        assert (saved.new, saved.updated, saved.unchanged) == (0, 0, 1)
        assert action_by_id(store, "act_1") == done
        assert _count(store) == 1

    def test_the_watermark_moves_with_the_page_and_never_back(self, store: Store) -> None:
        assert trail_watermark(store) is None
        later = Watermark(T0 + timedelta(minutes=5), "act_5")
        _save(store, action("act_5", minutes=5), watermark=later)
        assert trail_watermark(store) == later
        _save(store, action("act_1"), watermark=Watermark(T0, "act_1"))
        assert trail_watermark(store) == later
        # The records' watermarks are their own.
        assert store.watermark("requests") is None

    def test_a_page_that_fails_leaves_neither_its_actions_nor_its_watermark(
        self, store: Store
    ) -> None:
        with pytest.raises(RuntimeError), store.writing() as connection:
            save_actions(connection, [action("act_1")], Watermark(T0, "act_1"))
            raise RuntimeError("the process dies mid-page")
        assert _count(store) == 0
        assert trail_watermark(store) is None


class TestReading:
    @pytest.fixture
    def trail(self, store: Store) -> Store:
        _save(
            store,
            action("act_1", minutes=0, actor="alice@support", reference="ref-1"),
            action(
                "act_2",
                minutes=10,
                actor="bob",
                kind="resubmit",
                mode="final",
                target_id="req_2",
                reference="ref-2",
                status="failed",
                status_code=None,
                error="printer unreachable",
                customer=("c2", "Bolt Prints"),
            ),
            action("act_3", minutes=20, actor="Alice@Support", reference="ref-1", status="queued"),
        )
        return store

    def test_the_list_is_newest_first(self, trail: Store) -> None:
        listed = list_actions(trail)
        assert [a.id for a in listed.actions] == ["act_3", "act_2", "act_1"]
        assert not listed.cut

    def test_a_limit_says_it_cut_the_list(self, trail: Store) -> None:
        listed = list_actions(trail, limit=2)
        assert ([a.id for a in listed.actions], listed.cut) == (["act_3", "act_2"], True)
        assert not list_actions(trail, limit=3).cut

    @pytest.mark.parametrize(
        ("where", "ids"),
        [
            (ActionFilter(since=T0 + timedelta(minutes=5)), ["act_3", "act_2"]),
            (ActionFilter(until=T0 + timedelta(minutes=10)), ["act_1"]),
            (ActionFilter(actor="alice@SUPPORT"), ["act_3", "act_1"]),
            (ActionFilter(kind="resubmit"), ["act_2"]),
            (ActionFilter(status="queued"), ["act_3"]),
            (ActionFilter(order_reference_id="ref-1"), ["act_3", "act_1"]),
            (ActionFilter(customer="bolt prints"), ["act_2"]),
            (ActionFilter(customer="BOLT"), ["act_2"]),
            (ActionFilter(customer="c1"), ["act_3", "act_1"]),
            (ActionFilter(actor="bob", status="succeeded"), []),
        ],
    )
    def test_filters(self, trail: Store, where: ActionFilter, ids: list[str]) -> None:
        assert [a.id for a in list_actions(trail, where).actions] == ids

    def test_an_order_references_actions_oldest_first(self, trail: Store) -> None:
        assert [a.id for a in actions_of_reference(trail, "ref-1")] == ["act_1", "act_3"]
        assert actions_of_reference(trail, "ref-none") == []

    def test_actions_with_keys_finds_each_known_key(self, trail: Store) -> None:
        found = actions_with_keys(trail, {"key-act_1", "key-act_2", "never-sent"})
        assert {key: a.id for key, a in found.items()} == {
            "key-act_1": "act_1",
            "key-act_2": "act_2",
        }
        assert actions_with_keys(trail, []) == {}

    def test_actions_with_keys_reads_more_keys_than_one_query_binds(self, store: Store) -> None:
        many = [action(f"act_{n:04}", minutes=n) for n in range(1200)]
        _save(store, *many)
        keys = [a.idempotency_key for a in many] + ["unknown"]
        assert len(actions_with_keys(store, keys)) == 1200
