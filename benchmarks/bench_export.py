"""The SLA workbook export against its floor: xlsxwriter in constant-memory mode writing the same cells.

Run by hand (``make bench`` runs it at 100k): ::

    .venv/bin/python benchmarks/bench_export.py [--size 10k|100k|1M] [--db PATH | --db postgresql://…] [--repeat N]

Without ``--db`` it fills a temporary SQLite file with ``generate_demo`` at ``--size`` tickets (a customer per
hundred tickets) first. ``--db`` takes a tamdesk database file or a team database URL, parsed as the app parses
it; a database without tickets is filled with the sample first, one with tickets is measured as it is.

The SLA review is gathered once (its time is printed), then, in the same process and interleaved ``--repeat``
times (the best counts; CPU seconds, steadier on a shared machine, with wall seconds beside them):

- "ours": ``write_sla_report`` from the gathered review to the file: its nine sheets through the shared writer
  (rows built from the report's lines, header blocks, number formats, widths, wrapped-row heights, tables,
  filters, conditional colour bands, the trend chart, print setup, text guarded against formulas);
- "floor": the same cells (captured from ours) converted to what xlsxwriter takes (naive local times, Yes/No text,
  hours as numbers) and written with ``write_row`` to a constant-memory xlsxwriter workbook with no formatting.

Target (issue 19): ours within 1.5x of the floor.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import xlsxwriter

from tamdesk.models.tables import Ticket
from tamdesk.reports import sla
from tamdesk.reports.xlsx import SheetSpec
from tamdesk.services.base import Context
from tamdesk.services.database import close_database, open_database
from tamdesk.services.demo import generate_demo
from tamdesk.services.report_data import ReportScope
from tamdesk.services.sla_review import SlaReview, sla_review

TZ = ZoneInfo("Europe/Paris")
NOW = datetime.now(UTC).replace(microsecond=0)
Sheet = tuple[str, list[list[Any]]]


def size(text: str) -> int:
    """``10k``, ``100k``, ``1M`` or a plain number of tickets."""
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def build_sample(db: str | Path, tickets: int) -> float | None:
    """Fill ``db`` with demo data unless it has tickets; returns the seconds it took (None: it had tickets)."""
    open_database(db, create=True)
    if Ticket.select().exists():
        close_database()
        return None
    started = time.perf_counter()
    generate_demo(Context(actor="Bench", clock=lambda: NOW), customers=max(40, tickets // 100), tickets=tickets)
    close_database()
    return time.perf_counter() - started


def write_ours(review: SlaReview, out: Path) -> None:
    sla.write_sla_report(review, out, exported_at=NOW, exported_by="Bench")


def captured_cells(review: SlaReview) -> list[Sheet]:
    """Every row of every sheet ours writes (header block, header row, data, totals), as the writer receives them."""
    sheets: list[Sheet] = []

    def capture(_path: Any, specs: Sequence[SheetSpec], **_options: Any) -> Path:
        for spec in specs:
            top = [] if spec.data else [[line] for line in spec.header_lines] + ([[]] if spec.header_lines else [])
            totals = [list(spec.totals)] if spec.totals is not None else []
            rows = [*top, [c.title for c in spec.columns], *(list(r) for r in spec.rows), *totals]
            sheets.append((spec.title, rows))
        return Path(_path)

    with mock.patch.object(sla, "write_workbook", capture):
        write_ours(review, Path("unused.xlsx"))
    return sheets


def plain(rows: list[list[Any]]) -> Iterator[list[Any]]:
    """The cells as xlsxwriter takes them: naive local times, Yes/No text, hours as numbers, no NaN."""
    for row in rows:
        out: list[Any] = []
        for value in row:
            if isinstance(value, datetime):
                value = value.astimezone(TZ).replace(tzinfo=None)
            elif isinstance(value, bool):
                value = "Yes" if value else "No"
            elif isinstance(value, timedelta):
                value = value.total_seconds() / 3600
            elif isinstance(value, float) and not math.isfinite(value):
                value = None
            out.append(value)
        yield out


def write_floor(sheets: list[Sheet], out: Path) -> None:
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,  # text stays text, as in ours
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_date_format": "yyyy-mm-dd hh:mm",  # dates are dates: no other format
    }
    with xlsxwriter.Workbook(str(out), options) as wb:
        for title, rows in sheets:
            ws = wb.add_worksheet(title[:31])
            for number, row in enumerate(plain(rows)):
                ws.write_row(number, 0, row)


def timed(run: Callable[[Path], None], folder: Path, name: str) -> dict[str, float]:
    out = folder / f"{name}.xlsx"
    wall, cpu = time.perf_counter(), time.process_time()
    run(out)
    result = {"cpu": time.process_time() - cpu, "seconds": time.perf_counter() - wall, "mb": out.stat().st_size / 1e6}
    out.unlink()
    return result


def measure(db: str | Path, repeat: int) -> None:
    open_database(db)
    wall, cpu = time.perf_counter(), time.process_time()
    review = sla_review(ReportScope(tz=TZ), NOW)
    gather = {"cpu": time.process_time() - cpu, "seconds": time.perf_counter() - wall}
    sheets = captured_cells(review)
    cells = sum(len(row) for _, rows in sheets for row in rows)
    runs: dict[str, list[dict[str, float]]] = {"floor": [], "ours": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(repeat):
            runs["floor"].append(timed(lambda out: write_floor(sheets, out), Path(folder), "floor"))
            runs["ours"].append(timed(lambda out: write_ours(review, out), Path(folder), "ours"))
    close_database()
    best = {variant: min(results, key=lambda r: r["cpu"]) for variant, results in runs.items()}
    ours, floor = best["ours"], best["floor"]
    tickets = len(review.report.tickets)
    print(f"SLA workbook of {tickets:,} tickets: {len(sheets)} sheets, {cells:,} cells; best of {repeat}")
    print(f"gather (not compared)   {gather['cpu']:6.1f} s CPU  {gather['seconds']:6.1f} s wall")
    for name, r in (("floor: xlsxwriter", floor), ("ours: write_sla_report", ours)):
        print(f"{name:<23} {r['cpu']:6.1f} s CPU  {r['seconds']:6.1f} s wall  file {r['mb']:5.1f} MB")
    ratio = ours["cpu"] / floor["cpu"]
    print(f"ours/floor {ratio:.2f}x CPU, {ours['seconds'] / floor['seconds']:.2f}x wall (target <= 1.5x)")
    total = gather["cpu"] + ours["cpu"]
    print(f"export end to end (gather + ours) {total:.1f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=size, default=100_000, help="tickets in the generated sample: 10k, 100k, 1M")
    parser.add_argument("--db", help="an existing tamdesk database: a file or postgresql://user@host:port/name")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each variant, interleaved; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or Path(folder) / "bench.db"
        seconds = build_sample(db, args.size)
        if seconds is not None:
            print(f"Sample: {args.size:,} tickets in {seconds:.0f} s")
        measure(db, args.repeat)


if __name__ == "__main__":
    main()
