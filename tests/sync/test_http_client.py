"""The HTTP client every sync uses, against a loopback server: one sentence per failure, no secret in any of them,
retries that honour Retry-After, and a timeout that ends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tamdesk.domain.sync import Failure, SyncError
from tamdesk.services.http_client import HttpClient
from tests.sync.loopback import LoopbackServer, Reply, loopback

SECRET = "Basic c2VjcmV0LXRva2Vu"  # never in a message


def client(url: str, waits: list[float], **kwargs: object) -> HttpClient:
    return HttpClient("Zendesk (acme)", url, {"Authorization": SECRET}, sleep=waits.append,
                      now=lambda: datetime(2026, 12, 7, 12, 0, tzinfo=UTC), **kwargs)  # type: ignore[arg-type]  # fmt: skip


def failure(call: object) -> SyncError:
    with pytest.raises(SyncError) as caught:
        call()  # type: ignore[operator]
    assert SECRET not in str(caught.value) and "c2VjcmV0" not in str(caught.value)
    assert "\n" not in str(caught.value)
    return caught.value


def test_json_with_the_authorization_header_and_query() -> None:
    server = LoopbackServer()
    server.route("GET", "/api/v2/x.json")(lambda r: Reply(200, {"ok": r.arg("cursor")}))
    with loopback(server) as live:
        assert client(live.url, []).get_json("/api/v2/x.json", {"cursor": "abc=="}) == {"ok": "abc=="}
    assert live.requests[0].headers["Authorization"] == SECRET


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (401, {"error": "Couldn't authenticate you"}, Failure.AUTH,
         "Zendesk (acme) refused the sign-in: the user or token is wrong or expired: \"Couldn't authenticate you\"."),
        (403, {"errorMessages": ["You do not have permission"]}, Failure.PERMISSION,
         'Zendesk (acme) does not let this user read /x: "You do not have permission".'),
        (404, b"<html>Not here</html>", Failure.NOT_FOUND, "Zendesk (acme) has nothing at /x: is the base URL right?"),
        (400, [{"message": "MALFORMED_QUERY", "errorCode": "MALFORMED_QUERY"}], Failure.MALFORMED,
         'Zendesk (acme) refused the request to /x (HTTP 400): "MALFORMED_QUERY".'),
    ],
)  # fmt: skip
def test_each_refusal_is_one_sentence(status: int, body: object, kind: Failure, message: str) -> None:
    server = LoopbackServer()
    server.route("GET", "/x")(lambda r: Reply(status, body))
    with loopback(server) as live:
        error = failure(lambda: client(live.url, []).get_json("/x"))
    assert (error.failure, str(error)) == (kind, message)
    assert len(live.requests) == 1, "a refusal is not retried"


def test_429_waits_as_told_then_succeeds() -> None:
    answers = iter([Reply(429, {"error": "TooManyRequests"}, {"Retry-After": "7"}), Reply(503, {}), Reply(200, [1])])
    server = LoopbackServer()
    server.route("GET", "/x")(lambda r: next(answers))
    waits: list[float] = []
    with loopback(server) as live:
        assert client(live.url, waits).get_json("/x") == [1]
    assert waits == [7.0, 4.0]  # Retry-After first, then the second retry's own backoff


def test_a_service_that_stays_down_gives_up_after_the_attempts() -> None:
    server = LoopbackServer()
    server.route("GET", "/x")(lambda r: Reply(500, {"error": "Internal"}))
    waits: list[float] = []
    with loopback(server) as live:
        error = failure(lambda: client(live.url, waits, attempts=3).get_json("/x"))
    assert (
        error.failure is Failure.UNAVAILABLE and str(error) == 'Zendesk (acme) is unavailable (HTTP 500): "Internal".'
    )
    assert waits == [2.0, 4.0] and len(live.requests) == 3


def test_a_long_retry_after_is_not_waited_for_now() -> None:
    server = LoopbackServer()
    server.route("GET", "/x")(lambda r: Reply(429, {}, {"Retry-After": "Mon, 07 Dec 2026 13:00:00 GMT"}))
    with loopback(server) as live:
        error = failure(lambda: client(live.url, []).get_json("/x"))
    assert error.failure is Failure.RATE_LIMITED and error.retry_after == 3600
    assert str(error) == "Zendesk (acme) is rate limiting requests; it asks to wait 3600 s."


def test_a_timeout_ends_and_says_so() -> None:
    server = LoopbackServer()
    server.route("GET", "/x")(lambda r: Reply(200, {}, delay=2))
    with loopback(server) as live:
        error = failure(lambda: client(live.url, [], timeout=0.3, attempts=1).get_json("/x"))
    assert (error.failure, str(error)) == (Failure.UNREACHABLE, "Zendesk (acme) did not answer within 0.3 s.")


def test_no_server_and_no_host() -> None:
    with loopback() as live:
        url = live.url
    error = failure(lambda: client(url, [], attempts=1).get_json("/x"))
    assert error.failure is Failure.UNREACHABLE and str(error).startswith("Zendesk (acme) is unreachable (")
    error = failure(lambda: client("https://no-such-host.invalid", [], attempts=1).get_json("/x"))
    assert str(error) == "Zendesk (acme) is unreachable: no host named no-such-host.invalid was found."


def test_an_answer_that_is_not_json() -> None:
    server = LoopbackServer()
    server.route("GET", "/x")(lambda r: Reply(200, b"<!doctype html><title>Sign in</title>"))
    server.route("GET", "/y")(lambda r: Reply(200, b'{"tickets": [1, 2'))
    with loopback(server) as live:
        html = failure(lambda: client(live.url, []).get_json("/x"))
        broken = failure(lambda: client(live.url, []).get_json("/y"))
    assert html.failure is Failure.NOT_FOUND and "did not answer with JSON at /x" in str(html)
    assert broken.failure is Failure.MALFORMED
