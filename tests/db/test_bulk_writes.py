"""Imports and sample data write in pages: a few statements per 1,000 rows, counted on each engine.

Statements are counted on the connection itself (``tests/db/statements.py``), so a statement a row
(``executemany`` included) counts as many times as it runs.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.models import tables as t
from tamdesk.models.bulk import insert_rows, update_rows
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.demo import generate_demo
from tamdesk.services.ticket_import import TicketImportOptions, import_ticket_events, import_tickets
from tamdesk.services.ticket_lists import TicketsCancelled
from tests.db.statements import statements

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
HEADER = ["Id", "Organization", "Subject", "Status", "Priority", "Created at", "Updated at", "Solved at",
          "First reply time in minutes", "First reply time in minutes within business hours"]  # fmt: skip
CUSTOMERS = 8
PER_THOUSAND = 20


@pytest.fixture
def ctx() -> Context:
    return Context(actor="Tess Tam", clock=lambda: NOW)


@pytest.fixture
def customers(db_path: Path, ctx: Context) -> None:
    for n in range(CUSTOMERS):
        create_customer(ctx, CustomerInput(f"Customer {n} GmbH", "Europe/Berlin", "DE", (f"c{n}.example",)))


def _export(path: Path, count: int, *, first: int = 100_000, subject: str = "slow") -> Path:
    """A Zendesk export of ``count`` tickets, half solved, most answered."""
    rnd = random.Random(count)
    start = datetime(2025, 6, 2, 8, 0)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for n in range(count):
            created = start + timedelta(minutes=rnd.randrange(0, 200 * 24 * 60))
            status = rnd.choice(("Open", "Pending", "Solved", "Closed"))
            reply = rnd.randrange(5, 3000)
            solved = created + timedelta(minutes=reply + rnd.randrange(60, 5000))
            shown = solved if status in ("Solved", "Closed") else created
            writer.writerow([
                first + n, f"Customer {n % CUSTOMERS} GmbH", f"Ticket {n}: {subject}", status,
                rnd.choice(("Urgent", "High", "Normal", "Low")), f"{created:%Y-%m-%d %H:%M}", f"{shown:%Y-%m-%d %H:%M}",
                f"{solved:%Y-%m-%d %H:%M}" if status in ("Solved", "Closed") else "", reply, reply // 3,
            ])  # fmt: skip
    return path


def _history(path: Path, count: int, *, first: int = 100_000) -> Path:
    """A history file: each ticket waited on its customer, then the customer replied (``2 * count`` events)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Ticket", "At", "Event"])
        for n in range(count):
            writer.writerow([first + n, "2026-01-05T09:00:00Z", "waiting_on_customer"])
            writer.writerow([first + n, "2026-01-06T09:00:00Z", "customer_replied"])
    return path


def _counted(action: Callable[[], object]) -> int:
    with statements() as seen:
        action()
    return len(seen)


ZENDESK = TicketImportOptions(tz="Europe/Berlin")


def _rows() -> tuple[int, int, int]:
    return t.Ticket.select().count(), t.TicketEvent.select().count(), t.AuditEntry.select().count()


@pytest.mark.usefixtures("customers")
def test_an_import_of_1000_tickets_takes_a_few_statements(ctx: Context, tmp_path: Path) -> None:
    small = _counted(lambda: import_tickets(ctx, _export(tmp_path / "a.csv", 1000), ZENDESK))
    written = _rows()
    assert written[0] == 1000 and written[1] > 1000
    # twice the tickets in a database that holds some already: the extra thousand costs what the first did, or less
    more = _counted(lambda: import_tickets(ctx, _export(tmp_path / "b.csv", 2000, first=200_000), ZENDESK))
    assert t.Ticket.select().count() == 3000
    assert small <= 2 * PER_THOUSAND, small
    assert more - small <= PER_THOUSAND, (small, more)


@pytest.mark.usefixtures("customers")
def test_an_import_of_2000_events_takes_a_few_statements(ctx: Context, tmp_path: Path) -> None:
    import_tickets(ctx, _export(tmp_path / "tickets.csv", 1000), ZENDESK)
    before = _rows()
    count = _counted(lambda: import_ticket_events(ctx, _history(tmp_path / "events.csv", 1000)))
    after = _rows()
    assert after[1] - before[1] == 2000
    # the history changed every open ticket's status (the customer replied: open again), in one update per page
    assert t.Ticket.select().where(t.Ticket.status == "waiting_on_customer").count() == 0
    assert count <= 2 * PER_THOUSAND, count
    # the same file again adds nothing, and reads no more than it did
    again = _counted(lambda: import_ticket_events(ctx, tmp_path / "events.csv"))
    assert _rows()[1] == after[1]
    assert again <= count


@pytest.mark.usefixtures("customers")
def test_a_reimport_that_changes_every_ticket_takes_a_few_statements(ctx: Context, tmp_path: Path) -> None:
    import_tickets(ctx, _export(tmp_path / "tickets.csv", 1000), ZENDESK)
    import_ticket_events(ctx, _history(tmp_path / "events.csv", 1000))
    changed = _export(tmp_path / "changed.csv", 1000, subject="fast again")
    summary = None

    def reimport() -> None:
        nonlocal summary
        summary = import_tickets(ctx, changed, ZENDESK)

    count = _counted(reimport)
    assert summary is not None and (summary.created, summary.updated) == (0, 1000)
    assert t.Ticket.select().where(t.Ticket.subject.endswith("fast again")).count() == 1000
    assert count <= 2 * PER_THOUSAND, count
    unchanged = _counted(lambda: import_tickets(ctx, changed, ZENDESK))
    assert unchanged <= count


def test_sample_data_takes_a_few_statements_per_thousand_rows(db_path: Path, ctx: Context) -> None:
    count = _counted(lambda: generate_demo(ctx, customers=10, tickets=1000, seed=3))
    written = sum(model.select().count() for model in (
        t.Customer, t.OnboardingStep, t.PortalSeat, t.Ticket, t.TicketEvent, t.Escalation, t.EscalationEntry,
        t.Defect, t.DefectTicket, t.DefectUpdate,
    ))  # fmt: skip
    assert written > 5000
    assert count * 1000 <= PER_THOUSAND * written, (count, written)


@pytest.mark.usefixtures("customers")
def test_progress_is_told_a_page_at_a_time_and_a_cancel_leaves_nothing(ctx: Context, tmp_path: Path) -> None:
    export = _export(tmp_path / "tickets.csv", 2500)
    before = _rows()
    seen: list[tuple[int, int]] = []
    with pytest.raises(TicketsCancelled, match="nothing was imported"):
        import_tickets(ctx, export, ZENDESK, progress=lambda done, total: seen.append((done, total)),
                       cancelled=lambda: len(seen) == 2)  # fmt: skip
    assert seen == [(0, 2500), (1000, 2500)], "cancelled before the third page, two pages written"
    assert _rows() == before
    seen.clear()
    summary = import_tickets(ctx, export, ZENDESK, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 2500), (1000, 2500), (2000, 2500), (2500, 2500)] and summary.created == 2500
    statuses = dict(t.Ticket.select(t.Ticket.number, t.Ticket.status).tuples())
    written = _rows()
    history = _history(tmp_path / "events.csv", 1500)
    seen.clear()
    with pytest.raises(TicketsCancelled, match="nothing was imported"):
        import_ticket_events(ctx, history, progress=lambda done, total: seen.append((done, total)),
                             cancelled=lambda: len(seen) == 2)  # fmt: skip
    assert seen == [(0, 3000), (1000, 3000)]
    assert _rows() == written and dict(t.Ticket.select(t.Ticket.number, t.Ticket.status).tuples()) == statuses


TRICKY = ["a\tb", "two\nlines", "back\\slash", "\\N", "\\.", "", "Müller ✓", "cr\r\nlf", "'quoted' \"too\"", "\x0bvt"]


@pytest.mark.usefixtures("customers")
def test_rows_written_in_bulk_read_back_as_given() -> None:
    """Separators, escapes, NULL next to an empty text, booleans and NULL booleans, on both engines."""
    customer = t.Customer.select().first().id
    columns = ("number", "customer", "subject", "severity", "status", "opened_at", "resolved_at",
               "source_first_response_breached", "notes", "engineer", "version")  # fmt: skip
    rows = [(f"B-{n}", customer, text, 2, "open", 1_770_000_000 + n, None if n % 2 else 1_770_100_000,
             [None, True, False][n % 3], "", text, 1) for n, text in enumerate(TRICKY)]  # fmt: skip
    assert insert_rows(t.Ticket, columns, rows) == len(TRICKY)
    query = t.Ticket.select(*(getattr(t.Ticket, c) for c in columns)).order_by(t.Ticket.id)
    stored = [tuple(getattr(k, c if c != "customer" else "customer_id") for c in columns) for k in query]
    assert [(r[0], r[2], r[6] is None, r[7], r[8], r[9]) for r in stored] == [
        (r[0], r[2], r[6] is None, r[7], r[8], r[9]) for r in rows
    ]
    ids = dict(t.Ticket.select(t.Ticket.number, t.Ticket.id).tuples())
    changed = [(ids[r[0]], f"{r[2]}!", None, [True, False, None][n % 3]) for n, r in enumerate(rows)]
    update_rows(t.Ticket, ("subject", "resolved_at", "source_first_response_breached"), changed)
    after = t.Ticket.select().order_by(t.Ticket.id)
    assert [(k.subject, k.resolved_at, k.source_first_response_breached, k.version) for k in after] == [
        (f"{text}!", None, [True, False, None][n % 3], 2) for n, text in enumerate(TRICKY)
    ]
