"""The order view's y: what happened, worded for the customer, copied to hand on, and said so."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from textual.app import App

from orderdesk import strings
from orderdesk.core.records import LogRecord, PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.core.timeline import reference_records
from orderdesk.customer_summary import customer_summary, order_summary
from orderdesk.i18n import speaking
from orderdesk.sim import Simulation
from orderdesk.tui.screens.help import HelpScreen
from orderdesk.tui.screens.order import OrderScreen
from tests.record_factory import GLOBEX, request
from tests.tui.simulated_day import ANCHOR, undelivered_shipping
from tests.tui.tui_console import ScreenHost, console, order_view, screen_text, settled


def _said(app: App[None]) -> list[str]:
    return [notification.message for notification in app._notifications]


def _unheard(store: Store) -> tuple[str, PostbackRecord]:
    shipped = undelivered_shipping(store)
    assert shipped.order_reference_id is not None
    return shipped.order_reference_id, shipped


async def test_y_copies_the_summary_and_says_what_it_copied(store: Store) -> None:
    reference, shipped = _unheard(store)
    app = console(store, order_reference=reference)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, OrderScreen)
        assert "y Copy summary" in screen_text(app).splitlines()[-1]
        await pilot.press("y")
        await settled(pilot)
    expected = order_summary(store, reference, UTC, now=ANCHOR)
    assert app.clipboard == expected
    assert f"Here is what happened to your order {reference}" in expected
    assert "Your system could not be told about this." in expected
    assert shipped.tracking is not None and shipped.tracking.code in expected
    assert shipped.id not in expected
    [said] = _said(app)
    assert said.startswith(
        "copied to the clipboard (if your terminal allows it), the summary for the customer: "
        f"Here is what happened to your order {reference}"
    )


async def test_in_french_the_key_and_the_summary_are_french(store: Store) -> None:
    reference, _ = _unheard(store)
    with speaking("fr"):
        app = console(store, order_reference=reference)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            assert "y Résumé" in screen_text(app).splitlines()[-1]
            await pilot.press("y")
            await settled(pilot)
    assert app.clipboard.startswith(f"Voici ce qui est arrivé à votre commande {reference} le ")
    assert "Votre système n'a pas pu en être informé." in app.clipboard
    [said] = _said(app)
    assert said.startswith("copié dans le presse-papiers (si votre terminal le permet)")


def test_the_simulated_day_s_lost_shipment_told_without_an_id(sqlite_store: Store) -> None:
    reference, shipped = _unheard(sqlite_store)
    requests, postbacks, _ = reference_records(sqlite_store, reference)
    told = customer_summary(reference, requests, postbacks, UTC, now=ANCHOR)
    assert shipped.tracking is not None
    assert f"with tracking number {shipped.tracking.code}." in told
    assert "It reached us at" in told and "We sent part of it to " in told
    records: list[LogRecord] = [*requests, *postbacks]
    internal = {record.id for record in records}
    internal |= {record.order_id for record in records if record.order_id}
    internal |= {record.customer.id for record in records}
    assert internal and not [word for word in internal if word in told]
    bodies = [record.original.body for record in records if record.original.body]
    assert bodies and not [body for body in bodies if body in told]


def test_every_order_of_the_simulated_day_is_told_in_both_languages(
    simulation: Simulation,
) -> None:
    """No record of the day trips the summary, and none of its words is an id."""
    by_reference: dict[str, tuple[list[RequestRecord], list[PostbackRecord]]] = {}
    for record in [*simulation.records("requests"), *simulation.records("postbacks")]:
        if record.order_reference_id:
            requests, postbacks = by_reference.setdefault(record.order_reference_id, ([], []))
            if isinstance(record, RequestRecord):
                requests.append(record)
            elif isinstance(record, PostbackRecord):
                postbacks.append(record)
    ids = {r.id for r in simulation.records("requests")}
    ids |= {r.id for r in simulation.records("postbacks")}
    told = 0
    for lang in ("en", "fr"):
        with speaking(lang):
            for reference, (requests, postbacks) in by_reference.items():
                summary = customer_summary(reference, requests, postbacks, UTC, now=ANCHOR)
                assert reference in summary
                assert not ids & set(summary.replace(".", " ").split())
                told += 1
    assert told == 2 * len(by_reference) > 100


async def test_a_reference_two_customers_share_is_not_copied(tmp_path: Path) -> None:
    with Store.open(tmp_path / "shared.db") as store:
        theirs = request(2, id="req_theirs", order_reference_id="ORD-1", customer=GLOBEX)
        store.save_page("requests", [request(1), theirs], None)
        app = order_view(store, "ORD-1")
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("y")
            await settled(pilot)
    assert app.clipboard == ""
    [said] = _said(app)
    assert "is used by several customers" in said


async def test_the_finder_with_no_order_has_nothing_to_copy(sqlite_store: Store) -> None:
    app = ScreenHost(lambda: OrderScreen(sqlite_store, "", UTC, finder=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, OrderScreen)
        screen.action_copy_summary()
        await settled(pilot)
    assert app.clipboard == ""
    assert _said(app) == [strings.SUMMARY_NO_ORDER]


async def test_the_help_lists_the_key(sqlite_store: Store) -> None:
    reference, _ = _unheard(sqlite_store)
    app = console(sqlite_store, order_reference=reference)
    async with app.run_test(size=(120, 60)) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        await settled(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = screen_text(app)
    assert "Copy a summary of the order for the customer, without any ids" in shown
