"""Database binding: one proxy for every table, bound at start-up to SQLite (default) or PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

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


class TeamDatabase(peewee.PostgresqlDatabase):
    """A shared PostgreSQL database that outlives a dropped connection.

    A server restart, a network cut or an administrator ending the session closes the connection under the app.
    The statement that was running fails (the transaction it belonged to is rolled back by the server, so nothing
    is half-written) and the caller says so in one sentence; the next statement outside a transaction opens a new
    connection instead of failing for good. A read or a transaction's BEGIN that finds the connection dropped
    while it sat idle is sent again once on a new connection: neither has changed anything, so repeating it is
    safe. Other statements are never repeated.
    """

    _state: Any  # peewee's per-thread connection state (its stubs leave it out)

    def _dropped(self) -> bool:
        """The connection the server closed (psycopg2 marks it closed once it has seen the loss)."""
        conn = self._state.conn
        return conn is not None and not self._state.closed and bool(getattr(conn, "closed", 0))

    def _reopen(self) -> None:
        self.close()
        self.connect()

    def execute_sql(self, sql: str, params: object = None) -> Any:
        if self.in_transaction():
            return super().execute_sql(sql, params)
        return self._again_if_dropped(super().execute_sql, sql, params, repeatable=_reads(sql))

    def begin(self, *args: Any, **kwargs: Any) -> Any:
        # nothing has happened yet in a transaction that could not begin: beginning again is safe
        return self._again_if_dropped(super().begin, *args, repeatable=True, **kwargs)

    def _again_if_dropped(self, action: Any, *args: Any, repeatable: bool, **kwargs: Any) -> Any:
        if self._dropped():
            self._reopen()
        try:
            return action(*args, **kwargs)
        except (peewee.OperationalError, peewee.InterfaceError):
            if not (repeatable and self._dropped()):
                raise
            self._reopen()
            return action(*args, **kwargs)


def _reads(sql: str) -> bool:
    return sql.lstrip()[:6].upper() == "SELECT"


def connect_postgres(
    host: str, port: int, dbname: str, user: str, password: str | None, timeout: int = 10
) -> TeamDatabase:
    """Connect to a shared PostgreSQL database.

    Raises:
        DatabaseError: wrong password, unreachable server, unknown database; the password is never in the message.
    """
    import psycopg2

    label = f"postgresql://{user}@{host}:{port}/{dbname}"
    db = TeamDatabase(dbname, host=host, port=port, user=user, password=password, connect_timeout=timeout)
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
