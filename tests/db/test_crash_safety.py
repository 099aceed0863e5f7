"""An import killed mid-way (SIGKILL) leaves the database exactly as it was, and `tamdesk check` passes."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
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


def test_killed_import_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "tamdesk.db"
    open_database(db)
    create_customer(Context(), CustomerInput(name="Acme", time_zone="Europe/Berlin"))
    close_database()
    before = _fingerprint(db)
    big = tmp_path / "tickets.csv"
    with big.open("w") as fh:
        fh.write("Ticket,Customer,Subject,Severity,Opened,First response,Resolved\n")
        for n in range(40_000):
            fh.write(f"SUP-{n},Acme,Query {n} is slow,{n % 4 + 1},2026-01-05 10:00,2026-01-05 10:30,2026-01-06 10:00\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tamdesk", "--db", str(db), "import", "tickets", str(big)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 200_000:  # the import's transaction is writing
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the import finished before it could be killed; make the file larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    check = subprocess.run(
        [sys.executable, "-m", "tamdesk", "--db", str(db), "check"], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stderr
    assert "integrity check passed" in check.stdout
    assert _fingerprint(db) == before
