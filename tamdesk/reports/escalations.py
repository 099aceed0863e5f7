"""The escalations log: Summary per ticket severity, every escalation opened in the period, and their timelines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tamdesk.reports.sla import (
    ExportedReport,
    gather_and_write,
    padded,
    plural,
    scoped_header,
    writing_progress,
)
from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, write_workbook
from tamdesk.services.base import Context
from tamdesk.services.escalations import EscalationRow
from tamdesk.services.report_data import (
    EscalationFigures,
    EscalationReport,
    Progress,
    ReportScope,
    TimelineLine,
    escalation_report,
)

K = ColumnKind
Cancelled = Callable[[], bool]
_DAYS = "0.0_)"
_NUMBER = '"#"0_)'

SUMMARY_COLUMNS = (
    Column("Severity", width=14),
    Column("Escalations", K.INT, width=13),
    Column("Open", K.INT, width=9),
    Column("Resolved", K.INT, width=11),
    Column("Declined", K.INT, width=11),
    Column("VP apprised", K.INT, width=13),
    Column("Late apprisals", K.INT, width=15),
    Column("Not apprised", K.INT, width=14),
    Column("Median age (business days)", K.FLOAT, width=28, number_format=_DAYS),
    Column("Oldest open (business days)", K.FLOAT, width=29, number_format=_DAYS),
)
# Widths that print at 70% or more (see xlsx.MAX_PRINT_WIDTH); long text wraps.
ESCALATION_COLUMNS = (
    Column("Escalation", K.INT, width=13, number_format=_NUMBER),
    Column("Ticket", width=11),
    Column("Customer", width=18, wrap=True),
    Column("Severity", width=11),
    Column("State", width=13, wrap=True),
    Column("Opened", K.DATETIME, width=15),
    Column("Closed", K.DATETIME, width=15),
    Column("Age (business days)", K.FLOAT, width=11, number_format=_DAYS),
    Column("Support manager", width=12, wrap=True),
    Column("Senior director", width=12, wrap=True),
    Column("VP apprised", K.YES_NO, width=11),
    Column("VP apprisal", width=11, wrap=True),
    Column("Reason", width=18, wrap=True),
    Column("Next step", width=18, wrap=True),
)
# The VP rule's dates on a sheet of their own: beside the escalation's own columns they would print below 70%.
VP_COLUMNS = (
    Column("Escalation", K.INT, width=13, number_format=_NUMBER),
    Column("Ticket", width=11),
    Column("Customer", width=20, wrap=True),
    Column("Severity", width=11),
    Column("State", width=13, wrap=True),
    Column("Opened", K.DATETIME, width=15),
    Column("VP due", K.DATETIME, width=15),
    Column("VP apprised at", K.DATETIME, width=15),
    Column("VP apprisal", width=13, wrap=True),
    Column("VP late (business days)", K.FLOAT, width=12, number_format=_DAYS),
)
TIMELINE_COLUMNS = (
    Column("Escalation", K.INT, width=13, number_format=_NUMBER),
    Column("Ticket", width=11),
    Column("Customer", width=20, wrap=True),
    padded("At", K.DATETIME, width=15),
    Column("Author", width=16, wrap=True),
    Column("State", width=13),
    Column("Entry", width=60, wrap=True),
)
NOTES = (
    "Escalations opened in the period. Age: business days in the customer's calendar from opened to closed "
    "(or to now while open).",
)


def export_escalation_log(
    path: str | Path,
    scope: ReportScope,
    *,
    ctx: Context | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ExportedReport:
    """Gather the escalations of ``scope`` as of now and write the log to ``path`` (replaced only when complete).

    Raises:
        ExportError: the file cannot be written. ExportCancelled: ``cancelled`` returned True; no file is left.
    """
    return gather_and_write(
        escalation_report, write_escalation_log,
        lambda report: f"Escalations log of {plural(len(report.escalations), 'escalation')}, {scope.period_label}",
        path, scope, ctx, progress, cancelled,
    )  # fmt: skip


def write_escalation_log(
    report: EscalationReport,
    path: str | Path,
    *,
    exported_at: datetime,
    exported_by: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write ``report`` as the escalations log."""
    scope = report.scope

    def header(what: str, notes: Sequence[str] = ()) -> list[str]:
        return scoped_header(
            what, scope, period_of="escalations opened", exported_at=exported_at, exported_by=exported_by, notes=notes
        )

    as_of = f"Ages as of {report.now.astimezone(scope.tz):%Y-%m-%d %H:%M}."
    vp_rule = (
        f"VP rule: the VP of Customer Success is apprised by {report.vp_days} business days after opening (VP due), "
        "Sev1 tickets and requests at once. VP apprisal flags a late apprisal, or none although the escalation "
        "was open past VP due (still open, or closed so); VP late counts the business days past VP due."
    )
    empty = [] if report.escalations else ["No escalations were opened in this period."]
    rows = len(report.by_severity) + len(report.escalations) + len(report.timeline)
    sheets = [
        SheetSpec(
            "Summary", SUMMARY_COLUMNS, [_summary_row(f) for f in report.by_severity],
            header_lines=header("Escalations log", [*NOTES, vp_rule, as_of, *empty]), totals=_summary_row(report.total),
            one_page=True,
        ),
        SheetSpec(
            "Escalations", ESCALATION_COLUMNS, [_escalation_row(r) for r in report.escalations],
            header_lines=header("Escalations", [as_of]), data=True,
        ),
        SheetSpec(
            "VP apprisals", VP_COLUMNS, [_vp_row(r) for r in report.escalations],
            header_lines=header("VP of Customer Success apprisals", [vp_rule]), data=True,
        ),
        SheetSpec(
            "Timeline", TIMELINE_COLUMNS, [_timeline_row(line) for line in report.timeline],
            header_lines=header("Escalation timelines"), data=True,
        ),
    ]  # fmt: skip
    props = DocProps(
        title=f"Escalations log {scope.period_label}",
        creator=exported_by,
        subject="Escalations to support management",
        keywords="tamdesk; escalations",
        created=exported_at,
    )
    return write_workbook(
        path, sheets, properties=props, tz=scope.tz, progress=writing_progress(progress, rows), cancelled=cancelled
    )


def _summary_row(f: EscalationFigures) -> tuple[Any, ...]:
    return (f.label, f.escalations, f.open, f.resolved, f.declined, f.vp_apprised, f.late_apprisals,
            f.missing_apprisals, f.median_age_days, f.oldest_open_days)  # fmt: skip


def _vp_cells(r: EscalationRow) -> tuple[Any, ...]:
    """VP due (none when the escalation closed before it), apprised at, flag, business days late."""
    vp = r.vp
    due = None if r.closed_at is not None and r.closed_at < vp.due_at else vp.due_at
    flag = vp.status.flag
    return due, r.vp_apprised_at, flag or None, round(vp.late_business_days, 2) if flag else None


def _escalation_row(r: EscalationRow) -> tuple[Any, ...]:
    step = f"{r.next_owner}: {r.next_step}" if r.next_step else None
    return (
        r.id, r.ticket_number, r.customer, r.severity.label, r.state.label, r.opened_at, r.closed_at,
        r.age_business_days, r.support_manager or None, r.senior_director or None, r.vp_apprised,
        r.vp.status.flag or None, r.reason, step,
    )  # fmt: skip


def _vp_row(r: EscalationRow) -> tuple[Any, ...]:
    return (r.id, r.ticket_number, r.customer, r.severity.label, r.state.label, r.opened_at, *_vp_cells(r))


def _timeline_row(line: TimelineLine) -> tuple[Any, ...]:
    state = line.state.label if line.state else None
    return (line.escalation_id, line.ticket, line.customer, line.at, line.author or None, state, line.text)
