"""The escalations log, reopened with openpyxl: the escalations opened in the period, their timelines, a summary per
severity that agrees with them, and hostile reasons and notes kept as text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tamdesk.__main__ import main
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import EscalationState
from tamdesk.models import tables as t
from tamdesk.reports.escalations import export_escalation_log
from tamdesk.reports.xlsx import ExportCancelled
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.escalations import (
    EscalationInput,
    add_note,
    advance_escalation,
    apprise_vp,
    request_escalation,
)
from tamdesk.services.report_data import ReportScope
from tamdesk.services.tickets import TicketInput, create_ticket
from tests.db.test_reports_sla import assert_no_formulas, header_block, records, split_totals, table

BERLIN = ZoneInfo("Europe/Berlin")
MARCH = ReportScope(tz=BERLIN, start=date(2026, 3, 1), end=date(2026, 4, 1))
HOSTILE_REASON = '=HYPERLINK("http://x","y")'
HOSTILE_NOTE = "-2 nodes lost overnight"
REQUIRED = [
    "Ticket", "Customer", "Severity", "State", "Opened", "Closed", "Age (business days)", "Support manager",
    "Senior director", "VP apprised", "Reason",
]  # fmt: skip


def at(ctx: Context, text: str) -> Context:
    when = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return Context(actor=ctx.actor, clock=lambda: when)


@pytest.fixture
def log(db_path: Path, ctx: Context) -> dict[str, int]:
    """E1 Sev1 (Acme) opened 2 March, resolved 4 March; E2 Sev3 (Globex) opened 5 March with a hostile reason, still
    requested; E3 Sev2 (Acme) opened and declined in February."""
    for name, role in [("Maya Support", "support_manager"), ("Dan Director", "senior_director")]:
        t.Person.create(name=name, role=role, email=f"{name.split()[0].lower()}@vendor.example")
    acme = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="America/New_York", country="US"))
    opened = datetime(2026, 2, 2, 9, tzinfo=UTC)
    tickets = [
        create_ticket(ctx, TicketInput(number, customer, "Broken", severity, opened))
        for number, customer, severity in [
            ("T-1", acme, Severity.URGENT), ("T-2", globex, Severity.NORMAL), ("T-3", acme, Severity.HIGH),
        ]
    ]  # fmt: skip
    e1 = request_escalation(
        at(ctx, "2026-03-02 09:00"), tickets[0], EscalationInput("customer", "Ana", "Down", "Orders stop")
    )
    advance_escalation(at(ctx, "2026-03-02 10:00"), e1, 1, EscalationState.ACKNOWLEDGED)
    advance_escalation(at(ctx, "2026-03-04 16:00"), e1, 2, EscalationState.RESOLVED, note="Patched")
    e2 = request_escalation(
        at(ctx, "2026-03-05 15:00"), tickets[1], EscalationInput("tam", "", HOSTILE_REASON, "Orders stop")
    )
    add_note(at(ctx, "2026-03-06 09:00"), e2, HOSTILE_NOTE)
    e3 = request_escalation(at(ctx, "2026-02-10 09:00"), tickets[2], EscalationInput("tam", "", "Slow", "Reports late"))
    advance_escalation(at(ctx, "2026-02-11 09:00"), e3, 1, EscalationState.DECLINED, decline_reason="Known issue")
    return {"E1": e1, "E2": e2, "E3": e3, "acme": acme, "globex": globex}


def test_march_log(log: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    result = export_escalation_log(tmp_path / "esc.xlsx", MARCH, ctx=ctx)
    assert result.summary == "Escalations log of 2 escalations, 2026-03-01 to 2026-03-31"
    assert_no_formulas(result.path)
    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames == ["Summary", "Escalations", "VP apprisals", "Timeline"]
    assert header_block(wb["Summary"])[:2] == [
        "Escalations log",
        "Period: 2026-03-01 to 2026-03-31 (escalations by the day they were opened)",
    ]
    header, rows = table(wb["Escalations"], "Escalation")
    assert [h for h in header if h in REQUIRED] == REQUIRED
    escalations = records(wb["Escalations"], "Escalation")
    assert [e["Escalation"] for e in escalations] == [log["E1"], log["E2"]]
    e1, e2 = escalations
    assert (e1["Ticket"], e1["Customer"], e1["Severity"], e1["State"], e1["VP apprised"]) == (
        "T-1", "Acme", "Sev1 Urgent", "Resolved", "Yes",
    )  # fmt: skip
    assert (e1["Opened"], e1["Closed"]) == (datetime(2026, 3, 2, 10), datetime(2026, 3, 4, 17))  # Berlin time
    assert e1["Age (business days)"] == pytest.approx(2.8)  # Mon 10:00 to Wed 17:00, 09:00-18:00 days
    assert (e1["Support manager"], e1["Senior director"], e1["Next step"]) == ("Maya Support", "Dan Director", None)
    assert (e2["State"], e2["Closed"], e2["VP apprised"], e2["Reason"]) == ("Requested", None, "No", HOSTILE_REASON)
    assert e2["Next step"] == "Maya Support: acknowledge the escalation"
    reason = rows[1][header.index("Reason")]
    assert reason.data_type == "s" and reason.quotePrefix
    assert isinstance(rows[0][header.index("Age (business days)")].value, float)
    timeline = records(wb["Timeline"], "Escalation")
    assert {line["Escalation"] for line in timeline} == {log["E1"], log["E2"]}
    e1_lines = [line for line in timeline if line["Escalation"] == log["E1"]]
    assert [line["State"] for line in e1_lines] == ["Requested", None, "Acknowledged", "Resolved"]
    assert e1_lines[-1]["Entry"] == "Acknowledged → Resolved: Patched"
    assert [line["At"] for line in e1_lines] == sorted(line["At"] for line in e1_lines)
    note = next(line for line in timeline if line["Entry"] == HOSTILE_NOTE)
    assert note["At"] == datetime(2026, 3, 6, 10) and note["Author"] == "Tess Tam"


def test_late_and_missing_apprisals_are_flagged_and_counted(log: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    """E4 apprised a business day and an hour after its limit; E5 closed past its limit with no apprisal; E2 (New
    York) is open 30 minutes past its limit; E1 (Sev1) apprised at once."""
    opened = datetime(2026, 2, 2, 9, tzinfo=UTC)
    t4, t5 = (create_ticket(ctx, TicketInput(n, log["acme"], "Slow", Severity.NORMAL, opened)) for n in ("T-4", "T-5"))
    e4 = request_escalation(at(ctx, "2026-03-02 09:00"), t4, EscalationInput("tam", "", "Slow", "Reports late"))
    apprise_vp(at(ctx, "2026-03-06 10:00"), e4, 1, "Briefed at the weekly review")
    e5 = request_escalation(at(ctx, "2026-03-02 09:00"), t5, EscalationInput("tam", "", "Slow", "Reports late"))
    advance_escalation(at(ctx, "2026-03-09 09:00"), e5, 1, EscalationState.RESOLVED)
    wb = openpyxl.load_workbook(export_escalation_log(tmp_path / "esc.xlsx", MARCH, ctx=ctx).path)
    by_id = {e["Escalation"]: e for e in records(wb["VP apprisals"], "Escalation")}
    for e in records(wb["Escalations"], "Escalation"):
        assert e["VP apprisal"] == by_id[e["Escalation"]]["VP apprisal"], "the flag on both sheets"
        by_id[e["Escalation"]]["VP apprised"] = e["VP apprised"]
    vp = ("VP due", "VP apprised", "VP apprised at", "VP apprisal", "VP late (business days)")
    assert tuple(by_id[e4][c] for c in vp) == (
        datetime(2026, 3, 5, 10),
        "Yes",
        datetime(2026, 3, 6, 11),
        "Late apprisal",
        pytest.approx(10 / 9, abs=0.01),
    )  # Berlin times: opened Mon 10:00, due Thu 10:00, apprised Fri 11:00
    assert tuple(by_id[e5][c] for c in vp) == (datetime(2026, 3, 5, 10), "No", None, "Not apprised", 2.0)
    assert tuple(by_id[log["E2"]][c] for c in vp) == (
        datetime(2026, 3, 10, 15),
        "No",
        None,
        "Not apprised",
        pytest.approx(0.5 / 9, abs=0.01),
    )  # New York 10:00 EDT on Tue 10 Mar is 15:00 in Berlin; the export is at 14:30 UTC
    e1 = by_id[log["E1"]]
    assert (e1["VP apprised at"], e1["VP apprisal"], e1["VP late (business days)"]) == (
        datetime(2026, 3, 2, 10),
        None,
        None,
    )  # Sev1: at once
    assert e1["VP due"] is None  # closed before the limit: no apprisal was ever due
    assert any("VP rule: the VP of Customer Success is apprised by 3 business days" in line
               for line in header_block(wb["Summary"]))  # fmt: skip
    rows, total = split_totals(records(wb["Summary"], "Severity"), "Severity")
    assert (total["Late apprisals"], total["Not apprised"]) == (1, 2)
    normal = next(r for r in rows if r["Severity"] == Severity.NORMAL.label)
    assert (normal["Late apprisals"], normal["Not apprised"]) == (1, 2)


def test_summary_agrees_with_the_escalations(log: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    for scope in (MARCH, ReportScope(tz=BERLIN), ReportScope(tz=UTC, customer_ids=frozenset({log["acme"]}))):
        wb = openpyxl.load_workbook(export_escalation_log(tmp_path / "e.xlsx", scope, ctx=ctx).path)
        rows, total = split_totals(records(wb["Summary"], "Severity"), "Severity")
        escalations = records(wb["Escalations"], "Escalation")
        assert [r["Severity"] for r in rows] == [s.label for s in Severity]
        for row in [*rows, total]:
            mine = [e for e in escalations if row is total or e["Severity"] == row["Severity"]]
            open_ages = [e["Age (business days)"] for e in mine if e["Closed"] is None]
            ages = sorted(e["Age (business days)"] for e in mine)
            assert row["Late apprisals"] == sum(e["VP apprisal"] == "Late apprisal" for e in mine)
            assert row["Not apprised"] == sum(e["VP apprisal"] == "Not apprised" for e in mine)
            assert (row["Escalations"], row["Open"], row["Resolved"], row["Declined"], row["VP apprised"]) == (
                len(mine), len(open_ages), sum(e["State"] == "Resolved" for e in mine),
                sum(e["State"] == "Declined" for e in mine), sum(e["VP apprised"] == "Yes" for e in mine),
            )  # fmt: skip
            median = None if not ages else (ages[(len(ages) - 1) // 2] + ages[len(ages) // 2]) / 2
            assert row["Median age (business days)"] == (None if median is None else pytest.approx(median))
            assert row["Oldest open (business days)"] == (max(open_ages) if open_ages else None)
        timeline_ids = {line["Escalation"] for line in records(wb["Timeline"], "Escalation")}
        assert timeline_ids == {e["Escalation"] for e in escalations}


def test_empty_period_and_cancel(log: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    scope = ReportScope(tz=BERLIN, start=date(2025, 1, 1), end=date(2025, 2, 1))
    wb = openpyxl.load_workbook(export_escalation_log(tmp_path / "e.xlsx", scope, ctx=ctx).path)
    assert "No escalations were opened in this period." in header_block(wb["Summary"])
    _, total = split_totals(records(wb["Summary"], "Severity"), "Severity")
    assert (total["Escalations"], total["Median age (business days)"]) == (0, None)
    assert records(wb["Escalations"], "Escalation") == [] == records(wb["Timeline"], "Escalation")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportCancelled):
        export_escalation_log(out / "e.xlsx", MARCH, ctx=ctx, cancelled=lambda: True)
    assert list(out.iterdir()) == []


def test_command_line(log: dict[str, int], db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "esc.xlsx"
    argv = ["--db", str(db_path), "export", "escalations", "--out", str(out), "--from", "2026-02-01", "--to"]
    assert main([*argv, "2026-02-28", "--tz", "Europe/Berlin"]) == 0
    assert (
        capsys.readouterr().out.strip()
        == f"Escalations log of 1 escalation, 2026-02-01 to 2026-02-28 written to {out}."
    )
    assert [e["Ticket"] for e in records(openpyxl.load_workbook(out)["Escalations"], "Escalation")] == ["T-3"]
    assert main([*argv, "2026-01-31"]) == 1
    assert "--from 2026-02-01 must not be after --to 2026-01-31." in capsys.readouterr().err
    assert main([*argv, "2026-02-01"]) == 0  # one day, both ends included
    assert "2026-02-01 to 2026-02-01 written" in capsys.readouterr().out
