"""Automatic daily backups (last 10 kept) and restoring one, from the service and the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.__main__ import main
from tamdesk.models import DatabaseError
from tamdesk.models import tables as t
from tamdesk.services.backups import automatic_backup, list_backups, restore_backup
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
