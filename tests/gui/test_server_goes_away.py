"""The app on a team's PostgreSQL when the server goes away: every page says so in one sentence, keeps what it
showed, and works again when the server is back (tests/db/test_server_goes_away.py covers the services)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from tamdesk.domain.severity import Severity
from tamdesk.models.db import TeamDatabase, database
from tamdesk.services.base import Context
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.database import close_database, open_database
from tamdesk.services.tickets import TicketInput, create_ticket
from tamdesk.views.main_window import PAGES, MainWindow
from tamdesk.views.tasks import TaskRunner
from tests.db.conftest import POSTGRES_URL, reset_postgres
from tests.db.test_server_goes_away import _closed_port, end_sessions

LOST = "The connection to postgresql://"


@pytest.fixture
def db_path() -> Iterator[str]:
    """The window's database is a team's PostgreSQL database (the ``window`` fixture opens the app on it)."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not configured: set TAMDESK_TEST_POSTGRES_URL (make test does when it can)")
    reset_postgres(POSTGRES_URL)
    open_database(POSTGRES_URL, create=True)
    yield POSTGRES_URL
    close_database()


@pytest.fixture
def tickets(db_path: str, fixed_now: datetime) -> None:
    ctx = Context(actor="Tess Tam", clock=lambda: fixed_now)
    acme = create_customer(ctx, CustomerInput("Acme GmbH", "Europe/Berlin", "DE", ("acme.example",)))
    for n in range(3):
        opened = fixed_now - timedelta(hours=n + 1)
        create_ticket(ctx, TicketInput(f"SUP-{n}", acme, f"Problem {n}", Severity.NORMAL, opened))


def _row(title: str) -> int:
    return [spec.title for spec in PAGES].index(title)


def test_pages_keep_what_they_showed_and_say_why_while_the_server_is_away(
    qtbot, tickets: None, window: MainWindow
) -> None:
    team = database.obj
    assert isinstance(team, TeamDatabase)
    window.show_page(_row("Tickets"))
    page = window.current_page()
    qtbot.waitUntil(lambda: page.list.total() == 3 and not page.list.busy(), timeout=10_000)
    port = team.connect_params["port"]

    team.connect_params["port"] = _closed_port()  # the server goes away, and stays away
    end_sessions()
    for title in ("Today", "Customers", "Tickets", "Escalations", "Defects", "Reports"):
        window.show_page(_row(title))
        qtbot.wait(50)
    for runner in window.findChildren(TaskRunner):
        runner.wait(10_000)
    qtbot.wait(50)

    assert window.statusBar().currentMessage().startswith(LOST)
    escalations = window.pages[_row("Escalations")]
    assert escalations.count_label.text().startswith(f"⚠ {LOST}")  # a list that could not load says why, in place
    window.show_page(_row("Tickets"))
    assert page.list.model.rowCount() == 3  # what was loaded stays on screen

    team.connect_params["port"] = port  # the server is back: the next visit reads again
    window.show_page(_row("Customers"))
    qtbot.waitUntil(lambda: window.current_page().table.model().rowCount() == 1, timeout=10_000)
