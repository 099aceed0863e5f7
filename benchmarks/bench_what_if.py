"""What-if over the 100,000-ticket sample: a draft compared with the rules in force, against evaluating once.

Run by hand: ``.venv/bin/python benchmarks/bench_what_if.py [--db FILE] [--repeat N]``. Without ``--db`` it fills a
temporary SQLite file with the sample first (``tamdesk demo --customers 1000 --tickets 100000 --seed 3``, about a
minute); pass the file that command made to skip that.

Each variant runs ``services.what_if.compare`` over the last 12 months as of the newest ticket, in its own process:

- "floor": a calendar draft equal to the saved hours, so every ticket is read and evaluated once (what the SLA
  report's evaluation costs for the same tickets);
- "policy": Standard's Sev2 first response 2 → 1 business hour (Sev2 tickets evaluated twice, on Standard only);
- "policy, all severities": every Standard target shortened (every Standard ticket evaluated twice);
- "calendar": every customer's weekdays closing at 17:00 instead of 18:00 (every business-hours ticket twice).

Target (issue 15): under 5 s for the sample. CPU time is compared (steadier on a shared machine); wall time too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Paris")
VARIANTS = ("floor", "policy", "policy, all severities", "calendar")


def make_database(path: Path, customers: int, tickets: int, seed: int) -> float:
    """Fill ``path`` with the sample, as ``tamdesk demo`` does; returns the seconds it took."""
    from tamdesk.services.base import Context
    from tamdesk.services.database import close_database, open_database
    from tamdesk.services.demo import generate_demo

    open_database(path, create=True)
    started = time.perf_counter()
    generate_demo(Context(actor="Bench"), customers=customers, tickets=tickets, seed=seed)
    close_database()
    return time.perf_counter() - started


def _draft(variant: str) -> object:
    from tamdesk.domain.severity import Severity
    from tamdesk.domain.sla import SeverityTarget
    from tamdesk.models import tables as t
    from tamdesk.services.sla import calendar, policy
    from tamdesk.services.what_if import CalendarDraft, PolicyDraft

    standard = int(t.SlaPolicy.get(t.SlaPolicy.name == "Standard").id)
    calendar_id = int(t.BusinessCalendar.select().first().id)
    if variant == "floor":
        return CalendarDraft(calendar_id, dict(calendar(calendar_id, "UTC", "").weekly_hours))
    if variant == "calendar":
        return CalendarDraft(calendar_id, {day: ((clock_time(9), clock_time(17)),) for day in range(5)})
    targets = dict(policy(standard).targets)
    shortened = [Severity.HIGH] if variant == "policy" else list(Severity)
    for severity in shortened:
        old = targets[severity]
        targets[severity] = SeverityTarget(old.first_response / 2, old.update_cadence, old.clock)
    return PolicyDraft(standard, targets, 0.75)


def measure(variant: str, db: Path) -> dict[str, float]:
    """One comparison in this process: CPU and wall seconds, tickets evaluated, verdicts changed."""
    from tamdesk.services.database import open_database
    from tamdesk.services.what_if import compare

    open_database(db)
    from tamdesk.models.db import database

    newest = database.execute_sql("SELECT MAX(opened_at) FROM ticket").fetchone()[0]
    now = datetime.fromtimestamp(newest, UTC) + timedelta(minutes=1)
    draft = _draft(variant)
    wall, cpu = time.perf_counter(), time.process_time()
    result = compare(draft, now, tz=TZ)  # type: ignore[arg-type]
    return {
        "cpu": time.process_time() - cpu,
        "seconds": time.perf_counter() - wall,
        "tickets": float(result.tickets),
        "changed": float(len(result.changes)),
    }


def run_in_subprocess(variant: str, db: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--variant", variant, "--db", str(db)], check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="an existing sample database (default: make one)")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variant", choices=VARIANTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure(args.variant, args.db)))
        return
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            db = Path(folder) / "bench.db"
            seconds = make_database(db, args.customers, args.tickets, args.seed)
            print(f"Sample: {args.customers:,} customers, {args.tickets:,} tickets in {seconds:.0f} s")
        report(args.repeat, db)


def report(repeat: int, db: Path) -> None:
    best: dict[str, dict[str, float]] = {}
    for _ in range(repeat):
        for variant in VARIANTS:
            run = run_in_subprocess(variant, db)
            if variant not in best or run["cpu"] < best[variant]["cpu"]:
                best[variant] = run
    floor = best["floor"]["cpu"]
    print(f"What-if over the last 12 months; best of {repeat} (CPU seconds, wall seconds)")
    for variant, run in best.items():
        ratio = "" if variant == "floor" else f"  {run['cpu'] / floor:4.2f}x floor"
        print(
            f"{variant:24} {run['cpu']:5.2f} s CPU {run['seconds']:5.2f} s wall  {run['tickets']:7,.0f} tickets  "
            f"{run['changed']:6,.0f} changed{ratio}"
        )
    worst = max(run["cpu"] for run in best.values())
    print(f"slowest {worst:.2f} s CPU (target < 5 s)")


if __name__ == "__main__":
    main()
