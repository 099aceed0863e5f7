"""Counting the SQL statements a block of code runs, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tamdesk.models.db import database, is_sqlite


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements the bound database runs inside the block, as the app sends them: every ``execute`` of a
    cursor, or ``COPY`` of a psycopg2 one (an ``executemany`` counts once per row, as it runs them). What triggers do
    within a statement (the search index, schema v9) is no statement of its own, so SQLite's trace callback, which
    repeats the statement for each trigger it fires, is not what counts."""
    seen: list[str] = []
    connection = database.obj.connection()
    if is_sqlite():
        db = database.obj
        make = db.cursor
        db.cursor = lambda *args, **kwargs: _CountingCursor(make(*args, **kwargs), seen)
        try:
            yield seen
        finally:
            del db.cursor  # the method again
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


class _CountingCursor:
    """An SQLite cursor that notes each statement it runs."""

    def __init__(self, cursor: Any, seen: list[str]) -> None:
        self._cursor, self._seen = cursor, seen

    def execute(self, sql: str, params: Any = ()) -> _CountingCursor:
        self._seen.append(sql)
        self._cursor.execute(sql, params)
        return self

    def executemany(self, sql: str, rows: Any) -> _CountingCursor:
        rows = list(rows)
        self._seen.extend([sql] * len(rows))
        self._cursor.executemany(sql, rows)
        return self

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)
