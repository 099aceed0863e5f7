"""Text hygiene through the public services: names and addresses refuse control and direction characters, free
text drops control characters, look-alike addresses warn, and people's names match across case in any script."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.seats import Level, SeatField
from tamdesk.domain.severity import Severity
from tamdesk.domain.states import PersonRole, TicketEventKind
from tamdesk.models import tables as t
from tamdesk.services.base import Context, FieldError, ValidationFailed
from tamdesk.services.customer_import import import_customers
from tamdesk.services.customers import (
    CustomerInput,
    create_customer,
    get_customer,
    update_customer,
)
from tamdesk.services.defects import (
    deploy_fix,
    escalate_to_engineering,
    log_customer_update,
    report_defect,
    validate_defect,
)
from tamdesk.services.directory import (
    PersonInput,
    add_person,
    list_directory,
    set_escalation_contact,
    update_person,
)
from tamdesk.services.escalations import EscalationInput, add_note, request_escalation
from tamdesk.services.people import list_people
from tamdesk.services.seats import SeatInput, SeatRejected, check_seat_input, request_seat
from tamdesk.services.settings import get_setting
from tamdesk.services.tabular import ImportFailed
from tamdesk.services.tickets import TicketInput, add_event, create_ticket

ESC_NAME = "Acme\x1b[2J"


def _no_raw_controls(message: str) -> None:
    assert message.isprintable(), f"raw control or format character in {message!r}"


def _write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


# -- item 2: names match across case beyond ASCII, on every engine --------------------------------------------


def test_import_with_a_non_ascii_capital_tam_twice(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    source = _write_csv(
        tmp_path / "customers.csv",
        "Name,TAM",
        "Acme,Åsa Berg",
        "Globex,Åsa Berg",
        "Initech,ÅSA  BERG",
        "Umbrella,Özil Kaya",
        "Hooli,ÖZIL KAYA",
        "Stark,Łukasz Nowak",
        "Wayne,łukasz nowak",
    )
    summary = import_customers(ctx, source)
    assert summary.created == 7
    assert sorted(p.name for p in t.Person.select()) == ["Åsa Berg", "Özil Kaya", "Łukasz Nowak"]
    tams = {c.name: c.tam.name for c in t.Customer.select()}
    assert tams["Initech"] == "Åsa Berg" and tams["Hooli"] == "Özil Kaya" and tams["Wayne"] == "Łukasz Nowak"


def test_import_finds_a_tam_already_in_the_directory_in_other_case(db_path: Path, ctx: Context, tmp_path: Path) -> None:
    add_person(ctx, PersonInput("ÅSA BERG"))
    import_customers(ctx, _write_csv(tmp_path / "c.csv", "Name,TAM", "Acme,Åsa Berg", "Globex,åsa berg"))
    assert [p.name for p in t.Person.select()] == ["ÅSA BERG"]
    assert {c.tam.name for c in t.Customer.select()} == {"ÅSA BERG"}


def test_editing_a_customer_keeps_its_tam_whatever_the_case(db_path: Path, ctx: Context) -> None:
    cid = create_customer(ctx, CustomerInput(name="Acme", tam="Özil Kaya"))
    detail = get_customer(cid)
    update_customer(ctx, cid, detail.version, replace(detail.input, tam="özil kaya"))
    assert t.Person.select().count() == 1
    assert get_customer(cid).input.tam == "Özil Kaya"


def test_directory_refuses_a_name_differing_only_in_non_ascii_case(db_path: Path, ctx: Context) -> None:
    add_person(ctx, PersonInput("Özil Kaya"))
    with pytest.raises(ValidationFailed) as info:
        add_person(ctx, PersonInput("ÖZIL KAYA"))
    assert info.value.errors["name"].startswith("Özil Kaya is already in the directory")
    pid = add_person(ctx, PersonInput("Åsa Berg"))
    update_person(ctx, pid, 1, PersonInput("ÅSA BERG"))  # a person may re-case their own name
    assert t.Person.get_by_id(pid).name == "ÅSA BERG"


def test_escalation_contact_named_in_other_case(db_path: Path, ctx: Context) -> None:
    add_person(ctx, PersonInput("Łukasz Nowak", role=PersonRole.SUPPORT_MANAGER))
    set_escalation_contact(ctx, PersonRole.SUPPORT_MANAGER, "łukasz NOWAK")
    assert get_setting("escalation_support_manager") == "Łukasz Nowak"


def test_people_sort_by_name_with_case_and_accents_aside(db_path: Path, ctx: Context) -> None:
    for name in ("Zoe Park", "Özil Kaya", "anna Berg", "Åsa Lind", "Oscar Ng"):
        add_person(ctx, PersonInput(name))
    expected = ["anna Berg", "Åsa Lind", "Oscar Ng", "Özil Kaya", "Zoe Park"]
    assert [p.name for p in list_people(PersonRole.TAM)] == expected
    assert [p.name for p in list_directory()] == expected


# -- customers -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ESC_NAME}, "name", r"Name 'Acme\x1b[2J' contains a control character (ESC); remove it."),
        ({"name": "Acme\x07"}, "name", r"Name 'Acme\x07' contains a control character (BEL); remove it."),
        ({"name": "Ac\x00me"}, "name", r"Name 'Ac\x00me' contains a control character (NUL); remove it."),
        ({"name": "Acme\x85Corp"}, "name", r"Name 'Acme\x85Corp' contains a control character (U+0085 NEL)"),
        ({"name": "Acme\u2028Corp"}, "name", r"Name 'Acme\u2028Corp' contains a line break (U+2028 LINE SEPARATOR)"),
        (
            {"name": "Acme \u202eCorp"},
            "name",
            r"Name 'Acme \u202eCorp' contains an invisible text-direction character (U+202E RIGHT-TO-LEFT OVERRIDE)",
        ),
        ({"tam": "Tess\x1b]0;pwned\x07"}, "tam", r"TAM 'Tess\x1b]0;pwned\x07' contains a control character (ESC)"),
        (
            {"aliases": "Acme Inc; Acme\u2028Evil Corp"},
            "aliases",
            r"Also known as 'Acme Inc; Acme\u2028Evil Corp' contains a line break (U+2028 LINE SEPARATOR); remove it.",
        ),
        (
            {"email_domains": ["acme\x1b.com"]},
            "email_domains",
            r"Email domains: 'acme\x1b.com' contains a control character (ESC); remove it.",
        ),
        (
            {"email_domains": "acme.com\u2028evil.com"},
            "email_domains",
            r"Email domains: 'acme.com\u2028evil.com' contains a line break (U+2028 LINE SEPARATOR)",
        ),
    ],
)
def test_customer_identity_fields_refuse_controls(
    db_path: Path, ctx: Context, change: dict[str, object], field: str, message: str
) -> None:
    data = replace(CustomerInput(name="Acme", email_domains=["acme.com"], tam="Tess Tam"), **change)
    with pytest.raises(ValidationFailed) as info:
        create_customer(ctx, data)
    assert info.value.errors[field].startswith(message)
    _no_raw_controls(str(info.value))
    assert t.Customer.select().count() == 0
    assert t.Person.select().count() == 0


def test_customer_notes_drop_controls_but_keep_lines_and_tabs(db_path: Path, ctx: Context) -> None:
    notes = "Renewal\x1b[2J in May\x07\r\nContact:\tAna\x00"
    cid = create_customer(ctx, CustomerInput(name="Acme", notes=notes))
    assert get_customer(cid).input.notes == "Renewal[2J in May\nContact:\tAna"


def test_customer_import_refuses_a_control_character_and_imports_nothing(
    db_path: Path, ctx: Context, tmp_path: Path
) -> None:
    source = _write_csv(tmp_path / "c.csv", "Name,TAM", "Globex,Tess Tam", f"{ESC_NAME},Tess Tam")
    with pytest.raises(ImportFailed) as info:
        import_customers(ctx, source)
    assert str(info.value) == (
        r"c.csv: nothing was imported. Row 3: Name 'Acme\x1b[2J' contains a control character (ESC); remove it."
    )
    _no_raw_controls(str(info.value))
    assert t.Customer.select().count() == 0


# -- directory -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (PersonInput("Sam\x1b[31m Red"), "name", r"Name 'Sam\x1b[31m Red' contains a control character (ESC)"),
        (PersonInput("Sam\u2066 Iso"), "name", r"Name 'Sam\u2066 Iso' contains an invisible text-direction"),
        (
            PersonInput("Sam", "sam\u200f@vendor.example"),
            "email",
            r"Email 'sam\u200f@vendor.example' contains an invisible text-direction character "
            "(U+200F RIGHT-TO-LEFT MARK); remove it.",
        ),
        (
            PersonInput("Sam", "sam\x1b@vendor.example"),
            "email",
            r"Email 'sam\x1b@vendor.example' contains a control character (ESC); remove it.",
        ),
    ],
)
def test_directory_refuses_controls_in_names_and_addresses(
    db_path: Path, ctx: Context, data: PersonInput, field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed) as info:
        add_person(ctx, data)
    assert info.value.errors[field].startswith(message)
    _no_raw_controls(str(info.value))
    assert t.Person.select().count() == 0


# -- portal seats --------------------------------------------------------------------------------------------


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"], onboarding_started=date.today()))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            SeatInput("Ana\x1b[2J Lima", "ana@acme.com"),
            SeatField.FULL_NAME,
            r"Seat 1 (ana@acme.com): the full name 'Ana\x1b[2J Lima' contains a control character (ESC); remove it",
        ),
        (
            SeatInput("Ana\u2028Lima", "ana@acme.com"),
            SeatField.FULL_NAME,
            r"Seat 1 (ana@acme.com): the full name 'Ana\u2028Lima' contains a line break (U+2028 LINE SEPARATOR); "
            "remove it",
        ),
        (
            SeatInput("Ana Lima", "ana\x1b@acme.com"),
            SeatField.EMAIL,
            r"Seat 1 (ana\x1b@acme.com): the email address contains a control character (ESC); remove it",
        ),
        (
            SeatInput("Ana Lima", "ana@acme.com\x85"),
            SeatField.EMAIL,
            r"Seat 1 (ana@acme.com\x85): the email address contains a control character (U+0085 NEL); remove it",
        ),
        (
            SeatInput("Ana Lima", "moc.emca@\u202eana"),
            SeatField.EMAIL,
            r"Seat 1 (moc.emca@\u202eana): the email address contains an invisible text-direction character "
            "(U+202E RIGHT-TO-LEFT OVERRIDE); remove it",
        ),
        (
            SeatInput("Ana Lima", "ana\u200e@acme.com"),
            SeatField.EMAIL,
            r"Seat 1 (ana\u200e@acme.com): the email address contains an invisible text-direction character "
            "(U+200E LEFT-TO-RIGHT MARK); remove it",
        ),
    ],
)
def test_seat_refuses_controls_in_name_and_address(
    acme: int, ctx: Context, data: SeatInput, field: SeatField, message: str
) -> None:
    with pytest.raises(SeatRejected) as info:
        request_seat(ctx, acme, data, accept_warnings=True)
    errors = info.value.check.errors
    assert [(p.field, p.message) for p in errors] == [(field, message)]
    _no_raw_controls(str(info.value))
    assert t.PortalSeat.select().count() == 0


def test_seat_job_title_and_phone_refuse_controls(acme: int, ctx: Context) -> None:
    with pytest.raises(ValidationFailed) as info:
        request_seat(ctx, acme, SeatInput("Ana Lima", "ana@acme.com", job_title="CTO\x1b[5m", phone="+49\x07"))
    assert info.value.errors == {
        "job_title": r"Job title 'CTO\x1b[5m' contains a control character (ESC); remove it.",
        "phone": r"Phone '+49\x07' contains a control character (BEL); remove it.",
    }
    assert t.PortalSeat.select().count() == 0


def test_look_alike_address_is_a_warning_the_tam_confirms(acme: int, ctx: Context) -> None:
    spoof = SeatInput("Ana Lima", "\u0430na.lima@acme.com")  # Cyrillic а
    check = check_seat_input(acme, spoof)
    assert not check.errors
    assert [(p.level, p.field, p.message) for p in check.warnings] == [
        (
            Level.WARNING,
            SeatField.EMAIL,
            "Seat 1 (\u0430na.lima@acme.com) looks like ana.lima@acme.com written with a Cyrillic \u0430 (U+0430)",
        )
    ]
    with pytest.raises(SeatRejected, match="Confirm to continue anyway"):
        request_seat(ctx, acme, spoof)
    seat_id = request_seat(ctx, acme, spoof, accept_warnings=True)
    audit = t.AuditEntry.get((t.AuditEntry.entity == "portal_seat") & (t.AuditEntry.entity_id == seat_id))
    assert "looks like ana.lima@acme.com" in audit.summary


def test_look_alike_domain_is_a_warning_but_one_script_is_not(acme: int, ctx: Context) -> None:
    check = check_seat_input(acme, SeatInput("Ana Lima", "ana@\u0430\u0441me.com"))
    messages = [p.message for p in check.warnings]
    assert "Seat 1 (ana@\u0430\u0441me.com) looks like ana@acme.com written with Cyrillic" in messages[-1]
    rf = create_customer(ctx, CustomerInput(name="Пример", email_domains="пример.рф"))
    assert check_seat_input(rf, SeatInput("Иван Петров", "иван@пример.рф")).problems == ()


# -- tickets, escalations, defects -----------------------------------------------------------------------------


@pytest.fixture
def ticket(db_path: Path, ctx: Context, fixed_now: datetime) -> int:
    t.Person.create(name="Maya Support", role="support_manager", email="maya@vendor.example")
    t.Person.create(name="Dan Director", role="senior_director", email="dan@vendor.example")
    cid = create_customer(ctx, CustomerInput(name="Acme", time_zone="Europe/Berlin", country="DE"))
    return create_ticket(ctx, TicketInput("SUP-1", cid, "Cluster down", Severity.HIGH, fixed_now - timedelta(hours=2)))


def test_ticket_number_refuses_controls(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    cid = t.Customer.get().id
    data = TicketInput("SUP-2\x1b[2J", cid, "Login fails", Severity.LOW, fixed_now - timedelta(hours=1))
    with pytest.raises(ValidationFailed) as info:
        create_ticket(ctx, data)
    assert info.value.errors == {
        "number": r"Ticket number 'SUP-2\x1b[2J' contains a control character (ESC); remove it."
    }
    assert t.Ticket.select().count() == 1


def test_ticket_subject_notes_and_event_notes_drop_controls(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    cid = t.Customer.get().id
    opened = fixed_now - timedelta(hours=1)
    data = TicketInput(
        "SUP-2", cid, " Login\x1b[31m fails\r\nafter upgrade\x07 ", Severity.LOW, opened, notes="a\x00b\nc"
    )
    tid = create_ticket(ctx, data)
    add_event(ctx, tid, TicketEventKind.RESPONSE, fixed_now, "Sent\x1b]0;x\x07 fix\r\nsteps")
    row = t.Ticket.get_by_id(tid)
    assert (row.subject, row.notes) == ("Login[31m fails after upgrade", "ab\nc")
    assert t.TicketEvent.get(t.TicketEvent.ticket == tid).note == "Sent]0;x fix\nsteps"


def test_escalation_free_text_drops_controls_and_the_requester_refuses_them(ticket: int, ctx: Context) -> None:
    with pytest.raises(ValidationFailed) as info:
        request_escalation(ctx, ticket, EscalationInput("customer", "Ana\x1b[2J", "Down", "Orders stop"))
    assert info.value.errors == {
        "requester_name": r"Requester 'Ana\x1b[2J' contains a control character (ESC); remove it."
    }
    esc = request_escalation(ctx, ticket, EscalationInput("customer", "Ana", "Down\x07\x1b[2J", "Orders\x00 stop"))
    add_note(ctx, esc, "Call\x1b[5m at 10:00\r\nthen mail")
    row = t.Escalation.get_by_id(esc)
    assert (row.reason, row.business_impact) == ("Down[2J", "Orders stop")
    assert t.EscalationEntry.select().order_by(t.EscalationEntry.id.desc()).get().text == "Call[5m at 10:00\nthen mail"


def test_defect_free_text_drops_controls_and_keys_refuse_them(ticket: int, ctx: Context, fixed_now: datetime) -> None:
    defect = report_defect(ctx, ticket, "Crash\x1b[2J on\nsave", "Steps:\x07\n1.\tOpen")
    row = t.Defect.get_by_id(defect)
    assert (row.title, row.description) == ("Crash[2J on save", "Steps:\n1.\tOpen")
    with pytest.raises(FieldError) as by:
        validate_defect(ctx, defect, 1, "Maya\x1b[8m", fixed_now)
    assert str(by.value) == r"Validated by 'Maya\x1b[8m' contains a control character (ESC); remove it."
    validate_defect(ctx, defect, 1, "Maya Support", fixed_now, "repro\x00 ok")
    assert t.Defect.get_by_id(defect).repro_notes == "repro ok"
    with pytest.raises(ValidationFailed) as link:
        escalate_to_engineering(ctx, defect, 2, "ENG-12", "https://eng.example/ENG-12\x1b[2J")
    assert link.value.errors == {
        "engineering_url": r"Link 'https://eng.example/ENG-12\x1b[2J' contains a control character (ESC); remove it."
    }
    log_customer_update(ctx, defect, "Told\x1b[2J them\r\nfix next week")
    assert t.DefectUpdate.get().text == "Told[2J them\nfix next week"
    with pytest.raises(FieldError, match=r"Fix version '2\.4\\x07' contains a control character \(BEL\)"):
        deploy_fix(ctx, defect, 2, "2.4\x07", fixed_now.date())
