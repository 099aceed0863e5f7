"""The portal seat roster workbook: a summary of seats used per customer, then every seat with its dates."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, header_lines, write_workbook
from tamdesk.services.base import Context
from tamdesk.services.seats import RosterCustomer, SeatRoster, seat_roster

K = ColumnKind

SUMMARY_COLUMNS = (
    Column("Customer", width=32),
    Column("TAM", width=20),
    Column("Allowance", K.INT),
    Column("Used", K.INT),
    Column("Free", K.INT),
    Column("Requested", K.INT, width=12),
    Column("Granted", K.INT),
    Column("Active", K.INT),
    Column("Revoked", K.INT),
)
SEAT_COLUMNS = (
    Column("Customer", width=28),
    Column("Seat", K.INT, width=7, number_format="0_)"),  # padded: never touching the name beside it
    Column("Full name", width=24),
    Column("Email", width=30),
    Column("Status", width=11),
    # Dates, not date-times: the day a seat changed is what a manager reads; the app has the times.
    Column("Requested", K.DATE, width=13),
    Column("Granted", K.DATE, width=12),
    Column("Welcome confirmed", K.DATE, width=21),
    Column("Revoked", K.DATE, width=13, number_format="yyyy-mm-dd_)"),  # padded: apart from the reason
    Column("Revoke reason", width=28),
)


def export_seat_roster(
    path: str | Path, customer_id: int | None = None, *, ctx: Context | None = None, tz: tzinfo | None = None
) -> Path:
    """Write the seat roster of one customer, or of every customer not archived, to ``path``.

    Raises:
        ExportError: the file cannot be written. NotFound: the customer no longer exists.
    """
    ctx = ctx or Context()
    roster = seat_roster(customer_id)
    customer = roster.customers[0].name if customer_id is not None and roster.customers else None
    return write_seat_roster(roster, path, exported_at=ctx.now(), exported_by=ctx.actor, tz=tz, customer=customer)


def write_seat_roster(
    roster: SeatRoster,
    path: str | Path,
    *,
    exported_at: datetime,
    exported_by: str,
    tz: tzinfo | None = None,
    customer: str | None = None,
) -> Path:
    """Write ``roster``; ``customer`` names the filter when it holds one customer."""
    zone = tz or datetime.now().astimezone().tzinfo
    assert zone is not None
    filters = {"Customer": customer} if customer else None

    def header(what: str) -> list[str]:
        return header_lines(what, exported_at=exported_at, exported_by=exported_by, tz=zone, filters=filters)

    sheets = [
        SheetSpec(
            "Summary",
            SUMMARY_COLUMNS,
            _summary_rows(roster),
            header_lines=header("Portal seats per customer"),
            totals=_totals(roster),
        ),
        SheetSpec("Seats", SEAT_COLUMNS, _seat_rows(roster), header_lines=header("Portal seat roster")),
    ]
    props = DocProps(
        title="Portal seat roster" + (f": {customer}" if customer else ""),
        creator=exported_by,
        subject="Customer portal seats",
        keywords="tamdesk; portal seats; roster",
        created=exported_at,
    )
    return write_workbook(path, sheets, properties=props, tz=zone)


def _counts(c: RosterCustomer) -> tuple[int, ...]:
    return (c.allowance, c.used, max(c.allowance - c.used, 0), c.requested, c.granted, c.active, c.revoked)


def _summary_rows(roster: SeatRoster) -> list[tuple[object, ...]]:
    return [(c.name, c.tam, *_counts(c)) for c in roster.customers]


def _totals(roster: SeatRoster) -> tuple[object, ...]:
    counts = [_counts(c) for c in roster.customers]
    sums = [sum(column) for column in zip(*counts, strict=True)] if counts else [0] * (len(SUMMARY_COLUMNS) - 2)
    return ("Total", None, *sums)


def _seat_rows(roster: SeatRoster) -> list[tuple[object, ...]]:
    return [
        (
            line.customer,
            s.seat_no,
            s.full_name,
            s.email,
            s.status.label,
            s.requested_at,
            s.granted_at,
            s.welcome_confirmed_at,
            s.revoked_at,
            s.revoke_reason,
        )
        for line in roster.lines
        for s in [line.seat]
    ]
