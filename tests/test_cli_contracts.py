"""``tamdesk contract show|set`` and ``tamdesk versions list|record``: facts saved and shown, bad input refused in
one sentence with exit code 1 and nothing written."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tamdesk.__main__ import main

Cli = Callable[..., tuple[int, str, str]]


def today() -> date:
    return datetime.now().astimezone().date()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "t.db"
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "Name,Email domains,Time zone,Country,TAM\nAcme Analytics,acme.com,Europe/Berlin,DE,Ann Ross\n"
    )
    assert main(["--db", str(path), "init"]) == 0
    assert main(["--db", str(path), "import", "customers", str(customers)]) == 0
    return path


@pytest.fixture
def cli(db: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    capsys.readouterr()

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", str(db), *argv])
        out, err = capsys.readouterr()
        return code, out.rstrip("\n"), err

    return run


def snapshot(db: Path) -> list[Any]:
    with sqlite3.connect(db) as con:
        return [con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("contract", "installed_version", "audit_entry")]  # fmt: skip


def refused(cli: Cli, db: Path, *argv: str) -> str:
    """Run a command that must fail: exit 1, nothing on stdout, one line on stderr, nothing changed."""
    before = snapshot(db)
    code, out, err = cli(*argv)
    assert (code, out) == (1, ""), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(db) == before
    return err.strip()


def test_a_contract_is_set_then_shown_with_its_renewal_warning(cli: Cli) -> None:
    renewal = today() + timedelta(days=88)
    start = (today() - timedelta(days=300)).isoformat()
    code, out, err = cli("contract", "set", "--customer", "acme", "--tier", "Premium", "--start", start,
                         "--renewal", renewal.isoformat(), "--arr", "120,000.50", "--currency", "eur")  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"Contract of Acme Analytics saved. Renewal in 88 days ({renewal.day} {renewal:%b %Y})."
    code, out, _ = cli("contract", "show", "--customer", "Acme Analytics")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Contract of Acme Analytics"
    assert "Support tier:       Premium" in lines
    assert "ARR:                EUR 120,000.50" in lines
    assert lines[-1] == f"Renewal in 88 days ({renewal.day} {renewal:%b %Y})."
    assert cli("contract", "set", "--customer", "acme", "--edition", "Enterprise")[1] == (
        f"Contract of Acme Analytics saved. Renewal in 88 days ({renewal.day} {renewal:%b %Y})."
    )
    assert "Edition:            Enterprise" in cli("contract", "show", "--customer", "acme")[1].splitlines()
    assert cli("contract", "set", "--customer", "acme", "--renewal", "")[1] == "Contract of Acme Analytics saved."


def test_no_contract_yet(cli: Cli) -> None:
    assert cli("contract", "show", "--customer", "acme") == (
        0, "Acme Analytics: no contract recorded yet; `tamdesk contract set` records one.", ""
    )  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--start", "2026-02-01", "--renewal", "2026-01-31"),
         "tamdesk contract set: Renewal 31 Jan 2026 is before the entitlement start 1 Feb 2026."),
        (("--start", "2026-02-01", "--end", "2026-01-01"),
         "tamdesk contract set: Entitlement end 1 Jan 2026 is before the entitlement start 1 Feb 2026."),
        (("--arr", "-5", "--currency", "EUR"), "tamdesk contract set: ARR cannot be negative."),
        (("--arr", "12k"), "tamdesk contract set: ARR '12k' is not an amount such as 120000 or 120,000.50."),
        (("--arr", "100"), "tamdesk contract set: Say the currency of the ARR, such as EUR or USD."),
        (("--renewal", "31/01/2027"), "tamdesk contract set: --renewal '31/01/2027' is not a date such as 2026-03-01."),
    ],
)  # fmt: skip
def test_bad_contract_input_is_one_sentence_and_nothing_is_written(
    cli: Cli, db: Path, argv: tuple[str, ...], message: str
) -> None:
    assert refused(cli, db, "contract", "set", "--customer", "acme", *argv) == message


def test_a_renewal_moved_before_a_recorded_start_is_refused(cli: Cli, db: Path) -> None:
    assert cli("contract", "set", "--customer", "acme", "--start", "2026-02-01")[0] == 0
    assert refused(cli, db, "contract", "set", "--customer", "acme", "--renewal", "2026-01-15") == (
        "tamdesk contract set: Renewal 15 Jan 2026 is before the entitlement start 1 Feb 2026."
    )


def test_versions_are_recorded_and_listed_with_their_history(cli: Cli) -> None:
    code, out, _ = cli("versions", "record", "--customer", "acme", "--version", "436-e.9", "--environment",
                       "production", "--since", "2026-01-05")  # fmt: skip
    assert (code, out) == (0, "Recorded Acme Analytics on 436-e.9 in production since 2026-01-05.")
    assert cli("versions", "record", "--customer", "acme", "--version", "437-E.1", "--environment", "Production",
               "--since", "2026-03-01")[0] == 0  # fmt: skip
    code, out, _ = cli("versions", "record", "--customer", "acme", "--version", "436-e.2", "--environment",
                       "production", "--since", "2025-11-01")  # fmt: skip
    assert out == (
        "Recorded Acme Analytics on 436-e.2 in production since 2025-11-01; it runs 437-e.1 there since 2026-03-01."
    )
    code, out, _ = cli("versions", "list", "--customer", "acme")
    lines = out.splitlines()
    assert lines[0] == "Versions of Acme Analytics:"
    assert lines[1].split() == ["Product", "Version", "Environment", "Since", "Now", "Recorded", "By"]
    assert [line.split()[1:5] for line in lines[2:]] == [
        ["437-e.1", "Production", "2026-03-01", "yes"],
        ["436-e.9", "Production", "2026-01-05", today().isoformat()],
        ["436-e.2", "Production", "2025-11-01", today().isoformat()],
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--version", "4.x", "--environment", "production"),
         "tamdesk versions record: '4.x' is not a version: versions look like 437, 437.2 or 436-e.9 (a release number, "
         "then -e for an enterprise build, then .N for each patch)."),
        (("--version", "437", "--environment", "prod"),
         "tamdesk versions record: Environment 'prod' is not production or staging."),
        (("--version", "437", "--environment", "staging", "--since", "2999-01-01"),
         "tamdesk versions record: Since 2999-01-01 is in the future"),
        (("--version", "437", "--environment", "staging", "--since", "soon"),
         "tamdesk versions record: --since 'soon' is not a date such as 2026-03-01."),
    ],
)  # fmt: skip
def test_bad_version_input_is_one_sentence_and_nothing_is_written(
    cli: Cli, db: Path, argv: tuple[str, ...], message: str
) -> None:
    assert refused(cli, db, "versions", "record", "--customer", "acme", *argv).startswith(message)


def test_set_without_a_fact_is_refused(cli: Cli, db: Path) -> None:
    assert refused(cli, db, "contract", "set", "--customer", "acme") == (
        "tamdesk contract set: Nothing to change: give at least one of --tier, --start, --end, --renewal, --arr, "
        "--currency or --edition."
    )


def test_an_unknown_customer_is_refused(cli: Cli, db: Path) -> None:
    assert "Globex" in refused(cli, db, "versions", "list", "--customer", "Globex")
