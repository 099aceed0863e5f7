"""Counting the SQL statements a block of code runs, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tamdesk.models.db import database, is_sqlite


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements the bound database runs inside the block, as the connection sees them: SQLite's trace
    callback, every ``execute`` or ``COPY`` of a psycopg2 cursor (an ``executemany`` counts once per row, as it
    sends them)."""
    seen: list[str] = []
    connection = database.obj.connection()
    if is_sqlite():
        connection.set_trace_callback(seen.append)
        try:
            yield seen
        finally:
            connection.set_trace_callback(None)
        return
    import psycopg2.extensions

    class Counting(psycopg2.extensions.cursor):  # type: ignore[misc]
        def execute(self, sql: Any, args: Any = None) -> Any:
            seen.append(sql if isinstance(sql, str) else sql.decode(errors="replace"))
            return super().execute(sql, args)

        def copy_expert(self, sql: Any, file: Any, size: int = 8192) -> Any:
            seen.append(sql)
            return super().copy_expert(sql, file, size)

        def executemany(self, sql: Any, args: Any) -> Any:
            args = list(args)
            seen.extend([sql] * len(args))
            return super().executemany(sql, args)

    before = connection.cursor_factory
    connection.cursor_factory = Counting
    try:
        yield seen
    finally:
        connection.cursor_factory = before
