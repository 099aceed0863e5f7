"""Opening, checking and backing up the database: the first use cases the CLI and the app share."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import peewee
import platformdirs

from tamdesk.models import SCHEMA_VERSION, DatabaseError, bind, connect_sqlite, migrate, schema_version
from tamdesk.models import tables as t
from tamdesk.models.db import database, is_sqlite

APP_NAME = "tamdesk"
ENV_DB = "TAMDESK_DB"


def default_database_path() -> Path:
    """``$TAMDESK_DB`` when set, else ``tamdesk.db`` in the user's data folder."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "tamdesk.db"


@dataclass(frozen=True)
class OpenedDatabase:
    path: Path
    from_version: int
    to_version: int
    backup: Path | None


def open_database(path: str | Path | None = None) -> OpenedDatabase:
    """Open the SQLite database at ``path`` (default: :func:`default_database_path`), migrate and bind it.

    Raises:
        DatabaseError: not writable, not a SQLite or tamdesk database, locked, or of a newer schema.
    """
    target = Path(path).expanduser() if path else default_database_path()
    db = connect_sqlite(target)
    previous = database.obj
    bind(db)
    try:
        result = migrate(db)
    except (DatabaseError, peewee.DatabaseError) as exc:
        db.close()
        if previous is not None:
            bind(previous)
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(f"Cannot open {target}: {exc}.") from None
    if previous is not None and previous is not db and not previous.is_closed():
        previous.close()
    return OpenedDatabase(Path(db.database), result.from_version, result.to_version, result.backup)


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()


def is_empty() -> bool:
    """True when the database holds no customers yet (the app then offers sample data)."""
    return not t.Customer.select().exists()


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    schema_version: int
    problems: tuple[str, ...]

    @property
    def summary(self) -> str:
        if self.ok:
            return f"Database OK: integrity check passed, schema version {self.schema_version}."
        return "Database has problems: " + "; ".join(self.problems)


def check_database() -> CheckResult:
    """Integrity, foreign keys and schema version of the bound database."""
    db = database.obj
    problems: list[str] = []
    version = schema_version(db)
    if version != SCHEMA_VERSION:
        problems.append(f"schema version {version}, expected {SCHEMA_VERSION}")
    if is_sqlite(db):
        rows = [r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            problems.extend(f"integrity: {r}" for r in rows[:20])
        fk = db.execute_sql("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"{len(fk)} rows point at missing records (first in table {fk[0][0]})")
    return CheckResult(not problems, version, tuple(problems))


def backup_database(out: str | Path) -> Path:
    """Copy the open SQLite database to ``out`` with SQLite's online backup (safe while the app runs).

    The copy is written to a temporary name and renamed, so a failure leaves nothing at ``out``.
    """
    db = database.obj
    if not is_sqlite(db):
        raise DatabaseError("Backups of a shared PostgreSQL database are made by its administrator (pg_dump).")
    target = Path(out).expanduser().resolve()
    if not target.parent.is_dir():
        raise DatabaseError(f"Cannot write {target}: the folder {target.parent} does not exist.")
    if target == Path(db.database).resolve():
        raise DatabaseError(f"Cannot back up {target} onto itself.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        dest = sqlite3.connect(partial)
        try:
            db.connection().backup(dest)
        finally:
            dest.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        partial.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DatabaseError(f"Cannot write the backup {target}: {reason}.") from None
    return target
