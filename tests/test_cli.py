"""The command line as scripts use it: one-line summaries, one-sentence errors, exit codes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tamdesk import __version__
from tamdesk.__main__ import main
from tamdesk.models import SCHEMA_VERSION


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tamdesk {__version__}"


def test_unknown_option_prints_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--bogus", "check"])
    assert exit_info.value.code == 2
    assert "usage: tamdesk" in capsys.readouterr().err


def test_init_creates_and_check_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    code, out, err = run(capsys, "--db", str(path), "init")
    assert (code, err) == (0, "")
    assert out.strip() == f"Created an empty tamdesk database at {path} (schema version {SCHEMA_VERSION})."
    code, out, err = run(capsys, "--db", str(path), "check")
    assert (code, err) == (0, "")
    assert out.strip() == f"Database OK: integrity check passed, schema version {SCHEMA_VERSION}."
    code, out, _ = run(capsys, "--db", str(path), "init")
    assert (code, out.strip()) == (0, f"{path} is already a tamdesk database (schema version {SCHEMA_VERSION}); "
                                      "nothing changed.")  # fmt: skip


def test_db_from_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAMDESK_DB", str(tmp_path / "env.db"))
    assert run(capsys, "init")[0] == 0
    assert (tmp_path / "env.db").exists()
    assert run(capsys, "check")[0] == 0


def test_check_fails_on_a_damaged_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    assert run(capsys, "--db", str(path), "init")[0] == 0
    with sqlite3.connect(path) as con:
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute(
            "INSERT INTO ticket_event (ticket_id, at, kind, note, author, version) "
            "VALUES (42, 0, 'response', '', '', 1)"
        )
    code, _, err = run(capsys, "--db", str(path), "check")
    assert code == 1
    assert err.startswith("tamdesk check: Database has problems:")
    assert err.count("\n") == 1


def test_not_a_database_is_one_sentence_on_stderr(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "cv.db"
    path.write_text("Curriculum vitae")
    code, out, err = run(capsys, "--db", str(path), "check")
    assert (code, out) == (1, "")
    assert err == f"tamdesk check: Cannot open {path}: it is not a tamdesk database (not a SQLite file).\n"
    assert path.read_text() == "Curriculum vitae"


def test_backup_and_its_failure(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert run(capsys, "--db", db, "init")[0] == 0
    code, out, _ = run(capsys, "--db", db, "backup", "--out", str(tmp_path / "copy.db"))
    assert code == 0
    assert out.startswith(f"Backup written to {tmp_path / 'copy.db'}")
    code, out, err = run(capsys, "--db", db, "backup", "--out", str(tmp_path / "nope" / "copy.db"))
    assert code == 1
    assert "the folder" in err and "does not exist" in err


def test_backup_requires_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "a.db"), "backup"])
    assert exit_info.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_installed_entry_point_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tamdesk", "--db", str(tmp_path / "m.db"), "init"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Created an empty tamdesk database" in result.stdout


def test_import_customers_and_its_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert run(capsys, "--db", db, "init")[0] == 0
    good = tmp_path / "customers.csv"
    good.write_text("Name,Email domains,Time zone,Country,TAM\nAcme,acme.com,Europe/Berlin,DE,Ann Ross\n")
    code, out, err = run(capsys, "--db", db, "import", "customers", str(good))
    assert (code, out, err) == (0, "Imported customers: 1 created, 0 updated, 0 unchanged.\n", "")
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Time zone\nBeta,Nowhere/Land\n")
    code, out, err = run(capsys, "--db", db, "import", "customers", str(bad))
    assert (code, out) == (1, "")
    assert err == (
        "tamdesk import customers: bad.csv: nothing was imported. "
        "Row 2: Time zone 'Nowhere/Land' is not an IANA time zone such as Europe/Berlin.\n"
    )


def test_import_needs_a_kind(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import"])
    assert exit_info.value.code == 2


def test_import_tickets_and_events(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert run(capsys, "--db", db, "init")[0] == 0
    customers = tmp_path / "c.csv"
    customers.write_text("Name,Time zone,Country\nAcme,Europe/Berlin,DE\n")
    assert run(capsys, "--db", db, "import", "customers", str(customers))[0] == 0
    tickets = tmp_path / "t.csv"
    tickets.write_text("Ticket,Customer,Subject,Severity,Opened\nSUP-1,Acme,Down,Urgent,2026-03-06 17:30\n")
    code, out, _ = run(capsys, "--db", db, "import", "tickets", str(tickets), "--tz", "Europe/Berlin")
    assert (code, out) == (0, "Imported tickets: 1 created, 0 updated, 0 events recorded.\n")
    events = tmp_path / "e.csv"
    events.write_text("Ticket,At,Event\nSUP-1,2026-03-06T16:45Z,response\n")
    code, out, _ = run(capsys, "--db", db, "import", "ticket-events", str(events))
    assert (code, out) == (0, "Imported ticket events: 1 recorded on 1 tickets.\n")
    code, out, err = run(capsys, "--db", db, "import", "tickets", str(tickets), "--tz", "Mars/Base")
    assert (code, out) == (1, "")
    assert err == "tamdesk import tickets: --tz: 'Mars/Base' is not an IANA time zone such as Europe/Berlin.\n"


CASES = "Case #,Account,Summary,Priority,Created\nC-1,Acme,Down,Urgent,2026-03-06 17:30\n"
CASE_COLUMNS = (
    "--column", "Ticket=Case #", "--column", "customer=Account", "--column", "Subject=Summary",
    "--column", "Severity=Priority",
)  # fmt: skip


@pytest.fixture
def cases_db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[str, Path]:
    """A database with customer Acme, and an export whose headers are not the import's field names."""
    db = str(tmp_path / "a.db")
    assert run(capsys, "--db", db, "init")[0] == 0
    customers = tmp_path / "c.csv"
    customers.write_text("Name,Time zone,Country\nAcme,Europe/Berlin,DE\n")
    assert run(capsys, "--db", db, "import", "customers", str(customers))[0] == 0
    cases = tmp_path / "cases.csv"
    cases.write_text(CASES)
    return db, cases


def test_import_tickets_with_columns_named(capsys: pytest.CaptureFixture[str], cases_db: tuple[str, Path]) -> None:
    db, cases = cases_db
    code, out, err = run(
        capsys, "--db", db, "import", "tickets", str(cases), *CASE_COLUMNS, "--column", "Opened=Created",
        "--tz", "Europe/Berlin",
    )  # fmt: skip
    assert (code, out, err) == (0, "Imported tickets: 1 created, 0 updated, 0 events recorded.\n", "")
    history = cases.with_name("history.csv")
    history.write_text("Case #,When,What\nC-1,2026-03-06T16:45Z,response\n")
    code, out, _ = run(
        capsys, "--db", db, "import", "ticket-events", str(history),
        "--column", "Ticket=Case #", "--column", "At=When", "--column", "Event=What",
    )  # fmt: skip
    assert (code, out) == (0, "Imported ticket events: 1 recorded on 1 tickets.\n")


@pytest.mark.parametrize(
    ("column", "said"),
    [
        ("Opened", "--column 'Opened' does not say which file column feeds which field; write FIELD=HEADER"),
        ("Opend=Created", "'Opend' (for the column 'Created') is not a field of this import"),
        ("Opened=Made", "Opened: the file has no column 'Made' (its columns are 'Case #', 'Account', "),
        ("Opened=Account", "Customer and Opened cannot both be read from the column 'Account'"),
    ],
)
def test_a_bad_column_is_one_sentence_naming_it(
    capsys: pytest.CaptureFixture[str], cases_db: tuple[str, Path], column: str, said: str
) -> None:
    db, cases = cases_db
    code, out, err = run(capsys, "--db", db, "import", "tickets", str(cases), *CASE_COLUMNS, "--column", column)
    assert (code, out) == (1, "")
    assert err.startswith("tamdesk import tickets: ") and said in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert run(capsys, "--db", db, "check")[0] == 0
    code, out, _ = run(capsys, "--db", db, "import", "tickets", str(cases), *CASE_COLUMNS, "--column", "Opened=Created")
    assert out == "Imported tickets: 1 created, 0 updated, 0 events recorded.\n"  # the failed run imported nothing


@pytest.mark.parametrize(
    ("kind", "fields"),
    [
        ("tickets", ["Ticket *", "Customer *", "Subject *", "Severity *", "Status", "Opened *", "First response",
                     "Resolved"]),
        ("ticket-events", ["Ticket *", "At *", "Event *"]),
    ],
)  # fmt: skip
def test_import_help_lists_the_fields(capsys: pytest.CaptureFixture[str], kind: str, fields: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["import", kind, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--column FIELD=HEADER" in out
    section = out.split("fields (* required", 1)[1].split("\n\n", 1)[0]
    assert [line[2:].split("  ")[0] for line in section.splitlines()[1:]] == fields
