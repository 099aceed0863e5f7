"""Database binding: one proxy for every table, bound at start-up to SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import peewee

database = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "normal",
    "cache_size": -32_000,
}


class DatabaseError(Exception):
    """The database cannot be opened or used; the message names the file and says why."""


def _writable(path: Path) -> bool:
    """Writable for us, and not marked read-only (root ignores permission bits, we respect them)."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def _check_sqlite_file(path: Path) -> None:
    """Refuse a path that cannot hold our database before SQLite touches it."""
    if path.is_dir():
        raise DatabaseError(f"Cannot open {path}: it is a folder, not a database file.")
    folder = path.parent
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"Cannot create the folder {folder} for {path}: {exc.strerror}.") from None
    if path.exists():
        with path.open("rb") as fh:
            head = fh.read(16)
        if head and head != b"SQLite format 3\x00":
            raise DatabaseError(f"Cannot open {path}: it is not a tamdesk database (not a SQLite file).")
        if not _writable(path):
            raise DatabaseError(f"Cannot open {path}: the file is read-only.")
    else:
        if not _writable(folder):
            raise DatabaseError(f"Cannot create {path}: the folder {folder} is not writable.")


def connect_sqlite(path: str | Path) -> peewee.SqliteDatabase:
    """Open (creating if needed) the SQLite file at ``path`` with WAL, foreign keys and a busy timeout.

    Raises:
        DatabaseError: the path is a folder, not SQLite, read-only, or locked by another writer.
    """
    path = Path(path).expanduser().resolve()
    _check_sqlite_file(path)
    # Transactions begin IMMEDIATE: a deferred one that read first cannot wait for another writer in WAL mode
    # (SQLite answers "database is locked" at once instead of waiting out the busy timeout).
    db = peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=5, lock_type="IMMEDIATE")
    db.register_function(casefold, "casefold", 1, deterministic=True)
    try:
        db.connect(reuse_if_open=True)
        db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        db.close()
        message = str(exc)
        if "locked" in message or "busy" in message:
            raise DatabaseError(f"Cannot open {path}: another program is writing to it (database is locked).") from None
        raise DatabaseError(f"Cannot open {path}: {message}.") from None
    return db


def casefold(value: object) -> str | None:
    """SQL ``casefold(x)`` on SQLite, whose own LIKE and lower() fold ASCII letters only (``Ö`` stays ``Ö``)."""
    return None if value is None else str(value).casefold()


def bind(db: peewee.Database) -> peewee.Database:
    """Point every table at ``db``."""
    database.initialize(db)
    return db


def is_sqlite(db: peewee.Database | None = None) -> bool:
    target = db if db is not None else database.obj
    return isinstance(target, peewee.SqliteDatabase)


def database_label(db: peewee.Database | None = None) -> str:
    """How the status bar names the open database."""
    target = db if db is not None else database.obj
    if target is None:
        return "no database"
    if isinstance(target, peewee.SqliteDatabase):
        return str(target.database)
    params = target.connect_params
    host, port = params.get("host", "localhost"), params.get("port", 5432)
    return f"postgresql://{params.get('user', '')}@{host}:{port}/{target.database}"


def connect_postgres(
    host: str, port: int, dbname: str, user: str, password: str | None, timeout: int = 10
) -> peewee.PostgresqlDatabase:
    """Connect to a shared PostgreSQL database.

    Raises:
        DatabaseError: wrong password, unreachable server, unknown database; the password is never in the message.
    """
    import psycopg2

    label = f"postgresql://{user}@{host}:{port}/{dbname}"
    db = peewee.PostgresqlDatabase(dbname, host=host, port=port, user=user, password=password, connect_timeout=timeout)
    try:
        db.connect(reuse_if_open=True)
    except (peewee.OperationalError, psycopg2.OperationalError) as exc:
        raise DatabaseError(f"Cannot open {label}: {_postgres_reason(str(exc))}") from None
    return db


def _postgres_reason(message: str) -> str:
    lowered = message.lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return "the server refused the user name or password."
    if "does not exist" in lowered and "database" in lowered:
        return "the server has no database of that name."
    if "timeout" in lowered or "timed out" in lowered:
        return "the server did not answer in time."
    if "could not connect" in lowered or "connection refused" in lowered or "could not translate" in lowered:
        return "the server cannot be reached (check the host, port and network)."
    return message.strip().splitlines()[0] if message.strip() else "unknown error."
