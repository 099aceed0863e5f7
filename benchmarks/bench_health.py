"""Customer health of every customer on the 100,000-ticket sample, against the floor of evaluating its tickets.

Run by hand: ``.venv/bin/python benchmarks/bench_health.py [--db FILE] [--repeat N]``. Without ``--db`` it fills a
temporary SQLite file with the sample first (``tamdesk demo --customers 1000 --tickets 100000 --seed 3``, about
half a minute); pass the file that command made to skip that.

- "health": ``services.health.all_health`` at the newest ticket's time: every customer's facts (a handful of GROUP BY
  queries, the SLA breaches of the last 90 days recomputed from each ticket's history, Today's overdue defect
  updates) and the scores;
- "floor": the part no correct count of breaches avoids: the window's tickets and events read and each ticket
  evaluated once by ``domain.sla.evaluate``, nothing else.

Target (issue 17): health under 2 s. The first run pays for imports and holiday tables loading (printed apart);
the best of the others is what a running app sees. The verdict reads CPU time, steadier on a shared machine (on
an idle one wall time is the same); wall time is printed too.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TARGET_SECONDS = 2.0


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


def newest_ticket() -> datetime:
    from tamdesk.models.db import database

    (latest,) = database.execute_sql("SELECT MAX(opened_at) FROM ticket").fetchone()
    return datetime.fromtimestamp(int(latest), UTC) + timedelta(hours=1)


def floor(now: datetime) -> int:
    """The window's tickets and events read, each ticket evaluated once; returns how many breached."""
    from tamdesk.domain.health import BREACH_WINDOW_DAYS
    from tamdesk.domain.severity import Severity
    from tamdesk.domain.sla import TicketEvent, TicketHistory, evaluate
    from tamdesk.domain.states import TicketEventKind
    from tamdesk.models.db import database
    from tamdesk.services.sla import SlaResolver

    p = database.obj.param
    since, until = int((now - timedelta(days=BREACH_WINDOW_DAYS)).timestamp()), int(now.timestamp())
    where = f"t.opened_at >= {p} AND t.opened_at <= {p}"
    tickets = list(database.execute_sql(f"SELECT t.id, t.customer_id, t.severity, t.opened_at FROM ticket t "
                                        f"WHERE {where}", [since, until]))  # fmt: skip
    kinds = {k.value: k for k in TicketEventKind}
    events: dict[int, list[TicketEvent]] = {}
    sql = f"SELECT e.ticket_id, e.at, e.kind FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id WHERE {where}"
    for tid, at, kind in database.execute_sql(sql, [since, until]):
        events.setdefault(tid, []).append(TicketEvent(datetime.fromtimestamp(at, UTC), kinds[kind]))
    resolver = SlaResolver()
    breached = 0
    for tid, cid, severity, opened_at in tickets:
        opened = datetime.fromtimestamp(opened_at, UTC)
        history = TicketHistory(opened, Severity(severity), events.get(tid, ()))
        sla = evaluate(history, resolver.policy(cid, opened), resolver.calendar(cid), now)
        breached += sla.first_response_met is False or sla.missed_updates > 0
    return breached


def timed(work: Callable[[], Any], repeat: int) -> tuple[tuple[float, float], tuple[float, float], Any]:
    """(first wall, first CPU), (best wall, best CPU of the later runs), a result."""
    runs = []
    result = None
    for _ in range(repeat + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return runs[0], min(runs[1:], key=lambda run: run[1]), result


def report(db: Path, repeat: int) -> None:
    from collections import Counter

    from tamdesk.services.database import open_database
    from tamdesk.services.health import all_health

    open_database(db)
    now = newest_ticket()
    first, best, healths = timed(lambda: all_health(now), repeat)
    _, floor_best, breached = timed(lambda: floor(now), repeat)
    bands = Counter(h.band.value for h in healths.values())
    print(f"Health of {len(healths):,} customers at {now:%Y-%m-%d %H:%M} UTC; best of {repeat} after a first run")
    print(f"health  {best[1]:5.2f} s CPU {best[0]:5.2f} s wall  (first run {first[0]:.2f} s wall)  "
          f"{bands['green']} green, {bands['amber']} amber, {bands['red']} red")  # fmt: skip
    print(f"floor   {floor_best[1]:5.2f} s CPU {floor_best[0]:5.2f} s wall  ({breached:,} tickets breached in 90 days)")
    verdict = "met" if best[1] < TARGET_SECONDS else "MISSED"
    ratio = best[1] / floor_best[1]
    load = os.getloadavg()[0]
    print(f"health {best[1]:.2f} s CPU, {ratio:.2f}x floor; target < {TARGET_SECONDS:.0f} s {verdict} "
          f"(load average {load:.1f} on {os.cpu_count()} CPUs: wall time waits for the others)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="an existing sample database (default: make one)")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            db = Path(folder) / "bench.db"
            seconds = make_database(db, args.customers, args.tickets, args.seed)
            print(f"Sample: {args.customers:,} customers, {args.tickets:,} tickets in {seconds:.0f} s")
        report(db, args.repeat)


if __name__ == "__main__":
    main()
