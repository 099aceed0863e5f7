"""``tamdesk export calendar --out FILE.ics [--mine]``: everything that falls due, as an iCalendar file.

Run it on a schedule (cron, Task Scheduler) to the file a calendar subscribes to: each run replaces the file in one
step and keeps every event's UID, so the calendar updates its events instead of adding new ones.
"""

from __future__ import annotations

import argparse
from typing import Any

from tamdesk.services.base import Context
from tamdesk.services.calendar_export import export_calendar


def register(commands: Any, groups: dict[str, Any]) -> None:
    parser = groups["export"].add_parser(
        "calendar",
        help="an iCalendar file of everything that falls due",
        description="Write an iCalendar (.ics) file of onboarding steps, follow-ups, SLA and defect customer-update "
        "deadlines, escalation next steps and renewals, each with a reminder. Re-exporting to the same file updates "
        "the events a calendar already has.",
    )
    parser.add_argument("--out", required=True, metavar="FILE", help="the .ics file to write or replace")
    parser.add_argument(
        "--mine", action="store_true", help="only the customers whose TAM you are (your name in Settings › You)"
    )
    parser.set_defaults(handler=_export)


def _export(args: argparse.Namespace, ctx: Context) -> str:
    return export_calendar(args.out, ctx, mine=args.mine).summary
