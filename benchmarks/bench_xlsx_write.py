"""How much the shared xlsx writer costs over bare openpyxl: 100,000 rows x 14 mixed columns.

Run: ``.venv/bin/python benchmarks/bench_xlsx_write.py [--rows N]``. Each variant runs in its own process so that
its peak memory (ru_maxrss) is its own. Targets: ours <= 1.5x bare, peak < 400 MB.

"Bare" appends the same cells (already converted: naive local datetimes, Yes/No text, hours as numbers) to an
openpyxl write-only sheet with no styling; "ours" gives the writer the domain's values (timezone-aware datetimes,
bools, timedeltas) and gets the header block, number formats, widths, filter, print setup and text guarding.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from tamdesk.reports.xlsx import Column, ColumnKind, DocProps, SheetSpec, write_workbook

TZ = ZoneInfo("Europe/Paris")
K = ColumnKind
COLUMNS = [
    Column("Ticket"),
    Column("Customer"),
    Column("Subject"),
    Column("Severity"),
    Column("Status"),
    Column("Opened", K.DATETIME),
    Column("First response due", K.DATETIME),
    Column("First response", K.DATETIME),
    Column("First response met", K.YES_NO),
    Column("Missed updates", K.INT),
    Column("Resolved", K.DATETIME),
    Column("Hours to resolve", K.DURATION_HOURS),
    Column("Escalated", K.YES_NO),
    Column("Defect"),
]
SUBJECTS = ["Login fails after SSO change", '=HYPERLINK("http://x","y")', "Export times out", "-2 nodes down"]


def domain_rows(count: int) -> Iterator[tuple[Any, ...]]:
    """Rows as a report service would produce them."""
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    for i in range(count):
        opened = start + timedelta(minutes=7 * i)
        yield (
            f"T-{100000 + i}",
            f"Customer {i % 250}",
            f"{SUBJECTS[i % len(SUBJECTS)]} #{i}",
            f"{i % 4 + 1} Urgent",
            "Solved" if i % 3 else "Open",
            opened,
            opened + timedelta(hours=2),
            opened + timedelta(minutes=45) if i % 5 else None,
            i % 5 != 0,
            i % 4,
            opened + timedelta(hours=30) if i % 3 else None,
            timedelta(hours=30) if i % 3 else None,
            i % 11 == 0,
            f"ENG-{i}" if i % 9 == 0 else None,
        )


def bare_rows(count: int) -> Iterator[list[Any]]:
    """The same cells, converted by hand as bare openpyxl needs them."""
    for row in domain_rows(count):
        out: list[Any] = []
        for column, value in zip(COLUMNS, row, strict=True):
            if isinstance(value, datetime):
                value = value.astimezone(TZ).replace(tzinfo=None)
            elif isinstance(value, bool):
                value = "Yes" if value else "No"
            elif isinstance(value, timedelta):
                value = value.total_seconds() / 3600
            elif column.kind is K.TEXT and isinstance(value, str) and value.startswith("="):
                value = "'" + value  # bare openpyxl would make it a formula
            out.append(value)
        yield out


def run_bare(path: Path, count: int) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tickets")
    ws.append([c.title for c in COLUMNS])
    for row in bare_rows(count):
        ws.append(row)
    wb.save(path)


def run_ours(path: Path, count: int) -> None:
    sheet = SheetSpec(
        "Tickets",
        COLUMNS,
        domain_rows(count),
        header_lines=["SLA report", "Exported 2026-03-10 15:30 by Tess Tam", "Times are in Europe/Paris"],
    )
    write_workbook(path, [sheet], properties=DocProps(title="SLA report", creator="Tess Tam"), tz=TZ)


def measure(variant: str, count: int) -> dict[str, float]:
    """Run one variant in this process: wall and CPU seconds, peak resident memory and file size in MB."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{variant}.xlsx"
        started, cpu_started = time.perf_counter(), time.process_time()
        (run_ours if variant == "ours" else run_bare)(path, count)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        size = path.stat().st_size
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024, "file_mb": size / 1e6}


def run_in_subprocess(variant: str, rows: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--variant", variant, "--rows", str(rows)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each variant, interleaved; the best counts")
    parser.add_argument("--variant", choices=["ours", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(measure(args.variant, args.rows)))
        return
    runs: dict[str, list[dict[str, float]]] = {"bare": [], "ours": []}
    for _ in range(args.repeat):
        for variant, results in runs.items():
            results.append(run_in_subprocess(variant, args.rows))
    best = {variant: min(results, key=lambda r: r["cpu"]) for variant, results in runs.items()}
    print(f"{args.rows:,} rows x {len(COLUMNS)} columns, best of {args.repeat} (CPU time: steadier on a busy machine)")
    for variant, r in best.items():
        print(
            f"{variant:5} {r['cpu']:6.1f} s CPU  {r['seconds']:6.1f} s wall  "
            f"peak {r['peak_mb']:4.0f} MB  file {r['file_mb']:4.1f} MB"
        )
    ratio = best["ours"]["cpu"] / best["bare"]["cpu"]
    peak = max(r["peak_mb"] for r in runs["ours"])
    print(f"ours/bare {ratio:.2f}x (target <= 1.5x); ours peak {peak:.0f} MB (target < 400 MB)")


if __name__ == "__main__":
    main()
