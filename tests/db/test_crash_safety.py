"""An import killed mid-way (SIGKILL) leaves the database exactly as it was, and `tamdesk check` passes."""

from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database

pytestmark = [pytest.mark.sqlite_only, pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")]


def _fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with sqlite3.connect(path) as con:
        for table in ("customer", "ticket", "ticket_event", "audit_entry"):
            for row in con.execute(f"SELECT * FROM {table} ORDER BY id"):
                digest.update(repr(row).encode())
    return digest.hexdigest()


_DIE_MID_IMPORT = """
import os, signal, sys
from tamdesk.cli import main
from tamdesk.services import ticket_import

real_insert = ticket_import._insert_new
calls = 0

def insert_then_die(new):
    global calls
    ids = real_insert(new)
    calls += 1
    if calls == 30:
        written = ticket_import.t.Ticket.select().count()
        print(f"{written} tickets written, uncommitted", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return ids

ticket_import._insert_new = insert_then_die
sys.exit(main(["--db", sys.argv[1], "import", "tickets", sys.argv[2]]))
"""


def test_killed_import_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "tamdesk.db"
    open_database(db, create=True)
    create_customer(Context(), CustomerInput(name="Acme", time_zone="Europe/Berlin"))
    close_database()
    before = _fingerprint(db)
    big = tmp_path / "tickets.csv"
    with big.open("w") as fh:
        fh.write("Ticket,Customer,Subject,Severity,Opened,First response,Resolved\n")
        for n in range(40_000):
            fh.write(f"SUP-{n},Acme,Query {n} is slow,{n % 4 + 1},2026-01-05 10:00,2026-01-05 10:30,2026-01-06 10:00\n")
    # The child dies by its own SIGKILL after 30 of the 40 pages, deep inside the import's transaction:
    # deterministic, where killing it from here raced the commit on a slow machine.
    proc = subprocess.run(
        [sys.executable, "-c", _DIE_MID_IMPORT, str(db), str(big)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "30000 tickets written, uncommitted" in proc.stderr
    check = subprocess.run(
        [sys.executable, "-m", "tamdesk", "--db", str(db), "check"], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stderr
    assert "integrity check passed" in check.stdout
    assert _fingerprint(db) == before
