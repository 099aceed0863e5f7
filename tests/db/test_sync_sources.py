"""A whole sync per support system: the real client against its loopback server (tests/sync/fake_zendesk.py and
fake_salesforce.py, written from Zendesk's Incremental Exports and Salesforce's REST API documentation), through
the sync service into the database, then the SLA read back as the app reads it. A sync killed (SIGKILL) between
two pages resumes without duplicates."""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.states import TicketEventKind
from tamdesk.models import tables as t
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.connections import ConnectionInput, add_connection
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database
from tamdesk.services.sources import make_client
from tamdesk.services.sync import sync_connection
from tamdesk.services.tickets import ticket_detail
from tests.sync.fake_jsm import EMAIL, TOKEN, JsmSite, fake_jsm, jsm_issue
from tests.sync.fake_salesforce import fake_salesforce, load_org
from tests.sync.fake_zendesk import FakeZendesk
from tests.sync.loopback import loopback


def clock_at(epoch: int) -> Context:
    return Context(actor="Tess Tam", clock=lambda: datetime.fromtimestamp(epoch, UTC))


def test_zendesk_tickets_history_and_sla(db_path: Path) -> None:
    zd = FakeZendesk()
    ann = zd.add_user("Ann Agent", "ann@acme.example", role="admin")
    acme = zd.add_org("Acme Corp")
    bob = zd.add_user("Bob Buyer", "bob@acme.example", org=acme)
    fast = zd.add_ticket("Cluster down", requester=bob, priority="urgent")
    zd.advance(20 * 60)
    zd.comment(fast, ann, status="pending")  # answered after 20 minutes and asked for logs
    slow = zd.add_ticket("Report wrong", requester=bob, priority="high")
    zd.advance(3600)
    zd.set_status(fast, "open", by=bob)  # the customer sent the logs
    ctx = clock_at(zd.now)
    customer = create_customer(ctx, CustomerInput("Acme Corp", time_zone="Europe/Berlin", country="DE"))
    store = SecretStore()
    with loopback(zd.server) as live:
        add_connection(ctx, ConnectionInput("Zendesk", "zendesk", live.url, zd.email), zd.token, store)
        first = sync_connection(ctx, "Zendesk", store, make=make_client, sleep=lambda s: None)
        assert (first.created, first.updated) == (2, 0)
        again = sync_connection(ctx, "Zendesk", store, make=make_client, sleep=lambda s: None)
        assert (again.created, again.updated, again.events) == (0, 0, 0), "nothing changed since"
        zd.advance(600)
        zd.comment(slow, ann, status="solved")
        later = clock_at(zd.now)
        third = sync_connection(later, "Zendesk", store, make=make_client, sleep=lambda s: None)
        assert (third.created, third.updated) == (0, 1)
    tickets = {tk.number: tk for tk in t.Ticket.select()}
    assert set(tickets) == {str(fast), str(slow)} and {tk.customer_id for tk in tickets.values()} == {customer}
    kinds = [e.kind for e in tickets[str(fast)].events.order_by(t.TicketEvent.at)]
    assert kinds == [TicketEventKind.RESPONSE, TicketEventKind.WAITING_ON_CUSTOMER, TicketEventKind.CUSTOMER_REPLIED]
    sla = ticket_detail(tickets[str(fast)].id, later.now()).sla
    assert sla.first_response_met is True and not sla.paused
    assert tickets[str(slow)].status == "solved" and tickets[str(slow)].severity == 2


def test_salesforce_cases_milestones_and_an_unknown_account(db_path: Path) -> None:
    fake = fake_salesforce(load_org(), page_size=2)
    ctx = Context(actor="Tess Tam", clock=lambda: datetime(2026, 12, 7, 12, tzinfo=UTC))
    create_customer(ctx, CustomerInput("Acme Corp", time_zone="Europe/Berlin", country="DE"))
    create_customer(ctx, CustomerInput("Globex", time_zone="America/New_York", country="US",
                                       email_domains="globex.com"))  # fmt: skip
    store = SecretStore()
    with loopback(fake.server) as live:
        add_connection(ctx, ConnectionInput("Salesforce", "salesforce", live.url, fake.client_id),
                       fake.refresh_token, store)  # fmt: skip
        result = sync_connection(ctx, "Salesforce", store, make=make_client, sleep=lambda s: None)
    assert (result.created, result.pages) == (4, 3)
    assert result.held == {"00001005": "Organization 'Initech' matches no customer"}
    tickets = {tk.number: tk for tk in t.Ticket.select()}
    assert tickets["00001004"].customer.name == "Globex", "no account: matched by the contact's domain"
    assert tickets["00001002"].status == "closed" and tickets["00001001"].severity == 1
    assert tickets["00001004"].status == "waiting_on_customer"


@pytest.mark.sqlite_only
@pytest.mark.skipif(os.name != "posix", reason="fork and SIGKILL")
def test_a_sync_killed_between_pages_resumes_without_duplicates(db_path: Path) -> None:
    """SIGKILL while the second page is being fetched: the first page and its cursor are in the database, the rest
    is not, and the next sync reads on from there."""
    now = datetime.now(UTC).replace(microsecond=0)
    issues = [jsm_issue(f"SUP-{n}", created=now - timedelta(hours=10 - n), updated=now - timedelta(hours=10 - n))
              for n in range(1, 4)]  # fmt: skip
    site = JsmSite(issues=issues, page_size=1)
    ctx = Context(actor="Tess Tam")
    create_customer(ctx, CustomerInput("Acme Analytics", time_zone="Europe/Berlin", country="DE"))
    store = SecretStore()
    with loopback(fake_jsm(site)) as live:
        add_connection(ctx, ConnectionInput("JSM", "jsm", live.url, EMAIL), TOKEN, store)
        answers = {"n": 0}
        route = live.routes[("GET", "/rest/api/3/search/jql")]

        def second_page_hangs(request):  # type: ignore[no-untyped-def]
            answers["n"] += 1
            reply = route(request)
            if answers["n"] == 2:
                reply.delay = 30  # the child is killed while it waits
            return reply

        live.routes[("GET", "/rest/api/3/search/jql")] = second_page_hangs
        close_database()
        child = os.fork()
        if child == 0:  # the sync, in a process of its own that will be killed
            try:
                open_database(db_path)
                sync_connection(ctx, "JSM", store, make=make_client, sleep=lambda s: None)
            finally:
                os._exit(0)
        try:
            deadline = time.monotonic() + 20
            while answers["n"] < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)  # the first page is written before the second is asked for
        finally:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        open_database(db_path)
        assert [tk.number for tk in t.Ticket.select()] == ["SUP-1"], "the first page only"
        assert t.Connection.get().cursor.endswith("|SUP-1")
        live.routes[("GET", "/rest/api/3/search/jql")] = route
        result = sync_connection(ctx, "JSM", store, make=make_client, sleep=lambda s: None)
    assert result.created == 2
    assert sorted(tk.number for tk in t.Ticket.select()) == ["SUP-1", "SUP-2", "SUP-3"]
