"""Search by index (schema v9), on SQLite and PostgreSQL: the index follows every write, whichever way it is made,
and finds exactly the rows whose text contains the needle, case aside."""

from __future__ import annotations

import itertools
import logging
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import peewee
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamdesk.domain.severity import Severity
from tamdesk.domain.states import TicketStatus
from tamdesk.models import migrations
from tamdesk.models import tables as t
from tamdesk.models.bulk import insert_rows
from tamdesk.models.db import database, is_sqlite
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.search import HitKind, Rank, clean_query, rank_of, search
from tamdesk.services.tickets import TicketInput, create_ticket

from .conftest import POSTGRES_URL, reset_postgres

# Letters whose case folds the same on both engines and in Python, and characters that the FTS5 query language and
# LIKE give a meaning to. Letters that fold to more than one (``ß`` is ``ss`` to Python) fold one for one in both
# engines' indexes and are left out; the ranking, in Python, gets them (``FOLDS_TO_MORE``).
BOTH = 'abcXYZ019 -.@%_!"*:^()üÜöÖæÆøØéÉ'
FOLDS_TO_MORE = "ßẞﬁKΣσς"

_numbers = itertools.count(1)


def _ticket_ids(needle: str) -> set[int]:
    return {hit.id for hit in search(needle, limit=10_000) if hit.kind is HitKind.TICKET}


def _expected(needle: str) -> set[int]:
    """The tickets whose number or subject contains ``needle`` (as the search cleans it), case-folded in Python."""
    folded = clean_query(needle).casefold()
    rows = t.Ticket.select(t.Ticket.id, t.Ticket.number, t.Ticket.subject).tuples()
    return {tid for tid, number, subject in rows if folded in number.casefold() or folded in subject.casefold()}


def _ticket_row(customer: int, subject: str, opened: datetime) -> tuple[object, ...]:
    number = f"T-{next(_numbers)}"
    return (number, customer, subject, Severity.LOW.value, TicketStatus.NEW.value, int(opened.timestamp()), "", "", 1)


_write = st.one_of(
    st.tuples(st.just("create"), st.text(alphabet=BOTH, max_size=24)),
    st.tuples(st.just("bulk"), st.lists(st.text(alphabet=BOTH, max_size=24), max_size=4)),
    st.tuples(st.just("subject"), st.integers(0, 20), st.text(alphabet=BOTH, max_size=24)),
    st.tuples(st.just("number"), st.integers(0, 20), st.text(alphabet="ABC-019üÖ", min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 20)),
)


def _apply(ctx: Context, customer: int, opened: datetime, write: tuple[object, ...]) -> None:
    ids = [row[0] for row in t.Ticket.select(t.Ticket.id).order_by(t.Ticket.id).tuples()]
    match write:
        case ("create", str(subject)) if subject.strip():
            create_ticket(ctx, TicketInput(f"T-{next(_numbers)}", customer, subject, Severity.LOW, opened))
        case ("create", str(subject)):  # the form refuses a blank subject; an import may still write one
            insert_rows(t.Ticket, _COLUMNS, [_ticket_row(customer, subject, opened)])
        case ("bulk", list(subjects)):
            insert_rows(t.Ticket, _COLUMNS, [_ticket_row(customer, str(s), opened) for s in subjects])
        case ("subject", int(n), str(subject)) if ids:
            t.Ticket.update(subject=subject).where(t.Ticket.id == ids[n % len(ids)]).execute()
        case ("number", int(n), str(prefix)) if ids:
            number = f"{prefix}{next(_numbers)}"
            t.Ticket.update(number=number).where(t.Ticket.id == ids[n % len(ids)]).execute()
        case ("delete", int(n)) if ids:
            t.Ticket.delete().where(t.Ticket.id == ids[n % len(ids)]).execute()


_COLUMNS = ("number", "customer", "subject", "severity", "status", "opened_at", "engineer", "notes", "version")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    writes=st.lists(_write, min_size=1, max_size=8),
    needles=st.lists(st.text(alphabet=BOTH, min_size=1, max_size=4), min_size=1, max_size=4),
    picks=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 30), st.integers(1, 5)), max_size=3),
)
def test_search_finds_exactly_the_tickets_whose_text_contains_the_needle(
    db_path: Path,
    ctx: Context,
    fixed_now: datetime,
    writes: list[tuple[object, ...]],
    needles: list[str],
    picks: list[tuple[int, int, int]],
) -> None:
    """After any mix of service, bulk and plain writes, updates and deletes, the index agrees with the rows."""
    t.Ticket.delete().execute()
    customer = t.Customer.get_or_none(t.Customer.name == "Índex GmbH")
    cid = customer.id if customer else create_customer(ctx, CustomerInput(name="Índex GmbH"))
    opened = fixed_now - timedelta(days=1)
    for write in writes:
        _apply(ctx, cid, opened, write)
    texts = [s for (s,) in t.Ticket.select(t.Ticket.subject).tuples()]
    for n, start, length in picks:  # pieces of what is there, with their case changed
        if texts:
            text = texts[n % len(texts)]
            needles.append(text[start % max(1, len(text)) :][:length].swapcase())
    for needle in needles:
        if clean_query(needle):
            assert _ticket_ids(needle) == _expected(needle), needle


def test_the_index_follows_a_renamed_ticket_to_its_escalation(db_path: Path, ctx: Context, fixed_now: datetime) -> None:
    acme = create_customer(ctx, CustomerInput(name="Acme Corp"))
    ticket = create_ticket(ctx, TicketInput("SUP-1001", acme, "Cluster down", Severity.HIGH, fixed_now))
    escalation = request_escalation(ctx, ticket, EscalationInput("customer", "Ana", "Go-live at risk", "Revenue"))
    t.Ticket.update(number="SUP-7007").where(t.Ticket.id == ticket).execute()
    found = {(hit.kind, hit.id, hit.rank) for hit in search("SUP-7007")}
    assert found == {(HitKind.TICKET, ticket, Rank.EXACT), (HitKind.ESCALATION, escalation, Rank.EXACT)}
    assert search("SUP-1001") == []
    t.Customer.delete().where(t.Customer.id == acme).execute()  # the cascade takes ticket and escalation along
    assert search("SUP-7007") == [] and search("go-live") == []


def test_the_index_follows_a_customer_s_tam_and_other_names(db_path: Path, ctx: Context) -> None:
    tam = t.Person.create(name="Zoë Quist", role="tam")
    acme = create_customer(ctx, CustomerInput(name="Acme Corp"))
    t.Customer.update(tam=tam).where(t.Customer.id == acme).execute()
    assert [hit.id for hit in search("ZOË") if hit.kind is HitKind.CUSTOMER] == [acme]
    t.Person.update(name="Yara Quist").where(t.Person.id == tam.id).execute()
    assert search("zoë") == []
    assert [hit.id for hit in search("yara") if hit.kind is HitKind.CUSTOMER] == [acme]
    alias = t.CustomerAlias.create(customer=acme, name="Acmé Inc", name_key="acmeinc")
    assert [(hit.id, hit.rank) for hit in search("ACMÉ INC")] == [(acme, Rank.EXACT)]
    alias.delete_instance()
    assert search("acmé") == []


@pytest.mark.parametrize("needle", ["a", "Ö", "ab", "1-"])
def test_one_or_two_characters_look_at_the_newest_tickets(
    db_path: Path, ctx: Context, fixed_now: datetime, needle: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too short for trigrams: found among the newest ``SHORT_WINDOW`` ids of a kind, exact numbers everywhere."""
    import tamdesk.services.search as searching

    monkeypatch.setattr(searching, "SHORT_WINDOW", 3)
    acme = create_customer(ctx, CustomerInput(name="Index Corp"))
    old = create_ticket(ctx, TicketInput(f"SUP-{needle}", acme, f"Old {needle}", Severity.LOW, fixed_now))
    older = create_ticket(ctx, TicketInput("SUP-9", acme, f"Older x{needle}y", Severity.LOW, fixed_now))
    new = [
        create_ticket(ctx, TicketInput(f"N-{n}", acme, f"New z{needle}z", Severity.LOW, fixed_now)) for n in range(3)
    ]
    found = {hit.id: hit.rank for hit in search(needle) if hit.kind is HitKind.TICKET}
    if is_sqlite():
        assert found[old] == Rank.EXACT  # "SUP-a" is exact for "a", however old: the full-text index knows
    else:
        assert old not in found  # ILIKE '%-a' has no trigram to look up: the window holds for PostgreSQL
    assert older not in found
    assert set(new) <= set(found)


@pytest.mark.sqlite_only
def test_a_write_by_another_program_is_indexed_too(db_path: Path, ctx: Context, fixed_now: datetime) -> None:
    """The index is kept by SQLite's own functions: the sqlite3 shell, or an older tamdesk, can still write."""
    acme = create_customer(ctx, CustomerInput(name="Acme Corp"))
    ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Cluster down", Severity.LOW, fixed_now))
    database.close()
    with sqlite3.connect(db_path) as con:
        con.execute("UPDATE ticket SET subject = 'Große Müller-Exporte' WHERE id = ?", [ticket])
        con.execute("UPDATE customer SET name = 'Acme Österreich' WHERE id = ?", [acme])
    con.close()
    assert [hit.id for hit in search("MÜLLER-EXPORTE")] == [ticket]
    assert [hit.id for hit in search("ÖSTERREICH")] == [acme]
    assert search("cluster") == []


def test_a_needle_with_the_index_s_frame_character_is_still_plain_text(
    db_path: Path, ctx: Context, fixed_now: datetime
) -> None:
    acme = create_customer(ctx, CustomerInput(name="Acme Corp"))
    insert_rows(t.Ticket, _COLUMNS, [_ticket_row(acme, "Imported\x01text", fixed_now)])
    assert [hit.title for hit in search("d\x01t")] == [f"T-{next(_numbers) - 1} · Imported\x01text"]
    assert search("\x01imported") == []


def test_postgres_searches_by_trigram_indexes(db_path: Path, engine: str) -> None:
    if engine != "postgres":
        assert {name for (name,) in database.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= {
            "ticket_search_insert",
            "ticket_search_update",
            "ticket_search_delete",
        }
        return
    names = {name for (name,) in database.execute_sql("SELECT indexname FROM pg_indexes WHERE tablename = 'ticket'")}
    assert {"ticket_number_trgm", "ticket_subject_trgm"} <= names
    database.execute_sql("SET enable_seqscan = off")  # a small table would be scanned: ask which index serves
    try:
        sql = "EXPLAIN SELECT id FROM ticket WHERE subject ILIKE %s ORDER BY id"
        plan = "\n".join(row[0] for row in database.execute_sql(sql, ["%upgrade%"]))
    finally:
        database.execute_sql("RESET enable_seqscan")
    assert "ticket_subject_trgm" in plan


@pytest.mark.skipif(not POSTGRES_URL, reason="needs TAMDESK_TEST_POSTGRES_URL")
def test_a_server_without_pg_trgm_migrates_and_searches_by_scanning(
    ctx: Context, fixed_now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    from tamdesk.models.db import bind, connect_postgres
    from tamdesk.services.database import close_database, database_target

    reset_postgres(POSTGRES_URL)
    team = database_target(POSTGRES_URL).team
    assert team is not None
    db = connect_postgres(team.host, team.port, team.dbname, team.user, "tamdesk")
    real = db.execute_sql

    def no_extensions(sql: str, *args: object, **kwargs: object) -> object:
        if sql.startswith("CREATE EXTENSION"):
            raise peewee.ProgrammingError('permission denied to create extension "pg_trgm"')
        return real(sql, *args, **kwargs)

    db.execute_sql = no_extensions  # type: ignore[method-assign]
    bind(db)
    try:
        with caplog.at_level(logging.WARNING, logger="tamdesk.models.migrations"):
            result = migrations.migrate(db)
        assert result.to_version == migrations.SCHEMA_VERSION
        assert "pg_trgm extension could not be created" in caplog.text
        assert not list(db.execute_sql("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%trgm"]))
        acme = create_customer(ctx, CustomerInput(name="Acme Corp"))
        ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Upgrade fails", Severity.LOW, fixed_now))
        assert [hit.id for hit in search("UPGRADE")] == [ticket]
    finally:
        close_database()


def _starts_word(value: str, needle: str) -> bool:
    """The rule spelled out: ``needle`` at the start of ``value`` or after a character that is not alphanumeric."""
    return any(
        value.startswith(needle, at) and (at == 0 or not value[at - 1].isalnum()) for at in range(len(value) + 1)
    )


@given(
    needle=st.text(alphabet=BOTH + FOLDS_TO_MORE + "٣\u0301ǅ", min_size=1, max_size=3),
    words=st.lists(st.text(alphabet=BOTH + FOLDS_TO_MORE + "٣\u0301ǅ", max_size=12), min_size=1, max_size=3),
)
def test_a_word_starts_after_anything_but_a_letter_or_digit(needle: str, words: list[str]) -> None:
    folded = needle.casefold()
    expected = Rank.STARTS if any(_starts_word(w.casefold(), folded) for w in words) else Rank.CONTAINS
    assert rank_of(needle, [], words) == expected


@pytest.mark.sqlite_only
def test_an_sqlite_without_trigrams_migrates_and_searches_by_scanning(
    tmp_path: Path, ctx: Context, fixed_now: datetime, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite before 3.34 (some Linux distributions) has no trigram tokenizer: the app still opens and finds."""
    from tamdesk.models.db import bind, connect_sqlite
    from tamdesk.services.database import close_database

    db = connect_sqlite(tmp_path / "old-sqlite.db")
    real = db.execute_sql

    def no_trigrams(sql: str, *args: object, **kwargs: object) -> object:
        if "tokenize='trigram'" in sql:
            raise peewee.OperationalError("no such tokenizer: trigram")
        return real(sql, *args, **kwargs)

    db.execute_sql = no_trigrams  # type: ignore[method-assign]
    bind(db)
    try:
        with caplog.at_level(logging.WARNING, logger="tamdesk.models.migrations"):
            assert migrations.migrate(db).to_version == migrations.SCHEMA_VERSION
        assert "no trigram full-text index" in caplog.text
        assert not db.table_exists("ticket_search")
        acme = create_customer(ctx, CustomerInput(name="Müller AG"))
        ticket = create_ticket(ctx, TicketInput("SUP-1", acme, "Upgrade fails", Severity.LOW, fixed_now))
        assert [(hit.kind, hit.id) for hit in search("MÜLLER")] == [(HitKind.CUSTOMER, acme)]
        assert [hit.id for hit in search("upgrade")] == [ticket]
    finally:
        close_database()


@pytest.mark.parametrize("probe_rows", [10_000, 2])
def test_a_number_being_typed_finds_the_newest_numbers_holding_it(
    db_path: Path, ctx: Context, fixed_now: datetime, monkeypatch: pytest.MonkeyPatch, probe_rows: int
) -> None:
    """``SUP-1`` is one trigram: PostgreSQL looks among the newest rows first, then by index; the same hits."""
    import tamdesk.services.search as searching

    monkeypatch.setattr(searching, "PROBE_ROWS", probe_rows)
    monkeypatch.setattr(searching, "CANDIDATES", 3)
    acme = create_customer(ctx, CustomerInput(name="Acme Corp"))
    made = [
        create_ticket(ctx, TicketInput(number, acme, "Cluster down", Severity.LOW, fixed_now - timedelta(hours=n)))
        for n, number in enumerate(["SUP-10", "SUP-11", "XSUP-1", "SUP-20", "SUP-12", "SUP-1"])
    ]
    found = [(hit.id, hit.rank) for hit in search("sup-1") if hit.kind is HitKind.TICKET]
    assert found[0] == (made[5], Rank.EXACT)
    assert {tid for tid, _ in found} >= {made[0], made[1], made[4]}  # the starts-with: older ones sought too
    assert made[3] not in {tid for tid, _ in found}
