"""The SLA workbook of 100,000 tickets, end to end, against bare openpyxl writing the same cells.

Run by hand: ``.venv/bin/python benchmarks/bench_sla_report.py [--db FILE] [--repeat N]``. Without ``--db`` it
fills a temporary SQLite file with ``generate_demo(customers=1000, tickets=100000)`` first (about half a minute).

Each variant runs in its own process, so its peak memory (ru_maxrss) is its own:

- "ours": ``export_sla_report`` end to end: tickets read, SLA recomputed from each history, figures, four sheets
  written through the shared writer (header blocks, formats, widths, filters, print setup, chart, text guarding).
- "bare": the same cells (gathered before the clock starts) converted to what openpyxl takes (naive local times,
  Yes/No text, hours as numbers) and appended to write-only sheets with no styling, as in bench_xlsx_write.py.

Targets (issue 6): ours <= 1.5x bare, ours peak < 400 MB. CPU time is compared (steadier on a shared machine);
wall time is printed too.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

TZ = ZoneInfo("Europe/Paris")
NOW = datetime.now(UTC).replace(microsecond=0)


def make_database(path: Path, customers: int, tickets: int) -> float:
    """Fill ``path`` with demo data; returns the seconds it took."""
    from tamdesk.services.base import Context
    from tamdesk.services.database import close_database, open_database
    from tamdesk.services.demo import generate_demo

    open_database(path)
    started = time.perf_counter()
    generate_demo(Context(actor="Bench", clock=lambda: NOW), customers=customers, tickets=tickets)
    close_database()
    return time.perf_counter() - started


def run_ours(db: Path, out: Path) -> dict[str, float]:
    from tamdesk.reports.sla import GATHERED, export_sla_report
    from tamdesk.services.base import Context
    from tamdesk.services.database import open_database
    from tamdesk.services.report_data import ReportScope

    open_database(db)
    marks: dict[str, float] = {}

    def progress(done: int, _total: int) -> None:
        if done >= GATHERED and "gathered" not in marks:
            marks["gathered"] = time.process_time()

    started = time.process_time()
    result = export_sla_report(out, ReportScope(tz=TZ), ctx=Context("Bench", lambda: NOW), progress=progress)
    marks["tickets"] = float(result.summary.split()[3].replace(",", ""))
    marks["gather_cpu"] = marks.pop("gathered") - started
    return marks


def domain_sheets(db: Path) -> list[tuple[str, list[Any]]]:
    """The rows of the SLA workbook's four sheets, as the report gathers them (before the clock starts)."""
    from tamdesk.reports import sla
    from tamdesk.services.database import open_database
    from tamdesk.services.report_data import ReportScope, sla_report

    open_database(db)
    report = sla_report(ReportScope(tz=TZ), NOW)
    header = [["SLA report"], ["Period: all dates"], ["Exported by Bench"], ["Filters: none"], ["SLA policy"], []]
    parts = [
        (
            "Summary",
            sla.SUMMARY_COLUMNS,
            [sla._summary_row(m) for m in report.months] + [sla._summary_row(report.total)],
        ),
        ("By customer", sla.CUSTOMER_COLUMNS, [sla._customer_row(c) for c in report.customers]),
        ("Breaches", sla.BREACH_COLUMNS, [sla._breach_row(b) for b in report.breaches]),
        ("Tickets", sla.TICKET_COLUMNS, [sla._ticket_row(t) for t in report.tickets]),
    ]
    return [(title, [*header, [c.title for c in columns], *rows]) for title, columns, rows in parts]


def plain(rows: Sequence[Sequence[Any]]) -> Iterator[list[Any]]:
    """The same cells as bare openpyxl needs them: naive local times, Yes/No text, hours as numbers."""
    for row in rows:
        out: list[Any] = []
        for value in row:
            if isinstance(value, datetime):
                value = value.astimezone(TZ).replace(tzinfo=None)
            elif isinstance(value, bool):
                value = "Yes" if value else "No"
            elif isinstance(value, timedelta):
                value = value.total_seconds() / 3600
            elif isinstance(value, str) and value[:1] in "=+-@":
                value = "'" + value  # bare openpyxl would make it a formula
            out.append(value)
        yield out


def run_bare(db: Path, out: Path) -> dict[str, float]:
    sheets = domain_sheets(db)
    wall, started = time.perf_counter(), time.process_time()
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in plain(rows):
            ws.append(row)
    wb.save(out)
    cells = float(sum(len(r) for _, rows in sheets for r in rows))
    return {"cells": cells, "write_cpu": time.process_time() - started, "write_seconds": time.perf_counter() - wall}


def measure(variant: str, db: Path) -> dict[str, float]:
    """Run one variant in this process: CPU and wall seconds, peak resident memory and file size in MB."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"{variant}.xlsx"
        wall, cpu = time.perf_counter(), time.process_time()
        extra = (run_ours if variant == "ours" else run_bare)(db, out)
        size = out.stat().st_size
    result = {"cpu": time.process_time() - cpu, "seconds": time.perf_counter() - wall, "file_mb": size / 1e6}
    if variant == "bare":  # gathering the cells is not bare openpyxl's work
        result["cpu"], result["seconds"] = extra["write_cpu"], extra["write_seconds"]
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {**result, **extra, "peak_mb": peak_kb / 1024}


def run_in_subprocess(variant: str, db: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--variant", variant, "--db", str(db)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(output.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing tamdesk database (default: generate one)")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each variant, interleaved; the best counts")
    parser.add_argument("--variant", choices=["ours", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure(args.variant, args.db)))
        return
    with tempfile.TemporaryDirectory() as folder:
        db = args.db
        if db is None:
            db = Path(folder) / "bench.db"
            seconds = make_database(db, args.customers, args.tickets)
            print(f"Demo data: {args.customers:,} customers, {args.tickets:,} tickets in {seconds:.0f} s")
        report(args.repeat, db)


def report(repeat: int, db: Path) -> None:
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "ours": []}
    for _ in range(repeat):
        for variant, results in runs.items():
            results.append(run_in_subprocess(variant, db))
    best = {variant: min(results, key=lambda r: r["cpu"]) for variant, results in runs.items()}
    ours, bare = best["ours"], best["bare"]
    print(f"SLA workbook of {ours['tickets']:,.0f} tickets, {bare['cells']:,.0f} cells; best of {repeat} (CPU seconds)")
    print(f"bare  write {bare['cpu']:6.1f} s CPU                    {bare['seconds']:6.1f} s wall")
    print(
        f"ours  total {ours['cpu']:6.1f} s CPU ({ours['gather_cpu']:.1f} gathering)  {ours['seconds']:6.1f} s wall  "
        f"peak {ours['peak_mb']:4.0f} MB  file {ours['file_mb']:.1f} MB"
    )
    ratio = ours["cpu"] / bare["cpu"]
    peak = max(r["peak_mb"] for r in runs["ours"])
    print(f"ours/bare {ratio:.2f}x (target <= 1.5x); ours peak {peak:.0f} MB (target < 400 MB)")


if __name__ == "__main__":
    main()
