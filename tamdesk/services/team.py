"""Moving a laptop's local data to the shared team database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tamdesk.models import SCHEMA_VERSION, DatabaseError
from tamdesk.models import tables as t
from tamdesk.models.db import database, is_sqlite
from tamdesk.services.base import Context, DomainError, record_audit

CHUNK = 1000


class CopyCancelled(DomainError):
    """The copy was cancelled; the team database is as it was."""


@dataclass(frozen=True)
class CopySummary:
    rows: int
    customers: int

    @property
    def summary(self) -> str:
        return f"Copied {self.customers:,} customers ({self.rows:,} records) to the team database."


def _source_version(con: sqlite3.Connection, source: Path) -> int:
    try:
        return int(con.execute("SELECT max(version) FROM schema_info").fetchone()[0] or 0)
    except sqlite3.DatabaseError:
        raise DatabaseError(f"Cannot copy {source}: it is not a tamdesk database.") from None


def copy_local_to_team(
    ctx: Context,
    source: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> CopySummary:
    """Copy every record of the local SQLite file ``source`` into the open (team) database, in one transaction.

    The team database must not hold customers yet: two books are never mixed silently.
    """
    if is_sqlite():
        raise DomainError("Connect to the team database first; the local database is the one being copied.")
    existing = t.Customer.select().count()
    if existing:
        raise DomainError(
            f"The team database already holds {existing:,} customers; copy into an empty team database only."
        )
    con = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        version = _source_version(con, source)
        if version != SCHEMA_VERSION:
            raise DatabaseError(
                f"Cannot copy {source}: it is at schema version {version}; open it in this tamdesk once to upgrade it."
            )
        total = sum(con.execute(f"SELECT count(*) FROM {m._meta.table_name}").fetchone()[0] for m in t.ALL_TABLES)
        copied = 0
        with database.atomic():
            for model in reversed(t.ALL_TABLES):
                model.delete().execute()  # the seeded defaults make way for the laptop's own
            for model in t.ALL_TABLES:
                copied = _copy_table(con, model, copied, total, progress, cancelled)
            _reset_sequences()
            customers = t.Customer.select().count()
            record_audit(
                ctx, entity="database", entity_id=None, action="copy",
                summary=f"Local data copied from {source.name}: {customers:,} customers",
            )  # fmt: skip
    finally:
        con.close()
    return CopySummary(copied, customers)


def _copy_table(
    con: sqlite3.Connection,
    model: type[t.BaseModel],
    copied: int,
    total: int,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> int:
    fields = model._meta.sorted_fields
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    cursor = con.execute(f'SELECT {columns} FROM "{model._meta.table_name}" ORDER BY id')
    while rows := cursor.fetchmany(CHUNK):
        if cancelled and cancelled():
            raise CopyCancelled("Copying to the team database was cancelled; nothing was copied.")
        model.insert_many(rows, fields=fields).execute()
        copied += len(rows)
        if progress:
            progress(copied, total)
    return copied


def _reset_sequences() -> None:
    """Ids were copied as they were; the team database's id sequences continue after them."""
    for model in t.ALL_TABLES:
        table = model._meta.table_name
        database.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)'
        )
