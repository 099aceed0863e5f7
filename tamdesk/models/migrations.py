"""Schema versions and ordered migrations, run at start-up, each in a transaction, after a backup copy.

A migration is never edited once released; later changes are new migrations.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import peewee

from tamdesk import __version__
from tamdesk.domain.onboarding import DEFAULT_TEMPLATE
from tamdesk.models import tables as t
from tamdesk.models.db import DatabaseError, is_sqlite

log = logging.getLogger(__name__)


class SchemaTooNew(DatabaseError):
    """The database was written by a newer tamdesk."""


def _v1_initial(db: peewee.Database) -> None:
    db.create_tables(t.ALL_TABLES)
    now = datetime.now(UTC)
    hours = {str(d): ["09:00", "18:00"] for d in range(5)}
    t.BusinessCalendar.create(name="Standard hours", weekly_hours=json.dumps(hours))
    policy = t.SlaPolicy.create(name="Standard", description="Default enterprise support SLA.")
    targets = {
        "1": {"first_response_min": 60, "update_cadence_min": 120, "clock": "24x7"},
        "2": {"first_response_min": 120, "update_cadence_min": 540, "clock": "business_hours"},
        "3": {"first_response_min": 540, "update_cadence_min": 1620, "clock": "business_hours"},
        "4": {"first_response_min": 1080, "update_cadence_min": 2700, "clock": "business_hours"},
    }
    t.SlaPolicyRevision.create(
        policy=policy, revision=1, targets=json.dumps(targets), created_at=now, created_by="tamdesk"
    )
    template = t.OnboardingTemplate.create(name="Standard onboarding", is_default=True)
    # The default template is read from the domain: it seeds new databases only, so later edits to it
    # never rewrite a customer's checklist.
    for position, step in enumerate(DEFAULT_TEMPLATE, start=1):
        t.OnboardingTemplateStep.create(
            template=template,
            position=position,
            title=step.title,
            description=step.description,
            offset_days=step.offset_days,
            auto_rule=step.auto_rule.value if step.auto_rule else None,
        )
    defaults = {
        "defect_update_cadence_business_days": {"1": 1, "2": 5, "3": 10, "4": 20},
        "escalation_vp_after_business_days": 3,
    }
    for key, value in defaults.items():
        t.Setting.create(key=key, value=json.dumps(value))
    t.SchemaInfo.create(version=1, app_version=__version__, migrated_at=now)


def _add_missing_columns(db: peewee.Database, table: str, columns: dict[str, str]) -> None:
    """``ALTER TABLE table ADD COLUMN`` each of ``columns`` (name → SQL type) the table lacks.

    Plain ADD COLUMN on purpose: peewee's SQLite migrator rebuilds the table for a NOT NULL column, and dropping
    the old table with foreign keys on would cascade-delete every row that points at it.
    """
    present = {column.name for column in db.get_columns(table)}
    for name, sql_type in columns.items():
        if name not in present:
            db.execute_sql(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}")


def _v2_import_sources(db: peewee.Database) -> None:
    """Support-system imports: what the source said of a ticket, customers' other names, saved column mappings."""
    _add_missing_columns(
        db,
        t.Ticket._meta.table_name,
        {
            "source": "VARCHAR(255) NOT NULL DEFAULT ''",
            "source_updated_at": "BIGINT",
            "source_first_reply_business_minutes": "INTEGER",
            "source_first_response_breached": "BOOLEAN",
            "source_resolution_breached": "BOOLEAN",
        },
    )
    db.create_tables([t.CustomerAlias, t.ImportMapping], safe=True)


def _v3_defect_links(db: peewee.Database) -> None:
    """When each ticket was linked to its defect: each linked customer's update clock starts there (DESIGN §7).

    Existing links get the earliest moment they can have existed: when the defect was reported, or when the ticket
    was opened if that is later. The true moment is unknown; an early start never hides an update that is due,
    where a late one (say, the migration's own time) would silently restart every customer's clock.
    """
    _add_missing_columns(db, t.DefectTicket._meta.table_name, {"linked_at": "BIGINT"})
    db.execute_sql(
        "UPDATE defect_ticket SET linked_at = ("
        " SELECT CASE WHEN tk.opened_at > d.reported_at THEN tk.opened_at ELSE d.reported_at END"
        " FROM defect d, ticket tk WHERE d.id = defect_ticket.defect_id AND tk.id = defect_ticket.ticket_id)"
        " WHERE linked_at IS NULL"
    )


def _v4_connections(db: peewee.Database) -> None:
    """Live sync: the support systems to sync from, and source tickets held until their customer is known."""
    db.create_tables([t.Connection, t.SyncHeld], safe=True)


def _v5_severity_changes_and_exemptions(db: peewee.Database) -> None:
    """Dated severity changes of tickets, and SLA breaches excused with a reason (issue 15).

    New tables only: tickets keep their severity column as the current one, and a ticket without changes is
    measured as before.
    """
    db.create_tables([t.TicketSeverityChange, t.SlaExemption], safe=True)


def _v6_calendars(db: peewee.Database) -> None:
    """Date-specific hours of a calendar (a half day, a closed date).

    Weekly hours need no change: their JSON now also takes a list of intervals per weekday, and the old one-pair
    form still reads. Independent of the other migrations, so it can run in any order after v4.
    """
    db.create_tables([t.CalendarDay], safe=True)


def _v7_account(db: peewee.Database) -> None:
    """The account beyond its tickets (issue 16): contacts, the timeline with attendees and links, follow-ups."""
    db.create_tables([t.Contact, t.TimelineEntry, t.TimelineAttendee, t.TimelineLink, t.FollowUp], safe=True)


def _v8_contracts_and_health(db: peewee.Database) -> None:
    """Contract facts, installed versions with their history, weekly health, and the product of a defect's fix."""
    _add_missing_columns(db, t.Defect._meta.table_name, {"product": "VARCHAR(255) NOT NULL DEFAULT ''"})
    db.create_tables([t.Contract, t.InstalledVersion, t.HealthSnapshot], safe=True)


@dataclass(frozen=True)
class _SearchIndex:
    """A SQLite full-text index of one table for search (v9): its rows' text, one column each, case folded by the
    trigram tokenizer (Unicode letters too: ``MÜLLER`` is ``müller``).

    ``select`` gives ``id, text…`` of the indexed rows of ``x`` (the table's alias) that match a condition;
    ``watch`` names the columns whose change re-indexes a row; ``follows`` names other tables whose change
    re-indexes the rows they feed (table, the events and columns to watch, and which rows of ``x`` they feed).
    """

    name: str
    table: str
    columns: tuple[str, ...]
    select: str
    watch: tuple[str, ...]
    follows: tuple[tuple[str, str, str], ...] = ()


def _text(sql: str) -> str:
    """The indexed form of a value: framed by char(1), so a field's start and end can be searched for (an exact
    number, a word that starts a field). SQLite's own functions only: any program that writes the file (an older
    tamdesk, the sqlite3 shell) keeps the index in step; the index folds case itself."""
    return f"char(1) || coalesce({sql}, '') || char(1)"


_V9_INDEXES = (
    _SearchIndex(
        "ticket_search",
        "ticket",
        ("number", "subject"),
        f"SELECT x.id, {_text('x.number')}, {_text('x.subject')} FROM ticket x",
        ("number", "subject"),
    ),
    _SearchIndex(
        "escalation_search",
        "escalation",
        ("number", "reason"),
        f"SELECT x.id, {_text('t.number')}, {_text('x.reason')} FROM escalation x JOIN ticket t ON t.id = x.ticket_id",
        ("ticket_id", "reason"),
        (("ticket", "UPDATE OF number", "x.ticket_id = new.id"),),
    ),
    _SearchIndex(
        "defect_search",
        "defect",
        ("engineering_key", "title"),
        f"SELECT x.id, {_text('x.engineering_key')}, {_text('x.title')} FROM defect x",
        ("engineering_key", "title"),
    ),
    _SearchIndex(
        "portal_seat_search",
        "portal_seat",
        ("full_name", "email"),
        f"SELECT x.id, {_text('x.full_name')}, {_text('x.email')} FROM portal_seat x",
        ("full_name", "email"),
    ),
    _SearchIndex(
        "timeline_entry_search",
        "timeline_entry",
        ("title", "body"),
        f"SELECT x.id, {_text('x.title')}, {_text('x.body')} FROM timeline_entry x",
        ("title", "body"),
    ),
    _SearchIndex(
        "customer_search",
        "customer",
        ("name", "email_domains", "tam", "aliases"),
        f"SELECT x.id, {_text('x.name')}, {_text('x.email_domains')}, {_text('p.name')}, "
        + _text("(SELECT group_concat(a.name, char(10)) FROM customer_alias a WHERE a.customer_id = x.id)")
        + " FROM customer x LEFT JOIN person p ON p.id = x.tam_id",
        ("name", "email_domains", "tam_id"),
        (
            ("person", "UPDATE OF name", "x.tam_id = new.id"),
            ("customer_alias", "INSERT", "x.id = new.customer_id"),
            ("customer_alias", "DELETE", "x.id = old.customer_id"),
            ("customer_alias", "UPDATE OF name, customer_id", "x.id IN (old.customer_id, new.customer_id)"),
        ),
    ),
)


def _where(select: str, condition: str) -> str:
    return f"{select} WHERE {condition}"


def _v9_sqlite_search(db: peewee.Database) -> None:
    try:
        with db.atomic():  # a savepoint: an SQLite built without FTS5's trigram tokenizer (before 3.34) says no here
            db.execute_sql("CREATE VIRTUAL TABLE temp.search_probe USING fts5(x, tokenize='trigram')")
            db.execute_sql("DROP TABLE temp.search_probe")
    except peewee.DatabaseError as error:
        log.warning("Search scans the tables: this SQLite has no trigram full-text index (%s)", str(error).strip())
        return
    for index in _V9_INDEXES:
        name, table = index.name, index.table
        columns = ", ".join(index.columns)
        insert = f"INSERT INTO {name}(rowid, {columns}) "
        db.execute_sql(
            f"CREATE VIRTUAL TABLE {name} USING fts5({columns}, tokenize='trigram case_sensitive 0', columnsize=0)"
        )
        db.execute_sql(insert + index.select)
        db.execute_sql(
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN "
            f"{insert}{_where(index.select, 'x.id = new.id')}; END"
        )
        db.execute_sql(
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF id, {', '.join(index.watch)} ON {table} BEGIN "
            f"DELETE FROM {name} WHERE rowid = old.id; {insert}{_where(index.select, 'x.id = new.id')}; END"
        )
        db.execute_sql(
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN DELETE FROM {name} WHERE rowid = old.id; END"
        )
        for n, (other, event, feeds) in enumerate(index.follows, start=1):
            rows = f"SELECT x.id FROM {table} x WHERE {feeds}"
            db.execute_sql(
                f"CREATE TRIGGER {name}_follows_{other}_{n} AFTER {event} ON {other} BEGIN "
                f"DELETE FROM {name} WHERE rowid IN ({rows}); {insert}{_where(index.select, feeds)}; END"
            )


_V9_TRIGRAM_COLUMNS = (
    ("ticket", "number"),
    ("ticket", "subject"),
    ("escalation", "reason"),
    ("defect", "engineering_key"),
    ("defect", "title"),
    ("portal_seat", "full_name"),
    ("portal_seat", "email"),
    ("timeline_entry", "title"),
    ("timeline_entry", "body"),
    ("customer", "name"),
    ("customer", "email_domains"),
    ("customer_alias", "name"),
)


def _v9_postgres_search(db: peewee.Database) -> None:
    try:
        with db.atomic():  # a savepoint: a server without pg_trgm leaves the migration's transaction usable
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except peewee.DatabaseError as error:
        log.warning("Search scans the tables: the pg_trgm extension could not be created (%s)", str(error).strip())
        return
    for table, column in _V9_TRIGRAM_COLUMNS:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)")


def _v9_postgres_starts(db: peewee.Database) -> None:
    """A field that starts with a word found in many others (``upgrade%``): a trigram index would recheck every row
    holding the word; an ordered index of each field's lowered start finds them directly. Cut at 200 characters, as
    long as any search, so a long text stays within an index entry."""
    for table, column in _V9_TRIGRAM_COLUMNS:
        db.execute_sql(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_starts ON {table} "
            f"(left(lower({column}), 200) text_pattern_ops)"
        )


def _v9_search_indexes(db: peewee.Database) -> None:
    """Search by index (issue 19): on SQLite a trigram full-text index of each searched table, folding case, kept in
    step by triggers, so every write (services, bulk writes, imports, other programs) updates it; on PostgreSQL trigram
    indexes (pg_trgm) that serve ILIKE, or the old scan, said in the log, where the extension cannot be created.
    Ticket numbers and defect keys keep their ordinary indexes."""
    if is_sqlite(db):
        _v9_sqlite_search(db)
    else:
        _v9_postgres_starts(db)
        _v9_postgres_search(db)


# v1 creates every table as the models define them today, so each later migration must also hold for a database
# that v1 has just created (add what is missing, create what does not exist).
MIGRATIONS: tuple[Callable[[peewee.Database], None], ...] = (
    _v1_initial,
    _v2_import_sources,
    _v3_defect_links,
    _v4_connections,
    _v5_severity_changes_and_exemptions,
    _v6_calendars,
    _v7_account,
    _v8_contracts_and_health,
    _v9_search_indexes,
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class MigrationResult:
    from_version: int
    to_version: int
    backup: Path | None


def schema_version(db: peewee.Database) -> int:
    """The database's schema version; 0 for an empty database."""
    if not db.table_exists(t.SchemaInfo._meta.table_name):
        if db.get_tables():
            raise DatabaseError(f"{_label(db)} is not a tamdesk database (it has other tables).")
        return 0
    row = db.execute_sql(f"SELECT max(version) FROM {t.SchemaInfo._meta.table_name}").fetchone()
    return int(row[0] or 0)


def _label(db: peewee.Database) -> str:
    return str(db.database)


def _backup_copy(db: peewee.Database, version: int) -> Path | None:
    """Copy the SQLite file beside itself before migrating it; a no-op for PostgreSQL."""
    if not is_sqlite(db):
        return None
    source = Path(db.database)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = source.with_name(f"{source.stem}.v{version}-{stamp}.bak{source.suffix}")
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy2(source, target)
    return target


def migrate(db: peewee.Database) -> MigrationResult:
    """Bring ``db`` to the app's schema version.

    Raises:
        SchemaTooNew: the database comes from a newer tamdesk; it is left unchanged.
    """
    start = schema_version(db)
    if start > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{_label(db)} was written by a newer tamdesk (schema version {start}; this app knows up to "
            f"{SCHEMA_VERSION}). Update tamdesk to open it; the file was left unchanged."
        )
    backup = _backup_copy(db, start) if 0 < start < SCHEMA_VERSION else None
    for version in range(start + 1, SCHEMA_VERSION + 1):
        with db.atomic():
            MIGRATIONS[version - 1](db)
            if version > 1:
                t.SchemaInfo.create(version=version, app_version=__version__, migrated_at=datetime.now(UTC))
    return MigrationResult(start, SCHEMA_VERSION, backup)
