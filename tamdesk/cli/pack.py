"""``tamdesk report pack``: every workbook of a period into one folder, optionally emailed (DESIGN.md §5).

Made for a scheduled job, e.g. on the 1st of each month (cron)::

    0 7 1 * * tamdesk --db ~/tamdesk.db report pack --out-dir ~/Reports --email manager@vendor.example
"""

from __future__ import annotations

import argparse
from datetime import date, tzinfo
from typing import Any

from tamdesk.cli.common import CommandFailed, date_option
from tamdesk.domain.timestamps import zone
from tamdesk.reports.pack import write_pack
from tamdesk.secrets import SecretStore
from tamdesk.services.base import Context
from tamdesk.services.email import load_smtp_settings
from tamdesk.services.report_data import local_zone
from tamdesk.services.report_pack import PERIOD_NAMES, PackPeriod, custom_period, named_period, parse_recipients

HELP = "write every workbook of a period (SLA, defects, escalations, seats, onboarding) to a folder, and email them"


def register(commands: Any, groups: dict[str, Any]) -> None:
    report = commands.add_parser("report", help="report packs for managers", description="Report packs for managers.")
    actions = report.add_subparsers(dest="kind", metavar="ACTION", required=True)
    pack = actions.add_parser(
        "pack",
        help=HELP,
        description=f"{HELP[:1].upper()}{HELP[1:]}: tamdesk-sla-2026-11.xlsx and so on. Nothing is kept unless "
        "every workbook was written (and, with --email, sent).",
    )
    pack.add_argument("--out-dir", required=True, metavar="DIR", help="an existing folder")
    pack.add_argument(
        "--period",
        choices=PERIOD_NAMES,
        help="the period, as of today in --tz (default: last-month); or give --from and --to",
    )
    pack.add_argument("--from", dest="start", metavar="DATE", help="first day of the period (YYYY-MM-DD)")
    pack.add_argument("--to", dest="end", metavar="DATE", help="last day of the period (included)")
    pack.add_argument(
        "--email",
        action="append",
        metavar="ADDRESS",
        help="send the workbooks to this address through the SMTP server of Settings > Email (repeat, or separate "
        "addresses with commas)",
    )
    pack.add_argument("--tz", metavar="ZONE", help="the reports' time zone, e.g. Europe/Berlin (default: yours)")
    pack.set_defaults(handler=_report_pack)


def _report_pack(args: argparse.Namespace, ctx: Context) -> str:
    tz = _zone(args.tz) if args.tz else local_zone()
    recipients = parse_recipients(args.email or ())
    period = _period(args, ctx.now().astimezone(tz).date())
    smtp = load_smtp_settings() if recipients else None
    secret_store = SecretStore() if recipients else None  # only a send needs the keyring: no notice otherwise
    result = write_pack(ctx, period, args.out_dir, tz=tz, recipients=recipients, smtp=smtp, secret_store=secret_store)
    return result.summary


def _period(args: argparse.Namespace, today: date) -> PackPeriod:
    if args.start is None and args.end is None:
        return named_period(args.period or "last-month", today)
    if args.period is not None:
        raise CommandFailed("Give either --period or --from and --to, not both.")
    if args.start is None or args.end is None:
        raise CommandFailed("Give both --from and --to (the first and the last day of the period).")
    return custom_period(date_option("--from", args.start), date_option("--to", args.end))


def _zone(text: str) -> tzinfo:
    try:
        return zone(text)
    except ValueError as exc:
        raise CommandFailed(f"--tz {exc}.") from None
