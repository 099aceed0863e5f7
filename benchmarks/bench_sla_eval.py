"""Time SLA evaluation of 100,000 generated ticket histories (target: under 2 s).

Run by hand: ``.venv/bin/python benchmarks/bench_sla_eval.py [--tickets N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from tamdesk.domain.calendar import BusinessCalendar
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaEvaluation, SlaPolicy, TicketEvent, TicketHistory, evaluate
from tamdesk.domain.states import TicketEventKind

START = datetime(2024, 10, 1, tzinfo=UTC)
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
CALENDARS = (
    BusinessCalendar("Europe/Berlin", country="DE"),
    BusinessCalendar("America/New_York", country="US"),
    BusinessCalendar("Europe/London", country="GB"),
    BusinessCalendar("Asia/Tokyo", country="JP"),
    BusinessCalendar("Australia/Sydney", country="AU"),
)
SEVERITY_WEIGHTS = {Severity.URGENT: 5, Severity.HIGH: 20, Severity.NORMAL: 45, Severity.LOW: 30}
RESPONSE_HOURS = {Severity.URGENT: 0.8, Severity.HIGH: 6.0, Severity.NORMAL: 20.0, Severity.LOW: 40.0}


T = TypeVar("T")
Raw = tuple[datetime, Severity, list[tuple[datetime, TicketEventKind]], BusinessCalendar]


def _raw_ticket(rng: random.Random) -> Raw:
    """One plausible ticket: a first response, updates, waits on the customer, usually a solve, sometimes a reopen."""
    severity = rng.choices(list(SEVERITY_WEIGHTS), weights=list(SEVERITY_WEIGHTS.values()))[0]
    opened = START + timedelta(minutes=rng.randrange(int((NOW - START).total_seconds() // 60)))
    scale = RESPONSE_HOURS[severity]
    at = opened + timedelta(hours=rng.expovariate(1 / scale))
    events = [(at, TicketEventKind.RESPONSE)]
    for _ in range(rng.randint(1, 8)):
        at += timedelta(hours=rng.expovariate(1 / (scale * 3)))
        roll = rng.random()
        if roll < 0.55:
            events.append((at, TicketEventKind.RESPONSE))
        elif roll < 0.8:
            events.append((at, TicketEventKind.WAITING_ON_CUSTOMER))
            at += timedelta(hours=rng.expovariate(1 / (scale * 4)))
            events.append((at, TicketEventKind.CUSTOMER_REPLIED))
        else:
            events.append((at, TicketEventKind.SOLVED))
            if rng.random() > 0.1:
                break
            at += timedelta(days=rng.randint(1, 10))
            events.append((at, TicketEventKind.REOPENED))
    if events[-1][1] is not TicketEventKind.SOLVED and NOW - opened > timedelta(days=21):
        events.append((at + timedelta(hours=rng.expovariate(1 / scale)), TicketEventKind.SOLVED))
    rng.shuffle(events)  # importers hand events over in any order
    return opened, severity, events, rng.choice(CALENDARS)


def _timed(label: str, work: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Run ``work`` ``repeat`` times; print and return the best wall time (the least disturbed run) and a result."""
    runs = []
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = work()
        runs.append((time.perf_counter() - started, time.process_time() - cpu_started))
    wall, cpu = min(runs)
    others = ", ".join(f"{run:.2f}" for run, _ in runs)
    print(f"{label}: {wall:.3f} s wall, {cpu:.3f} s CPU (best of {repeat}; runs {others} s)")
    return wall, result


def main() -> None:
    """Generate the tickets, build their histories, evaluate them all at one instant and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    policy = SlaPolicy.standard()
    raw = [_raw_ticket(rng) for _ in range(args.tickets)]
    print(f"{args.tickets:,} tickets, {sum(len(r[2]) for r in raw):,} events, 18 months, {len(CALENDARS)} calendars")
    print(f"load average before timing: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    started = time.perf_counter()
    for calendar in CALENDARS:  # holiday tables and business hours, built once per process
        calendar.elapsed(START, NOW)
    print(f"calendars warmed in {time.perf_counter() - started:.3f} s")

    def build() -> list[tuple[TicketHistory, BusinessCalendar]]:
        return [
            (TicketHistory(opened, severity, [TicketEvent(at, kind) for at, kind in events]), calendar)
            for opened, severity, events, calendar in raw
        ]

    _, tickets = _timed("histories built (validated, sorted)", build, 1)

    def evaluate_all() -> list[SlaEvaluation]:
        return [evaluate(history, policy, calendar, NOW) for history, calendar in tickets]

    wall, results = _timed(f"evaluated {args.tickets:,} tickets", evaluate_all, args.repeat)
    print(f"  = {wall / args.tickets * 1e6:.1f} µs per ticket; target < 2 s: {'met' if wall < 2 else 'NOT met'}")
    states = Counter(result.state.value for result in results)
    print("states:", ", ".join(f"{state} {count:,}" for state, count in states.most_common()))
    print(f"missed updates: {sum(result.missed_updates for result in results):,}")


if __name__ == "__main__":
    main()
