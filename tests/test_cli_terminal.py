"""What the command line prints never drives the terminal, even for text stored before the rules at the door."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tamdesk.__main__ import main


def test_a_stored_name_with_escape_sequences_prints_as_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "a.db"
    source = tmp_path / "c.csv"
    source.write_text("Name\nAcme\n")
    assert main(["--db", str(db), "init"]) == 0
    assert main(["--db", str(db), "import", "customers", str(source)]) == 0
    with sqlite3.connect(db) as con:  # as an older tamdesk may have stored it
        con.execute("UPDATE customer SET name = ? WHERE name = 'Acme'", ("Acme\x1b[2J\u202e",))
    capsys.readouterr()
    assert main(["--db", str(db), "seats", "list", "--customer", "Acme\x1b[2J\u202e"]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out and "\u202e" not in out
    assert "Acme\\x1b[2J" in out
    assert main(["--db", str(db), "seats", "list", "--customer", "Nobody\x07"]) == 1
    _, err = capsys.readouterr()
    assert "\x07" not in err and "Nobody\\x07" in err
