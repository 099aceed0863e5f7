"""The sync service with a scripted source client: pages written with their cursor, a re-run that changes nothing,
a sync killed between pages that resumes without duplicates, held tickets taken once their customer is known, and
conflicts where the source wins its fields and tamdesk keeps its own. The HTTP clients are tested against loopback
servers in tests/sync; here the client is a script, so each rule is checked on its own."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.domain.sync import ConnectionInfo, Failure, RemoteEvent, RemotePage, RemoteTicket, SourceKind, SyncError
from tamdesk.models import tables as t
from tamdesk.secrets import SecretName, SecretStore
from tamdesk.services.base import Context, DomainError, FieldError, NotFound
from tamdesk.services.connections import (
    ConnectionInput,
    add_connection,
    check_connection,
    list_connections,
    remove_connection,
)
from tamdesk.services.customer_match import remember_alias
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.sync import SyncCancelled, sync_connection
from tamdesk.services.tickets import add_event, ticket_detail
from tests.db.statements import statements

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
TOKEN = "zd-token-0123456789"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def remote(number: str, org: str = "Acme", **changes: object) -> RemoteTicket:
    base = RemoteTicket(
        number=number, subject=f"Problem {number}", priority="high", status="open",
        created=at("2026-03-09 09:00"), updated=at("2026-03-09 10:00"), organization=org,
        requester_email="ann@acme.example", first_response=at("2026-03-09 09:30"),
        events=(RemoteEvent(at("2026-03-09 09:30"), TicketEventKind.RESPONSE),),
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass
class Script:
    """A source client that yields scripted pages after the cursor it is given (cursor = the page's index)."""

    batches: list[list[RemoteTicket]]
    fail_after: int | None = None  # raise a network failure after yielding this many pages
    seen: list[str | None] = field(default_factory=list)
    kind: SourceKind = SourceKind.ZENDESK

    def __call__(self, info: ConnectionInfo, secret: str, *, start: datetime, **_: object) -> Script:
        assert secret == TOKEN and info.kind is SourceKind.ZENDESK
        return self

    def check(self) -> str:
        return "Signed in to Zendesk (acme) as Ann Agent <ann@acme.example>."

    def pages_after(self, cursor: str | None) -> Iterator[RemotePage]:
        first = int(cursor) + 1 if cursor else 0
        for index in range(first, len(self.batches)):
            if self.fail_after is not None and index - first >= self.fail_after:
                raise SyncError(Failure.UNREACHABLE, "Zendesk (acme) is unreachable (connection reset).")
            yield RemotePage(self.batches[index], str(index), index == len(self.batches) - 1)

    def pages(self, cursor: str | None) -> Iterator[RemotePage]:
        self.seen.append(cursor)
        return self.pages_after(cursor)


@pytest.fixture
def store() -> SecretStore:
    return SecretStore()


@pytest.fixture
def acme(db_path: Path, ctx: Context, store: SecretStore) -> int:
    customer = create_customer(ctx, CustomerInput("Acme", time_zone="Europe/Berlin", country="DE"))
    add_connection(ctx, ConnectionInput("Zendesk", "zendesk", "https://acme.zendesk.com/", "ann@acme.example"), TOKEN,
                   store)  # fmt: skip
    return customer


def tickets() -> dict[str, t.Ticket]:
    return {ticket.number: ticket for ticket in t.Ticket.select()}


def test_a_connection_keeps_its_token_in_the_keyring_only(acme: int, store: SecretStore, ctx: Context) -> None:
    (row,) = list_connections()
    assert (row.name, row.kind, row.base_url, row.user) == ("Zendesk", SourceKind.ZENDESK,
                                                            "https://acme.zendesk.com", "ann@acme.example")  # fmt: skip
    assert row.start_at == ctx.now() - timedelta(days=90)
    assert store.get(SecretName.CONNECTION_TOKEN, "Zendesk") == TOKEN
    dump = "\n".join(str(v) for c in t.Connection.select().dicts() for v in c.values())
    dump += "\n".join(str(v) for a in t.AuditEntry.select().dicts() for v in a.values())
    assert TOKEN not in dump
    assert check_connection("zendesk", store, make=Script([])) == (
        "Signed in to Zendesk (acme) as Ann Agent <ann@acme.example>."
    )
    remove_connection(ctx, "Zendesk", store)
    assert list_connections() == [] and store.get(SecretName.CONNECTION_TOKEN, "Zendesk") is None


@pytest.mark.parametrize(
    ("data", "secret", "field", "message"),
    [
        (ConnectionInput("", "zendesk", "https://a.zendesk.com", "a@b.c"), TOKEN, "name", "A connection name is"),
        (ConnectionInput("Z", "freshdesk", "https://a.zendesk.com", "a@b.c"), TOKEN, "kind",
         "'freshdesk' is not a source kind; use zendesk, jsm or salesforce"),
        (ConnectionInput("Z", "zendesk", "acme.zendesk.com", "a@b.c"), TOKEN, "base_url",
         "https:// address, such as https://acme.zendesk.com, not 'acme.zendesk.com'"),
        (ConnectionInput("Z", "zendesk", "http://acme.zendesk.com", "a@b.c"), TOKEN, "base_url", "https://"),
        (ConnectionInput("Z", "jsm", "https://a.atlassian.net", "ann"), TOKEN, "user",
         "the Atlassian account's email, not 'ann'"),
        (ConnectionInput("Z", "salesforce", "https://a.my.salesforce.com", "3MVG9"), " ", "secret",
         "Paste the OAuth refresh token for Salesforce."),
        (ConnectionInput("Zendesk", "zendesk", "https://b.zendesk.com", "a@b.c"), TOKEN, "name", "already exists"),
    ],
)  # fmt: skip
def test_bad_connections_are_refused_naming_the_field(
    acme: int, store: SecretStore, ctx: Context, data: ConnectionInput, secret: str, field: str, message: str
) -> None:
    with pytest.raises(FieldError, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")) as caught:
        add_connection(ctx, data, secret, store)
    assert caught.value.field == field
    assert len(list_connections()) == 1


def test_first_sync_then_a_rerun_changes_nothing(acme: int, store: SecretStore, ctx: Context) -> None:
    script = Script([[remote("1001"), remote("1002", status="pending")], [remote("1003", priority="urgent")]])
    result = sync_connection(ctx, "Zendesk", store, make=script)
    assert (result.created, result.updated, result.unchanged, result.events, result.pages) == (3, 0, 0, 3, 2)
    assert result.line == "Zendesk: 3 created, 0 updated, 0 unchanged, 3 events added."
    found = tickets()
    assert found["1002"].status == TicketStatus.WAITING_ON_CUSTOMER.value and found["1003"].severity == 1
    assert found["1001"].source == "zendesk" and found["1001"].customer_id == acme
    (row,) = list_connections()
    assert (row.last_success_at, row.failure, t.Connection.get().cursor) == (ctx.now(), None, "1")
    again = sync_connection(ctx, "Zendesk", store, make=Script(script.batches))
    assert (again.created, again.updated, again.unchanged, again.events) == (0, 0, 0, 0), "nothing new after 1"
    replay = Script(script.batches)
    t.Connection.update(cursor="").execute()  # read everything again: still nothing changes
    assert sync_connection(ctx, "Zendesk", store, make=replay).unchanged == 3
    assert t.TicketEvent.select().count() == 3


def test_a_sync_stopped_between_pages_resumes_without_duplicates(acme: int, store: SecretStore, ctx: Context) -> None:
    pages = [[remote("1001")], [remote("1002")], [remote("1003")]]
    with pytest.raises(SyncError, match="unreachable"):
        sync_connection(ctx, "Zendesk", store, make=Script(pages, fail_after=1))
    assert sorted(tickets()) == ["1001"] and t.Connection.get().cursor == "0", "the first page and its cursor"
    (row,) = list_connections()
    assert row.failure is Failure.UNREACHABLE and row.last_success_at is None
    assert row.state.describe(ctx.now()) == "Zendesk: never synced — unreachable"
    resumed = Script(pages)
    result = sync_connection(ctx, "Zendesk", store, make=resumed)
    assert resumed.seen == ["0"] and (result.created, result.unchanged) == (2, 0)
    assert sorted(tickets()) == ["1001", "1002", "1003"] and t.TicketEvent.select().count() == 3


def test_a_cancel_keeps_what_was_written(acme: int, store: SecretStore, ctx: Context) -> None:
    calls = iter([False, True])
    with pytest.raises(SyncCancelled, match="stopped; what it read so far is kept"):
        sync_connection(ctx, "Zendesk", store, make=Script([[remote("1001")], [remote("1002")]]),
                        cancelled=lambda: next(calls))  # fmt: skip
    assert sorted(tickets()) == ["1001"]


def test_an_unknown_organization_is_held_until_it_is_mapped(acme: int, store: SecretStore, ctx: Context) -> None:
    script = Script([[remote("1001"), remote("1002", org="Initech Corp", requester_email="bob@initech.example")]])
    result = sync_connection(ctx, "Zendesk", store, make=script)
    assert result.held == {"1002": "Organization 'Initech Corp' matches no customer"}
    assert result.held_lines() == ["Organization 'Initech Corp' matches no customer: 1002"]
    assert sorted(tickets()) == ["1001"] and list_connections()[0].held == 1
    initech = create_customer(ctx, CustomerInput("Initech", time_zone="America/New_York", country="US"))
    remember_alias(ctx, initech, "Initech Corp")
    later = sync_connection(ctx, "Zendesk", store, make=Script([]))  # nothing new from the source
    assert (later.released, later.created, later.held) == (1, 1, {})
    assert tickets()["1002"].customer_id == initech and list_connections()[0].held == 0


def test_history_is_added_to_never_taken_back(acme: int, store: SecretStore, ctx: Context) -> None:
    """Zendesk's event export reports the events of the window asked for: a later answer without an earlier event
    does not remove it, and an event reported twice (the window's boundary second) is one event."""
    pending = remote("1001", status="pending", events=(
        RemoteEvent(at("2026-03-09 09:30"), TicketEventKind.RESPONSE),
        RemoteEvent(at("2026-03-09 09:31"), TicketEventKind.WAITING_ON_CUSTOMER),
    ))  # fmt: skip
    back = remote("1001", status="open", updated=at("2026-03-10 08:00"), first_response=None, events=(
        RemoteEvent(at("2026-03-09 09:31"), TicketEventKind.WAITING_ON_CUSTOMER),
        RemoteEvent(at("2026-03-10 08:00"), TicketEventKind.CUSTOMER_REPLIED),
    ))  # fmt: skip
    sync_connection(ctx, "Zendesk", store, make=Script([[pending]]))
    result = sync_connection(ctx, "Zendesk", store, make=Script([[], [back]]))
    assert (result.updated, result.events) == (1, 1)
    kinds = [e.kind for e in t.TicketEvent.select().order_by(t.TicketEvent.at)]
    assert kinds == ["response", "waiting_on_customer", "customer_replied"]


def test_an_unknown_priority_keeps_the_ticket_as_it_was(acme: int, store: SecretStore, ctx: Context) -> None:
    sync_connection(ctx, "Zendesk", store, make=Script([[remote("1001")]]))
    result = sync_connection(ctx, "Zendesk", store, make=Script([[], [remote("1001", priority="blocker-ish")]]))
    assert result.held == {"1001": "Priority 'blocker-ish' is not one tamdesk reads from Zendesk"}
    assert tickets()["1001"].severity == 2


def test_the_source_wins_its_fields_and_tamdesk_keeps_its_own(acme: int, store: SecretStore, ctx: Context) -> None:
    sync_connection(ctx, "Zendesk", store, make=Script([[remote("1001")]]))
    ticket = tickets()["1001"]
    t.Ticket.update(notes="Call Ann before 10", engineer="Eve").where(t.Ticket.id == ticket.id).execute()
    add_event(ctx, ticket.id, TicketEventKind.WAITING_ON_CUSTOMER, at("2026-03-09 11:00"), "asked for logs")
    solved = remote(
        "1001", status="solved", priority="urgent", solved=at("2026-03-10 09:00"), updated=at("2026-03-10 09:00"),
        events=(RemoteEvent(at("2026-03-09 09:30"), TicketEventKind.RESPONSE),
                RemoteEvent(at("2026-03-10 09:00"), TicketEventKind.SOLVED)),
    )  # fmt: skip
    result = sync_connection(ctx, "Zendesk", store, make=Script([[], [solved]]))
    assert (result.updated, result.events) == (1, 1), "the response was known: only the solve is new"
    after = t.Ticket.get_by_id(ticket.id)
    assert (after.status, after.severity, after.notes, after.engineer) == ("solved", 1, "Call Ann before 10", "Eve")
    authors = sorted((e.kind, e.author) for e in after.events)
    assert ("waiting_on_customer", "Tess Tam") in authors, "the TAM's own event stays"
    assert ("solved", "sync: Zendesk") in authors
    audit = t.AuditEntry.select().where((t.AuditEntry.entity == "ticket") & (t.AuditEntry.action == "sync"))
    summaries = [a.summary for a in audit.order_by(t.AuditEntry.id)]
    assert summaries[-1] == (
        "Ticket 1001 synced from Zendesk: severity Sev2 → Sev1; status Waiting on customer → Solved; solved none → "
        "2026-03-10 09:00 UTC; solved at 2026-03-10 09:00 UTC added from the source"
    )
    detail = ticket_detail(ticket.id, NOW)
    assert detail.sla.resolved_at == at("2026-03-10 09:00")


def test_no_token_on_this_computer_says_how_to_set_it(acme: int, ctx: Context) -> None:
    other_machine = SecretStore()
    other_machine.delete(SecretName.CONNECTION_TOKEN, "Zendesk")
    with pytest.raises(DomainError, match=r"not in this computer's keyring; set it again with `tamdesk connections"):
        sync_connection(ctx, "Zendesk", other_machine, make=Script([]))
    assert list_connections()[0].state.describe(ctx.now()) == "Zendesk: never synced — no token on this computer"
    with pytest.raises(NotFound, match=r"No connection named 'Freshdesk' \(connections: Zendesk\)"):
        sync_connection(ctx, "Freshdesk", other_machine, make=Script([]))


def test_a_source_clock_ahead_of_ours_does_not_break_the_lists(acme: int, store: SecretStore, ctx: Context) -> None:
    """A support system's clock a little ahead: a ticket opened "in the future" is listed, not an error."""
    from tamdesk.services.ticket_lists import TicketFilter, load_tickets
    from tamdesk.services.today import needs_attention

    ahead = ctx.now() + timedelta(minutes=2)
    sync_connection(ctx, "Zendesk", store, make=Script([[remote("1001", created=ahead, updated=ahead, events=(),
                                                               first_response=None)]]))  # fmt: skip
    (row,) = load_tickets(TicketFilter(), ctx.now())
    assert row.number == "1001" and row.sla.first_response_due > ahead
    needs_attention(ctx.now(), tam=None)


def test_a_page_is_written_in_a_few_statements(acme: int, store: SecretStore, ctx: Context) -> None:
    page = [remote(str(2000 + n)) for n in range(1000)]
    with statements() as created:
        result = sync_connection(ctx, "Zendesk", store, make=Script([page]))
    assert (result.created, result.events) == (1000, 1000)
    solved = [replace(r, status="solved", solved=at("2026-03-10 09:00"), updated=at("2026-03-10 09:00"),
                      events=(*r.events, RemoteEvent(at("2026-03-10 09:00"), TicketEventKind.SOLVED)))
              for r in page]  # fmt: skip
    with statements() as updated:
        result = sync_connection(ctx, "Zendesk", store, make=Script([[], solved]))
    assert (result.updated, result.events) == (1000, 1000)
    assert t.Ticket.select().where(t.Ticket.status == "solved").count() == 1000
    audit = t.AuditEntry.select().where(t.AuditEntry.action == "sync").order_by(t.AuditEntry.id)
    assert [(a.entity_id, a.summary) for a in audit][-1] == (
        tickets()["2999"].id,
        "Ticket 2999 synced from Zendesk: status Open → Solved; solved none → 2026-03-10 09:00 UTC; solved at "
        "2026-03-10 09:00 UTC added from the source",
    )
    assert len(created) <= 40 and len(updated) <= 40, (len(created), len(updated))


def test_a_ticket_twice_in_a_page_is_taken_in_order(acme: int, store: SecretStore, ctx: Context) -> None:
    """Created then changed by the same page, or taken then held: as if each were written on its own."""
    page = [remote("1001"), remote("1001", subject="Second look"), remote("1002"),
            remote("1002", priority="blocker-ish")]  # fmt: skip
    result = sync_connection(ctx, "Zendesk", store, make=Script([page]))
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    assert tickets()["1001"].subject == "Second look" and t.TicketEvent.select().count() == 2
    assert result.held == {"1002": "Priority 'blocker-ish' is not one tamdesk reads from Zendesk"}
    assert list_connections()[0].held == 1
    summaries = [a.summary for a in t.AuditEntry.select().where(t.AuditEntry.action == "sync")]
    assert summaries[1] == "Ticket 1001 synced from Zendesk: subject Problem 1001 → Second look"
