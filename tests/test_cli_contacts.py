"""``tamdesk contacts list|add|from-seats`` and ``tamdesk import contacts``: what a TAM reads on stdout, every
refusal one sentence on stderr with exit code 1 and nothing changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tamdesk.__main__ import main

Cli = Callable[..., tuple[int, str, str]]
FIXTURES = Path(__file__).parent / "fixtures" / "contacts"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Kestrel Logistics GmbH and Acme Analytics (also known as Acme Inc.), imported as a TAM would."""
    path = tmp_path / "t.db"
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "Name,Email domains,Time zone,Country,TAM,Also known as\n"
        "Kestrel Logistics GmbH,kestrel.example,Europe/Berlin,DE,Tess Tam,\n"
        "Acme Analytics,acme.example,America/New_York,US,Tess Tam,Acme Inc.\n"
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
        return [con.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in ("contact", "audit_entry")]


def test_add_and_list(cli: Cli) -> None:
    code, out, err = cli("contacts", "add", "--customer", "kestrel", "--name", "Ana Ruiz", "--email",
                         "ana.ruiz@kestrel.example", "--title", "VP Operations", "--role", "champion",
                         "--influence", "High")  # fmt: skip
    assert (code, out, err) == (0, "Ana Ruiz added to Kestrel Logistics GmbH as champion.", "")
    code, out, _ = cli("contacts", "add", "--customer", "Kestrel", "--name", "Karl Brandt")
    assert (code, out) == (0, "Karl Brandt added to Kestrel Logistics GmbH as other.")
    code, out, _ = cli("contacts", "list", "--customer", "kest")
    assert code == 0
    assert out.splitlines() == [
        "Kestrel Logistics GmbH: 2 contacts",
        "",
        "Name         Title          Role      Influence  Email                     Seat  Last contact",
        "Ana Ruiz     VP Operations  Champion  High       ana.ruiz@kestrel.example  -     -",
        "Karl Brandt  -              Other     -          -                         -     -",
    ]


def test_a_seat_holder_is_linked_and_listed_with_the_seat(cli: Cli) -> None:
    assert cli("seats", "request", "--customer", "kestrel", "--name", "Jonas Weber", "--email",
               "jonas.weber@kestrel.example")[0] == 0  # fmt: skip
    code, out, _ = cli("contacts", "add", "--customer", "kestrel", "--name", "Jonas Weber", "--email",
                       "Jonas.Weber+crm@kestrel.example", "--role", "technical lead")  # fmt: skip
    assert (code, out) == (0, "Jonas Weber added to Kestrel Logistics GmbH as technical lead, linked to seat 1.")
    assert "Seat 1" in cli("contacts", "list", "--customer", "kestrel")[1]


def test_seat_holders_become_contacts_once(cli: Cli) -> None:
    for name, email in (("Jonas Weber", "jonas.weber@kestrel.example"), ("Lena Fischer", "lena@kestrel.example")):
        assert cli("seats", "request", "--customer", "kestrel", "--name", name, "--email", email)[0] == 0
    assert cli("contacts", "from-seats", "--customer", "kestrel")[1] == "Kestrel Logistics GmbH: 2 contacts added."
    assert cli("contacts", "from-seats", "--customer", "kestrel")[1] == (
        "Kestrel Logistics GmbH: Every seat holder is already a contact."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Service Desk", "--email", "support@kestrel.example"],
         "support@kestrel.example is a role or shared address; a contact needs the person's own address."),
        (["--name", "Ana", "--email", "ana.ruiz+x@KESTREL.example"],
         "ana.ruiz+x@kestrel.example is the same mailbox as Ana Ruiz (ana.ruiz@kestrel.example), already a contact "
         "of this customer."),
        (["--name", "Karl", "--role", "boss"],
         "Role 'boss' is not one of executive sponsor, champion, technical lead, procurement, other."),
        (["--name", "Karl", "--email", "karl@"],
         "'karl@' is not a valid email address: There must be something after the @-sign."),
        (["--name", "  "], "Give the contact's name."),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence_on_stderr_and_changes_nothing(
    cli: Cli, db: Path, args: list[str], message: str
) -> None:
    cli("contacts", "add", "--customer", "kestrel", "--name", "Ana Ruiz", "--email", "ana.ruiz@kestrel.example")
    before = snapshot(db)
    code, out, err = cli("contacts", "add", "--customer", "kestrel", *args)
    assert (code, out, err) == (1, "", f"tamdesk contacts add: {message}\n")
    assert snapshot(db) == before


def test_an_unknown_or_ambiguous_customer(cli: Cli) -> None:
    assert cli("contacts", "list", "--customer", "Umbrella") == (
        1, "", "tamdesk contacts list: No customer named 'Umbrella'.\n"
    )  # fmt: skip
    code, _, err = cli("contacts", "add", "--customer", "", "--name", "Ana")
    assert (code, err) == (1, "tamdesk contacts add: Name a customer.\n")


def test_import_contacts_and_again(cli: Cli, db: Path) -> None:
    code, out, err = cli("import", "contacts", str(FIXTURES / "salesforce_contacts.csv"))
    assert (code, out, err) == (0, "Salesforce contact report: 4 contacts added, 0 updated.", "")
    assert cli("import", "contacts", str(FIXTURES / "salesforce_contacts.csv"))[1] == (
        "Salesforce contact report: 0 contacts added, 0 updated, 4 unchanged."
    )
    code, out, _ = cli("import", "contacts", str(FIXTURES / "gainsight_people.csv"))
    assert out == (
        "Gainsight people export: 2 contacts added, 2 updated, 1 unchanged. "
        "Roles read as Other: 'Decision Maker' (1), 'End User' (1)."
    )
    listed = cli("contacts", "list", "--customer", "kestrel")[1].splitlines()
    assert listed[0] == "Kestrel Logistics GmbH: 4 contacts"
    assert [line.split("  ")[0] for line in listed[3:]] == ["Ana Ruiz", "Jonas Weber", "Karl Brandt", "Lena Fischer"]
    assert "Executive sponsor" in listed[5] and "Champion" in listed[3]


def test_import_of_a_bad_file_lists_every_row_and_saves_nothing(cli: Cli, db: Path) -> None:
    before = snapshot(db)
    code, out, err = cli("import", "contacts", str(FIXTURES / "salesforce_contacts_bad.csv"))
    assert (code, out) == (1, "")
    assert err.startswith("tamdesk import contacts: salesforce_contacts_bad.csv: nothing was imported. Row 3, Email: ")
    parts = ("row 4, Email: 'jonas.weber@'", "row 5: Account Name 'Umbrella Corp' matches no customer",
             "row 6: no name", "row 7: Email Ana.Ruiz+sf@kestrel.example is the same mailbox as row 2")  # fmt: skip
    assert [part for part in parts if part not in err] == []
    assert err.count("\n") == 1
    assert snapshot(db) == before


def test_import_of_a_missing_file(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("import", "contacts", str(tmp_path / "nope.csv"))
    assert code == 1
    missing = tmp_path / "nope.csv"
    assert err == f"tamdesk import contacts: nope.csv: nothing was imported. The file {missing} does not exist.\n"


def test_a_contact_leaves(cli: Cli, db: Path) -> None:
    for name in ("Ana Ruiz", "Ana Lima"):
        assert cli("contacts", "add", "--customer", "kestrel", "--name", name, "--role", "champion")[0] == 0
    assert cli("contacts", "left", "--customer", "kestrel", "--name", "ana") == (
        1, "", "tamdesk contacts left: 'ana' could be Ana Lima, Ana Ruiz: write more of the name.\n"
    )  # fmt: skip
    assert cli("contacts", "left", "--customer", "kestrel", "--name", "Bo") == (
        1, "", "tamdesk contacts left: Kestrel Logistics GmbH has no contact named 'Bo'.\n"
    )  # fmt: skip
    code, _, err = cli("contacts", "left", "--customer", "kestrel", "--name", "ana ruiz", "--on", "2999-01-01")
    assert (code, err) == (1, "tamdesk contacts left: --on: The date 2999-01-01 is in the future.\n")
    code, _, err = cli("contacts", "left", "--customer", "kestrel", "--name", "ana ruiz", "--on", "3 Dec")
    assert (code, err) == (1, "tamdesk contacts left: --on '3 Dec' is not a date such as 2026-03-01.\n")
    code, out, _ = cli("contacts", "left", "--customer", "kestrel", "--name", "ana r", "--on", "2026-03-03")
    assert (code, out) == (0, "Ana Ruiz recorded as having left Kestrel Logistics GmbH on 2026-03-03.")
    assert "Ana Ruiz" not in cli("contacts", "list", "--customer", "kestrel")[1]
    assert "Ana Ruiz (left 2026-03-03)" in cli("contacts", "list", "--customer", "kestrel", "--all")[1]


def test_import_with_a_mapped_company(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "hubspot.csv"
    header = "Record ID,First Name,Last Name,Email,Job Title,Company Name\n"
    path.write_text(header + "7,Rosa,Diaz,rosa@umbrella.example,COO,Umbrella Corp\n")
    code, _, err = cli("import", "contacts", str(path))
    assert (code, err) == (1, "tamdesk import contacts: hubspot.csv: nothing was imported. Row 2: Company Name "
                              "'Umbrella Corp' matches no customer; add the customer, or add 'Umbrella Corp' to its "
                              "other names, and import again.\n")  # fmt: skip
    assert cli("import", "contacts", str(path), "--map", "Umbrella Corp") == (
        1, "", "tamdesk import contacts: --map 'Umbrella Corp' does not name both sides; write --map \"Acme Inc=Acme "
               "Analytics\".\n"
    )  # fmt: skip
    assert cli("import", "contacts", str(path), "--map", "Umbrella Corp=Kestrel")[2] == (
        "tamdesk import contacts: hubspot.csv: nothing was imported. --map 'Umbrella Corp': there is no customer "
        "'Kestrel'.\n"
    )
    code, out, _ = cli("import", "contacts", str(path), "--map", "Umbrella Corp=kestrel logistics gmbh")
    assert (code, out) == (0, "HubSpot contacts export: 1 contact added, 0 updated. 'Umbrella Corp' is now another "
                              "name of Kestrel Logistics GmbH.")  # fmt: skip
