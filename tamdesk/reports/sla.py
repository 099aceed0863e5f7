"""The SLA workbook: Summary (compliance per month and severity, with a chart), By customer, Breaches, Tickets.

Also what the period-scoped workbooks (SLA, defects, escalations) share: the header block and the export result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tamdesk.domain.severity import Severity
from tamdesk.reports.xlsx import (
    ChartKind,
    ChartSpec,
    Column,
    ColumnKind,
    DocProps,
    ExportCancelled,
    SheetSpec,
    header_lines,
    write_workbook,
)
from tamdesk.services.base import Context
from tamdesk.services.report_data import (
    Progress,
    ReportCancelled,
    ReportScope,
    SlaFigures,
    SlaReport,
    SlaTicketLine,
    scaled_progress,
    scope_filters,
    sla_report,
)

K = ColumnKind
Cancelled = Callable[[], bool]
GATHERED = 300  # of 1000: the share of the progress bar for gathering rows; writing takes the rest

_PADDED = {
    K.INT: "#,##0_)",
    K.PERCENT: "0.0%_)",
    K.DATETIME: "yyyy-mm-dd hh:mm_)",
    K.DATE: "yyyy-mm-dd_)",
    K.DURATION_HOURS: "#,##0.0_)",
}


def padded(title: str, kind: ColumnKind, width: float | None = None) -> Column:
    """A right-aligned column whose values keep a little space from left-aligned text in the next column."""
    return Column(title, kind, width=width, number_format=_PADDED[kind])


FR, UPD = "FR %", "Upd. %"
# Short titles and set widths: seventeen columns must still print legibly on one landscape page.
SUMMARY_COLUMNS = (
    Column("Month", width=9),
    Column("Tickets", K.INT, width=9),
    Column("Breaches", K.INT, width=10),
    Column(FR, K.PERCENT, width=8),
    *(Column(f"FR Sev{int(s)}", K.PERCENT, width=10) for s in Severity),
    Column(UPD, K.PERCENT, width=9),
    *(Column(f"Upd. Sev{int(s)}", K.PERCENT, width=11) for s in Severity),
    Column("FR median h", K.DURATION_HOURS, width=13),
    Column("FR p90 h", K.DURATION_HOURS, width=10),
    Column("Resolve median h", K.DURATION_HOURS, width=17),
    Column("Resolve p90 h", K.DURATION_HOURS, width=14),
)
# The detail sheets' widths keep them printing at 70% or more (see xlsx.MAX_PRINT_WIDTH); their titles wrap.
CUSTOMER_COLUMNS = (
    Column("Customer", width=24, wrap=True),
    Column("SLA policy", width=14, wrap=True),
    Column("Tickets", K.INT),
    Column("First responses due", K.INT),
    Column("Met in time", K.INT),
    Column("First response %", K.PERCENT),
    Column("Updates kept %", K.PERCENT),
    Column("Breaches", K.INT),
    Column("Missed updates", K.INT),
    Column("FR median h", K.DURATION_HOURS),
    Column("Resolve median h", K.DURATION_HOURS),
    Column("Escalated", K.INT),
    Column("With defect", K.INT),
)
BREACH_COLUMNS = (
    Column("Ticket", width=11),
    Column("Customer", width=18, wrap=True),
    Column("Subject", width=28, wrap=True),
    Column("Severity", width=11),
    Column("Status", width=13, wrap=True),
    padded("Opened", K.DATETIME, width=15),
    Column("Breach", width=20, wrap=True),
    Column("First response due", K.DATETIME, width=15),
    padded("First response", K.DATETIME, width=15),
    Column("FR hours late", K.DURATION_HOURS, width=10),
    Column("Missed updates", K.INT),
    Column("Update overdue (h)", K.DURATION_HOURS),
)
TICKET_COLUMNS = (
    Column("Ticket", width=11),
    Column("Customer", width=16, wrap=True),
    Column("Subject", width=24, wrap=True),
    Column("Severity", width=11),
    Column("Status", width=13, wrap=True),
    padded("Opened", K.DATETIME, width=15),
    Column("First response due", K.DATETIME, width=15),
    padded("First response", K.DATETIME, width=15),
    Column("First response met", K.YES_NO, width=12),
    Column("Missed updates", K.INT),
    Column("Resolved", K.DATETIME, width=15),
    padded("Hours to resolve", K.DURATION_HOURS, width=11),
    Column("Escalated", K.YES_NO, width=12),
    Column("Defect", width=10, wrap=True),
)
# Compliance by month, below the table (beside it, a wide table would shrink the printed page).
CHART = ChartSpec(
    "Compliance by month", category_column="Month", value_columns=(FR, UPD), kind=ChartKind.BAR,
    y_axis_title="Met in time", below=True,
)  # fmt: skip
LEGEND = (
    "FR %: first responses met in time, of those due (one still awaited past its due time counts as missed).",
    "Upd. %: tickets with no missed customer update, of those that had a first response.",
    "Breaches: tickets that missed their first response or a customer update.",
    "h: elapsed hours from opened to the first response or to resolved; p90: the 90th percentile.",
)


@dataclass(frozen=True)
class ExportedReport:
    """A workbook written: where, and a one-line summary of what it holds."""

    path: Path
    summary: str


def gather_and_write(
    gather: Callable[..., Any],
    write: Callable[..., Path],
    describe: Callable[[Any], str],
    path: str | Path,
    scope: ReportScope,
    ctx: Context | None,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> ExportedReport:
    """What every report export does: gather rows for ``scope`` as of now (the first part of the progress bar),
    write the workbook (the rest), and describe it in one line.

    Raises:
        ExportError: the file cannot be written. ExportCancelled: ``cancelled`` returned True; no file is left.
    """
    ctx = ctx or Context()
    now = ctx.now()
    try:
        report = gather(scope, now, progress=scaled_progress(progress, 0, GATHERED), cancelled=cancelled)
    except ReportCancelled as exc:
        raise ExportCancelled(str(exc)) from None
    written = write(report, path, exported_at=now, exported_by=ctx.actor, progress=progress, cancelled=cancelled)
    return ExportedReport(written, describe(report))


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 ticket``, ``2 tickets``, ``1,000 fixes``."""
    return f"{count:,} {word if count == 1 else words or word + 's'}"


def scoped_header(
    what: str,
    scope: ReportScope,
    *,
    period_of: str,
    exported_at: datetime,
    exported_by: str,
    sla_policy: str | None = None,
    notes: Sequence[str] = (),
) -> list[str]:
    """The header block of a period-scoped sheet: title, period, export line, filters, policy, zone, notes.

    ``period_of`` says what the period selects by, as records and what happened to them: ``tickets opened`` reads
    ``Period: all dates (tickets by the day they were opened)``.
    """
    records, _, happened = period_of.partition(" ")
    title, *rest = header_lines(
        what,
        exported_at=exported_at,
        exported_by=exported_by,
        tz=scope.tz,
        filters=scope_filters(scope) or None,
        sla_policy=sla_policy,
    )
    return [title, f"Period: {scope.period_label} ({records} by the day they were {happened})", *rest, *notes]


def writing_progress(progress: Progress | None, rows: int) -> Callable[[int], None] | None:
    """The writer's rows-written callback, mapped onto the writing share of ``progress``."""
    scaled = scaled_progress(progress, GATHERED, 1000)
    if scaled is None:
        return None
    return lambda written: scaled(written, rows)


def export_sla_report(
    path: str | Path,
    scope: ReportScope,
    *,
    ctx: Context | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ExportedReport:
    """Gather the SLA report of ``scope`` as of now and write it to ``path`` (replaced only when complete).

    Raises:
        ExportError: the file cannot be written. ExportCancelled: ``cancelled`` returned True; no file is left.
    """
    return gather_and_write(
        sla_report, write_sla_report,
        lambda report: f"SLA report of {plural(len(report.tickets), 'ticket')}, {scope.period_label}",
        path, scope, ctx, progress, cancelled,
    )  # fmt: skip


def write_sla_report(
    report: SlaReport,
    path: str | Path,
    *,
    exported_at: datetime,
    exported_by: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write ``report`` as the SLA workbook."""
    scope = report.scope
    policy = ", ".join(report.policies) or None

    def header(what: str, notes: Sequence[str] = ()) -> list[str]:
        return scoped_header(
            what, scope, period_of="tickets opened", exported_at=exported_at, exported_by=exported_by,
            sla_policy=policy, notes=notes,
        )  # fmt: skip

    summary_notes = [*LEGEND, f"SLA state as of {report.now.astimezone(scope.tz):%Y-%m-%d %H:%M}."]
    if not report.tickets:
        summary_notes.append("No tickets were opened in this period.")
    summary_header = header("SLA report", summary_notes)
    rows = len(report.months) + len(report.customers) + len(report.breaches) + len(report.tickets)
    sheets = [
        SheetSpec(
            "Summary", SUMMARY_COLUMNS, [_summary_row(m) for m in report.months], header_lines=summary_header,
            totals=_summary_row(report.total), chart=CHART, one_page=True,
        ),
        SheetSpec(
            "By customer", CUSTOMER_COLUMNS, [_customer_row(c) for c in report.customers],
            header_lines=header("SLA by customer"), data=True,
        ),
        SheetSpec(
            "Breaches", BREACH_COLUMNS, (_breach_row(b) for b in report.breaches),
            header_lines=header("SLA breaches, worst first", [
                "Worst first: the hours the first response was late, then missed customer updates, then the hours "
                "the current update is overdue."
            ]), data=True,
        ),
        SheetSpec(
            "Tickets", TICKET_COLUMNS, (_ticket_row(t) for t in report.tickets), header_lines=header("Tickets"),
            data=True,
        ),
    ]  # fmt: skip
    props = DocProps(
        title=f"SLA report {scope.period_label}",
        creator=exported_by,
        subject="Support SLA compliance",
        description=" ".join(summary_header[1:]),
        keywords="tamdesk; SLA; support tickets",
        created=exported_at,
    )
    return write_workbook(
        path, sheets, properties=props, tz=scope.tz, progress=writing_progress(progress, rows), cancelled=cancelled
    )


def _summary_row(f: SlaFigures) -> tuple[Any, ...]:
    return (
        f.label,
        f.tickets,
        f.breaches,
        f.first_response_rate,
        *(f.severity_rates[s][0] for s in Severity),
        f.update_rate,
        *(f.severity_rates[s][1] for s in Severity),
        *f.first_response_hours,
        *f.resolve_hours,
    )


def _customer_row(f: SlaFigures) -> tuple[Any, ...]:
    return (
        f.label, f.policy or None, f.tickets, f.first_responses_due, f.first_responses_met, f.first_response_rate,
        f.update_rate, f.breaches, f.missed_updates, f.first_response_hours[0], f.resolve_hours[0], f.escalated,
        f.with_defect,
    )  # fmt: skip


def _breach_row(t: SlaTicketLine) -> tuple[Any, ...]:
    return (
        t.number, t.customer, t.subject, t.severity.label, t.status.label, t.opened, t.breach, t.first_response_due,
        t.first_response_at, t.first_response_late, t.missed_updates, t.update_overdue,
    )  # fmt: skip


def _ticket_row(t: SlaTicketLine) -> tuple[Any, ...]:
    return (
        t.number, t.customer, t.subject, t.severity.label, t.status.label, t.opened, t.first_response_due,
        t.first_response_at, t.first_response_met, t.missed_updates, t.resolved_at, t.hours_to_resolve, t.escalated,
        t.defects or None,
    )  # fmt: skip
