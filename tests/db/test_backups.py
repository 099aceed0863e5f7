"""Backups per database (one a day, the last 10 kept), private, and restoring one, from the service and the CLI."""

from __future__ import annotations

import os
import stat
import time
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from tamdesk.__main__ import main
from tamdesk.models import DatabaseError
from tamdesk.models import tables as t
from tamdesk.services import backups as backups_module
from tamdesk.services.backups import automatic_backup, backup_database, list_backups, restore_backup
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database

pytestmark = pytest.mark.sqlite_only


def test_one_backup_a_day_and_ten_kept(db_path: Path) -> None:
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert automatic_backup(start) is not None
    assert automatic_backup(start + timedelta(hours=3)) is None  # same day
    for day in range(1, 14):
        automatic_backup(start + timedelta(days=day))
    backups = list_backups(db_path)
    assert len(backups) == 10
    assert backups[0].taken_at == start + timedelta(days=13)


def test_restore_brings_back_old_data_and_keeps_the_current(db_path: Path, ctx: Context, fixed_now) -> None:
    create_customer(ctx, CustomerInput(name="Acme"))
    backup = automatic_backup(fixed_now)
    create_customer(ctx, CustomerInput(name="Globex"))
    safety = restore_backup(backup, db_path)
    assert [c.name for c in t.Customer.select()] == ["Acme"]
    close_database()
    open_database(safety)
    assert t.Customer.select().count() == 2


def test_restore_refuses_a_file_that_is_not_a_backup(db_path: Path, tmp_path: Path, ctx: Context) -> None:
    create_customer(ctx, CustomerInput(name="Acme"))
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all")
    with pytest.raises(DatabaseError, match="not a tamdesk backup"):
        restore_backup(junk, db_path)
    assert t.Customer.select().count() == 1


def test_restore_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], fixed_now) -> None:
    db = tmp_path / "live.db"
    open_database(db, create=True)
    create_customer(Context(), CustomerInput(name="Acme"))
    backup = automatic_backup(fixed_now)
    create_customer(Context(), CustomerInput(name="Globex"))
    close_database()
    assert main(["--db", str(db), "restore", str(backup)]) == 0
    assert capsys.readouterr().out.startswith(f"Restored {db} from {backup}")
    open_database(db)
    assert [c.name for c in t.Customer.select()] == ["Acme"]
    close_database()
    assert main(["--db", str(db), "restore", str(tmp_path / "missing.db")]) == 1
    assert "the file does not exist" in capsys.readouterr().err


def test_two_restores_in_the_same_instant_keep_two_safety_copies(
    db_path: Path, ctx: Context, fixed_now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_customer(ctx, CustomerInput(name="Acme"))
    backup = automatic_backup(fixed_now)
    assert backup is not None

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            return cls(2026, 3, 10, 14, 30, 0, 123456, tzinfo=UTC)

    monkeypatch.setattr(backups_module, "datetime", Frozen)  # both restores see the same microsecond
    create_customer(ctx, CustomerInput(name="Globex"))
    first = restore_backup(backup, db_path)
    create_customer(ctx, CustomerInput(name="Initech"))
    second = restore_backup(backup, db_path)
    assert first != second
    assert first.name.startswith("tamdesk-before-restore-20260310T143000.123456Z-")
    close_database()
    for safety, expected in ((first, ["Acme", "Globex"]), (second, ["Acme", "Initech"])):
        open_database(safety)
        assert sorted(c.name for c in t.Customer.select()) == expected
        close_database()
    kept = list_backups(db_path, with_safety_copies=True)
    assert {b.path for b in kept if b.before_restore} == {first, second}
    assert [b.path for b in list_backups(db_path)] == [backup]  # safety copies are not automatic backups


def test_each_database_in_a_folder_gets_its_own_daily_backup(tmp_path: Path, fixed_now: datetime) -> None:
    empty, full = tmp_path / "empty.db", tmp_path / "big-book.db"
    open_database(empty, create=True)
    first = automatic_backup(fixed_now)
    close_database()
    open_database(full, create=True)
    ctx = Context(actor="Tess Tam", clock=lambda: fixed_now)
    for n in range(30):
        create_customer(ctx, CustomerInput(name=f"Customer {n}"))
    second = automatic_backup(fixed_now + timedelta(minutes=5))  # same folder, same day
    assert second is not None and first is not None
    assert second.name == "big-book-20260310T143500+0000.db"
    assert first.name == "empty-20260310T143000+0000.db"
    open_database(second)
    assert t.Customer.select().count() == 30
    close_database()
    assert [b.path for b in list_backups(empty)] == [first]
    assert [b.path for b in list_backups(full)] == [second]


def test_keeping_the_last_ten_prunes_per_database(tmp_path: Path, fixed_now: datetime) -> None:
    quiet, busy, similar = tmp_path / "quiet.db", tmp_path / "busy.db", tmp_path / "busy-2.db"
    for db in (quiet, similar):
        open_database(db, create=True)
        automatic_backup(fixed_now - timedelta(days=30))
        close_database()
    open_database(busy, create=True)
    for day in range(12):
        automatic_backup(fixed_now + timedelta(days=day))
    close_database()
    assert len(list_backups(busy)) == 10
    assert len(list_backups(quiet)) == 1
    assert len(list_backups(similar)) == 1  # "busy-2-<time>.db" is not one of busy.db's


def test_backups_named_before_per_database_names_are_those_of_tamdesk_db(tmp_path: Path, fixed_now: datetime) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    old = folder / "tamdesk-20260101T090000+0000.db"
    old.write_bytes(b"")
    assert [b.path for b in list_backups(tmp_path / "tamdesk.db")] == [old]
    assert list_backups(tmp_path / "other.db") == []


def test_backup_refuses_the_live_files(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for target in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        with pytest.raises(DatabaseError, match="onto itself"):
            backup_database(target)
    close_database()
    assert main(["--db", str(db_path), "backup", "--out", f"{db_path}-wal"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "onto itself" in err


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_backups_and_safety_copies_are_private(db_path: Path, ctx: Context, tmp_path: Path, fixed_now) -> None:
    os.umask(0o022)
    create_customer(ctx, CustomerInput(name="Acme"))
    backup = automatic_backup(fixed_now)
    assert backup is not None
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.parent.stat().st_mode) == 0o700
    out = backup_database(tmp_path / "manual.db")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    safety = restore_backup(backup, db_path)
    assert stat.S_IMODE(safety.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600  # the restored database


def test_a_failed_backup_leaves_no_partial_file(db_path: Path, tmp_path: Path, monkeypatch) -> None:
    out_folder = tmp_path / "out"
    out_folder.mkdir()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups_module.os, "replace", broken)
    with pytest.raises(DatabaseError, match="No space left on device"):
        backup_database(out_folder / "b.db")
    assert list(out_folder.iterdir()) == []


def test_stale_partial_backups_are_removed_before_the_next(db_path: Path, tmp_path: Path) -> None:
    stale = tmp_path / ".b.db.0123abcd.partial"
    fresh = tmp_path / ".b.db.4567cdef.partial"  # another backup in progress right now
    mine = tmp_path / "notes.partial"
    for path in (stale, fresh, mine):
        path.write_bytes(b"x")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    os.utime(mine, (old, old))
    backup_database(tmp_path / "b.db")
    assert not stale.exists()
    assert fresh.exists() and mine.exists()


def test_leftovers_of_a_killed_restore_are_removed_at_start(db_path: Path, fixed_now: datetime) -> None:
    stale = db_path.with_name(f".{db_path.name}.89abcdef.restoring")
    stale.write_bytes(b"half a database")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    automatic_backup(fixed_now)  # what the app runs at start
    assert not stale.exists()


def test_a_restore_that_cannot_keep_a_safety_copy_changes_nothing(
    db_path: Path, ctx: Context, fixed_now: datetime, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    create_customer(ctx, CustomerInput(name="Acme"))
    backup = automatic_backup(fixed_now)
    create_customer(ctx, CustomerInput(name="Globex"))
    close_database()

    def read_only(path: Path) -> bool:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(backups_module, "create_private", read_only)  # as in a folder that became read-only
    assert main(["--db", str(db_path), "restore", str(backup)]) == 1
    err = capsys.readouterr().err
    assert err == (f"tamdesk restore: Cannot keep a copy of {db_path} in {backup.parent}: Permission denied.\n")
    open_database(db_path)
    assert t.Customer.select().count() == 2
