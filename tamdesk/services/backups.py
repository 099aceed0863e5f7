"""Backups of a local database: on demand, automatic (once a day per database, the last 10 kept), and restoring.

Every database has its own backups in ``backups/`` beside it, named after the file: ``tamdesk.db`` has
``backups/tamdesk-20260310T143000+0000.db``, ``team-b.db`` has ``backups/team-b-….db``, so two databases in one
folder never share (nor prune) each other's. Backups written before this naming (``tamdesk-<time>.db`` for every
database of the folder) read as those of ``tamdesk.db``. A restore first keeps the database as it was in
``backups/<name>-before-restore-<time to the microsecond>-<random>.db``, a name never reused.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tamdesk.models import SCHEMA_VERSION, DatabaseError
from tamdesk.models.db import database, is_sqlite
from tamdesk.services.database import close_database, open_database
from tamdesk.services.db_lock import exclusive, holders
from tamdesk.services.private_files import create_private, make_private, private_folder, remove_stale

KEEP = 10
STAMP = "%Y%m%dT%H%M%S%z"
_STAMP_RE = re.compile(r"\d{8}T\d{6}[+-]\d{4}")
_SAFETY_RE = re.compile(r"before-restore-(\d{8}T\d{6}\.\d{6}Z)-[0-9a-f]{6}")
_PARTIAL_RE = re.compile(r"\..+\.[0-9a-f]{8}\.(partial|restoring)|\..+\.db\.(partial|restoring)")  # ours; older


@dataclass(frozen=True)
class BackupFile:
    path: Path
    taken_at: datetime
    size: int
    before_restore: bool = False  # the safety copy a restore kept, not an automatic backup


def backup_folder(db_path: Path) -> Path:
    """Backups live beside the database, in ``backups/``."""
    return Path(db_path).parent / "backups"


def backup_name(db_path: Path) -> str:
    """What this database's backups are named after: the file name without a ``.db`` ending."""
    name = Path(db_path).name
    return name[:-3] if name.lower().endswith(".db") and len(name) > 3 else name


def list_backups(db_path: Path, *, with_safety_copies: bool = False) -> list[BackupFile]:
    """The automatic backups of ``db_path`` (and, if asked, the copies kept before restores), newest first."""
    prefix = backup_name(db_path) + "-"
    found = []
    try:
        entries = list(os.scandir(backup_folder(db_path)))
    except OSError:
        return []
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(".db")):
            continue
        rest = entry.name[len(prefix) : -3]
        try:
            if _STAMP_RE.fullmatch(rest):
                found.append(BackupFile(Path(entry.path), datetime.strptime(rest, STAMP), entry.stat().st_size))
            elif with_safety_copies and (safety := _SAFETY_RE.fullmatch(rest)):
                taken = datetime.strptime(safety[1], "%Y%m%dT%H%M%S.%fZ").replace(tzinfo=UTC)
                found.append(BackupFile(Path(entry.path), taken, entry.stat().st_size, before_restore=True))
        except (ValueError, OSError):
            continue
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def backup_database(out: str | Path) -> Path:
    """Copy the open SQLite database to ``out`` with SQLite's online backup (safe while the app runs).

    The copy is private (0600) and written to a temporary name beside ``out``, then renamed, so a failure leaves
    nothing at ``out``.

    Raises:
        DatabaseError: a PostgreSQL database, a missing folder, ``out`` is the database itself (or its -wal/-shm)
            or another database that a tamdesk program has open, or the copy cannot be written.
    """
    db = database.obj
    if not is_sqlite(db):
        raise DatabaseError("Backups of a shared PostgreSQL database are made by its administrator (pg_dump).")
    target = Path(out).expanduser().resolve()
    if not target.parent.is_dir():
        raise DatabaseError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    live = Path(db.database).resolve()
    if target in {live, *(Path(f"{live}{s}") for s in ("-wal", "-shm", "-journal"))}:
        raise DatabaseError(f"Cannot back up {live} onto itself.")
    others = holders(target)
    if others:
        raise DatabaseError(f"Cannot write the backup {target}: it is a database open in {others[0]}.")
    _copy_database(db.connection(), target)
    return target


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup of ``source`` into a private temporary file beside ``target``, then renamed."""
    remove_stale(target.parent, _PARTIAL_RE)
    partial = _private_temp(target, "partial")
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
        finally:
            dest.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DatabaseError(f"Cannot write the backup {target}: {reason}.") from None


def _private_temp(target: Path, kind: str) -> Path:
    """A new, empty, 0600 file beside ``target``: ``.<name>.<random>.<kind>``."""
    while True:
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.{kind}")
        try:
            if create_private(temp):
                return temp
        except OSError as exc:
            raise DatabaseError(f"Cannot write {target}: {exc.strerror}.") from None


def _private_backup_folder(db_path: Path) -> Path:
    folder = backup_folder(db_path)
    try:
        private_folder(folder)
        make_private(folder)  # ours, beside the database: copies of it are nobody else's business
    except OSError as exc:
        raise DatabaseError(f"Cannot create the backup folder {folder}: {exc.strerror}.") from None
    return folder


def automatic_backup(now: datetime) -> Path | None:
    """Back up the open SQLite database unless it has today's backup already; keep its newest ``KEEP``.

    Run at start: it also removes the temporary files of a backup or restore that was killed an hour ago or more.

    Returns the new backup, or None when none was due (or the database is PostgreSQL).
    """
    db = database.obj
    if not is_sqlite(db):
        return None
    db_path = Path(db.database)
    remove_stale(db_path.parent, _PARTIAL_RE)  # left by a backup or restore that was killed
    existing = list_backups(db_path)
    if existing and existing[0].taken_at.date() == now.date():
        return None
    folder = _private_backup_folder(db_path)
    target = backup_database(folder / f"{backup_name(db_path)}-{now.strftime(STAMP)}.db")
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


def _safety_copy_path(db_path: Path) -> Path:
    """A new file in the backup folder for the database as it is before a restore; never an existing one."""
    folder = _private_backup_folder(db_path)
    while True:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = folder / f"{backup_name(db_path)}-before-restore-{stamp}-{secrets.token_hex(3)}.db"
        try:
            if create_private(path):
                return path
        except OSError as exc:
            raise DatabaseError(f"Cannot keep a copy of {db_path} in {folder}: {exc.strerror}.") from None


def restore_backup(backup: Path, db_path: Path, holder: str = "tamdesk restore") -> Path:
    """Replace the database at ``db_path`` with ``backup`` (the current file is kept first) and reopen it.

    The restore has the database alone: it is refused while another program (the app, an import) has it open.
    ``holder`` names this program to the others meanwhile.

    Returns:
        The safety copy of the database as it was before the restore.

    Raises:
        DatabaseError: the backup is missing, damaged or newer; the database is open elsewhere (DatabaseInUse,
            naming who has it); or a file cannot be written.
    """
    backup = Path(backup).expanduser().resolve()
    db_path = Path(db_path).expanduser().resolve()
    if not backup.is_file():
        raise DatabaseError(f"Cannot restore {backup}: the file does not exist.")
    if backup == db_path:
        raise DatabaseError(f"Cannot restore {db_path} from itself.")
    _check_backup(backup)
    with exclusive(db_path, holder, action="restore"):
        safety = _safety_copy_path(db_path)
        try:
            _keep_current(db_path, safety)
        except DatabaseError:
            safety.unlink(missing_ok=True)
            raise
        remove_stale(db_path.parent, _PARTIAL_RE)
        partial = _private_temp(db_path, "restoring")
        try:
            shutil.copyfile(backup, partial)
            for suffix in ("-wal", "-shm", "-journal"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            partial.replace(db_path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise DatabaseError(f"Cannot restore {db_path}: {exc.strerror}; the database was left as it was.") from None
        open_database(db_path)
    return safety


def _keep_current(db_path: Path, safety: Path) -> None:
    """Copy the database as it is now (with what its -wal holds) to ``safety``, closing it if it is ours."""
    if database.obj is not None and is_sqlite() and Path(database.obj.database).resolve() == db_path:
        _copy_database(database.obj.connection(), safety)
        close_database()
    elif db_path.exists():
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            _copy_database(source, safety)
        finally:
            source.close()
    else:
        safety.unlink(missing_ok=True)
