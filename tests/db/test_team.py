"""Copying a laptop's local data to the team database (PostgreSQL), and two writers on one database."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import peewee
import pytest

from tamdesk.models import tables as t
from tamdesk.models.db import connect_sqlite, database, is_sqlite
from tamdesk.services.base import Context, DomainError, StaleEdit
from tamdesk.services.customers import CustomerInput, create_customer, get_customer, update_customer
from tamdesk.services.database import TeamDatabase, close_database, open_database, open_team_database
from tamdesk.services.demo import generate_demo
from tamdesk.services.team import copy_local_to_team
from tests.db.conftest import reset_postgres

POSTGRES_URL = os.environ.get("TAMDESK_TEST_POSTGRES_URL", "")


def test_copy_refuses_when_the_open_database_is_local(db_path: Path, ctx: Context) -> None:
    if not is_sqlite():
        pytest.skip("checks the local case")
    with pytest.raises(DomainError, match="Connect to the team database first"):
        copy_local_to_team(ctx, Path(db_path))


def test_copy_local_data_to_the_team_database(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    if is_sqlite():
        pytest.skip("needs the team database (PostgreSQL)")
    local = tmp_path / "laptop.db"
    open_database(local, create=True)
    generate_demo(ctx, customers=5, tickets=150, seed=3)
    counts = {m.__name__: m.select().count() for m in t.ALL_TABLES}
    open_database(POSTGRES_URL, create=True)  # the team database to copy into may be empty
    result = copy_local_to_team(ctx, local)
    assert result.customers == 5
    copied = {m.__name__: m.select().count() for m in t.ALL_TABLES}
    assert {k: v for k, v in copied.items() if k != "AuditEntry"} == {
        k: v for k, v in counts.items() if k != "AuditEntry"
    }
    new = create_customer(ctx, CustomerInput(name="After the copy"))  # sequences continue after copied ids
    assert new > max(c.id for c in t.Customer.select().where(t.Customer.id != new))
    with pytest.raises(DomainError, match="already holds 6 customers"):
        copy_local_to_team(ctx, local)


def _second_connection(db_path: Path) -> peewee.Database:
    """Another TAM's connection to the same database."""
    if is_sqlite():
        return connect_sqlite(db_path)
    params = database.obj.connect_params
    other = peewee.PostgresqlDatabase(database.obj.database, **params)
    other.connect()
    return other


def test_two_writers_never_silently_overwrite(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, CustomerInput(name="Acme", notes="v1"))
    mine = get_customer(cid)
    other = _second_connection(db_path)
    try:
        with t.Customer.bind_ctx(other):
            theirs = t.Customer.get_by_id(cid)
            updated = (
                t.Customer.update(notes="theirs", version=t.Customer.version + 1)
                .where((t.Customer.id == cid) & (t.Customer.version == theirs.version))
                .execute()
            )
            assert updated == 1
    finally:
        other.close()
    data = CustomerInput(**{**mine.input.__dict__, "notes": "mine"})
    with pytest.raises(StaleEdit) as info:
        update_customer(ctx, cid, mine.version, data)
    assert info.value.current["notes"] == "theirs"
    assert get_customer(cid).input.notes == "theirs"
    update_customer(ctx, cid, get_customer(cid).version, data)  # after merging, saving works
    assert get_customer(cid).input.notes == "mine"


def test_two_app_instances_writing_one_sqlite_file(db_path: Path, ctx: Context) -> None:
    if not is_sqlite():
        pytest.skip("SQLite locking")
    other = connect_sqlite(db_path)
    try:
        other.execute_sql("BEGIN IMMEDIATE")
        other.execute_sql("UPDATE setting SET value = '4' WHERE key = 'escalation_vp_after_business_days'")
        # the first writer holds the lock; ours waits (busy timeout) and then fails with a clear message
        database.obj.execute_sql("PRAGMA busy_timeout = 100")
        with pytest.raises(peewee.OperationalError, match="locked"):
            create_customer(ctx, CustomerInput(name="Blocked", onboarding_started=date(2026, 3, 1)))
        other.execute_sql("COMMIT")
    finally:
        other.close()
    database.obj.execute_sql("PRAGMA busy_timeout = 5000")
    create_customer(ctx, CustomerInput(name="Now it works"))
    assert [c.name for c in t.Customer.select()] == ["Now it works"]
    close_database()


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL not configured: set TAMDESK_TEST_POSTGRES_URL")
def test_wrong_team_password_and_unreachable_server_are_explained(db_path: Path) -> None:
    from tamdesk.models import DatabaseError
    from tamdesk.services.database import team_from_url

    team, _ = team_from_url(POSTGRES_URL)
    before = database.obj
    with pytest.raises(DatabaseError, match="refused the user name or password") as wrong:
        open_team_database(team, "not-the-password")
    assert "not-the-password" not in str(wrong.value)
    unreachable = TeamDatabase("127.0.0.1", 1, team.dbname, team.user)
    with pytest.raises(DatabaseError, match="cannot be reached"):
        open_team_database(unreachable, "x")
    assert database.obj is before  # the open database stays in use


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL not configured: set TAMDESK_TEST_POSTGRES_URL")
def test_a_team_address_in_the_environment_reaches_the_team_database(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14's blocker: TAMDESK_DB=postgresql://… wrote to a local file named after the address."""
    import subprocess
    import sys
    from urllib.parse import urlsplit

    if is_sqlite():
        pytest.skip("needs the team database (PostgreSQL)")
    close_database()
    reset_postgres(POSTGRES_URL)
    password = urlsplit(POSTGRES_URL).password or ""
    env = {**os.environ, "TAMDESK_DB": POSTGRES_URL, "PYTHONPATH": os.pathsep.join(sys.path)}
    monkeypatch.chdir(tmp_path)

    def tamdesk(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tamdesk", *argv], capture_output=True, text=True, env=env, timeout=120
        )

    missing = tamdesk("check")
    assert missing.returncode == 1 and "not a tamdesk database yet" in missing.stderr
    assert tamdesk("demo", "--customers", "3", "--tickets", "20").returncode == 0
    checked = tamdesk("check")
    assert checked.returncode == 0, checked.stderr
    assert list(tmp_path.iterdir()) == []  # nothing local was written
    for result in (missing, checked):
        assert f":{password}@" not in result.stdout + result.stderr
    open_database(POSTGRES_URL)
    assert t.Customer.select().count() == 3
