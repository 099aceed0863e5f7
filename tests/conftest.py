"""Shared fixtures: headless Qt, a temporary database, a fixed clock, an in-memory keyring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import keyring.backend
import pytest

from tamdesk.services import identity
from tamdesk.services.base import Context
from tamdesk.services.database import close_database, open_database

FIXED_NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
_PRIVATE_DATABASE: tuple[str, str] | None = None  # (server URL, database name) created for this run


def _private_postgres_database() -> None:
    """Give this test run a PostgreSQL database of its own, so two runs on one server never reset each other's.

    Done when this file is imported, before pytest imports tests/db/conftest.py (which reads the URL): pytest
    imports the conftest files of the paths it is given before it calls ``pytest_configure``.
    """
    global _PRIVATE_DATABASE
    url = os.environ.get("TAMDESK_TEST_POSTGRES_URL", "")
    if not url or os.environ.get("TAMDESK_TEST_POSTGRES_SHARED"):
        return
    import psycopg2

    parts = urlsplit(url)
    name = f"{parts.path.strip('/') or 'tamdesk'}_{os.getpid()}"
    con = psycopg2.connect(url)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    con.close()
    _PRIVATE_DATABASE = (url, name)
    os.environ["TAMDESK_TEST_POSTGRES_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    os.environ["TAMDESK_TEST_POSTGRES_SHARED"] = "1"  # subprocesses use this run's database as it is


_private_postgres_database()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _PRIVATE_DATABASE is None:
        return
    import psycopg2

    url, name = _PRIVATE_DATABASE
    con = psycopg2.connect(url)
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    con.close()


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that forgets everything when the test ends; no test touches the real keychain."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the user's data, config and log folders at a temporary home."""
    home = tmp_path_factory.mktemp("home")
    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.delenv("TAMDESK_DB", raising=False)
    return home


@pytest.fixture(autouse=True)
def account_without_full_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test machine's account has no full name (tests that need one set it), so names never depend on it."""
    monkeypatch.setattr(identity, "_system_full_name", lambda: "")


@pytest.fixture
def fixed_now() -> datetime:
    return FIXED_NOW


@pytest.fixture
def ctx(fixed_now: datetime) -> Context:
    return Context(actor="Tess Tam", clock=lambda: fixed_now)


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    """A fresh, migrated database file, bound for the test."""
    path = tmp_path / "tamdesk.db"
    open_database(path, create=True)
    yield path
    close_database()
