"""The portal seat roster workbook: a summary of seats used per customer, then every seat with its dates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path

from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, header_lines, write_workbook
from tamdesk.services.base import Context
from tamdesk.services.report_data import ReportScope
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
SEAT_COLUMNS = (  # a data sheet: widths that print at 70% or more (see xlsx.MAX_PRINT_WIDTH), titles that wrap
    Column("Customer", width=22, wrap=True),
    Column("Seat", K.INT, width=7, number_format="0_)"),  # padded: never touching the name beside it
    Column("Full name", width=20, wrap=True),
    Column("Email", width=30, wrap=True),
    Column("Status", width=11),
    # Dates, not date-times: the day a seat changed is what a manager reads; the app has the times.
    Column("Requested", K.DATE, width=13),
    Column("Granted", K.DATE, width=12),
    Column("Welcome confirmed", K.DATE, width=12),
    Column("Revoked", K.DATE, width=13, number_format="yyyy-mm-dd_)"),  # padded: apart from the reason
    Column("Revoke reason", width=24, wrap=True),
)


def export_seat_roster(
    path: str | Path,
    customer_id: int | None = None,
    *,
    ctx: Context | None = None,
    tz: tzinfo | None = None,
    scope: ReportScope | None = None,
) -> Path:
    """Write the seat roster of one customer, of the scope's customers, or of every customer not archived.

    A scope with a period lists the seats held at some time in it (days in the scope's zone, ``end`` excluded).

    Raises:
        ExportError: the file cannot be written. NotFound: a customer no longer exists.
    """
    ctx = ctx or Context()
    zone = (scope.tz if scope else tz) or datetime.now().astimezone().tzinfo
    since, until = scope.bounds if scope else (None, None)
    roster = seat_roster(customer_id, customer_ids=scope.customer_ids if scope else (), since=since, until=until)
    names = [c.name for c in roster.customers] if customer_id is not None or (scope and scope.customer_ids) else []
    filters = {"Customer" if len(names) == 1 else "Customers": ", ".join(names)} if names else {}
    if scope and (scope.start or scope.end):
        filters["Seats held"] = scope.period_label
    return write_seat_roster(roster, path, exported_at=ctx.now(), exported_by=ctx.actor, tz=zone, filters=filters)


def write_seat_roster(
    roster: SeatRoster,
    path: str | Path,
    *,
    exported_at: datetime,
    exported_by: str,
    tz: tzinfo | None = None,
    filters: Mapping[str, str] | None = None,
) -> Path:
    """Write ``roster``; ``filters`` (customers, period) are named in each sheet's header."""
    zone = tz or datetime.now().astimezone().tzinfo
    assert zone is not None
    one = (filters or {}).get("Customer")

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
        SheetSpec("Seats", SEAT_COLUMNS, _seat_rows(roster), header_lines=header("Portal seat roster"), data=True),
    ]
    props = DocProps(
        title="Portal seat roster" + (f": {one}" if one else ""),
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
