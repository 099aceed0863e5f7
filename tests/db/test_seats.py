"""Portal seats through the service: every rule, the state machine, revoke and re-issue, history, checklist."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.seats import Level, SeatField
from tamdesk.domain.states import SeatStatus
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, FieldError, StaleEdit, ValidationFailed
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.onboarding import AUTOMATIC, checklist
from tamdesk.services.seats import (
    SeatInput,
    SeatRejected,
    check_seat_input,
    confirm_welcome,
    edit_seat,
    grant_seat,
    reissue_seat,
    request_seat,
    revoke_seat,
    seat_overview,
    undo_revoke,
)
from tamdesk.services.settings import set_setting

TODAY = date(2026, 3, 10)
ANA = SeatInput("Ana Silva", "ana@acme.com", "Data engineer", "+49 30 1234")


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", email_domains=["acme.com"], onboarding_started=TODAY))


@pytest.fixture
def ana(acme: int, ctx: Context) -> int:
    return request_seat(ctx, acme, ANA)


def _version(seat_id: int) -> int:
    return t.PortalSeat.get_by_id(seat_id).version


def _fill(ctx: Context, customer: int, n: int) -> list[int]:
    return [request_seat(ctx, customer, SeatInput(f"Person {i}", f"person{i}@acme.com")) for i in range(1, n + 1)]


def _rejected(ctx: Context, customer: int, data: SeatInput, **kwargs: bool) -> SeatRejected:
    before = t.PortalSeat.select().count()
    with pytest.raises(SeatRejected) as info:
        request_seat(ctx, customer, data, **kwargs)
    assert t.PortalSeat.select().count() == before
    return info.value


def test_request_takes_the_next_seat_and_is_audited(ana: int, acme: int, ctx: Context, fixed_now: datetime) -> None:
    seat = seat_overview(acme).seats[0]
    assert (seat.id, seat.seat_no, seat.status, seat.requested_at) == (ana, 1, SeatStatus.REQUESTED, fixed_now)
    assert (seat.full_name, seat.email, seat.job_title, seat.phone) == tuple(ANA.__dict__.values())
    audit = t.AuditEntry.get(t.AuditEntry.entity == "portal_seat")
    assert (audit.actor, audit.customer_id, audit.summary) == (
        "Tess Tam",
        acme,
        "Seat 1 requested for Ana Silva (ana@acme.com)",
    )
    assert t.PortalSeat.get_by_id(ana).mailbox_key == "ana@acme.com"


def test_input_is_trimmed_and_the_domain_normalized(acme: int, ctx: Context) -> None:
    seat_id = request_seat(ctx, acme, SeatInput("  Bruno   Costa ", "  Bruno.Costa@ACME.com  ", " CTO ", " 12 "))
    seat = t.PortalSeat.get_by_id(seat_id)
    assert (seat.full_name, seat.email, seat.job_title, seat.phone) == (
        "Bruno Costa",
        "Bruno.Costa@acme.com",
        "CTO",
        "12",
    )


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("ANA@ACME.COM", "ANA@acme.com"),
        ("ana+portal@acme.com", "ana+portal@acme.com"),
        (" Ana+x@Acme.com ", "Ana+x@acme.com"),
    ],
)
def test_same_mailbox_is_refused(ana: int, acme: int, ctx: Context, email: str, shown: str) -> None:
    error = _rejected(ctx, acme, SeatInput("Someone Else", email), accept_warnings=True)
    assert str(error) == f"Seat 2 ({shown}) is the same mailbox as seat 1 (ana@acme.com)."
    assert error.check.errors[0].field is SeatField.EMAIL


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ana.silva@gmail.com", "AnaSilva@gmail.com"),
        ("ana.silva@gmail.com", "a.n.a.silva+x@googlemail.com"),
        ("anasilva@googlemail.com", "ana.silva@gmail.com"),
    ],
)
def test_gmail_dots_and_googlemail_are_one_mailbox(acme: int, ctx: Context, first: str, second: str) -> None:
    request_seat(ctx, acme, SeatInput("Ana Silva", first), accept_warnings=True)
    error = _rejected(ctx, acme, SeatInput("Ana Gmail", second), accept_warnings=True)
    assert f"is the same mailbox as seat 1 ({first})" in str(error)


@pytest.mark.parametrize("email", ["support@acme.com", "Admin@acme.com", "info+x@acme.com", "noreply@acme.com"])
def test_role_address_is_refused(acme: int, ctx: Context, email: str) -> None:
    error = _rejected(ctx, acme, SeatInput("Help Desk", email), accept_warnings=True)
    assert "is a role or distribution address" in str(error)


def test_role_list_comes_from_settings(acme: int, ctx: Context) -> None:
    assert check_seat_input(acme, SeatInput("Sup Port", "support@acme.com")).errors
    assert not check_seat_input(acme, SeatInput("Pager", "oncall@acme.com")).errors
    set_setting(ctx, "role_local_parts", ["oncall"])
    assert check_seat_input(acme, SeatInput("Pager", "oncall@acme.com")).errors
    assert not check_seat_input(acme, SeatInput("Sup Port", "support@acme.com")).errors


@pytest.mark.parametrize("email", ["ana@", "ana at acme.com", "ana@acme", "", "ana@@acme.com"])
def test_invalid_address_is_refused(acme: int, ctx: Context, email: str) -> None:
    error = _rejected(ctx, acme, SeatInput("Ana Silva", email), accept_warnings=True)
    assert error.check.errors[0].field is SeatField.EMAIL
    assert str(error).endswith(".") and not str(error).endswith("..")  # the validator's reason has its own stop


def test_allowance_full_is_refused(acme: int, ctx: Context) -> None:
    _fill(ctx, acme, 5)
    error = _rejected(ctx, acme, SeatInput("Sixth Person", "six@acme.com"), accept_warnings=True)
    assert str(error) == "New seat (six@acme.com) would exceed the allowance: all 5 seats are in use; revoke one first."
    assert seat_overview(acme).free == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SeatInput("ana silva", "asilva@acme.com"), "has the same full name, ana silva, as seat 1 (ana@acme.com)"),
        (SeatInput("Noor Haddad", "noor@example.org"), "example.org is not one of the customer's domains (acme.com)"),
    ],
)
def test_warnings_need_confirmation(ana: int, acme: int, ctx: Context, data: SeatInput, message: str) -> None:
    error = _rejected(ctx, acme, data)
    assert not error.check.errors
    assert message in error.check.warnings[0].message
    assert str(error).endswith("Confirm to continue anyway.")
    seat_id = request_seat(ctx, acme, data, accept_warnings=True)
    audit = t.AuditEntry.select().where(t.AuditEntry.entity_id == seat_id).get()
    assert "Accepted warnings: " in audit.summary and message in audit.summary


def test_seated_at_another_customer_is_a_warning(ana: int, ctx: Context) -> None:
    globex = create_customer(ctx, CustomerInput(name="Globex"))
    error = _rejected(ctx, globex, SeatInput("Ana Silva", "Ana+globex@ACME.com"))
    assert [p.message for p in error.check.warnings] == [
        "Seat 1 (Ana+globex@acme.com) is the same mailbox as seat 1 (ana@acme.com) at Acme"
    ]
    request_seat(ctx, globex, SeatInput("Ana Silva", "Ana+globex@ACME.com"), accept_warnings=True)


def test_revoked_seat_elsewhere_is_no_warning(ana: int, ctx: Context) -> None:
    revoke_seat(ctx, ana, _version(ana), "Left Acme")
    globex = create_customer(ctx, CustomerInput(name="Globex"))
    request_seat(ctx, globex, SeatInput("Ana Silva", "ana@acme.com"))


def test_idn_and_unicode_names(acme: int, ctx: Context) -> None:
    müller = create_customer(ctx, CustomerInput(name="Müller GmbH", email_domains="müller.de"))
    seat_id = request_seat(ctx, müller, SeatInput("Jürgen Müller-Łukasz", "jürgen@XN--MLLER-KVA.de"))
    seat = t.PortalSeat.get_by_id(seat_id)
    assert (seat.full_name, seat.email) == ("Jürgen Müller-Łukasz", "jürgen@müller.de")
    assert check_seat_input(müller, SeatInput("Zoë", "zoe@müller.de")).problems == ()


def test_overlong_fields_are_refused(acme: int, ctx: Context) -> None:
    with pytest.raises(ValidationFailed) as info:
        request_seat(ctx, acme, SeatInput("A" * 201, "a@acme.com", phone="1" * 51))
    assert set(info.value.errors) == {"full_name", "phone"}


def test_check_seat_input_for_the_dialog(ana: int, acme: int) -> None:
    assert check_seat_input(acme, ANA, seat_id=ana).problems == ()  # editing a seat never clashes with itself
    clash = check_seat_input(acme, SeatInput("Ana", "ana+1@acme.com"))
    assert (clash.seat_no, clash.errors[0].level) == (2, Level.ERROR)


def test_grant_confirm_and_onboarding_steps_complete(ana: int, acme: int, ctx: Context, fixed_now: datetime) -> None:
    t.Customer.update(seat_allowance=1).where(t.Customer.id == acme).execute()  # Ana is every designated user
    grant_seat(ctx, ana, _version(ana))
    steps = {s.title: s for s in checklist(acme, TODAY).steps}
    assert steps["Portal access granted"].done_by == AUTOMATIC
    assert steps["Welcome emails confirmed by each user"].done_at is None
    confirm_welcome(ctx, ana, _version(ana))
    seat = seat_overview(acme).seats[0]
    assert (seat.status, seat.granted_at, seat.welcome_confirmed_at) == (SeatStatus.ACTIVE, fixed_now, fixed_now)
    steps = {s.title: s for s in checklist(acme, TODAY).steps}
    assert steps["Welcome emails confirmed by each user"].done_at == fixed_now
    summaries = [a.summary for a in t.AuditEntry.select().where(t.AuditEntry.entity == "portal_seat")]
    assert summaries[1:] == [
        "Seat 1 (ana@acme.com) granted portal access",
        "Seat 1 (ana@acme.com) active: welcome email confirmed",
    ]


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        ([], confirm_welcome, "Seat 1 (ana@acme.com) has no portal access yet; grant it before confirming"),
        ([grant_seat], grant_seat, "Seat 1 (ana@acme.com) already has portal access (it is granted)."),
        ([grant_seat, confirm_welcome], confirm_welcome, "Seat 1 (ana@acme.com) already confirmed the welcome email."),
        (["revoke"], grant_seat, "Seat 1 (ana@acme.com) was revoked; re-issue the slot instead of granting it."),
        (["revoke"], confirm_welcome, "Seat 1 (ana@acme.com) was revoked; its welcome email can no longer be"),
    ],
)
def test_illegal_transitions(ana: int, ctx: Context, setup: list, action, message: str) -> None:
    for step in setup:
        if step == "revoke":
            revoke_seat(ctx, ana, _version(ana), "Left")
        else:
            step(ctx, ana, _version(ana))
    version = _version(ana)
    with pytest.raises(DomainError) as info:
        action(ctx, ana, version)
    assert str(info.value).startswith(message)
    assert _version(ana) == version


def test_revoke_needs_a_reason_and_frees_the_slot(acme: int, ctx: Context, fixed_now: datetime) -> None:
    ids = _fill(ctx, acme, 5)
    with pytest.raises(FieldError) as info:
        revoke_seat(ctx, ids[2], _version(ids[2]), "   ")
    assert info.value.field == "reason"
    revoke_seat(ctx, ids[2], _version(ids[2]), " Left the company ")
    overview = seat_overview(acme)
    assert (overview.used, overview.free, [s.seat_no for s in overview.seats]) == (4, 1, [1, 2, 4, 5])
    gone = overview.history[0]
    assert (gone.full_name, gone.status, gone.revoked_at, gone.revoke_reason) == (
        "Person 3",
        SeatStatus.REVOKED,
        fixed_now,
        "Left the company",
    )
    with pytest.raises(DomainError, match="is already revoked"):
        revoke_seat(ctx, ids[2], _version(ids[2]), "again")
    with pytest.raises(DomainError, match="was revoked; re-issue the slot"):
        edit_seat(ctx, ids[2], _version(ids[2]), SeatInput("Person 3", "person3@acme.com"))
    # the freed slot goes to the next request, with seat number 3
    assert t.PortalSeat.get_by_id(request_seat(ctx, acme, SeatInput("New Person", "new@acme.com"))).seat_no == 3


def test_revoke_on_a_past_date(ana: int, acme: int, ctx: Context, fixed_now: datetime) -> None:
    with pytest.raises(FieldError) as info:
        revoke_seat(ctx, ana, _version(ana), "Left", on=TODAY + timedelta(days=1))
    assert info.value.field == "on"
    with pytest.raises(FieldError):
        revoke_seat(ctx, ana, _version(ana), "Left", on=TODAY - timedelta(days=1))  # before the request
    t.PortalSeat.update(requested_at=fixed_now - timedelta(days=30)).execute()
    revoke_seat(ctx, ana, _version(ana), "Left", on=date(2026, 3, 1))
    assert seat_overview(acme).history[0].revoked_at == datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_reissue_keeps_the_seat_number_and_the_history(acme: int, ctx: Context) -> None:
    ids = _fill(ctx, acme, 5)
    revoke_seat(ctx, ids[1], _version(ids[1]), "Moved to another team")
    with pytest.raises(DomainError, match="is still held; revoke it before re-issuing"):
        reissue_seat(ctx, ids[0], SeatInput("Noor Haddad", "noor@acme.com"))
    new_id = reissue_seat(ctx, ids[1], SeatInput("Noor Haddad", "noor@acme.com"))
    overview = seat_overview(acme)
    assert [(s.seat_no, s.full_name) for s in overview.seats][:2] == [(1, "Person 1"), (2, "Noor Haddad")]
    assert [s.full_name for s in overview.history] == ["Person 2"]
    audit = t.AuditEntry.select().where(t.AuditEntry.entity_id == new_id, t.AuditEntry.action == "reissue").get()
    assert audit.summary == "Seat 2 re-issued to Noor Haddad (noor@acme.com), replacing Person 2 (person2@acme.com)"


def test_live_check_of_a_reissue_shows_its_seat_number(acme: int, ctx: Context) -> None:
    ids = _fill(ctx, acme, 5)
    revoke_seat(ctx, ids[1], _version(ids[1]), "Left")
    check = check_seat_input(acme, SeatInput("Noor Haddad", "noor@acme.com"), seat_id=ids[1])
    assert (check.seat_no, check.problems) == (2, ())
    clash = check_seat_input(acme, SeatInput("Noor Haddad", "person1+x@acme.com"), seat_id=ids[1])
    assert clash.errors[0].message == "Seat 2 (person1+x@acme.com) is the same mailbox as seat 1 (person1@acme.com)"


def test_reissue_takes_another_slot_when_its_number_was_taken(acme: int, ctx: Context) -> None:
    ids = _fill(ctx, acme, 3)
    revoke_seat(ctx, ids[1], _version(ids[1]), "Left")
    request_seat(ctx, acme, SeatInput("Quick Taker", "quick@acme.com"))  # takes seat 2
    new_id = reissue_seat(ctx, ids[1], SeatInput("Noor Haddad", "noor@acme.com"))
    assert t.PortalSeat.get_by_id(new_id).seat_no == 4


def test_reissue_refuses_the_revoked_person_s_rules_too(acme: int, ctx: Context) -> None:
    ids = _fill(ctx, acme, 2)
    revoke_seat(ctx, ids[1], _version(ids[1]), "Left")
    with pytest.raises(SeatRejected, match="same mailbox as seat 1"):
        reissue_seat(ctx, ids[1], SeatInput("Person One Again", "person1+b@acme.com"))


def test_edit_corrects_details_and_a_new_mailbox_needs_new_access(ana: int, acme: int, ctx: Context) -> None:
    grant_seat(ctx, ana, _version(ana))
    edit_seat(ctx, ana, _version(ana), SeatInput("Ana Silva", "ANA@acme.com", "Head of data", ""))
    seat = seat_overview(acme).seats[0]
    assert (seat.email, seat.job_title, seat.status) == ("ANA@acme.com", "Head of data", SeatStatus.GRANTED)
    edit_seat(ctx, ana, _version(ana), SeatInput("Ana Silva", "ana.silva@acme.com"))
    seat = seat_overview(acme).seats[0]
    assert (seat.email, seat.status, seat.granted_at) == ("ana.silva@acme.com", SeatStatus.REQUESTED, None)
    assert t.PortalSeat.get_by_id(ana).mailbox_key == "ana.silva@acme.com"
    last = t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get()
    assert "back to requested" in last.summary


def test_edit_is_checked_against_the_other_seats(ana: int, acme: int, ctx: Context) -> None:
    bruno = request_seat(ctx, acme, SeatInput("Bruno Costa", "bruno@acme.com"))
    with pytest.raises(SeatRejected, match=r"Seat 2 \(ana\+b@acme.com\) is the same mailbox as seat 1"):
        edit_seat(ctx, bruno, _version(bruno), SeatInput("Bruno Costa", "ana+b@acme.com"))


def test_stale_edit_is_refused(ana: int, ctx: Context) -> None:
    version = _version(ana)
    edit_seat(ctx, ana, version, SeatInput("Ana Silva", "ana@acme.com", "CTO"))
    with pytest.raises(StaleEdit):
        edit_seat(ctx, ana, version, SeatInput("Ana Silva", "ana@acme.com", "CEO"))
    with pytest.raises(StaleEdit):
        grant_seat(ctx, ana, version)
    with pytest.raises(StaleEdit):
        revoke_seat(ctx, ana, version, "Left")
    assert t.PortalSeat.get_by_id(ana).job_title == "CTO"


def test_formula_like_names_are_stored_as_typed(acme: int, ctx: Context) -> None:
    names = ['=HYPERLINK("x")', "+Plus Person", "-Minus Person", "@At Person"]
    for i, name in enumerate(names):
        request_seat(ctx, acme, SeatInput(name, f"p{i}@acme.com"))
    assert [s.full_name for s in seat_overview(acme).seats] == names


def test_a_revoke_can_be_undone_while_the_slot_is_free(ana: int, acme: int, ctx: Context) -> None:
    grant_seat(ctx, ana, _version(ana))
    revoke_seat(ctx, ana, _version(ana), "Left the company")
    undo_revoke(ctx, ana, _version(ana))
    seat = seat_overview(acme).seats[0]
    assert (seat.status, seat.revoked_at, seat.revoke_reason) == (SeatStatus.GRANTED, None, "")
    audit = t.AuditEntry.select().order_by(t.AuditEntry.id.desc()).get()
    assert audit.summary == "Seat 1 (ana@acme.com) granted portal access again: revoke undone"
    with pytest.raises(DomainError, match="is not revoked"):
        undo_revoke(ctx, ana, _version(ana))


def test_undo_revoke_refused_once_the_slot_is_reissued(ana: int, acme: int, ctx: Context) -> None:
    revoke_seat(ctx, ana, _version(ana), "Left")
    reissue_seat(ctx, ana, SeatInput("Bo Chen", "bo@acme.com"))
    t.Customer.update(seat_allowance=1).where(t.Customer.id == acme).execute()
    with pytest.raises(DomainError) as info:
        undo_revoke(ctx, ana, _version(ana))
    assert str(info.value) == (
        "Seat 1 was re-issued to Bo Chen (bo@acme.com) since; revoke that seat first to bring back ana@acme.com."
    )
    assert seat_overview(acme).history[0].id == ana


def test_undo_revoke_refused_once_every_seat_is_taken(ana: int, acme: int, ctx: Context) -> None:
    _fill(ctx, acme, 2)
    revoke_seat(ctx, ana, _version(ana), "Left")
    t.Customer.update(seat_allowance=2).where(t.Customer.id == acme).execute()  # seat 1 is free, yet no room
    with pytest.raises(DomainError) as info:
        undo_revoke(ctx, ana, _version(ana))
    assert str(info.value) == (
        "Since seat 1 was revoked, all 2 seats are in use; revoke one first to bring back ana@acme.com."
    )
