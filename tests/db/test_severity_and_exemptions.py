"""Severity changes and excused breaches through the services: recorded, refused, audited, undone, reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tamdesk.domain.exemptions import ExemptClock
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaState
from tamdesk.domain.states import TicketEventKind
from tamdesk.models import tables as t
from tamdesk.reports.sla import export_sla_report
from tamdesk.services.base import Context, DomainError, ValidationFailed
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.exemptions import excuse_breach, unexcuse_breach
from tamdesk.services.report_data import ReportScope, sla_report
from tamdesk.services.ticket_lists import TicketFilter, load_tickets
from tamdesk.services.tickets import (
    TicketInput,
    add_event,
    change_severity,
    create_ticket,
    ticket_detail,
    undo_severity_change,
    update_ticket,
)

BERLIN = ZoneInfo("Europe/Berlin")
OPENED = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # Mon 09:00 CET; the fixed clock is Tue 10 Mar 14:30 UTC
S1, S3 = Severity.URGENT, Severity.NORMAL


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))


def _ticket(ctx: Context, customer: int, severity: Severity = S1, number: str = "SUP-1") -> int:
    return create_ticket(ctx, TicketInput(number, customer, "Cluster down", severity, OPENED))


def _version(ticket_id: int) -> int:
    return int(t.Ticket.get_by_id(ticket_id).version)


def _audits(entity: str) -> list[str]:
    return [a.summary for a in t.AuditEntry.select().where(t.AuditEntry.entity == entity).order_by(t.AuditEntry.id)]


# -- severity changes --------------------------------------------------------------------------------------------


def test_a_lowering_is_dated_shown_and_measured(acme: int, ctx: Context, fixed_now: datetime) -> None:
    tid = _ticket(ctx, acme)
    add_event(ctx, tid, TicketEventKind.RESPONSE, OPENED + timedelta(minutes=10))
    change_severity(ctx, tid, _version(tid), S3, OPENED + timedelta(minutes=40))
    detail = ticket_detail(tid, fixed_now)
    assert detail.input.severity is S3
    assert detail.severity_story == "Sev1 Urgent until Mon 09 Mar 09:40 CET, then Sev3 Normal"
    assert [(c.before, c.after, c.author) for c in detail.severity_changes] == [(S1, S3, "Tess Tam")]
    # the Sev1 update cadence ran until 09:40 without a miss; Sev3's 3 business days run from then on
    assert (detail.sla.missed_updates, detail.sla.next_update_due) == (0, datetime(2026, 3, 12, 8, 40, tzinfo=UTC))
    assert "from the lowering to Sev3 Normal at Mon 09:40" in detail.update_explained
    assert "(Sev1 Urgent target; Sev1 Urgent until Mon 09 Mar 09:40 CET, then Sev3 Normal)" in (
        detail.first_response_explained
    )
    [row] = load_tickets(TicketFilter(), fixed_now)
    assert (row.severity, row.sla) == (S3, detail.sla)
    assert _audits("ticket_severity_change") == [
        "Ticket SUP-1: severity Sev1 Urgent to Sev3 Normal at 2026-03-09 08:40 UTC"
    ]


@pytest.mark.parametrize(
    ("at", "severity", "field", "message"),
    [
        (OPENED - timedelta(hours=1), S3, "severity_changed_at",
         "Severity changed at 2026-03-09 07:00 UTC is before ticket SUP-1 was opened (2026-03-09 08:00 UTC)."),
        (datetime(2026, 3, 11, 9, 0, tzinfo=UTC), S3, "severity_changed_at",
         "Severity changed at 2026-03-11 09:00 UTC is in the future."),
        (OPENED + timedelta(hours=1), S1, "severity", "Ticket SUP-1 is already Sev1 Urgent."),
    ],
)  # fmt: skip
def test_a_bad_change_is_refused_beside_its_field_and_nothing_is_saved(
    acme: int, ctx: Context, at: datetime, severity: Severity, field: str, message: str
) -> None:
    tid = _ticket(ctx, acme)
    with pytest.raises(ValidationFailed) as caught:
        change_severity(ctx, tid, _version(tid), severity, at)
    assert caught.value.errors == {field: message}
    assert (t.Ticket.get_by_id(tid).severity, t.TicketSeverityChange.select().count()) == (1, 0)


def test_a_change_before_the_last_one_is_refused(acme: int, ctx: Context) -> None:
    tid = _ticket(ctx, acme)
    change_severity(ctx, tid, _version(tid), S3, OPENED + timedelta(hours=2))
    with pytest.raises(ValidationFailed, match="is before the ticket's last severity change"):
        change_severity(ctx, tid, _version(tid), Severity.HIGH, OPENED + timedelta(hours=1))


def test_editing_the_severity_records_a_dated_change(acme: int, ctx: Context, fixed_now: datetime) -> None:
    tid = _ticket(ctx, acme, S3)
    when = OPENED + timedelta(minutes=30)
    data = TicketInput("SUP-1", acme, "Cluster down", S1, OPENED, severity_changed_at=when)
    update_ticket(ctx, tid, _version(tid), data)
    change = t.TicketSeverityChange.get()
    assert (change.at, change.before, change.after) == (when, 3, 1)
    assert ticket_detail(tid, fixed_now).sla.first_response_due == OPENED + timedelta(hours=1)  # raised: Sev1's
    later = TicketInput("SUP-1", acme, "Cluster down", S3, OPENED)  # no time given: now
    update_ticket(ctx, tid, _version(tid), later)
    assert [c.at for c in t.TicketSeverityChange.select().order_by(t.TicketSeverityChange.id)] == [when, fixed_now]
    bad = TicketInput("SUP-1", acme, "Cluster down", S1, OPENED, severity_changed_at=OPENED - timedelta(days=1))
    with pytest.raises(ValidationFailed) as caught:
        update_ticket(ctx, tid, _version(tid), bad)
    assert "2026-03-08 08:00 UTC is before ticket SUP-1 was opened" in caught.value.errors["severity_changed_at"]
    assert t.Ticket.get_by_id(tid).severity == 3


def test_undoing_a_change_restores_the_severity(acme: int, ctx: Context, fixed_now: datetime) -> None:
    tid = _ticket(ctx, acme)
    first = change_severity(ctx, tid, _version(tid), S3, OPENED + timedelta(hours=1))
    second = change_severity(ctx, tid, _version(tid), Severity.LOW, OPENED + timedelta(hours=2))
    with pytest.raises(DomainError, match="changed again since"):
        undo_severity_change(ctx, first)
    undo_severity_change(ctx, second)
    undo_severity_change(ctx, first)
    assert (t.Ticket.get_by_id(tid).severity, ticket_detail(tid, fixed_now).severity_story) == (1, "")
    assert _audits("ticket_severity_change")[-1].endswith("taken back (Sev1 Urgent again)")


# -- exemptions ----------------------------------------------------------------------------------------------------


def test_a_first_response_breach_is_excused_with_a_reason_and_taken_back(
    acme: int, ctx: Context, fixed_now: datetime
) -> None:
    tid = _ticket(ctx, acme)
    add_event(ctx, tid, TicketEventKind.RESPONSE, OPENED + timedelta(hours=3))  # Sev1: due in 1 hour
    assert ticket_detail(tid, fixed_now).first_response_breached
    with pytest.raises(ValidationFailed) as caught:
        excuse_breach(ctx, tid, ExemptClock.FIRST_RESPONSE, None, "   ")
    assert caught.value.errors["reason"].startswith("A reason is required to excuse a breach")
    assert t.SlaExemption.select().count() == 0
    eid = excuse_breach(ctx, tid, ExemptClock.FIRST_RESPONSE, None, "Customer's own network outage")
    detail = ticket_detail(tid, fixed_now)
    assert detail.first_response_exemption is not None
    assert (detail.first_response_exemption.reason, detail.first_response_exemption.author) == (
        "Customer's own network outage", "Tess Tam",
    )  # fmt: skip
    assert detail.sla.first_response_state is SlaState.MISSED  # the evaluation stays the truth
    with pytest.raises(DomainError, match="excused already"):
        excuse_breach(ctx, tid, ExemptClock.FIRST_RESPONSE, None, "Again")
    removed = unexcuse_breach(ctx, eid)
    assert removed.reason == "Customer's own network outage"
    assert ticket_detail(tid, fixed_now).first_response_exemption is None
    assert _audits("sla_exemption") == [
        "Ticket SUP-1: first response breach excused (Customer's own network outage)",
        "Ticket SUP-1: excuse of the first response breach taken back",
    ]


def test_only_a_breach_can_be_excused(acme: int, ctx: Context) -> None:
    tid = _ticket(ctx, acme)
    add_event(ctx, tid, TicketEventKind.RESPONSE, OPENED + timedelta(minutes=20))
    add_event(ctx, tid, TicketEventKind.SOLVED, OPENED + timedelta(minutes=30))
    with pytest.raises(DomainError, match="first response is not breached"):
        excuse_breach(ctx, tid, ExemptClock.FIRST_RESPONSE, None, "Mis-filed")
    with pytest.raises(DomainError, match="missed no update due 2026-03-09 10:20 UTC"):
        excuse_breach(ctx, tid, ExemptClock.UPDATE, OPENED + timedelta(hours=2, minutes=20), "Mis-filed")


def test_missed_updates_are_excused_one_by_one_and_reported_both_ways(
    acme: int, ctx: Context, fixed_now: datetime
) -> None:
    tid = _ticket(ctx, acme)
    add_event(ctx, tid, TicketEventKind.RESPONSE, OPENED + timedelta(minutes=20))
    add_event(ctx, tid, TicketEventKind.RESPONSE, OPENED + timedelta(hours=5))  # 10:20 and 12:20 UTC missed
    add_event(ctx, tid, TicketEventKind.SOLVED, OPENED + timedelta(hours=5, minutes=30))
    other = _ticket(ctx, acme, number="SUP-2")
    add_event(ctx, other, TicketEventKind.RESPONSE, OPENED + timedelta(minutes=10))
    add_event(ctx, other, TicketEventKind.SOLVED, OPENED + timedelta(minutes=30))
    detail = ticket_detail(tid, fixed_now)
    deadlines = [m.deadline for m in detail.missed_updates]
    assert deadlines == [OPENED + timedelta(hours=2, minutes=20), OPENED + timedelta(hours=4, minutes=20)]
    excuse_breach(ctx, tid, ExemptClock.UPDATE, deadlines[0], "Customer asked for no calls during their cutover")
    report = sla_report(ReportScope(tz=BERLIN), fixed_now)
    line = next(line for line in report.tickets if line.number == "SUP-1")
    assert (line.missed_updates, line.updates_excused, line.missed_updates_unexcused) == (2, 1, 1)
    assert line.excused_reasons == "Update due 2026-03-09 10:20 UTC: Customer asked for no calls during their cutover"
    assert (report.total.update_rate, report.total.update_rate_excused) == (0.5, 0.5)
    excuse_breach(ctx, tid, ExemptClock.UPDATE, deadlines[1], "Same cutover")
    report = sla_report(ReportScope(tz=BERLIN), fixed_now)
    assert (report.total.update_rate, report.total.update_rate_excused) == (0.5, 1.0)
    assert (report.total.breaches, report.total.breaches_excused) == (1, 1)
    assert ticket_detail(tid, fixed_now).missed_updates[1].exemption is not None


def test_the_workbook_shows_changes_excuses_and_both_rates(
    acme: int, ctx: Context, fixed_now: datetime, tmp_path: Path
) -> None:
    late = _ticket(ctx, acme)  # first response 3 hours late, excused; lowered to Sev3 at 09:30 CET
    change_severity(ctx, late, _version(late), S3, OPENED + timedelta(minutes=30))
    add_event(ctx, late, TicketEventKind.RESPONSE, OPENED + timedelta(days=1, hours=3))
    excuse_breach(ctx, late, ExemptClock.FIRST_RESPONSE, None, "Mis-filed as Sev1 by the customer")
    fine = _ticket(ctx, acme, number="SUP-2")
    add_event(ctx, fine, TicketEventKind.RESPONSE, OPENED + timedelta(minutes=10))
    add_event(ctx, fine, TicketEventKind.SOLVED, OPENED + timedelta(minutes=30))
    path = export_sla_report(tmp_path / "sla.xlsx", ReportScope(tz=BERLIN), ctx=ctx).path
    wb = openpyxl.load_workbook(path)
    tickets = {row["Ticket"]: row for row in _records(wb["Tickets"], "Ticket")}
    assert tickets["SUP-1"]["Severity"] == "Sev3 Normal"
    assert tickets["SUP-1"]["Severity changes"] == "Sev1 Urgent until 2026-03-09 09:30, then Sev3 Normal"
    assert tickets["SUP-1"]["Excused"] == "First response: Mis-filed as Sev1 by the customer"
    assert tickets["SUP-1"]["First response met"] == "No"  # the raw verdict stays
    assert (tickets["SUP-2"]["Severity changes"], tickets["SUP-2"]["Excused"]) == (None, None)
    [breach] = _records(wb["Breaches"], "Ticket")
    assert (breach["Ticket"], breach["Excused"]) == ("SUP-1", "First response: Mis-filed as Sev1 by the customer")
    month = _records(wb["By month"], "Month")[0]
    assert (month["FR %"], month["FR % (excused met)"]) == (0.5, 1.0)
    card = {row["Measure"]: row for row in _records(wb["Summary"], "Measure")}
    assert card["First responses in time"]["This period"] == 0.5
    assert card["First responses in time (excused met)"]["This period"] == 1.0


def _records(ws: Any, first_title: str) -> list[dict[str, Any]]:
    """The rows under the header row (found by its first title) as ``{title: value}``, up to the first empty row."""
    top = next(r for r in range(1, 60) if ws.cell(r, 1).value == first_title)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=top)]
    header, found = rows[0], []
    for row in rows[1:]:
        if all(v is None for v in row):
            break
        found.append(dict(zip(header, row, strict=True)))
    return found


def test_a_severity_overwritten_without_a_date_is_measured_as_it_stands(
    acme: int, ctx: Context, fixed_now: datetime
) -> None:
    tid = _ticket(ctx, acme)
    change_severity(ctx, tid, _version(tid), S3, OPENED + timedelta(minutes=40))
    t.Ticket.update(severity=2).where(t.Ticket.id == tid).execute()  # as an import would, with no date
    detail = ticket_detail(tid, fixed_now)
    assert detail.sla.first_response_due == OPENED + timedelta(hours=2)  # Sev2 throughout
    assert detail.severity_story == ""
