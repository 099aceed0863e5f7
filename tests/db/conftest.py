"""Service tests run on SQLite, and on PostgreSQL too when TAMDESK_TEST_POSTGRES_URL is set.

Modules that test the SQLite file itself (backups, paths, crash safety) are marked ``sqlite_only``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tamdesk.services.database import close_database, open_database

POSTGRES_URL = os.environ.get("TAMDESK_TEST_POSTGRES_URL", "")


def reset_postgres(url: str) -> None:
    """An empty public schema, so each test starts on a fresh database."""
    import psycopg2

    with psycopg2.connect(url) as con, con.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("tests the SQLite file itself")
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL not configured: set TAMDESK_TEST_POSTGRES_URL (make test does when it can)")
    return str(request.param)


@pytest.fixture
def db_path(engine: str, tmp_path: Path) -> Iterator[Path]:
    """A fresh, migrated database bound for the test: a SQLite file, or an empty PostgreSQL schema."""
    if engine == "postgres":
        reset_postgres(POSTGRES_URL)
        open_database(POSTGRES_URL, create=True)
        yield POSTGRES_URL  # type: ignore[misc]  # what --db takes for a team database
    else:
        path = tmp_path / "tamdesk.db"
        open_database(path, create=True)
        yield path
    close_database()
