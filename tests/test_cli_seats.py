"""``tamdesk seats …``, ``tamdesk onboarding …`` and ``export access-form --mark-sent``: a TAM onboards a customer
and hands out, revokes and re-issues its seats from the command line, every rule explained in one sentence."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tamdesk.__main__ import main
from tamdesk.cli import onboarding as onboarding_cli
from tamdesk.cli import portal_seats
from tamdesk.services.base import Context
from tamdesk.services.onboarding import checklist
from tamdesk.services.seats import SeatInput, edit_seat, seat_overview

Cli = Callable[..., tuple[int, str, str]]
PEOPLE = [("Ana Silva", "ana@acme.com"), ("Bo Berg", "bo@acme.com"), ("Cy Chen", "cy@acme.com"),
          ("Di Dunn", "di@acme.com"), ("Ed Eze", "ed@acme.com")]  # fmt: skip


def today() -> date:
    return datetime.now().astimezone().date()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database with one customer, Acme (acme.com), imported as a TAM would."""
    path = tmp_path / "t.db"
    customers = tmp_path / "customers.csv"
    customers.write_text("Name,Email domains,Time zone,Country,TAM\nAcme,acme.com,Europe/Berlin,DE,Ann Ross\n")
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
    """Everything a seat or checklist command may change, audit trail included."""
    with sqlite3.connect(db) as con:
        return [con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("customer", "portal_seat", "onboarding_step", "audit_entry")]  # fmt: skip


def seated(cli: Cli, count: int = 5, *, granted: int = 0) -> None:
    """Request ``count`` seats for PEOPLE and grant the first ``granted`` of them."""
    for name, email in PEOPLE[:count]:
        assert cli("seats", "request", "--customer", "Acme", "--name", name, "--email", email)[0] == 0
    for number in range(1, granted + 1):
        assert cli("seats", "grant", "--customer", "Acme", "--seat", str(number))[0] == 0


def shown_steps(lines: list[str]) -> dict[str, tuple[str, str, str]]:
    """The step lines of ``onboarding show``: title -> (box, due, status)."""
    found = [re.fullmatch(r" ?\d+  ([☐☑])  (.+?) +(\d{4}-\d\d-\d\d|-)  (.+)", line) for line in lines[3:]]
    assert all(found) and len(found) == 10, lines
    return {m[2]: (m[1], m[3], m[4]) for m in found if m}


def refused(cli: Cli, db: Path, *argv: str) -> str:
    """Run a command that must fail: exit 1, nothing on stdout, one line on stderr, nothing changed."""
    before = snapshot(db)
    code, out, err = cli(*argv)
    assert (code, out) == (1, ""), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(db) == before
    return err.rstrip("\n")


# -- the whole walk -------------------------------------------------------------------------------------------


def test_onboarding_from_kickoff_to_sign_off(cli: Cli, db: Path, tmp_path: Path) -> None:
    day = today().isoformat()
    assert cli("onboarding", "start", "--customer", "acme") == (
        0, f"Onboarding of Acme starts {day}; open steps due {day} to {(today() + timedelta(days=21)).isoformat()}.", ""
    )  # fmt: skip
    form = tmp_path / "form.xlsx"
    assert cli("export", "access-form", "--customer", "Acme", "--out", str(form), "--mark-sent") == (
        0, f"Access form of Acme written to {form} and recorded as sent; "
        "onboarding step 'Access form sent' completed itself.", "",
    )  # fmt: skip

    for number, (name, email) in enumerate(PEOPLE, start=1):
        code, out, _ = cli("seats", "request", "--customer", "Acme", "--name", name, "--email", email)
        designated = "; onboarding step 'Five designated users identified' completed itself" if number == 5 else ""
        assert (code, out) == (0, f"Seat {number} of Acme requested for {name} <{email}>{designated}.")
    sixth = refused(cli, db, "seats", "request", "--customer", "Acme", "--name", "Fy Fox", "--email", "fy@acme.com")
    assert sixth == (
        "tamdesk seats request: New seat (fy@acme.com) would exceed the allowance: all 5 seats are in use; "
        "revoke one first."
    )

    for number in range(1, 6):
        code, out, _ = cli("seats", "grant", "--customer", "Acme", "--seat", str(number))
        assert code == 0 and out.startswith(f"Seat {number} of Acme granted to {PEOPLE[number - 1][0]}")
    assert out.endswith("; onboarding step 'Portal access granted' completed itself.")
    for number in range(1, 6):
        code, out, _ = cli("seats", "confirm", "--customer", "Acme", "--seat", str(number))
        assert code == 0 and "confirmed the welcome email" in out
    assert out == (
        "Seat 5 of Acme is active: Ed Eze <ed@acme.com> confirmed the welcome email; "
        "onboarding step 'Welcome emails confirmed by each user' completed itself."
    )
    shown = cli("onboarding", "show", "--customer", "Acme")[1].splitlines()
    assert shown[0] == f"Acme: onboarding in progress, 4 of 10 steps done; started {day}; TAM Ann Ross."
    steps = shown_steps(shown)
    automatic = ("Five designated users identified", "Access form sent", "Portal access granted",
                 "Welcome emails confirmed by each user")  # fmt: skip
    for title in automatic:
        assert steps[title][0] == "☑" and steps[title][2].startswith("automatic: proven by ")
    assert steps["Access form returned and validated"][0] == "☐"
    assert steps["Kickoff held"] == ("☐", day, "open")

    code, out, _ = cli("seats", "revoke", "--customer", "Acme", "--seat", "2", "--reason", "Left the company")
    assert (code, out) == (0, "Seat 2 of Acme revoked from Bo Berg <bo@acme.com>: Left the company; "
                              "4 of 5 seats used, 1 free.")  # fmt: skip
    code, out, _ = cli("seats", "reissue", "--customer", "Acme", "--seat", "2", "--name", "Gu Gray",
                       "--email", "gu@acme.com")  # fmt: skip
    assert (code, out) == (0, "Seat 2 of Acme re-issued to Gu Gray <gu@acme.com>, replacing Bo Berg <bo@acme.com>; "
                              "onboarding step 'Five designated users identified' completed itself.")  # fmt: skip
    listed = cli("seats", "list", "--customer", "Acme")[1].splitlines()
    assert listed[0] == "Acme: 5 of 5 seats used, 0 free."
    assert listed[2].split() == ["Seat", "Name", "Email", "State", "Requested", "Granted", "Welcome", "confirmed"]
    assert listed[4].split() == ["2", "Gu", "Gray", "gu@acme.com", "Requested", day, "-", "-"]
    assert listed[9] == "Revoked (no longer counted, newest first):"
    assert listed[11].split() == ["2", "Bo", "Berg", "bo@acme.com", "Revoked", day, day, "Left", "the", "company"]

    returned = tmp_path / "returned.xlsx"  # the customer sends the form back with the five users on it
    assert cli("export", "access-form", "--customer", "Acme", "--out", str(returned))[0] == 0
    assert cli("import", "access-form", "--customer", "Acme", str(returned))[0] == 0
    for step in ("1", "TAM introduced and support process explained", "five designated", "8", "escalation", "10"):
        code, out, err = cli("onboarding", "done", "--customer", "Acme", "--step", step)
        assert code == 0, err
    assert out == "Step 10 'Onboarding signed off' of Acme done; onboarding complete, 10 of 10 steps done."
    assert cli("onboarding", "show", "--customer", "Acme")[1].startswith("Acme: onboarding complete, 10 of 10")


def test_the_history_tab_shows_what_the_command_line_did(cli: Cli, db: Path) -> None:
    seated(cli, 2, granted=1)
    assert cli("seats", "revoke", "--customer", "Acme", "--seat", "1", "--reason", "Moved on")[0] == 0
    assert cli("onboarding", "done", "--customer", "Acme", "--step", "kickoff", "--note", "On Teams")[0] == 0
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT a.actor, a.summary FROM audit_entry a JOIN customer c ON c.id = a.customer_id "
            "WHERE c.name = 'Acme' AND a.entity IN ('portal_seat', 'onboarding_step') ORDER BY a.id"
        ).fetchall()
    assert [summary for _, summary in rows] == [
        "Seat 1 requested for Ana Silva (ana@acme.com)",
        "Seat 2 requested for Bo Berg (bo@acme.com)",
        "Seat 1 (ana@acme.com) granted portal access",
        "Seat 1 (ana@acme.com) revoked: Moved on",
        "Onboarding step 'Kickoff held' done, note: On Teams",
    ]
    assert {actor for actor, _ in rows} == {Context().actor}


def test_seats_list_of_a_customer_without_seats(cli: Cli) -> None:
    assert cli("seats", "list", "--customer", "Acme") == (
        0, "Acme: 0 of 5 seats used, 5 free.\nNo seats yet: `tamdesk seats request` asks for one.", ""
    )  # fmt: skip


def test_onboarding_show_marks_overdue_steps(cli: Cli) -> None:
    late = (today() - timedelta(days=3)).isoformat()
    assert cli("onboarding", "due", "--customer", "Acme", "--step", "2", "--on", late) == (
        0, f"Step 2 'TAM introduced and support process explained' of Acme is due {late}.", ""
    )  # fmt: skip
    shown = cli("onboarding", "show", "--customer", "Acme")[1].splitlines()
    assert shown[0].startswith("Acme: onboarding overdue, 0 of 10 steps done")
    steps = shown_steps(shown)
    assert steps["TAM introduced and support process explained"] == ("☐", late, "OVERDUE by 3 days")
    assert [title for title, (_, _, status) in steps.items() if "OVERDUE" in status] == [
        "TAM introduced and support process explained"
    ]


def test_accepted_warnings_are_named_in_the_summary(cli: Cli) -> None:
    code, out, _ = cli("seats", "request", "--customer", "Acme", "--name", "Ana Silva", "--email", "ana@gmail.com",
                       "--accept-warnings")  # fmt: skip
    assert (code, out) == (
        0, "Seat 1 of Acme requested for Ana Silva <ana@gmail.com> (accepted: Seat 1 (ana@gmail.com): gmail.com is "
        "not one of the customer's domains (acme.com)).",
    )  # fmt: skip


def test_reissue_replaces_the_holder_revoked_last(cli: Cli) -> None:
    seated(cli, 1)
    assert cli("seats", "revoke", "--customer", "Acme", "--seat", "1", "--reason", "Left")[0] == 0
    assert cli("seats", "reissue", "--customer", "Acme", "--seat", "1", "--name", "Bo Berg", "--email",
               "bo@acme.com")[0] == 0  # fmt: skip
    assert cli("seats", "revoke", "--customer", "Acme", "--seat", "1", "--reason", "Left too")[0] == 0
    code, out, _ = cli("seats", "reissue", "--customer", "Acme", "--seat", "1", "--name", "Cy Chen",
                       "--email", "cy@acme.com")  # fmt: skip
    assert (code, out) == (0, "Seat 1 of Acme re-issued to Cy Chen <cy@acme.com>, replacing Bo Berg <bo@acme.com>.")


# -- bad input: one sentence on stderr, exit 1, nothing changed ------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("seats", "list"),
        ("seats", "request", "--name", "Ana Silva", "--email", "ana@acme.com"),
        ("seats", "grant", "--seat", "1"),
        ("seats", "revoke", "--seat", "1", "--reason", "Left"),
        ("onboarding", "show"),
        ("onboarding", "start"),
        ("onboarding", "done", "--step", "1"),
    ],
)
def test_unknown_customer(cli: Cli, db: Path, argv: tuple[str, ...]) -> None:
    error = refused(cli, db, *argv, "--customer", "Acme Corp")
    assert error == f"tamdesk {argv[0]} {argv[1]}: No customer named 'Acme Corp'."


@pytest.mark.parametrize(
    ("seat", "message"),
    [
        ("9", "--seat 9: Acme has no seat 9; seats in use: 1, 2."),
        ("two", "--seat 'two' is not a seat number such as 3."),
    ],
)
def test_unknown_seat_number(cli: Cli, db: Path, seat: str, message: str) -> None:
    seated(cli, 2)
    assert refused(cli, db, "seats", "grant", "--customer", "Acme", "--seat", seat) == f"tamdesk seats grant: {message}"


def test_unknown_seat_names_the_seats_there_are(cli: Cli, db: Path) -> None:
    seated(cli, 2)
    assert cli("seats", "revoke", "--customer", "Acme", "--seat", "1", "--reason", "Left")[0] == 0
    error = refused(cli, db, "seats", "revoke", "--customer", "Acme", "--seat", "3", "--reason", "Left")
    assert error == "tamdesk seats revoke: --seat 3: Acme has no seat 3; seats in use: 2 (revoked: 1)."


def test_unknown_seat_of_a_customer_without_seats(cli: Cli, db: Path) -> None:
    error = refused(cli, db, "seats", "reissue", "--customer", "Acme", "--seat", "1", "--name", "A B", "--email",
                    "ab@acme.com")  # fmt: skip
    assert error == "tamdesk seats reissue: --seat 1: Acme has no seat 1; it has no seats yet."


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("grant", "--seat", "1"), "Seat 1 (ana@acme.com) already has portal access (it is granted)."),
        (("confirm", "--seat", "2"),
         "Seat 2 (bo@acme.com) has no portal access yet; grant it before confirming the welcome email."),
        (("grant", "--seat", "3"), "Seat 3 (cy@acme.com) was revoked; re-issue the slot instead of granting it."),
        (("revoke", "--seat", "3", "--reason", "Again"), "Seat 3 (cy@acme.com) is already revoked."),
        (("reissue", "--seat", "2", "--name", "Gu Gray", "--email", "gu@acme.com"),
         "Seat 2 (bo@acme.com) is still held; revoke it before re-issuing the slot."),
    ],
)  # fmt: skip
def test_a_seat_in_the_wrong_state(cli: Cli, db: Path, argv: tuple[str, ...], message: str) -> None:
    seated(cli, 3, granted=1)
    assert cli("seats", "revoke", "--customer", "Acme", "--seat", "3", "--reason", "Left")[0] == 0
    error = refused(cli, db, "seats", *argv, "--customer", "Acme")
    assert error == f"tamdesk seats {argv[0]}: {message}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("seats", "revoke", "--seat", "1", "--reason", "Left", "--on", "2026-02-30"),
         "--on '2026-02-30' is not a date such as 2026-03-01."),
        (("seats", "revoke", "--seat", "1", "--reason", "Left", "--on", "2999-01-01"),
         "--on 2999-01-01: the revoke date 2999-01-01 is in the future."),
        (("onboarding", "start", "--on", "next monday"), "--on 'next monday' is not a date such as 2026-03-01."),
        (("onboarding", "due", "--step", "1", "--on", "31/12/2026"),
         "--on '31/12/2026' is not a date such as 2026-03-01."),
    ],
)  # fmt: skip
def test_a_bad_date(cli: Cli, db: Path, argv: tuple[str, ...], message: str) -> None:
    seated(cli, 1)
    assert refused(cli, db, *argv, "--customer", "Acme") == f"tamdesk {argv[0]} {argv[1]}: {message}"


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_empty_reason(cli: Cli, db: Path, reason: str) -> None:
    seated(cli, 1)
    error = refused(cli, db, "seats", "revoke", "--customer", "Acme", "--seat", "1", "--reason", reason)
    assert error == (
        f"tamdesk seats revoke: --reason '{reason}' is empty: give a reason for revoking seat 1 (ana@acme.com)."
    )


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("Ana Other", "Ana+portal@acme.com",
         "Seat 2 (Ana+portal@acme.com) is the same mailbox as seat 1 (ana@acme.com)."),
        ("Ana Other", "support@acme.com",
         "Seat 2 (support@acme.com) is a role or distribution address; portal seats are for named people."),
        ("Ana Other", "ana@@acme.com", "Seat 2 (ana@@acme.com) is not a valid email address: "),
        ("", "nameless@acme.com", "Seat 2 (nameless@acme.com) has no full name."),
    ],
)  # fmt: skip
def test_a_seat_that_breaks_a_rule(cli: Cli, db: Path, name: str, email: str, message: str) -> None:
    seated(cli, 1)
    error = refused(cli, db, "seats", "request", "--customer", "Acme", "--name", name, "--email", email,
                    "--accept-warnings")  # fmt: skip
    assert error.startswith(f"tamdesk seats request: {message}")
    assert error.endswith(".") and not error.endswith("..")


def test_a_bad_address_in_an_access_form_ends_the_sentence_once(cli: Cli, db: Path, tmp_path: Path) -> None:
    import openpyxl

    form = tmp_path / "form.xlsx"
    assert cli("export", "access-form", "--customer", "Acme", "--out", str(form))[0] == 0
    book = openpyxl.load_workbook(form)
    sheet = book.active
    header = next(row for row in sheet.iter_rows() if any(c.value == "Email" for c in row))
    columns = {c.value: c.column for c in header}
    sheet.cell(header[0].row + 1, columns["Full name"], "Bad Address")
    sheet.cell(header[0].row + 1, columns["Email"], "bad@@acme.com")
    book.save(form)
    reason = "The part after the @-sign contains invalid characters: '@'"
    for dry_run in (("--dry-run",), ()):
        error = refused(cli, db, "import", "access-form", "--customer", "Acme", str(form), *dry_run)
        assert error.endswith(f"Seat 1 (bad@@acme.com) is not a valid email address: {reason}."), error


def test_gmail_dots_are_the_same_mailbox(cli: Cli, db: Path) -> None:
    assert cli("seats", "request", "--customer", "Acme", "--name", "Ana Silva", "--email", "ana.silva@gmail.com",
               "--accept-warnings")[0] == 0  # fmt: skip
    error = refused(cli, db, "seats", "request", "--customer", "Acme", "--name", "Ana S", "--email",
                    "anasilva@googlemail.com", "--accept-warnings")  # fmt: skip
    assert error == (
        "tamdesk seats request: Seat 2 (anasilva@googlemail.com) is the same mailbox as seat 1 (ana.silva@gmail.com)."
    )


def test_warnings_change_nothing_until_accepted(cli: Cli, db: Path) -> None:
    seated(cli, 1)
    argv = ("seats", "request", "--customer", "Acme", "--name", "ana silva", "--email", "ana.silva@example.org")
    assert refused(cli, db, *argv) == (
        "tamdesk seats request: Seat 2 (ana.silva@example.org): example.org is not one of the customer's domains "
        "(acme.com); Seat 2 (ana.silva@example.org) has the same full name, ana silva, as seat 1 (ana@acme.com); "
        "nothing was changed (check, then run again with --accept-warnings to go ahead)."
    )
    code, out, _ = cli(*argv, "--accept-warnings")
    assert code == 0 and out.startswith("Seat 2 of Acme requested for ana silva <ana.silva@example.org> (accepted: ")


def test_a_mailbox_seated_at_another_customer_is_a_warning(cli: Cli, db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("Name,Email domains,Time zone,Country,TAM\nBeta,acme.com,Europe/Berlin,DE,Ann Ross\n")
    assert cli("import", "customers", str(other))[0] == 0
    seated(cli, 1)
    error = refused(cli, db, "seats", "request", "--customer", "Beta", "--name", "Ana Silva", "--email",
                    "ana@acme.com")  # fmt: skip
    assert error.startswith(
        "tamdesk seats request: Seat 1 (ana@acme.com) is the same mailbox as seat 1 (ana@acme.com) at Acme;"
    )


def test_reissue_checks_the_rules_too(cli: Cli, db: Path) -> None:
    seated(cli, 2)
    assert cli("seats", "revoke", "--customer", "Acme", "--seat", "2", "--reason", "Left")[0] == 0
    error = refused(cli, db, "seats", "reissue", "--customer", "Acme", "--seat", "2", "--name", "Ana Twin",
                    "--email", "ana+new@acme.com", "--accept-warnings")  # fmt: skip
    assert error == "tamdesk seats reissue: Seat 2 (ana+new@acme.com) is the same mailbox as seat 1 (ana@acme.com)."


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("access form", "--step 'access form' matches 2 steps (4 Access form sent; 5 Access form returned and "
                        "validated); give its number or more of its title."),
        ("11", "--step '11' is not a step of Acme's checklist; choose one of: 1 Kickoff held; 2 TAM introduced and "
               "support process explained; 3 Five designated users identified; 4 Access form sent; 5 Access form "
               "returned and validated; 6 Portal access granted; 7 Welcome emails confirmed by each user; "
               "8 Knowledge base, downloads and ticket submission walked through; 9 Escalation contacts shared; "
               "10 Onboarding signed off."),
        ("Kickof held", "--step 'Kickof held' is not a step of Acme's checklist; choose one of: 1 Kickoff held; "),
    ],
)  # fmt: skip
def test_an_ambiguous_or_unknown_step(cli: Cli, db: Path, step: str, message: str) -> None:
    error = refused(cli, db, "onboarding", "done", "--customer", "Acme", "--step", step)
    assert error.startswith(f"tamdesk onboarding done: {message}")


def test_a_form_that_could_not_be_written_is_not_recorded_as_sent(cli: Cli, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "form.xlsx"
    error = refused(cli, db, "export", "access-form", "--customer", "Acme", "--out", str(out), "--mark-sent")
    assert error.startswith("tamdesk export access-form: Cannot write") and "does not exist" in error


def test_an_automatic_step_is_ticked_by_hand_only_with_a_note(cli: Cli, db: Path) -> None:
    error = refused(cli, db, "onboarding", "done", "--customer", "Acme", "--step", "Portal access granted")
    assert error == (
        "tamdesk onboarding done: Step 'Portal access granted' completes itself when every designated user has "
        "portal access (every seat of the allowance, or everyone on the returned access form); to tick it by hand, "
        "say why in its note (for example: the customer designates three users)."
    )
    code, out, _ = cli("onboarding", "done", "--customer", "Acme", "--step", "Portal access granted",
                    "--note", "Acme designates three users")  # fmt: skip
    assert code == 0 and out.startswith("Step 6 'Portal access granted' of Acme done")


def test_undo_reopens_a_step_and_done_twice_changes_nothing(cli: Cli, db: Path) -> None:
    assert cli("onboarding", "done", "--customer", "Acme", "--step", "1")[1] == (
        "Step 1 'Kickoff held' of Acme done; onboarding in progress, 1 of 10 steps done."
    )
    before = snapshot(db)
    assert cli("onboarding", "done", "--customer", "Acme", "--step", "1")[1] == (
        "Step 1 'Kickoff held' of Acme was already done; nothing changed."
    )
    assert snapshot(db) == before
    assert cli("onboarding", "undo", "--customer", "Acme", "--step", "KICKOFF HELD")[1] == (
        "Step 1 'Kickoff held' of Acme reopened; onboarding in progress, 0 of 10 steps done."
    )


# -- versions: a change made between reading and writing is refused --------------------------------------------


def test_a_seat_changed_meanwhile_is_a_stale_edit(cli: Cli, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seated(cli, 1)
    real_grant = portal_seats.grant_seat

    def someone_edits_first(ctx: Context, seat_id: int, expected_version: int) -> None:
        seat = seat_overview(1).seats[0]
        edit_seat(Context(actor="Someone else"), seat_id, seat.version, SeatInput("Ana Silva", seat.email, "CTO"))
        real_grant(ctx, seat_id, expected_version)

    monkeypatch.setattr(portal_seats, "grant_seat", someone_edits_first)
    code, out, err = cli("seats", "grant", "--customer", "Acme", "--seat", "1")
    assert (code, out) == (1, "")
    assert err == (
        "tamdesk seats grant: This portal seat was changed by someone else since you opened it. "
        "Review their changes and save again.\n"
    )


def test_a_step_changed_meanwhile_is_a_stale_edit(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    real_done = onboarding_cli.set_step_done

    def someone_ticks_first(ctx: Context, step_id: int, expected_version: int, done: bool, note: Any = None) -> None:
        step = next(s for s in checklist(1, today()).steps if s.id == step_id)
        real_done(Context(actor="Someone else"), step_id, step.version, True, note="Theirs")
        real_done(ctx, step_id, expected_version, done, note)

    monkeypatch.setattr(onboarding_cli, "set_step_done", someone_ticks_first)
    code, _, err = cli("onboarding", "done", "--customer", "Acme", "--step", "1", "--note", "Mine")
    assert code == 1 and err.startswith("tamdesk onboarding done: This onboarding step was changed by someone else")


def test_a_listing_piped_into_a_reader_that_stops_early_is_no_error(db: Path) -> None:
    command = [sys.executable, "-m", "tamdesk", "--db", str(db), "onboarding", "show", "--customer", "Acme"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # like `| head -0`: the reader is gone before the listing is written
        err = proc.stderr.read().decode()
        assert (proc.wait(timeout=60), err) == (0, "")


def test_a_customer_is_found_by_the_start_of_its_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """``--customer kestrel`` means Kestrel Logistics GmbH when no other customer starts so; several are named."""
    from tamdesk.services.base import Context
    from tamdesk.services.customers import CustomerInput, create_customer
    from tamdesk.services.database import close_database, open_database

    path = tmp_path / "a.db"
    open_database(path, create=True)
    ctx = Context()
    for name in ("Kestrel Logistics GmbH", "Acme Analytics", "Acme Corp", "Blue Kestrel Ltd"):
        create_customer(ctx, CustomerInput(name))
    close_database()
    assert main(["--db", str(path), "seats", "list", "--customer", "kestrel"]) == 0
    assert "Kestrel Logistics GmbH" in capsys.readouterr().out
    assert main(["--db", str(path), "seats", "list", "--customer", "blue"]) == 0
    assert "Blue Kestrel Ltd" in capsys.readouterr().out
    assert main(["--db", str(path), "seats", "list", "--customer", "acme"]) == 1
    assert capsys.readouterr().err.strip() == (
        "tamdesk seats list: 'acme' could be Acme Analytics, Acme Corp: write more of the name."
    )
    assert main(["--db", str(path), "seats", "list", "--customer", "initech"]) == 1
    assert capsys.readouterr().err.strip() == "tamdesk seats list: No customer named 'initech'."
