"""``tamdesk timeline add|list`` and ``tamdesk followups list|done``: a TAM logs a meeting with attendees and
follow-ups, reads the timeline and ticks a follow-up off, every bad input refused in one sentence on stderr."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tamdesk.__main__ import main
from tamdesk.models import tables as t
from tamdesk.services.database import close_database, open_database

Cli = Callable[..., tuple[int, str, str]]


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


TODAY = datetime.now().astimezone().date()
NEXT_TUESDAY = _next_weekday(TODAY, 1)
NEXT_SATURDAY = _next_weekday(TODAY, 5)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Acme (TAM Ann Ross) with two contacts; Globex with one."""
    path = tmp_path / "t.db"
    customers = tmp_path / "customers.csv"
    customers.write_text("Name,Email domains,Time zone,Country,TAM\nAcme,acme.com,UTC,,Ann Ross\nGlobex,,UTC,,Bo\n")
    assert main(["--db", str(path), "init"]) == 0
    assert main(["--db", str(path), "import", "customers", str(customers)]) == 0
    open_database(path)
    now = datetime.now(UTC)
    acme, globex = t.Customer.get(name="Acme"), t.Customer.get(name="Globex")
    t.Contact.create(customer=acme, full_name="Ana Silva", email="ana@acme.com", created_at=now)
    t.Contact.create(customer=acme, full_name="Bo Berg", email="bo@acme.com", created_at=now)
    t.Contact.create(customer=globex, full_name="Gil Green", email="gil@globex.com", created_at=now)
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


def snapshot(db: Path) -> list[Any]:
    with sqlite3.connect(db) as con:
        return [con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("timeline_entry", "timeline_attendee", "follow_up", "audit_entry")]  # fmt: skip


def _add(cli: Cli, *extra: str) -> tuple[int, str, str]:
    return cli("timeline", "add", "--customer", "acme", "--kind", "meeting", "--at", "2026-03-10 14:00",
               "--tz", "UTC", "--title", "Quarterly review", "--body", "Went well", *extra)  # fmt: skip


def test_log_a_meeting_then_list_and_tick_off_its_follow_ups(cli: Cli) -> None:
    code, out, err = _add(
        cli, "--attendee", "ANA@acme.com", "--attendee", "Bo Berg", "--attendee", "Ann Ross",
        "--follow-up", f"Send the plan;Ann Ross;{NEXT_TUESDAY}",
        "--follow-up", f"Share logs;ana@acme.com;{NEXT_SATURDAY}",
        "--follow-up", f"Book next review;Bo Berg;{NEXT_TUESDAY + timedelta(days=7)}",
    )  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Meeting “Quarterly review” logged on Acme's timeline with 3 attendees and 3 follow-ups."
    monday = NEXT_SATURDAY + timedelta(days=2)
    assert lines[1].startswith(f"“Share logs”: {NEXT_SATURDAY:%a} {NEXT_SATURDAY.day} ")
    assert lines[1].endswith(f"the next business day, {monday:%a} {monday.day} {monday:%b %Y}.")

    code, out, _ = cli("timeline", "list", "--customer", "Acme", "--kind", "meeting")
    assert code == 0 and out.splitlines()[0] == "Acme: 1 item, newest first."
    assert "Quarterly review" in out and "Ana Silva, Bo Berg, Ann Ross  Went well" in out

    code, out, _ = cli("followups", "list")
    assert code == 0 and out.splitlines()[0] == "3 open follow-ups."
    rows = out.splitlines()[3:]
    assert [r.split("  ")[-1].strip() for r in rows] == ["Send the plan", "Share logs", "Book next review"]
    first_id = rows[0].split()[0]
    code, out, _ = cli("followups", "done", first_id)
    assert (code, out) == (0, "Done: Send the plan.")
    assert cli("followups", "list")[1].splitlines()[0] == "2 open follow-ups."


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--attendee", "gil@globex.com"),
         "--attendee 'gil@globex.com' is neither a contact of Acme nor in the people directory; add them as a "
         "contact first."),
        (("--follow-up", "Plan;Nobody;2026-04-01"),
         "--follow-up 'Plan;Nobody;2026-04-01': owner 'Nobody' is neither a contact of Acme nor in the people "
         "directory; add them as a contact first."),
        (("--follow-up", "Plan;Ann Ross;next week"),
         "--follow-up 'Plan;Ann Ross;next week': due date 'next week' is not a date such as 2026-03-01."),
        (("--follow-up", "Plan only"), "--follow-up 'Plan only' is not WHAT;OWNER;YYYY-MM-DD."),
        (("--follow-up", " ;Ann Ross;2026-04-01"), "Follow-up 1: say what is to be done."),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence_and_nothing_changes(cli: Cli, db: Path, extra: tuple[str, ...],
                                                       message: str) -> None:  # fmt: skip
    before = snapshot(db)
    code, out, err = _add(cli, "--attendee", "ana@acme.com", *extra)
    assert (code, out, err) == (1, "", f"tamdesk timeline add: {message}\n")
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--kind", "lunch"), "timeline add: --kind: Kind 'lunch' is not one of meeting, call, email, note."),
        (("--kind", "note", "--body", " "), "timeline add: A note needs some text."),
        (("--kind", "call", "--at", "someday"), "timeline add: --at: "),
    ],
)
def test_bad_kind_body_and_time(cli: Cli, db: Path, argv: tuple[str, ...], message: str) -> None:
    before = snapshot(db)
    base = {"--kind": "call", "--at": "2026-03-10 14:00", "--body": "Hi"}
    base.update(dict(zip(argv[::2], argv[1::2], strict=True)))
    code, _, err = cli("timeline", "add", "--customer", "Acme", *[x for kv in base.items() for x in kv])
    assert code == 1 and err.startswith(f"tamdesk {message}") and err.count("\n") == 1
    assert snapshot(db) == before


def test_list_filters_and_bad_filters(cli: Cli) -> None:
    assert cli("timeline", "list", "--customer", "Acme")[1] == "Acme: nothing on the timeline."
    cli("timeline", "add", "--customer", "Acme", "--kind", "note", "--at", "2020-01-01 09:00", "--body", "Old")
    cli("timeline", "add", "--customer", "Acme", "--kind", "call", "--at", "yesterday 09:00", "--title", "Check")
    code, out, _ = cli("timeline", "list", "--customer", "Acme", "--since", str(TODAY - timedelta(days=3)))
    assert code == 0 and "Check" in out and "Old" not in out
    code, _, err = cli("timeline", "list", "--customer", "Acme", "--kind", "lunch")
    assert code == 1 and err.startswith("tamdesk timeline list: --kind: Kind 'lunch' is not one of meeting")
    code, _, err = cli("timeline", "list", "--customer", "Acme", "--since", "soon")
    assert (code, err) == (1, "tamdesk timeline list: --since 'soon' is not a date such as 2026-03-01.\n")


def test_followups_mine_and_done_errors(cli: Cli) -> None:
    code, _, err = cli("followups", "list", "--mine")
    assert (code, err) == (
        1,
        "tamdesk followups list: --mine needs your name: set it in the app under Settings › You.\n",
    )
    assert cli("followups", "list") == (0, "No open follow-up.", "")
    assert cli("followups", "done", "x")[2] == "tamdesk followups done: ID 'x' is not a follow-up number such as 12.\n"
    assert cli("followups", "done", "99")[2] == "tamdesk followups done: Follow-up #99 no longer exists.\n"
