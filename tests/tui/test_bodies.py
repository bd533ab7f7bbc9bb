"""Bodies read like a pretty-printer's output, and every pane's title fits with its stage's name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from orderdesk import strings
from orderdesk.core.records import HttpMessage
from orderdesk.core.store import Store
from orderdesk.tui.app import stylesheet_path
from orderdesk.tui.record_stages import STAGES
from orderdesk.tui.widgets.body_view import BodyView, body_view
from orderdesk.tui.widgets.body_wrap import breaks
from orderdesk.tui.widgets.large_body import LargeBodyView
from orderdesk.tui.widgets.stage_pane import StagePane
from tests.record_factory import T0, request
from tests.tui.tui_console import drill_down, screen_text

URL = "https://cdn.pixelpress.example/print-files/c31e2a8f0927/[bold]proof[/bold]\x1b[5m.pdf"
XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<OrderStatusUpdate xmlns="urn:northwind:fulfillment:v2">'
    "<MessageId>os_f9ca8c8ccd1138f4b14a9d44</MessageId>"
    "<SupplierOrderId>80d7f0b1-55cb-47f8-8d25-80009cc2ccad</SupplierOrderId>"
    "<StatusText>In transit with UPS Standard</StatusText>"
    "<TrackingUrl>https://www.ups.com/track?tracknum=1Z999AA11045701765</TrackingUrl>"
    "</OrderStatusUpdate>"
)


def _posted(url: str, content_type: str, body: str) -> HttpMessage:
    return HttpMessage(
        at=T0,
        method="POST",
        url=url,
        headers={"Content-Type": content_type},
        content_type=content_type,
        body=body,
    )


def bodies_store(path: Path) -> Store:
    """A request whose JSON carries a long URL, and whose Final request is long-tagged XML."""
    original = _posted(
        "https://intake.a-very-long-host-name-for-an-intake-service.example/v1/orders",
        "application/json",
        json.dumps({"order": {"items": [{"file_url": URL, "quantity": 25}]}}),
    )
    final = _posted(
        "https://erp.northwind-trading-fulfilment-gateway.example/status", "application/xml", XML
    )
    store = Store.open(path)
    store.save_page("requests", [request(1, original=original, final=final)], None)
    return store


class Viewer(App[None]):
    """One body view, in the app's styles."""

    CSS_PATH = stylesheet_path()

    def __init__(self, view: BodyView | LargeBodyView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        yield self.view


def rows_of(view: BodyView | LargeBodyView) -> list[str]:
    """Every row the view draws, scrolled through from the top."""
    rows: list[str] = []
    height = view.scrollable_content_region.height
    for top in range(0, view.virtual_size.height, height):
        view.scroll_to(y=top, animate=False, immediate=True)
        visible = min(height, view.virtual_size.height - top)
        rows.extend(view.render_line(y).text.rstrip() for y in range(visible))
    return rows


def views() -> list[tuple[str, BodyView | LargeBodyView]]:
    """The same XML in both views: the highlighted one and the one for huge bodies."""
    small = body_view(XML, "application/xml")
    assert isinstance(small, BodyView)
    return [("text area", small), ("large body", LargeBodyView(small.text))]


@pytest.mark.parametrize("width", [30, 50, 80])
@pytest.mark.parametrize("kind", ["text area", "large body"])
async def test_wrapped_xml_keeps_its_tags_whole_and_adds_no_blank_row(
    kind: str, width: int
) -> None:
    view = dict(views())[kind]
    app = Viewer(view)
    async with app.run_test(size=(width, 40)) as pilot:
        await pilot.pause()
        lines = view.text.split("\n")
        assert len(lines) > 5, "pretty-printed"
        rows = rows_of(view)
        assert len(rows) > len(lines), "some lines wrap at this width"
        assert "" not in rows, rows
        # Rows break between attributes or before a tag: every tag's name is whole on a row.
        for tag in set(re.findall(r"</?[\w:]+>?", view.text)):
            assert any(tag in row for row in rows), (tag, rows)


@pytest.mark.parametrize("kind", ["text area", "large body"])
async def test_wrapped_rows_hang_under_their_lines_content(kind: str) -> None:
    body = json.dumps({"order": {"items": [{"file_url": URL}]}})
    small = body_view(body, "application/json")
    view = small if kind == "text area" else LargeBodyView(small.text)
    app = Viewer(view)
    async with app.run_test(size=(40, 30)) as pilot:
        await pilot.pause()
        rows = rows_of(view)
        start = next(number for number, row in enumerate(rows) if '"file_url"' in row)
        indent = len(rows[start]) - len(rows[start].lstrip())
        continued = rows[start + 1 : start + 4]
        assert continued[0].lstrip().startswith('"https://')
        for row in continued[:2]:
            assert len(row) - len(row.lstrip()) == indent + 2, rows
        # Markup and escapes in the body are text: on screen as JSON spells them.
        assert "[bold]proof[/bold]\\u001b[5m.pdf" in "".join(row.strip() for row in rows)
        assert not any("\x1b" in row for row in rows)


def test_no_row_starts_inside_a_lines_indentation() -> None:
    line = " " * 8 + '"productUid": "flat_product_pf_a4_pt_200-gsm-uncoated_cl_4-0"'
    cuts = breaks(line, 30)
    assert cuts and cuts[0] > 8
    assert line[: cuts[0]].strip() == '"productUid":'


async def test_the_body_is_indented_like_the_headers_in_a_drill_down(tmp_path: Path) -> None:
    with bodies_store(tmp_path / "bodies.db") as store:
        app = drill_down(store, "req_000001")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            text = screen_text(app).splitlines()
            header = next(line for line in text if "Content-Type:" in line)
            body = next(line for line in text if line.strip("│ ") == "{")
            assert header.index("Content-Type") == body.index("{")


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)], ids=["tabs", "grid", "side"])
async def test_every_pane_title_fits_and_names_its_stage_whole(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    with bodies_store(tmp_path / "titles.db") as store:
        app = drill_down(store, "req_000001")
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            panes = list(app.screen.query(StagePane))
            assert [pane.stage.name for pane in panes] == list(STAGES)
            text = screen_text(app)
            for pane in panes:
                if not pane.display or pane.size.width == 0:
                    continue  # a hidden tab
                plain = str(pane.border_title)
                full_name = pane.stage.title.plain.split(" · ")[0]
                names = (strings.STAGE_TABS[pane.stage.name], full_name)
                assert plain.startswith(names), plain
                assert len(plain) <= pane.outer_size.width - 6, (plain, pane.outer_size.width)
                assert plain in text, plain
