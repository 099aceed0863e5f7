"""Time sample-data generation at scale (target: 1,000 customers and 100,000 tickets in under 60 s).

Run by hand: ``.venv/bin/python benchmarks/bench_demo.py [--customers N] [--tickets N] [--seed S] [--keep FILE]``
(defaults 1000, 100000, 7). The database is a temporary SQLite file opened through ``open_database``, as the CLI
does; ``--keep`` writes it to FILE instead, to look at the result.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tamdesk.services.base import Context
from tamdesk.services.database import close_database, open_database
from tamdesk.services.demo import generate_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="write the database here instead of a temporary file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bench.db"
        open_database(path)
        marks: list[tuple[float, int]] = []
        started = time.perf_counter()
        try:
            summary = generate_demo(
                Context(actor="bench"),
                customers=args.customers,
                tickets=args.tickets,
                seed=args.seed,
                progress=lambda done, total: marks.append((time.perf_counter() - started, done)),
            )
        finally:
            close_database()
        elapsed = time.perf_counter() - started
        size = path.stat().st_size / 1e6
    rows = summary.tickets + summary.ticket_events
    print(summary.summary)
    print(
        f"{elapsed:.1f} s for {args.customers:,} customers and {args.tickets:,} tickets "
        f"({rows / elapsed:,.0f} ticket and event rows/s); customers written after {marks[1][0]:.1f} s; "
        f"{len(marks)} progress calls; database {size:.0f} MB"
    )
    print(
        f"also: {summary.onboarding_steps:,} onboarding steps, {summary.escalation_entries:,} escalation entries, "
        f"{summary.defect_links:,} defect links, {summary.defect_updates:,} defect updates, "
        f"{summary.people:,} people added"
    )


if __name__ == "__main__":
    main()
