"""``orderdesk order REF``: one order's timeline and findings, as a table, JSON or Markdown.

As with the lists, nothing from the store reaches the terminal raw: the
table shows control characters as escapes, and JSON is ASCII only. Markdown
is pasted into tickets, where store text must stay text: every character
Markdown could read as structure (a table's pipe, a code span, emphasis, a
link, HTML, a heading) is escaped with a backslash. The summary for the
customer is ``orderdesk.customer_summary``'s.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

from orderdesk import i18n, strings
from orderdesk.action_words import action_story
from orderdesk.cli.empty_list import unknown_reference
from orderdesk.config import Settings, require_store
from orderdesk.core.action_records import ActionRecord
from orderdesk.core.action_trail import actions_of_reference
from orderdesk.core.empty_result import store_is_empty
from orderdesk.core.errors import InputError
from orderdesk.core.records import format_timestamp
from orderdesk.core.store import Store
from orderdesk.core.text import show_controls
from orderdesk.core.timeline import (
    MAX_RECORDS,
    Timeline,
    TimelineEntry,
    build_timeline,
    reference_records,
)
from orderdesk.core.timeline_rules import Finding, TimelineRules
from orderdesk.core.timerange import describe_duration, resolve_zone
from orderdesk.customer_summary import customer_summary
from orderdesk.findings import finding_sentence

__all__ = [
    "REPORT_FORMATS",
    "ReportFormat",
    "markdown_text",
    "print_order",
    "timeline_json",
    "timeline_markdown",
    "timeline_table",
]

ReportFormat = Literal["table", "json", "markdown", "summary"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("table", "json", "markdown", "summary")

_ENTRY_COLUMNS = (
    "time",
    "record",
    "what",
    "status",
    "code",
    "attempts",
    "printer order",
    "id",
    "detail",
)


def _seconds(span: timedelta | None) -> float | None:
    return span.total_seconds() if span is not None else None


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "at": format_timestamp(finding.at),
        "message": finding_sentence(finding, format_timestamp),
        "records": [{"kind": ref.kind, "id": ref.id} for ref in finding.records],
        "record_ids": list(finding.record_ids),
        "order_id": finding.order_id,
        "detail": finding.detail,
        "threshold_seconds": _seconds(finding.threshold),
        "waited_seconds": _seconds(finding.waited),
    }


def _entry_json(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "id": entry.id,
        "at": format_timestamp(entry.at),
        "subject": entry.subject,
        "status": entry.status,
        "http_status": entry.http_status,
        "attempts": entry.attempts,
        "order_id": entry.order_id,
        "failed": entry.failed,
        "detail": entry.detail,
    }


def timeline_json(timeline: Timeline, rules: TimelineRules) -> str:
    """The timeline for scripts: entries oldest first, findings, and the thresholds used."""
    document = {
        "reference": timeline.reference,
        "order_ids": timeline.order_ids,
        "customers": timeline.customers,
        "printers": timeline.printers,
        "truncated": timeline.truncated,
        "thresholds_seconds": {
            "receipt_within": _seconds(rules.receipt_within),
            "delivery_within": _seconds(rules.delivery_within),
            "retrying_after": _seconds(rules.retrying_after),
            "duplicate_within": _seconds(rules.duplicate_within),
        },
        "entries": [_entry_json(entry) for entry in timeline.entries],
        "findings": [_finding_json(finding) for finding in timeline.findings],
        # Log API 1.1: the redeliveries and resubmits taken on the order, in the contract's shape.
        "actions": [action.model_dump(mode="json") for action in timeline.actions],
    }
    # ASCII only, so no escape sequence from the store is ever written raw.
    return json.dumps(document, ensure_ascii=True, indent=2) + "\n"


def _entry_cells(entry: TimelineEntry, zone: tzinfo) -> tuple[str, ...]:
    cells = (
        _moment(entry.at, zone),
        strings.TIMELINE_KIND[entry.kind],
        entry.subject,
        ("✗ " if entry.failed else "") + entry.status,
        str(entry.http_status) if entry.http_status is not None else "-",
        str(entry.attempts),
        entry.order_id or "-",
        entry.id,
        entry.detail or "",
    )
    return tuple(show_controls(cell) for cell in cells)


def _moment(moment: datetime, zone: tzinfo) -> str:
    return i18n.format_moment(moment.astimezone(zone))


def timeline_table(timeline: Timeline, zone: tzinfo, *, width: int) -> str:
    """The header, the entries as aligned columns, then the findings, all cut to ``width``."""
    lines = [
        strings.ORDER_HEADER.format(
            reference=timeline.reference,
            customers=", ".join(timeline.customers) or "-",
            printers=", ".join(timeline.printers) or "-",
            zone=_zone_name(zone, timeline),
        ),
        strings.ORDER_REPORT_IDS.format(ids=", ".join(timeline.order_ids))
        if timeline.order_ids
        else strings.ORDER_NO_IDS,
        "",
    ]
    headers = strings.REPORT_COLUMNS
    rows = [tuple(headers[column] for column in _ENTRY_COLUMNS)]
    rows += [_entry_cells(entry, zone) for entry in timeline.entries]
    widths = [min(max(len(row[i]) for row in rows), 40) for i in range(len(_ENTRY_COLUMNS))]
    for row in rows:
        cells = [cell[:size].ljust(size) for cell, size in zip(row, widths, strict=True)]
        # Rows are cut at the terminal's edge, never wrapped; the sentences below wrap.
        lines.append("  ".join(cells).rstrip()[:width])
    lines.append("")
    if not timeline.findings:
        lines.append(strings.ORDER_REPORT_NO_FINDINGS)
    else:
        lines.append(strings.ORDER_REPORT_FINDINGS.format(count=len(timeline.findings)))
    for finding in timeline.findings:
        mark = "!" if finding.severity == "problem" else "~"
        sentence = finding_sentence(finding, lambda moment: _moment(moment, zone))
        ids = strings.FINDING_RECORDS.format(ids=", ".join(finding.record_ids) or "-")
        threshold = f" [{describe_duration(finding.threshold)}]" if finding.threshold else ""
        lines.append(f"{mark} {_moment(finding.at, zone)}  {finding.rule}{threshold}")
        lines.append(f"    {sentence}")
        lines.append(f"    {ids}")
    if timeline.actions:
        lines += ["", strings.ORDER_REPORT_ACTIONS.format(count=len(timeline.actions))]
    for action in timeline.actions:
        mark = "✗" if action.status == "failed" else "↻"
        lines.append(f"{mark} {_moment(action.created_at, zone)}  {action_story(action)}")
        lines.append(f"    {_action_on(action)}")
    if timeline.truncated:
        lines.append(strings.ORDER_TRUNCATED.format(count=MAX_RECORDS))
    return "\n".join(show_controls(line) for line in lines) + "\n"


def _action_on(action: ActionRecord) -> str:
    """What an action acted on, and why its actor says it did."""
    return strings.ORDER_REPORT_ACTION_ON.format(
        kind=action.target.kind, id=action.target.id, reason=action.reason
    )


# What CommonMark and GitHub's Markdown read as structure anywhere in a line: escapes, code
# spans, emphasis and strikethrough, links and images (which need a "["), HTML and autolinks,
# entities, table cells and math; and "#", which ends or starts a heading. Store text never
# starts a line here, and its line breaks are shown as escapes, so nothing else can act.
_MARKDOWN = re.compile(r"([\\`*_~\[\]<>&|$#])")


def markdown_text(text: str) -> str:
    """Store text (or a sentence holding it) as Markdown that shows it literally, on one line."""
    return _MARKDOWN.sub(r"\\\1", show_controls(text))


def _markdown_row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def timeline_markdown(timeline: Timeline, zone: tzinfo) -> str:
    """The report to paste into a ticket: a heading, the printer orders, the timeline, findings."""
    md = markdown_text
    heading = strings.ORDER_HEADER.format(
        reference=timeline.reference,
        customers=", ".join(timeline.customers) or "-",
        printers=", ".join(timeline.printers) or "-",
        zone=_zone_name(zone, timeline),
    )
    ids = (
        strings.ORDER_REPORT_IDS.format(ids=", ".join(timeline.order_ids))
        if timeline.order_ids
        else strings.ORDER_NO_IDS
    )
    lines = [f"## {md(heading)}", "", md(ids), ""]
    if timeline.truncated:
        lines += [f"> ⚠ {md(strings.ORDER_TRUNCATED.format(count=MAX_RECORDS))}", ""]
    headers = strings.REPORT_COLUMNS
    lines += [f"### {md(strings.MARKDOWN_TIMELINE)}", ""]
    lines.append(_markdown_row(md(headers[column]) for column in _ENTRY_COLUMNS))
    lines.append(_markdown_row("---" for _ in _ENTRY_COLUMNS))
    lines += [
        _markdown_row(md(cell) for cell in _entry_cells(entry, zone)) for entry in timeline.entries
    ]
    lines.append("")
    if not timeline.findings:
        lines.append(md(strings.ORDER_REPORT_NO_FINDINGS))
    else:
        lines += [f"### {md(strings.MARKDOWN_FINDINGS.format(count=len(timeline.findings)))}", ""]
    for finding in timeline.findings:
        mark = "⚠" if finding.severity == "problem" else "…"
        sentence = finding_sentence(finding, lambda moment: _moment(moment, zone))
        ids_line = strings.FINDING_RECORDS.format(ids=", ".join(finding.record_ids) or "-")
        when = _moment(finding.at, zone)
        lines.append(f"- {mark} **{md(when)}** {md(sentence)} ({md(ids_line)})")
    if timeline.actions:
        count = len(timeline.actions)
        lines += ["", f"### {md(strings.MARKDOWN_ACTIONS.format(count=count))}", ""]
    for action in timeline.actions:
        mark = "✗" if action.status == "failed" else "↻"
        when = _moment(action.created_at, zone)
        lines.append(
            f"- {mark} **{md(when)}** {md(action_story(action))} ({md(_action_on(action))})"
        )
    return "\n".join(lines) + "\n"


def _zone_name(zone: tzinfo, timeline: Timeline) -> str:
    moment = timeline.entries[0].at if timeline.entries else None
    name = zone.tzname(moment.astimezone(zone) if moment is not None else None)
    return name or str(zone)


def print_order(settings: Settings, reference: str, output: ReportFormat) -> None:
    """Print one order's report to stdout; an unknown reference is an InputError."""
    zone = resolve_zone(settings.tz)
    rules = settings.timeline_rules()
    require_store(settings.db)
    now = datetime.now(UTC)
    with Store.open(settings.db) as store:
        requests, postbacks, truncated = reference_records(store, reference)
        timeline = build_timeline(
            reference,
            requests,
            postbacks,
            now=now,
            rules=rules,
            truncated=truncated,
            actions=actions_of_reference(store, reference),
        )
        if not timeline.entries:
            if store_is_empty(store):
                raise InputError(strings.STORE_EMPTY.format(db=store.shown_url))
            raise InputError(unknown_reference(store, reference))
    if output == "json":
        sys.stdout.write(timeline_json(timeline, rules))
    elif output == "markdown":
        sys.stdout.write(timeline_markdown(timeline, zone))
    elif output == "summary":
        summary = customer_summary(
            reference, requests, postbacks, zone, now=now, rules=rules, truncated=truncated
        )
        sys.stdout.write(summary + "\n")
    else:
        width = shutil.get_terminal_size((200, 24)).columns if sys.stdout.isatty() else 10_000
        sys.stdout.write(timeline_table(timeline, zone, width=width))
    sys.stdout.flush()
