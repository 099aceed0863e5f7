"""A shared PostgreSQL server that goes away: one sentence, nothing half-written, and the next action reconnects.

The server is made to go away the way it does in real life: ``pg_terminate_backend`` ends the app's sessions (what
a restart, a failover or an administrator does), and for a server that stays away the app's connection settings are
pointed at a port nobody listens on, so reconnecting is refused by the operating system as it would be.
"""

from __future__ import annotations

import csv
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import pytest

from tamdesk.models import tables as t
from tamdesk.models.db import TeamDatabase, database
from tamdesk.reports.sla import export_sla_report
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer, list_customers
from tamdesk.services.database import explain_failure
from tamdesk.services.report_data import ReportScope
from tamdesk.services.ticket_import import CHUNK, import_tickets
from tests.db.conftest import POSTGRES_URL

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
LOST = "The connection to postgresql://"


@pytest.fixture
def team(engine: str, db_path: Path) -> TeamDatabase:
    if engine != "postgres":
        pytest.skip("a server that goes away is a PostgreSQL matter")
    assert isinstance(database.obj, TeamDatabase)
    return database.obj


@pytest.fixture
def ctx() -> Context:
    return Context(actor="Tess Tam", clock=lambda: NOW)


def end_sessions() -> int:
    """End every session of the test database but the caller's own, as a server restart would."""
    with psycopg2.connect(POSTGRES_URL) as admin, admin.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cur.fetchone()[0])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_away(team: TeamDatabase) -> Iterator[None]:
    """From now on the server is gone: sessions ended, and new connections refused."""
    port = team.connect_params["port"]

    def go() -> None:
        team.connect_params["port"] = _closed_port()
        end_sessions()

    yield go  # type: ignore[misc]
    team.connect_params["port"] = port


def _export(path: Path, count: int) -> Path:
    """A Zendesk ticket export (the columns of Zendesk's "Export tickets as CSV", as in test_bulk_writes)."""
    start = datetime(2026, 1, 5, 8, 0)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Id", "Organization", "Subject", "Status", "Priority", "Created at", "Updated at"])
        for n in range(count):
            at = f"{start + timedelta(minutes=7 * n):%Y-%m-%d %H:%M}"
            writer.writerow([50_000 + n, "Acme GmbH", f"Ticket {n}", "Open", "Normal", at, at])
    return path


def test_a_read_after_the_server_ended_the_idle_session_opens_a_new_one(team: TeamDatabase, ctx: Context) -> None:
    create_customer(ctx, CustomerInput("Acme GmbH", "Europe/Berlin", "DE", ("acme.example",)))
    assert end_sessions() >= 1

    assert [row.name for row in list_customers(NOW.date())] == ["Acme GmbH"]


def test_a_write_after_the_server_ended_the_idle_session_is_made_on_a_new_one(team: TeamDatabase, ctx: Context) -> None:
    create_customer(ctx, CustomerInput("Acme GmbH", "Europe/Berlin", "DE", ("acme.example",)))
    end_sessions()

    create_customer(ctx, CustomerInput("Globex AG", "Europe/Zurich", "CH", ("globex.example",)))

    assert sorted(c.name for c in t.Customer.select()) == ["Acme GmbH", "Globex AG"]


def test_an_import_cut_off_half_way_writes_nothing_and_says_so_in_a_sentence(
    team: TeamDatabase, ctx: Context, tmp_path: Path
) -> None:
    create_customer(ctx, CustomerInput("Acme GmbH", "Europe/Berlin", "DE", ("acme.example",)))
    export = _export(tmp_path / "zendesk.csv", 3 * CHUNK)
    pages: list[int] = []

    def progress(done: int, total: int) -> None:
        pages.append(done)
        if done == 2 * CHUNK:  # two pages are written inside the import's transaction
            end_sessions()

    with pytest.raises(Exception) as failure:
        import_tickets(ctx, export, progress=progress)

    message = explain_failure(failure.value)
    assert message.startswith(LOST) and "was lost; nothing was changed" in message
    assert "\n" not in message and "Traceback" not in message
    assert t.Ticket.select().count() == 0  # the next action reconnects, and finds nothing half-written
    assert import_tickets(ctx, export).created == 3 * CHUNK  # and the same import, run again, succeeds


def test_an_export_while_the_server_is_away_leaves_no_file(
    team: TeamDatabase, ctx: Context, tmp_path: Path, server_away: object
) -> None:
    create_customer(ctx, CustomerInput("Acme GmbH", "Europe/Berlin", "DE", ("acme.example",)))
    import_tickets(ctx, _export(tmp_path / "zendesk.csv", 200))
    target = tmp_path / "out" / "sla.xlsx"
    target.parent.mkdir()
    calls: list[int] = []

    def progress(done: int, total: int) -> None:
        if not calls:
            server_away()  # type: ignore[operator]
        calls.append(done)

    with pytest.raises(Exception) as failure:
        export_sla_report(target, ReportScope(tz=UTC), ctx=ctx, progress=progress)

    assert explain_failure(failure.value).startswith(LOST)
    assert calls, "the export was under way when the server went away"
    assert list(target.parent.iterdir()) == []


def test_while_the_server_stays_away_every_action_fails_in_a_sentence_and_works_again_when_it_is_back(
    team: TeamDatabase, ctx: Context, server_away: object
) -> None:
    create_customer(ctx, CustomerInput("Acme GmbH", "Europe/Berlin", "DE", ("acme.example",)))
    port = team.connect_params["port"]
    server_away()  # type: ignore[operator]
    for _ in range(2):
        with pytest.raises(Exception) as failure:
            list_customers(NOW.date())
        assert explain_failure(failure.value).startswith(LOST)

    team.connect_params["port"] = port  # the server is back

    assert [row.name for row in list_customers(NOW.date())] == ["Acme GmbH"]
