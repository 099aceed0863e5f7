"""The SLA workbook read as a support director: the goal and its verdict, this period against the previous one and a
year earlier, the 12-month trend, each TAM, customers worst first, open breaches first, what to act on now, and a
month still going on labelled partial. Every figure is read back from the written cells."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tamdesk.models import tables as t
from tamdesk.reports.sla import export_sla_report
from tamdesk.services.base import Context, FieldError
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.report_data import ReportScope
from tamdesk.services.sla import compliance_goals, set_compliance_goal
from tests.db.test_reports_sla import BERLIN, FEBRUARY, header_block, records, sla_book  # noqa: F401

pytestmark = pytest.mark.usefixtures("sla_book")  # Acme and Globex with February's and March's tickets


def export(ctx: Context, tmp_path: Path, scope: ReportScope = FEBRUARY) -> Any:
    return openpyxl.load_workbook(export_sla_report(tmp_path / "sla.xlsx", scope, ctx=ctx).path)


def rules(ws: Any) -> list[tuple[str, str]]:
    """(cell range, formula) of every conditional-format rule of ``ws``."""
    return [(str(cf.sqref), rule.formula[0]) for cf in ws.conditional_formatting for rule in cf.rules]


def test_the_summary_reads_the_period_against_the_goal(ctx: Context, tmp_path: Path) -> None:
    wb = export(ctx, tmp_path)
    lines = header_block(wb["Summary"])
    assert "Compliance goal: 95% of first responses and of customer updates in time." in lines
    assert "Goals by SLA policy: Standard 95%; Premium 95%." in lines
    assert "This period: 4 tickets, 2 breaches; first responses 75.0%, updates kept 75.0% — ✖ below goal." in lines
    assert "Previous period (2026-01-01 to 2026-01-31): no tickets." in lines
    assert "A year earlier (2025-02-01 to 2025-02-28): no tickets." in lines
    assert "Targets, Premium v2 · Sev1: first response 30 min, updates every 1 hour, 24×7" in lines
    card = {row["Measure"]: row for row in records(wb["Summary"], "Measure")}
    first = card["First responses in time"]
    assert (first["This period"], first["Previous period"], first["A year earlier"]) == (0.75, None, None)
    assert (first["Goal"], first["Verdict"]) == (0.95, "✖ below goal")
    assert card["  Sev1 Urgent"]["This period"] == 0.75 and card["  Sev2 High"]["Verdict"] is None  # none due
    # Colours say what the Verdict column says in words: green, amber, red against the goal in column E.
    top = len(lines) + 3
    assert rules(wb["Summary"])[:3] == [
        (f"B{top}:B{top + 11}", f"AND(ISNUMBER(B{top}),B{top}>=$E{top})"),
        (f"B{top}:B{top + 11}", f"AND(ISNUMBER(B{top}),B{top}>=$E{top}-0.05)"),
        (f"B{top}:B{top + 11}", f"ISNUMBER(B{top})"),
    ]


def test_a_goal_set_per_policy_changes_the_verdict(ctx: Context, tmp_path: Path) -> None:
    for policy in t.SlaPolicy.select():
        set_compliance_goal(ctx, policy.id, 70)
    card = {row["Measure"]: row for row in records(export(ctx, tmp_path)["Summary"], "Measure")}
    assert card["First responses in time"]["Goal"] == 0.7
    assert card["First responses in time"]["Verdict"] == "✓ goal met"
    assert set(compliance_goals().values()) == {0.7}


@pytest.mark.parametrize("goal", [0, 101, 95.5])
def test_a_goal_outside_1_to_100_is_refused(ctx: Context, goal: Any) -> None:
    policy = t.SlaPolicy.get(t.SlaPolicy.name == "Standard")
    with pytest.raises(FieldError, match=f"from 1 to 100, not {goal!r}"):
        set_compliance_goal(ctx, policy.id, goal)
    assert compliance_goals() == {}


def test_previous_period_and_a_year_earlier(ctx: Context, tmp_path: Path) -> None:
    march = ReportScope(tz=BERLIN, start=date(2026, 3, 1), end=date(2026, 4, 1))
    wb = export(ctx, tmp_path, march)
    lines = header_block(wb["Summary"])
    assert "Previous period (2026-02-01 to 2026-02-28): 4 tickets, 2 breaches." in lines
    assert "Partial: 1–10 Mar so far; the period runs to 2026-03-31." in lines
    card = {row["Measure"]: row for row in records(wb["Summary"], "Measure")}
    assert card["First responses in time"]["Previous period"] == 0.75
    months = records(wb["By month"], "Month")
    assert months[0]["Month"] == "2026-03 (1–10 Mar, partial)"


def test_the_trend_covers_twelve_months_on_a_readable_axis(ctx: Context, tmp_path: Path) -> None:
    wb = export(ctx, tmp_path)
    trend = records(wb["Trend"], "Month")
    assert [row["Month"] for row in trend] == [f"2025-{m:02}" for m in range(3, 13)] + ["2026-01", "2026-02"]
    assert trend[-1]["Tickets"] == 4 and trend[-1]["FR %"] == 0.75 and trend[-1]["Verdict"] == "✖ below goal"
    assert trend[0]["Tickets"] == 0 and trend[0]["FR %"] is None and trend[0]["Verdict"] is None
    chart = wb["Trend"]._charts[0]
    assert chart.tagname == "lineChart"
    assert chart.y_axis.scaling.min == pytest.approx(0.7) and chart.y_axis.scaling.max == 1  # 75% is not near 0%
    titles = [s.tx.strRef.f.split("!")[1].replace("$", "") for s in chart.series]
    header_row = len(header_block(wb["Trend"])) + 2
    assert titles == [f"{column}{header_row}" for column in "DEF"]  # FR %, Upd. %, Goal


def test_each_tam_and_every_customer_worst_first(ctx: Context, tmp_path: Path) -> None:
    create_customer(ctx, CustomerInput(name="Initech", time_zone="Europe/Berlin", country="DE"))
    wb = export(ctx, tmp_path)
    tams = records(wb["By TAM"], "TAM")
    assert [(r["TAM"], r["Customers"], r["Tickets"], r["Breaches"]) for r in tams] == [("(no TAM)", 3, 4, 2)]
    customers = records(wb["By customer"], "Customer")
    assert [r["Customer"] for r in customers] == ["Globex", "Acme", "Initech"], "no tickets: last, but listed"
    assert [customers[1][f"Sev{n}"] for n in range(1, 5)] == [3, 0, 0, 0]
    assert (customers[2]["Tickets"], customers[2]["First response %"], customers[2]["Verdict"]) == (0, None, None)
    assert customers[0]["Verdict"] == "✖ below goal"
    assert any(area.startswith("K") for area, _ in rules(wb["By customer"])), "First response % is coloured"


def test_open_breaches_come_first_and_act_now_lists_them(ctx: Context, tmp_path: Path) -> None:
    wb = export(ctx, tmp_path, ReportScope(tz=BERLIN))
    breaches = records(wb["Breaches"], "Ticket")
    assert breaches[0]["Ticket"] == "T-5" and breaches[0]["Open"] == "Yes" and breaches[0]["Severity"] == "Sev1 Urgent"
    assert breaches[0]["Clock"] == "24×7"
    assert breaches[0]["FR late, clock h"] == pytest.approx(breaches[0]["FR hours late"])  # 24×7: the same hours
    act = records(wb["Act now"], "What")
    assert "T-5" in [row["Ticket"] for row in act]
    assert {row["What"] for row in act} <= {"First response overdue", "First response due soon",
                                            "Customer update overdue", "Customer update due soon"}  # fmt: skip
    due = [row["Due"] for row in act]
    assert due == sorted(due), "soonest due first"
    assert all(row["Status"] not in ("Solved", "Closed") for row in act)
    summary = header_block(wb["Summary"])
    assert any(line.startswith(f"Act now: {len(act)} open tickets need") for line in summary)


def test_a_tickets_defects_one_per_row(ctx: Context, tmp_path: Path) -> None:
    from tamdesk.services.defects import link_ticket, report_defect

    ticket = t.Ticket.get(t.Ticket.number == "T-3")
    first = report_defect(ctx, ticket.id, "Updates lost")
    second = report_defect(ctx, t.Ticket.get(t.Ticket.number == "T-1").id, "Login loop")
    link_ticket(ctx, second, ticket.id)
    wb = export(ctx, tmp_path)
    links = [(r["Ticket"], r["Defect"]) for r in records(wb["Ticket defects"], "Ticket")]
    assert links == [("T-1", f"#{second}"), ("T-2", "#1"), ("T-3", f"#{first}"), ("T-3", f"#{second}")]
    tickets = {r["Ticket"]: r for r in records(wb["Tickets"], "Ticket")}
    assert tickets["T-3"]["Defect"] == f"#{first}, #{second}"
