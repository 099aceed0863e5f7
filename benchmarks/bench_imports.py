"""Time the bulk writes (issue 19 item 3): sample data, a ticket export as .csv and .xlsx, a history of events and
a re-import of the same export, each beside its floor; on PostgreSQL, each beside the same step on SQLite too.

Targets: each import within 2× its floor on SQLite; the sample and the .csv import on PostgreSQL within 2× of
SQLite. The floor of a file reads it (the csv module, python-calamine for .xlsx) and writes the same rows raw: an
``executemany`` on SQLite, ``execute_values`` on PostgreSQL, with no checking, parsing, matching or comparison. The
sample's floor writes its tickets and events raw the same way (the sample computes them; the floor copies them).

Run by hand::

    .venv/bin/python benchmarks/bench_imports.py --size 10k
    .venv/bin/python benchmarks/bench_imports.py --size 100k --db postgresql://user:pw@127.0.0.1:5432/tamdesk_bench

``--size`` takes 10k, 100k, 1M or a number of tickets. ``--db`` names a PostgreSQL database the benchmark may
empty (its public schema is dropped and made again before each step): never a database in use.
"""

from __future__ import annotations

import argparse
import csv
import gc
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench_ticket_import import HEADER, _customer, _rows, _wall

from tamdesk.models.db import database
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database, team_from_url
from tamdesk.services.demo import generate_demo
from tamdesk.services.ticket_import import TicketImportOptions, import_ticket_events, import_tickets

NOW = datetime(2026, 3, 2, 12, 0).astimezone()
EVENT_HEADER = ["Ticket", "At", "Event"]


def parse_size(text: str) -> int:
    """``10k`` → 10,000, ``1M`` → 1,000,000, ``2500`` → 2,500."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    try:
        value = int(float(number) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 10k, 100k or 1M") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"--size must be at least 1, not {value}")
    return value


def postgres_url(text: str) -> str:
    """The ``--db`` address, checked as a URL (scheme, server, database), not split by hand."""
    try:
        team_from_url(text)
    except Exception as exc:  # DatabaseError: its message masks the password
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


# -- the files ---------------------------------------------------------------------------------------------------


def write_files(folder: Path, count: int, customers: int) -> tuple[Path, Path, Path]:
    """A Zendesk export as .csv and .xlsx, and a history of about five events a ticket (Europe/Berlin times)."""
    rows = _rows(count, customers)
    tickets = folder / "zendesk.csv"
    with tickets.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Tickets")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook = folder / "zendesk.xlsx"
    book.save(workbook)
    events = folder / "events.csv"
    with events.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(EVENT_HEADER)
        for row in rows:
            created = datetime.strptime(str(row[10]), "%Y-%m-%d %H:%M")
            steps = ((40, "response"), (150, "waiting_on_customer"), (1560, "customer_replied"), (1620, "response"))
            for minutes, kind in steps:
                writer.writerow([row[0], _wall(created + timedelta(minutes=minutes)), kind])
            if row[12]:
                writer.writerow([row[0], _wall(created + timedelta(minutes=1700)), "solved"])
    return tickets, workbook, events


# -- engines -----------------------------------------------------------------------------------------------------


@dataclass
class Engine:
    """Where a step runs: a fresh SQLite file per step, or the emptied PostgreSQL database."""

    name: str
    folder: Path
    url: str | None = None
    customers: int = 0
    sample_file: Path | None = None  # the SQLite sample, whose tickets and events the sample's floor writes
    _template: Path | None = None

    def fresh(self, with_customers: bool = True) -> str | Path:
        """An empty, migrated database (with the export's customers), left closed; its address."""
        if self.url is None:
            path = self.folder / f"{self.name}-{time.monotonic_ns()}.db"
            if with_customers and self._template is not None:
                shutil.copyfile(self._template, path)
                return path
            open_database(path, create=True)
            self._fill(with_customers)
            close_database()
            if with_customers:
                self._template = self.folder / "template.db"
                shutil.copyfile(path, self._template)
            return path
        _reset_postgres(self.url)
        open_database(self.url, create=True)
        self._fill(with_customers)
        close_database()
        return self.url

    def _fill(self, with_customers: bool) -> None:
        ctx = Context(actor="bench")
        for n in range(self.customers if with_customers else 0):
            create_customer(ctx, CustomerInput(_customer(n), "Europe/Berlin", "DE", (f"c{n}.example",)))

    def write(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """The floor's write: rows straight into the bound database, as plainly as the driver allows."""
        names = ", ".join(columns)
        connection = database.obj.connection()
        if self.url is None:
            marks = ", ".join(["?"] * len(columns))
            connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        else:
            from psycopg2.extras import execute_values

            execute_values(connection.cursor(), f"INSERT INTO {table} ({names}) VALUES %s", rows, page_size=1000)


def _reset_postgres(url: str) -> None:
    import psycopg2

    team, password = team_from_url(url)
    with psycopg2.connect(host=team.host, port=team.port, dbname=team.dbname, user=team.user,
                          password=password) as con, con.cursor() as cur:  # fmt: skip
        cur.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    con.close()


def _timed(action: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# -- floors ------------------------------------------------------------------------------------------------------


def _read(path: Path) -> list[list[Any]]:
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.reader(fh))[1:]
    import python_calamine

    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]


_EPOCH = datetime(1970, 1, 1)


def _epoch(text: object) -> int | None:
    """The wall-clock time as if it were UTC: the floor converts, but does not localize."""
    return int((datetime.fromisoformat(str(text)) - _EPOCH).total_seconds()) if text else None


def ticket_floor(engine: Engine, path: Path) -> None:
    """Read the export and write its tickets and their response and solve events, raw."""
    rows = _read(path)
    with database.atomic():
        customers = dict(database.execute_sql("SELECT name, id FROM customer").fetchall())
        engine.write(
            "ticket",
            ("number", "customer_id", "subject", "severity", "status", "opened_at", "resolved_at", "source",
             "engineer", "notes", "version"),
            [(str(r[0]).removesuffix(".0"), customers[r[4]], r[7], 3, str(r[8]).lower(), _epoch(r[10]),
              _epoch(r[12]), "zendesk", "", "", 1) for r in rows],
        )  # fmt: skip
        ids = dict(database.execute_sql("SELECT number, id FROM ticket").fetchall())
        events = [(ids[str(r[0]).removesuffix(".0")], _epoch(r[10]), "response", "", "import:tickets", 1)
                  for r in rows if r[14] != ""]  # fmt: skip
        events += [(ids[str(r[0]).removesuffix(".0")], _epoch(r[12]), "solved", "", "import:tickets", 1)
                   for r in rows if r[12] != ""]  # fmt: skip
        engine.write("ticket_event", ("ticket_id", "at", "kind", "note", "author", "version"), events)


def event_floor(engine: Engine, path: Path) -> None:
    """Read the history and write its events, raw (tickets looked up by number)."""
    rows = _read(path)
    with database.atomic():
        ids = dict(database.execute_sql("SELECT number, id FROM ticket").fetchall())
        engine.write("ticket_event", ("ticket_id", "at", "kind", "note", "author", "version"),
                     [(ids[r[0]], _epoch(r[1]), r[2], "", "import:events", 1) for r in rows])  # fmt: skip


def sample_rows(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The tickets and events a sample wrote (from its SQLite file), for the sample's floor."""
    con = sqlite3.connect(path)
    try:
        tickets = con.execute("SELECT number, customer_id, subject, severity, status, opened_at, resolved_at, "
                              "engineer, notes, version FROM ticket ORDER BY id").fetchall()  # fmt: skip
        events = con.execute("SELECT t.number, e.at, e.kind, e.note, e.author, e.version FROM ticket_event e "
                             "JOIN ticket t ON t.id = e.ticket_id ORDER BY e.id").fetchall()  # fmt: skip
    finally:
        con.close()
    return tickets, events


def sample_floor(engine: Engine, tickets: list[tuple[Any, ...]], events: list[tuple[Any, ...]]) -> None:
    with database.atomic():
        customers = [row[0] for row in database.execute_sql("SELECT id FROM customer ORDER BY id").fetchall()]
        engine.write("ticket", ("number", "customer_id", "subject", "severity", "status", "opened_at", "resolved_at",
                                "engineer", "notes", "version"),
                     [(r[0], customers[r[1] % len(customers)], *r[2:]) for r in tickets])  # fmt: skip
        ids = dict(database.execute_sql("SELECT number, id FROM ticket").fetchall())
        engine.write("ticket_event", ("ticket_id", "at", "kind", "note", "author", "version"),
                     [(ids[r[0]], *r[1:]) for r in events])  # fmt: skip


# -- one engine --------------------------------------------------------------------------------------------------


def run(engine: Engine, size: int, files: tuple[Path, Path, Path]) -> dict[str, tuple[float, float]]:
    """Each step's (seconds, floor seconds) on ``engine``."""
    tickets, workbook, events = files
    ctx = Context(actor="bench", clock=lambda: NOW)
    options = TicketImportOptions(tz="Europe/Berlin")
    out: dict[str, tuple[float, float]] = {}

    def on(address: str | Path, action: Callable[[], object]) -> float:
        open_database(address)
        try:
            return _timed(action)
        finally:
            close_database()

    def told(step: str, seconds: float, floor: float) -> None:
        out[step] = (seconds, floor)
        print(f"  {engine.name}: {step} {seconds:.2f} s, floor {floor:.2f} s", flush=True)

    address = engine.fresh(with_customers=False)
    sample = on(address, lambda: generate_demo(ctx, customers=max(1, size // 100), tickets=size))
    if engine.url is None:
        engine.sample_file = Path(address)
    assert engine.sample_file is not None, "SQLite runs first"
    floor_tickets, floor_events = sample_rows(engine.sample_file)
    address = engine.fresh()
    told("sample", sample, on(address, lambda: sample_floor(engine, floor_tickets, floor_events)))

    floor_db = engine.fresh()
    csv_floor = on(floor_db, lambda: ticket_floor(engine, tickets))
    events_floor = on(floor_db, lambda: event_floor(engine, events))
    address = engine.fresh()
    told("tickets .csv", on(address, lambda: import_tickets(ctx, tickets, options)), csv_floor)
    told("events .csv", on(address, lambda: import_ticket_events(ctx, events, "Europe/Berlin")), events_floor)
    told("re-import .csv", on(address, lambda: import_tickets(ctx, tickets, options)), csv_floor)
    xlsx_floor = on(engine.fresh(), lambda: ticket_floor(engine, workbook))
    told("tickets .xlsx", on(engine.fresh(), lambda: import_tickets(ctx, workbook, options)), xlsx_floor)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("10k"), help="tickets: 10k, 100k, 1M …")
    parser.add_argument("--customers", type=int, default=200, help="customers of the export (default 200)")
    parser.add_argument("--db", type=postgres_url, help="a PostgreSQL database to empty and use, besides SQLite")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (engines alternate); each figure is its best")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        started = time.perf_counter()
        files = write_files(folder, args.size, args.customers)
        print(f"{args.size:,} tickets, {args.customers} customers; files written in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        rounds: dict[str, list[dict[str, tuple[float, float]]]] = {"SQLite": [], "PostgreSQL": []}
        for _ in range(max(1, args.repeat)):
            for old in folder.glob("sqlite-*.db*"):  # the last round's files, their WAL and lock folders
                shutil.rmtree(old) if old.is_dir() else old.unlink()
            sqlite = Engine("sqlite", folder, customers=args.customers)
            rounds["SQLite"].append(run(sqlite, args.size, files))
            if args.db:
                engine = Engine("postgres", folder, args.db, args.customers, sample_file=sqlite.sample_file)
                rounds["PostgreSQL"].append(run(engine, args.size, files))
    # the best of the rounds: on a shared machine, the other work only ever adds to a figure
    results = {
        name: {step: (min(r[step][0] for r in runs), min(r[step][1] for r in runs)) for step in runs[0]}
        for name, runs in rounds.items()
        if runs
    }
    print(f"{'step':<16}{'engine':<12}{'seconds':>9}{'floor':>9}{'× floor':>9}{'× SQLite':>10}")
    for engine_name, steps in results.items():
        for step, (seconds, floor) in steps.items():
            versus = seconds / results["SQLite"][step][0]
            shown = f"{versus:>9.2f}×" if engine_name != "SQLite" else ""
            print(f"{step:<16}{engine_name:<12}{seconds:>9.2f}{floor:>9.2f}{seconds / floor:>8.2f}×{shown}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
