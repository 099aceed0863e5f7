"""The quarterly business review workbook of one customer.

Customer-facing sheets first: Summary (the one page a TAM shows the customer: a short title block, a scorecard of
each measure this quarter and the previous one with the change, and for SLA rates the goal, coloured, and the verdict
in words; a chart of tickets by severity; then small tables of the account (renewal, tier, edition: never its value),
the quarter's meetings and calls, the open follow-ups and what each other sheet holds), SLA compliance, Tickets by
severity, Escalations, Defects, Portal seats, Onboarding. Then the internal sheets, named ``Internal — …`` and opening
with a banner saying so: health with its reasons and trend, the account's contract figures (ARR) and every internal
note, each in one cell that wraps (ticket notes, escalation reasons, timeline entry bodies).
No internal text is written to a customer-facing sheet; a test reads every cell to make sure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tamdesk.domain.quarters import Quarter
from tamdesk.domain.severity import Severity
from tamdesk.reports.sla import VERDICT_NOTES, ExportedReport, padded, plural
from tamdesk.reports.xlsx import (
    Block,
    ChartKind,
    ChartSpec,
    Column,
    ColumnKind,
    DocProps,
    Formatted,
    GoalBands,
    SheetSpec,
    header_lines,
    write_workbook,
    zone_label,
)
from tamdesk.services.base import Context
from tamdesk.services.qbr import (
    ComplianceLine,
    DefectLine,
    EscalationLine,
    OnboardingStepLine,
    QuarterlyReview,
    TicketLine,
    quarterly_review,
)
from tamdesk.services.seats import SeatRow

K = ColumnKind
INTERNAL = "Internal — "
BANNER = "INTERNAL — not for the customer"
SHOWN_ON_SUMMARY = 8  # meetings and follow-ups listed on the Summary; the rest are counted
SUMMARY_WIDTHS = (40, 13, 13, 12, 9, 16)
CHART_SIZE = (25.0, 8.0)  # centimetres: as wide as the scorecard
SHEET_CONTENTS = {
    "SLA compliance": "First responses and updates in time, by severity, against the goal.",
    "Tickets by severity": "Every ticket opened this quarter, most severe first.",
    "Escalations": "Escalations opened this quarter and how they ended.",
    "Defects": "Defects behind your tickets: fixed this quarter or still open.",
    "Portal seats": "Who has a support portal seat.",
    "Onboarding": "The onboarding checklist, step by step.",
}
MEASURE, CHANGE, GOAL, VERDICT = "Measure", "Change", "Goal", "Verdict"
DAY = "yyyy-mm-dd_)"
COUNT, PERCENT, POINTS = "#,##0_)", "0.0%_)", '+0.0" pts"_);-0.0" pts"_);0.0" pts"_)'

# Customer-facing detail sheets are data sheets: their titles wrap, long text wraps and rows grow to fit it.
TICKET_COLUMNS = (
    Column("Ticket", width=12),
    Column("Subject", width=44, wrap=True),
    Column("Severity", width=13),
    Column("Status", width=16, wrap=True),
    padded("Opened", K.DATETIME, width=17),
    Column("First response in time", K.YES_NO, width=13),
    padded("Resolved", K.DATETIME, width=17),
)
ESCALATION_COLUMNS = (
    Column("Ticket", width=12),
    Column("Subject", width=40, wrap=True),
    Column("Severity", width=12),
    padded("Opened", K.DATETIME, width=17),
    Column("Outcome", width=26, wrap=True),
    padded("Closed", K.DATETIME, width=17),
)
DEFECT_COLUMNS = (
    Column("Defect", width=40, wrap=True),
    Column("Severity", width=12),
    Column("State now", width=16, wrap=True),
    Column("Your tickets", width=16, wrap=True),
    Column("Fix version", width=12),
    padded("Deployed", K.DATE, width=12),
    Column("This quarter", width=15),
)
SEAT_COLUMNS = (
    Column("Seat", K.INT, width=7, number_format="0_)"),
    Column("Full name", width=22, wrap=True),
    Column("Email", width=30, wrap=True),
    Column("Status", width=11),
    padded("Requested", K.DATE, width=12),
    padded("Granted", K.DATE, width=12),
    padded("Welcome confirmed", K.DATE, width=12),
    padded("Revoked", K.DATE, width=12),
)
STEP_COLUMNS = (
    Column("Step", K.INT, width=7, number_format="0_)"),
    Column("Title", width=44, wrap=True),
    Column("Done", K.YES_NO, width=8),
    padded("Due", K.DATE, width=12),
    padded("Done on", K.DATE, width=12),
)
# Internal sheets open with a banner row, so they are not data sheets; a note is one cell that wraps, its row as tall
# as its lines.
NOTE_COLUMNS = (
    padded("When", K.DATETIME, width=17),
    Column("About", width=30, wrap=True),
    Column("What", width=20, wrap=True),
    Column("Text", width=80, wrap=True),
)
ACCOUNT_COLUMNS = (Column("Fact", width=32), Column("Value", width=60))
HEALTH_COLUMNS = (Column("Week", K.DATE, width=12), Column("Score", K.INT, width=9), Column("Band", width=10))


def export_quarterly_review(
    path: str | Path, customer_id: int, quarter: Quarter, *, ctx: Context | None = None
) -> ExportedReport:
    """Gather the review of ``quarter`` for the customer as of now and write it to ``path`` (replaced only when
    complete).

    Raises:
        ExportError: the file cannot be written. NotFound: the customer no longer exists. FieldError: the quarter has
            not started yet.
    """
    ctx = ctx or Context()
    now = ctx.now()
    review = quarterly_review(customer_id, quarter, now)
    written = write_quarterly_review(review, path, exported_at=now, exported_by=ctx.actor)
    tickets = plural(review.ticket_count[0], "ticket")
    return ExportedReport(written, f"Quarterly review of {review.customer}, {quarter.label} ({tickets})")


def write_quarterly_review(
    review: QuarterlyReview, path: str | Path, *, exported_at: datetime, exported_by: str
) -> Path:
    """Write ``review`` as the quarterly review workbook."""
    q, prev = review.quarter, review.quarter.previous
    head = header_lines(
        f"Quarterly business review — {review.customer}, {q.label}",
        exported_at=exported_at, exported_by=exported_by, tz=review.time_zone,
        filters={"Customer": review.customer, "Quarter": q.label}, sla_policy=review.sla_policy,
    )  # fmt: skip
    period = f"Period: {_days(q)}, compared with {prev.label} ({_days(prev)})"
    shared = [period, *([review.partial] if review.partial else []), *head[1:]]

    def header(what: str, *notes: str) -> list[str]:
        return [f"{what} — {review.customer}, {q.label}", period, *notes]

    def internal(what: str, *notes: str) -> list[str]:
        return [f"{BANNER}: {what} — {review.customer}, {q.label}", *shared, *notes]

    local = exported_at.astimezone(review.time_zone)
    prepared = (f"Prepared by {exported_by} on {local:%Y-%m-%d %H:%M} · times in {zone_label(review.time_zone)} · "
                f"SLA policy: {review.sla_policy}")  # fmt: skip
    title_block = [head[0], period, *([review.partial] if review.partial else []), prepared]
    facing = [
        SheetSpec(
            "SLA compliance",
            _compliance_columns(q, prev),
            [_compliance_row(line) for line in review.compliance],
            header_lines=[
                f"SLA compliance — {review.customer}, {q.label}",
                *shared,
                *_compliance_notes(review),
                *VERDICT_NOTES[:2],
            ],
            bands=GoalBands((q.label, prev.label), GOAL),
            one_page=True,
        ),
        SheetSpec(
            "Tickets by severity",
            TICKET_COLUMNS,
            [_ticket_row(x) for x in review.tickets],
            header_lines=header("Tickets opened, most severe first", _none(review.tickets, "tickets")),
            data=True,
        ),
        SheetSpec(
            "Escalations",
            ESCALATION_COLUMNS,
            [_escalation_row(e) for e in review.escalations],
            header_lines=header("Escalations opened", _none(review.escalations, "escalations")),
            data=True,
        ),
        SheetSpec(
            "Defects",
            DEFECT_COLUMNS,
            [_defect_row(d, review) for d in review.defects],
            header_lines=header(f"Defects fixed this quarter or {_open(review)}", *_defect_notes(review)),
            data=True,
        ),
        SheetSpec(
            "Portal seats",
            SEAT_COLUMNS,
            [_seat_row(s) for s in review.seats.seats],
            header_lines=header("Portal seats", *_seat_notes(review)),
            data=True,
        ),
        SheetSpec(
            "Onboarding",
            STEP_COLUMNS,
            [_step_row(s) for s in review.onboarding.steps],
            header_lines=header("Onboarding checklist", _onboarding_line(review)),
            data=True,
        ),
    ]
    sheets = [
        _summary(review, title_block, facing),
        *facing,
        _health_sheet(review, internal),
        SheetSpec(f"{INTERNAL}Account", ACCOUNT_COLUMNS, _account_rows(review),
                  header_lines=internal("Contract and account figures")),
        SheetSpec(f"{INTERNAL}Notes", NOTE_COLUMNS, _note_rows(review),
                  header_lines=internal("Internal notes", _none(review.internal_notes, "internal notes"))),
    ]  # fmt: skip
    props = DocProps(
        title=f"Quarterly business review {review.customer} {q.label}",
        creator=exported_by,
        subject=f"Quarterly business review of {review.customer}",
        description=" ".join(shared),
        keywords="tamdesk; quarterly business review; QBR",
        created=exported_at,
    )
    return write_workbook(path, sheets, properties=props, tz=review.time_zone)


# -- Summary -----------------------------------------------------------------------------------------------------


def _summary(review: QuarterlyReview, head: Sequence[str], sheets: Sequence[SheetSpec]) -> SheetSpec:
    """The one page a TAM shows the customer: a title block, the scorecard, the chart of tickets by severity, then
    the account, the quarter's meetings and calls, the open follow-ups and what the other sheets hold."""
    q, prev = review.quarter, review.quarter.previous
    columns = (
        Column(MEASURE, width=SUMMARY_WIDTHS[0]),
        Column(q.label, K.INT, width=SUMMARY_WIDTHS[1], number_format=COUNT),
        Column(prev.label, K.INT, width=SUMMARY_WIDTHS[2], number_format=COUNT),
        Column(CHANGE, K.INT, width=SUMMARY_WIDTHS[3], number_format="+#,##0_);-#,##0_);0_)"),
        Column(GOAL, K.PERCENT, width=SUMMARY_WIDTHS[4], number_format="0%_)"),
        Column(VERDICT, width=SUMMARY_WIDTHS[5]),
    )
    chart = ChartSpec(
        "Tickets opened by severity", category_column=MEASURE,
        value_columns=(q.label, prev.label), kind=ChartKind.BAR, y_axis_title="Tickets", below=True,
        rows=(1, 1 + len(Severity)), width=CHART_SIZE[0], height=CHART_SIZE[1],
    )  # fmt: skip
    blocks = (_account_block(review), _highlight_block(review), _follow_up_block(review), _sheet_block(sheets))
    return SheetSpec(
        "Summary", columns, _scorecard(review), header_lines=head, chart=chart,
        bands=GoalBands((q.label, prev.label), GOAL, goal_rows_only=True), one_page=True, portrait=True,
        blocks=blocks, guide=False,
    )  # fmt: skip


def _scorecard(review: QuarterlyReview) -> list[tuple[Any, ...]]:
    """Measure, this quarter, the previous one, the change, the goal and the verdict: counts, then rates."""
    this, before = review.ticket_count
    rows: list[tuple[Any, ...]] = [_count("Tickets opened", this, before)]
    rows += [_count(f"  {v.severity.label}", v.this_quarter, v.previous) for v in review.volume]
    rows += [_rate_row(review.compliance[0]), _rate_row(review.compliance[1 + len(Severity)])]
    (esc_before, resolved_before), (fixed_before, open_before) = review.escalations_before, review.defects_before
    rows += [
        _count("Escalations opened", len(review.escalations), esc_before),
        _count("  of them resolved", review.escalations_resolved, resolved_before),
        _count("Defects fixed", review.defects_fixed, fixed_before),
        _count("Defects open now" if review.partial else "Defects open at quarter end", review.defects_open,
               open_before),
        _count(f"Portal seats active (of {review.seats.allowance:,})", review.seats.active, None),
        _count(f"Onboarding steps done (of {review.onboarding.total:,})", review.onboarding.done, None),
    ]  # fmt: skip
    return rows


def _count(measure: str, this: int, before: int | None) -> tuple[Any, ...]:
    return (measure, this, before, None if before is None else this - before, None, None)


def _rate_row(line: ComplianceLine) -> tuple[Any, ...]:
    """A rate as a percent, its change in percentage points, the goal and the verdict in words."""
    change = None
    if line.this_quarter is not None and line.previous is not None:
        change = Formatted(round((line.this_quarter - line.previous) * 100, 1), POINTS)
    found = line.band
    verdict = found.mark if found else ("No tickets" if line.this_quarter is None else None)
    return (line.measure, Formatted(line.this_quarter, PERCENT), Formatted(line.previous, PERCENT), change,
            line.goal, verdict)  # fmt: skip


def _account_block(review: QuarterlyReview) -> Block:
    """What the customer bought and when it renews; never its value (that is on the internal Account sheet)."""
    c = review.contract
    rows: list[tuple[str, str]] = []
    if c is not None:
        rows += [
            ("Renewal date", _day(c.renewal_on)),
            ("Support tier", c.support_tier or "not recorded"),
            ("Edition", c.edition or "not recorded"),
            ("Entitlement", f"{_day(c.entitlement_start)} to {_day(c.entitlement_end)}"),
        ]
    if review.tam:
        rows.append(("Your technical account manager", review.tam))
    return Block("Account", (Column("Fact"), Column("Value"), Column("")), [(*r, None) for r in rows],
                 empty="No contract on record.")  # fmt: skip


def _highlight_block(review: QuarterlyReview) -> Block:
    tz = review.time_zone
    rows: list[tuple[Any, ...]] = [
        (h.title or "(untitled)", h.kind, h.at.astimezone(tz).date()) for h in review.highlights[:SHOWN_ON_SUMMARY]
    ]
    if len(review.highlights) > SHOWN_ON_SUMMARY:
        rows.append((f"and {len(review.highlights) - SHOWN_ON_SUMMARY} more", None, None))
    columns = (Column("Meeting or call", wrap=True), Column("Kind"), Column("Date", K.DATE, number_format=DAY))
    return Block("Meetings and calls this quarter", columns, rows, empty="No meetings or calls this quarter.")


def _follow_up_block(review: QuarterlyReview) -> Block:
    rows: list[tuple[Any, ...]] = [
        (f.what, f.owner or None, "Overdue" if f.overdue else "Open", f.due_on)
        for f in review.follow_ups[:SHOWN_ON_SUMMARY]
    ]
    if len(review.follow_ups) > SHOWN_ON_SUMMARY:
        rows.append((f"and {len(review.follow_ups) - SHOWN_ON_SUMMARY} more", None, None, None))
    columns = (
        Column("Follow-up", wrap=True),
        Column("Owner"),
        Column("Status"),
        Column("Due", K.DATE, number_format=DAY),
    )
    return Block("Open follow-ups", columns, rows, empty="No open follow-ups.")


def _sheet_block(sheets: Sequence[SheetSpec]) -> Block:
    """What each customer-facing sheet after the Summary holds, and whether it is empty."""
    rows = []
    for spec in sheets:
        empty = any(line.startswith("No ") for line in spec.header_lines[1:])
        rows.append((spec.title, SHEET_CONTENTS[spec.title] + (" Empty." if empty else "")))
    # the header and rules run across the page: the descriptions are wider than their column
    columns = (Column("Sheet"), Column("What it holds"), *(Column("") for _ in SUMMARY_WIDTHS[2:]))
    return Block("In this workbook", columns, [(*r, *(None for _ in SUMMARY_WIDTHS[2:])) for r in rows])


def _seat_line(review: QuarterlyReview) -> str:
    s = review.seats
    revoked = f"; {s.revoked} revoked" if s.revoked else ""
    return f"Portal seats now: {s.active} active and {s.pending} pending of {s.allowance}{revoked}."


def _onboarding_line(review: QuarterlyReview) -> str:
    o = review.onboarding
    if not o.total:
        return "Onboarding now: no checklist."
    return f"Onboarding now: {o.state.lower()}, {o.done} of {plural(o.total, 'step')} done."


# -- customer-facing detail sheets -------------------------------------------------------------------------------


def _compliance_columns(q: Quarter, prev: Quarter) -> tuple[Column, ...]:
    return (
        Column("Measure", width=30),
        Column(q.label, K.PERCENT, width=12, number_format="0.0%_)"),
        Column(prev.label, K.PERCENT, width=12, number_format="0.0%_)"),
        Column(GOAL, K.PERCENT, width=8, number_format="0%_)"),
        Column(VERDICT, width=15),
    )


def _compliance_row(line: ComplianceLine) -> tuple[Any, ...]:
    found = line.band
    return (line.measure, line.this_quarter, line.previous, line.goal, found.mark if found else None)


def _compliance_notes(review: QuarterlyReview) -> list[str]:
    this, before = review.breaches
    notes = [f"Compliance goal: {review.goal:.0%} of first responses and of customer updates in time."]
    if not review.ticket_count[0]:
        notes.append("No tickets this quarter: no SLA figures.")
    else:
        notes.append(f"Breaches: {this:,} this quarter ({review.quarter.previous.label}: {before:,}).")
    return notes


def _none(items: Sequence[Any], what: str) -> str:
    return f"No {what} this quarter." if not items else f"{plural(len(items), what[:-1], what)}."


def _ticket_row(x: TicketLine) -> tuple[Any, ...]:
    return (x.number, x.subject, x.severity.label, x.status.label, x.opened, x.first_response_met, x.resolved)


def _escalation_row(e: EscalationLine) -> tuple[Any, ...]:
    return (e.ticket, e.subject, e.severity.label, e.opened, e.outcome, e.closed)


def _open(review: QuarterlyReview) -> str:
    """``open now`` while the quarter runs, ``open at its end`` once it is over."""
    return "open now" if review.partial else "open at its end"


def _defect_row(d: DefectLine, review: QuarterlyReview) -> tuple[Any, ...]:
    return (d.title, d.severity.label, d.state.label, ", ".join(d.tickets) or None, d.fix_version or None,
            d.deployed_on, "Fixed" if d.fixed_in_quarter else _open(review).capitalize())  # fmt: skip


def _defect_notes(review: QuarterlyReview) -> list[str]:
    if not review.defects:
        return [f"No defects linked to your tickets were fixed this quarter or are {_open(review)}."]
    return [f"{plural(review.defects_fixed, 'defect')} fixed this quarter; {plural(review.defects_open, 'defect')} "
            f"{_open(review)}. Fixed first, then the most severe."]  # fmt: skip


def _seat_row(s: SeatRow) -> tuple[Any, ...]:
    return (s.seat_no, s.full_name, s.email, s.status.label, s.requested_at, s.granted_at, s.welcome_confirmed_at,
            s.revoked_at)  # fmt: skip


def _seat_notes(review: QuarterlyReview) -> list[str]:
    if not review.seats.seats:
        return [_seat_line(review), "No portal seats have been requested yet."]
    return [_seat_line(review)]


def _step_row(step: OnboardingStepLine) -> tuple[Any, ...]:
    return (step.position, step.title, step.done_at is not None, step.due, step.done_at)


# -- internal sheets ---------------------------------------------------------------------------------------------


def _health_sheet(review: QuarterlyReview, internal: Callable[..., list[str]]) -> SheetSpec:
    health = review.health
    title = f"{INTERNAL}Health"
    if health is None:
        empty = internal("Customer health", "No health reading for this customer up to the quarter's end.")
        return SheetSpec(title, HEALTH_COLUMNS, [], header_lines=empty, one_page=True)
    when = f"now ({health.as_of.isoformat()})" if health.computed_now else f"in the week of {health.as_of.isoformat()}"
    notes = [f"Health {health.score} ({health.band.label}) {when}."]
    notes += [f"    {reason}" for reason in health.reasons] or ["    Nothing takes points off."]
    if health.change is not None:
        first = health.trend[0]
        notes.append(f"Trend: {health.change:+d} points since the week of {first.week.isoformat()} ({first.score}).")
    else:
        notes.append("Trend: no earlier weekly reading to compare with.")
    chart = ChartSpec("Health by week", category_column="Week", value_columns=("Score",), kind=ChartKind.LINE,
                      y_axis_title="Score", below=True, y_min=0)  # fmt: skip
    rows = [(p.week, p.score, p.band.label) for p in health.trend]
    return SheetSpec(
        title, HEALTH_COLUMNS, rows, header_lines=internal("Customer health", *notes), chart=chart, one_page=True
    )


def _account_rows(review: QuarterlyReview) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    c = review.contract
    if c is None:
        rows.append(("Contract", "No contract on record"))
    else:
        arr = f"{c.currency} {c.arr:,.2f}".strip() if c.arr is not None else "Not recorded"
        rows += [
            ("Annual recurring revenue (ARR)", arr),
            ("Support tier", c.support_tier or "Not recorded"),
            ("Edition", c.edition or "Not recorded"),
            ("Entitlement", f"{_day(c.entitlement_start)} to {_day(c.entitlement_end)}"),
            ("Renewal", _day(c.renewal_on)),
        ]
    rows.append(("TAM", review.tam or "No TAM"))
    for d in review.defects:
        rows.append(("Engineering key", f"{d.engineering_key or 'not escalated yet'}: {d.title}"))
    return rows


def _note_rows(review: QuarterlyReview) -> list[tuple[Any, ...]]:
    """One row per note, oldest first, the whole note in one cell that wraps."""
    notes = sorted(review.internal_notes, key=lambda n: (n.at is None, n.at or datetime.min, n.about))
    return [(note.at, note.about, note.what, note.text.strip()) for note in notes]


def _days(q: Quarter) -> str:
    return f"{q.start.isoformat()} to {q.last_day.isoformat()}"


def _day(day: date | None) -> str:
    return day.isoformat() if day else "not recorded"
