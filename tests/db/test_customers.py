"""Customers through the service: validation of every field, allowance history, listing, import."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tamdesk.domain.onboarding import OnboardingState
from tamdesk.models import tables as t
from tamdesk.services.base import Context, StaleEdit, ValidationFailed
from tamdesk.services.customer_import import import_customers
from tamdesk.services.customers import (
    CustomerInput,
    create_customer,
    customer_by_name,
    get_customer,
    list_customers,
    seat_numbers,
    set_archived,
    update_customer,
)
from tamdesk.services.seats import SeatInput, request_seat, revoke_seat
from tamdesk.services.tabular import ImportFailed

ACME = CustomerInput(
    name="Acme Analytics",
    time_zone="Europe/Berlin",
    country="DE",
    email_domains=["acme.com", "ACME.de "],
    tam="Tess Tam",
    onboarding_started=date(2026, 3, 1),
)


def test_create_makes_checklist_and_audit(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, ACME)
    detail = get_customer(cid)
    assert detail.input.email_domains == ("acme.com", "acme.de")
    assert detail.input.tam == "Tess Tam"
    assert t.Person.get(t.Person.name == "Tess Tam").role == "tam"
    steps = list(t.OnboardingStep.select().where(t.OnboardingStep.customer == cid).order_by(t.OnboardingStep.position))
    assert [s.title for s in steps][:2] == ["Kickoff held", "TAM introduced and support process explained"]
    assert steps[0].due_date == date(2026, 3, 2)  # started on a Sunday: due the Monday
    assert steps[-1].due_date == date(2026, 3, 23)
    audit = t.AuditEntry.get(t.AuditEntry.entity == "customer")
    assert (audit.actor, audit.summary) == ("Tess Tam", "Customer Acme Analytics created")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", "Name is required."),
        ({"name": "acme analytics"}, "name", "A customer named 'Acme Analytics' already exists."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Time zone 'Mars/Olympus' is not an IANA time zone"),
        ({"country": "XX"}, "country", "Country 'XX' is not an ISO country code"),
        ({"email_domains": ["acme..com"]}, "email_domains", "Email domains: 'acme..com' is not a valid domain"),
        ({"seat_allowance": 0}, "seat_allowance", "Seat allowance 0 must be between 1 and 50."),
        ({"sla_policy": "Gold"}, "sla_policy", "SLA policy 'Gold' does not exist."),
    ],
)
def test_bad_fields_are_named(db_path: Path, ctx: Context, change: dict, field: str, message: str) -> None:
    create_customer(ctx, ACME)
    data = CustomerInput(**{**ACME.__dict__, "name": "Other", **change})
    with pytest.raises(ValidationFailed) as info:
        create_customer(ctx, data)
    assert info.value.errors[field].startswith(message)
    assert t.Customer.select().count() == 1


def test_names_differing_only_in_unicode_case_are_one_customer(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    aerzte = create_customer(ctx, CustomerInput(name="Ärzte GmbH"))
    strasse = create_customer(ctx, CustomerInput(name="Straße AG"))
    for name, clash in [("ärzte gmbh", "Ärzte GmbH"), ("ÄRZTE  GMBH", "Ärzte GmbH"), ("STRASSE AG", "Straße AG"),
                        ("A\u0308rzte GmbH", "Ärzte GmbH")]:  # fmt: skip
        with pytest.raises(ValidationFailed) as info:
            create_customer(ctx, CustomerInput(name=name))
        assert info.value.errors == {"name": f"A customer named '{clash}' already exists."}
    with pytest.raises(ValidationFailed, match="A customer named 'Ärzte GmbH' already exists"):
        update_customer(ctx, strasse, get_customer(strasse).version, CustomerInput(name="ärzte gmbh"))
    update_customer(ctx, aerzte, get_customer(aerzte).version, CustomerInput(name="ÄRZTE GmbH"))  # its own name
    assert customer_by_name("ärzte  gmbh").id == aerzte
    assert customer_by_name("strasse ag").id == strasse
    path = tmp_path / "customers.csv"
    path.write_text("Name;Time zone\närzte gmbh;Europe/Berlin\n", encoding="utf-8")
    assert import_customers(ctx, path).summary == "Imported customers: 0 created, 1 updated, 0 unchanged."
    assert get_customer(aerzte).input.time_zone == "Europe/Berlin"
    path.write_text("Name\nÖBB Infra\nöbb infra\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_customers(ctx, path)
    assert failed.value.problems == ["row 3: Name 'öbb infra' also appears in row 2"]
    assert t.Customer.select().count() == 2


@pytest.mark.parametrize(
    ("typed", "code"),
    [("DE", "DE"), ("de", "DE"), ("Germany", "DE"), ("germany", "DE"), ("Germany (DE)", "DE"), ("germany (de)", "DE"),
     ("Türkiye (TR)", "TR"), ("St. Lucia", "LC"), ("Antigua & Barbuda", "AG"), ("Réunion", "RE"), ("", "")],
)  # fmt: skip
def test_country_by_code_or_name(db_path: Path, ctx: Context, typed: str, code: str) -> None:
    cid = create_customer(ctx, CustomerInput(name="Acme", country=typed))
    assert get_customer(cid).input.country == code


@pytest.mark.parametrize("typed", ["Germanie", "Germany (FR)", "XX"])
def test_a_country_name_no_calendar_knows_is_refused(db_path: Path, ctx: Context, typed: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        create_customer(ctx, CustomerInput(name="Acme", country=typed))
    assert info.value.errors == {
        "country": f"Country '{typed}' is not an ISO country code or country name with a holiday calendar."
    }


def test_idn_domain_is_stored_in_ascii(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, CustomerInput(name="Müller", email_domains="müller.de; mueller.de"))
    assert get_customer(cid).input.email_domains == ("xn--mller-kva.de", "mueller.de")


def test_allowance_change_needs_a_reason_kept_in_history(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, ACME)
    version = get_customer(cid).version
    more = CustomerInput(**{**ACME.__dict__, "seat_allowance": 7})
    with pytest.raises(ValidationFailed) as info:
        update_customer(ctx, cid, version, more)
    assert info.value.errors == {"allowance_reason": "Changing the seat allowance from 5 to 7 needs a reason."}
    update_customer(ctx, cid, version, CustomerInput(**{**more.__dict__, "allowance_reason": "Contract addendum 3"}))
    assert get_customer(cid).input.seat_allowance == 7
    audit = t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get()
    assert "Seat allowance 5 → 7: Contract addendum 3" in audit.summary


def test_allowance_cannot_drop_below_the_seats_in_use(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, ACME)
    seats = [request_seat(ctx, cid, SeatInput(n, f"{n.lower()}@acme.com")) for n in ("Ana", "Bob", "Cy", "Dee")]
    revoke_seat(ctx, seats[2], t.PortalSeat.get_by_id(seats[2]).version, "Left the company")  # seats 1, 2 and 4 held
    version = get_customer(cid).version
    with pytest.raises(ValidationFailed) as info:
        update_customer(ctx, cid, version, replace(ACME, seat_allowance=1, allowance_reason="Smaller contract"))
    assert info.value.errors == {
        "seat_allowance": "Seat allowance 1 is below the 3 seats in use (seats 1–2 and 4); revoke 2 first."
    }
    assert get_customer(cid).input.seat_allowance == 5
    update_customer(ctx, cid, version, replace(ACME, seat_allowance=3, allowance_reason="Smaller contract"))
    assert get_customer(cid).input.seat_allowance == 3


@pytest.mark.parametrize(
    ("numbers", "text"),
    [([2], "seat 2"), ([1, 2, 3], "seats 1–3"), ([5, 1, 2, 3, 7], "seats 1–3, 5 and 7"), ([1, 3], "seats 1 and 3")],
)
def test_seat_numbers_read_as_runs(numbers: list[int], text: str) -> None:
    assert seat_numbers(numbers) == text


def test_stale_edit_is_refused(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, ACME)
    version = get_customer(cid).version
    update_customer(ctx, cid, version, CustomerInput(**{**ACME.__dict__, "notes": "first"}))
    with pytest.raises(StaleEdit):
        update_customer(ctx, cid, version, CustomerInput(**{**ACME.__dict__, "notes": "second"}))
    assert get_customer(cid).input.notes == "first"


def test_list_search_and_archive(db_path: Path, ctx: Context) -> None:
    acme = create_customer(ctx, ACME)
    create_customer(ctx, CustomerInput(name="Globex", tam="Sam Lee"))
    rows = list_customers(date(2026, 3, 10))
    assert [r.name for r in rows] == ["Acme Analytics", "Globex"]
    assert rows[0].onboarding_total == 10
    assert rows[0].onboarding_state is OnboardingState.OVERDUE  # kickoff was due 1 March
    assert [r.name for r in list_customers(date(2026, 3, 10), search="sam")] == ["Globex"]
    assert [r.name for r in list_customers(date(2026, 3, 10), search="acme.de")] == ["Acme Analytics"]
    set_archived(ctx, acme, get_customer(acme).version, True)
    assert [r.name for r in list_customers(date(2026, 3, 10))] == ["Globex"]
    assert len(list_customers(date(2026, 3, 10), include_archived=True)) == 2


def test_search_is_plain_text_and_folds_unicode_case(db_path: Path, ctx: Context) -> None:
    for name, domains, tam in [
        ("Acme", "acme.com", "Tess Tam"), ("Ärzte GmbH", "aerzte.de", ""), ("100% Uptime", "uptime.io", ""),
        ("Globex", "globex.com", "Óscar Ruiz"), ("Snake_Case Ltd", "snake.io", ""),
    ]:  # fmt: skip
        create_customer(ctx, CustomerInput(name=name, email_domains=domains, tam=tam))
    day = date(2026, 3, 10)

    def found(text: str) -> list[str]:
        return [r.name for r in list_customers(day, search=text)]

    assert found("%") == ["100% Uptime"]
    assert found("_") == ["Snake_Case Ltd"]
    assert found("a%e") == []
    assert found("a_me") == []
    assert found("ärzte") == found("ÄRZTE") == ["Ärzte GmbH"]
    assert found("óscar") == ["Globex"]
    assert found("TAM") == ["Acme"]


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_import_upserts_by_name(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    create_customer(ctx, CustomerInput(name="Globex", time_zone="UTC"))
    path = _xlsx(
        tmp_path / "customers.xlsx",
        [
            ["Name", "E-mail domains", "Time Zone", "country", "TAM"],
            ["Initech", "initech.com, initech.io", "America/Chicago", "US", "Ann Ross"],
            ["globex", "globex.com", "America/New_York", "US", ""],
        ],
    )
    summary = import_customers(ctx, path)
    assert summary.summary == "Imported customers: 1 created, 1 updated, 0 unchanged."
    assert get_customer(t.Customer.get(t.Customer.name == "Globex").id).input.time_zone == "America/New_York"
    assert import_customers(ctx, path).summary == "Imported customers: 0 created, 0 updated, 2 unchanged."


def test_import_lists_every_bad_row_and_changes_nothing(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "Name;Time zone;Country\nGood Co;Europe/Paris;FR\nBad Zone;Europe/Atlantis;FR\n;UTC;\nGood Co;UTC;\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as info:
        import_customers(ctx, path)
    assert info.value.problems == [
        "row 5: Name 'Good Co' also appears in row 2",
        "row 3: Time zone 'Europe/Atlantis' is not an IANA time zone such as Europe/Berlin.",
        "row 4: Name is required.",
    ]
    assert t.Customer.select().count() == 0


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Name,TAM\nAcme,Ann\n", "renamed.xlsx", r"not an Excel workbook \(perhaps a CSV file renamed \.xlsx\)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "locked.xlsx", "password-protected"),
        (b"", "empty.csv", "The file is empty"),
        (b"TAM,Country\nAnn,DE\n", "noname.csv", "The file has no column 'Name'"),
    ],
)
def test_unreadable_files(db_path: Path, ctx: Context, tmp_path: Path, content: bytes, name: str, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFailed, match=message):
        import_customers(ctx, path)
