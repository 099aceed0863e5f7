"""The quarterly business review workbook of one customer.

Customer-facing sheets first: Summary (what a TAM shows the customer: key figures against the previous quarter, SLA
compliance against the goal, a chart of tickets by severity, the renewal date, the quarter's meetings and calls and
the open follow-ups), SLA compliance, Tickets by severity, Escalations, Defects, Seats & onboarding. Then the
internal sheets, named ``Internal — …`` and opening with a banner saying so: health with its reasons and trend,
the account's contract figures (ARR) and every internal note (ticket notes, escalation reasons, timeline entry
bodies). No internal text is written to a customer-facing sheet; a test reads every cell to make sure.
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
    ChartKind,
    ChartSpec,
    Column,
    ColumnKind,
    DocProps,
    GoalBands,
    SheetSpec,
    header_lines,
    write_workbook,
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
SUMMARY_WIDTHS = (30, 14, 14, 12)
GOAL, VERDICT = "Goal", "Verdict"
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
# Internal sheets open with a banner row, so they are not data sheets: nothing wraps there (rows would not grow in
# LibreOffice), a long note is cut into lines of NOTE_LINE characters, one row each.
NOTE_LINE = 90
ABOUT_WIDTH = 32
NOTE_COLUMNS = (
    padded("When", K.DATETIME, width=17),
    Column("About", width=ABOUT_WIDTH + 2),
    Column("What", width=20),
    Column("Text", width=NOTE_LINE + 2),
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

    sheets = [
        _summary(review, [head[0], *shared]),
        SheetSpec(
            "SLA compliance", _compliance_columns(q, prev), [_compliance_row(line) for line in review.compliance],
            header_lines=[f"SLA compliance — {review.customer}, {q.label}", *shared, *_compliance_notes(review),
                          *VERDICT_NOTES[:2]],
            bands=GoalBands((q.label, prev.label), GOAL), one_page=True,
        ),
        SheetSpec("Tickets by severity", TICKET_COLUMNS, [_ticket_row(x) for x in review.tickets],
                  header_lines=header("Tickets opened, most severe first", _none(review.tickets, "tickets")),
                  data=True),
        SheetSpec("Escalations", ESCALATION_COLUMNS, [_escalation_row(e) for e in review.escalations],
                  header_lines=header("Escalations opened", _none(review.escalations, "escalations")), data=True),
        SheetSpec("Defects", DEFECT_COLUMNS, [_defect_row(d, review) for d in review.defects],
                  header_lines=header(f"Defects fixed this quarter or {_open(review)}", *_defect_notes(review)),
                  data=True),
        SheetSpec("Portal seats", SEAT_COLUMNS, [_seat_row(s) for s in review.seats.seats],
                  header_lines=header("Portal seats", *_seat_notes(review)), data=True),
        SheetSpec("Onboarding", STEP_COLUMNS, [_step_row(s) for s in review.onboarding.steps],
                  header_lines=header("Onboarding checklist", _onboarding_line(review)), data=True),
        _health_sheet(review, internal),
        SheetSpec(f"{INTERNAL}Account", ACCOUNT_COLUMNS, _account_rows(review),
                  header_lines=internal("Contract and account figures")),
        SheetSpec(f"{INTERNAL}Notes", NOTE_COLUMNS, _note_rows(review),
                  header_lines=internal("Internal notes", _none(review.internal_notes, "internal notes"),
                                        "A long note continues on the rows under it.")),
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


def _summary(review: QuarterlyReview, head: Sequence[str]) -> SheetSpec:
    q, prev = review.quarter, review.quarter.previous
    columns = (
        Column("Tickets by severity", width=SUMMARY_WIDTHS[0]),
        Column(q.label, K.INT, width=SUMMARY_WIDTHS[1], number_format="#,##0_)"),
        Column(prev.label, K.INT, width=SUMMARY_WIDTHS[2], number_format="#,##0_)"),
        Column("Change", K.INT, width=SUMMARY_WIDTHS[3], number_format="+#,##0_);-#,##0_);0_)"),
    )
    rows = [(v.severity.label, v.this_quarter, v.previous, v.this_quarter - v.previous) for v in review.volume]
    this, before = review.ticket_count
    chart = ChartSpec(
        f"Tickets by severity, {q.label} and {prev.label}", category_column="Tickets by severity",
        value_columns=(q.label, prev.label), kind=ChartKind.BAR, y_axis_title="Tickets", below=True,
    )  # fmt: skip
    return SheetSpec(
        "Summary", columns, rows, header_lines=[*head, *_key_figures(review)],
        totals=("All tickets", this, before, this - before), chart=chart, one_page=True,
    )  # fmt: skip


def _key_figures(review: QuarterlyReview) -> list[str]:
    prev = review.quarter.previous.label
    this, before = review.ticket_count
    lines = [
        f"Tickets: {plural(this, 'ticket')} opened this quarter ({prev}: {before:,})."
        if this
        else f"Tickets: no tickets this quarter ({prev}: {before:,}).",
        _sla_line(review),
        _escalation_line(review),
        _defect_line(review),
        _seat_line(review),
        _onboarding_line(review),
        _renewal_line(review),
    ]
    lines += _highlight_lines(review)
    lines += _follow_up_lines(review)
    return lines


def _rate(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1%}"


def _sla_line(review: QuarterlyReview) -> str:
    first, updates = review.compliance[0], review.compliance[1 + len(Severity)]
    prev = review.quarter.previous.label
    if first.this_quarter is None and updates.this_quarter is None:
        return f"SLA: no tickets this quarter, so no SLA figures (goal {review.goal:.0%})."
    rates = [r for r in (first.this_quarter, updates.this_quarter) if r is not None]
    worst = min(rates)
    verdict = next(line.band for line in (first, updates) if line.this_quarter == worst)
    mark = f" — {verdict.mark}" if verdict else ""
    return (
        f"SLA: first responses in time {_rate(first.this_quarter)} ({prev}: {_rate(first.previous)}), customer "
        f"updates kept {_rate(updates.this_quarter)} ({prev}: {_rate(updates.previous)}); goal {review.goal:.0%}{mark}."
    )


def _escalation_line(review: QuarterlyReview) -> str:
    if not review.escalations:
        return "Escalations: no escalations this quarter."
    resolved = sum(e.state.value == "resolved" for e in review.escalations)
    still = sum(e.state.is_open for e in review.escalations)
    closed = len(review.escalations) - resolved - still
    counts = ((resolved, "resolved"), (closed, "closed without escalation"), (still, "still open"))
    parts = [f"{count} {what}" for count, what in counts if count]
    return f"Escalations: {plural(len(review.escalations), 'escalation')} opened this quarter: {', '.join(parts)}."


def _defect_line(review: QuarterlyReview) -> str:
    if not review.defects:
        return f"Defects: no defects fixed this quarter and none {_open(review)}."
    return (
        f"Defects: {plural(review.defects_fixed, 'defect')} fixed this quarter; "
        f"{plural(review.defects_open, 'defect')} {_open(review)}."
    )


def _seat_line(review: QuarterlyReview) -> str:
    s = review.seats
    revoked = f"; {s.revoked} revoked" if s.revoked else ""
    return f"Portal seats now: {s.active} active and {s.pending} pending of {s.allowance}{revoked}."


def _onboarding_line(review: QuarterlyReview) -> str:
    o = review.onboarding
    if not o.total:
        return "Onboarding now: no checklist."
    return f"Onboarding now: {o.state.lower()}, {o.done} of {plural(o.total, 'step')} done."


def _renewal_line(review: QuarterlyReview) -> str:
    c = review.contract
    if c is None:
        return "Renewal: no contract on record."
    parts = [f"Renewal: {c.renewal_on.isoformat()}" if c.renewal_on else "Renewal: no date on record"]
    if c.support_tier:
        parts.append(f"support tier {c.support_tier}")
    if c.entitlement_start or c.entitlement_end:
        parts.append(f"entitlement {_day(c.entitlement_start)} to {_day(c.entitlement_end)}")
    if c.edition:
        parts.append(f"edition {c.edition}")
    return "; ".join(parts) + "."


def _highlight_lines(review: QuarterlyReview) -> list[str]:
    if not review.highlights:
        return ["Meetings and calls: none this quarter."]
    lines = [f"Meetings and calls this quarter ({len(review.highlights)}):"]
    for h in review.highlights[:SHOWN_ON_SUMMARY]:
        lines.append(f"    {h.at.astimezone(review.time_zone):%Y-%m-%d} · {h.kind} · {h.title or '(untitled)'}")
    if len(review.highlights) > SHOWN_ON_SUMMARY:
        lines.append(f"    and {len(review.highlights) - SHOWN_ON_SUMMARY} more.")
    return lines


def _follow_up_lines(review: QuarterlyReview) -> list[str]:
    if not review.follow_ups:
        return ["Open follow-ups: none."]
    lines = [f"Open follow-ups ({len(review.follow_ups)}):"]
    for f in review.follow_ups[:SHOWN_ON_SUMMARY]:
        owner = f" — {f.owner}" if f.owner else ""
        late = ", overdue" if f.overdue else ""
        lines.append(f"    {f.what}{owner}, due {f.due_on.isoformat()}{late}")
    if len(review.follow_ups) > SHOWN_ON_SUMMARY:
        lines.append(f"    and {len(review.follow_ups) - SHOWN_ON_SUMMARY} more.")
    return lines


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
    """One row per note, oldest first; a note longer than a line continues on rows of its own under it."""
    notes = sorted(review.internal_notes, key=lambda n: (n.at is None, n.at or datetime.min, n.about))
    rows: list[tuple[Any, ...]] = []
    for note in notes:
        first, *more = _note_lines(note.text)
        about = note.about if len(note.about) <= ABOUT_WIDTH else note.about[: ABOUT_WIDTH - 1] + "…"
        rows.append((note.at, about, note.what, first))
        rows.extend((None, None, None, line) for line in more)
    return rows


def _note_lines(text: str) -> list[str]:
    """``text`` broken at its own line breaks, then at spaces into lines of at most NOTE_LINE characters."""
    lines: list[str] = []
    for part in text.strip().splitlines() or [""]:
        line = ""
        for word in part.split():
            while len(word) > NOTE_LINE:  # a word longer than a line: cut where the line ends
                if line:
                    lines.append(line)
                    line = ""
                lines.append(word[:NOTE_LINE])
                word = word[NOTE_LINE:]
            if line and len(line) + 1 + len(word) > NOTE_LINE:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            lines.append(line)
    return lines or [""]


def _days(q: Quarter) -> str:
    return f"{q.start.isoformat()} to {q.last_day.isoformat()}"


def _day(day: date | None) -> str:
    return day.isoformat() if day else "not recorded"
