"""Automatic backups of the local database (on start, once a day, the last 10 kept) and restoring one."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tamdesk.models import SCHEMA_VERSION, DatabaseError
from tamdesk.models.db import database, is_sqlite
from tamdesk.services.database import backup_database, close_database, open_database

KEEP = 10
PREFIX = "tamdesk-"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    size: int


def backup_folder(db_path: Path) -> Path:
    """Backups live beside the database, in ``backups/``."""
    return db_path.parent / "backups"


def list_backups(db_path: Path) -> list[BackupFile]:
    """The automatic backups of ``db_path``, newest first."""
    folder = backup_folder(db_path)
    found = []
    for path in folder.glob(f"{PREFIX}*.db"):
        try:
            taken = datetime.strptime(path.stem[len(PREFIX) :], "%Y%m%dT%H%M%S%z")
        except ValueError:
            continue
        found.append(BackupFile(path, taken, path.stat().st_size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def automatic_backup(now: datetime) -> Path | None:
    """Back up the open SQLite database unless today's backup exists; keep the newest ``KEEP``.

    Returns the new backup, or None when none was due (or the database is PostgreSQL).
    """
    db = database.obj
    if not is_sqlite(db):
        return None
    db_path = Path(db.database)
    existing = list_backups(db_path)
    if existing and existing[0].taken_at.date() == now.date():
        return None
    folder = backup_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = backup_database(folder / f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%z')}.db")
    for old in list_backups(db_path)[KEEP:]:
        old.path.unlink(missing_ok=True)
    return target


def _check_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise DatabaseError(f"Cannot restore {path}: the backup is damaged.")
            version = con.execute("SELECT max(version) FROM schema_info").fetchone()[0]
    except sqlite3.DatabaseError:
        raise DatabaseError(f"Cannot restore {path}: it is not a tamdesk backup.") from None
    if version is None or version > SCHEMA_VERSION:
        raise DatabaseError(f"Cannot restore {path}: it was written by a newer tamdesk (schema {version}).")


def restore_backup(backup: Path, db_path: Path) -> Path:
    """Replace the database at ``db_path`` with ``backup`` (the current file is backed up first) and reopen it.

    Returns the safety copy of the database as it was before the restore.
    """
    backup = Path(backup).expanduser().resolve()
    if not backup.is_file():
        raise DatabaseError(f"Cannot restore {backup}: the file does not exist.")
    _check_backup(backup)
    folder = backup_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    safety = folder / f"before-restore-{datetime.now().strftime('%Y%m%dT%H%M%S')}.db"
    if database.obj is not None and is_sqlite() and Path(database.obj.database) == db_path.resolve():
        backup_database(safety)
        close_database()
    elif db_path.exists():
        shutil.copy2(db_path, safety)
    partial = db_path.with_name(f".{db_path.name}.restoring")
    shutil.copy2(backup, partial)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    partial.replace(db_path)
    open_database(db_path)
    return safety
