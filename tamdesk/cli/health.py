"""``tamdesk health [--customer NAME] [--record]`` and ``tamdesk health weights [--set FACTOR=POINTS …]``.

Without ``--customer`` every customer that is not archived is listed, the least healthy first, with the reason that
takes the most points; with it, one customer's score, band, every reason and the weekly trend. ``--record`` stores
this week's snapshot of every customer first (as the app does once a day).
"""

from __future__ import annotations

import argparse
from typing import Any

from tamdesk.cli.common import CommandFailed
from tamdesk.cli.text import plural, table
from tamdesk.domain.health import AMBER_FROM, GREEN_FROM, Band, Factor, Health, trend_line
from tamdesk.models import tables as t
from tamdesk.services.base import Context, tuples
from tamdesk.services.customers import customer_by_name
from tamdesk.services.health import (
    all_health,
    customer_health,
    get_weights,
    health_history,
    record_week,
    set_weights,
)

HELP = "customer health: score 0-100, band and the reasons that took points off"
TREND_WEEKS = 12


def register(commands: Any, groups: dict[str, Any]) -> None:
    parser = commands.add_parser(
        "health",
        help=HELP,
        usage="tamdesk health [-h] [--customer NAME] [--record]\n       tamdesk health weights [--set FACTOR=POINTS …]",
        description=f"Customer health: a score from 0 to 100 (green from {GREEN_FROM}, amber from {AMBER_FROM}, "
        "red below), explained by the reasons that took points off. Weights: `tamdesk health weights`.",
    )
    parser.add_argument("--customer", metavar="NAME", help="one customer (the start of its name will do)")
    parser.add_argument("--record", action="store_true", help="store this week's snapshot of every customer first")
    parser.set_defaults(handler=_show)
    actions = parser.add_subparsers(dest="kind", metavar="ACTION")
    weights = actions.add_parser("weights", help="show the weights, or change some with --set")
    weights.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FACTOR=POINTS",
        help=f"the most points a factor takes off, a whole number 0-100; factors: {', '.join(f.value for f in Factor)}",
    )
    weights.set_defaults(handler=_weights)


def _band(health: Health) -> str:
    return health.band.label


def _show(args: argparse.Namespace, ctx: Context) -> str:
    now = ctx.now()
    recorded = ""
    if args.record:
        count = record_week(ctx, now)
        recorded = f"Recorded this week's health of {plural(count, 'customer')}."
    if args.customer is not None:
        customer = customer_by_name(args.customer)
        health = customer_health(customer.id, now)
        lines = [f"{customer.name}: {health.score} ({_band(health)})", *(f"  {r}" for r in health.reasons)]
        if not health.reasons:
            lines.append("  Nothing takes points off.")
        history = health_history(customer.id, TREND_WEEKS)
        bars = trend_line([p.score for p in history])
        if len(history) > 1:
            first, last = history[0], history[-1]
            lines.append(
                f"Trend: {bars} from {first.score} in the week of {first.week.isoformat()} to {last.score} in the "
                f"week of {last.week.isoformat()}"
            )
        elif history:
            only = history[0]
            lines.append(f"Trend: {bars} {only.score} in the week of {only.week.isoformat()} (one weekly snapshot)")
        else:
            lines.append("Trend: no weekly snapshot yet (tamdesk health --record takes one).")
        return "\n".join([*([recorded] if recorded else []), *lines])
    healths = all_health(now)
    if not healths:
        return recorded or "No customers yet."
    names = dict(tuples(t.Customer.select(t.Customer.id, t.Customer.name).where(t.Customer.id.in_(list(healths)))))
    order = sorted(healths, key=lambda cid: (healths[cid].score, str(names[cid]).casefold()))
    rows = [
        (str(names[cid]), str(healths[cid].score), _band(healths[cid]),
         str(healths[cid].reasons[0]) if healths[cid].reasons else "")
        for cid in order
    ]  # fmt: skip
    counts = {band: sum(1 for h in healths.values() if h.band is band) for band in Band}
    summary = f"{plural(len(healths), 'customer')}: " + ", ".join(f"{counts[b]} {b.value}" for b in Band) + "."
    lines = table(("Customer", "Score", "Band", "Biggest reason"), rows, right=frozenset({1}))
    return "\n".join([*([recorded] if recorded else []), *lines, summary])


def _weights(args: argparse.Namespace, ctx: Context) -> str:
    if args.set:
        values: dict[str, str] = {}
        for item in args.set:
            name, sep, points = item.partition("=")
            if not sep:
                raise CommandFailed(f"--set '{item}' is not FACTOR=POINTS, such as open_escalations=20.")
            values[name.strip()] = points.strip()
        weights = set_weights(ctx, values)
        head = f"Health weights saved; they sum to {weights.total}."
    else:
        weights = get_weights()
        head = f"Health weights (they sum to {weights.total}):"
    rows = [(factor.value, str(weights.of(factor)), factor.label) for factor in Factor]
    return "\n".join([head, *table(("Factor", "Points", "What"), rows, right=frozenset({1}))])
