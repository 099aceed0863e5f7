"""Writing many rows in a few statements, the same way on SQLite and PostgreSQL.

A row per statement costs a round trip each on PostgreSQL (psycopg2's ``executemany`` sends them one by one: the
100,000-ticket sample took 222 s there against 12 s on SQLite), and a step per row on SQLite. Here rows go in
pages: on SQLite one multi-row ``INSERT … VALUES (…), (…)`` per page of up to ``PAGE_ROWS``, sized under its limit
on bound variables; on PostgreSQL one ``COPY … FROM STDIN`` per ``COPY_ROWS`` (a fifth faster than multi-row
inserts through ``psycopg2.extras.execute_values``, which builds every row's text with ``mogrify``). Updates of
many rows with their own values are one ``UPDATE … FROM (VALUES …)`` per page (SQLite 3.33 and later).

Rows hold values as the columns store them: times as epoch seconds, days as ISO text (SQLite) or ``date``.
Nothing here commits; the caller's transaction decides.
"""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import peewee

from tamdesk.models.db import database, is_sqlite

__all__ = ["PAGE_ROWS", "insert_dicts", "insert_rows", "pages", "select_in", "update_rows"]

PAGE_ROWS = 1_000
"""Rows per statement: larger pages save little and hold bigger statements in memory."""
_SQLITE_DEFAULT_VARIABLES = 32_766  # SQLite 3.32 and later; older builds say 999, read from the connection


_KEY_TYPES = {"AUTO": "INT", "BIGAUTO": "BIGINT"}  # an id's type, not the sequence that makes it


def pages(values: Sequence[Any], size: int = PAGE_ROWS) -> Iterator[Sequence[Any]]:
    """``values`` in consecutive slices of at most ``size``."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _table(model: type[peewee.Model]) -> str:
    return f'"{model._meta.table_name}"'  # type: ignore[attr-defined]


def _column(model: type[peewee.Model], name: str) -> str:
    return f'"{model._meta.fields[name].column_name}"'  # type: ignore[attr-defined]


def _sqlite_rows_per_statement(width: int) -> int:
    """How many rows of ``width`` values one statement may bind on this connection."""
    connection = database.obj.connection()
    try:
        limit = connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # Python before 3.11
        limit = _SQLITE_DEFAULT_VARIABLES
    return max(1, min(PAGE_ROWS, limit // max(1, width)))


def insert_rows(model: type[peewee.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert ``rows`` (values in ``columns`` order, field names) into ``model``'s table; the number inserted.

    Ids are not returned: read them back by a natural key (``select_in``), which holds on both engines whatever
    order a multi-row insert assigns them in.
    """
    if not rows:
        return 0
    names = ", ".join(_column(model, c) for c in columns)
    if is_sqlite():
        _sqlite_pages(f"INSERT INTO {_table(model)} ({names}) VALUES ", "", len(columns), rows)
    else:
        _copy(f"COPY {_table(model)} ({names}) FROM STDIN", rows)
    return len(rows)


def insert_dicts(model: type[peewee.Model], rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows given as ``{field name: value}``, as ``Model.insert`` would take them one by one: values go
    through each field's ``db_value`` and fields a row leaves out get their default. The number inserted."""
    if not rows:
        return 0
    fields = model._meta.fields  # type: ignore[attr-defined]
    names = list(dict.fromkeys(name for row in rows for name in row))
    names += [name for name, f in fields.items() if name not in names and f.default is not None]
    columns = [fields[name] for name in names]
    values = []
    for row in rows:
        out = []
        for field in columns:
            value = row.get(field.name, field.default)
            out.append(field.db_value(value() if callable(value) else value))
        values.append(tuple(out))
    return insert_rows(model, names, values)


def update_rows(
    model: type[peewee.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    key: str = "id",
    bump_version: bool = True,
) -> int:
    """Set ``columns`` of the rows whose ``key`` is each row's first value to the row's other values.

    One ``UPDATE … FROM (VALUES …)`` per page; ``bump_version`` adds 1 to the optimistic-locking ``version`` of
    each row updated, as ``save_versioned`` does. Returns the number of rows given.
    """
    if not rows:
        return 0
    table = _table(model)
    fields = model._meta.fields  # type: ignore[attr-defined]
    sqlite = is_sqlite()
    kinds = database.obj.get_context_options()["field_types"]

    def value(n: int, name: str) -> str:
        if sqlite:  # typed by the column it is stored in
            return f"v.column{n}"
        # psycopg2 writes values as literals: a column of NULLs only would be text; say each column's type
        field_type = _KEY_TYPES.get(fields[name].field_type, fields[name].field_type)
        kind = kinds.get(field_type, field_type)
        return f"CAST(v.column{n} AS {kind})"

    sets = [f"{_column(model, name)} = {value(n, name)}" for n, name in enumerate(columns, start=2)]
    if bump_version:
        sets.append(f'"version" = {table}."version" + 1')
    head = f"UPDATE {table} SET {', '.join(sets)} FROM (VALUES "
    tail = f") AS v WHERE {table}.{_column(model, key)} = {value(1, key)}"
    if sqlite:
        _sqlite_pages(head, tail, len(columns) + 1, rows)
    else:
        _postgres_pages(head + "%s" + tail, rows)
    return len(rows)


def select_in(
    sql: str, values: Sequence[Any], size: int = PAGE_ROWS, *, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` (which ends in ``IN``) for every value of ``values``, a page of values per statement.

    ``SELECT "number", "id" FROM "ticket" WHERE "number" IN`` → ``… IN (?, ?, …)`` on SQLite, ``… IN (%s, …)``
    on PostgreSQL. ``params`` are the values of the placeholders before the ``IN``.
    """
    found: list[tuple[Any, ...]] = []
    param = database.obj.param
    size = min(size, _sqlite_rows_per_statement(1)) if is_sqlite() else size
    for page in pages(values, size):
        marks = ", ".join([param] * len(page))
        found.extend(database.execute_sql(f"{sql} ({marks})", [*params, *page]).fetchall())
    return found


def _sqlite_pages(head: str, tail: str, width: int, rows: Sequence[Sequence[Any]]) -> None:
    per_statement = _sqlite_rows_per_statement(width)
    group = "(" + ", ".join(["?"] * width) + ")"
    full = head + ", ".join([group] * per_statement) + tail
    cursor = database.obj.cursor()
    for page in pages(rows, per_statement):
        sql = full if len(page) == per_statement else head + ", ".join([group] * len(page)) + tail
        cursor.execute(sql, [value for row in page for value in row])


COPY_ROWS = 10_000
"""Rows per ``COPY`` on PostgreSQL: its text is built in memory, a page at a time."""
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """A value in ``COPY``'s text format: ``\\N`` for NULL, backslash escapes for the separators."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if type(value) is str:
        return value.translate(_COPY_ESCAPES)
    return str(value)  # a number, or a date as ISO text


def _copy_line(row: Sequence[Any]) -> str:
    """A row in ``COPY``'s text format. Most rows hold no NULL and no character to escape: those are joined as they
    are (a boolean as True or False, which PostgreSQL reads too), the others value by value."""
    if None not in row:
        line = "\t".join(map(str, row))
        if "\\" not in line and "\n" not in line and "\r" not in line and line.count("\t") == len(row) - 1:
            return line + "\n"
    return "\t".join(map(_copy_text, row)) + "\n"


def _copy(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """``COPY … FROM STDIN`` of ``rows``: no statement to parse and plan per row or page, the fastest way in."""
    cursor = database.obj.cursor()
    for page in pages(rows, COPY_ROWS):
        cursor.copy_expert(sql, io.StringIO("".join(map(_copy_line, page))))


def _postgres_pages(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    from psycopg2.extras import execute_values  # only a team database needs psycopg2 loaded

    execute_values(database.obj.cursor(), sql, rows, page_size=PAGE_ROWS)
