"""The SLA workbook, reopened with openpyxl: sheets, required columns, real types, figures a manager can check by hand,
summary figures that agree with the detail rows, hostile ticket text never a formula, and the command line."""

from __future__ import annotations

import statistics
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tamdesk.__main__ import main
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SeverityTarget, SlaPolicy
from tamdesk.domain.states import ClockKind, TicketEventKind
from tamdesk.models import tables as t
from tamdesk.reports.sla import TICKET_COLUMNS, export_sla_report
from tamdesk.reports.xlsx import ExportCancelled, ExportError, safe_text
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import report_defect
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.report_data import ReportScope, sla_report
from tamdesk.services.sla import create_policy, revise_policy
from tamdesk.services.ticket_lists import TicketFilter, load_tickets
from tamdesk.services.tickets import TicketInput, add_event, create_ticket

BERLIN = ZoneInfo("Europe/Berlin")
FEBRUARY = ReportScope(tz=BERLIN, start=date(2026, 2, 1), end=date(2026, 3, 1))
REQUIRED = [
    "Ticket", "Customer", "Subject", "Severity", "Status", "Opened", "First response due", "First response",
    "First response met", "Missed updates", "Resolved", "Hours to resolve", "Escalated", "Defect",
]  # fmt: skip
HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "\tTab-led subject",
    "\rCR-led subject",
    "Bell\x07 and \x01 control characters",
    "A" * 40_000,
    "Rocket 🚀 launch 👩‍💻 emoji",
    "שלום עולם right-to-left",
    "＝1+1 full-width equals",
    "#N/A",
]
R, S = TicketEventKind.RESPONSE, TicketEventKind.SOLVED


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def sla_book(db_path: Path, ctx: Context) -> dict[str, int]:
    """Acme (Standard v1, Berlin) and Globex (Premium v2: Sev1 first response in 30 min, updates hourly).

    February (Berlin): T-1 met; T-2 answered 1 h late; T-3 met but four hourly updates missed; T-7 opened
    2026-01-31 23:30 UTC, which is already February in Berlin. March: T-4 (hostile subject), T-5 unanswered past
    due, T-6 opened 30 minutes before now, T-8… Sev4 tickets whose subjects are every kind of hostile text.
    """
    contract_start = Context(ctx.actor, clock=lambda: utc("2026-01-01 00:00"))  # v2 in force before every ticket
    premium = create_policy(contract_start, "Premium")
    targets = dict(SlaPolicy.standard().targets)
    targets[Severity.URGENT] = SeverityTarget(timedelta(minutes=30), timedelta(hours=1), ClockKind.TWENTY_FOUR_SEVEN)
    revise_policy(contract_start, premium, 1, targets, 0.75)
    acme = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    globex = create_customer(
        ctx, CustomerInput(name="Globex", time_zone="America/New_York", country="US", sla_policy="Premium")
    )
    ids: dict[str, int] = {"acme": acme, "globex": globex}

    def ticket(number: str, customer: int, subject: str, severity: Severity, opened: str, *events: Any) -> None:
        ids[number] = create_ticket(ctx, TicketInput(number, customer, "placeholder", severity, utc(opened)))
        t.Ticket.update(subject=subject).where(t.Ticket.id == ids[number]).execute()  # as imported, unstripped
        for kind, when in events:
            add_event(ctx, ids[number], kind, utc(when))

    ticket(
        "T-1",
        acme,
        "Login fails",
        Severity.URGENT,
        "2026-02-02 10:00",
        (R, "2026-02-02 10:30"),
        (S, "2026-02-02 11:30"),
    )
    ticket(
        "T-2",
        acme,
        "Slow export",
        Severity.URGENT,
        "2026-02-03 10:00",
        (R, "2026-02-03 12:00"),
        (R, "2026-02-03 13:00"),
        (S, "2026-02-03 14:00"),
    )
    ticket(
        "T-3",
        globex,
        "Cluster down",
        Severity.URGENT,
        "2026-02-10 09:00",
        (R, "2026-02-10 09:20"),
        (R, "2026-02-10 14:00"),
        (S, "2026-02-10 14:30"),
    )
    ticket("T-4", globex, HOSTILE[0], Severity.NORMAL, "2026-03-02 09:00", (R, "2026-03-02 16:00"))
    ticket("T-5", acme, "Node lost", Severity.URGENT, "2026-03-09 08:00")
    ticket("T-6", acme, "A question", Severity.LOW, "2026-03-10 14:00")
    ticket("T-7", acme, "Midnight", Severity.URGENT, "2026-01-31 23:30", (R, "2026-01-31 23:45"),
           (S, "2026-02-01 00:30"))  # fmt: skip
    for number, subject in enumerate(HOSTILE[1:], 8):
        ticket(f"T-{number}", acme, subject, Severity.LOW, "2026-03-03 10:00")
    request_escalation(ctx, ids["T-5"], EscalationInput("tam", "", "Production down", "Orders stop"))
    report_defect(ctx, ids["T-2"], "Export stalls on large files")
    return ids


# -- reading workbooks back ---------------------------------------------------------------------------------------


def table(ws: Any, first_title: str) -> tuple[list[Any], list[list[Any]]]:
    """The header row (found by its first title) and the cells of the rows under it."""
    top = next(r for r in range(1, 40) if ws.cell(r, 1).value == first_title)
    rows = [list(r) for r in ws.iter_rows(min_row=top)]
    return [c.value for c in rows[0]], rows[1:]


def records(ws: Any, first_title: str) -> list[dict[str, Any]]:
    """The rows under the header as ``{title: value}``."""
    header, rows = table(ws, first_title)
    values = [[c.value for c in row] for row in rows]
    end = next((n for n, row in enumerate(values) if all(v is None for v in row)), len(values))  # e.g. above a chart
    return [dict(zip(header, row, strict=True)) for row in values[:end]]


def assert_data_sheet(ws: Any, titles: list[str]) -> None:
    """A data sheet: ``titles`` on row 1, frozen under it, and one Excel table over exactly the header and data rows
    (the header and one empty row when there is no data), so any tool reads it with no options."""
    assert [c.value for c in ws[1]] == titles, ws.title
    (table,) = ws.tables.values()
    last = max(ws.max_row, 2)
    assert table.ref == f"A1:{ws.cell(1, len(titles)).column_letter}{last}", ws.title
    assert table.headerRowCount == 1 and not table.totalsRowCount and table.column_names == titles
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1" and ws.auto_filter.ref is None


def split_totals(rows: list[dict[str, Any]], key: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    assert rows and rows[-1][key] == "Total", "the totals row closes the table"
    return rows[:-1], rows[-1]


def header_block(ws: Any) -> list[str]:
    """The lines above the table (up to the blank row)."""
    lines = []
    for row in range(1, 40):
        value = ws.cell(row, 1).value
        if value is None:
            return lines
        lines.append(value)
    raise AssertionError("no blank row under the header block")


def assert_no_formulas(path: Path) -> None:
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"


def approx(value: float | None) -> Any:
    return None if value is None else pytest.approx(value, abs=1e-6)


# -- what the summary must say, recomputed from the Tickets sheet ---------------------------------------------------


def expected(tickets: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The figures of a group of Tickets-sheet rows, computed the way a manager would check them."""
    rows = list(tickets)
    due = [r for r in rows if r["First response met"] in ("Yes", "No")]
    tracked = [r for r in rows if r["First response"] is not None]
    response = sorted((r["First response"] - r["Opened"]).total_seconds() / 3600 for r in tracked)
    resolve = sorted(r["Hours to resolve"] for r in rows if r["Hours to resolve"] is not None)
    return {
        "tickets": len(rows),
        "due": len(due),
        "met": sum(r["First response met"] == "Yes" for r in due),
        "fr": rate(sum(r["First response met"] == "Yes" for r in due), len(due)),
        "upd": rate(sum(r["Missed updates"] == 0 for r in tracked), len(tracked)),
        "breaches": sum(r["First response met"] == "No" or r["Missed updates"] > 0 for r in rows),
        "missed": sum(r["Missed updates"] for r in rows),
        "escalated": sum(r["Escalated"] == "Yes" for r in rows),
        "defects": sum(r["Defect"] is not None for r in rows),
        "fr_hours": (median(response), p90(response)),
        "resolve_hours": (median(resolve), p90(resolve)),
    }


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def p90(values: list[float]) -> float | None:
    """Excel's PERCENTILE.INC(values, 0.9)."""
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def by(rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict[Any, list[dict[str, Any]]]:
    groups: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


def assert_summary_matches(summary: dict[str, Any], tickets: list[dict[str, Any]]) -> None:
    want = expected(tickets)
    assert summary["Tickets"] == want["tickets"]
    assert summary["Breaches"] == want["breaches"]
    assert summary["FR %"] == approx(want["fr"])
    assert summary["Upd. %"] == approx(want["upd"])
    assert (summary["FR median h"], summary["FR p90 h"]) == tuple(map(approx, want["fr_hours"]))
    assert (summary["Resolve median h"], summary["Resolve p90 h"]) == tuple(map(approx, want["resolve_hours"]))
    for severity in Severity:
        mine = [r for r in tickets if r["Severity"] == severity.label]
        assert summary[f"FR Sev{int(severity)}"] == approx(expected(mine)["fr"]), severity
        assert summary[f"Upd. Sev{int(severity)}"] == approx(expected(mine)["upd"]), severity


def assert_workbook_agrees(path: Path) -> None:
    """Every summary and by-customer figure is what the Tickets sheet adds up to; Breaches lists the breaches."""
    wb = openpyxl.load_workbook(path)
    tickets = records(wb["Tickets"], "Ticket")
    months, total = split_totals(records(wb["By month"], "Month"), "Month")
    assert_summary_matches(total, tickets)
    per_month = by(tickets, lambda r: f"{r['Opened']:%Y-%m}")
    assert [m["Month"][:7] for m in months] == sorted(per_month)  # "2026-03 (1–10 Mar, partial)" for a part month
    for month in months:
        assert_summary_matches(month, per_month[month["Month"][:7]])
    customers = records(wb["By customer"], "Customer")
    per_customer = by(tickets, lambda r: r["Customer"])
    assert {c["Customer"] for c in customers if c["Tickets"]} == set(per_customer)
    for row in customers:
        want = expected(per_customer.get(row["Customer"], []))
        got = (row["Tickets"], row["First responses due"], row["Met in time"], row["Breaches"], row["Missed updates"],
               row["Escalated"], row["With defect"])  # fmt: skip
        assert got == (want["tickets"], want["due"], want["met"], want["breaches"], want["missed"],
                       want["escalated"], want["defects"])  # fmt: skip
        assert row["First response %"] == approx(want["fr"])
        assert row["Updates kept %"] == approx(want["upd"])
        severities = [sum(r["Severity"] == s.label for r in per_customer.get(row["Customer"], [])) for s in Severity]
        assert [row[f"Sev{int(s)}"] for s in Severity] == severities
    lowest = [min(r for r in (c["First response %"], c["Updates kept %"]) if r is not None) for c in customers
              if c["First response %"] is not None or c["Updates kept %"] is not None]  # fmt: skip
    assert lowest == sorted(lowest), "worst first"
    assert sum(c["Tickets"] for c in customers) == total["Tickets"]
    assert sum(c["Breaches"] for c in customers) == total["Breaches"]
    breaches = records(wb["Breaches"], "Ticket")
    breached = {r["Ticket"] for r in tickets if r["First response met"] == "No" or r["Missed updates"] > 0}
    assert [b["Ticket"] for b in breaches if b["Ticket"] in breached] == [b["Ticket"] for b in breaches]
    assert len(breaches) == len(breached) == total["Breaches"]
    order = [(b["Open"] != "Yes", b["Severity"], -(b["FR late, clock h"] or 0)) for b in breaches]
    assert order == sorted(order), "open first, then the most severe, then the latest in the clock's hours"


# -- tests -----------------------------------------------------------------------------------------------------------


def test_february_by_hand(sla_book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    """Figures a manager can check with a pencil, in Berlin time."""
    result = export_sla_report(tmp_path / "feb.xlsx", FEBRUARY, ctx=ctx)
    assert result.summary == "SLA report of 4 tickets, 2026-02-01 to 2026-02-28"
    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames == [
        "Summary", "Act now", "Trend", "By month", "By TAM", "By customer", "Breaches", "Tickets", "Ticket defects",
    ]  # fmt: skip
    assert wb.properties.title == "SLA report 2026-02-01 to 2026-02-28" and wb.properties.creator == "Tess Tam"
    lines = header_block(wb["Summary"])
    assert lines[:6] == [
        "SLA report",
        "Period: 2026-02-01 to 2026-02-28 (tickets by the day they were opened)",
        "Exported 2026-03-10 15:30 by Tess Tam",
        "Filters: none",
        "SLA policy: Premium v2, Standard v1",
        "Times are in Europe/Berlin",
    ]
    months, total = split_totals(records(wb["By month"], "Month"), "Month")
    assert [m["Month"] for m in months] == ["2026-02"]
    assert (total["Tickets"], total["Breaches"], total["FR %"], total["Upd. %"]) == (4, 2, 0.75, 0.75)
    assert total["FR Sev1"] == 0.75 and total["FR Sev2"] is None
    # first responses after 0.25, 1/3, 0.5 and 2 hours; resolved after 1, 1.5, 4 and 5.5 hours
    assert total["FR median h"] == approx((1 / 3 + 0.5) / 2) and total["FR p90 h"] == approx(0.5 + 0.7 * 1.5)
    assert total["Resolve median h"] == approx(2.75) and total["Resolve p90 h"] == approx(4.0 + 0.7 * 1.5)
    customers = records(wb["By customer"], "Customer")
    assert [(c["Customer"], c["SLA policy"], c["Tickets"], c["Breaches"], c["Missed updates"]) for c in customers] == [
        ("Globex", "Premium v2", 1, 1, 4),  # worst first: no update kept (0%) before Acme's 2 of 3 in time
        ("Acme", "Standard v1", 3, 1, 0),
    ], "a data sheet: no totals row, the Summary's Total holds them"
    breaches = records(wb["Breaches"], "Ticket")
    assert [(b["Ticket"], b["Breach"], b["FR hours late"], b["Missed updates"]) for b in breaches] == [
        ("T-2", "First response", approx(1.0), 0),
        ("T-3", "Customer updates", None, 4),
    ]
    assert_workbook_agrees(result.path)


def test_tickets_sheet_columns_and_types(sla_book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = export_sla_report(tmp_path / "feb.xlsx", FEBRUARY, ctx=ctx).path
    ws = openpyxl.load_workbook(path)["Tickets"]
    header, rows = table(ws, "Ticket")
    assert header == [*REQUIRED, "Severity changes", "Excused"] == [c.title for c in TICKET_COLUMNS]
    by_number = {row[0].value: row for row in rows}
    assert list(by_number) == ["T-7", "T-1", "T-2", "T-3"], "oldest first"
    one = {title: cell for title, cell in zip(header, by_number["T-1"], strict=True)}
    assert [one[k].value for k in ("Customer", "Subject", "Severity", "Status")] == [
        "Acme", "Login fails", "Sev1 Urgent", "Solved",
    ]  # fmt: skip
    assert one["Opened"].value == datetime(2026, 2, 2, 11, 0)  # 10:00 UTC, in Berlin
    assert one["First response due"].value == datetime(2026, 2, 2, 12, 0)
    assert one["First response"].value == datetime(2026, 2, 2, 11, 30)
    assert one["Resolved"].value == datetime(2026, 2, 2, 12, 30)
    for title in ("Opened", "First response due", "First response", "Resolved"):
        assert one[title].is_date and isinstance(one[title].value, datetime), title
    assert one["First response met"].value == "Yes" and one["Escalated"].value == "No"
    assert one["Missed updates"].value == 0 and isinstance(one["Missed updates"].value, int)
    assert one["Hours to resolve"].value == approx(1.5) and one["Hours to resolve"].data_type == "n"
    assert one["Defect"].value is None
    two = dict(zip(header, (c.value for c in by_number["T-2"]), strict=True))
    assert (two["First response met"], two["Defect"], two["Hours to resolve"]) == ("No", "#1", approx(4.0))
    three = dict(zip(header, (c.value for c in by_number["T-3"]), strict=True))
    assert (three["First response met"], three["Missed updates"]) == ("Yes", 4)
    assert_data_sheet(ws, [*REQUIRED, "Severity changes", "Excused"])
    assert ws.tables["Tickets"].ref == f"A1:P{ws.max_row}" and ws.max_row == 5
    assert ws.page_setup.orientation == "landscape"
    assert (ws.oddHeader.left.text, ws.oddHeader.right.text) == (
        "Tickets", "Period: 2026-02-01 to 2026-02-28 (tickets by the day they were opened)",
    )  # fmt: skip


def test_whole_history_summary_agrees_and_hostile_text_stays_text(
    sla_book: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    path = export_sla_report(tmp_path / "all.xlsx", ReportScope(tz=BERLIN), ctx=ctx).path
    assert_no_formulas(path)
    assert_workbook_agrees(path)
    wb = openpyxl.load_workbook(path)
    header, rows = table(wb["Tickets"], "Ticket")
    subjects = {row[0].value: row[2] for row in rows}
    for number, text in zip(["T-4", *(f"T-{n}" for n in range(8, 8 + len(HOSTILE) - 1))], HOSTILE, strict=True):
        cell = subjects[number]
        assert cell.data_type == "s" and cell.value == safe_text(text), number
    assert subjects["T-4"].quotePrefix and subjects["T-8"].quotePrefix  # Excel keeps "=…" and "+1" as text
    bell, long = subjects[f"T-{HOSTILE.index(HOSTILE[6]) + 7}"], subjects[f"T-{HOSTILE.index('A' * 40_000) + 7}"]
    assert bell.value == "Bell and  control characters"
    assert len(long.value) == 32_767 and long.value.endswith("… [truncated]")
    five = dict(zip(header, (c.value for c in next(r for r in rows if r[0].value == "T-5")), strict=True))
    assert (five["First response met"], five["Escalated"], five["Resolved"]) == ("No", "Yes", None)
    six = dict(zip(header, (c.value for c in next(r for r in rows if r[0].value == "T-6")), strict=True))
    assert six["First response met"] is None, "not yet due"
    assert zipfile.ZipFile(path).namelist().count("xl/charts/chart1.xml") == 1


def test_rows_agree_with_the_ticket_list(sla_book: dict[str, int], fixed_now: datetime) -> None:
    """The report's clocks are the app's: the same due times, responses and missed updates as the Tickets page."""
    app = {row.number: row for row in load_tickets(TicketFilter(), fixed_now)}
    report = sla_report(ReportScope(tz=BERLIN), fixed_now)
    assert sorted(line.number for line in report.tickets) == sorted(app)
    for line in report.tickets:
        sla = app[line.number].sla
        assert (line.first_response_due, line.first_response_at, line.missed_updates, line.resolved_at) == (
            sla.first_response_due, sla.first_response_at, sla.missed_updates, sla.resolved_at,
        )  # fmt: skip
        if sla.first_response_met is not None:
            assert line.first_response_met is sla.first_response_met
        assert line.escalated is app[line.number].escalated and bool(line.defects) is app[line.number].defect


def test_period_is_read_in_the_report_zone(sla_book: dict[str, int], fixed_now: datetime) -> None:
    in_utc = ReportScope(tz=UTC, start=date(2026, 2, 1), end=date(2026, 3, 1))
    assert [line.number for line in sla_report(in_utc, fixed_now).tickets] == ["T-1", "T-2", "T-3"]
    assert [line.number for line in sla_report(FEBRUARY, fixed_now).tickets] == ["T-7", "T-1", "T-2", "T-3"]
    until = ReportScope(tz=BERLIN, end=date(2026, 2, 2))
    assert until.period_label == "up to 2026-02-01"
    assert [line.number for line in sla_report(until, fixed_now).tickets] == ["T-7"]


def test_customer_and_severity_filters(sla_book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    scope = ReportScope(
        tz=BERLIN, customer_ids=frozenset({sla_book["globex"]}), severities=frozenset({Severity.URGENT})
    )
    path = export_sla_report(tmp_path / "globex.xlsx", scope, ctx=ctx).path
    wb = openpyxl.load_workbook(path)
    lines = header_block(wb["Summary"])
    assert "Filters: Customers: Globex; Severities: Sev1 Urgent" in lines
    assert "SLA policy: Premium v2" in lines
    assert [r["Ticket"] for r in records(wb["Tickets"], "Ticket")] == ["T-3"]
    assert_workbook_agrees(path)


def test_empty_period_is_an_honest_empty_report(sla_book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    scope = ReportScope(tz=BERLIN, start=date(2025, 1, 1), end=date(2025, 2, 1))
    result = export_sla_report(tmp_path / "empty.xlsx", scope, ctx=ctx)
    assert result.summary == "SLA report of 0 tickets, 2025-01-01 to 2025-01-31"
    wb = openpyxl.load_workbook(result.path)
    assert "No tickets were opened in this period." in header_block(wb["Summary"])
    assert "SLA policy: Premium v2, Standard v1" in header_block(wb["Summary"]), "the policies it would apply"
    months, total = split_totals(records(wb["By month"], "Month"), "Month")
    assert months == [] and (total["Tickets"], total["Breaches"], total["FR %"]) == (0, 0, None)
    assert records(wb["Tickets"], "Ticket") == [] and records(wb["Breaches"], "Ticket") == []
    charts = [name for name in zipfile.ZipFile(result.path).namelist() if name.startswith("xl/charts/chart")]
    assert charts == ["xl/charts/chart1.xml"], "only the 12-month trend, which has months with tickets"


def test_cancel_and_failures_leave_no_file(sla_book: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    calls: list[int] = []

    def cancel_when_writing() -> bool:
        calls.append(1)
        return len(calls) > 3

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportCancelled):
        export_sla_report(out / "c.xlsx", ReportScope(tz=BERLIN), ctx=ctx, cancelled=cancel_when_writing)
    assert len(calls) == 4, "cancelled while writing"
    with pytest.raises(ExportCancelled):
        export_sla_report(out / "c.xlsx", ReportScope(tz=BERLIN), ctx=ctx, cancelled=lambda: True)
    assert list(out.iterdir()) == []
    with pytest.raises(ExportError, match="does not exist"):
        export_sla_report(out / "missing" / "c.xlsx", ReportScope(tz=BERLIN), ctx=ctx)
    steps: list[tuple[int, int]] = []
    export_sla_report(out / "p.xlsx", FEBRUARY, ctx=ctx, progress=lambda d, n: steps.append((d, n)))
    assert steps[-1] == (1000, 1000) and [d for d, _ in steps] == sorted(d for d, _ in steps)


def test_bad_period_is_refused() -> None:
    from tamdesk.services.base import DomainError

    with pytest.raises(DomainError, match="must end after it starts"):
        ReportScope(start=date(2026, 3, 1), end=date(2026, 3, 1))


def test_command_line(
    sla_book: dict[str, int], db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "weekly.xlsx"
    argv = ["--db", str(db_path), "export", "sla", "--out", str(out), "--from", "2026-02-01", "--to", "2026-02-28"]
    assert main([*argv, "--tz", "Europe/Berlin", "--customer", "acme"]) == 0
    assert capsys.readouterr().out.strip() == f"SLA report of 3 tickets, 2026-02-01 to 2026-02-28 written to {out}."
    assert "Times are in Europe/Berlin" in header_block(openpyxl.load_workbook(out)["Summary"])
    base = ["--db", str(db_path), "export", "sla", "--out", str(tmp_path / "bad.xlsx")]
    for extra, message in [
        (["--from", "2026-02-30"], "--from '2026-02-30' is not a date such as 2026-03-01."),
        (["--to", "next week"], "--to 'next week' is not a date such as 2026-03-01."),
        (["--tz", "Mars/Base"], "--tz 'Mars/Base' is not an IANA time zone such as Europe/Berlin."),
        (["--customer", "Nobody"], "No customer named 'Nobody'."),
        (["--from", "2026-03-01", "--to", "2026-02-01"], "--from 2026-03-01 must not be after --to 2026-02-01."),
    ]:
        assert main([*base, *extra]) == 1
        err = capsys.readouterr().err.strip()
        assert err == f"tamdesk export sla: {message}" and "\n" not in err
    assert not (tmp_path / "bad.xlsx").exists()
    text = tmp_path / "weekly.txt"
    assert main(["--db", str(db_path), "export", "sla", "--out", str(text)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"tamdesk export sla: Cannot write {text}: a workbook's file name must end in .xlsx"
    )
    assert not text.exists()
