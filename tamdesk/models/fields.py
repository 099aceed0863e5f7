"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import peewee


class UtcDateTimeField(peewee.BigIntegerField):
    """A moment in time, stored as integer seconds since the epoch (UTC) and read back timezone-aware.

    Integer epochs keep SLA aggregates fast and sort the same on SQLite and PostgreSQL.
    """

    def db_value(self, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, int):
            return value
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"{self.name}: expected a timezone-aware datetime, got {value!r}")
        return int(value.timestamp())

    def python_value(self, value: Any) -> datetime | None:
        if value is None:
            return None
        return datetime.fromtimestamp(int(value), UTC)


class DayField(peewee.DateField):
    """A calendar date (ISO text on SQLite, DATE on PostgreSQL), always read back as ``date``."""

    def python_value(self, value: Any) -> date | None:
        if value is None or isinstance(value, date):
            return value
        return date.fromisoformat(str(value)[:10])
