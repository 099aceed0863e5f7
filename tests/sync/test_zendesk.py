"""The Zendesk client against a fake Zendesk on loopback: sign-in, paging, incremental syncs, history, failures.

Documentation followed (developer.zendesk.com):

- Incremental Exports: https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/
  (Incremental Ticket Export, Cursor Based; Incremental Ticket Event Export with the ``comment_events`` sideload;
  10 requests a minute; Retry-After)
- Using the Incremental Export API:
  https://developer.zendesk.com/documentation/ticketing/managing-tickets/using-the-incremental-export-api
- Ticket metric events (considered, not used):
  https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metric_events/
- Ticket audits (considered, not used: one request per ticket):
  https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/
- Cursor pagination: https://developer.zendesk.com/documentation/api-basics/pagination/paginating-through-lists-using-cursor-pagination
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tamdesk.domain.states import TicketEventKind as K
from tamdesk.domain.sync import (
    ConnectionInfo,
    Failure,
    RemoteEvent,
    RemotePage,
    RemoteTicket,
    SourceKind,
    SyncError,
)
from tamdesk.services.sources import make_client
from tamdesk.services.sources.zendesk import ZendeskClient
from tests.sync.fake_zendesk import EVENTS, ME, TICKETS, FakeZendesk
from tests.sync.loopback import LoopbackServer, Reply, Request, loopback

FIXTURES = Path(__file__).parent.parent / "fixtures" / "sync" / "zendesk"
TOKEN = "zd-token-123"
START = datetime.fromtimestamp(FakeZendesk.EPOCH - 86_400, UTC)


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


@pytest.fixture
def zd() -> FakeZendesk:
    """Ann, an admin; Bob at Acme Corp; two tickets from Bob and one from Cleo (no organization)."""
    fake = FakeZendesk(email="ann@acme.example", token=TOKEN)
    acme = fake.add_org("Acme Corp")
    fake.add_user("Ann Agent", "ann@acme.example", role="admin")
    bob = fake.add_user("Bob Buyer", "bob@acme.example", org=acme)
    cleo = fake.add_user("Cleo Client", "cleo@beta.example")
    fake.add_ticket("Printer on fire", requester=bob, priority="urgent")
    fake.advance(60)
    fake.add_ticket("Invoice question", requester=bob, priority="low")
    fake.advance(60)
    fake.add_ticket("Login broken", requester=cleo, priority="high")
    return fake


def client(url: str, waits: list[float] | None = None, token: str = TOKEN, timeout: float = 5.0) -> ZendeskClient:
    """A client of the fake whose retries wait nowhere (or record their waits in ``waits``)."""
    info = ConnectionInfo("acme", SourceKind.ZENDESK, url, "ann@acme.example")
    sleep = waits.append if waits is not None else (lambda s: None)
    return ZendeskClient(info, token, start=START, sleep=sleep, timeout=timeout)


def tickets(pages: Iterable[RemotePage]) -> list[RemoteTicket]:
    return [t for page in pages for t in page.tickets]


def failure(call: Callable[[], object]) -> SyncError:
    """The SyncError ``call`` raises, checked to be one line without the token or the Basic credentials."""
    with pytest.raises(SyncError) as caught:
        call()
    text = str(caught.value)
    secret = base64.b64encode(f"ann@acme.example/token:{TOKEN}".encode()).decode()
    assert TOKEN not in text and secret not in text and "\n" not in text
    return caught.value


# -- check ------------------------------------------------------------------------------------------------------------


def test_check_names_the_signed_in_user(zd: FakeZendesk) -> None:
    with loopback(zd.server) as live:
        assert client(live.url).check() == "Signed in to Zendesk (acme) as Ann Agent <ann@acme.example>."
    sent = live.requests[0].headers["Authorization"]
    assert base64.b64decode(sent.removeprefix("Basic ")).decode() == f"ann@acme.example/token:{TOKEN}"


def test_make_client_builds_the_zendesk_client(zd: FakeZendesk) -> None:
    info = ConnectionInfo("acme", SourceKind.ZENDESK, "https://acme.zendesk.com", "ann@acme.example")
    assert isinstance(make_client(info, TOKEN, start=START), ZendeskClient)


def test_a_wrong_token_gets_the_anonymous_user_and_says_so(zd: FakeZendesk) -> None:
    with loopback(zd.server) as live:
        error = failure(lambda: client(live.url, token="wrong-token").check())
        sync = failure(lambda: list(client(live.url, token="wrong-token").pages(None)))
    assert error.failure is Failure.AUTH
    assert str(error) == "Zendesk (acme) did not accept the sign-in: the email or API token is wrong or revoked."
    assert sync.failure is Failure.AUTH and "wrong-token" not in str(sync)


def test_a_401_at_sign_in_is_a_refused_sign_in(zd: FakeZendesk) -> None:
    zd.fail_next(ME, Reply(401, {"error": "Couldn't authenticate you"}))
    with loopback(zd.server) as live:
        error = failure(lambda: client(live.url).check())
    assert error.failure is Failure.AUTH
    assert str(error).startswith("Zendesk (acme) refused the sign-in: the user or token is wrong or expired")


def test_an_html_answer_is_not_zendesk() -> None:
    server = LoopbackServer()
    server.route("GET", ME)(lambda r: Reply(200, b"<!doctype html><title>Welcome</title>"))
    with loopback(server) as live:
        error = failure(lambda: client(live.url).check())
    assert error.failure is Failure.NOT_FOUND and "is the base URL" in str(error)


def test_no_permission(zd: FakeZendesk) -> None:
    zd.fail_next(ME, Reply(403, {"error": "Forbidden", "description": "You do not have access to this page."}))
    with loopback(zd.server) as live:
        error = failure(lambda: client(live.url).check())
    assert error.failure is Failure.PERMISSION and str(error).startswith("Zendesk (acme) does not let this user read")


def test_an_agent_who_is_not_admin_is_told_the_export_needs_an_admin(zd: FakeZendesk) -> None:
    zd.me = zd.add_user("Al Agent", "al@acme.example", role="agent")
    with loopback(zd.server) as live:
        error = failure(lambda: client(live.url).check())
    assert error.failure is Failure.PERMISSION and "only an admin" in str(error)


# -- paging -----------------------------------------------------------------------------------------------------------


def test_first_sync_reads_two_pages_with_organization_and_requester(zd: FakeZendesk) -> None:
    with loopback(zd.server) as live:
        pages = list(client(live.url).pages(None))
    assert [len(p.tickets) for p in pages] == [2, 1] and [p.done for p in pages] == [False, True]
    first = pages[0].tickets[0]
    assert (first.subject, first.priority, first.status) == ("Printer on fire", "urgent", "new")
    assert first.number == str(min(zd.tickets))
    assert (first.organization, first.requester_email) == ("Acme Corp", "bob@acme.example")
    assert first.created == at(FakeZendesk.EPOCH) and first.created.tzinfo is UTC
    last = pages[1].tickets[0]
    assert (last.organization, last.requester_email) == ("", "cleo@beta.example")
    ticket_calls = [r for r in live.requests if r.path == TICKETS]
    assert ticket_calls[0].arg("start_time") == str(int(START.timestamp()))
    assert ticket_calls[0].arg("include") == "users,organizations,metric_sets"
    assert ticket_calls[1].arg("cursor") == pages[0].cursor.split(":", 2)[2]
    assert len([r for r in live.requests if r.path == EVENTS]) == 1, "the event stream is read once per sync"


def test_resuming_after_a_page_continues_after_it(zd: FakeZendesk) -> None:
    with loopback(zd.server) as live:
        first = next(iter(client(live.url).pages(None)))
        rest = list(client(live.url).pages(first.cursor))
    assert [t.subject for t in rest[0].tickets] == ["Login broken"] and rest[-1].done


def test_incremental_sync_returns_only_changed_tickets(zd: FakeZendesk) -> None:
    with loopback(zd.server) as live:
        cursor = list(client(live.url).pages(None))[-1].cursor
        zd.advance(3600)
        invoice = sorted(zd.tickets)[1]
        zd.comment(invoice, zd.user("ann@acme.example"))
        later = list(client(live.url).pages(cursor))
    assert [t.subject for page in later for t in page.tickets] == ["Invoice question"]
    assert later[-1].done and later[-1].cursor != cursor
    assert later[0].tickets[0].first_response == at(zd.now)


def test_the_same_cursor_twice_gives_the_same_tickets(zd: FakeZendesk) -> None:
    with loopback(zd.server) as live:
        cursor = next(iter(client(live.url).pages(None))).cursor
        once = tickets(client(live.url).pages(cursor))
        twice = tickets(client(live.url).pages(cursor))
    assert once == twice and [t.subject for t in once] == ["Login broken"]


def test_deleted_tickets_are_skipped_and_unknown_words_pass_through(zd: FakeZendesk) -> None:
    printer, invoice, _ = sorted(zd.tickets)
    zd.tickets[printer]["status"] = "deleted"
    zd.tickets[invoice]["priority"] = "p0"
    with loopback(zd.server) as live:
        found = tickets(client(live.url).pages(None))
    assert [(t.subject, t.priority) for t in found] == [("Invoice question", "p0"), ("Login broken", "high")]


# -- history ----------------------------------------------------------------------------------------------------------


def test_pages_shaped_as_the_documentation_shows() -> None:
    """Answers written after the documentation's examples, served as they are (not by the fake)."""
    server = LoopbackServer()
    page_body = json.loads((FIXTURES / "tickets_cursor_page.json").read_text())
    events_body = json.loads((FIXTURES / "ticket_events.json").read_text())
    server.route("GET", TICKETS)(lambda r: Reply(200, page_body))
    server.route("GET", EVENTS)(lambda r: Reply(200, events_body))
    with loopback(server) as live:
        (page,) = list(client(live.url).pages(None))
    assert page.done and page.cursor == "v1:1796045400:MTc5NjAwNzIwMC4wfHw0MjEyfA=="
    (ticket,) = page.tickets  # 4212 is deleted
    utc = datetime(2026, 11, 30, tzinfo=UTC)
    assert ticket == RemoteTicket(
        number="4211", subject="Nightly export job fails with HTTP 502", priority="high", status="open",
        created=utc.replace(hour=8), updated=utc.replace(hour=13, minute=30), organization="Globex Corporation",
        requester_email="dana@globex.example", first_response=utc.replace(hour=8, minute=45), solved=None,
        events=tuple(RemoteEvent(at, kind) for at, kind in [
            (utc.replace(hour=8, minute=45), K.RESPONSE), (utc.replace(hour=8, minute=45), K.WAITING_ON_CUSTOMER),
            (utc.replace(hour=10), K.CUSTOMER_REPLIED), (utc.replace(hour=12), K.SOLVED),
            (utc.replace(hour=13, minute=30), K.REOPENED),
        ]),
    )  # fmt: skip


def test_pending_back_solved_and_reopened(zd: FakeZendesk) -> None:
    ann, bob = zd.user("ann@acme.example"), zd.user("bob@acme.example")
    printer = min(zd.tickets)
    zd.comment(printer, ann, public=False)  # an internal note is no response
    replied = zd.advance(600)
    zd.comment(printer, ann, status="pending")  # a reply sent as pending
    back = zd.advance(3600)
    zd.comment(printer, bob, status="open")  # the customer answered
    solved = zd.advance(600)
    zd.comment(printer, ann, status="solved")
    reopened = zd.advance(86_400)
    zd.comment(printer, bob, status="open")
    with loopback(zd.server) as live:
        ticket = next(t for t in tickets(client(live.url).pages(None)) if t.number == str(printer))
    assert [(e.at, e.kind) for e in ticket.events] == [
        (at(replied), K.RESPONSE), (at(replied), K.WAITING_ON_CUSTOMER), (at(back), K.CUSTOMER_REPLIED),
        (at(solved), K.RESPONSE), (at(solved), K.SOLVED), (at(reopened), K.REOPENED),
    ]  # fmt: skip
    assert ticket.first_response == at(replied) and ticket.solved is None and ticket.status == "open"


def test_an_agent_taking_a_ticket_out_of_pending_is_not_the_customer_replying(zd: FakeZendesk) -> None:
    printer, ann = min(zd.tickets), zd.user("ann@acme.example")
    zd.set_status(printer, "pending", by=ann)
    zd.advance(60)
    zd.set_status(printer, "open", by=ann)
    zd.advance(60)
    zd.set_status(printer, "solved", by=ann)
    with loopback(zd.server) as live:
        ticket = next(t for t in tickets(client(live.url).pages(None)) if t.number == str(printer))
    assert [e.kind for e in ticket.events] == [K.WAITING_ON_CUSTOMER, K.SOLVED]
    assert ticket.solved == at(zd.now) and ticket.first_response is None


def test_an_update_made_while_the_sync_runs_is_read_with_its_ticket(zd: FakeZendesk) -> None:
    printer, ann = min(zd.tickets), zd.user("ann@acme.example")
    serve_tickets = zd.server.routes[("GET", TICKETS)]

    def reply_after_an_agent_answers(request: Request) -> Reply:
        if not request.arg("cursor"):  # between reading the event stream and the first ticket page
            zd.advance(300)
            zd.comment(printer, ann, status="pending")
        return serve_tickets(request)

    zd.server.routes[("GET", TICKETS)] = reply_after_an_agent_answers
    with loopback(zd.server) as live:
        pages = list(client(live.url).pages(None))
    ticket = next(t for t in tickets(pages) if t.number == str(printer))
    assert [(e.at, e.kind) for e in ticket.events] == [(at(zd.now), K.RESPONSE), (at(zd.now), K.WAITING_ON_CUSTOMER)]
    assert pages[-1].cursor.startswith(f"v1:{zd.now}:")
    assert len([r for r in live.requests if r.path == EVENTS]) == 2, "the stream is read on once, not per ticket"


def test_a_ticket_older_than_the_window_takes_its_first_reply_and_solve_from_the_ticket_metrics(
    zd: FakeZendesk,
) -> None:
    ann, printer = zd.user("ann@acme.example"), min(zd.tickets)
    replied = zd.advance(1830)  # 32.5 min after the printer ticket was created: the metrics say 32 whole minutes
    zd.comment(printer, ann)
    zd.advance(60)
    zd.comment(max(zd.tickets), ann, public=False)  # the last event before the first sync is another ticket's
    with loopback(zd.server) as live:
        cursor = list(client(live.url).pages(None))[-1].cursor
        solved = zd.advance(7200)
        zd.set_status(printer, "solved", by=ann)
        ticket = next(t for t in tickets(client(live.url).pages(cursor)) if t.number == str(printer))
    assert [(e.at, e.kind) for e in ticket.events] == [(at(solved), K.SOLVED)], "only this window's events"
    assert ticket.first_response == at(FakeZendesk.EPOCH + 32 * 60) != at(replied)
    assert ticket.solved == at(solved)


def test_a_status_change_in_the_audit_form_is_read_too(zd: FakeZendesk) -> None:
    printer = min(zd.tickets)
    zd.advance(60)
    zd.set_status(printer, "pending", by=zd.user("ann@acme.example"))
    change = zd.events[-1]["child_events"][0]
    change.update(type="Change", field_name="status", value=change.pop("status"))
    with loopback(zd.server) as live:
        ticket = next(t for t in tickets(client(live.url).pages(None)) if t.number == str(printer))
    assert [(e.at, e.kind) for e in ticket.events] == [(at(zd.now), K.WAITING_ON_CUSTOMER)]


# -- failures ---------------------------------------------------------------------------------------------------------


def test_429_waits_as_told_then_succeeds(zd: FakeZendesk) -> None:
    zd.fail_next(TICKETS, Reply(429, {"error": "TooManyRequests"}, {"Retry-After": "7"}))
    waits: list[float] = []
    with loopback(zd.server) as live:
        found = tickets(client(live.url, waits).pages(None))
    assert waits == [7.0] and len(found) == 3


def test_a_server_error_is_retried_then_told(zd: FakeZendesk) -> None:
    zd.fail_next(EVENTS, *[Reply(500, {"error": "InternalError"})] * 4)
    waits: list[float] = []
    with loopback(zd.server) as live:
        error = failure(lambda: list(client(live.url, waits).pages(None)))
    assert error.failure is Failure.UNAVAILABLE and str(error) == (
        'Zendesk (acme) is unavailable (HTTP 500): "InternalError".')  # fmt: skip
    assert waits == [2.0, 4.0, 8.0]


def test_a_slow_answer_times_out(zd: FakeZendesk) -> None:
    zd.fail_next(ME, *[Reply(200, {}, delay=1.5)] * 4)
    with loopback(zd.server) as live:
        error = failure(lambda: client(live.url, timeout=0.2).check())
    assert (error.failure, str(error)) == (Failure.UNREACHABLE, "Zendesk (acme) did not answer within 0.2 s.")


@pytest.mark.parametrize(
    ("path", "body", "what"),
    [
        (TICKETS, {"after_cursor": "x", "end_of_stream": True}, "no tickets or after_cursor"),
        (TICKETS, {"tickets": [{"id": 1, "status": "open", "created_at": "yesterday",
                                  "updated_at": "2026-11-30T10:00:00Z"}],
                   "after_cursor": "x", "end_of_stream": True}, "the time 'yesterday'"),
        (EVENTS, {"end_of_stream": True}, "no ticket_events or end_time"),
        (TICKETS, b'{"tickets": [', ""),
    ],
)  # fmt: skip
def test_a_malformed_page_names_the_connection(zd: FakeZendesk, path: str, body: object, what: str) -> None:
    zd.fail_next(path, Reply(200, body))
    with loopback(zd.server) as live:
        error = failure(lambda: list(client(live.url).pages(None)))
    assert error.failure is Failure.MALFORMED and str(error).startswith("Zendesk (acme) ")
    assert what in str(error)


def test_a_cursor_tamdesk_did_not_write_is_refused(zd: FakeZendesk) -> None:
    error = failure(lambda: list(client("http://127.0.0.1:9").pages("MTU3NjYxMzUzOS4wfHw0Njd8")))
    assert error.failure is Failure.MALFORMED and "sync position" in str(error)
