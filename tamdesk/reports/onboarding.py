"""Onboarding workbooks: one customer's printable checklist, or the onboarding status of every customer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path

from tamdesk.domain.onboarding import OnboardingState
from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, header_lines, write_workbook
from tamdesk.services.base import Context
from tamdesk.services.customers import list_customers
from tamdesk.services.onboarding import Checklist, StepRow, checklist
from tamdesk.services.report_data import ReportScope

K = ColumnKind
TICKED, UNTICKED = "☑", "☐"

CHECKLIST_COLUMNS = (
    Column("Done", width=6),
    Column("#", K.INT, width=5, number_format="0_)"),  # padded: never touching the step beside it
    Column("Step", width=62),
    # "_)" pads a right-aligned value so it never touches the left-aligned text in the next column.
    Column("Due", K.DATE, width=13, number_format="yyyy-mm-dd_)"),
    Column("Done by", width=22),
    Column("Done on", K.DATETIME, width=18, number_format="yyyy-mm-dd hh:mm_)"),
    Column("Note", width=36),
)
SUMMARY_COLUMNS = (Column("State", width=16), Column("Customers", K.INT, width=12))
CUSTOMER_COLUMNS = (  # a data sheet: widths that print at 70% or more (see xlsx.MAX_PRINT_WIDTH), titles that wrap
    Column("Customer", width=24, wrap=True),
    Column("TAM", width=16, wrap=True),
    Column("State", width=13),
    Column("Started", K.DATE),
    Column("Done", K.INT, width=8),
    Column("Total", K.INT, width=8),
    Column("Progress", K.PERCENT, width=11, number_format="0.0%_)"),
    Column("Next step", width=36, wrap=True),
    Column("Next step due", K.DATE, width=12),
    Column("Overdue steps", K.INT, width=10),
    Column("Days overdue", K.INT, width=10),
)


def export_onboarding(
    path: str | Path,
    customer_id: int | None = None,
    *,
    ctx: Context | None = None,
    tz: tzinfo | None = None,
    scope: ReportScope | None = None,
) -> Path:
    """With a customer, its printable checklist; without, the status workbook across all customers (the scope's
    customers, and with a period only those whose onboarding started in it).

    Raises:
        ExportError: the file cannot be written. NotFound: the customer no longer exists.
    """
    ctx = ctx or Context()
    zone = (scope.tz if scope else tz) or datetime.now().astimezone().tzinfo
    assert zone is not None
    today = ctx.now().astimezone(zone).date()
    if customer_id is not None:
        return write_checklist(checklist(customer_id, today), path, exported_at=ctx.now(), by=ctx.actor, tz=zone)
    rows = list_customers(today)
    if scope and scope.customer_ids:
        rows = [r for r in rows if r.id in scope.customer_ids]
    lists = [checklist(row.id, today) for row in rows]
    filters: dict[str, str] = {}
    if scope and scope.customer_ids:
        filters["Customers"] = ", ".join(items.customer_name for items in lists)
    if scope and (scope.start or scope.end):
        lists = [items for items in lists if items.started is not None and scope.covers_day(items.started)]
        filters["Onboarding started"] = scope.period_label
    return write_status(lists, path, exported_at=ctx.now(), by=ctx.actor, tz=zone, filters=filters)


def write_checklist(items: Checklist, path: str | Path, *, exported_at: datetime, by: str, tz: tzinfo) -> Path:
    """The checklist of one customer, to print or share with the customer."""
    started = items.started.isoformat() if items.started else "not started"
    title, *export = header_lines(
        f"Onboarding checklist: {items.customer_name}",
        exported_at=exported_at,
        exported_by=by,
        tz=tz,
        filters={"Customer": items.customer_name},
    )
    lines = [
        title,
        f"Customer: {items.customer_name}    TAM: {items.tam or '—'}    Onboarding started: {started}",
        f"Progress: {items.done} of {items.total} steps done    State: {items.state.label}",
        *export,
    ]
    sheet = SheetSpec("Checklist", CHECKLIST_COLUMNS, [_step_row(s) for s in items.steps], header_lines=lines)
    props = DocProps(
        title=f"Onboarding checklist: {items.customer_name}",
        creator=by,
        subject="Customer onboarding",
        keywords="tamdesk; onboarding; checklist",
        created=exported_at,
    )
    return write_workbook(path, [sheet], properties=props, tz=tz)


def _step_row(step: StepRow) -> tuple[object, ...]:
    return (
        TICKED if step.done else UNTICKED,
        step.position,
        step.title,
        step.due_date,
        step.done_by or None,
        step.done_at,
        step.note or None,
    )


def write_status(
    lists: Sequence[Checklist],
    path: str | Path,
    *,
    exported_at: datetime,
    by: str,
    tz: tzinfo,
    filters: Mapping[str, str] | None = None,
) -> Path:
    """The onboarding status of every customer: counts per state, then one row per customer."""
    today = exported_at.astimezone(tz).date()

    def header(what: str) -> list[str]:
        return header_lines(what, exported_at=exported_at, exported_by=by, tz=tz, filters=filters)

    states = Counter(c.state for c in lists)
    summary = [(state.label, states[state]) for state in OnboardingState]
    sheets = [
        SheetSpec(
            "Summary",
            SUMMARY_COLUMNS,
            summary,
            header_lines=header("Onboarding status"),
            totals=("Total", len(lists)),
            one_page=True,
        ),
        SheetSpec(
            "Customers",
            CUSTOMER_COLUMNS,
            [_status_row(c, today) for c in lists],
            header_lines=header("Onboarding status by customer"),
            data=True,
        ),
    ]
    props = DocProps(
        title="Onboarding status",
        creator=by,
        subject="Customer onboarding",
        keywords="tamdesk; onboarding; status",
        created=exported_at,
    )
    return write_workbook(path, sheets, properties=props, tz=tz)


def _status_row(items: Checklist, today: date) -> tuple[object, ...]:
    open_steps = [s for s in items.steps if not s.done]
    following = open_steps[0] if open_steps else None
    overdue = [s.due_date for s in items.steps if s.overdue and s.due_date is not None]
    return (
        items.customer_name,
        items.tam or None,
        items.state.label,
        items.started,
        items.done,
        items.total,
        items.done / items.total if items.total else None,
        following.title if following else None,
        following.due_date if following else None,
        len(overdue),
        (today - min(overdue)).days if overdue else None,
    )
