"""Opening, checking and backing up the database: the first use cases the CLI and the app share."""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import peewee
import platformdirs

from tamdesk.models import SCHEMA_VERSION, DatabaseError, bind, connect_sqlite, migrate, schema_version
from tamdesk.models import tables as t
from tamdesk.models.db import connect_postgres, database, is_sqlite

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
    path: Path | None  # the SQLite file; None for a team database
    label: str
    from_version: int
    to_version: int
    backup: Path | None


def open_database(path: str | Path | None = None) -> OpenedDatabase:
    """Open the SQLite database at ``path`` (default: :func:`default_database_path`), migrate and bind it.

    Raises:
        DatabaseError: not writable, not a SQLite or tamdesk database, locked, or of a newer schema.
    """
    if path is not None and str(path).startswith(("postgresql://", "postgres://")):
        team, password = team_from_url(str(path))
        return open_team_database(team, password or _stored_password(team))
    target = Path(path).expanduser() if path else default_database_path()
    return _bind_and_migrate(connect_sqlite(target), str(target))


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


def team_from_url(url: str) -> tuple[TeamDatabase, str | None]:
    """``postgresql://user[:password]@host[:port]/dbname`` split into where and the password, if given."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname or not parts.path.strip("/"):
        raise DatabaseError(f"'{url}' is not a database address like postgresql://user@host:5432/tamdesk.")
    team = TeamDatabase(
        parts.hostname, parts.port or 5432, parts.path.strip("/"), urllib.parse.unquote(parts.username or "")
    )
    return team, urllib.parse.unquote(parts.password) if parts.password else None


def _stored_password(team: TeamDatabase) -> str | None:
    """The team database password from the keyring (or the environment for scheduled jobs), never from settings."""
    from tamdesk.secrets import SecretName, SecretStore

    return SecretStore().get(SecretName.DATABASE_PASSWORD, team.account) or os.environ.get("PGPASSWORD")


def open_team_database(team: TeamDatabase, password: str | None) -> OpenedDatabase:
    """Connect to the shared PostgreSQL database, migrate and bind it.

    Raises:
        DatabaseError: unreachable, wrong password, or a newer schema.
    """
    return _bind_and_migrate(connect_postgres(team.host, team.port, team.dbname, team.user, password), team.label)


def _bind_and_migrate(db: peewee.Database, label: str) -> OpenedDatabase:
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
        raise DatabaseError(f"Cannot open {label}: {exc}.") from None
    if previous is not None and previous is not db and not previous.is_closed():
        previous.close()
    path = Path(db.database) if is_sqlite(db) else None
    return OpenedDatabase(
        path, label if path is None else str(path), result.from_version, result.to_version, result.backup
    )


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
