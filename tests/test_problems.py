"""What is going wrong, and for whom: causes, groups and findings across every order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from orderdesk.core.causes import finding_cause, normalise
from orderdesk.core.problems import (
    FindingCursor,
    FindingQuery,
    ProblemGroup,
    open_finding_references,
    open_findings,
    problem_groups,
    problem_state,
)
from orderdesk.core.records import HttpResponse, Party, RecordError, RequestRecord
from orderdesk.core.schema import TABLES
from orderdesk.core.store import Store
from tests.record_factory import ACME, GLOBEX, PRINTER, T0, postback, request

LATER = T0 + timedelta(hours=2)
SINCE = T0 - timedelta(hours=1)


def undefined(number: int, name: str, *, customer: Party = ACME) -> RequestRecord:
    """A submit whose template used a field the order does not have."""
    error = RecordError(
        stage="template",
        code="template_undefined",
        message=f"UndefinedError: '{name}' is undefined",
    )
    return request(
        number,
        at=T0 + timedelta(minutes=number),
        status="failed",
        error=error,
        customer=customer,
        printer=None,
        final=None,
        response=None,
    )


def refused(number: int) -> RequestRecord:
    """A submit the printer refused as a duplicate of its own reference."""
    text = f"Order with orderReferenceId 'ORD-{number}' already exists"
    return request(
        number,
        at=T0 + timedelta(minutes=number),
        status="failed",
        error=RecordError(stage="printer", code="duplicate_order_reference", message=text),
    )


class TestCauses:
    """One fault, one cause: what names the order is taken out, what names the fault stays."""

    @pytest.mark.parametrize(
        ("detail", "cause"),
        [
            (
                "template: UndefinedError: 'shipping_address' is undefined",
                "template: UndefinedError: '<name>' is undefined",
            ),
            (
                "printer: Order 3f2a1b4c-1234-4abc-8def-0123456789ab cannot be canceled: "
                "it has already been printed",
                "printer: Order <id> cannot be canceled: it has already been printed",
            ),
            (
                "delivery: orders.druckhaus-leipzig.example:443 refused the connection",
                "delivery: <host>:<n> refused the connection",
            ),
            (
                "delivery: Druckhaus Leipzig answered 503 Service Unavailable",
                "delivery: <printer> answered 503 Service Unavailable",
            ),
            (
                "validation: shippingAddress.addressLine1 is 66 characters long; the maximum is 35",
                "validation: shippingAddress.addressLine1 is <n> characters long; "
                "the maximum is <n>",
            ),
            (
                "validation: File https://uploads.example/tmp/79d57ca0.png?X-Amz-Signature=79d5 "
                "could not be downloaded: HTTP 403 Forbidden (item 3460225011)",
                "validation: File <url> could not be downloaded: HTTP 403 Forbidden (item <n>)",
            ),
        ],
    )
    def test_a_request_error_keeps_its_stage_and_loses_its_particulars(
        self, detail: str, cause: str
    ) -> None:
        assert finding_cause("request_failed", detail, printer="Druckhaus Leipzig") == cause

    def test_a_webhook_answer_keeps_its_status_code(self) -> None:
        assert finding_cause("undelivered", "HTTP 500") == "webhook: HTTP 500"
        assert finding_cause("delivery_retrying", "HTTP 503") == "webhook: HTTP 503"
        assert finding_cause("shipped_undelivered", "timeout") == "webhook: timeout"

    def test_the_order_s_own_reference_and_id_are_placeholders(self) -> None:
        cause = finding_cause(
            "error_postback",
            "Order PO-77 of MT1042 damaged",
            reference="MT1042",
            order_id="PO-77",
        )
        assert cause == "printer: Order <order> of <ref> damaged"

    def test_no_detail_is_no_cause(self) -> None:
        assert finding_cause("not_received", None) is None
        assert finding_cause("request_failed", "   ") is None

    def test_a_cause_stays_on_one_line_and_is_cut_when_long(self) -> None:
        assert normalise("a\nb\tc") == "a b c"
        assert len(normalise("x" * 500)) == 200


def _save(store: Store, *records: RequestRecord) -> None:
    store.save_page("requests", list(records), None)


class TestGroups:
    """The open problems, one group per rule, customer, printer and cause."""

    def test_one_fault_in_three_orders_is_one_group(self, store_url: str) -> None:
        with Store.open(store_url) as store:
            _save(store, undefined(1, "shipping"), undefined(2, "phone"), undefined(3, "sku"))
            (group,) = problem_groups(store, now=LATER, since=SINCE)
        assert group.rule == "request_failed"
        assert group.cause == "template: UndefinedError: '<name>' is undefined"
        assert (group.orders, group.findings) == (3, 3)
        assert group.customer == ACME and group.printer is None
        assert group.first_seen == T0 + timedelta(minutes=1, seconds=2)
        assert group.last_seen == T0 + timedelta(minutes=3, seconds=2)
        assert sum(group.buckets) == 3

    def test_two_customers_are_two_groups(self, store_url: str) -> None:
        with Store.open(store_url) as store:
            _save(store, undefined(1, "a"), undefined(2, "b"), undefined(3, "c", customer=GLOBEX))
            groups = problem_groups(store, now=LATER, since=SINCE)
        assert [(g.customer.id, g.orders) for g in groups] == [("cus_acme", 2), ("cus_globex", 1)]

    def test_two_causes_are_two_groups_most_orders_first(self, tmp_path: Path) -> None:
        with Store.open(tmp_path / "orderdesk.db") as store:
            _save(store, undefined(1, "a"), refused(2), refused(3))
            groups = problem_groups(store, now=LATER, since=SINCE)
        assert [(g.cause, g.orders) for g in groups] == [
            ("printer: Order with orderReferenceId '<name>' already exists", 2),
            ("template: UndefinedError: '<name>' is undefined", 1),
        ]
        assert groups[0].printer == PRINTER

    def test_problems_come_before_notices_and_notices_only_when_asked(self, tmp_path: Path) -> None:
        with Store.open(tmp_path / "orderdesk.db") as store:
            _save(store, request(1), request(2), undefined(3, "a"))
            soon = T0 + timedelta(minutes=10)
            assert [g.rule for g in problem_groups(store, now=soon, since=SINCE)] == [
                "request_failed"
            ]
            both = problem_groups(store, now=soon, since=SINCE, severities=("problem", "notice"))
        assert [(g.rule, g.severity, g.orders) for g in both] == [
            ("request_failed", "problem", 1),
            ("awaiting_receipt", "notice", 2),
        ]

    def test_the_time_range_and_the_parties_narrow_the_groups(self, tmp_path: Path) -> None:
        with Store.open(tmp_path / "orderdesk.db") as store:
            _save(store, undefined(1, "a"), undefined(50, "b", customer=GLOBEX))
            late = T0 + timedelta(minutes=30)
            assert [g.orders for g in problem_groups(store, now=LATER, since=late)] == [1]
            named = problem_groups(store, now=LATER, since=SINCE, customers=("globex shop",))
            assert [g.customer.id for g in named] == ["cus_globex"]
            assert problem_groups(store, now=LATER, since=SINCE, printers=("prn_x",)) == []

    def test_a_group_is_new_then_ongoing_then_quiet(self) -> None:
        group = ProblemGroup(
            rule="undelivered",
            severity="problem",
            customer=ACME,
            printer=PRINTER,
            cause="webhook: HTTP 500",
            orders=2,
            findings=2,
            first_seen=T0,
            last_seen=T0 + timedelta(minutes=10),
            buckets=(1, 1),
            bucket_start=T0,
            bucket_step=timedelta(minutes=5),
        )
        assert problem_state(group, now=T0 + timedelta(minutes=11), last_looked=T0) == "new"
        looked = T0 + timedelta(minutes=5)
        assert group.state(now=T0 + timedelta(minutes=11), last_looked=looked) == "ongoing"
        assert group.state(now=T0 + timedelta(minutes=40), last_looked=looked) == "quiet"


class TestOrdersByFinding:
    """The orders with an open finding of a rule, a stable page at a time."""

    def test_pages_follow_one_another_while_newer_findings_arrive(self, store_url: str) -> None:
        with Store.open(store_url) as store:
            _save(store, *(undefined(n, "x") for n in range(1, 8)))
            query = FindingQuery(rules=("request_failed",))
            first = open_findings(store, query, now=LATER, limit=3)
            _save(store, undefined(60, "x"))
            rest: list[str] = []
            after = FindingCursor.after(first[-1], LATER)
            while page := open_findings(store, query, now=LATER, after=after, limit=3):
                rest += [span.reference for span in page]
                after = FindingCursor.after(page[-1], LATER)
        assert [span.reference for span in first] == ["ORD-7", "ORD-6", "ORD-5"]
        assert rest == ["ORD-4", "ORD-3", "ORD-2", "ORD-1"]

    def test_a_time_bound_finding_is_listed_only_once_it_falls_due(self, tmp_path: Path) -> None:
        with Store.open(tmp_path / "orderdesk.db") as store:
            _save(store, request(1))
            query = FindingQuery(rules=("not_received",))
            early = T0 + timedelta(minutes=29)
            assert open_findings(store, query, now=early) == []
            (awaited,) = open_findings(store, FindingQuery(), now=early)
            assert awaited.at(early).rule == "awaiting_receipt"
            assert awaited.at(early).at == T0 + timedelta(milliseconds=5)
            (span,) = open_findings(store, query, now=LATER)
        assert span.reference == "ORD-1" and span.customer == ACME
        assert span.at(LATER).waited == LATER - T0 - timedelta(milliseconds=5)

    def test_the_references_with_an_open_finding_filter_a_record_query(
        self, store_url: str
    ) -> None:
        retrying = postback(
            2,
            status="retrying",
            attempts=[HttpResponse(at=T0, status_code=500)],
            response=HttpResponse(at=T0, status_code=500),
        )
        with Store.open(store_url) as store:
            _save(store, request(1), request(2), request(3))
            store.save_page("postbacks", [retrying, postback(3, event="order_received")], None)
            table = TABLES["requests"]
            with store.engine.connect() as connection:

                def references(rule: str) -> list[str]:
                    chosen = table.c.order_reference_id.in_(
                        open_finding_references(rule, now=LATER)
                    )
                    query = select(table.c.order_reference_id).where(chosen)
                    return sorted(connection.execute(query).scalars())

                assert references("not_received") == ["ORD-1", "ORD-2"]
                soon = open_finding_references("awaiting_receipt", now=T0 + timedelta(minutes=5))
                query = select(table.c.order_reference_id).where(
                    table.c.order_reference_id.in_(soon)
                )
                assert sorted(connection.execute(query).scalars()) == ["ORD-1", "ORD-2"]
                assert references("shipped_undelivered") == ["ORD-2"]
                assert references("request_failed") == []
