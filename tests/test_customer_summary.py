"""The order's story for its customer: whole sentences in English and French, nothing internal."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderdesk.core.errors import InputError
from orderdesk.core.records import (
    ErrorStage,
    HttpMessage,
    HttpResponse,
    Party,
    PostbackRecord,
    RecordError,
    RequestRecord,
    TemplateProcessing,
    Tracking,
)
from orderdesk.customer_summary import customer_summary
from orderdesk.i18n import speaking
from tests.record_factory import GLOBEX, postback, request

MORNING = datetime(2026, 11, 23, 9, 12, tzinfo=UTC)
NOW = MORNING + timedelta(hours=8)
LEIPZIG = Party(id="prn_leipzig", name="Druckhaus Leipzig")
TRACKING = "00340434161234567890"


def _at(hours: int, minutes: int) -> datetime:
    return MORNING.replace(hour=hours, minute=minutes)


def _event(name: str, at: datetime, **fields: Any) -> PostbackRecord:
    fields.setdefault("tracking", None)
    return postback(
        7, id=f"pb_{name}", event=name, at=at, printer=LEIPZIG, order_id="po_leipzig_7", **fields
    )


def _unheard_shipment() -> tuple[list[RequestRecord], list[PostbackRecord]]:
    """Received at 09:12, sent to Leipzig, printed 14:03, shipped 16:40, HTTP 500 four times."""
    submit = request(7, at=MORNING, printer=LEIPZIG, order_id="po_leipzig_7")
    failures = [
        HttpResponse(at=_at(16, 40) + timedelta(seconds=5 * n), status_code=500, body="down")
        for n in range(4)
    ]
    postbacks = [
        _event("order_received", _at(9, 22)),
        _event("production_update", _at(14, 3)),
        _event(
            "shipped",
            _at(16, 40),
            status="failed",
            attempts=failures,
            response=failures[-1],
            tracking=Tracking(code=TRACKING, url="https://track.example/x"),
        ),
    ]
    return [submit], postbacks


def _summary(requests: list[RequestRecord], postbacks: list[PostbackRecord], **options: Any) -> str:
    options.setdefault("now", NOW)
    return customer_summary("ORD-7", requests, postbacks, options.pop("zone", UTC), **options)


def test_the_shipping_notification_that_never_arrived_in_english() -> None:
    assert _summary(*_unheard_shipment()) == (
        "Here is what happened to your order ORD-7 on November 23, 2026 (times in UTC). "
        "It reached us at 09:12. "
        "We sent it to Druckhaus Leipzig at 09:12. "
        "Druckhaus Leipzig confirmed receipt at 09:22. "
        "It was printed at 14:03. "
        f"It was shipped at 16:40 with tracking number {TRACKING}. "
        "Your system could not be told about this. "
        "It answered HTTP 500 4 times."
    )


def test_the_shipping_notification_that_never_arrived_in_french() -> None:
    with speaking("fr"):
        told = _summary(*_unheard_shipment(), zone=ZoneInfo("Europe/Paris"))
    assert told == (
        "Voici ce qui est arrivé à votre commande ORD-7 le 23 novembre 2026 (heures en CET). "
        "Elle nous est parvenue à 10:12. "
        "Nous l'avons envoyée à Druckhaus Leipzig à 10:12. "
        "Druckhaus Leipzig en a confirmé la réception à 10:22. "
        "Elle a été imprimée à 15:03. "
        f"Elle a été expédiée à 17:40 avec le numéro de suivi {TRACKING}. "
        "Votre système n'a pas pu en être informé. "
        "Il a répondu HTTP 500 4 fois."
    )


def _split_order() -> tuple[list[RequestRecord], list[PostbackRecord]]:
    """One message, a part for Berlin, never confirmed, and one for Leipzig, printed and shipped."""
    berlin = request(7, at=MORNING, order_id="po_berlin_7")
    leipzig = request(8, at=MORNING, printer=LEIPZIG, order_id="po_leipzig_7")
    leipzig = leipzig.model_copy(
        update={"order_reference_id": "ORD-7", "original": berlin.original}
    )
    shipped = _event("shipped", _at(16, 40), tracking=Tracking(code=TRACKING))
    return [berlin, leipzig], [_event("production_update", _at(14, 3)), shipped]


def test_an_order_split_between_printers_says_whose_part_it_is() -> None:
    told = _summary(*_split_order())
    assert told.endswith(
        "It reached us at 09:12. "
        "We sent part of it to Berlin Print Works at 09:12. "
        "We sent part of it to Druckhaus Leipzig at 09:12. "
        "Berlin Print Works has not yet confirmed that it received it. "
        "Druckhaus Leipzig printed its part at 14:03. "
        f"Druckhaus Leipzig shipped its part at 16:40 with tracking number {TRACKING}."
    )
    with speaking("fr"):
        french = _summary(*_split_order())
    assert french.endswith(
        "Nous en avons envoyé une partie à Druckhaus Leipzig à 09:12. "
        "Berlin Print Works n'a pas encore confirmé l'avoir reçue. "
        "Druckhaus Leipzig a imprimé sa partie à 14:03. "
        f"Druckhaus Leipzig a expédié sa partie à 16:40 avec le numéro de suivi {TRACKING}."
    )


def _failed(stage: ErrorStage, printer: Party | None = LEIPZIG) -> RequestRecord:
    error = RecordError(stage=stage, code="x", message="po_leipzig_7 exploded")
    return request(7, at=MORNING, printer=printer, status="failed", error=error, order_id=None)


@pytest.mark.parametrize(
    ("stage", "printer", "sentence"),
    [
        ("template", None, "it could not be sent to a printer: your order template could not"),
        ("validation", None, "its details did not pass our checks"),
        ("delivery", LEIPZIG, "sent to Druckhaus Leipzig: the printer could not be reached"),
        ("printer", LEIPZIG, "Druckhaus Leipzig refused it"),
    ],
)
def test_a_request_that_failed_says_where_in_our_words(
    stage: ErrorStage, printer: Party | None, sentence: str
) -> None:
    told = _summary([_failed(stage, printer)], [])
    assert sentence in told
    assert "exploded" not in told and "po_leipzig_7" not in told


@pytest.mark.parametrize(
    ("stage", "english", "french"),
    [
        (
            "printer",
            "At 09:12 Druckhaus Leipzig refused its part.",
            "À 09:12, Druckhaus Leipzig a refusé sa partie.",
        ),
        (
            "delivery",
            "At 09:12 its part for Druckhaus Leipzig could not be sent: "
            "the printer could not be reached.",
            "À 09:12, sa partie pour Druckhaus Leipzig n'a pas pu être envoyée : "
            "l'imprimeur était injoignable.",
        ),
        (
            "template",
            "At 09:12 part of it could not be sent to a printer: "
            "your order template could not process it.",
            "À 09:12, une partie n'a pas pu être envoyée à un imprimeur : "
            "votre modèle de commande n'a pas pu la traiter.",
        ),
    ],
)
def test_a_split_order_whose_one_part_failed_says_only_that_part_failed(
    stage: ErrorStage, english: str, french: str
) -> None:
    [berlin, _], _ = _split_order()
    failed = _failed(stage).model_copy(
        update={
            "id": "req_leipzig_part",
            "order_reference_id": "ORD-7",
            "original": berlin.original,
        }
    )
    told = _summary([berlin, failed], [])
    assert english in told
    assert "refused it." not in told and "09:12 it could not be sent" not in told
    with speaking("fr"):
        assert french in _summary([berlin, failed], [])


def test_a_cancel_after_printing_was_refused_because_it_was_printed() -> None:
    [submit], postbacks = _unheard_shipment()
    refused = RecordError(stage="printer", code="already_printed", message="po_leipzig_7 printed")
    cancel = request(
        8,
        action="cancel",
        at=_at(15, 0),
        order_reference_id="ORD-7",
        order_id="po_leipzig_7",
        printer=LEIPZIG,
        status="failed",
        error=refused,
    )
    told = _summary([submit, cancel], postbacks[:2])
    assert (
        "It was printed at 14:03. At 15:00 you asked to cancel it, but Druckhaus Leipzig had "
        "already printed it and refused the cancellation." in told
    )


@pytest.mark.parametrize(
    ("status", "codes", "sentences"),
    [
        ("retrying", [503, 500, 503], "We are still trying to tell your system about this. "
         "It was tried 3 times; the last answer was HTTP 503."),
        ("failed", [None, None], "Your system could not be told about this. "
         "It did not answer any of 2 attempts."),
        ("failed", [500, None], "Your system could not be told about this. "
         "It was tried 2 times; the last time it did not answer."),
        ("failed", [None], "Your system could not be told about this. It did not answer."),
        ("retrying", [502], "We are still trying to tell your system about this. "
         "It answered HTTP 502."),
        ("pending", [], "Your system has not been told about this yet."),
    ]
)  # fmt: skip
def test_what_the_customer_s_system_answered(
    status: str, codes: list[int | None], sentences: str
) -> None:
    attempts = [
        HttpResponse(at=_at(16, 40), status_code=code, error=None if code else "timeout")
        for code in codes
    ]
    shipped = _event("in_transit", _at(16, 40), status=status, attempts=attempts)
    told = _summary([], [shipped])
    assert f"The carrier reported it in transit at 16:40. {sentences}" in told
    assert "timeout" not in told


@pytest.mark.parametrize(
    "code",
    ["po_leipzig_7", "<a href=x>track</a>", "1Z" * 30, "ab", "  "],
    ids=["an order id", "markup", "too long", "too short", "blank"],
)
def test_a_tracking_number_that_does_not_look_like_one_is_left_out(code: str) -> None:
    shipped = _event("shipped", _at(16, 40), tracking=Tracking(code=code))
    submit = request(7, at=MORNING, printer=LEIPZIG, order_id="po_leipzig_7")
    told = _summary([submit], [shipped])
    assert "It was shipped at 16:40." in told
    assert "tracking" not in told
    assert code.strip() not in told or not code.strip()


def test_several_days_carry_their_dates() -> None:
    submit = request(7, at=MORNING, printer=LEIPZIG, order_id="po_leipzig_7")
    delivered = _event("delivered", MORNING + timedelta(days=2))
    told = _summary([submit], [delivered], now=MORNING + timedelta(days=3))
    assert told == (
        "Here is what happened to your order ORD-7 (times in UTC). "
        "It reached us at 2026-11-23 09:12. "
        "We sent it to Druckhaus Leipzig at 2026-11-23 09:12. "
        "It was delivered at 2026-11-25 09:12."
    )


def test_a_printer_that_never_confirmed_is_named_once_it_is_late() -> None:
    submit = request(7, at=MORNING, printer=LEIPZIG)
    waiting = _summary([submit], [], now=MORNING + timedelta(minutes=10))
    assert "confirmed" not in waiting
    late = _summary([submit], [], now=MORNING + timedelta(hours=2))
    assert late.endswith(
        "We sent it to Druckhaus Leipzig at 09:12. "
        "Druckhaus Leipzig has not yet confirmed that it received it."
    )


def test_a_reference_of_two_customers_is_not_summed_up() -> None:
    theirs = postback(7, customer=GLOBEX, order_reference_id="ORD-7")
    with pytest.raises(InputError) as refused:
        _summary([request(7)], [theirs])
    assert "Acme Prints" in str(refused.value) and "Globex Shop" in str(refused.value)


def test_a_cut_story_says_it_may_stop_short() -> None:
    told = _summary(*_unheard_shipment(), truncated=True)
    assert told.endswith(
        "This order has more records than were read, so this summary may stop short."
    )


def test_store_text_shows_its_escapes_and_stays_short() -> None:
    hostile = Party(id="prn_x", name="Evil\x1b]52;c;aGk=\x07Print" + "s" * 200)
    told = _summary([request(7, at=MORNING, printer=hostile)], [])
    assert "\x1b" not in told and "\x07" not in told
    assert "Evil\\x1b]52;c;aGk=\\x07Print" in told
    assert max(len(word) for word in told.split()) <= 80


def test_the_summary_never_needs_textual() -> None:
    probe = (
        "import sys, orderdesk.customer_summary\n"
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# -- nothing internal: no id, no secret, no body, whatever the order went through ----------------

_EVENTS = ("order_received", "production_update", "shipped", "in_transit", "delivered",
           "returned", "cancelled", "error")  # fmt: skip
_SECRET_HEADERS = ("X-API-KEY", "Authorization", "Cookie", "X-Printer-Token", "X-Client-Secret")


def _message(at: datetime, marker: str, part: str) -> HttpMessage:
    headers = {name: f"{marker}-{part}-{name}" for name in _SECRET_HEADERS}
    body = f'{{"note": "{marker}-{part}-body", "id": "{marker}-{part}-id"}}'
    return HttpMessage(
        at=at, method="POST", url=f"https://x.example/{marker}", headers=headers, body=body
    )


def _answer(at: datetime, marker: str, part: str, code: int | None) -> HttpResponse:
    return HttpResponse(
        at=at,
        status_code=code,
        headers={"Set-Cookie": f"{marker}-{part}"},
        body=f"{marker}-{part}-answer",
        error=f"{marker}-{part}-error",
    )


def _template(marker: str, part: str) -> TemplateProcessing:
    return TemplateProcessing(
        name=f"{marker}-tpl",
        version=1,
        source=f"{marker}-{part}-source",
        output=f"{marker}-{part}-output",
        error=f"{marker}-{part}-bad",
    )


@st.composite
def _orders(draw: st.DrawFn) -> tuple[str, list[RequestRecord], list[PostbackRecord]]:
    """One customer's order whose every internal field carries the marker, and a legit tracking."""
    marker = "S" + draw(st.from_regex(r"[A-Za-z0-9]{10}", fullmatch=True))
    customer = Party(id=f"cus_{marker}", name="Acme Prints")
    printer = Party(id=f"prn_{marker}", name="Druckhaus Leipzig")
    order_id = f"PO{marker}"
    requests = []
    for n in range(draw(st.integers(1, 3))):
        at = MORNING + timedelta(minutes=n * 40)
        status = draw(st.sampled_from(["pending", "succeeded", "failed"]))
        stage = draw(st.sampled_from(["template", "validation", "delivery", "printer"]))
        error = RecordError(stage=stage, code=f"{marker}_code", message=f"{marker} {order_id} msg")
        requests.append(
            RequestRecord(
                id=f"req_{marker}_{n}",
                action=draw(st.sampled_from(["submit", "cancel"])),
                created_at=at,
                updated_at=at + timedelta(seconds=1),
                order_reference_id="ORD-7",
                order_id=order_id,
                customer=customer,
                printer=printer,
                status=status,
                error=error if status == "failed" else None,
                original=_message(at, marker, "original"),
                template=_template(marker, "submit"),
                final=_message(at, marker, "final"),
                response=_answer(at, marker, "response", draw(st.sampled_from([201, 409, None]))),
            )
        )
    postbacks = []
    for n, event in enumerate(draw(st.lists(st.sampled_from(_EVENTS), max_size=5))):
        at = MORNING + timedelta(hours=n + 1)
        codes = draw(st.lists(st.sampled_from([200, 500, 503, None]), max_size=4))
        attempts = [_answer(at, marker, f"attempt{i}", code) for i, code in enumerate(codes)]
        postbacks.append(
            PostbackRecord(
                id=f"pb_{marker}_{n}",
                event=event,
                created_at=at,
                updated_at=at,
                order_reference_id="ORD-7",
                order_id=order_id,
                customer=customer,
                printer=printer,
                status=draw(st.sampled_from(["pending", "delivered", "retrying", "failed"])),
                tracking=Tracking(code=TRACKING, url=f"https://track.example/{marker}"),
                original=_message(at, marker, "printer"),
                template=_template(marker, "webhook"),
                final=_message(at, marker, "webhook"),
                attempts=attempts,
                response=attempts[-1] if attempts else None,
            )
        )
    return marker, requests, postbacks


@settings(max_examples=60, deadline=None)
@given(_orders(), st.sampled_from(["en", "fr"]))
def test_no_id_secret_or_body_ever_reaches_the_customer(
    order: tuple[str, list[RequestRecord], list[PostbackRecord]], lang: str
) -> None:
    marker, requests, postbacks = order
    with speaking(lang):
        told = _summary(requests, postbacks)
    assert "ORD-7" in told and "." in told
    # Every id, header value, body, error, template text and URL of the records carries it.
    assert marker not in told
    assert told.count(". ") >= 1  # the heading, then at least one thing that happened
    if any(p.event == "shipped" for p in postbacks):
        assert TRACKING in told
