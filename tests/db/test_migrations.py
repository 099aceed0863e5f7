"""Migrations on real old data: the checked-in schema-v1 database made by `tamdesk demo`."""

from __future__ import annotations

import shutil
from pathlib import Path

import peewee
import pytest

from tamdesk.models import SCHEMA_VERSION, migrations
from tamdesk.models import tables as t
from tamdesk.services.database import check_database, close_database, open_database

pytestmark = pytest.mark.sqlite_only

FIXTURE = Path(__file__).parent.parent / "fixtures" / "schema-v1.db"
FIXTURE_V2 = FIXTURE.with_name("schema-v2.db")


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    return path


@pytest.fixture(params=[FIXTURE, FIXTURE_V2], ids=["v1", "v2"])
def any_old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copy(request.param, path)
    return path


def test_v1_fixture_opens_at_the_current_schema_with_its_data(old_db: Path) -> None:
    opened = open_database(old_db)
    try:
        assert opened.to_version == SCHEMA_VERSION
        assert check_database().ok
        assert (t.Customer.select().count(), t.Ticket.select().count()) == (8, 300)
        assert t.Escalation.select().count() == 4
    finally:
        close_database()


def test_a_new_migration_runs_once_after_a_backup(old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def v2(db: peewee.Database) -> None:
        db.execute_sql("ALTER TABLE customer ADD COLUMN region TEXT DEFAULT 'EMEA'")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, v2))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    result = migrations.migrate(_connect(old_db))
    assert (result.from_version, result.to_version) == (1, migrations.SCHEMA_VERSION)
    assert result.backup is not None and result.backup.exists()
    assert result.backup.name.startswith("old.v1-")
    db = t.Customer._meta.database
    assert db.execute_sql("SELECT count(*) FROM customer WHERE region = 'EMEA'").fetchone()[0] == 8
    assert migrations.schema_version(db) == migrations.SCHEMA_VERSION
    assert migrations.migrate(db).backup is None  # nothing more to do
    close_database()


def test_v2_adds_the_source_columns_and_tables_to_a_v1_database(old_db: Path) -> None:
    open_database(old_db)
    try:
        ticket = t.Ticket.get()
        assert (ticket.source, ticket.source_first_reply_business_minutes, ticket.source_updated_at) == ("", None, None)
        customer = t.Customer.get()
        t.CustomerAlias.create(customer=customer, name="Acme Inc", name_key="acmeinc")
        assert [a.name for a in customer.aliases] == ["Acme Inc"]
        assert check_database().ok
    finally:
        close_database()


def test_v3_dates_every_defect_link_by_its_defect_and_ticket(any_old_db: Path) -> None:
    """Each existing link is dated when it could first have existed: the defect's report or the ticket's opening."""
    before = peewee.SqliteDatabase(any_old_db)
    count = before.execute_sql("SELECT count(*) FROM defect_ticket").fetchone()[0]
    before.close()
    opened = open_database(any_old_db)
    try:
        assert opened.to_version == SCHEMA_VERSION
        links = list(t.DefectTicket.select())
        assert len(links) == count > 0
        for link in links:
            assert link.linked_at == max(link.defect.reported_at, link.ticket.opened_at)
        assert check_database().ok
    finally:
        close_database()


def test_a_failing_migration_changes_nothing(old_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(db: peewee.Database) -> None:
        db.execute_sql("UPDATE customer SET name = name || ' (migrated)'")
        raise RuntimeError("disk full")

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    db = _connect(old_db)
    with pytest.raises(RuntimeError):
        migrations.migrate(db)
    assert migrations.schema_version(db) == migrations.SCHEMA_VERSION - 1  # every migration before the broken one
    assert not db.execute_sql("SELECT count(*) FROM customer WHERE name LIKE '%(migrated)'").fetchone()[0]
    close_database()


def _connect(path: Path) -> peewee.Database:
    from tamdesk.models import bind, connect_sqlite

    return bind(connect_sqlite(path))


def test_v5_adds_severity_changes_and_exemptions_beside_the_old_data(any_old_db: Path) -> None:
    """New tables only: every ticket keeps its severity and events, and the new rows go with their ticket."""
    before = peewee.SqliteDatabase(any_old_db)
    tickets = before.execute_sql("SELECT count(*), sum(severity) FROM ticket").fetchone()
    events = before.execute_sql("SELECT count(*) FROM ticket_event").fetchone()[0]
    before.close()
    opened = open_database(any_old_db)
    try:
        assert opened.to_version == SCHEMA_VERSION
        db = t.Ticket._meta.database
        assert db.execute_sql("SELECT count(*), sum(severity) FROM ticket").fetchone() == tickets
        assert t.TicketEvent.select().count() == events
        ticket = t.Ticket.get()
        t.TicketSeverityChange.create(
            ticket=ticket, at=ticket.opened_at, before=1, after=3, author="ana", recorded_at=ticket.opened_at
        )
        t.SlaExemption.create(
            ticket=ticket, clock="first_response", reason="Customer outage", author="ana", excused_at=ticket.opened_at
        )
        assert check_database().ok
        ticket.delete_instance()
        assert (t.TicketSeverityChange.select().count(), t.SlaExemption.select().count()) == (0, 0)
        assert t.Ticket.select().count() == tickets[0] - 1
    finally:
        close_database()


def test_v9_indexes_every_old_row_for_search(any_old_db: Path) -> None:
    """The full-text index is filled from the rows already there, and search finds them by it."""
    from tamdesk.services.search import HitKind, Rank, search

    opened = open_database(any_old_db)
    try:
        assert opened.to_version == SCHEMA_VERSION
        db = t.Ticket._meta.database
        for table in ("ticket", "escalation", "defect", "portal_seat", "timeline_entry", "customer"):
            rows = db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert db.execute_sql(f"SELECT count(*) FROM {table}_search").fetchone()[0] == rows, table
        ticket = t.Ticket.select().order_by(t.Ticket.id).first()
        hits = [(hit.kind, hit.id, hit.rank) for hit in search(ticket.number.upper())]
        assert (HitKind.TICKET, ticket.id, Rank.EXACT) in hits
        word = max(ticket.subject.split(), key=len)
        assert ticket.id in {hit.id for hit in search(word.swapcase(), limit=1000) if hit.kind is HitKind.TICKET}
        assert check_database().ok
    finally:
        close_database()
