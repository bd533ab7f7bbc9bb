"""The filter language: what a query means, which records it finds, and that no text crashes it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk.core.errors import FilterSyntaxError, InputError
from orderdesk.core.filter_completion import completions
from orderdesk.core.filter_language import (
    Filter,
    Term,
    format_filter,
    narrow,
    parse,
)
from orderdesk.core.parties import known_parties
from orderdesk.core.queries import RecordQuery, count, list_summaries
from orderdesk.core.records import HttpMessage, HttpResponse, Kind, Party
from orderdesk.core.store import Store
from tests.record_factory import GLOBEX, T0, failed_request, postback, request

OSLO = Party(id="prn_oslo", name="Oslo Trykk")
MAPLE = Party(id="cus_maple", name="Maple Threads")


def answer(code: int) -> HttpResponse:
    return HttpResponse(at=T0, status_code=code, body="{}", duration_ms=10)


def note(text: str) -> HttpMessage:
    return HttpMessage(at=T0, method="POST", url="https://x.example/", body=text)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """Six requests and four postbacks over customers, printers, statuses and codes."""
    hour = timedelta(hours=1)
    with Store.open(store_url) as opened:
        opened.save_page(
            "requests",
            [
                request(1, at=T0),
                failed_request(2, at=T0 + hour),
                request(3, at=T0 + 2 * hour, customer=GLOBEX, action="cancel"),
                request(4, at=T0 + 3 * hour, status="pending", response=None),
                request(
                    5,
                    at=T0 + 4 * hour,
                    customer=MAPLE,
                    status="failed",
                    error=failed_request().error,
                    response=answer(503),
                ),
                request(6, at=T0 + 5 * hour, printer=OSLO, original=note("gift wrap, please")),
            ],
            None,
        )
        opened.save_page(
            "postbacks",
            [
                postback(1, at=T0, event="order_received"),
                postback(2, at=T0 + hour, status="retrying", response=answer(500)),
                postback(3, at=T0 + 2 * hour, status="failed", customer=GLOBEX),
                postback(4, at=T0 + 3 * hour, printer=OSLO, original=note("wrap gift")),
            ],
            None,
        )
        yield opened


def found(store: Store, kind: Kind, text: str) -> str:
    """The numbers of the records a query finds, newest first: "521"."""
    query = narrow(RecordQuery(kind), parse(text, kind))
    numbers = "".join(summary.id[-1] for summary in list_summaries(store, query))
    assert count(store, query) == len(numbers)
    return numbers


class TestWhatAQueryFinds:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("", "654321"),
            ("status:failed", "52"),
            ("STATUS:Failed,pending", "542"),
            ("stat:failed", "52"),
            ("-status:succeeded", "542"),
            ("-status:succeeded,pending", "52"),
            ("status:failed -status:failed", ""),
            ("action:cancel", "3"),
            ("-action:cancel", "65421"),
            ("customer:cus_globex", "3"),
            ("customer:globex", "3"),
            ('customer:"maple threads"', "5"),
            ("customer:maple,globex", "53"),
            ("-customer:acme", "53"),
            ("customer:nobody", ""),
            ("printer:oslo", "6"),
            ("-printer:oslo", "54321"),
            ("code:5xx", "5"),
            ("code:4xx", "2"),
            ("code:422", "2"),
            ("code:400-599", "52"),
            ("code:2xx", "631"),
            ("-code:2xx", "542"),
            ("-code:5xx,4xx", "6431"),
            ("order:ORD-4", "4"),
            ("order:ORD-4,ORD-6", "64"),
            ("-order:ORD-4", "65321"),
            ("id:req_000003", "3"),
            ("-id:req_000003", "65421"),
            ("ORD-4", "4"),
            ("gift", "6"),
            ('"gift wrap"', "6"),
            ('"wrap gift"', ""),
            ("wrap gift", "6"),
            ("ORD-*", "654321"),
            ("-ORD-4", "65321"),
            ('-"gift wrap"', "54321"),
            ("tshirt -gift", "54321"),
            ("status:failed customer:acme", "2"),
            ("status:failed,succeeded -customer:acme code:5xx", "5"),
            ("-", ""),  # punctuation alone finds nothing, as a search
        ],
    )
    def test_requests(self, store: Store, text: str, expected: str) -> None:
        assert found(store, "requests", text) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("event:shipped", "432"),
            ("event:order_received", "1"),
            ("-event:shipped", "1"),
            ("status:failed,retrying", "32"),
            ("code:5xx", "2"),
            ("-code:5xx", "431"),
            ("printer:oslo event:shipped", "4"),
            ('"wrap gift"', "4"),
            ('"gift wrap"', ""),
        ],
    )
    def test_postbacks(self, store: Store, text: str, expected: str) -> None:
        assert found(store, "postbacks", text) == expected

    def test_the_query_narrows_the_other_filters(self, store: Store) -> None:
        base = RecordQuery("requests", statuses=("failed", "pending"), customers=("Acme Prints",))
        query = narrow(base, parse("status:failed,succeeded", "requests"))
        assert query.statuses == ("failed",)
        assert [s.id for s in list_summaries(store, query)] == ["req_000002"]
        apart = narrow(
            RecordQuery("requests", statuses=("pending",)), parse("status:failed", "requests")
        )
        assert list_summaries(store, apart) == []

    def test_known_parties(self, store: Store) -> None:
        assert known_parties(store, "requests", "printer") == [
            ("prn_berlin", "Berlin Print Works"),
            ("prn_oslo", "Oslo Trykk"),
        ]
        assert [i for i, _ in known_parties(store, "requests", "customer")] == [
            "cus_acme",
            "cus_globex",
            "cus_maple",
        ]


class TestParsing:
    @pytest.mark.parametrize(
        ("text", "terms"),
        [
            ("status:failed", [Term("status", ("failed",))]),
            ("St:FAILED,Pending", [Term("status", ("failed", "pending"))]),
            ("-cust:acme", [Term("customer", ("acme",), negated=True)]),
            ('customer:"Maple Threads",acme', [Term("customer", ("Maple Threads", "acme"))]),
            ("code:5XX", [Term("code", ("5xx",))]),
            ("ORD-1 -door", [Term(None, ("ORD-1",)), Term(None, ("door",), negated=True)]),
            ('"exact phrase"', [Term(None, ("exact phrase",), phrase=True)]),
            ("12:30 req_1:x", [Term(None, ("12:30",)), Term(None, ("req_1:x",))]),
            ("- x", [Term(None, ("-",)), Term(None, ("x",))]),
        ],
    )
    def test_terms(self, text: str, terms: list[Term]) -> None:
        assert parse(text, "requests") == Filter(tuple(terms))

    def test_the_issue_example(self) -> None:
        text = (
            "status:failed,retrying customer:acme event:shipped code:5xx printer:oslo "
            'order:SHOP-1001 -status:delivered "exact phrase"'
        )
        parsed = parse(text, "postbacks")
        assert [(t.field, t.values, t.negated) for t in parsed.terms] == [
            ("status", ("failed", "retrying"), False),
            ("customer", ("acme",), False),
            ("event", ("shipped",), False),
            ("code", ("5xx",), False),
            ("printer", ("oslo",), False),
            ("order", ("SHOP-1001",), False),
            ("status", ("delivered",), True),
            (None, ("exact phrase",), False),
        ]
        query = narrow(RecordQuery("postbacks"), parsed)
        assert query.http_statuses == ((500, 599),)
        assert query.not_statuses == ("delivered",)
        assert query.search == ("exact phrase",)

    @pytest.mark.parametrize(
        ("text", "position", "message"),
        [
            ("stauts:failed", 0, "unknown field 'stauts' at 1: did you mean status?"),
            ("ORD-1 c:x", 6, "field 'c' at 7 could be customer or code"),
            (
                "status:faild",
                7,
                "status 'faild' at 8 is not one of pending, succeeded, failed: "
                "did you mean failed?",
            ),
            ("x status:", 9, "status needs a value at 10"),
            ("status:failed,", 14, "status needs a value at 15"),
            ('ORD-1 "gift wrap', 6, "the quote at 7 is never closed"),
            ('customer:"Maple', 9, "the quote at 10 is never closed"),
            ('customer:"Maple"x', 16, "unexpected 'x' at 17"),
            ("code:500,5x", 9, "code '5x' at 10 is not an HTTP status"),
            ("code:599-500", 5, "code '599-500' at 6 is not an HTTP status"),
            ("event:shipped", 0, "event at 1 is for postbacks"),
            ("http://x", 0, "unknown field 'http' at 1"),
        ],
    )
    def test_a_mistake_says_where_and_what_to_write(
        self, text: str, position: int, message: str
    ) -> None:
        with pytest.raises(FilterSyntaxError) as raised:
            parse(text, "requests")
        assert raised.value.position == position
        assert message in str(raised.value)
        assert isinstance(raised.value, InputError)

    def test_actions_are_for_requests(self) -> None:
        with pytest.raises(FilterSyntaxError, match="action at 1 is for requests"):
            parse("action:submit", "postbacks")
        with pytest.raises(FilterSyntaxError, match="did you mean retrying"):
            parse("status:retryng", "postbacks")

    @settings(max_examples=500, deadline=None)
    @given(text=st.text())
    def test_no_text_crashes_the_parser(self, text: str) -> None:
        self.parses_or_explains(text)

    @settings(max_examples=500, deadline=None)
    @given(
        text=st.lists(
            st.sampled_from(
                [
                    '"',
                    "-",
                    ":",
                    ",",
                    " ",
                    "status",
                    "st",
                    "c",
                    "code",
                    "5xx",
                    "500-503",
                    "failed",
                    "x",
                    "é",
                    "\t",
                    "ORD-1",
                    "*",
                    "customer",
                    '""',
                ]
            ),
            max_size=12,
        ).map("".join)
    )
    def test_no_query_made_of_its_own_pieces_crashes_it(self, text: str) -> None:
        self.parses_or_explains(text)

    @staticmethod
    def parses_or_explains(text: str) -> None:
        for kind in ("requests", "postbacks"):
            try:
                parsed = parse(text, kind)
            except FilterSyntaxError as error:
                assert 0 <= error.position <= len(text)
                continue
            # What parses reads back the same from its canonical form.
            assert parse(format_filter(parsed), kind) == parsed
            narrow(RecordQuery(kind), parsed)


class TestCompletion:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("sta", ["status:"]),
            ("c", ["customer:", "code:"]),
            ("x -pr", ["x -printer:"]),
            ("e", []),  # event is for postbacks
            ("status:f", ["status:failed"]),
            ("status:failed,p", ["status:failed,pending"]),
            ("Status:S", ["Status:Succeeded"]),
            ("customer:ac", ["customer:acme"]),
            ("customer:ma", ["customer:maple"]),
            ('customer:"ma', ['customer:"maple Threads"']),
            ("code:5", ["code:5xx", "code:500", "code:503"]),
            ("gift", []),
            ("status:failed ", []),
        ],
    )
    def test_fields_and_values(self, text: str, expected: list[str]) -> None:
        got = completions(text, "requests", customers=["acme", "Maple Threads"])
        assert got == expected

    def test_events_on_postbacks(self) -> None:
        assert completions("ev", "postbacks") == ["event:"]
        assert completions("event:sh", "postbacks") == ["event:shipped"]
