"""``tamdesk health`` and ``tamdesk health weights``: what a TAM reads on the terminal, and bad weights refused."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.__main__ import main
from tamdesk.domain.health import Factor
from tamdesk.domain.severity import Severity
from tamdesk.services.base import Context
from tamdesk.services.customers import customer_by_name
from tamdesk.services.database import close_database, open_database
from tamdesk.services.escalations import EscalationInput, request_escalation
from tamdesk.services.tickets import TicketInput, create_ticket

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Acme with an open Sev1 ticket escalated twice over; Globex with nothing going on."""
    path = tmp_path / "t.db"
    customers = tmp_path / "customers.csv"
    customers.write_text("Name,Email domains,Time zone,Country,TAM\nAcme,acme.com,UTC,,Ann Ross\nGlobex,,UTC,,\n")
    assert main(["--db", str(path), "init"]) == 0
    assert main(["--db", str(path), "import", "customers", str(customers)]) == 0
    open_database(path)
    ctx = Context(actor="Ann Ross")
    acme = customer_by_name("Acme").id
    now = datetime.now(UTC)
    for number in ("T-1", "T-2"):
        ticket = create_ticket(ctx, TicketInput(number, acme, "Down", Severity.URGENT, now - timedelta(minutes=10)))
        request_escalation(ctx, ticket, EscalationInput("customer", "Ana", "Cluster down", "Orders stop"))
    close_database()
    return path


@pytest.fixture
def cli(db: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *argv])
        out, err = capsys.readouterr()
        return code, out.rstrip("\n"), err

    return run


def test_every_customer_least_healthy_first(cli: Cli) -> None:
    code, out, err = cli("health")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["Customer", "Score", "Band", "Biggest", "reason"]
    assert lines[1].split()[:3] == ["Acme", "42", "Red"]
    assert lines[1].endswith("−20: 2 open Sev1 tickets")
    assert lines[2].split()[:3] == ["Globex", "82", "Green"]
    assert lines[-1] == "2 customers: 1 green, 0 amber, 1 red."


def test_one_customer_with_reasons_and_trend(cli: Cli) -> None:
    code, out, _ = cli("health", "--customer", "acme")
    assert code == 0
    assert out.splitlines() == [
        "Acme: 42 (Red)",
        "  −20: 2 open Sev1 tickets",
        "  −20: 2 open escalations",
        "  −10: no contact on the timeline",
        "  −5: 5 unused of 5 portal seats",
        "  −3: onboarding not started",
        "Trend: no weekly snapshot yet (tamdesk health --record takes one).",
    ]
    code, out, _ = cli("health", "--customer", "Acme", "--record")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Recorded this week's health of 2 customers."
    assert lines[-1].startswith("Trend: ▃ 42 in the week of ") and lines[-1].endswith(" (one weekly snapshot)")


def test_weights_shown_and_changed(cli: Cli, db: Path) -> None:
    code, out, _ = cli("health", "weights")
    assert code == 0 and out.splitlines()[0] == "Health weights (they sum to 100):"
    assert len(out.splitlines()) == 2 + len(Factor)
    code, out, _ = cli("health", "weights", "--set", "open_escalations=30", "--set", "renewal = 0")
    assert code == 0 and out.splitlines()[0] == "Health weights saved; they sum to 105."
    assert cli("health", "--customer", "Acme")[1].splitlines()[1] == "  −30: 2 open escalations"


def _weights_row(db: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT value, version FROM setting WHERE key = 'health.weights'").fetchall()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "open_sev1=-4"], "The weight of open Sev1 tickets cannot be negative (-4)."),
        (["--set", "seats=lots"],
         "The weight of portal seats not in use must be a whole number of points, not 'lots'."),
        (["--set", "seats"], "--set 'seats' is not FACTOR=POINTS, such as open_escalations=20."),
        ([a for f in Factor for a in ("--set", f"{f.value}=0")],
         "The health weights sum to 0: give at least one factor some points."),
    ],
)  # fmt: skip
def test_bad_weights_one_sentence_exit_1_nothing_stored(cli: Cli, db: Path, argv: list[str], message: str) -> None:
    before = _weights_row(db)
    code, out, err = cli("health", "weights", *argv)
    assert (code, out) == (1, "")
    assert err == f"tamdesk health weights: {message}\n"
    assert _weights_row(db) == before


def test_unknown_customer(cli: Cli) -> None:
    code, out, err = cli("health", "--customer", "Initech")
    assert (code, out) == (1, "")
    assert err.startswith("tamdesk health: ") and err.count("\n") == 1


def test_trend_over_weeks(cli: Cli, db: Path) -> None:
    from tamdesk.services.health import record_week

    open_database(db)
    week_ago = datetime.now(UTC) - timedelta(days=7)
    record_week(Context(clock=lambda: week_ago), week_ago, week_ago.astimezone().date())
    close_database()
    with sqlite3.connect(db) as con:
        con.execute("UPDATE health_snapshot SET score = 90, band = 'green'")
    code, out, _ = cli("health", "--customer", "Acme", "--record")
    assert code == 0
    trend = out.splitlines()[-1]
    assert trend.startswith("Trend: ▇▃ from 90 in the week of ") and " to 42 in the week of " in trend
