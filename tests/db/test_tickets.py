"""Tickets through the service: recording, correcting, listing with SLA state, importing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import TicketEventKind, TicketStatus
from tamdesk.models import tables as t
from tamdesk.services.base import Context, ValidationFailed
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.tabular import ImportFailed
from tamdesk.services.ticket_import import TicketImportOptions, import_ticket_events, import_tickets
from tamdesk.services.ticket_lists import TicketFilter, first_page, load_tickets, sort_tickets
from tamdesk.services.tickets import (
    TicketInput,
    add_event,
    create_ticket,
    delete_event,
    edit_event,
    ticket_detail,
    update_ticket,
)

FRI_1730_BERLIN = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))


def _ticket(ctx: Context, customer: int, number: str = "SUP-1", severity: Severity = Severity.HIGH, **kw) -> int:
    data = TicketInput(number, customer, kw.pop("subject", "Coordinator crash"), severity,
                       kw.pop("opened_at", FRI_1730_BERLIN), **kw)  # fmt: skip
    return create_ticket(ctx, data)


def test_friday_evening_sev2_is_due_monday_and_explained(acme: int, ctx: Context) -> None:
    tid = _ticket(ctx, acme)
    detail = ticket_detail(tid, datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # Mon 10:00 CET
    assert detail.sla.first_response_due == datetime(2026, 3, 9, 9, 30, tzinfo=UTC)
    assert detail.sla.first_response_state is SlaState.AT_RISK
    assert detail.first_response_explained.startswith("First response due Mon 09 Mar 10:30 CET")
    assert "2 business hours from Fri" in detail.first_response_explained
    assert "Europe/Berlin" in detail.first_response_explained
    assert detail.policy_label == "Standard v1"
    assert detail.update_explained == "Update clock starts with the first response."


def test_events_drive_status_and_sla(acme: int, ctx: Context, fixed_now: datetime) -> None:
    tid = _ticket(ctx, acme)
    add_event(ctx, tid, TicketEventKind.RESPONSE, datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    assert t.Ticket.get_by_id(tid).status == TicketStatus.OPEN.value
    add_event(ctx, tid, TicketEventKind.WAITING_ON_CUSTOMER, datetime(2026, 3, 9, 9, 5, tzinfo=UTC))
    detail = ticket_detail(tid, fixed_now)
    assert detail.input.status is TicketStatus.WAITING_ON_CUSTOMER
    assert detail.sla.update_state is SlaState.PAUSED
    assert detail.sla.first_response_met is True
    solved = add_event(ctx, tid, TicketEventKind.SOLVED, datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    detail = ticket_detail(tid, fixed_now)
    assert (detail.input.status, detail.resolved_at) == (TicketStatus.SOLVED, datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    delete_event(ctx, solved, 1)
    assert ticket_detail(tid, fixed_now).input.status is TicketStatus.WAITING_ON_CUSTOMER


def test_a_status_set_in_the_edit_records_the_event_that_decides_it(acme: int, fixed_now: datetime) -> None:
    clock = [fixed_now]
    ctx = Context(actor="Tess Tam", clock=lambda: clock[0])
    tid = _ticket(ctx, acme)
    add_event(ctx, tid, TicketEventKind.RESPONSE, datetime(2026, 3, 9, 9, 0, tzinfo=UTC))

    def edit(status: TicketStatus) -> tuple[TicketStatus, datetime | None, SlaState, list[str]]:
        clock[0] += timedelta(minutes=1)
        detail = ticket_detail(tid, clock[0])
        update_ticket(ctx, tid, detail.version, replace(detail.input, status=status))
        detail = ticket_detail(tid, clock[0])
        return detail.input.status, detail.resolved_at, detail.sla.update_state, [e.kind for e in detail.events]

    solved_at = fixed_now + timedelta(minutes=1)
    assert edit(TicketStatus.SOLVED) == (TicketStatus.SOLVED, solved_at, SlaState.SOLVED, ["response", "solved"])
    assert ticket_detail(tid, fixed_now).events[-1].note == "Status set to Solved in Edit ticket"
    assert edit(TicketStatus.CLOSED) == (TicketStatus.CLOSED, solved_at, SlaState.SOLVED, ["response", "solved"])
    assert edit(TicketStatus.OPEN)[:2] == (TicketStatus.OPEN, None)
    assert edit(TicketStatus.SOLVED)[:3] == (TicketStatus.SOLVED, fixed_now + timedelta(minutes=4), SlaState.SOLVED)
    status, resolved, state, kinds = edit(TicketStatus.WAITING_ON_CUSTOMER)  # a reopening, then the wait
    assert (status, resolved, state) == (TicketStatus.WAITING_ON_CUSTOMER, None, SlaState.PAUSED)
    status, _, state, kinds = edit(TicketStatus.OPEN)
    assert (status, state) == (TicketStatus.OPEN, SlaState.OK)
    assert kinds == ["response", "solved", "reopened", "solved", "reopened", "waiting_on_customer", "customer_replied"]
    audited = t.AuditEntry.select().where(t.AuditEntry.entity == "ticket_event").count()
    assert audited == 7  # the response and each event the edits recorded


def test_a_status_change_comes_after_an_event_of_the_same_instant(acme: int, ctx: Context, fixed_now) -> None:
    tid = _ticket(ctx, acme)
    add_event(ctx, tid, TicketEventKind.SOLVED, fixed_now)
    detail = ticket_detail(tid, fixed_now)
    update_ticket(ctx, tid, detail.version, replace(detail.input, status=TicketStatus.OPEN))
    reopened = ticket_detail(tid, fixed_now + timedelta(seconds=1))
    assert (reopened.input.status, reopened.events[-1].at) == (TicketStatus.OPEN, fixed_now + timedelta(seconds=1))
    assert reopened.sla.update_state is not SlaState.SOLVED


def test_status_an_edit_cannot_set(acme: int, ctx: Context, fixed_now: datetime) -> None:
    with pytest.raises(ValidationFailed) as info:
        _ticket(ctx, acme, status=TicketStatus.SOLVED)
    assert info.value.errors == {
        "status": "A new ticket cannot start as Solved: save it, then record when it was solved."
    }
    tid = _ticket(ctx, acme, status=TicketStatus.OPEN)
    add_event(ctx, tid, TicketEventKind.RESPONSE, datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    detail = ticket_detail(tid, fixed_now)
    with pytest.raises(ValidationFailed, match="cannot be New again; choose Open"):
        update_ticket(ctx, tid, detail.version, replace(detail.input, status=TicketStatus.NEW))


def test_corrected_time_reapplies(acme: int, ctx: Context, fixed_now: datetime) -> None:
    tid = _ticket(ctx, acme)
    response = add_event(ctx, tid, TicketEventKind.RESPONSE, datetime(2026, 3, 9, 10, 0, tzinfo=UTC))
    assert ticket_detail(tid, fixed_now).sla.first_response_met is False
    edit_event(ctx, response, 1, datetime(2026, 3, 9, 9, 15, tzinfo=UTC), "Called the customer")
    assert ticket_detail(tid, fixed_now).sla.first_response_met is True


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (FRI_1730_BERLIN - timedelta(minutes=1), "is before ticket SUP-1 was opened"),
        (datetime(2027, 1, 1, tzinfo=UTC), "is in the future"),
    ],
)
def test_bad_event_times(acme: int, ctx: Context, at: datetime, message: str) -> None:
    tid = _ticket(ctx, acme)
    with pytest.raises(ValidationFailed, match=message):
        add_event(ctx, tid, TicketEventKind.RESPONSE, at)
    assert t.TicketEvent.select().count() == 0


def test_ticket_validation(acme: int, ctx: Context) -> None:
    _ticket(ctx, acme)
    with pytest.raises(ValidationFailed) as info:
        _ticket(ctx, acme, opened_at=datetime(2027, 1, 1, tzinfo=UTC))
    assert info.value.errors["number"] == "Ticket SUP-1 already exists (customer Acme)."
    assert "in the future" in info.value.errors["opened_at"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"subject": "   "}, "subject", "Subject is required."),
        ({"subject": "x" * 5000}, "subject", "Subject is 5,000 characters long (at most 300)."),
        ({"number": "9" * 500}, "number", "Ticket number is 500 characters long (at most 40)."),
        ({"opened_at": datetime(1990, 1, 1, tzinfo=UTC)}, "opened_at",
         "Opened 1990-01-01 00:00 UTC is before 2000-01-01 (check the year)."),
        ({"opened_at": datetime(2026, 3, 10, 14, 36, tzinfo=UTC)}, "opened_at",
         "Opened 2026-03-10 14:36 UTC is in the future."),
    ],
    ids=["blank subject", "long subject", "long number", "opened 1990", "opened beyond the clock skew"],
)  # fmt: skip
def test_ticket_fields_have_sane_limits(acme: int, ctx: Context, change: dict, field: str, message: str) -> None:
    good = TicketInput("SUP-1", acme, "Coordinator crash", Severity.HIGH, FRI_1730_BERLIN)
    with pytest.raises(ValidationFailed) as info:
        create_ticket(ctx, replace(good, **change))
    assert info.value.errors == {field: message}
    tid = create_ticket(ctx, good)
    detail = ticket_detail(tid, FRI_1730_BERLIN)
    with pytest.raises(ValidationFailed) as info:
        update_ticket(ctx, tid, detail.version, replace(detail.input, **change))
    assert info.value.errors == {field: message}


def test_a_few_minutes_of_clock_skew_are_allowed(acme: int, ctx: Context, fixed_now: datetime) -> None:
    _ticket(ctx, acme, opened_at=fixed_now + timedelta(minutes=4), subject="x" * 300, number="N" * 40)


def test_numbers_that_differ_only_by_case_are_one_ticket(acme: int, ctx: Context) -> None:
    tid = _ticket(ctx, acme, "SUP-102000")
    with pytest.raises(ValidationFailed) as info:
        _ticket(ctx, acme, " sup-102000 ")
    assert info.value.errors["number"] == "Ticket SUP-102000 already exists (customer Acme)."
    detail = ticket_detail(tid, FRI_1730_BERLIN)
    update_ticket(ctx, tid, detail.version, replace(detail.input, number="Sup-102000"))  # its own number, recased
    assert t.Ticket.get_by_id(tid).number == "Sup-102000"
    other = _ticket(ctx, acme, "SUP-2")
    detail = ticket_detail(other, FRI_1730_BERLIN)
    with pytest.raises(ValidationFailed, match="Ticket Sup-102000 already exists"):
        update_ticket(ctx, other, detail.version, replace(detail.input, number="SUP-102000"))


def test_imports_match_ticket_numbers_whatever_the_case(acme: int, ctx: Context, tmp_path: Path) -> None:
    tid = _ticket(ctx, acme, "SUP-102000")
    tickets = tmp_path / "tickets.csv"
    tickets.write_text("Ticket,Customer,Subject,Severity,Opened\n sup-102000 ,Acme,Renamed,2,2026-03-06T16:30:00Z\n")
    assert import_tickets(ctx, tickets).summary == "Imported tickets: 0 created, 1 updated, 0 events recorded."
    assert [(r.id, r.number, r.subject) for r in t.Ticket.select()] == [(tid, "SUP-102000", "Renamed")]
    events = tmp_path / "events.csv"
    events.write_text("Ticket,At,Event\nsup-102000,2026-03-09T09:00:00Z,response\n")
    assert import_ticket_events(ctx, events).events == 1
    assert t.TicketEvent.get().ticket_id == tid
    twice = tmp_path / "twice.csv"
    twice.write_text(
        "Ticket,Customer,Subject,Severity,Opened\n"
        "SUP-5,Acme,One,2,2026-03-06T16:30:00Z\nsup-5,Acme,Two,2,2026-03-06T16:30:00Z\n"
    )
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, twice)
    assert info.value.problems == ["row 3: Ticket sup-5 also appears in row 2 (as SUP-5)"]


def test_numbers_recorded_twice_in_different_cases_before_are_told_apart(
    acme: int, ctx: Context, tmp_path: Path
) -> None:
    """A database from before numbers matched whatever the case may hold both; an exact spelling picks one."""
    upper, lower = (t.Ticket.create(number=n, customer=acme, severity=2, status="new", opened_at=FRI_1730_BERLIN)
                    for n in ("SUP-7", "sup-7"))  # fmt: skip
    events = tmp_path / "events.csv"
    events.write_text("Ticket,At,Event\nSup-7,2026-03-09T09:00:00Z,response\nsup-7,2026-03-09T09:00:00Z,response\n")
    with pytest.raises(ImportFailed) as info:
        import_ticket_events(ctx, events)
    assert info.value.problems == ["row 2: Ticket 'Sup-7' could be SUP-7 and sup-7; write it exactly as one of them"]
    events.write_text("Ticket,At,Event\nsup-7,2026-03-09T09:00:00Z,response\n")
    import_ticket_events(ctx, events)
    assert [e.ticket_id for e in t.TicketEvent.select()] == [lower.id]
    with pytest.raises(ValidationFailed, match="Ticket SUP-7 already exists"):
        _ticket(ctx, acme, "Sup-7")
    assert upper.id


def test_editing_opened_after_first_event_is_refused(acme: int, ctx: Context) -> None:
    tid = _ticket(ctx, acme)
    add_event(ctx, tid, TicketEventKind.RESPONSE, datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    detail = ticket_detail(tid, FRI_1730_BERLIN)
    later = TicketInput(**{**detail.input.__dict__, "opened_at": datetime(2026, 3, 9, 10, 0, tzinfo=UTC)})
    with pytest.raises(ValidationFailed, match="after the ticket's first event"):
        update_ticket(ctx, tid, detail.version, later)


def test_lists_filter_by_sla_state_and_sort(acme: int, ctx: Context, fixed_now: datetime) -> None:
    breached = _ticket(ctx, acme, "SUP-1", Severity.URGENT, opened_at=fixed_now - timedelta(hours=3))
    ok = _ticket(ctx, acme, "SUP-2", Severity.LOW, opened_at=fixed_now - timedelta(minutes=5))
    rows = load_tickets(TicketFilter(), fixed_now)
    assert {r.number: r.sla.state for r in rows} == {"SUP-1": SlaState.BREACHED, "SUP-2": SlaState.OK}
    only = load_tickets(TicketFilter(sla_states=frozenset({SlaState.BREACHED})), fixed_now)
    assert [r.id for r in only] == [breached]
    assert [r.number for r in sort_tickets(rows, "sla")] == ["SUP-1", "SUP-2"]
    assert [r.id for r in first_page(TicketFilter(), fixed_now, limit=1)] == [ok]
    assert [r.number for r in load_tickets(TicketFilter(search="sup-2"), fixed_now)] == ["SUP-2"]
    assert load_tickets(TicketFilter(search="%"), fixed_now) == []


# -- import ----------------------------------------------------------------------------------------------------


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


HEADER = ["Ticket", "Customer", "Subject", "Severity", "Status", "Opened", "First response", "Resolved"]


def test_import_tickets_with_times_in_a_zone(acme: int, ctx: Context, tmp_path: Path, fixed_now: datetime) -> None:
    path = _xlsx(tmp_path / "export.xlsx", [
        HEADER,
        [1001, "acme", "Slow queries", "Sev2", "Solved", "2026-03-06 17:30", "2026-03-09 10:15", "2026-03-09 15:00"],
        ["1002", "Acme", "Question", "Low", "Pending", datetime(2026, 3, 9, 9, 0), None, None],
    ])  # fmt: skip
    assert import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin")).summary == (
        "Imported tickets: 2 created, 0 updated, 2 events recorded."
    )
    first = t.Ticket.get(t.Ticket.number == "1001")
    assert first.opened_at == FRI_1730_BERLIN
    assert (first.status, first.resolved_at) == ("solved", datetime(2026, 3, 9, 14, 0, tzinfo=UTC))
    detail = ticket_detail(first.id, fixed_now)
    assert detail.sla.first_response_met is True
    assert t.Ticket.get(t.Ticket.number == "1002").status == "waiting_on_customer"
    again = import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin"))
    assert again.summary == "Imported tickets: 0 created, 0 updated, 2 unchanged, 0 events recorded."  # nothing changed
    assert t.TicketEvent.select().count() == 2


def test_import_lists_every_bad_row_and_changes_nothing(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "Ticket,Customer,Subject,Severity,Opened,First response\n"
        "1,Acme,Down,urgentish,2026-03-06 10:00,\n"
        "2,Nobody Inc,Down,2,2026-03-06 10:00,\n"
        "3,Acme,Down,3,2026-03-29 02:30,\n"
        "4,Acme,Down,4,2026-03-06 10:00,2026-03-06 09:00\n"
        "5,Acme,Down,1,2026-03-06 10:00,\n"
        "5,Acme,Down,1,2026-03-06 10:00,\n"
    )
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin"))
    assert info.value.problems == [
        "row 2: Severity 'urgentish' is not one of 1-4 (Urgent, High, Normal, Low)",
        "row 3: Customer 'Nobody Inc' is not a known customer",
        "row 4: Opened: 2026-03-29 02:30 does not exist in Europe/Berlin "
        "(the clocks skip that hour for daylight saving)",
        "row 5: First response 2026-03-06 08:00 UTC is before Opened 2026-03-06 09:00 UTC",
        "row 7: Ticket 5 also appears in row 6",
    ]
    assert t.Ticket.select().count() == 0


def test_import_applies_the_rules_of_the_ticket_dialog(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Ticket,Customer,Subject,Severity,Opened,First response,Resolved\n"
        "1,Acme,Future,2,2027-01-01T00:00:00Z,,\n"
        "2,Acme,   ,2,2026-03-06T10:00:00Z,,\n"
        "3,Acme,Old,2,1990-01-01T00:00:00Z,,\n"
        f"{'9' * 500},Acme,{'x' * 5000},2,2026-03-06T10:00:00Z,,\n"
        "5,Acme,Solved next year,2,2026-03-06T10:00:00Z,2026-03-10T14:34:00Z,2027-01-01T00:00:00Z\n"
    )
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path)
    assert info.value.problems == [
        "row 2: Opened 2027-01-01 00:00 UTC is in the future",
        "row 3: Subject is empty",
        "row 4: Opened 1990-01-01 00:00 UTC is before 2000-01-01 (check the year)",
        "row 5: Ticket is 500 characters long (at most 40); Subject is 5,000 characters long (at most 300)",
        "row 6: Resolved 2027-01-01 00:00 UTC is in the future",  # its First response is within the clock skew
    ]
    assert t.Ticket.select().count() == 0


def test_import_events_refuses_a_time_in_the_future(acme: int, ctx: Context, tmp_path: Path) -> None:
    _ticket(ctx, acme, "SUP-9")
    path = tmp_path / "events.csv"
    path.write_text("Ticket,At,Event\nSUP-9,2026-03-09T09:00:00Z,response\nSUP-9,2027-01-01T00:00:00Z,solved\n")
    with pytest.raises(ImportFailed) as info:
        import_ticket_events(ctx, path)
    assert info.value.problems == ["row 3: At 2027-01-01 00:00 UTC is in the future"]
    assert t.TicketEvent.select().count() == 0


def test_import_events(acme: int, ctx: Context, tmp_path: Path, fixed_now: datetime) -> None:
    tid = _ticket(ctx, acme, "SUP-9")
    path = tmp_path / "events.csv"
    path.write_text(
        "Ticket,At,Event\n"
        "SUP-9,2026-03-09T09:00:00Z,response\n"
        "SUP-9,2026-03-09T09:05:00Z,Waiting on customer\n"
        "SUP-9,2026-03-09T12:00:00Z,customer_replied\n"
    )
    assert import_ticket_events(ctx, path).events == 3
    assert import_ticket_events(ctx, path).events == 0  # nothing twice
    assert ticket_detail(tid, fixed_now).input.status is TicketStatus.OPEN
    bad = tmp_path / "bad-events.csv"
    bad.write_text("Ticket,At,Event\nSUP-9,2026-03-01T09:00:00Z,response\nSUP-404,2026-03-09T09:00:00Z,lunch\n")
    with pytest.raises(ImportFailed) as info:
        import_ticket_events(ctx, bad)
    assert info.value.problems == [
        "row 2: At 2026-03-01 09:00 UTC is before ticket SUP-9 was opened (2026-03-06 16:30 UTC)",
        "row 3: Ticket 'SUP-404' is not a known ticket; Event 'lunch' is not one of response, waiting_on_customer, "
        "customer_replied, solved, reopened",
    ]


# -- a file whose headers differ, read through a column mapping --------------------------------------------------

CASES_CSV = (
    "Case #,Ticket,Account,Summary,Priority,State,Created,Responded\n"
    "C-1,internal-77,Acme,Slow queries,Sev2,Solved,2026-03-06 17:30,2026-03-09 10:15\n"
    "C-2,internal-78,acme,Question,Low,Pending,2026-03-09 10:00,\n"
)
CASE_COLUMNS = {
    "Ticket": "Case #", "Customer": "Account", "Subject": "Summary", "Severity": "Priority", "Status": "State",
    "Opened": "Created", "First response": "Responded",
}  # fmt: skip


def test_import_tickets_through_a_column_mapping(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(CASES_CSV)
    result = import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin", columns=CASE_COLUMNS))
    assert result.summary == "Imported tickets: 2 created, 0 updated, 1 events recorded."
    rows = t.Ticket.select().order_by(t.Ticket.number)
    assert [(r.number, r.customer_id, r.subject, r.severity, r.status, r.opened_at) for r in rows] == [
        ("C-1", acme, "Slow queries", 2, "solved", FRI_1730_BERLIN),
        ("C-2", acme, "Question", 4, "waiting_on_customer", datetime(2026, 3, 9, 9, 0, tzinfo=UTC)),
    ]
    response = t.TicketEvent.get()
    assert (response.ticket.number, response.kind) == ("C-1", "response")
    assert response.at == datetime(2026, 3, 9, 9, 15, tzinfo=UTC)


def test_a_mapping_can_leave_an_optional_column_out(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Ticket,Customer,Subject,Severity,Status,Opened\nSUP-1,Acme,Down,2,Solved,2026-03-06T16:30:00Z\n")
    import_tickets(ctx, path, TicketImportOptions(columns={"status": ""}))  # field names match loosely, like headers
    assert t.Ticket.get().status == "new"  # no response yet


def test_without_a_status_a_ticket_is_new_until_its_first_response(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Ticket,Customer,Subject,Severity,Opened,First response,Resolved\n"
        "1,Acme,Waiting,2,2026-03-06T16:30:00Z,,\n"
        "2,Acme,Answered,2,2026-03-06T16:30:00Z,2026-03-09T09:00:00Z,\n"
        "3,Acme,Done,2,2026-03-06T16:30:00Z,2026-03-09T09:00:00Z,2026-03-09T12:00:00Z\n"
    )
    import_tickets(ctx, path)
    statuses = {r.number: r.status for r in t.Ticket.select()}
    assert statuses == {"1": "new", "2": "open", "3": "solved"}
    first = t.Ticket.get(t.Ticket.number == "1").id
    add_event(ctx, first, TicketEventKind.RESPONSE, datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # answered in the app
    import_tickets(ctx, path)  # the export has not seen that response: the ticket's history still counts
    assert t.Ticket.get_by_id(first).status == "open"


def test_import_ticket_events_through_a_column_mapping(acme: int, ctx: Context, tmp_path: Path) -> None:
    _ticket(ctx, acme, "C-1")
    path = tmp_path / "history.csv"
    path.write_text("Case #,When,What\nC-1,2026-03-09T09:00:00Z,response\nC-1,2026-03-09T10:00:00Z,solved\n")
    result = import_ticket_events(ctx, path, columns={"Ticket": "Case #", "At": "When", "Event": "What"})
    assert (result.events, result.updated) == (2, 1)
    assert t.Ticket.get().status == "solved"


FIELDS = "it reads Ticket, Customer, Subject, Severity, Status, Opened, First response, Resolved"
COLUMNS = "its columns are 'Case #', 'Ticket', 'Account', 'Summary', 'Priority', 'State', 'Created', 'Responded'"


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        ({"Opend": "Created"}, [f"'Opend' (for the column 'Created') is not a field of this import; {FIELDS}"]),
        ({"Opened": "Made"}, [f"Opened: the file has no column 'Made' ({COLUMNS})"]),
        ({"Customer": "Case #"}, ["Ticket and Customer cannot both be read from the column 'Case #'"]),
        ({"Ticket": None, "Subject": "Ticket"}, ["Ticket and Subject cannot both be read from the column 'Ticket'"]),
        ({"Severity": ""}, ["Severity is required, so it cannot be left out"]),
        ({"severity": "Summary"}, ["Severity is given a column more than once ('severity'='Summary')"]),
    ],
    ids=["unknown field", "header not in file", "one column twice", "named and automatic clash", "required left out",
         "field given twice"],
)  # fmt: skip
def test_a_bad_column_mapping_is_named_and_imports_nothing(
    acme: int, ctx: Context, tmp_path: Path, change: dict[str, str | None], problems: list[str]
) -> None:
    """``change`` alters CASE_COLUMNS; None drops a field from it, so its column is matched by name."""
    path = tmp_path / "cases.csv"
    path.write_text(CASES_CSV)
    _ticket(ctx, acme, "C-1", subject="Recorded by hand")
    columns = {k: v for k, v in (CASE_COLUMNS | change).items() if v is not None}
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin", columns=columns))
    assert info.value.problems == problems
    assert [(r.number, r.subject) for r in t.Ticket.select()] == [("C-1", "Recorded by hand")]
    assert t.TicketEvent.select().count() == 0


def test_without_a_mapping_the_file_must_name_its_columns(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(CASES_CSV)
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path, TicketImportOptions(columns={"Ticket": "Case #"}))
    assert info.value.problems == ["the file has no column 'Customer', 'Subject', 'Severity', 'Opened'"]
    with pytest.raises(ImportFailed) as info:
        import_ticket_events(ctx, path, columns={"Ticket": "Case #", "At": "Created", "Event": "Nope"})
    assert info.value.problems == [f"Event: the file has no column 'Nope' ({COLUMNS})"]
    assert t.Ticket.select().count() == 0


def test_a_bad_row_read_through_a_mapping_still_imports_nothing(acme: int, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text(CASES_CSV + "C-3,internal-79,Acme,Broken,urgentish,Open,2026-03-09 11:00,\n")
    with pytest.raises(ImportFailed) as info:
        import_tickets(ctx, path, TicketImportOptions(tz="Europe/Berlin", columns=CASE_COLUMNS))
    assert info.value.problems == ["row 4: Severity 'urgentish' is not one of 1-4 (Urgent, High, Normal, Low)"]
    assert t.Ticket.select().count() == 0
