"""The order view: one reference's story oldest first, gaps called out, enter to drill down."""

from __future__ import annotations

from conftest import ANCHOR, ScreenHost, order_view, undelivered_shipping
from textual.widgets import OptionList, Static

from orderdesk.core.queries import RecordQuery, list_records
from orderdesk.core.records import RequestRecord
from orderdesk.core.store import Store
from orderdesk.core.timeline import order_timeline
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen


def unconfirmed_order(store: Store) -> str:
    """A reference sent to a printer that never said order_received."""
    sent = list_records(store, RecordQuery("requests", statuses=("succeeded",)), limit=1000)
    for record in sent:
        if isinstance(record, RequestRecord) and record.order_reference_id:
            gaps = order_timeline(store, record.order_reference_id, now=ANCHOR).gaps
            if [gap.kind for gap in gaps] == ["not_received"]:
                return record.order_reference_id
    raise AssertionError("the simulated day has no stuck order")


def gaps_text(app: ScreenHost) -> str:
    return str(app.screen.query_one("#order-gaps", Static).render())


async def test_the_customer_never_got_the_shipping_notification(store: Store) -> None:
    shipped = undelivered_shipping(store)
    assert shipped.order_reference_id is not None
    app = order_view(store, shipped.order_reference_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "the shipped postback never reached the customer's system" in gaps_text(app)
        timeline = app.screen.query_one("#timeline", OptionList)
        assert timeline.highlighted_option is not None
        assert timeline.highlighted_option.id == f"postbacks:{shipped.id}"
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, RecordScreen)
        assert screen.record_id == shipped.id and screen.current == "response"
        await pilot.press("escape")
        assert isinstance(app.screen, OrderScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, OrderScreen)


async def test_my_order_disappeared_the_printer_never_confirmed_it(store: Store) -> None:
    reference = unconfirmed_order(store)
    app = order_view(store, reference)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        assert "the printer has not confirmed it (no order_received for" in gaps_text(app)


async def test_the_timeline_is_oldest_first_and_lists_every_printer_order(store: Store) -> None:
    shipped = undelivered_shipping(store)
    assert shipped.order_reference_id is not None
    app = order_view(store, shipped.order_reference_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OrderScreen)
        moments = [entry.at for entry in screen.timeline.entries]
        assert moments == sorted(moments) and len(moments) >= 3
        ids = str(screen.query_one("#order-ids", Static).render())
        assert shipped.order_id is not None and shipped.order_id in ids


async def test_an_order_nobody_knows_says_what_to_check(store: Store) -> None:
    app = order_view(store, "NO-SUCH-ORDER")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert "nothing in the store about order NO-SUCH-ORDER" in gaps_text(app)
        assert isinstance(app.screen, OrderScreen)
