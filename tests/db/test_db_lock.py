"""Who has a database open, across processes: restore is refused while another program holds it, naming it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

import tamdesk
from tamdesk.__main__ import main
from tamdesk.models import tables as t
from tamdesk.services import db_lock
from tamdesk.services.backups import automatic_backup, list_backups, restore_backup
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database
from tamdesk.services.db_lock import DatabaseInUse, exclusive, hold_database, holders

pytestmark = pytest.mark.sqlite_only

ROOT = Path(tamdesk.__file__).resolve().parent.parent


@contextmanager
def other_process(db: Path, program: str, *, alone: bool = False) -> Iterator[subprocess.Popen[str]]:
    """A second Python process that holds ``db`` (shared, or exclusively) until the test ends."""
    take = "exclusive(path, program)" if alone else "hold_database(path, program)"
    code = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from tamdesk.services.db_lock import exclusive, hold_database
        path, program = Path(sys.argv[1]), sys.argv[2]
        with {take}:
            print("ready", flush=True)
            sys.stdin.read()
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", code, str(db), program],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def with_backup(tmp_path: Path, fixed_now: datetime) -> Iterator[tuple[Path, Path]]:
    """``live.db`` holding Acme and Globex, its backup holding only Acme; the database is closed."""
    db = tmp_path / "live.db"
    open_database(db, create=True)
    create_customer(Context(), CustomerInput(name="Acme"))
    backup = automatic_backup(fixed_now)
    assert backup is not None
    create_customer(Context(), CustomerInput(name="Globex"))
    close_database()
    yield db, backup
    close_database()


def customers(db: Path) -> list[str]:
    open_database(db)
    try:
        return sorted(c.name for c in t.Customer.select())
    finally:
        close_database()


def test_restore_is_refused_while_another_program_has_the_database_open(
    with_backup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, backup = with_backup
    with other_process(db, "tamdesk import tickets") as proc:
        assert main(["--db", str(db), "restore", str(backup)]) == 1
        err = capsys.readouterr().err
        assert err.strip().splitlines() == [
            f"tamdesk restore: Cannot restore {db}: it is open in tamdesk import tickets (pid {proc.pid}); "
            "close it there and try again."
        ]
        assert "Traceback" not in err
    assert customers(db) == ["Acme", "Globex"]  # nothing was replaced
    assert list_backups(db, with_safety_copies=True) == list_backups(db)  # and no safety copy was made


def test_a_program_killed_while_holding_the_database_does_not_block_a_restore(
    with_backup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, backup = with_backup
    with other_process(db, "the tamdesk app") as proc:
        assert [str(h) for h in holders(db)] == [f"the tamdesk app (pid {proc.pid})"]
        os.kill(proc.pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        proc.wait(timeout=10)
    assert holders(db) == ()  # the OS dropped its lock; its presence file is left behind
    assert main(["--db", str(db), "restore", str(backup)]) == 0
    assert customers(db) == ["Acme"]
    assert len(list(db_lock.lock_folder(db).iterdir())) == 1  # only the gate: the dead one's file was removed


def test_a_backup_never_replaces_a_database_another_program_has_open(
    with_backup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = with_backup
    other = tmp_path / "team-b.db"
    open_database(other, create=True)
    create_customer(Context(), CustomerInput(name="Initech"))
    close_database()
    with other_process(other, "the tamdesk app") as proc:
        assert main(["--db", str(db), "backup", "--out", str(other)]) == 1
        err = capsys.readouterr().err
        assert err == (
            f"tamdesk backup: Cannot write the backup {other}: it is a database open in the tamdesk app "
            f"(pid {proc.pid}).\n"
        )
    assert customers(other) == ["Initech"]


def test_two_holders_are_both_named(with_backup: tuple[Path, Path]) -> None:
    db, backup = with_backup
    with (
        other_process(db, "the tamdesk app") as app,
        other_process(db, "tamdesk export sla") as export,
        pytest.raises(DatabaseInUse) as refused,
    ):
        restore_backup(backup, db)
    message = str(refused.value)
    assert f"the tamdesk app (pid {app.pid})" in message
    assert f"tamdesk export sla (pid {export.pid})" in message
    assert {h.pid for h in refused.value.holders} == {app.pid, export.pid}


def test_this_process_holding_the_database_does_not_block_its_own_restore(with_backup: tuple[Path, Path]) -> None:
    db, backup = with_backup
    open_database(db)
    with hold_database(db, "the tamdesk app"):
        safety = restore_backup(backup, db, holder="the tamdesk app")
        assert sorted(c.name for c in t.Customer.select()) == ["Acme"]
    close_database()
    assert customers(safety) == ["Acme", "Globex"]


def test_nobody_opens_the_database_during_a_restore(
    with_backup: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = with_backup
    monkeypatch.setattr(db_lock, "WAIT", 0.2)
    with other_process(db, "tamdesk restore", alone=True) as proc:
        with pytest.raises(DatabaseInUse) as refused:
            hold_database(db, "tamdesk import tickets")
        assert str(refused.value) == (
            f"Cannot open {db}: tamdesk restore (pid {proc.pid}) has it locked (restore in progress); "
            "try again when it has finished."
        )
        busy = f"tamdesk restore \\(pid {proc.pid}\\)"
        with pytest.raises(DatabaseInUse, match=busy), exclusive(db, "the tamdesk app"):
            pass
    with hold_database(db, "tamdesk import tickets") as hold:  # free again once it has finished
        assert hold.held
    assert not hold.held


def test_a_released_hold_leaves_no_presence_file(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    db.write_bytes(b"")
    hold = hold_database(db, "tamdesk check")
    folder = db_lock.lock_folder(db)
    assert len([p for p in folder.iterdir() if p.name != "exclusive"]) == 1
    hold.release()
    hold.release()  # idempotent
    assert [p.name for p in folder.iterdir()] == ["exclusive"]  # the gate stays; removing it would race


def test_restore_is_refused_while_a_command_has_the_database_open(with_backup: tuple[Path, Path]) -> None:
    """Through open_database itself, as the app and every command open it (not a hand-held lock)."""
    db, backup = with_backup
    code = textwrap.dedent("""
        import sys
        from tamdesk.services import database
        database.program = "tamdesk import tickets"
        database.open_database(sys.argv[1])
        print("ready", flush=True)
        sys.stdin.read()
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", code, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        refused = subprocess.run(
            [sys.executable, "-m", "tamdesk", "--db", str(db), "restore", str(backup)],
            capture_output=True, text=True, env=env, timeout=60,
        )  # fmt: skip
        holder.communicate("", timeout=30)
    assert refused.returncode == 1
    assert f"tamdesk import tickets (pid {holder.pid})" in refused.stderr
    assert customers(db) == ["Acme", "Globex"]
