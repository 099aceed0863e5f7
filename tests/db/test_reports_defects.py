"""The defect workbook, reopened with openpyxl: open defects by severity and age, overdue customer updates, fixes
deployed in the period; the summary agrees with the detail sheets; hostile titles stay text."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tamdesk.__main__ import main
from tamdesk.domain.severity import Severity
from tamdesk.reports.defects import DEFECT_COLUMNS, export_defect_report
from tamdesk.reports.xlsx import ExportCancelled
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.defects import (
    close_defect,
    deploy_fix,
    escalate_to_engineering,
    link_ticket,
    log_customer_update,
    prioritize_defect,
    report_defect,
    start_fix,
    validate_defect,
)
from tamdesk.services.report_data import AGE_BUCKETS, ReportScope, age_bucket
from tamdesk.services.tickets import TicketInput, create_ticket
from tests.db.test_reports_sla import (
    assert_data_sheet,
    assert_no_formulas,
    header_block,
    records,
    split_totals,
    table,
)

BERLIN = ZoneInfo("Europe/Berlin")
MARCH = ReportScope(tz=BERLIN, start=date(2026, 3, 1), end=date(2026, 4, 1))
HOSTILE_TITLE = "=cmd|' /C calc'!A0"
REQUIRED = [
    "Defect", "Engineering key", "Customer", "Severity", "Priority", "State", "Validated", "Escalated", "Age (days)",
    "Last customer update", "Next update due", "Update overdue", "Fix version", "Deployed",
]  # fmt: skip


def at(ctx: Context, when: datetime) -> Context:
    return Context(actor=ctx.actor, clock=lambda: when)


@pytest.fixture
def defects(db_path: Path, ctx: Context, fixed_now: datetime) -> dict[str, int]:
    """D1 Sev2 fixed 2026-03-05; D2 Sev1 validated yesterday, not escalated so no update clock runs yet; D3 Sev3 with
    a hostile title, 221 days old, customer updated yesterday; D4 Sev4 fixed in 2025 and closed; D5 Sev3 escalated
    2026-02-20, Acme never updated since."""
    acme = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    globex = create_customer(ctx, CustomerInput(name="Globex", time_zone="America/New_York", country="US"))
    opened = datetime(2025, 7, 1, 9, tzinfo=UTC)
    tickets = {
        name: create_ticket(ctx, TicketInput(f"T-{name}", customer, "Broken", severity, opened))
        for name, customer, severity in [
            ("1", acme, Severity.HIGH), ("2", acme, Severity.URGENT), ("3", globex, Severity.NORMAL),
            ("4", globex, Severity.LOW), ("5", acme, Severity.NORMAL),
        ]
    }  # fmt: skip

    def walk(name: str, title: str, reported: datetime, steps: int, deployed: date | None = None) -> int:
        defect = report_defect(at(ctx, reported), tickets[name], title)
        later = at(ctx, reported + timedelta(hours=1))
        actions = [
            lambda v: validate_defect(later, defect, v, "Vera Validator", reported + timedelta(hours=1)),
            lambda v: escalate_to_engineering(later, defect, v, f"ENG-{100 + int(name)}", "https://eng.example/1"),
            lambda v: prioritize_defect(later, defect, v),
            lambda v: start_fix(later, defect, v),
            lambda v: deploy_fix(ctx, defect, v, "2.4.1", deployed or date(2026, 3, 5)),  # shipped by now
            lambda v: close_defect(later, defect, v, confirm=True),
        ]
        for version, action in enumerate(actions[:steps], 1):
            action(version)
        return defect

    ids = {"acme": acme, "globex": globex}
    ids["D1"] = walk("1", "Export stalls", datetime(2026, 1, 5, 9, tzinfo=UTC), 5)
    ids["D2"] = walk("2", "Cluster crash", fixed_now - timedelta(days=1, hours=5), 1)
    ids["D3"] = walk("3", HOSTILE_TITLE, fixed_now - timedelta(days=221), 2)
    log_customer_update(at(ctx, fixed_now - timedelta(days=1)), ids["D3"], "Engineering is on it", globex)
    ids["D4"] = walk("4", "Typo in a dialog", datetime(2025, 12, 1, 9, tzinfo=UTC), 6, date(2025, 12, 20))
    ids["D5"] = walk("5", "Slow search", datetime(2026, 2, 20, 9, tzinfo=UTC), 2)
    return ids


def summary_from_detail(open_rows: list[dict[str, Any]], fixed: list[dict[str, Any]], severity: str | None) -> tuple:
    """What the Summary row of ``severity`` (None: Total) must say, from the Open defects and Deployed fixes sheets
    (one row per defect and customer: a defect counts once)."""
    open_rows, fixed = (
        list({r["Defect"]: r for r in open_rows}.values()),
        list({r["Defect"]: r for r in fixed}.values()),
    )
    mine = [r for r in open_rows if severity in (None, r["Severity"])]
    ages = [0] * len(AGE_BUCKETS)
    for row in mine:
        ages[age_bucket(row["Age (days)"])] += 1
    overdue = sum(r["Update overdue"] == "Yes" for r in mine)
    return (len(mine), *ages, overdue, sum(severity in (None, r["Severity"]) for r in fixed))


def test_march_by_hand(defects: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    result = export_defect_report(tmp_path / "defects.xlsx", MARCH, ctx=ctx)
    assert result.summary == "Defect report of 3 open defects and 1 fix deployed, 2026-03-01 to 2026-03-31"
    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames == [
        "Summary", "Open defects", "Deployed fixes", "Time to fix", "Defects by month", "Customers waiting",
    ]  # fmt: skip
    lines = header_block(wb["Summary"])
    assert lines[:5] == [
        "Defect report",
        "Period: 2026-03-01 to 2026-03-31 (fixes by the day they were deployed)",
        "Exported 2026-03-10 15:30 by Tess Tam",
        "Filters: none",
        "Times are in Europe/Berlin",
    ]
    rows, total = split_totals(records(wb["Summary"], "Severity"), "Severity")
    header, _ = table(wb["Summary"], "Severity")
    assert header == ["Severity", "Open", *(label for label, _, _ in AGE_BUCKETS), "Update overdue", "Fixed in period"]
    by_severity = {r["Severity"]: tuple(r.values())[1:] for r in rows}
    assert by_severity == {
        "Sev1 Urgent": (1, 1, 0, 0, 0, 0, 0),
        "Sev2 High": (0, 0, 0, 0, 0, 0, 1),
        "Sev3 Normal": (2, 1, 0, 0, 1, by_severity["Sev3 Normal"][5], 0),
        "Sev4 Low": (0, 0, 0, 0, 0, 0, 0),
    }
    assert tuple(total.values())[1:3] == (3, 2)
    open_rows = records(wb["Open defects"], "Defect")
    fixed = records(wb["Deployed fixes"], "Defect")
    for sheet in ("Open defects", "Deployed fixes"):
        assert_data_sheet(wb[sheet], [c.title for c in DEFECT_COLUMNS])
    assert [r["Defect"] for r in open_rows] == [defects["D2"], defects["D3"], defects["D5"]], "most severe, then oldest"
    assert [r["Defect"] for r in fixed] == [defects["D1"]]
    d1 = fixed[0]
    assert (d1["Engineering key"], d1["Customer"], d1["Priority"], d1["State"], d1["Fix version"]) == (
        "ENG-101", "Acme", "P2", "Fix deployed", "2.4.1",
    )  # fmt: skip
    assert d1["Deployed"] == datetime(2026, 3, 5) and d1["Validated"] == datetime(2026, 1, 5)
    assert d1["Update overdue"] == "No" and d1["Next update due"] is None
    d2 = open_rows[0]
    assert (d2["Severity"], d2["Update overdue"], d2["Age (days)"], d2["Last customer update"]) == (
        "Sev1 Urgent", "No", 1, None,
    )  # fmt: skip
    assert d2["Next update due"] is None, "no defect clock before the escalation to engineering"
    d5 = open_rows[2]
    assert (d5["Update overdue"], d5["Next update due"]) == ("Yes", datetime(2026, 3, 6, 11))  # 90 business h
    d3 = open_rows[1]
    assert (d3["Customer"], d3["Age (days)"], d3["Update overdue"]) == ("Globex", 221, "No")
    assert d3["Last customer update"] == datetime(2026, 3, 9, 15, 30)  # 14:30 UTC in Berlin


def test_summary_agrees_with_the_detail(defects: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    for scope in (MARCH, ReportScope(tz=BERLIN), ReportScope(tz=UTC, severities=frozenset({Severity.NORMAL}))):
        path = export_defect_report(tmp_path / "d.xlsx", scope, ctx=ctx).path
        wb = openpyxl.load_workbook(path)
        rows, total = split_totals(records(wb["Summary"], "Severity"), "Severity")
        open_rows, fixed = records(wb["Open defects"], "Defect"), records(wb["Deployed fixes"], "Defect")
        for row in rows:
            assert tuple(row.values())[1:] == summary_from_detail(open_rows, fixed, row["Severity"]), row
        assert tuple(total.values())[1:] == summary_from_detail(open_rows, fixed, None)
    all_fixed = records(openpyxl.load_workbook(export_defect_report(tmp_path / "a.xlsx", ReportScope(), ctx=ctx).path)[
        "Deployed fixes"], "Defect")  # fmt: skip
    assert [r["Defect"] for r in all_fixed] == [defects["D4"], defects["D1"]]


def test_a_defect_of_several_customers_has_a_row_per_customer(
    defects: dict[str, int], ctx: Context, tmp_path: Path
) -> None:
    """One value per cell: a pivot counts Acme's and Globex's open defects from the Customer column as it is."""
    opened = datetime(2025, 7, 1, 9, tzinfo=UTC)
    link_ticket(
        ctx, defects["D3"], create_ticket(ctx, TicketInput("T-9", defects["acme"], "Also", Severity.LOW, opened))
    )
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "d.xlsx", MARCH, ctx=ctx).path)
    open_rows = records(wb["Open defects"], "Defect")
    assert [(r["Defect"], r["Customer"]) for r in open_rows] == [
        (defects["D2"], "Acme"), (defects["D3"], "Globex"), (defects["D3"], "Acme"), (defects["D5"], "Acme"),
    ]  # fmt: skip
    d3_globex, d3_acme = (r for r in open_rows if r["Defect"] == defects["D3"])
    clock = ("Last customer update", "Next update due", "Update overdue")  # each customer's own update clock
    same = {k: v for k, v in d3_globex.items() if k not in clock}
    assert {**same, "Customer": "Acme"} == {k: v for k, v in d3_acme.items() if k not in clock}, "repeated per row"
    assert d3_acme["Last customer update"] is None, "Acme, linked today, has not been updated yet"
    assert d3_globex["Last customer update"] is not None
    rows, total = split_totals(records(wb["Summary"], "Severity"), "Severity")
    assert total["Open"] == 3, "the Summary counts defects, not rows"
    fixed = records(wb["Deployed fixes"], "Defect")
    for row in rows:
        assert tuple(row.values())[1:] == summary_from_detail(open_rows, fixed, row["Severity"]), row
    assert tuple(total.values())[1:] == summary_from_detail(open_rows, fixed, None)
    assert any("One row per defect and customer" in line for line in header_block(wb["Summary"]))


def test_columns_types_and_hostile_title(defects: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    path = export_defect_report(tmp_path / "d.xlsx", MARCH, ctx=ctx).path
    assert_no_formulas(path)
    wb = openpyxl.load_workbook(path)
    for sheet in ("Open defects", "Deployed fixes"):
        header, _ = table(wb[sheet], "Defect")
        assert (
            [h for h in header if h in REQUIRED] == REQUIRED == [c.title for c in DEFECT_COLUMNS if c.title in REQUIRED]
        )
    header, rows = table(wb["Open defects"], "Defect")
    cells = {row[0].value: dict(zip(header, row, strict=True)) for row in rows}
    d3 = cells[defects["D3"]]
    assert d3["Title"].value == HOSTILE_TITLE and d3["Title"].data_type == "s" and d3["Title"].quotePrefix
    assert isinstance(d3["Defect"].value, int) and d3["Defect"].number_format.startswith('"#"0')
    assert isinstance(d3["Age (days)"].value, int) and d3["Validated"].is_date
    charts = [name for name in zipfile.ZipFile(path).namelist() if name.startswith("xl/charts/chart")]
    assert charts == ["xl/charts/chart1.xml"], "the only chart is the monthly trend"


def test_time_to_fix_by_severity(defects: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    """Calendar days validated → deployed: D1 Sev2 5 Jan → 5 Mar is 59 days; D4 Sev4 1 → 20 Dec 2025 is 19."""
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "m.xlsx", MARCH, ctx=ctx).path)
    assert "validated to the day its fix was deployed" in " ".join(header_block(wb["Time to fix"]))
    rows, total = split_totals(records(wb["Time to fix"], "Severity"), "Severity")
    assert [tuple(r.values()) for r in rows] == [
        ("Sev1 Urgent", 0, None, None), ("Sev2 High", 1, 59, 59), ("Sev3 Normal", 0, None, None),
        ("Sev4 Low", 0, None, None),
    ]  # fmt: skip
    assert tuple(total.values()) == ("Total", 1, 59, 59)
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "a.xlsx", ReportScope(tz=BERLIN), ctx=ctx).path)
    _, total = split_totals(records(wb["Time to fix"], "Severity"), "Severity")
    assert tuple(total.values()) == ("Total", 2, 39, 55)  # PERCENTILE.INC of 19 and 59
    header, cells = table(wb["Time to fix"], "Severity")
    assert cells[1][header.index("Median days")].data_type == "n"


def test_defects_by_month(defects: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "m.xlsx", MARCH, ctx=ctx).path)
    assert [tuple(r.values()) for r in records(wb["Defects by month"], "Month")] == [("2026-03", 1, 1, 3)]
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "a.xlsx", ReportScope(tz=BERLIN), ctx=ctx).path)
    months = records(wb["Defects by month"], "Month")
    assert [m["Month"] for m in months] == [f"2025-{m:02}" for m in range(8, 13)] + ["2026-01", "2026-02", "2026-03"]
    by_month = {m["Month"]: (m["Reported"], m["Fixed"], m["Open at month end"]) for m in months}
    assert by_month["2025-08"] == (1, 0, 1)  # D3, reported 1 Aug 2025
    assert by_month["2025-12"] == (1, 1, 1)  # D4 reported and fixed
    assert by_month["2026-02"] == (1, 0, 3)  # D5; D1 and D3 still open
    assert by_month["2026-03"] == (1, 1, 3)  # D2 reported, D1 fixed: what is open now
    backlog = 0
    for month in months:  # nothing was closed without a fix, so the backlog moves by what came and went
        backlog += month["Reported"] - month["Fixed"]
        assert month["Open at month end"] == backlog, month
    assert backlog == len(records(wb["Open defects"], "Defect"))


def test_customers_waiting_longest_follow_their_own_clocks(
    defects: dict[str, int], ctx: Context, tmp_path: Path, fixed_now: datetime
) -> None:
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "m.xlsx", MARCH, ctx=ctx).path)
    waiting = records(wb["Customers waiting"], "Customer")
    assert [(w["Customer"], w["Defect"]) for w in waiting] == [("Acme", defects["D5"]), ("Globex", defects["D3"])]
    acme, globex = waiting
    # Acme never updated: waiting since its link (the report, 20 Feb 09:00 UTC), 18 days and 5.5 hours
    assert (acme["Waiting since"], acme["Days waiting"], acme["Last customer update"]) == (
        datetime(2026, 2, 20, 10), 18.2, None,
    )  # fmt: skip
    assert (acme["Next update due"], acme["Update overdue"]) == (datetime(2026, 3, 6, 11), "Yes")
    assert (globex["Waiting since"], globex["Days waiting"], globex["Update overdue"]) == (
        datetime(2026, 3, 9, 15, 30), 1.0, "No",
    )  # fmt: skip
    assert globex["Title"] == HOSTILE_TITLE
    assert defects["D2"] not in [w["Defect"] for w in waiting], "not escalated: no clock runs"

    # a second customer on D5, linked today, waits on its own clock and does not inherit Acme's overdue
    ticket = create_ticket(ctx, TicketInput("T-6", defects["globex"], "Slow too", Severity.NORMAL, fixed_now))
    link_ticket(ctx, defects["D5"], ticket)
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "n.xlsx", MARCH, ctx=ctx).path)
    rows = {(w["Customer"], w["Defect"]): w for w in records(wb["Customers waiting"], "Customer")}
    new = rows[("Globex", defects["D5"])]
    assert (new["Waiting since"], new["Days waiting"], new["Update overdue"]) == (
        datetime(2026, 3, 10, 15, 30),
        0,
        "No",
    )
    assert rows[("Acme", defects["D5"])]["Update overdue"] == "Yes"
    only_globex = ReportScope(tz=BERLIN, customer_ids=frozenset({defects["globex"]}))
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "g.xlsx", only_globex, ctx=ctx).path)
    assert {w["Customer"] for w in records(wb["Customers waiting"], "Customer")} == {"Globex"}


def test_filters_and_an_empty_period(defects: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    globex = ReportScope(tz=BERLIN, start=date(2026, 3, 1), customer_ids=frozenset({defects["globex"]}))
    wb = openpyxl.load_workbook(export_defect_report(tmp_path / "g.xlsx", globex, ctx=ctx).path)
    assert "Filters: Customers: Globex" in header_block(wb["Summary"])
    assert [r["Defect"] for r in records(wb["Open defects"], "Defect")] == [defects["D3"]]
    assert records(wb["Deployed fixes"], "Defect") == []
    sev4 = ReportScope(tz=BERLIN, start=date(2025, 1, 1), end=date(2025, 2, 1), severities=frozenset({Severity.LOW}))
    result = export_defect_report(tmp_path / "e.xlsx", sev4, ctx=ctx)
    wb = openpyxl.load_workbook(result.path)
    assert "No open defects and no fixes deployed in this period." in header_block(wb["Summary"])
    rows, total = split_totals(records(wb["Summary"], "Severity"), "Severity")
    assert len(rows) == 4 and tuple(total.values())[1:] == (0, 0, 0, 0, 0, 0, 0)
    assert records(wb["Open defects"], "Defect") == [] == records(wb["Deployed fixes"], "Defect")


def test_cancel_leaves_no_file(defects: dict[str, int], ctx: Context, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportCancelled):
        export_defect_report(out / "d.xlsx", MARCH, ctx=ctx, cancelled=lambda: True)
    assert list(out.iterdir()) == []


def test_command_line(
    defects: dict[str, int], db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "defects.xlsx"
    argv = ["--db", str(db_path), "export", "defects", "--out", str(out), "--customer", "Globex", "--tz", "UTC"]
    assert main(argv) == 0
    assert capsys.readouterr().out.strip() == (
        f"Defect report of 1 open defect and 1 fix deployed, all dates written to {out}."
    )
    assert main(["--db", str(db_path), "export", "defects", "--out", str(out), "--from", "March"]) == 1
    assert capsys.readouterr().err.strip() == "tamdesk export defects: --from 'March' is not a date such as 2026-03-01."
