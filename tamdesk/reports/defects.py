"""The defect workbook: Summary (open defects by severity and age, overdue customer updates, fixes deployed in the
period), Open defects, Deployed fixes, Time to fix (validated → deployed by severity), Defects by month (the trend,
with a chart) and Customers waiting (each customer's own update clock, the longest without news first)."""

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
from tamdesk.reports.xlsx import ChartKind, ChartSpec, Column, ColumnKind, DocProps, SheetSpec, write_workbook
from tamdesk.services.base import Context
from tamdesk.services.defects import DefectRow
from tamdesk.services.report_data import (
    AGE_BUCKETS,
    CustomerWaiting,
    DefectFigures,
    DefectMonth,
    DefectReport,
    FixTime,
    Progress,
    ReportScope,
    defect_report,
)

K = ColumnKind
Cancelled = Callable[[], bool]

SUMMARY_COLUMNS = (
    Column("Severity", width=14),
    Column("Open", K.INT, width=9),
    *(Column(label, K.INT, width=max(len(label) + 3, 10)) for label, _, _ in AGE_BUCKETS),
    Column("Update overdue", K.INT, width=17),
    Column("Fixed in period", K.INT, width=17),
)
# One row per defect and customer (one value per cell); widths that print at 70% or more, titles that wrap.
DEFECT_COLUMNS = (
    Column("Defect", K.INT, width=8, number_format='"#"0_)'),
    Column("Title", width=22, wrap=True),
    Column("Engineering key", width=13, wrap=True),
    Column("Customer", width=16, wrap=True),
    Column("Severity", width=11),
    Column("Priority", width=10),
    Column("State", width=13, wrap=True),
    # The day suffices for these two; the customer-update columns keep their time (a Sev1 cadence is one day).
    Column("Validated", K.DATE, width=11),
    Column("Escalated", K.DATE, width=12),
    Column("Age (days)", K.INT, width=10),
    Column("Last customer update", K.DATETIME, width=16),
    padded("Next update due", K.DATETIME, width=15),
    Column("Update overdue", K.YES_NO, width=10),
    Column("Fix version", width=10, wrap=True),
    Column("Deployed", K.DATE, width=11),
)
PER_CUSTOMER = "One row per defect and customer: a defect of several customers has a row for each."
FIX_TIME_COLUMNS = (
    Column("Severity", width=14),
    Column("Fixes", K.INT, width=9),
    Column("Median days", K.FLOAT, width=14, number_format="#,##0.0"),
    Column("90th percentile days", K.FLOAT, width=22, number_format="#,##0.0"),
)
MONTH_COLUMNS = (
    Column("Month", width=9),
    Column("Reported", K.INT, width=11),
    Column("Fixed", K.INT, width=9),
    Column("Open at month end", K.INT, width=19),
)
WAITING_COLUMNS = (
    Column("Customer", width=18, wrap=True),
    Column("Defect", K.INT, width=8, number_format='"#"0_)'),
    Column("Title", width=26, wrap=True),
    Column("Severity", width=11),
    Column("Engineering key", width=13, wrap=True),
    Column("Waiting since", K.DATETIME, width=15),
    Column("Days waiting", K.FLOAT, width=9, number_format="#,##0.0"),
    Column("Last customer update", K.DATETIME, width=15),
    padded("Next update due", K.DATETIME, width=15),
    Column("Update overdue", K.YES_NO, width=10),
)
NOTES = (
    "Open: every defect not yet fixed (reported to fix in progress), whatever the period; counted by age in days "
    "since reported.",
    "Each linked customer has its own update clock, on its own calendar, from when it was linked or the defect was "
    "escalated to engineering, whichever is later; an update to one customer does not reset another's.",
    "Update overdue: open defects with at least one customer overdue for an update (see Customers waiting). "
    "Fixed in period: fixes deployed in the period.",
)
FIX_TIME_NOTES = (
    "Calendar days from the day the defect was validated to the day its fix was deployed, for the fixes deployed "
    "in the period; percentiles are Excel's PERCENTILE.INC.",
)
MONTH_NOTES = (
    "Per month of the period (up to this month): defects reported, fixes deployed, and defects still open (not "
    "fixed, not closed) at the end of the month; the current month counts those open now. Every defect in scope "
    "counts, whatever its customers' periods.",
)
WAITING_NOTES = (
    "One row per open defect and linked customer whose update clock runs (the defect is escalated to engineering), "
    "the longest without news first. Waiting since: the customer's last update, else when it was linked; days "
    "waiting are calendar days to the export.",
)


def export_defect_report(
    path: str | Path,
    scope: ReportScope,
    *,
    ctx: Context | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ExportedReport:
    """Gather the defect report of ``scope`` as of now and write it to ``path`` (replaced only when complete).

    Raises:
        ExportError: the file cannot be written. ExportCancelled: ``cancelled`` returned True; no file is left.
    """

    def describe(report: DefectReport) -> str:
        opened = plural(len(report.open_defects), "open defect")
        fixed = plural(len(report.deployed), "fix", "fixes")
        return f"Defect report of {opened} and {fixed} deployed, {scope.period_label}"

    return gather_and_write(defect_report, write_defect_report, describe, path, scope, ctx, progress, cancelled)


def write_defect_report(
    report: DefectReport,
    path: str | Path,
    *,
    exported_at: datetime,
    exported_by: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write ``report`` as the defect workbook."""
    scope = report.scope

    def header(what: str, notes: Sequence[str] = ()) -> list[str]:
        return scoped_header(
            what, scope, period_of="fixes deployed", exported_at=exported_at, exported_by=exported_by, notes=notes
        )

    as_of = f"As of {report.now.astimezone(scope.tz):%Y-%m-%d %H:%M}."
    empty = [] if report.open_defects or report.deployed else ["No open defects and no fixes deployed in this period."]
    rows = len(report.by_severity) + len(report.open_defects) + len(report.deployed) + len(report.fix_times)
    rows += len(report.months) + len(report.waiting)
    sheets = [
        SheetSpec(
            "Summary", SUMMARY_COLUMNS, [_summary_row(f) for f in report.by_severity],
            header_lines=header("Defect report", [*NOTES, as_of, *empty]), totals=_summary_row(report.total),
            one_page=True,
        ),
        SheetSpec(
            "Open defects", DEFECT_COLUMNS, [row for r in report.open_defects for row in _defect_rows(r)],
            header_lines=header("Open defects", [f"{as_of} Most severe first, then oldest.", PER_CUSTOMER]),
            data=True,
        ),
        SheetSpec(
            "Deployed fixes", DEFECT_COLUMNS, [row for r in report.deployed for row in _defect_rows(r)],
            header_lines=header("Fixes deployed in the period", [PER_CUSTOMER]), data=True,
        ),
        SheetSpec(
            "Time to fix", FIX_TIME_COLUMNS, [_fix_time_row(f) for f in report.fix_times[:-1]],
            header_lines=header("Time to fix by severity (validated → deployed)", FIX_TIME_NOTES),
            totals=_fix_time_row(report.fix_times[-1]) if report.fix_times else None, one_page=True,
        ),
        SheetSpec(
            "Defects by month", MONTH_COLUMNS, [_month_row(m) for m in report.months],
            header_lines=header("Open defects per month", [*MONTH_NOTES, as_of]), chart=_trend_chart(),
            one_page=True,
        ),
        SheetSpec(
            "Customers waiting", WAITING_COLUMNS, [_waiting_row(w) for w in report.waiting],
            header_lines=header("Customers waiting longest for a defect update", [*WAITING_NOTES, as_of]),
            data=True,
        ),
    ]  # fmt: skip
    props = DocProps(
        title=f"Defect report {scope.period_label}",
        creator=exported_by,
        subject="Product defects and fixes",
        keywords="tamdesk; defects; engineering",
        created=exported_at,
    )
    return write_workbook(
        path, sheets, properties=props, tz=scope.tz, progress=writing_progress(progress, rows), cancelled=cancelled
    )


def _summary_row(f: DefectFigures) -> tuple[Any, ...]:
    return (f.label, f.open, *f.by_age, f.update_overdue, f.fixed)


def _defect_rows(r: DefectRow) -> list[tuple[Any, ...]]:
    """One row per customer of the defect, with that customer's own update clock (one row, Customer empty, when
    the defect has no customer)."""
    common = (r.id, r.title, r.engineering_key or None)
    rest = (r.severity.label, r.priority or None, r.state.label, r.validated_at, r.escalated_at, r.age_days)
    tail = (r.fix_version or None, r.deployed_on)
    if not r.customer_updates:
        customers = r.customers or (None,)
        return [(*common, c, *rest, r.last_update, r.next_update_due, r.update_overdue, *tail) for c in customers]
    return [
        (*common, u.customer, *rest, u.clock.last_update, u.clock.next_due, u.overdue, *tail)
        for u in r.customer_updates
    ]


def _fix_time_row(f: FixTime) -> tuple[Any, ...]:
    return (f.label, f.fixes, f.median_days, f.p90_days)


def _month_row(m: DefectMonth) -> tuple[Any, ...]:
    return (m.month, m.reported, m.fixed, m.open_at_end)


def _trend_chart() -> ChartSpec:
    """The backlog and its flows by month, under the table."""
    return ChartSpec(
        "Open defects per month", category_column="Month", value_columns=("Open at month end", "Reported", "Fixed"),
        kind=ChartKind.LINE, y_axis_title="Defects", below=True,
    )  # fmt: skip


def _waiting_row(w: CustomerWaiting) -> tuple[Any, ...]:
    r = w.defect
    return (
        w.customer, r.id, r.title, r.severity.label, r.engineering_key or None, w.waiting_since, w.days_waiting,
        w.last_update, w.next_due, w.overdue,
    )  # fmt: skip
