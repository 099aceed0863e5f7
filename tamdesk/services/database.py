"""Opening, checking and backing up the database: the first use cases the CLI and the app share."""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import peewee
import platformdirs

from tamdesk.models import SCHEMA_VERSION, DatabaseError, bind, connect_sqlite, migrate, schema_version
from tamdesk.models import tables as t
from tamdesk.models.db import connect_postgres, database, database_label, is_sqlite
from tamdesk.services.db_lock import DatabaseHold, hold_database

APP_NAME = "tamdesk"
ENV_DB = "TAMDESK_DB"


def default_database_path() -> Path:
    """``tamdesk.db`` in the user's data folder (``$TAMDESK_DB`` is read by :func:`database_target`)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "tamdesk.db"


@dataclass(frozen=True)
class OpenedDatabase:
    path: Path | None  # the SQLite file; None for a team database
    label: str
    from_version: int
    to_version: int
    backup: Path | None


@dataclass(frozen=True)
class TeamDatabase:
    """Where the shared PostgreSQL database is; its password lives in the keyring, never here."""

    host: str
    port: int
    dbname: str
    user: str

    @property
    def label(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    @property
    def account(self) -> str:
        """The keyring account the password is stored under."""
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"


@dataclass(frozen=True)
class DatabaseTarget:
    """What ``--db``, ``$TAMDESK_DB`` or a dialog named: a SQLite file, or a team database and its password.

    ``repr`` and ``label`` never hold the password: ``postgresql://ana:***@db.example.com:5432/tamdesk``.
    """

    path: Path | None = None
    team: TeamDatabase | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        if self.team is None:
            return str(self.path)
        team = self.team
        secret = ":***" if self.password else ""
        return f"postgresql://{team.user}{secret}@{team.host}:{team.port}/{team.dbname}"


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/")
_TEAM_SCHEMES = ("postgresql", "postgres")


def database_target(text: str | Path | None = None) -> DatabaseTarget:
    """The one reading of a database address, for the CLI, the app and ``$TAMDESK_DB`` alike.

    ``None`` means ``$TAMDESK_DB`` when set, else the default file. ``postgresql://user[:password]@host[:port]/db``
    (or ``postgres://``) is a team database and stays one; ``sqlite:///path`` and anything without a scheme is a
    file. An address of another scheme, or a malformed team address, is refused, never taken for a file name.

    Raises:
        DatabaseError: the address is malformed or of an unknown kind; the message masks any password.
    """
    if text is None:
        text = os.environ.get(ENV_DB) or None
        if text is None:
            return DatabaseTarget(path=default_database_path())
    if isinstance(text, Path):
        return DatabaseTarget(path=text.expanduser())
    text = text.strip()
    if not text:
        raise DatabaseError("The database address is empty; give a file path or postgresql://user@host/db.")
    found = _SCHEME.match(text)
    if found is None or (len(found.group(1)) == 1 and os.name == "nt"):  # C:/… is a Windows path
        return DatabaseTarget(path=Path(text).expanduser())
    scheme = found.group(1).lower()
    if scheme == "sqlite":
        return _sqlite_target(text)
    if scheme not in _TEAM_SCHEMES:
        raise DatabaseError(
            f"'{mask_password(text)}' is not an address tamdesk opens: give a database file's path or "
            "postgresql://user@host:5432/tamdesk."
        )
    team, password = team_from_url(text)
    return DatabaseTarget(team=team, password=password)


def _sqlite_target(text: str) -> DatabaseTarget:
    parts = urllib.parse.urlsplit(text)
    path = urllib.parse.unquote(parts.path)
    if parts.netloc or not path or path == "/":
        raise DatabaseError(f"'{text}' is not a file address; write sqlite:///path/to/tamdesk.db or just the path.")
    return DatabaseTarget(path=Path(path).expanduser())


def mask_password(text: str) -> str:
    """``text`` with the password of any ``scheme://user:password@`` replaced by ``***``."""
    return re.sub(r"(:/+[^/@:\s]*):[^@/\s]*@", r"\1:***@", text)


def team_from_url(url: str) -> tuple[TeamDatabase, str | None]:
    """``postgresql://user[:password]@host[:port]/dbname`` split into where and the password, if given.

    Raises:
        DatabaseError: no host, no database name, a port that is not a number from 1 to 65535, or not a
            postgresql:// address; the message masks the password.
    """
    shown = mask_password(url)
    example = "postgresql://user@host:5432/tamdesk"
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme.lower() not in _TEAM_SCHEMES or not url.strip().lower().startswith(f"{parts.scheme.lower()}://"):
        raise DatabaseError(f"'{shown}' is not a team database address like {example}.")
    try:
        port = parts.port or 5432
    except ValueError:
        raise DatabaseError(f"'{shown}' has a port that is not a number from 1 to 65535 (as in {example}).") from None
    if not parts.hostname:
        raise DatabaseError(f"'{shown}' names no server; write it like {example}.")
    dbname = urllib.parse.unquote(parts.path.strip("/"))
    if not dbname or "/" in dbname:
        raise DatabaseError(f"'{shown}' names no database after the server; write it like {example}.")
    if not 0 < port < 65536:
        raise DatabaseError(f"'{shown}' has a port that is not a number from 1 to 65535 (as in {example}).")
    team = TeamDatabase(parts.hostname, port, dbname, urllib.parse.unquote(parts.username or ""))
    return team, urllib.parse.unquote(parts.password) if parts.password else None


def open_database(target: DatabaseTarget | str | Path | None = None, *, create: bool = False) -> OpenedDatabase:
    """Open the database ``target`` names (see :func:`database_target`), migrate and bind it.

    Only creating work passes ``create``: ``demo``, ``init`` and the app's New database. Without it a missing
    file, or a file or team database without tamdesk's tables, is refused and nothing is written.

    Raises:
        DatabaseError: missing (without ``create``), not writable, not a SQLite or tamdesk database, locked, of
            a newer schema, or an unreachable team database.
    """
    if not isinstance(target, DatabaseTarget):
        target = database_target(target)
    if target.team is not None:
        team = target.team
        db = connect_postgres(team.host, team.port, team.dbname, team.user, target.password or _stored_password(team))
        opened = _bind_and_migrate(db, team.label, create)
        _release_hold()
        return opened
    assert target.path is not None
    path = target.path.expanduser()
    if not create and not path.exists():
        raise DatabaseError(
            f"No tamdesk database at {path}. Check the path, or create one with 'tamdesk init' or 'tamdesk demo'."
        )
    local = connect_sqlite(path)
    try:
        hold = hold_database(path, program)  # restore refuses while we have it open, naming us
    except DatabaseError:
        local.close()
        raise
    try:
        opened = _bind_and_migrate(local, str(path), create)
    except BaseException:
        hold.release()
        raise
    _release_hold()
    global _hold
    _hold = hold
    return opened


def _release_hold() -> None:
    global _hold
    if _hold is not None:
        _hold.release()
        _hold = None


program = "tamdesk"
"""Who this process is, as a restore that is refused names it: "the tamdesk app", "tamdesk import tickets"."""
_hold: DatabaseHold | None = None  # this process's presence on the open SQLite file


def _stored_password(team: TeamDatabase) -> str | None:
    """The team database password from the keyring (or the environment for scheduled jobs), never from settings."""
    from tamdesk.secrets import SecretName, SecretStore

    return SecretStore().get(SecretName.DATABASE_PASSWORD, team.account) or os.environ.get("PGPASSWORD")


def open_team_database(team: TeamDatabase, password: str | None, *, create: bool = True) -> OpenedDatabase:
    """Connect to the shared PostgreSQL database, migrate and bind it (an empty one gets tamdesk's tables).

    Raises:
        DatabaseError: unreachable, wrong password, or a newer schema.
    """
    return open_database(DatabaseTarget(team=team, password=password), create=create)


def _bind_and_migrate(db: peewee.Database, label: str, create: bool) -> OpenedDatabase:
    previous = database.obj
    bind(db)
    try:
        if not create and schema_version(db) == 0:
            raise DatabaseError(
                f"{label} is not a tamdesk database yet (it has no tables). Create one with 'tamdesk init' or "
                "'tamdesk demo', or open another."
            )
        result = migrate(db)
    except (DatabaseError, peewee.DatabaseError) as exc:
        db.close()
        if previous is not None:
            bind(previous)
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(f"Cannot open {label}: {exc}.") from None
    if previous is not None and previous is not db and not previous.is_closed():
        previous.close()
    _catch_up()
    path = Path(db.database) if is_sqlite(db) else None
    global _opened_file
    _opened_file = _identity(path) if path is not None else None
    return OpenedDatabase(
        path, label if path is None else str(path), result.from_version, result.to_version, result.backup
    )


def _catch_up() -> None:
    """Derived data a newer tamdesk keeps that an older one did not: settled once, when the database is opened."""
    from tamdesk.services.onboarding import settle_automatic_steps  # onboarding reads through this module's binding

    settle_automatic_steps()


_opened_file: tuple[Path, int, int] | None = None  # the bound SQLite file as opened: path, device, inode


def _identity(path: Path) -> tuple[Path, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return path, stat.st_dev, stat.st_ino


def verify_database_file() -> None:
    """Make sure the open SQLite file is still the one opened: not deleted, moved away or replaced meanwhile.

    SQLite keeps writing to a deleted file's open handle and commits "successfully" into nothing; a command that
    wrote must not then report success.

    Raises:
        DatabaseError: the file is gone or is another file now.
    """
    if _opened_file is None:
        return
    path = _opened_file[0]
    now = _identity(path)
    if now is None:
        raise DatabaseError(f"The database {path} was deleted while tamdesk was using it; what was written is lost.")
    if now != _opened_file:
        raise DatabaseError(
            f"The database {path} was replaced by another file while tamdesk was using it; what was written went "
            "to the old file and is lost."
        )


def close_database() -> None:
    _release_hold()
    if database.obj is not None and not database.is_closed():
        database.close()


def close_worker_connection() -> None:
    """Close the calling thread's connection, if it opened one and is not inside a transaction.

    Background work calls this when it ends. Its thread keeps no Python state between two pieces of work (Qt's
    pool threads get a fresh one each time), so the connection would otherwise stay open until the cycle
    collector finds it: on SQLite with its page cache (up to 32 MB), on PostgreSQL as a server connection.
    """
    if database.obj is not None and not database.is_closed() and not database.in_transaction():
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
    present = set(db.get_tables())
    missing = [m._meta.table_name for m in t.ALL_TABLES if m._meta.table_name not in present]
    if missing:
        problems.append(f"tables missing: {', '.join(missing)}")
    if is_sqlite(db):
        rows = [r[0] for r in db.execute_sql("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            problems.extend(f"integrity: {r}" for r in rows[:20])
        fk = db.execute_sql("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"{len(fk)} rows point at missing records (first in table {fk[0][0]})")
    return CheckResult(not problems, version, tuple(problems))


def backup_database(out: str | Path) -> Path:
    """Copy the open SQLite database to ``out`` (see :func:`tamdesk.services.backups.backup_database`)."""
    from tamdesk.services import backups  # backups opens databases through this module

    return backups.backup_database(out)


def is_database_failure(exc: BaseException) -> bool:
    """An error the database or its connection raised (a lock, a full disk, a server that went away)."""
    raised_by_driver = type(exc).__module__.startswith("psycopg2")
    return raised_by_driver or isinstance(exc, sqlite3.Error | peewee.DatabaseError | peewee.InterfaceError)


def explain_failure(exc: BaseException) -> str:
    """One sentence for a failure no use case foresaw (the disk, the lock, another writer), never a traceback.

    The CLI prints it and the app shows it; set ``TAMDESK_DEBUG=1`` to have the CLI print the traceback as well.
    """
    if os.environ.get("TAMDESK_DEBUG"):
        import traceback

        traceback.print_exception(exc)
    chain = [exc]
    while (inner := chain[-1].__cause__ or chain[-1].__context__) is not None and len(chain) < 10:
        chain.append(inner)
    # SQLite rolls back by itself on a full disk; the "cannot rollback" that follows hides the reason
    for reason in reversed(chain):
        if "disk is full" in str(reason).lower() or (isinstance(reason, OSError) and reason.errno == 28):
            exc = reason
            break
    message = str(exc).strip()
    lowered = message.lower()
    where = database_label()
    if isinstance(exc, MemoryError):
        return "There is not enough memory for this; nothing was changed."
    if is_database_failure(exc):
        if "locked" in lowered or "busy" in lowered:
            return (
                f"The database {where} is busy: another tamdesk (an import, a restore, the app) is writing to it. "
                "Nothing was changed; try again when it has finished."
            )
        if "disk is full" in lowered or "no space" in lowered:
            return f"The disk holding {where} is full; nothing was changed. Free some space and try again."
        if "readonly" in lowered or "read-only" in lowered:
            return f"The database {where} is read-only now; nothing was changed."
        if isinstance(exc, peewee.IntegrityError | sqlite3.IntegrityError) or "unique" in lowered:
            return (
                f"Someone else wrote the same records to {where} at the same time; nothing was changed. Run the "
                "command again: it will see their records."
            )
        if "server closed" in lowered or "connection" in lowered or "terminating" in lowered:
            return f"The connection to {where} was lost; nothing was changed. Check the network and try again."
        if "disk i/o" in lowered or "malformed" in lowered or "not a database" in lowered:
            return f"The database {where} cannot be read or written ({message}); run 'tamdesk check'."
        return mask_password(f"The database {where} refused the change ({message}); nothing was changed.")
    if isinstance(exc, OSError):
        name = exc.filename or where
        if exc.errno == 28:  # ENOSPC
            return f"The disk holding {name} is full; nothing was written. Free some space and try again."
        why = exc.strerror or message or type(exc).__name__
        return mask_password(f"Cannot use {name}: {why}.")
    detail = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return mask_password(f"tamdesk failed unexpectedly ({detail}); set TAMDESK_DEBUG=1 to see where.")
