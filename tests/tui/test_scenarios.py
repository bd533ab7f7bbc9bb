"""The help article's four scenarios, played from launch on simulated traffic (seed 7).

Each test starts the console as a support engineer would, knowing only an
order reference, types the keys they would type, and ends on the screen that
answers the customer's question; it then checks that the answer is on screen.
They run at 80x24, the smallest terminal orderdesk promises, and at 200x50, and
in French at 80x24, where the words are longest.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from orderdesk import strings
from orderdesk.core.records import PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.i18n import speaking
from orderdesk.sim import Simulation
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen
from tests.tui.simulated_day import ANCHOR
from tests.tui.tui_console import console, screen_text, settled

CASES = [((80, 24), "en"), ((200, 50), "en"), ((80, 24), "fr")]


@pytest.fixture(autouse=True)
def _language(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each scenario speaks its case's language."""
    with speaking(request.node.callspec.params.get("lang", "en")):
        yield


async def answer_prompt(pilot: Pilot[None], key: str, text: str) -> None:
    """Press ``key``, type ``text`` key by key into the box it opens, and press enter."""
    await pilot.press(key)
    await settled(pilot)
    await pilot.press(*[{" ": "space"}.get(char, char) for char in text])
    await pilot.press("enter")
    await settled(pilot)


async def find_order(pilot: Pilot[None], reference: str) -> OrderScreen:
    """From the list: ``3`` and the reference; its timeline shows as the last key goes in."""
    await pilot.press("3")
    await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, OrderScreen), screen
    await pilot.press(*reference)
    await settled(pilot)
    assert screen.reference == reference
    assert isinstance(pilot.app.focused, Input)  # no enter was needed
    return screen


async def open_order(pilot: Pilot[None], reference: str) -> OrderScreen:
    """From the list: ``3``, the reference, and enter to move onto its timeline."""
    screen = await find_order(pilot, reference)
    await pilot.press("enter")
    await settled(pilot)
    assert pilot.app.focused is screen.query_one("#timeline")
    return screen


async def search_and_open(pilot: Pilot[None], reference: str) -> RecordScreen:
    """From a list: ``/``, the reference, enter to search, enter to open the first row."""
    await answer_prompt(pilot, "slash", reference)
    await pilot.press("enter")
    await settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RecordScreen), screen
    return screen


async def tab_to(pilot: Pilot[None], record: RecordScreen, stage: str) -> None:
    """Press tab until ``stage`` is the drill-down's current stage."""
    while record.current != stage:
        await pilot.press("tab")
        await settled(pilot)


def _stuck_order(simulation: Simulation) -> RequestRecord:
    """A request the printer accepted but never confirmed receiving."""
    received = {
        p.order_reference_id
        for p in simulation.records("postbacks")
        if isinstance(p, PostbackRecord) and p.event == "order_received"
    }
    for record in simulation.records("requests"):
        assert isinstance(record, RequestRecord)
        if (
            record.status == "succeeded"
            and record.action == "submit"
            and record.order_reference_id not in received
            and record.created_at < ANCHOR - timedelta(hours=1)
        ):
            return record
    raise AssertionError("seed 7 should hold a stuck order")


def _lost_order(simulation: Simulation) -> RequestRecord:
    """A request whose handoff to the printer failed."""
    return next(
        r
        for r in simulation.records("requests")
        if isinstance(r, RequestRecord) and r.error is not None and r.error.stage == "delivery"
    )


@pytest.mark.parametrize(("size", "lang"), CASES)
async def test_my_order_disappeared(
    store: Store, simulation: Simulation, size: tuple[int, int], lang: str
) -> None:
    stuck = _stuck_order(simulation)
    assert stuck.order_reference_id is not None
    app = console(store)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        order = await find_order(pilot, stuck.order_reference_id)
        # It was sent and the printer said yes, but it never said it received it.
        assert [finding.rule for finding in order.timeline.findings] == ["not_received"]
        text = screen_text(app)
        assert stuck.order_reference_id in text
        assert "order_received" in text
        assert "submit" in text and "succeeded" in text


@pytest.mark.parametrize(("size", "lang"), CASES)
async def test_the_customer_never_got_the_shipping_notification(
    store: Store, simulation: Simulation, size: tuple[int, int], lang: str
) -> None:
    shipped = next(
        p
        for p in simulation.records("postbacks")
        if isinstance(p, PostbackRecord) and p.event == "shipped" and p.status == "failed"
    )
    assert shipped.order_reference_id is not None
    app = console(store)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        order = await open_order(pilot, shipped.order_reference_id)
        assert "shipped_undelivered" in [finding.rule for finding in order.timeline.findings]
        # Down the timeline to the shipping notification, and open it.
        timeline = order.query_one("#timeline", OptionList)
        wanted = f"postbacks:{shipped.id}"
        for _ in range(len(order.timeline.entries)):
            highlighted = timeline.highlighted
            if highlighted is not None and timeline.get_option_at_index(highlighted).id == wanted:
                break
            await pilot.press("down")
        await pilot.press("enter")
        await settled(pilot)
        record = app.screen
        assert isinstance(record, RecordScreen)
        assert record.record_id == shipped.id
        assert record.current == "response"
        text = screen_text(app)
        assert strings.ATTEMPT_COUNT.format(count=len(shipped.attempts)) in text
        last = shipped.attempts[-1]
        assert (str(last.status_code) if last.status_code else str(last.error)) in text


@pytest.mark.parametrize(("size", "lang"), CASES)
async def test_the_printer_says_it_never_got_the_order(
    store: Store, simulation: Simulation, size: tuple[int, int], lang: str
) -> None:
    lost = _lost_order(simulation)
    assert lost.order_reference_id is not None and lost.error is not None
    app = console(store)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        record = await search_and_open(pilot, lost.order_reference_id)
        assert record.record_id == lost.id
        # The handoff failed: the Response stage is marked and says why.
        assert record.current == "response"
        text = screen_text(app)
        assert "✗" in text
        assert lost.error.code in text or (lost.response and str(lost.response.error) in text)


@pytest.mark.parametrize(("size", "lang"), CASES)
async def test_the_printer_says_it_never_got_the_order_told_by_its_timeline(
    store: Store, simulation: Simulation, size: tuple[int, int], lang: str
) -> None:
    lost = _lost_order(simulation)
    assert lost.order_reference_id is not None and lost.error is not None
    assert lost.response is not None and lost.response.status_code is not None
    app = console(store)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        order = await find_order(pilot, lost.order_reference_id)
        # The handoff failed, and the printer's own answer says why.
        assert [finding.rule for finding in order.timeline.findings] == ["request_failed"]
        text = screen_text(app)
        assert "✗" in text and str(lost.response.status_code) in text
        assert lost.error.message[:40] in text


@pytest.mark.parametrize(("size", "lang"), CASES)
async def test_the_wrong_product_was_produced(
    store: Store, simulation: Simulation, size: tuple[int, int], lang: str
) -> None:
    wrong = next(
        r
        for r in simulation.records("requests")
        if isinstance(r, RequestRecord)
        and r.final is not None
        and '"productUid": ""' in (r.final.body or "")
    )
    assert wrong.order_reference_id is not None
    app = console(store)
    async with app.run_test(size=size) as pilot:
        await settled(pilot)
        record = await search_and_open(pilot, wrong.order_reference_id)
        assert record.record_id == wrong.id
        # The customer's template (which maps product codes with lookups)...
        assert wrong.template is not None
        await tab_to(pilot, record, "template")
        assert f"{wrong.template.name} v{wrong.template.version}" in screen_text(app)
        # ...so the order went to the printer with an empty productUid.
        await tab_to(pilot, record, "final")
        await pilot.press("z")
        await settled(pilot)
        assert '"productUid": ""' in screen_text(app)
