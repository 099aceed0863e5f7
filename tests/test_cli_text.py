"""A name that would rewrite the terminal is refused at the door: exit 1, one sentence, nothing imported."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tamdesk.services.database import close_database, open_database


def _tamdesk(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "tamdesk", "--db", str(db), *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def test_import_customers_refuses_an_escape_sequence_in_a_name(tmp_path: Path) -> None:
    db = tmp_path / "tamdesk.db"
    open_database(db, create=True)
    close_database()
    good = tmp_path / "good.csv"
    good.write_text("Name,TAM\nGlobex,Åsa Berg\n", encoding="utf-8")
    assert _tamdesk(db, "import", "customers", str(good)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,TAM\nInitech,ÅSA BERG\nAcme\x1b[2J\x1b[H,Tess Tam\n", encoding="utf-8")

    done = _tamdesk(db, "import", "customers", str(bad))

    assert done.returncode == 1
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.rstrip("\n").isprintable()  # one line, nothing raw
    assert done.stderr == (
        "tamdesk import customers: bad.csv: nothing was imported. "
        "Row 3: Name 'Acme\\x1b[2J\\x1b[H' contains a control character (ESC); remove it.\n"
    )
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT name FROM customer").fetchall() == [("Globex",)]
        assert con.execute("SELECT name FROM person").fetchall() == [("Åsa Berg",)]
