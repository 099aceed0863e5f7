"""Peewee tables (``tamdesk.models.tables``), database binding and schema migrations."""

from tamdesk.models.db import DatabaseError, bind, connect_sqlite, database, database_label
from tamdesk.models.migrations import SCHEMA_VERSION, MigrationResult, SchemaTooNew, migrate, schema_version

__all__ = [
    "SCHEMA_VERSION",
    "DatabaseError",
    "MigrationResult",
    "SchemaTooNew",
    "bind",
    "connect_sqlite",
    "database",
    "database_label",
    "migrate",
    "schema_version",
]
