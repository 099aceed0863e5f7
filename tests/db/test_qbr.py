"""The quarterly business review of one customer, written and read back cell by cell: figures against the seeded
data, the previous quarter beside this one, an honest empty review for a customer with nothing, and no internal
text on any customer-facing sheet."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tamdesk.domain.contracts import ContractFacts
from tamdesk.domain.quarters import Quarter
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import DefectState, EscalationState, TicketEventKind
from tamdesk.models import tables as t
from tamdesk.reports.qbr import BANNER, INTERNAL, export_quarterly_review
from tamdesk.reports.xlsx import ExportError
from tamdesk.services.base import Context, NotFound
from tamdesk.services.contracts import set_contract
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import link_ticket, report_defect
from tamdesk.services.escalations import EscalationInput, advance_escalation, request_escalation
from tamdesk.services.follow_ups import complete
from tamdesk.services.health import customer_health
from tamdesk.services.qbr import quarterly_review
from tamdesk.services.seats import SeatInput, confirm_welcome, grant_seat, request_seat, revoke_seat
from tamdesk.services.tickets import TicketInput, add_event, create_ticket
from tamdesk.services.timeline import EntryInput, FollowUpInput, add_entry

Q1 = Quarter(2026, 1)  # the fixed clock's quarter: 2026-03-10 14:30 UTC
R, S = TicketEventKind.RESPONSE, TicketEventKind.SOLVED
ARR_CENTS = 12_345_678
HOSTILE = '=HYPERLINK("http://evil.example","Click")'
SECRETS = {
    "ticket": "Customer is shopping for another vendor",
    "event": "Engineer suspects their own misconfiguration",
    "reason": "Their CIO threatens to churn",
    "impact": "Loses 40k EUR a day of orders",
    "vp": "VP promised a service credit",
    "decline": "Declined: the customer broke it themselves",
    "meeting": "Champion is leaving in April",
    "call": "Budget cut by a third next year",
    "note": "Do not mention the price rise yet",
    "health": "open escalation weighs on the account",
    "repro": "Repro only with their unsupported plugin",
    "account": "Renewal at risk: procurement wants a discount",
    "revoke": "Dismissed for leaking data",
    "step": "Kickoff was tense, CTO absent",
}
EVERY_QUARTER = ("account", "revoke", "step")  # not tied to a date in the quarter
CUSTOMER_SHEETS = [
    "Summary", "SLA compliance", "Tickets by severity", "Escalations", "Defects", "Portal seats", "Onboarding",
]  # fmt: skip
DATA_SHEETS = {"Tickets by severity": "Ticket", "Escalations": "Ticket", "Defects": "Defect", "Portal seats": "Seat",
               "Onboarding": "Step"}  # fmt: skip
INTERNAL_SHEETS = [f"{INTERNAL}Health", f"{INTERNAL}Account", f"{INTERNAL}Notes"]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def at(moment: str) -> Context:
    return Context("Tess Tam", clock=lambda: utc(moment))


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> dict[str, int]:
    """Acme (Berlin) with Q1 2026 and Q4 2025 tickets, escalations, defects, seats, health, contract and timeline;
    Globex beside it, whose data must never show in Acme's review."""
    acme = create_customer(
        ctx,
        CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE", tam="Tess Tam", notes=SECRETS["account"]),
    )
    t.OnboardingStep.update(note=SECRETS["step"]).where(
        (t.OnboardingStep.customer == acme) & (t.OnboardingStep.position == 1)
    ).execute()
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="America/New_York", country="US"))
    ids = {"acme": acme, "globex": globex}

    def ticket(number: str, customer: int, severity: Severity, opened: str, *events: Any, notes: str = "") -> int:
        ids[number] = create_ticket(
            ctx, TicketInput(number, customer, f"Subject of {number}", severity, utc(opened), notes=notes)
        )
        for kind, when, *note in events:
            add_event(ctx, ids[number], kind, utc(when), *note)
        return ids[number]

    # Q1 2026: one Sev1 met, one Sev2 answered late (2 business hours), one Sev3 met
    ticket("A-1", acme, Severity.URGENT, "2026-01-12 10:00", (R, "2026-01-12 10:30"), (S, "2026-01-12 12:00"),
           notes=SECRETS["ticket"])  # fmt: skip
    ticket("A-2", acme, Severity.HIGH, "2026-02-03 09:00", (R, "2026-02-03 15:00", SECRETS["event"]))
    ticket("A-3", acme, Severity.NORMAL, "2026-02-20 09:00", (R, "2026-02-20 10:00"))
    t.Ticket.update(subject=HOSTILE).where(t.Ticket.id == ids["A-3"]).execute()  # as a support system sent it
    # Q4 2025 (in Berlin: 2025-12-31 23:30 UTC is already 2026, so A-13 counts in Q1)
    ticket("A-10", acme, Severity.URGENT, "2025-11-05 10:00", (R, "2025-11-05 10:20"), (S, "2025-11-05 11:00"))
    ticket("A-11", acme, Severity.URGENT, "2025-12-01 10:00", (R, "2025-12-01 10:20"), (S, "2025-12-01 11:00"))
    ticket("A-12", acme, Severity.LOW, "2025-10-10 10:00", (R, "2025-10-10 11:00"), (S, "2025-10-10 12:00"))
    ticket("A-13", acme, Severity.LOW, "2025-12-31 23:30", (R, "2026-01-01 00:30"), (S, "2026-01-01 01:00"))
    ticket("G-1", globex, Severity.URGENT, "2026-02-01 10:00")

    urgent = EscalationInput(
        "customer", "Ana Silva", SECRETS["reason"], SECRETS["impact"], apprise_vp=True, vp_note=SECRETS["vp"]
    )
    esc = request_escalation(at("2026-02-04 09:00"), ids["A-2"], urgent)
    advance_escalation(at("2026-02-06 09:00"), esc, 1, EscalationState.RESOLVED)
    declined = request_escalation(at("2026-02-21 09:00"), ids["A-3"], EscalationInput("tam", "", "Slow", "Some"))
    advance_escalation(at("2026-02-21 10:00"), declined, 1, EscalationState.DECLINED,
                       decline_reason=SECRETS["decline"])  # fmt: skip
    request_escalation(
        at("2025-11-05 10:30"), ids["A-10"], EscalationInput("tam", "", "Old one", "Old impact"), confirm=True
    )

    fixed = report_defect(ctx, ids["A-2"], "Export stalls on large files")
    link_ticket(ctx, fixed, ids["G-1"])  # Globex's ticket on the same defect is not Acme's to see
    deployed = {"state": DefectState.FIX_DEPLOYED.value, "fix_version": "437", "deployed_on": date(2026, 2, 15),
                "engineering_key": "ENG-42", "repro_notes": SECRETS["repro"]}  # fmt: skip
    t.Defect.update(**deployed).where(t.Defect.id == fixed).execute()
    report_defect(ctx, ids["A-3"], "Dashboard shows stale totals")
    old = report_defect(ctx, ids["A-10"], "Fixed long ago")
    t.Defect.update(state=DefectState.CLOSED.value, deployed_on=date(2025, 11, 20)).where(t.Defect.id == old).execute()
    report_defect(ctx, ids["G-1"], "Globex only")

    seats = [request_seat(ctx, acme, SeatInput(f"User {n}", f"user{n}@acme.com")) for n in range(1, 5)]
    grant_seat(ctx, seats[0], 1)
    confirm_welcome(ctx, seats[0], 2)
    grant_seat(ctx, seats[1], 1)
    revoke_seat(ctx, seats[3], 1, SECRETS["revoke"])

    def snapshot(week: date, score: int, band: str, *reasons: tuple[int, str, str]) -> None:
        texts = json.dumps([{"points": p, "text": text, "factor": factor} for p, text, factor in reasons])
        t.HealthSnapshot.create(customer=acme, week=week, score=score, band=band, reasons=texts,
                                computed_at=utc(f"{week.isoformat()} 06:00"))  # fmt: skip

    snapshot(date(2025, 12, 22), 70, "amber", (20, f"1 {SECRETS['health']}", "open_escalations"),
             (10, "no contact for 45 days", "last_contact"))  # fmt: skip
    snapshot(date(2026, 2, 23), 80, "green", (20, "1 open escalation", "open_escalations"))
    snapshot(
        date(2026, 3, 9), 75, "amber", (20, "1 open escalation", "open_escalations"), (5, "1 seat pending", "seats")
    )
    snapshot(date(2026, 4, 6), 10, "red")  # a later quarter's reading: in no review of Q1
    set_contract(ctx, acme, 0, ContractFacts("Premium", date(2025, 10, 1), date(2026, 9, 30), date(2026, 9, 30),
                                             ARR_CENTS, "EUR", "Enterprise"))  # fmt: skip

    tess = t.Person.get(t.Person.name == "Tess Tam").id

    def entry(kind: str, when: str, title: str, body: str, *tasks: FollowUpInput, customer: int = acme) -> None:
        add_entry(ctx, customer, EntryInput(kind, utc(when), title, body, follow_ups=tasks))

    entry("meeting", "2026-01-15 10:00", "Quarterly planning", SECRETS["meeting"],
          FollowUpInput("Send the upgrade guide", date(2026, 3, 20), owner_person_id=tess),
          FollowUpInput("Share the roadmap", date(2026, 3, 2), owner_person_id=tess),
          FollowUpInput("Already done", date(2026, 2, 2), owner_person_id=tess))  # fmt: skip
    entry("call", "2026-02-10 15:00", "Upgrade call", SECRETS["call"])
    entry("note", "2026-02-11 08:00", "Pricing", SECRETS["note"])
    entry("meeting", "2025-12-01 10:00", "Last year's kickoff", "")
    entry("meeting", "2026-02-02 10:00", "Globex sync", "", customer=globex)
    done = t.FollowUp.get(t.FollowUp.what == "Already done")
    complete(ctx, done.id, done.version)
    return ids


def export(ctx: Context, tmp_path: Path, customer_id: int, quarter: Quarter = Q1) -> Any:
    path = tmp_path / "qbr.xlsx"
    export_quarterly_review(path, customer_id, quarter, ctx=ctx)
    return openpyxl.load_workbook(path)


def header_block(ws: Any, first_title: str) -> list[str]:
    """The lines above the table whose header starts with ``first_title``."""
    top = next(r for r in range(1, 80) if ws.cell(r, 1).value == first_title)
    return [ws.cell(r, 1).value for r in range(1, top) if ws.cell(r, 1).value is not None]


def records(ws: Any, first_title: str) -> list[dict[str, Any]]:
    top = next(r for r in range(1, 80) if ws.cell(r, 1).value == first_title)
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=top)]
    header, values = rows[0], rows[1:]
    end = next((n for n, row in enumerate(values) if all(v is None for v in row)), len(values))
    return [dict(zip(header, row, strict=True)) for row in values[:end]]


def test_the_sheets_customer_facing_first_then_the_internal_ones_marked(
    acme: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    wb = export(ctx, tmp_path, acme["acme"])
    assert wb.sheetnames == CUSTOMER_SHEETS + INTERNAL_SHEETS
    for name in INTERNAL_SHEETS:
        assert wb[name]["A1"].value.startswith(f"{BANNER}: "), name
    for name in CUSTOMER_SHEETS:
        assert "INTERNAL" not in wb[name]["A1"].value.upper()
    for name, first in DATA_SHEETS.items():  # a table from row 1 that any tool reads, titled in the page header
        assert wb[name]["A1"].value == first and len(wb[name].tables) == 1, name
        assert wb[name].HeaderFooter.oddHeader.left.text.endswith("— Acme, Q1 2026"), name
    summary = wb["Summary"]
    assert summary["A1"].value == "Quarterly business review — Acme, Q1 2026"
    assert summary.page_setup.orientation == "portrait" and summary.page_setup.fitToWidth == 1
    assert summary.sheet_properties.pageSetUpPr.fitToPage


def card(ws: Any) -> dict[str, tuple[Any, ...]]:
    """The Summary's scorecard: measure to (this quarter, previous, change, goal, verdict)."""
    return {r["Measure"]: tuple(r.values())[1:] for r in records(ws, "Measure")}


def cells(ws: Any, measure: str) -> list[Any]:
    """The cells of the scorecard row of ``measure``."""
    row = next(r for r in range(1, 80) if ws.cell(r, 1).value == measure)
    return [ws.cell(row, column) for column in range(1, 7)]


def block(ws: Any, first_title: str, width: int) -> list[tuple[Any, ...]]:
    """The rows of the small table on the Summary whose header starts with ``first_title``."""
    return [tuple(r.values())[:width] for r in records(ws, first_title)]


def test_the_summary_compares_the_quarter_with_the_previous_one(
    acme: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    summary = export(ctx, tmp_path, acme["acme"])["Summary"]
    title, *lines = header_block(summary, "Measure")
    assert title == "Quarterly business review — Acme, Q1 2026" and len(lines) == 3, "a short title block"
    assert lines[:2] == ["Period: 2026-01-01 to 2026-03-31, compared with Q4 2025 (2025-10-01 to 2025-12-31)",
                         "Partial: 2026-01-01 to 2026-03-10 so far; the quarter runs to 2026-03-31."]  # fmt: skip
    assert lines[2].startswith("Prepared by Tess Tam on 2026-03-10 15:30 · times in Europe/Berlin · SLA policy: ")
    scores = card(summary)
    assert list(scores)[:5] == ["Tickets opened", "  Sev1 Urgent", "  Sev2 High", "  Sev3 Normal", "  Sev4 Low"]
    assert [scores[m][:3] for m in list(scores)[:5]] == [(4, 3, 1), (1, 2, -1), (1, 0, 1), (1, 0, 1), (1, 1, 0)]
    assert scores["Escalations opened"] == (2, 1, 1, None, None)  # A-10's in Q4 2025
    assert scores["  of them resolved"] == (1, 0, 1, None, None)
    assert scores["Defects fixed"] == (1, 1, 0, None, None)  # "Fixed long ago" was deployed in Q4 2025
    assert scores["Defects open now"] == (1, 0, 1, None, None)
    assert scores["Portal seats active (of 5)"] == (1, None, None, None, None)
    # A-2 (Sev2, 2 business hours) answered after 6 hours: 3 of 4 in time; Q4 2025: all 3 in time
    assert scores["First responses in time"] == (0.75, 1.0, -25.0, 0.95, "✖ below goal")
    _, this, before, change, goal, _ = cells(summary, "First responses in time")
    assert (this.number_format, before.number_format, goal.number_format) == ("0.0%_)", "0.0%_)", "0%_)")
    assert change.number_format.startswith('+0.0" pts"')
    tickets = cells(summary, "Tickets opened")
    assert tickets[1].number_format == "#,##0_)" and tickets[1].data_type == "n" and tickets[4].value is None
    # the rates are coloured against the goal: rules over both quarters' columns that colour a row only with a goal
    rules = {str(r.sqref): [rule.formula[0] for rule in r.rules] for r in summary.conditional_formatting}
    first, last = tickets[1].row, cells(summary, "Onboarding steps done (of 10)")[1].row
    assert set(rules) == {f"B{first}:B{last}", f"C{first}:C{last}"}
    assert rules[f"B{first}:B{last}"][0] == f"AND(ISNUMBER(B{first}),ISNUMBER($E{first}),B{first}>=$E{first})"
    (chart,) = summary._charts
    assert chart.tagname == "barChart" and len(chart.series) == 2
    severity_rows = f"$A${first + 1}:$A${first + 4}"
    assert all(s.cat.numRef.f.endswith(severity_rows) for s in chart.series), "the chart shows the severities only"
    assert block(summary, "Fact", 2) == [
        ("Renewal date", "2026-09-30"), ("Support tier", "Premium"), ("Edition", "Enterprise"),
        ("Entitlement", "2025-10-01 to 2026-09-30"), ("Your technical account manager", "Tess Tam"),
    ]  # fmt: skip
    assert block(summary, "Meeting or call", 3) == [
        ("Quarterly planning", "Meeting", datetime(2026, 1, 15)), ("Upgrade call", "Call", datetime(2026, 2, 10)),
    ]  # fmt: skip
    assert block(summary, "Follow-up", 4) == [
        ("Share the roadmap", "Tess Tam", "Overdue", datetime(2026, 3, 2)),
        ("Send the upgrade guide", "Tess Tam", "Open", datetime(2026, 3, 20)),
    ]
    text = [str(c.value) for row in summary.iter_rows() for c in row if c.value is not None]
    assert not any("kickoff" in v or "Globex" in v or "Pricing" in v for v in text)
    assert not any("ARR" in v or "revenue" in v.casefold() for v in text), "the contract's value stays internal"


def test_sla_compliance_comes_from_the_sla_report_against_the_goal(
    acme: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    ws = export(ctx, tmp_path, acme["acme"])["SLA compliance"]
    sla = {r["Measure"]: r for r in records(ws, "Measure")}
    first = sla["First responses in time"]
    # A-2 (Sev2, 2 business hours) answered after 6 hours: 3 of 4 in time; Q4 2025: all 3 in time.
    # are still open, their customer updates (every business day, every 3) missed since: both breached
    assert (first["Q1 2026"], first["Q4 2025"], first["Goal"], first["Verdict"]) == (0.75, 1.0, 0.95, "✖ below goal")
    assert sla["  Sev2 High"]["Q1 2026"] == 0 and sla["  Sev2 High"]["Q4 2025"] is None
    assert "Breaches: 2 this quarter (Q4 2025: 0)." in header_block(ws, "Measure")
    summary = card(export(ctx, tmp_path, acme["acme"])["Summary"])
    assert summary["First responses in time"][:2] == (first["Q1 2026"], first["Q4 2025"])
    updates = sla["Customer updates kept"]
    assert summary["Customer updates kept"] == (updates["Q1 2026"], updates["Q4 2025"], -50.0, 0.95, "✖ below goal")


def test_tickets_escalations_defects_and_seats_of_this_customer_only(
    acme: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    wb = export(ctx, tmp_path, acme["acme"])
    tickets = records(wb["Tickets by severity"], "Ticket")
    assert [(r["Ticket"], r["Severity"]) for r in tickets] == [
        ("A-1", "Sev1 Urgent"), ("A-2", "Sev2 High"), ("A-3", "Sev3 Normal"), ("A-13", "Sev4 Low"),
    ]  # fmt: skip
    assert tickets[0]["Opened"] == datetime(2026, 1, 12, 11, 0)  # Berlin wall-clock, a real date-time
    assert tickets[1]["First response in time"] == "No" and tickets[0]["First response in time"] == "Yes"
    hostile = [c for row in wb["Tickets by severity"].iter_rows() for c in row if c.value == HOSTILE]
    assert [(c.data_type, c.quotePrefix) for c in hostile] == [("s", True)], "imported text, never a formula"
    escalations = records(wb["Escalations"], "Ticket")
    assert [(r["Ticket"], r["Outcome"], r["Closed"]) for r in escalations] == [
        ("A-2", "Resolved", datetime(2026, 2, 6, 10, 0)),
        ("A-3", "Closed without escalation", datetime(2026, 2, 21, 11, 0)),
    ]
    defects = records(wb["Defects"], "Defect")
    assert [(d["Defect"], d["State now"], d["Your tickets"], d["Fix version"], d["This quarter"]) for d in defects] == [
        ("Export stalls on large files", "Fix deployed", "A-2", "437", "Fixed"),
        ("Dashboard shows stale totals", "Reported", "A-3", None, "Open now"),
    ]
    assert defects[0]["Deployed"] == datetime(2026, 2, 15)
    seats = records(wb["Portal seats"], "Seat")
    assert [(s["Seat"], s["Status"]) for s in seats] == [(1, "Active"), (2, "Granted"), (3, "Requested"),
                                                         (4, "Revoked")]  # fmt: skip
    steps = records(wb["Onboarding"], "Step")
    assert [s["Step"] for s in steps] == list(range(1, 11))
    done = [s["Title"] for s in steps if s["Done"] == "Yes"]
    assert [s["Done"] for s in steps].count("No") == 10 - len(done)
    assert card(wb["Summary"])["Onboarding steps done (of 10)"] == (len(done), None, None, None, None)
    assert ("Onboarding", "The onboarding checklist, step by step.") in block(wb["Summary"], "Sheet", 2)


def test_a_past_quarter_lists_its_own_fixes_and_what_was_open_at_its_end(
    acme: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    wb = export(ctx, tmp_path, acme["acme"], Quarter(2025, 4))
    defects = records(wb["Defects"], "Defect")
    assert [(d["Defect"], d["This quarter"]) for d in defects] == [("Fixed long ago", "Fixed")]  # the rest came later
    escalations = records(wb["Escalations"], "Ticket")
    assert [(e["Ticket"], e["Outcome"]) for e in escalations] == [("A-10", "Open: requested")]
    assert [r["Ticket"] for r in records(wb["Tickets by severity"], "Ticket")] == ["A-10", "A-11", "A-12"]


def test_internal_sheets_hold_health_reasons_trend_arr_and_the_notes(
    acme: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    wb = export(ctx, tmp_path, acme["acme"])
    health = wb[f"{INTERNAL}Health"]
    lines = header_block(health, "Week")
    now = customer_health(acme["acme"], ctx.now())  # the running quarter: health as the health service has it now
    assert f"Health {now.score} ({now.band.label}) now (2026-03-10)." in lines
    assert [f"    {reason}" for reason in now.reasons] == [line for line in lines if line.startswith("    ")]
    assert now.reasons, "the old escalation still open, pending seats... take points off"
    assert f"Trend: {now.score - 70:+d} points since the week of 2025-12-22 (70)." in lines
    assert [(r["Week"].date(), r["Score"], r["Band"]) for r in records(health, "Week")] == [
        (date(2025, 12, 22), 70, "Amber"), (date(2026, 2, 23), 80, "Green"), (date(2026, 3, 9), 75, "Amber"),
    ]  # fmt: skip
    assert health._charts[0].tagname == "lineChart"
    past = header_block(export(ctx, tmp_path, acme["acme"], Quarter(2025, 4))[f"{INTERNAL}Health"], "Week")
    assert "Health 70 (Amber) in the week of 2025-12-22." in past  # a past quarter: its last weekly reading
    assert f"    −20: 1 {SECRETS['health']}" in past and "    −10: no contact for 45 days" in past
    assert "Trend: no earlier weekly reading to compare with." in past
    account = {r["Fact"]: r["Value"] for r in records(wb[f"{INTERNAL}Account"], "Fact")[:6]}
    keys = [r["Value"] for r in records(wb[f"{INTERNAL}Account"], "Fact") if r["Fact"] == "Engineering key"]
    assert keys == ["ENG-42: Export stalls on large files", "not escalated yet: Dashboard shows stale totals"]
    assert account["Annual recurring revenue (ARR)"] == "EUR 123,456.78"
    notes = records(wb[f"{INTERNAL}Notes"], "When")
    texts = {r["Text"] for r in notes}
    assert {v for k, v in SECRETS.items() if k != "health"} <= texts
    assert len(notes) == len(quarterly_review(acme["acme"], Q1, ctx.now()).internal_notes), "a row per note"
    assert not any("Old one" in text for text in texts), "an escalation of another quarter is not this review's"


def test_a_long_internal_note_is_one_cell_that_wraps(acme: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    long = " ".join(f"Point {n}: the customer's CIO wants a call about the export timeouts." for n in range(1, 9))
    t.Ticket.update(notes=long).where(t.Ticket.id == acme["A-1"]).execute()
    ws = export(ctx, tmp_path, acme["acme"])[f"{INTERNAL}Notes"]
    (cell,) = [c for row in ws.iter_rows() for c in row if c.value == long]
    assert cell.alignment.wrap_text and ws.row_dimensions[cell.row].height >= 4 * 15, "as tall as its lines"
    assert ws.cell(cell.row, 1).alignment.vertical == "top", "its date level with its first line"


@pytest.mark.parametrize("quarter", [Q1, Quarter(2025, 4)])
def test_no_customer_facing_cell_holds_internal_text(
    acme: dict[str, int], ctx: Context, tmp_path: Path, quarter: Quarter
) -> None:
    wb = export(ctx, tmp_path, acme["acme"], quarter)
    review = quarterly_review(acme["acme"], quarter, ctx.now())
    assert review.health is not None
    # Q1's health is computed now (its reasons come from the health service); Q4 2025's is its weekly reading
    seeded = {k: v for k, v in SECRETS.items() if k in EVERY_QUARTER or (k == "health") != (quarter == Q1)}
    internal = [*seeded.values(), *(str(r) for r in review.health.reasons), "123,456.78", "123456.78", "ENG-42"]
    for name in CUSTOMER_SHEETS:
        for row in wb[name].iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                text = str(cell.value)
                leaked = [secret for secret in internal if secret.casefold() in text.casefold()]
                assert not leaked, f"{name}!{cell.coordinate} shows internal text {leaked}"
                assert cell.value != ARR_CENTS / 100
    props = wb.properties
    shown = " ".join(str(v) for v in (props.title, props.subject, props.description, props.keywords))
    assert [secret for secret in internal if secret in shown] == [], "File › Info shows no internal text either"
    # and the test can fail: every internal text is in the workbook, on an internal sheet
    everywhere = " ".join(str(c.value) for name in INTERNAL_SHEETS for row in wb[name].iter_rows() for c in row)
    assert [secret for secret in internal[:-2] if secret not in everywhere] == []


def test_a_customer_without_data_gets_an_honest_empty_review(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    empty = create_customer(ctx, CustomerInput(name="Initech", time_zone="UTC"))
    wb = export(ctx, tmp_path, empty, Quarter(2025, 4))
    summary = wb["Summary"]
    assert not any(line.startswith("Partial") for line in header_block(summary, "Measure")), "Q4 2025 is over"
    scores = card(summary)
    assert [scores[m][:3] for m in list(scores)[:5]] == [(0, 0, 0)] * 5
    assert scores["First responses in time"] == (None, None, None, 0.95, "No tickets")
    assert scores["Escalations opened"] == scores["Defects fixed"] == (0, 0, 0, None, None)
    assert scores["Defects open at quarter end"] == (0, 0, 0, None, None)
    assert scores["Portal seats active (of 5)"] == (0, None, None, None, None)
    column = [c.value for c in summary["A"]]
    assert {"No contract on record.", "No meetings or calls this quarter.", "No open follow-ups."} <= set(column)
    # what each customer-facing sheet holds, and which are empty
    assert block(summary, "Sheet", 2) == [
        ("SLA compliance", "First responses and updates in time, by severity, against the goal. Empty."),
        ("Tickets by severity", "Every ticket opened this quarter, most severe first. Empty."),
        ("Escalations", "Escalations opened this quarter and how they ended. Empty."),
        ("Defects", "Defects behind your tickets: fixed this quarter or still open. Empty."),
        ("Portal seats", "Who has a support portal seat. Empty."),
        ("Onboarding", "The onboarding checklist, step by step."),
    ]
    assert "No tickets this quarter: no SLA figures." in header_block(wb["SLA compliance"], "Measure")
    assert "No health reading for this customer up to the quarter's end." in header_block(
        wb[f"{INTERNAL}Health"], "Week"
    )
    assert "No internal notes this quarter." in header_block(wb[f"{INTERNAL}Notes"], "When")
    for name, first in [*list(DATA_SHEETS.items())[:4], (f"{INTERNAL}Notes", "When")]:
        assert records(wb[name], first) == [], name


def test_the_review_reads_the_service_figures(acme: dict[str, int], fixed_now: datetime) -> None:
    review = quarterly_review(acme["acme"], Q1, fixed_now)
    assert review.ticket_count == (4, 3) and review.breaches == (2, 0)
    assert review.health is not None and review.health.computed_now and len(review.health.trend) == 3
    assert review.health.score == customer_health(acme["acme"], fixed_now).score
    assert review.defects_fixed == 1 and review.defects_open == 1
    assert [f.what for f in review.follow_ups] == ["Share the roadmap", "Send the upgrade guide"]


def test_an_unknown_customer_or_a_bad_path_writes_nothing(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="Customer #999 no longer exists"):
        export_quarterly_review(tmp_path / "q.xlsx", 999, Q1, ctx=ctx)
    customer = create_customer(ctx, CustomerInput(name="Acme", time_zone="UTC"))
    with pytest.raises(ExportError, match="folder .* does not exist"):
        export_quarterly_review(tmp_path / "missing" / "q.xlsx", customer, Q1, ctx=ctx)
    assert not list(tmp_path.glob("*.xlsx")) and not list(tmp_path.glob(".*.tmp"))
