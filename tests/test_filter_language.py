"""The filter language: what a query means, which records it finds, and that no text crashes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderdesk.core.diagnosis import record_diagnosis
from orderdesk.core.errors import FilterSyntaxError, InputError
from orderdesk.core.filter_completion import completions
from orderdesk.core.filter_language import (
    Filter,
    Group,
    Term,
    format_filter,
    narrow,
    parse,
)
from orderdesk.core.parties import known_parties
from orderdesk.core.problems import open_finding_references
from orderdesk.core.queries import Condition, RecordQuery, count, list_summaries
from orderdesk.core.records import HttpMessage, HttpResponse, Kind, LogRecord, Party
from orderdesk.core.search import record_document
from orderdesk.core.search_terms import tokens
from orderdesk.core.store import Store
from orderdesk.core.timeline_rules import DEFAULT_RULES, RULE_NAMES, diagnose
from tests.engines import StoreEngine
from tests.record_factory import GLOBEX, T0, failed_request, postback, request

OSLO = Party(id="prn_oslo", name="Oslo Trykk")
MAPLE = Party(id="cus_maple", name="Maple Threads")


def answer(code: int, took: int = 10) -> HttpResponse:
    return HttpResponse(at=T0, status_code=code, body="{}", duration_ms=took)


def note(text: str) -> HttpMessage:
    return HttpMessage(at=T0, method="POST", url="https://x.example/", body=text)


HOUR = timedelta(hours=1)
#: Six requests over customers, printers, statuses, codes and response times.
REQUESTS: list[LogRecord] = [
    request(1, at=T0),
    failed_request(2, at=T0 + HOUR),
    request(3, at=T0 + 2 * HOUR, customer=GLOBEX, action="cancel"),
    request(4, at=T0 + 3 * HOUR, status="pending", response=None),
    request(
        5,
        at=T0 + 4 * HOUR,
        customer=MAPLE,
        status="failed",
        error=failed_request().error,
        response=answer(503, took=31_000),
    ),
    request(6, at=T0 + 5 * HOUR, printer=OSLO, original=note("gift wrap, please")),
]
_RETRIED = [answer(503, took=2_000), answer(500, took=45_000)]
_THROTTLED = [answer(429, took=t) for t in (100, 200, 300, 30_000)]
#: Four postbacks, one retried twice and one four times.
POSTBACKS: list[LogRecord] = [
    postback(1, at=T0, event="order_received"),
    postback(2, at=T0 + HOUR, status="retrying", attempts=_RETRIED, response=_RETRIED[-1]),
    postback(
        3,
        at=T0 + 2 * HOUR,
        status="failed",
        customer=GLOBEX,
        attempts=_THROTTLED,
        response=_THROTTLED[-1],
    ),
    postback(4, at=T0 + 3 * HOUR, printer=OSLO, original=note("wrap gift")),
]
RECORDS: dict[Kind, list[LogRecord]] = {"requests": REQUESTS, "postbacks": POSTBACKS}
#: The moment the queries are asked at: request 6's receipt is an hour late (not_received).
NOW = T0 + 6 * HOUR
#: Ten minutes after request 6: its receipt is still awaited (awaiting_receipt).
EARLIER = T0 + 5 * HOUR + timedelta(minutes=10)


@pytest.fixture(scope="module")
def store(engine: StoreEngine) -> Iterator[Store]:
    """The six requests and four postbacks on each engine, saved once: the tests only query."""
    with engine.database() as url, Store.open(url) as opened:
        opened.save_page("requests", REQUESTS, None)
        opened.save_page("postbacks", POSTBACKS, None)
        yield opened


def found(store: Store, kind: Kind, text: str, now: datetime = NOW) -> str:
    """The numbers of the records a query finds at ``now``, newest first: "521"."""
    query = narrow(RecordQuery(kind, now=now), parse(text, kind))
    numbers = "".join(summary.id[-1] for summary in list_summaries(store, query))
    assert count(store, query) == len(numbers)
    return numbers


def found_in_python(kind: Kind, text: str, now: datetime = NOW) -> str:
    """What :func:`found` should say, from a plain Python filter over the same records."""
    parsed = parse(text, kind)
    records = RECORDS[kind]
    kept = [r for r in records if all(holds(r, part, records, now) for part in parsed.terms)]
    return "".join(r.id[-1] for r in sorted(kept, key=lambda r: r.created_at, reverse=True))


def holds(record: LogRecord, part: Term | Group, records: list[LogRecord], now: datetime) -> bool:
    """Whether a term or group keeps the record at ``now``, read the way the README says."""
    if isinstance(part, Group):
        inner = (holds(record, p, records, now) for p in part.parts)
        return (any(inner) if part.any_of else all(inner)) != part.negated
    return _term_holds(record, part, records, now) != part.negated


def _term_holds(record: LogRecord, term: Term, records: list[LogRecord], now: datetime) -> bool:
    if term.field is None:
        return _searched(record, term.values[0])
    if term.field == "finding":
        return bool(set(term.values) & _open_rules(record.order_reference_id, now))
    return any(_value_holds(record, term.field, value, records) for value in term.values)


def _open_rules(reference: str | None, now: datetime) -> set[str]:
    """The rules of the findings open at ``now`` for a reference, from all its records."""
    if reference is None:
        return set()
    requests, postbacks = (
        [r for r in RECORDS[kind] if r.order_reference_id == reference]
        for kind in ("requests", "postbacks")
    )
    findings = diagnose(requests, postbacks, now=now, rules=DEFAULT_RULES)  # type: ignore[arg-type]
    return {finding.rule for finding in findings}


def _value_holds(record: LogRecord, field: str, value: str, records: list[LogRecord]) -> bool:
    diagnosis = record_diagnosis(record)
    answer = diagnosis.last_answer
    code = None if answer is None else answer.status_code
    took = None if answer is None else answer.duration_ms
    if field in ("customer", "printer"):
        return _party_named(getattr(record, field), value, records, field)
    if field == "code":
        return code is not None and _code_is(code, value)
    if field == "attempts":
        return _compares(diagnosis.attempts, value, {"": 1})
    if field == "took":
        return took is not None and _compares(took, value, _MS)
    attribute = {"order": "order_reference_id"}.get(field, field)
    return bool(getattr(record, attribute, None) == value)


_MS = {"ms": 1, "s": 1000, "m": 60_000}


def _compares(number: int, value: str, units: dict[str, int]) -> bool:
    match = re.fullmatch(r"(>=|<=|>|<|=)?([\d.]+)([a-z]*)", value)
    assert match is not None
    operator, amount = match.group(1) or "=", float(match.group(2)) * units[match.group(3)]
    return {
        ">": number > amount,
        ">=": number >= amount,
        "<": number < amount,
        "<=": number <= amount,
        "=": number == amount,
    }[operator]


def _code_is(code: int, value: str) -> bool:
    if value.endswith("xx"):
        return code // 100 == int(value[0])
    low, _, high = value.partition("-")
    return int(low) <= code <= int(high or low)


def _party_named(party: Party | None, text: str, records: list[LogRecord], role: str) -> bool:
    """An id, a name in any case, or else part of any name or id (as the party filters read)."""
    known = {p.id: p.name for r in records if (p := getattr(r, role)) is not None}
    exact = {i for i, name in known.items() if text == i or text.casefold() == name.casefold()}
    if not exact:
        part = text.casefold()
        exact = {i for i, name in known.items() if part in name.casefold() or part in i.casefold()}
    return party is not None and party.id in exact


def _searched(record: LogRecord, text: str) -> bool:
    """Whether the text's tokens follow each other in the record's references or its bodies."""
    prefix = text.endswith("*")
    wanted = tokens(text.rstrip("*"))
    if not wanted:
        return False
    for column in record_document(record):
        have = tokens(column)
        for at in range(len(have) - len(wanted) + 1):
            window = have[at : at + len(wanted)]
            if window[:-1] == wanted[:-1] and (
                window[-1].startswith(wanted[-1]) if prefix else window[-1] == wanted[-1]
            ):
                return True
    return False


_SOME_TERMS: dict[Kind, list[str]] = {
    "requests": [
        "status:failed",
        "status:succeeded,pending",
        "-customer:acme",
        "customer:globex",
        "printer:oslo",
        "code:5xx",
        "-code:2xx",
        "action:cancel",
        "attempts:0",
        "took:>500ms",
        "-took:<200ms",
        "gift",
        "-ORD-3",
        '"gift wrap"',
        "finding:not_received",
        "-finding:request_failed",
        "finding:shipped_undelivered,awaiting_receipt",
    ],
    "postbacks": [
        "status:failed,retrying",
        "event:shipped",
        "-event:order_received",
        "-customer:acme",
        "printer:oslo",
        "code:5xx",
        "-code:4xx",
        "attempts:>1",
        "-attempts:>3",
        "took:>=30s",
        "-took:<1s",
        "wrap",
        "-ORD-2",
        "finding:shipped_undelivered",
        "-finding:request_failed,not_received",
    ],
}


def queries(kind: Kind) -> st.SearchStrategy[str]:
    """Queries of the kind's terms joined by spaces, AND and OR, in groups and negated groups."""
    return st.recursive(
        st.sampled_from(_SOME_TERMS[kind]),
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(" ".join),
            st.lists(inner, min_size=2, max_size=3).map(" OR ".join),
            st.tuples(inner, inner).map(" AND ".join),
            inner.map(lambda query: f"({query})"),
            inner.map(lambda query: f"-({query})"),
        ),
        max_leaves=6,
    )


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
            # A field named twice must hold twice, as any two terms.
            ("status:failed status:succeeded", ""),
            ("customer:acme customer:globex", ""),
            ("code:5xx code:4xx", ""),
            # OR, AND and groups: AND binds tighter, and so does adjacency.
            ("status:failed OR code:5xx", "52"),
            ("status:pending OR action:cancel", "43"),
            ("customer:acme OR customer:globex", "64321"),
            ("status:failed AND customer:acme", "2"),
            ("status:failed AND customer:acme OR action:cancel", "32"),
            ("action:cancel OR status:failed customer:acme", "32"),
            ("(status:failed OR code:5xx) -customer:acme", "5"),
            ("status:failed AND (customer:maple OR code:422)", "52"),
            ("status:failed (customer:maple OR -code:4xx)", "5"),
            ("(printer:oslo OR customer:globex) -gift", "3"),
            ("(status:failed)", "52"),
            ("((status:failed))", "52"),
            ("gift OR ORD-3", "63"),
            ("status:failed or code:5xx", ""),  # a lower-case "or" is a word to search
            ('"OR"', ""),
            # Negated groups drop what the group keeps, records with an empty column included.
            ("-(status:failed OR status:pending)", "631"),
            ("-(status:succeeded customer:acme)", "5432"),
            ("-(gift OR ORD-3)", "5421"),
            ("-(printer:oslo)", "54321"),
            ("-(-printer:oslo)", "6"),
            ("-(code:2xx)", "542"),
            ("-(code:2xx OR status:failed)", "4"),
            ("-(took:<1s)", "54"),
            # Comparisons: printer answers (none for the pending one) and their times.
            ("attempts:0", "4"),
            ("attempts:=0", "4"),
            ("attempts:>=1", "65321"),
            ("attempts:<1", "4"),
            ("-attempts:0", "65321"),
            ("attempts:0,>3", "4"),
            ("took:>30s", "5"),
            ("took:>=0.5m", "5"),
            ("took:<=120ms", "2"),
            ("took:<1s", "6321"),
            ("-took:>500ms", "42"),
            ("took:>100ms took:<1s", "6321"),
            ("took:=540ms", "631"),
            ("took:=1.5ms", ""),
            ("took:>30s OR attempts:0", "54"),
            # Findings open at NOW for the records' order references (ORD-6 not received).
            ("finding:request_failed", "52"),
            ("finding:not_received", "6"),
            ("FIND:Not_Received", "6"),
            ("finding:awaiting_receipt", ""),
            ("finding:not_received,request_failed", "652"),
            ("-finding:request_failed,shipped_undelivered", "641"),
            ("finding:request_failed finding:shipped_undelivered", "2"),
            ("finding:duplicate_reference", ""),
            ("(finding:request_failed OR status:pending)", "542"),
            ("-(finding:request_failed OR finding:not_received)", "431"),
            ("-(-finding:shipped_undelivered) action:cancel", "3"),
        ],
    )
    def test_requests(self, store: Store, text: str, expected: str) -> None:
        assert found_in_python("requests", text) == expected
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
            ("attempts:>3", "3"),
            ("attempts:>1", "32"),
            ("attempts:2", "2"),
            ("took:>30s", "2"),
            ("took:>=30s", "32"),
            ("took:>1m", ""),
            ("took:<=2m", "4321"),
            ("status:failed OR code:5xx", "32"),
            ("code:4xx OR code:5xx", "32"),
            ("-(event:delivered OR event:in_transit)", "4321"),
            ("-(event:shipped OR event:order_received)", ""),
            ("(status:retrying OR status:failed) attempts:>1 took:>=30s", "32"),
            ("event:shipped -(attempts:>1 took:>40s)", "43"),
            ("printer:oslo OR attempts:>3 OR took:>40s", "432"),
            ("finding:shipped_undelivered", "32"),
            ("-finding:request_failed", "431"),
            ("finding:request_failed OR event:order_received", "21"),
            ("event:shipped -(finding:shipped_undelivered OR finding:request_failed)", "4"),
        ],
    )
    def test_postbacks(self, store: Store, text: str, expected: str) -> None:
        assert found_in_python("postbacks", text) == expected
        assert found(store, "postbacks", text) == expected

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    @pytest.mark.parametrize("kind", ["requests", "postbacks"])
    def test_any_query_finds_what_python_finds(
        self, store: Store, kind: Kind, data: st.DataObject
    ) -> None:
        text = data.draw(queries(kind), label="query")
        assert found(store, kind, text) == found_in_python(kind, text)

    @pytest.mark.parametrize(
        ("text", "before", "after"),
        [
            ("finding:awaiting_receipt", "6", ""),
            ("finding:not_received", "", "6"),
            ("-finding:not_received status:succeeded", "631", "31"),
            ("status:failed OR finding:awaiting_receipt", "652", "52"),
        ],
    )
    def test_findings_are_judged_at_the_query_moment(
        self, store: Store, text: str, before: str, after: str
    ) -> None:
        # Ten minutes after request 6 its receipt is awaited; an hour after, it is missing.
        assert found_in_python("requests", text, EARLIER) == before
        assert found(store, "requests", text, EARLIER) == before
        assert found_in_python("requests", text, NOW) == after
        assert found(store, "requests", text, NOW) == after

    @pytest.mark.parametrize("now", [EARLIER, NOW])
    def test_a_finding_term_keeps_what_the_problems_query_finds(
        self, store: Store, now: datetime
    ) -> None:
        # The filter and the problems query each build on stored_findings.standing_at/noticed_at.
        for rule in RULE_NAMES:
            with store.engine.connect() as connection:
                opened = set(connection.scalars(open_finding_references(rule, now=now)))
            for kind in ("requests", "postbacks"):
                query = narrow(RecordQuery(kind, now=now), parse(f"finding:{rule}", kind))
                kept = {s.order_reference_id for s in list_summaries(store, query)}
                having = {r.order_reference_id for r in RECORDS[kind]} & opened
                assert kept == having, rule

    def test_a_finding_term_needs_the_moment(self, store: Store) -> None:
        query = narrow(RecordQuery("requests"), parse("finding:not_received", "requests"))
        assert query.findings == ("not_received",)
        with pytest.raises(ValueError, match="needs the query's now"):
            list_summaries(store, query)
        text = "nosuchword OR -finding:not_received"
        grouped = narrow(RecordQuery("requests", now=NOW), parse(text, "requests"))
        # A group's leaves are judged at the whole query's moment.
        assert grouped.where is not None
        assert count(store, grouped) == 5
        assert found(store, "requests", "gift OR -finding:not_received") == "654321"

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

    @pytest.mark.parametrize(
        ("text", "terms"),
        [
            (
                "status:failed OR code:5xx",
                [Group((Term("status", ("failed",)), Term("code", ("5xx",))), any_of=True)],
            ),
            ("a AND b", [Term(None, ("a",)), Term(None, ("b",))]),
            ("(a b) c", [Term(None, ("a",)), Term(None, ("b",)), Term(None, ("c",))]),
            (
                "a b OR c",
                [
                    Group(
                        (Group((Term(None, ("a",)), Term(None, ("b",)))), Term(None, ("c",))),
                        any_of=True,
                    )
                ],
            ),
            (
                "(a OR b) -(c OR d)",
                [
                    Group((Term(None, ("a",)), Term(None, ("b",))), any_of=True),
                    Group((Term(None, ("c",)), Term(None, ("d",))), any_of=True, negated=True),
                ],
            ),
            ("-(status:failed)", [Term("status", ("failed",), negated=True)]),
            ("-(-a)", [Term(None, ("a",))]),
            ("a OR (b OR c)", [Group(tuple(Term(None, (w,)) for w in "abc"), any_of=True)]),
            ("size(XL) or", [Term(None, ("size(XL)",)), Term(None, ("or",))]),
            ("-OR", [Term(None, ("OR",), negated=True)]),
            ("attempts:>3 took:<=500MS", [Term("attempts", (">3",)), Term("took", ("<=500ms",))]),
        ],
    )
    def test_or_and_groups(self, text: str, terms: list[Term | Group]) -> None:
        assert parse(text, "requests") == Filter(tuple(terms))

    def test_plain_terms_fill_the_flat_fields_and_groups_the_condition(self) -> None:
        plain = narrow(RecordQuery("requests"), parse("status:failed attempts:>3", "requests"))
        assert plain == RecordQuery("requests", statuses=("failed",), attempt_counts=((4, None),))
        grouped = narrow(
            RecordQuery("requests"),
            parse("-customer:acme (status:failed OR took:>30s)", "requests"),
        )
        assert grouped.not_customers == ("acme",)
        assert grouped.where == Condition(
            (
                RecordQuery("requests", statuses=("failed",)),
                RecordQuery("requests", durations_ms=((30_001, None),)),
            ),
            any_of=True,
        )

    @pytest.mark.parametrize(
        ("text", "written"),
        [
            ("status:failed  OR  code:5xx", "status:failed OR code:5xx"),
            ("(a OR b)", "a OR b"),
            ("(a OR b) c", "(a OR b) c"),
            ("(a b) OR c", "a b OR c"),
            ("a AND -(b OR c)", "a -(b OR c)"),
            ("-(a b)", "-(a b)"),
            ('customer:"x (y)"', 'customer:"x (y)"'),
            ("-(a x( )", "-(a x( )"),
            ("took:>30S", "took:>30s"),
        ],
    )
    def test_the_canonical_form(self, text: str, written: str) -> None:
        assert format_filter(parse(text, "requests")) == written

    def test_the_issue_example(self) -> None:
        text = (
            "status:failed,retrying customer:acme event:shipped code:5xx printer:oslo "
            'order:SHOP-1001 -status:delivered "exact phrase"'
        )
        parsed = parse(text, "postbacks")
        terms = [t for t in parsed.terms if isinstance(t, Term)]
        assert [(t.field, t.values, t.negated) for t in terms] == [
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
            ("status:failed AND (", 18, "the parenthesis at 19 is never closed: add a )"),
            ("(status:failed OR code:5xx", 0, "the parenthesis at 1 is never closed"),
            ("-(a (b)", 1, "the parenthesis at 2 is never closed"),
            ("status:failed)", 13, "the ) at 14 closes no group: remove it"),
            ("(a) b)", 5, "the ) at 6 closes no group"),
            ("status:failed OR", 14, "nothing follows OR at 15: write a term after it"),
            ("a OR OR b", 2, "nothing follows OR at 3"),
            ("(a OR) b", 3, "nothing follows OR at 4"),
            ("OR status:failed", 0, "OR at 1 has nothing before it: write a term before it"),
            ("a (OR b)", 3, "OR at 4 has nothing before it"),
            ("a AND", 2, "nothing follows AND at 3"),
            ("AND a", 0, "AND at 1 has nothing before it"),
            ("a AND OR b", 2, "nothing follows AND at 3"),
            ("()", 0, "the parentheses at 1 hold nothing"),
            ("a -( )", 3, "the parentheses at 4 hold nothing"),
            ("attempts:>x", 9, "attempts '>x' at 10 is not a count: write e.g. attempts:>3"),
            ("attempts:1.5", 9, "attempts '1.5' at 10 is not a count"),
            ("took:30", 5, "took '30' at 6 is not a duration: write e.g. took:>30s"),
            ("took:>3h", 5, "took '>3h' at 6 is not a duration"),
            ("took:>30s,", 10, "took needs a value at 11: e.g. took:>30s"),
            ("a:cancel", 0, "field 'a' at 1 could be action or attempts"),
            (
                "x finding:nope",
                10,
                "finding 'nope' at 11 is not one of request_failed, not_received, "
                "awaiting_receipt, shipped_undelivered, undelivered, delivery_retrying, "
                "error_postback, cancel_after_printed, duplicate_reference, no_request",
            ),
            (
                "finding:request_failed,not_recieved",
                23,
                "finding 'not_recieved' at 24 is not one of request_failed, not_received, "
                "awaiting_receipt, shipped_undelivered, undelivered, delivery_retrying, "
                "error_postback, cancel_after_printed, duplicate_reference, no_request: "
                "did you mean not_received?",
            ),
            ("finding:", 8, "finding needs a value at 9: e.g. finding:not_received"),
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
                    "(",
                    ")",
                    "-(",
                    " OR ",
                    " AND ",
                    "OR",
                    "attempts:",
                    ">3",
                    "took:",
                    "<=500ms",
                    "30s",
                    "finding:",
                    "not_received",
                ]
            ),
            max_size=14,
        ).map("".join)
    )
    def test_no_query_made_of_its_own_pieces_crashes_it(self, text: str) -> None:
        self.parses_or_explains(text)

    @settings(max_examples=300, deadline=None)
    @given(data=st.data())
    @pytest.mark.parametrize("kind", ["requests", "postbacks"])
    def test_a_query_of_groups_reads_back_from_its_canonical_form(
        self, kind: Kind, data: st.DataObject
    ) -> None:
        parsed = parse(data.draw(queries(kind), label="query"), kind)
        written = format_filter(parsed)
        assert parse(written, kind) == parsed
        assert format_filter(parse(written, kind)) == written

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
            ("(sta", ["(status:"]),
            ("a OR -(c", ["a OR -(customer:", "a OR -(code:"]),
            ("status:failed OR act", ["status:failed OR action:"]),
            (
                "(status:failed OR code:5",
                [
                    "(status:failed OR code:5xx",
                    "(status:failed OR code:500",
                    "(status:failed OR code:503",
                ],
            ),
            ("x -(customer:ac", ["x -(customer:acme"]),
            ("a OR", []),  # a keyword, not the start of order:
            ("a AND", []),
            ("or", ["order:"]),
            ("att", ["attempts:"]),
            ("took:>3", ["took:>30s"]),
            ("fi", ["finding:"]),
            ("finding:not", ["finding:not_received"]),
            ("-FINDING:Dup", ["-FINDING:Duplicate_reference"]),
            ("finding:request_failed,de", ["finding:request_failed,delivery_retrying"]),
            (
                "(status:failed OR finding:a",
                ["(status:failed OR finding:awaiting_receipt"],
            ),
            ("finding:nope", []),
        ],
    )
    def test_fields_and_values(self, text: str, expected: list[str]) -> None:
        got = completions(text, "requests", customers=["acme", "Maple Threads"])
        assert got == expected

    def test_every_rule_after_finding(self) -> None:
        for kind in ("requests", "postbacks"):
            offered = completions("finding:", kind)
            assert offered == [f"finding:{rule}" for rule in RULE_NAMES]
            assert "finding:not_received" in offered

    def test_events_on_postbacks(self) -> None:
        assert completions("ev", "postbacks") == ["event:"]
        assert completions("event:sh", "postbacks") == ["event:shipped"]
