"""The SLA workbook: Summary (compliance per month and severity, with a chart), By customer, Breaches, Tickets.

Also what the period-scoped workbooks (SLA, defects, escalations) share: the header block and the export result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tamdesk.domain.compliance import axis_floor, band
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import ClockKind
from tamdesk.reports.xlsx import (
    ChartKind,
    ChartSpec,
    Column,
    ColumnKind,
    DocProps,
    ExportCancelled,
    GoalBands,
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
    SlaTicketLine,
    scaled_progress,
    scope_filters,
)
from tamdesk.services.sla_review import ActNow, GroupLine, SlaReview, sla_review, verdict

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
FR_EXCUSED, UPD_EXCUSED = "FR % (excused met)", "Upd. % (excused met)"  # issue 15: breaches excused count as met
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
    Column(FR_EXCUSED, K.PERCENT, width=11),
    Column(UPD_EXCUSED, K.PERCENT, width=11),
)
GOAL, VERDICT = "Goal", "Verdict"
SCORECARD_COLUMNS = (
    Column("Measure", width=30),
    Column("This period", K.PERCENT, width=13),
    Column("Previous period", K.PERCENT, width=16),
    Column("A year earlier", K.PERCENT, width=15),
    Column(GOAL, K.PERCENT, width=8, number_format="0%_)"),
    Column(VERDICT, width=14),
)
TREND_COLUMNS = (
    Column("Month", width=26),
    Column("Tickets", K.INT, width=9),
    Column("Breaches", K.INT, width=10),
    Column(FR, K.PERCENT, width=8),
    Column(UPD, K.PERCENT, width=9),
    Column(GOAL, K.PERCENT, width=8, number_format="0%_)"),
    Column(VERDICT, width=14),
)
_GROUP_COLUMNS = (
    Column("First responses due", K.INT, width=11),
    Column("Met in time", K.INT, width=8),
    Column("First response %", K.PERCENT, width=11),
    Column("Updates kept %", K.PERCENT, width=10),
    Column(GOAL, K.PERCENT, width=7, number_format="0%_)"),
    Column(VERDICT, width=14),
    Column("Breaches", K.INT, width=9),
    Column("Open breaches now", K.INT, width=10),
    Column("Missed updates", K.INT, width=9),
    Column("Escalated", K.INT, width=10),
)
TAM_COLUMNS = (
    Column("TAM", width=20, wrap=True), Column("Customers", K.INT, width=11), Column("Tickets", K.INT, width=8),
    *_GROUP_COLUMNS,
)  # fmt: skip
# The detail sheets' widths keep them printing at 70% or more (see xlsx.MAX_PRINT_WIDTH); their titles wrap.
CUSTOMER_COLUMNS = (
    Column("Customer", width=22, wrap=True),
    Column("TAM", width=14, wrap=True),
    Column("SLA policy", width=12, wrap=True),
    Column("Tickets", K.INT, width=8),
    *(Column(f"Sev{int(s)}", K.INT, width=6) for s in Severity),
    *_GROUP_COLUMNS,
    Column("With defect", K.INT, width=9),
)
ACT_NOW_COLUMNS = (
    Column("What", width=24),
    padded("Due", K.DATETIME, width=18),
    Column("Ticket", width=12),
    Column("Severity", width=12),
    Column("Customer", width=22, wrap=True),
    Column("TAM", width=16, wrap=True),
    Column("Subject", width=36, wrap=True),
    Column("Status", width=14, wrap=True),
)
TICKET_DEFECT_COLUMNS = (
    Column("Ticket", width=12),
    Column("Defect", width=14),
    Column("Title", width=50, wrap=True),
    Column("State", width=18),
)
_GROUP_BANDS = GoalBands(("First response %", "Updates kept %"), GOAL)
BREACH_COLUMNS = (
    Column("Ticket", width=11),
    Column("Customer", width=16, wrap=True),
    Column("Subject", width=24, wrap=True),
    Column("Severity", width=11),
    Column("Status", width=12, wrap=True),
    padded("Opened", K.DATETIME, width=15),
    Column("Breach", width=16, wrap=True),
    Column("First response due", K.DATETIME, width=15),
    padded("First response", K.DATETIME, width=15),
    Column("FR hours late", K.DURATION_HOURS, width=9),
    Column("Clock", width=10, wrap=True),
    Column("FR late, clock h", K.DURATION_HOURS, width=9),
    Column("Missed updates", K.INT, width=9),
    Column("Update overdue (h)", K.DURATION_HOURS, width=10),
    Column("Open", K.YES_NO, width=7),
    Column("Excused", width=24, wrap=True),
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
    Column("Severity changes", width=12, wrap=True),
    Column("Excused", width=12, wrap=True),
)
LEGEND = (
    "FR %: first responses met in time, of those due (one still awaited past its due time counts as missed).",
    "Upd. %: tickets with no missed customer update, of those that had a first response.",
    "Breaches: tickets that missed their first response or a customer update.",
    "(excused met): the same rates with each breach excused (with a reason, in the ticket) counted as met.",
    "h: elapsed hours from opened to the first response or to resolved; p90: the 90th percentile.",
)
# Notes are kept to a line each as wide as the Summary's table, so the printed page is not shrunk to fit them.
VERDICT_NOTES = (
    "Verdict: the lower of the two rates against the goal: ✓ goal met (green),",
    "! near goal, up to five points below (amber), ✖ below goal (red).",
    "A group whose customers' policies have different goals is held to the strictest.",
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
        sla_review, write_sla_report,
        lambda review: f"SLA report of {plural(len(review.report.tickets), 'ticket')}, {scope.period_label}",
        path, scope, ctx, progress, cancelled,
    )  # fmt: skip


def write_sla_report(
    review: SlaReview,
    path: str | Path,
    *,
    exported_at: datetime,
    exported_by: str,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> Path:
    """Write ``review`` as the SLA workbook: Summary, Act now, Trend, By month, By TAM, By customer, Breaches,
    Tickets."""
    report = review.report
    scope = report.scope
    policy = ", ".join(report.policies) or None

    def header(what: str, notes: Sequence[str] = ()) -> list[str]:
        return scoped_header(
            what, scope, period_of="tickets opened", exported_at=exported_at, exported_by=exported_by,
            sla_policy=policy, notes=notes,
        )  # fmt: skip

    summary_header = header("SLA report", _summary_notes(review))
    months = [_summary_row(m, review.month_labels.get(m.label, m.label)) for m in report.months]
    rows = len(months) + len(review.customers) + len(report.breaches) + len(report.tickets)
    trend_header = header("Compliance by month, the last 12 months", VERDICT_NOTES)
    sheets = [
        SheetSpec(
            "Summary", SCORECARD_COLUMNS, _scorecard(review), header_lines=summary_header,
            bands=GoalBands(("This period", "Previous period", "A year earlier"), GOAL), one_page=True,
        ),
        SheetSpec("Act now", ACT_NOW_COLUMNS, [_act_now_row(item) for item in review.act_now],
                  header_lines=header("Act now", _act_now_notes(review)), data=True),
        SheetSpec(
            "Trend", TREND_COLUMNS, [_trend_row(label, f, review.goal) for label, f in review.trend],
            header_lines=trend_header, bands=GoalBands((FR, UPD), GOAL), chart=_trend_chart(review), one_page=True,
        ),
        SheetSpec(
            "By month", SUMMARY_COLUMNS, months, header_lines=header("SLA by month", LEGEND),
            totals=_summary_row(report.total), one_page=True,
        ),
        SheetSpec("By TAM", TAM_COLUMNS, [_tam_row(g) for g in review.tams],
                  header_lines=header("SLA by TAM, worst first", VERDICT_NOTES), bands=_GROUP_BANDS, data=True),
        SheetSpec(
            "By customer", CUSTOMER_COLUMNS, [_customer_row(g) for g in review.customers],
            header_lines=header("SLA by customer, worst first", [
                "Lowest rate first; customers without tickets last.", *VERDICT_NOTES,
            ]), bands=_GROUP_BANDS, data=True,
        ),
        SheetSpec(
            "Breaches", BREACH_COLUMNS, (_breach_row(b) for b in report.breaches),
            header_lines=header("SLA breaches, open first", [
                "Most severe first, then the latest, in the clock's own hours."
            ]), data=True,
        ),
        SheetSpec(
            "Tickets", TICKET_COLUMNS, (_ticket_row(t) for t in report.tickets), header_lines=header("Tickets"),
            data=True,
        ),
        SheetSpec(
            "Ticket defects", TICKET_DEFECT_COLUMNS,
            [(d.ticket, d.defect, d.title, d.state) for d in review.ticket_defects],
            header_lines=header("Defects of the tickets", [
                "One row per ticket and defect."
            ]), data=True,
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


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1%}"


def _summary_notes(review: SlaReview) -> list[str]:
    """What the director reads before the table: goal, partial period, counts, targets, definitions."""
    report = review.report
    total = report.total
    goals = "; ".join(f"{name} {goal:.0%}" for name, goal in review.goals.items())
    notes = [f"Compliance goal: {review.goal:.0%} of first responses and of customer updates in time.",
             f"Goals by SLA policy: {goals}."]  # fmt: skip
    if review.partial:
        notes.append(review.partial)
    verdict = review.verdict
    notes.append(
        f"This period: {plural(total.tickets, 'ticket')}, {plural(total.breaches, 'breach', 'breaches')}; "
        f"first responses {_percent(total.first_response_rate)}, updates kept {_percent(total.update_rate)}"
        + (f" — {verdict.mark}." if verdict else ".")
    )
    for compared in (review.previous, review.year_before):
        if compared is not None:
            days = f"{compared.start.isoformat()} to {(compared.end - timedelta(days=1)).isoformat()}"
            f = compared.figures
            notes.append(f"{compared.label} ({days}): " + (
                f"{plural(f.tickets, 'ticket')}, {plural(f.breaches, 'breach', 'breaches')}." if f else "no tickets."
            ))  # fmt: skip
    if review.act_now or review.act_now_more:
        waiting = plural(len(review.act_now) + review.act_now_more, "open ticket")
        notes.append(
            f"Act now: {waiting} need a first response or an update, {review.act_now_overdue} overdue (Act now sheet)."
        )
    notes.extend(_target_notes(review))
    notes.append(f"SLA state as of {report.now.astimezone(report.scope.tz):%Y-%m-%d %H:%M}.")
    if not report.tickets:
        notes.append("No tickets were opened in this period.")
    notes.extend(VERDICT_NOTES)
    return notes


def _target_notes(review: SlaReview) -> list[str]:
    """``Targets, Standard v1 · Sev1: first response 1 hour, updates every 2 hours, round the clock``, a line each."""
    return [
        f"Targets, {target.policy} · Sev{int(target.severity)}: first response {target.first_response}, updates "
        f"every {target.updates}" + ("" if "business" in target.first_response else f", {target.clock}")
        for target in review.targets
    ]


def _scorecard(review: SlaReview) -> list[tuple[Any, ...]]:
    """Rows of rates: this period, the previous period, a year earlier, the goal and this period's verdict."""
    periods = [review.report.total, *(c.figures if c else None for c in (review.previous, review.year_before))]

    def row(measure: str, rate: Callable[[SlaFigures], float | None]) -> tuple[Any, ...]:
        values = [rate(f) if f is not None else None for f in periods]
        found = band(values[0], review.goal)
        return (measure, *values, review.goal, found.mark if found else None)

    def severity(which: int, sev: Severity) -> Callable[[SlaFigures], float | None]:
        return lambda f: f.severity_rates[sev][which]

    rows = [row("First responses in time", lambda f: f.first_response_rate)]
    rows += [row(f"  {s.label}", severity(0, s)) for s in Severity]
    rows.append(row("Customer updates kept", lambda f: f.update_rate))
    rows += [row(f"  {s.label}", severity(1, s)) for s in Severity]
    rows.append(row("First responses in time (excused met)", lambda f: f.first_response_rate_excused))
    rows.append(row("Customer updates kept (excused met)", lambda f: f.update_rate_excused))
    return rows


def _act_now_notes(review: SlaReview) -> list[str]:
    notes = ["Open tickets whose first response or update is overdue or due soon."]
    if not review.act_now:
        notes.append("Nothing to act on: no open ticket is overdue or at risk.")
    if review.act_now_more:
        notes.append(f"The {len(review.act_now)} soonest are listed; {review.act_now_more} more are in the app's "
                     "Today page.")  # fmt: skip
    return notes


def _act_now_row(item: ActNow) -> tuple[Any, ...]:
    line = item.line
    return (item.what, item.due, line.number, line.severity.label, line.customer, item.tam, line.subject,
            line.status.label)  # fmt: skip


def _trend_row(label: str, f: SlaFigures | None, goal: float) -> tuple[Any, ...]:
    if f is None:
        return (label, 0, 0, None, None, goal, None)
    found = verdict(f, goal)
    return (label, f.tickets, f.breaches, f.first_response_rate, f.update_rate, goal, found.mark if found else None)


def _trend_chart(review: SlaReview) -> ChartSpec:
    """A line per rate and the goal, over a value axis that starts a step below the lowest (not at 0%)."""
    rates = [r for _, f in review.trend if f is not None for r in (f.first_response_rate, f.update_rate)]
    return ChartSpec(
        "Compliance by month against the goal",
        category_column="Month",
        value_columns=(FR, UPD, GOAL),
        kind=ChartKind.LINE,
        y_axis_title="In time",
        below=True,
        y_min=axis_floor(rates, review.goal),
    )


def _summary_row(f: SlaFigures, label: str | None = None) -> tuple[Any, ...]:
    return (
        label or f.label,
        f.tickets,
        f.breaches,
        f.first_response_rate,
        *(f.severity_rates[s][0] for s in Severity),
        f.update_rate,
        *(f.severity_rates[s][1] for s in Severity),
        *f.first_response_hours,
        *f.resolve_hours,
        f.first_response_rate_excused,
        f.update_rate_excused,
    )


def _group_cells(g: GroupLine) -> tuple[Any, ...]:
    f = g.figures
    found = g.verdict
    return (
        f.first_responses_due, f.first_responses_met, f.first_response_rate, f.update_rate, g.goal,
        found.mark if found else None, f.breaches, g.open_breaches, f.missed_updates, f.escalated,
    )  # fmt: skip


def _tam_row(g: GroupLine) -> tuple[Any, ...]:
    return (g.name, g.customers, g.figures.tickets, *_group_cells(g))


def _customer_row(g: GroupLine) -> tuple[Any, ...]:
    f = g.figures
    return (g.name, g.tam, f.policy or None, f.tickets, *g.severity_tickets, *_group_cells(g), f.with_defect)


def _breach_row(t: SlaTicketLine) -> tuple[Any, ...]:
    return (
        t.number, t.customer, t.subject, t.severity.label, t.status.label, t.opened, t.breach, t.first_response_due,
        t.first_response_at, t.first_response_late, (ClockKind.BUSINESS_HOURS if t.business_clock else
        ClockKind.TWENTY_FOUR_SEVEN).label,
        t.first_response_late_clock, t.missed_updates, t.update_overdue, t.open_breach, t.excused_reasons or None,
    )  # fmt: skip


def _ticket_row(t: SlaTicketLine) -> tuple[Any, ...]:
    return (
        t.number, t.customer, t.subject, t.severity.label, t.status.label, t.opened, t.first_response_due,
        t.first_response_at, t.first_response_met, t.missed_updates, t.resolved_at, t.hours_to_resolve, t.escalated,
        t.defects or None, t.severity_changes or None, t.excused_reasons or None,
    )  # fmt: skip
