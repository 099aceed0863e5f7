"""SLA, defect and escalation workbooks from the command line (DESIGN.md §5), e.g. for a scheduled weekly report:

``tamdesk export sla --out sla.xlsx --from 2026-03-02 --to 2026-03-08 --tz Europe/Berlin`` (both days included).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, timedelta, tzinfo
from typing import Any

from tamdesk.cli.common import CommandFailed
from tamdesk.domain.timestamps import zone
from tamdesk.reports.defects import export_defect_report
from tamdesk.reports.escalations import export_escalation_log
from tamdesk.reports.sla import ExportedReport, export_sla_report
from tamdesk.services.base import Context
from tamdesk.services.customers import customer_by_name
from tamdesk.services.report_data import ReportScope, local_zone

Export = Callable[..., ExportedReport]
KINDS: tuple[tuple[str, str, str, Export], ...] = (
    ("sla", "the SLA workbook", "tickets opened", export_sla_report),
    ("defects", "the defect workbook", "fixes deployed (open defects are always listed)", export_defect_report),
    ("escalations", "the escalations log", "escalations opened", export_escalation_log),
)


def register(commands: Any, groups: dict[str, Any]) -> None:
    for kind, help_text, period_of, export in KINDS:
        parser = groups["export"].add_parser(kind, help=help_text, description=f"Write {help_text} to FILE.")
        parser.add_argument("--out", required=True, metavar="FILE")
        parser.add_argument("--from", dest="start", metavar="DATE", help=f"first day of {period_of} (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", metavar="DATE", help="last day of the period (included)")
        parser.add_argument(
            "--customer", action="append", metavar="NAME", help="only this customer (repeat for several)"
        )
        parser.add_argument("--tz", metavar="ZONE", help="the report's time zone, e.g. Europe/Berlin (default: yours)")
        parser.set_defaults(handler=_handler(export))


def _handler(export: Export) -> Callable[[argparse.Namespace, Context], str]:
    def handle(args: argparse.Namespace, ctx: Context) -> str:
        result = export(args.out, scope_from(args), ctx=ctx)
        return f"{result.summary} written to {result.path}."

    return handle


def scope_from(args: argparse.Namespace) -> ReportScope:
    """The report scope the options ask for; a bad date, zone or customer name fails the command."""
    tz = _zone(args.tz) if args.tz else local_zone()
    start = _date("--from", args.start)
    last = _date("--to", args.end)
    if start and last and start > last:
        raise CommandFailed(f"--from {start.isoformat()} must not be after --to {last.isoformat()}.")
    end = last + timedelta(days=1) if last else None  # the scope's end is the first day after the period
    customers = frozenset(customer_by_name(name).id for name in args.customer or ())
    return ReportScope(tz=tz, start=start, end=end, customer_ids=customers)


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandFailed(f"{option} '{text}' is not a date such as 2026-03-01.") from None


def _zone(text: str) -> tzinfo:
    try:
        return zone(text)
    except ValueError as exc:
        raise CommandFailed(f"--tz {exc}.") from None
