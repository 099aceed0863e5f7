"""Time a 100,000-row Zendesk ticket export imported from .csv and .xlsx against the floor (target: at most 2×).

The floor reads the same file (the csv module for .csv, python-calamine for .xlsx) and writes the same rows with
a raw sqlite3 ``executemany`` (tickets, then their response and solve events) into the same schema: no checking,
no date parsing, no customer matching. The import does all of that, plus the re-import comparison and the
reconciliation of Zendesk's business-minute figures with tamdesk's verdict.

Run by hand: ``.venv/bin/python benchmarks/bench_ticket_import.py [--rows N] [--customers N] [--only csv|xlsx]``.
Each measurement runs in its own process, so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

HEADER = [
    "Id", "Requester", "Requester email", "Requester domain", "Organization", "Assignee", "Group", "Subject",
    "Status", "Priority", "Created at", "Updated at", "Solved at", "Reopens", "First reply time in minutes",
    "First reply time in minutes within business hours", "Full resolution time in minutes",
]  # fmt: skip
STATUSES = ("New", "Open", "Pending", "Hold", "Solved", "Closed")
PRIORITIES = ("Urgent", "High", "Normal", "Low")


def _customer(n: int) -> str:
    return f"Customer {n:04d} GmbH"


def _wall(moment: datetime) -> str:
    """A Berlin wall-clock time that exists (02:xx is skipped on spring-forward nights: move every 02:xx on)."""
    return f"{moment + timedelta(hours=1) if moment.hour == 2 else moment:%Y-%m-%d %H:%M}"


def _rows(count: int, customers: int, seed: int = 11) -> list[list[object]]:
    rnd = random.Random(seed)
    start = datetime(2025, 1, 6, 8, 0)
    rows: list[list[object]] = []
    for n in range(count):
        created = start + timedelta(minutes=rnd.randrange(0, 400 * 24 * 60))
        status = rnd.choice(STATUSES)
        reply = rnd.randrange(5, 3000) if status != "New" else None
        solved = created + timedelta(minutes=(reply or 0) + rnd.randrange(60, 5000)) if status in STATUSES[4:] else None
        org = rnd.randrange(customers)
        rows.append([
            100000 + n, f"Requester {n}", f"user{n}@c{org}.example", f"c{org}.example", _customer(org), "Sam Support",
            "Tier 1", f"Ticket {n}: something is slow", status, rnd.choice(PRIORITIES),
            _wall(created), _wall(solved or created), _wall(solved) if solved else "", 0,
            reply if reply is not None else "", (reply // 3) if reply is not None else "", "",
        ])  # fmt: skip
    return rows


def make_files(folder: Path, count: int, customers: int) -> tuple[Path, Path]:
    rows = _rows(count, customers)
    csv_path = folder / "zendesk.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Tickets")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    xlsx_path = folder / "zendesk.xlsx"
    book.save(xlsx_path)
    return csv_path, xlsx_path


def make_database(path: Path, customers: int) -> None:
    from tamdesk.services.base import Context
    from tamdesk.services.customers import CustomerInput, create_customer
    from tamdesk.services.database import close_database, open_database

    open_database(path, create=True)
    ctx = Context(actor="bench")
    for n in range(customers):
        create_customer(ctx, CustomerInput(_customer(n), "Europe/Berlin", "DE", (f"c{n}.example",)))
    close_database()


# -- one measurement per process ----------------------------------------------------------------------------------


def _read(path: Path) -> list[list[object]]:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.reader(fh))[1:]
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_index(0).to_python()[1:]


def floor(db: Path, path: Path) -> dict[str, float]:
    started = time.perf_counter()
    rows = _read(path)
    con = sqlite3.connect(db)
    customers = dict(con.execute("SELECT name, id FROM customer"))
    tickets = [(str(r[0]), customers[r[4]], r[7], 3, str(r[8]).lower(), str(r[10]), str(r[12]) or None, "zendesk",
                "", "", 1) for r in rows]  # fmt: skip
    with con:
        con.executemany(
            "INSERT INTO ticket (number, customer_id, subject, severity, status, opened_at, resolved_at, source, "
            "engineer, notes, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            tickets,
        )
        ids = dict(con.execute("SELECT number, id FROM ticket"))
        events = [(ids[str(r[0])], str(r[10]), "response", "", "import:tickets", 1) for r in rows if r[14] != ""]
        events += [(ids[str(r[0])], str(r[12]), "solved", "", "import:tickets", 1) for r in rows if r[12] != ""]
        con.executemany(
            "INSERT INTO ticket_event (ticket_id, at, kind, note, author, version) VALUES (?, ?, ?, ?, ?, ?)", events
        )
    con.close()
    return {"seconds": time.perf_counter() - started, "rows": len(rows)}


def full_import(db: Path, path: Path) -> dict[str, float]:
    from tamdesk.services.base import Context
    from tamdesk.services.database import close_database, open_database
    from tamdesk.services.ticket_import import TicketImportOptions, import_tickets

    open_database(db)
    calls = []
    started = time.perf_counter()
    try:
        result = import_tickets(
            Context(actor="bench"), path, TicketImportOptions(tz="Europe/Berlin"),
            progress=lambda done, total: calls.append(done),
        )  # fmt: skip
        elapsed = time.perf_counter() - started
    finally:
        close_database()
    print(result.summary, "|", result.reconciliation.summary if result.reconciliation else "", file=sys.stderr)
    return {"seconds": elapsed, "progress_calls": len(calls)}


def _measure(kind: str, db: Path, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(db), str(path)], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    if out.stderr.strip():
        print("   ", out.stderr.strip().replace("\n", "\n    "))
    return dict(json.loads(out.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--only", choices=("csv", "xlsx"))
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, db, path = args.measure
        figures = (floor if kind == "floor" else full_import)(Path(db), Path(path))
        figures["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        started = time.perf_counter()
        files = make_files(base, args.rows, args.customers)
        template = base / "template.db"
        make_database(template, args.customers)
        print(f"{args.rows:,} rows, {args.customers} customers; files written in {time.perf_counter() - started:.1f} s")
        for path in files:
            if args.only and path.suffix != f".{args.only}":
                continue
            results = {}
            for kind in ("floor", "import", "reimport"):
                db = base / f"{'floor' if kind == 'floor' else 'import'}-{path.suffix[1:]}.db"
                if kind != "reimport":
                    db.write_bytes(template.read_bytes())
                results[kind] = _measure(kind, db, path)
            ratio = results["import"]["seconds"] / results["floor"]["seconds"]
            print(
                f"{path.suffix}: floor {results['floor']['seconds']:.1f} s ({results['floor']['max_rss_mb']:.0f} MB); "
                f"import {results['import']['seconds']:.1f} s ({results['import']['max_rss_mb']:.0f} MB) = "
                f"{ratio:.2f}× floor; re-import of the same file {results['reimport']['seconds']:.1f} s "
                f"({results['reimport']['max_rss_mb']:.0f} MB)"
            )


if __name__ == "__main__":
    main()
