"""The order view: one reference oldest first, findings called out, n and enter to reach them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, timedelta
from functools import cache

import pytest
from textual.app import App
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static

from orderdesk.core.records import PostbackRecord, RequestRecord
from orderdesk.core.store import Store
from orderdesk.core.timeline import Timeline, build_timeline
from orderdesk.core.timeline_rules import TimelineRules
from orderdesk.sim import Simulation
from orderdesk.tui.screens.order import OrderScreen
from orderdesk.tui.screens.record import RecordScreen
from tests.tui.simulated_day import ANCHOR, undelivered_shipping
from tests.tui.tui_console import ScreenHost, console, order_view, settled


@cache
def _timelines(simulation: Simulation) -> dict[str, Timeline]:
    """Every reference of the simulated day, diagnosed at ANCHOR with the default rules."""
    requests: defaultdict[str, list[RequestRecord]] = defaultdict(list)
    postbacks: defaultdict[str, list[PostbackRecord]] = defaultdict(list)
    for record in simulation.records("requests"):
        if isinstance(record, RequestRecord) and record.order_reference_id:
            requests[record.order_reference_id].append(record)
    for record in simulation.records("postbacks"):
        if isinstance(record, PostbackRecord) and record.order_reference_id:
            postbacks[record.order_reference_id].append(record)
    return {
        reference: build_timeline(reference, requests[reference], postbacks[reference], now=ANCHOR)
        for reference in sorted(set(requests) | set(postbacks))
    }


def order_with(simulation: Simulation, *rules: str) -> str:
    """A reference of the simulated day whose findings are exactly ``rules``."""
    for reference, timeline in _timelines(simulation).items():
        if sorted(finding.rule for finding in timeline.findings) == sorted(rules):
            return reference
    raise AssertionError(f"the simulated day has no order with exactly {rules}")


def findings_text(app: App[None]) -> str:
    box = app.screen.query_one("#order-findings", VerticalScroll)
    return "\n".join(str(line.render()) for line in box.query(Static))


async def test_the_customer_never_got_the_shipping_notification(store: Store) -> None:
    shipped = undelivered_shipping(store)
    assert shipped.order_reference_id is not None
    app = console(store, order_reference=shipped.order_reference_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        text = findings_text(app)
        assert "the shipped postback never reached the customer's system" in text
        assert "the customer never got the shipping notification" in text
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


@pytest.mark.parametrize(
    ("rules", "sentence"),
    [
        (("not_received",), "but no order_received came within 30 min"),
        (("error_postback",), "the printer reported an error on printer order"),
        (("cancel_after_printed", "request_failed"), "the printer refused it"),
        (("duplicate_reference", "request_failed"), "a duplicate order reference"),
    ],
    ids=lambda value: value[0] if isinstance(value, tuple) else "",
)
async def test_each_rule_is_called_out_on_the_simulated_day(
    store: Store, simulation: Simulation, rules: tuple[str, ...], sentence: str
) -> None:
    reference = order_with(simulation, *rules)
    app = order_view(store, reference)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        assert sentence in findings_text(app)
        assert "⚠" in findings_text(app)


async def test_n_walks_from_one_finding_to_the_record_it_is_about(
    store: Store, simulation: Simulation
) -> None:
    reference = order_with(simulation, "cancel_after_printed", "request_failed")
    app = console(store, order_reference=reference)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, OrderScreen)
        timeline = screen.query_one("#timeline", OptionList)
        lines = list(screen.query(".finding").results(Static))
        assert len(lines) == len(screen.timeline.findings) == 2
        for position, finding in enumerate(screen.timeline.findings):
            await pilot.press("n")
            assert [line.has_class("-current") for line in lines] == [
                index == position for index in range(2)
            ]
            option = timeline.highlighted_option
            first = finding.records[0]
            assert option is not None and option.id == f"{first.kind}:{first.id}"
        await pilot.press("n")  # round again to the first
        assert lines[0].has_class("-current")
        await pilot.press("enter")
        opened = app.screen
        assert isinstance(opened, RecordScreen)
        assert opened.record_id == screen.timeline.findings[0].records[0].id


async def test_the_marked_records_are_the_ones_the_findings_name(
    store: Store, simulation: Simulation
) -> None:
    reference = order_with(simulation, "not_received")
    app = order_view(store, reference)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OrderScreen)
        timeline = screen.query_one("#timeline", OptionList)
        [finding] = screen.timeline.findings
        marked = [
            option.id
            for option in (timeline.get_option_at_index(i) for i in range(timeline.option_count))
            if str(option.prompt).startswith("⚠")
        ]
        assert marked == [f"requests:{finding.records[0].id}"]


async def test_thresholds_come_from_the_rules_passed_in(
    store: Store, simulation: Simulation
) -> None:
    reference = order_with(simulation, "not_received")
    patient = TimelineRules(receipt_within=timedelta(days=30))
    app = ScreenHost(lambda: OrderScreen(store, reference, UTC, now=lambda: ANCHOR, rules=patient))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "no order_received yet (expected within 30 d)" in findings_text(app)
        box = app.screen.query_one("#order-findings", VerticalScroll)
        assert box.has_class("-waiting")


async def test_the_console_opens_the_order_with_its_clock_and_rules(
    store: Store, simulation: Simulation
) -> None:
    reference = order_with(simulation, "not_received")
    patient = TimelineRules(receipt_within=timedelta(days=30))
    app = console(store, order_reference=reference, timeline_rules=patient)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, OrderScreen)
        assert screen.rules is patient
        assert [finding.rule for finding in screen.timeline.findings] == ["awaiting_receipt"]


async def test_o_from_a_record_opens_its_order_with_the_consoles_clock_and_rules(
    store: Store, simulation: Simulation
) -> None:
    reference = order_with(simulation, "not_received")
    request = _timelines(simulation)[reference].entries[0]
    patient = TimelineRules(receipt_within=timedelta(days=30))
    app = console(store, timeline_rules=patient)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        app.push_screen(RecordScreen(store, request.kind, request.id, app.zone))
        await settled(pilot)
        await pilot.press("o")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, OrderScreen)
        assert screen.reference == reference
        assert screen.rules is patient
        # Read at the console's clock, thirty days' patience: still waiting, not yet lost.
        assert [finding.rule for finding in screen.timeline.findings] == ["awaiting_receipt"]


async def test_the_timeline_is_oldest_first_and_lists_every_printer_order(
    store: Store, simulation: Simulation
) -> None:
    split = next(
        reference
        for reference, timeline in _timelines(simulation).items()
        if len(timeline.order_ids) == 2
    )
    app = order_view(store, split)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OrderScreen)
        moments = [entry.at for entry in screen.timeline.entries]
        assert moments == sorted(moments) and len(moments) >= 3
        ids = str(screen.query_one("#order-ids", Static).render())
        assert all(order_id in ids for order_id in screen.timeline.order_ids)
        first, second = screen.timeline.order_ids
        assert f"#1 {first}, #2 {second}" in ids
        # Each line says which printer order it is about, by its tag, within 80 columns.
        timeline = screen.query_one("#timeline", OptionList)
        lines = [str(timeline.get_option_at_index(i).prompt) for i in range(timeline.option_count)]
        tagged = {line.split()[-1] for line in lines if "failed" not in line}
        assert tagged == {"#1", "#2"}
        assert all(len(line) <= 76 for line in lines if "failed" not in line)


async def test_an_order_that_went_well_says_so(store: Store, simulation: Simulation) -> None:
    reference = order_with(simulation)
    app = order_view(store, reference)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "nothing missing" in findings_text(app)
        await pilot.press("n")
        assert not list(app.screen.query(".-current"))


async def test_an_order_nobody_knows_says_what_to_check(store: Store) -> None:
    app = order_view(store, "NO-SUCH-ORDER")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter", "n")
        assert "no record has the order reference NO-SUCH-ORDER" in findings_text(app)
        assert "widen the sync" not in findings_text(app)
        assert isinstance(app.screen, OrderScreen)
