"""The defect workbook: Summary (open defects by severity and age, overdue customer updates, fixes deployed in the
period), Open defects, Deployed fixes."""

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
from tamdesk.services.defects import DefectRow
from tamdesk.services.report_data import (
    AGE_BUCKETS,
    DefectFigures,
    DefectReport,
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
NOTES = (
    "Open: every defect not yet fixed (reported to fix in progress), whatever the period; counted by age in days "
    "since reported.",
    "Update overdue: open defects whose customers are due an update. Fixed in period: fixes deployed in the period.",
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
    rows = len(report.by_severity) + len(report.open_defects) + len(report.deployed)
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
    """One row per customer of the defect (one row, Customer empty, when it has none)."""
    return [
        (
            r.id, r.title, r.engineering_key or None, customer, r.severity.label, r.priority or None, r.state.label,
            r.validated_at, r.escalated_at, r.age_days, r.last_update, r.next_update_due, r.update_overdue,
            r.fix_version or None, r.deployed_on,
        )
        for customer in r.customers or (None,)
    ]  # fmt: skip
