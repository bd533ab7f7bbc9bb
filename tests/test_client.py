"""The log API client: what it sends, and how every failure reaches the caller."""

from __future__ import annotations

import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

import orderdesk
from orderdesk.core.client import LogApiClient, parse_retry_after
from orderdesk.core.errors import (
    AuthenticationError,
    InputError,
    NotALogApiError,
    SourceError,
    TransientSourceError,
)
from orderdesk.core.records import PostbackPage, RequestPage, RequestRecord, Watermark
from tests.fake_log_api import KEY, FakeLogApi, answer, at, postback_record, raising, request_record

URL = "http://logs.example:8000"
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def api() -> FakeLogApi:
    return FakeLogApi()


@pytest.fixture
def connect() -> Iterator[Callable[..., LogApiClient]]:
    """Open clients against a handler (or a real address), closed after the test."""
    opened: list[LogApiClient] = []

    def connect(
        handler: Handler | None = None, *, url: str = URL, key: str | None = KEY, **options: float
    ) -> LogApiClient:
        transport = None if handler is None else httpx.MockTransport(handler)
        opened.append(LogApiClient(url, key, transport=transport, **options))
        return opened[-1]

    yield connect
    for client in opened:
        client.close()


@pytest.fixture
def client(api: FakeLogApi, connect: Callable[..., LogApiClient]) -> LogApiClient:
    return connect(api.handle)


class TestWhatIsSent:
    def test_the_key_travels_in_the_x_api_key_header(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        client.fetch_page("requests", None)
        assert api.seen[0].headers["X-API-KEY"] == KEY

    def test_the_client_names_itself(self, api: FakeLogApi, client: LogApiClient) -> None:
        client.health()
        assert api.seen[0].headers["User-Agent"] == f"orderdesk/{orderdesk.__version__}"

    def test_no_key_means_no_header(
        self, api: FakeLogApi, connect: Callable[..., LogApiClient]
    ) -> None:
        client = connect(api.handle, key=None)
        with pytest.raises(AuthenticationError):
            client.fetch_page("requests", None)
        assert "X-API-KEY" not in api.seen[0].headers

    def test_the_first_page_asks_only_for_a_limit(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        client.fetch_page("requests", None)
        assert api.seen[0].url.path == "/v1/requests"
        assert dict(api.seen[0].url.params) == {"limit": "1000"}

    def test_a_later_page_sends_the_keyset_exactly(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        after = Watermark(datetime(2026, 11, 23, 10, 15, 2, 123456, tzinfo=UTC), "pb_b")
        client.fetch_page("postbacks", after, limit=500)
        assert api.seen[0].url.path == "/v1/postbacks"
        assert dict(api.seen[0].url.params) == {
            "updated_after": "2026-11-23T10:15:02.123456Z",
            "after_id": "pb_b",
            "limit": "500",
        }

    def test_the_start_of_a_pass_sends_an_empty_after_id(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        client.fetch_page("requests", Watermark(at(0)))
        assert api.seen[0].url.params["after_id"] == ""

    def test_a_limit_outside_the_contract_is_a_programming_error(
        self, client: LogApiClient
    ) -> None:
        with pytest.raises(ValueError, match="limit"):
            client.fetch_page("requests", None, limit=1001)

    def test_record_ids_are_escaped_in_the_path(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        client.get_record("requests", "req/../1 2")
        assert api.seen[0].url.raw_path == b"/v1/requests/req%2F..%2F1%202"

    def test_a_base_url_with_a_path_prefix_keeps_it(
        self, connect: Callable[..., LogApiClient]
    ) -> None:
        paths: list[str] = []

        def handle(request: httpx.Request) -> httpx.Response:
            paths.append(request.url.path)
            return httpx.Response(200, json={"data": [], "has_more": False})

        connect(handle, url=URL + "/orders/").fetch_page("requests", None)
        assert paths == ["/orders/v1/requests"]


class TestWhatIsRead:
    def test_a_page_of_requests(self, api: FakeLogApi, client: LogApiClient) -> None:
        api.put(request_record("req_a", at(1)), request_record("req_b", at(2)))
        page = client.fetch_page("requests", None, limit=1)
        assert isinstance(page, RequestPage)
        assert [r.id for r in page.data] == ["req_a"]
        assert page.has_more

    def test_a_page_of_postbacks(self, api: FakeLogApi, client: LogApiClient) -> None:
        api.put(postback_record("pb_a", at(1)))
        page = client.fetch_page("postbacks", None)
        assert isinstance(page, PostbackPage)
        assert [r.id for r in page.data] == ["pb_a"]
        assert not page.has_more

    def test_one_record(self, api: FakeLogApi, client: LogApiClient) -> None:
        api.put(request_record("req_a", at(1), status="succeeded"))
        record = client.get_record("requests", "req_a")
        assert isinstance(record, RequestRecord)
        assert record.status == "succeeded"

    def test_an_unknown_record_is_none(self, client: LogApiClient) -> None:
        assert client.get_record("postbacks", "pb_missing") is None

    def test_health_gives_the_server_time(self, client: LogApiClient) -> None:
        assert client.health() == at(3600)


class TestRefusedKey:
    @pytest.mark.parametrize("status", [401, 403])
    def test_a_wrong_key_says_which_setting_to_check(
        self, api: FakeLogApi, client: LogApiClient, status: int
    ) -> None:
        api.fail_next(answer(status, json={"error": "unauthorized"}))
        with pytest.raises(AuthenticationError) as caught:
            client.fetch_page("requests", None)
        assert str(caught.value) == (
            f"the log API at {URL} refused the key ({status}): check --api-key or ORDERDESK_API_KEY"
        )

    def test_a_missing_key_says_how_to_give_one(
        self, api: FakeLogApi, connect: Callable[..., LogApiClient]
    ) -> None:
        client = connect(api.handle, key=None)
        with pytest.raises(AuthenticationError, match=r"wants a key .*--api-key"):
            client.health()

    def test_credentials_in_the_url_never_reach_a_message(
        self, api: FakeLogApi, connect: Callable[..., LogApiClient]
    ) -> None:
        client = connect(api.handle, url="http://me:s3cret@logs.example")
        api.fail_next(answer(503))
        with pytest.raises(TransientSourceError) as caught:
            client.fetch_page("requests", None)
        assert "s3cret" not in str(caught.value)
        assert api.seen[0].url.host == "logs.example"


class TestTransientFailures:
    @pytest.mark.parametrize("status", [500, 502, 503, 504])
    def test_server_errors(self, api: FakeLogApi, client: LogApiClient, status: int) -> None:
        api.fail_next(answer(status, text="upstream gone"))
        with pytest.raises(TransientSourceError, match=f"failed /v1/requests \\({status} "):
            client.fetch_page("requests", None)

    def test_429_carries_retry_after_in_seconds(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        api.fail_next(answer(429, headers={"Retry-After": "30"}))
        with pytest.raises(TransientSourceError) as caught:
            client.fetch_page("requests", None)
        assert caught.value.retry_after == 30
        assert "rate limiting us (429, Retry-After 30 s)" in str(caught.value)

    def test_429_carries_retry_after_as_an_http_date(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        when = datetime.now(UTC) + timedelta(seconds=90)
        api.fail_next(answer(429, headers={"Retry-After": format_datetime(when, usegmt=True)}))
        with pytest.raises(TransientSourceError) as caught:
            client.fetch_page("requests", None)
        assert caught.value.retry_after is not None
        assert 85 <= caught.value.retry_after <= 90

    def test_429_without_retry_after_leaves_it_to_backoff(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        api.fail_next(answer(429))
        with pytest.raises(TransientSourceError) as caught:
            client.fetch_page("requests", None)
        assert caught.value.retry_after is None

    def test_503_with_retry_after_passes_it_on(self, api: FakeLogApi, client: LogApiClient) -> None:
        api.fail_next(answer(503, headers={"Retry-After": "7"}))
        with pytest.raises(TransientSourceError) as caught:
            client.fetch_page("requests", None)
        assert caught.value.retry_after == 7

    @pytest.mark.parametrize(
        "error", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteTimeout]
    )
    def test_timeouts(self, api: FakeLogApi, client: LogApiClient, error: type) -> None:
        api.fail_next(raising(error))
        with pytest.raises(TransientSourceError, match="did not answer /v1/requests within 10 s"):
            client.fetch_page("requests", None)

    @pytest.mark.parametrize(
        "error", [httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError]
    )
    def test_a_reset_connection(self, api: FakeLogApi, client: LogApiClient, error: type) -> None:
        api.fail_next(raising(error))
        with pytest.raises(TransientSourceError, match=r"connection .* broke"):
            client.fetch_page("requests", None)

    def test_unreachable_on_first_contact_says_what_to_check(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        api.fail_next(raising(httpx.ConnectError))
        with pytest.raises(TransientSourceError) as caught:
            client.health()
        assert str(caught.value) == (
            f"cannot reach the log API at {URL} (boom): "
            "check the URL and that the service is running"
        )

    def test_unreachable_after_contact_is_a_lost_connection(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        client.health()
        api.fail_next(raising(httpx.ConnectError))
        with pytest.raises(TransientSourceError, match="lost the connection"):
            client.fetch_page("requests", None)

    def test_a_really_refused_connection(self, connect: Callable[..., LogApiClient]) -> None:
        """Nothing listens on port 9 of localhost on a test machine."""
        client = connect(url="http://127.0.0.1:9", timeout=2)
        with pytest.raises(TransientSourceError, match="cannot reach"):
            client.health()


class TestMalformedAnswers:
    @pytest.mark.parametrize(
        ("body", "detail"),
        [
            (b'{"data": [', "not valid JSON"),
            (b"\xff\xfe", "not valid JSON"),
            (b'{"data": []}', "has_more: Field required"),
            (b'{"data": [{"id": 1}], "has_more": false}', "data.0.id"),
            (b"[]", "body: Input should be an object"),
        ],
    )
    def test_from_a_confirmed_log_api_are_transient(
        self, api: FakeLogApi, client: LogApiClient, body: bytes, detail: str
    ) -> None:
        client.health()
        api.fail_next(answer(200, content=body))
        with pytest.raises(TransientSourceError) as caught:
            client.fetch_page("requests", None)
        assert detail in str(caught.value)
        assert "malformed answer to /v1/requests" in str(caught.value)

    def test_from_an_unconfirmed_log_api_ask_health_then_are_transient(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        api.fail_next(answer(200, content=b"<html>"))
        with pytest.raises(TransientSourceError):
            client.fetch_page("requests", None)
        assert [r.url.path for r in api.seen] == ["/v1/requests", "/v1/health"]

    def test_health_is_asked_only_once(self, api: FakeLogApi, client: LogApiClient) -> None:
        for _ in range(2):
            api.fail_next(answer(200, content=b"<html>"))
            with pytest.raises(TransientSourceError):
                client.fetch_page("requests", None)
        assert [r.url.path for r in api.seen].count("/v1/health") == 1

    def test_a_malformed_record_is_transient_too(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        client.health()
        api.fail_next(answer(200, json={"id": "req_a"}))
        with pytest.raises(TransientSourceError, match="malformed answer to /v1/requests/req_a"):
            client.get_record("requests", "req_a")


class TestNotALogApi:
    def test_a_web_site_answers_html(self, connect: Callable[..., LogApiClient]) -> None:
        client = connect(lambda r: httpx.Response(200, html="<html>Welcome</html>"))
        with pytest.raises(NotALogApiError) as caught:
            client.fetch_page("requests", None)
        assert str(caught.value) == (
            f"{URL}/v1/health answered with something other than JSON, so the URL does not "
            "serve an order-intake log API: check the URL; it is the service's base URL, "
            "without /v1"
        )

    def test_a_json_service_without_health(self, connect: Callable[..., LogApiClient]) -> None:
        client = connect(lambda r: httpx.Response(404, json={"detail": "Not Found"}))
        with pytest.raises(NotALogApiError, match="has no /v1/health"):
            client.health()
        with pytest.raises(NotALogApiError, match="has no /v1/requests"):
            client.fetch_page("requests", None)

    def test_a_json_service_whose_health_is_another_shape(
        self, connect: Callable[..., LogApiClient]
    ) -> None:
        client = connect(lambda r: httpx.Response(200, json={"healthy": True}))
        with pytest.raises(NotALogApiError, match=re.escape('did not answer {"status": "ok"')):
            client.fetch_page("postbacks", None)

    def test_health_without_a_time(self, connect: Callable[..., LogApiClient]) -> None:
        client = connect(lambda r: httpx.Response(200, json={"status": "ok"}))
        with pytest.raises(NotALogApiError, match="without a valid time"):
            client.health()

    def test_a_log_api_that_reports_trouble_is_transient(
        self, connect: Callable[..., LogApiClient]
    ) -> None:
        client = connect(lambda r: httpx.Response(200, json={"status": "degraded"}))
        with pytest.raises(TransientSourceError, match="reports status 'degraded'"):
            client.health()

    def test_a_url_that_is_not_http(self) -> None:
        with pytest.raises(InputError, match="not an http"):
            LogApiClient("localhost:8000", KEY)


class TestOtherRefusals:
    def test_400_is_not_retried_and_quotes_the_server(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        api.fail_next(answer(400, json={"error": "limit must be 1 to 1000"}))
        with pytest.raises(SourceError) as caught:
            client.fetch_page("requests", None)
        assert not isinstance(caught.value, TransientSourceError)
        assert "rejected /v1/requests (400): limit must be 1 to 1000;" in str(caught.value)

    def test_server_text_is_flattened_to_one_line(
        self, api: FakeLogApi, client: LogApiClient
    ) -> None:
        api.fail_next(answer(400, json={"error": "bad\n\x1b[31mthing\x07" + "x" * 500}))
        with pytest.raises(SourceError) as caught:
            client.fetch_page("requests", None)
        message = str(caught.value)
        assert "\n" not in message and "\x1b" not in message and "\x07" not in message
        assert len(message) < 400

    def test_a_redirect_says_where_to(self, api: FakeLogApi, client: LogApiClient) -> None:
        api.fail_next(answer(301, headers={"Location": "https://logs.example/"}))
        with pytest.raises(
            SourceError, match=re.escape("redirects /v1/requests to https://logs.example/")
        ):
            client.fetch_page("requests", None)


class TestRetryAfter:
    NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("value", "seconds"),
        [
            ("120", 120.0),
            (" 0 ", 0.0),
            ("Mon, 23 Nov 2026 10:00:45 GMT", 45.0),
            ("Mon, 23 Nov 2026 09:59:00 GMT", 0.0),
            ("Mon, 23 Nov 2026 10:01:00 -0000", 60.0),
            (None, None),
            ("", None),
            ("soon", None),
            ("-5", None),
            ("1.5", None),
        ],
    )
    def test_both_forms_and_nonsense(self, value: str | None, seconds: float | None) -> None:
        assert parse_retry_after(value, now=self.NOW) == seconds


def test_close_closes_the_connection_pool(api: FakeLogApi) -> None:
    client = LogApiClient(URL, KEY, transport=api.transport())
    client.close()
    with pytest.raises(RuntimeError):
        client.fetch_page("requests", None)


class TestRealSockets:
    """The transport failures as a real network produces them, not as a fake raises them."""

    def test_a_server_that_accepts_but_never_answers_times_out(
        self, connect: Callable[..., LogApiClient]
    ) -> None:
        with socket.create_server(("127.0.0.1", 0)) as silent:
            port = silent.getsockname()[1]
            client = connect(url=f"http://127.0.0.1:{port}", timeout=0.2)
            with pytest.raises(
                TransientSourceError, match=r"did not answer /v1/health within 0\.2 s"
            ):
                client.health()

    def test_a_server_that_hangs_up_is_a_broken_connection(
        self, connect: Callable[..., LogApiClient]
    ) -> None:
        with socket.create_server(("127.0.0.1", 0)) as rude:
            port = rude.getsockname()[1]

            def hang_up() -> None:
                peer, _ = rude.accept()
                peer.recv(65536)
                peer.close()

            hanger = threading.Thread(target=hang_up)
            hanger.start()
            client = connect(url=f"http://127.0.0.1:{port}", timeout=5)
            with pytest.raises(TransientSourceError, match=r"connection to the log API .* broke"):
                client.health()
            hanger.join()


def test_clients_share_one_context_that_still_checks_certificates() -> None:
    with (
        LogApiClient("https://one.example", KEY) as one,
        LogApiClient("https://two.example", KEY) as two,
    ):
        contexts = [
            client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
            for client in (one, two)
        ]
    assert contexts[0] is contexts[1]
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED and contexts[0].check_hostname
    assert contexts[0].cert_store_stats()["x509_ca"] > 0
