"""Contacts through the service: the rules, optimistic locking, the audit trail, the link to portal seats, the last
contact read from the timeline, and the stakeholders lost that Today shows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tamdesk.domain.contacts import ContactRole, Influence
from tamdesk.models import tables as t
from tamdesk.services.base import Context, DomainError, FieldError, StaleEdit, ValidationFailed
from tamdesk.services.contacts import (
    ContactInput,
    add_contact,
    add_seat_holders,
    edit_contact,
    get_contact,
    link_seat,
    list_contacts,
    mark_left,
    mark_returned,
)
from tamdesk.services.customers import CustomerInput, create_customer
from tamdesk.services.seats import SeatInput, reissue_seat, request_seat, revoke_seat
from tamdesk.services.stakeholder_alerts import Loss, stakeholders_lost
from tamdesk.services.today import Section, needs_attention

TESS = "Tess Tam"
ANA = ContactInput("Ana Ruiz", "ana.ruiz@kestrel.example", "VP Operations", ContactRole.CHAMPION, Influence.HIGH)


@pytest.fixture
def kestrel(db_path: Path, ctx: Context) -> int:
    data = CustomerInput(name="Kestrel", email_domains=("kestrel.example",), tam=TESS, time_zone="Europe/Berlin")
    return create_customer(ctx, data)


@pytest.fixture
def acme(db_path: Path, ctx: Context) -> int:
    return create_customer(ctx, CustomerInput(name="Acme", email_domains=("acme.example",), tam="Omar Other"))


def _audit(entity_id: int) -> list[tuple[str, str, int | None]]:
    query = t.AuditEntry.select().where((t.AuditEntry.entity == "contact") & (t.AuditEntry.entity_id == entity_id))
    return [(e.action, e.summary, e.customer_id) for e in query.order_by(t.AuditEntry.id)]


def test_a_contact_is_added_listed_and_audited(ctx: Context, kestrel: int) -> None:
    contact_id = add_contact(ctx, kestrel, ANA)
    row = get_contact(contact_id)
    assert (row.full_name, row.email, row.title, row.role, row.influence) == (
        "Ana Ruiz", "ana.ruiz@kestrel.example", "VP Operations", ContactRole.CHAMPION, Influence.HIGH
    )  # fmt: skip
    assert (row.seat_no, row.left_at, row.last_contact_at, row.version) == (None, None, None, 1)
    assert [r.id for r in list_contacts(kestrel)] == [contact_id]
    assert _audit(contact_id) == [("create", "Contact Ana Ruiz added as champion", kestrel)]


def test_contacts_list_by_name_and_those_who_left_only_when_asked(ctx: Context, kestrel: int) -> None:
    ids = {name: add_contact(ctx, kestrel, ContactInput(name)) for name in ("Zoe Ng", "Åsa Berg", "Bo Li")}
    mark_left(ctx, ids["Bo Li"], 1, date(2026, 3, 2))
    assert [r.full_name for r in list_contacts(kestrel)] == ["Åsa Berg", "Zoe Ng"]
    assert [r.full_name for r in list_contacts(kestrel, include_left=True)] == ["Åsa Berg", "Zoe Ng", "Bo Li"]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (ContactInput(""), {"full_name": "Give the contact's name."}),
        (ContactInput("Desk", "support@kestrel.example"),
         {"email": "support@kestrel.example is a role or shared address; a contact needs the person's own address."}),
        (ContactInput("Ana R.", "Ana.Ruiz+crm@kestrel.example"),
         {"email": "Ana.Ruiz+crm@kestrel.example is the same mailbox as Ana Ruiz (ana.ruiz@kestrel.example), already "
                   "a contact of this customer."}),
        (ContactInput("Karl", role="boss"),
         {"role": "Role 'boss' is not one of executive sponsor, champion, technical lead, procurement, other."}),
        (ContactInput("Karl", influence="huge"), {"influence": "Influence 'huge' is not one of high, medium, low."}),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_value_and_nothing_is_saved(
    ctx: Context, kestrel: int, data: ContactInput, errors: dict[str, str]
) -> None:
    add_contact(ctx, kestrel, ANA)
    before = (t.Contact.select().count(), t.AuditEntry.select().count())
    with pytest.raises(ValidationFailed) as info:
        add_contact(ctx, kestrel, data)
    assert info.value.errors == errors
    assert (t.Contact.select().count(), t.AuditEntry.select().count()) == before


def test_the_role_list_of_the_settings_applies(ctx: Context, kestrel: int) -> None:
    from tamdesk.services.settings import set_setting

    set_setting(ctx, "role_local_parts", ["ops"])
    assert add_contact(ctx, kestrel, ContactInput("Support Person", "support@kestrel.example"))
    with pytest.raises(ValidationFailed, match="ops@kestrel.example is a role or shared address"):
        add_contact(ctx, kestrel, ContactInput("Ops", "ops@kestrel.example"))


def test_the_same_person_may_be_a_contact_of_two_customers(ctx: Context, kestrel: int, acme: int) -> None:
    add_contact(ctx, kestrel, ANA)
    assert add_contact(ctx, acme, ANA)


def test_an_edit_is_saved_once_and_a_stale_one_refused(ctx: Context, kestrel: int) -> None:
    contact_id = add_contact(ctx, kestrel, ANA)
    changed = ContactInput("Ana Ruiz", "ana.ruiz@kestrel.example", "COO", ContactRole.EXECUTIVE_SPONSOR, "high")
    assert edit_contact(ctx, contact_id, 1, changed) is True
    assert edit_contact(ctx, contact_id, 2, changed) is False, "nothing changed"
    with pytest.raises(StaleEdit):
        edit_contact(ctx, contact_id, 1, ContactInput("Ana Ruiz-Vidal", "ana.ruiz@kestrel.example"))
    row = get_contact(contact_id)
    assert (row.title, row.role, row.version) == ("COO", ContactRole.EXECUTIVE_SPONSOR, 2)
    action, summary, customer = _audit(contact_id)[-1]
    assert (action, summary, customer) == ("update", "Contact Ana Ruiz edited: role, title", kestrel)


def test_an_edit_may_keep_its_own_address(ctx: Context, kestrel: int) -> None:
    contact_id = add_contact(ctx, kestrel, ANA)
    assert edit_contact(ctx, contact_id, 1, ContactInput("Ana Ruiz", "ANA.RUIZ+work@kestrel.example"))


def test_leaving_is_dated_and_can_be_taken_back(ctx: Context, kestrel: int, fixed_now: datetime) -> None:
    contact_id = add_contact(ctx, kestrel, ANA)
    with pytest.raises(FieldError, match="The date 2026-03-11 is in the future") as info:
        mark_left(ctx, contact_id, 1, date(2026, 3, 11))
    assert info.value.field == "on"
    mark_left(ctx, contact_id, 1, date(2026, 3, 3))
    assert get_contact(contact_id).left_at == datetime(2026, 3, 3, 12, tzinfo=UTC)
    with pytest.raises(DomainError, match="Ana Ruiz already left on 3 Mar 2026"):
        mark_left(ctx, contact_id, 2, None)
    mark_returned(ctx, contact_id, 2)
    assert get_contact(contact_id).left_at is None
    assert [a for a, _, _ in _audit(contact_id)] == ["create", "left", "returned"]


def test_a_seat_requested_for_a_contacts_mailbox_is_linked_to_them(ctx: Context, kestrel: int) -> None:
    contact_id = add_contact(ctx, kestrel, ANA)
    seat_id = request_seat(ctx, kestrel, SeatInput("Ana Ruiz", "ana.ruiz+portal@kestrel.example"))
    row = get_contact(contact_id)
    assert (row.seat_id, row.seat_no, row.seat_label) == (seat_id, 1, "Seat 1")
    assert _audit(contact_id)[-1][:2] == ("link_seat", "Ana Ruiz linked to seat 1 (ana.ruiz+portal@kestrel.example)")
    assert t.Contact.select().count() == 1, "the seat holder is linked, not copied"


def test_a_contact_added_for_a_held_seats_mailbox_is_linked_and_a_reissue_links_the_new_holder(
    ctx: Context, kestrel: int, fixed_now: datetime
) -> None:
    seat_id = request_seat(ctx, kestrel, SeatInput("Ana Ruiz", "ana.ruiz@kestrel.example"))
    ana = add_contact(ctx, kestrel, ANA)
    assert get_contact(ana).seat_id == seat_id
    karl = add_contact(ctx, kestrel, ContactInput("Karl Brandt", "karl.brandt@kestrel.example"))
    revoke_seat(ctx, seat_id, t.PortalSeat.get_by_id(seat_id).version, "Left the company")
    assert get_contact(ana).seat_label == "Seat 1 (revoked)", "a revoked seat stays linked: it is their history"
    new_seat = reissue_seat(ctx, seat_id, SeatInput("Karl Brandt", "karl.brandt@kestrel.example"))
    assert get_contact(karl).seat_id == new_seat


def test_an_edited_address_that_is_a_seat_holders_links_the_seat(ctx: Context, kestrel: int) -> None:
    seat = request_seat(ctx, kestrel, SeatInput("Ana Ruiz", "ana@kestrel.example"))
    contact_id = add_contact(ctx, kestrel, ContactInput("Ana Ruiz", "ana.ruiz.private@kestrel.example"))
    assert get_contact(contact_id).seat_id is None
    edit_contact(ctx, contact_id, 1, ContactInput("Ana Ruiz", "Ana@kestrel.example"))
    assert get_contact(contact_id).seat_id == seat


def test_link_seat_checks_whose_seat_it_is(ctx: Context, kestrel: int, acme: int) -> None:
    ana = add_contact(ctx, kestrel, ANA)
    karl = add_contact(ctx, kestrel, ContactInput("Karl Brandt"))
    kestrel_seat = request_seat(ctx, kestrel, SeatInput("Jonas Weber", "jonas.weber@kestrel.example"))
    acme_seat = request_seat(ctx, acme, SeatInput("Mia Chen", "mia.chen@acme.example"))
    with pytest.raises(DomainError, match=r"Seat 1 \(mia.chen@acme.example\) belongs to another customer"):
        link_seat(ctx, ana, acme_seat)
    link_seat(ctx, karl, kestrel_seat)
    with pytest.raises(DomainError, match=r"Seat 1 \(jonas.weber@kestrel.example\) is already linked to Karl Brandt"):
        link_seat(ctx, ana, kestrel_seat)
    link_seat(ctx, karl, None)
    assert get_contact(karl).seat_id is None
    assert [a for a, _, _ in _audit(karl)] == ["create", "link_seat", "link_seat"]


def test_seat_holders_become_contacts_once(ctx: Context, kestrel: int) -> None:
    for name, email in (("Ana Ruiz", "ana.ruiz@kestrel.example"), ("Jonas Weber", "jonas.weber@kestrel.example"),
                        ("Lena Fischer", "lena.fischer@kestrel.example")):  # fmt: skip
        request_seat(ctx, kestrel, SeatInput(name, email, job_title="Engineer"))
    t.Contact.update(seat=None).execute()  # a database from before contacts: seats with no contact
    existing = add_contact(ctx, kestrel, ContactInput("Ana R.", "ANA.RUIZ@kestrel.example", role="champion"))
    t.Contact.update(seat=None).where(t.Contact.id == existing).execute()
    result = add_seat_holders(ctx, kestrel)
    assert (result.created, result.linked, result.summary) == (
        2, 1, "2 contacts added, 1 existing contact linked to their seat."
    )  # fmt: skip
    rows = {r.full_name: r for r in list_contacts(kestrel)}
    assert sorted(rows) == ["Ana R.", "Jonas Weber", "Lena Fischer"]
    assert {name: r.seat_no for name, r in rows.items()} == {"Ana R.": 1, "Jonas Weber": 2, "Lena Fischer": 3}
    assert rows["Jonas Weber"].title == "Engineer"
    again = add_seat_holders(ctx, kestrel)
    assert (again.created, again.linked, again.summary) == (0, 0, "Every seat holder is already a contact.")
    assert t.Contact.select().count() == 3


def _meeting(customer: int, at: datetime, *contacts: int) -> None:
    """A timeline entry as the timeline service writes it (its rows are read directly)."""
    entry = t.TimelineEntry.create(customer=customer, kind="meeting", at=at, title="Sync", created_at=at)
    for contact in contacts:
        t.TimelineAttendee.create(entry=entry, contact=contact)


def test_last_contact_is_the_latest_entry_they_attended(ctx: Context, kestrel: int, fixed_now: datetime) -> None:
    ana = add_contact(ctx, kestrel, ANA)
    karl = add_contact(ctx, kestrel, ContactInput("Karl Brandt"))
    lena = add_contact(ctx, kestrel, ContactInput("Lena Fischer"))
    _meeting(kestrel, fixed_now - timedelta(days=9), ana, karl)
    _meeting(kestrel, fixed_now - timedelta(days=2), ana)
    _meeting(kestrel, fixed_now - timedelta(days=30), karl)
    rows = {r.full_name: r.last_contact_at for r in list_contacts(kestrel)}
    assert rows == {
        "Ana Ruiz": fixed_now - timedelta(days=2),
        "Karl Brandt": fixed_now - timedelta(days=9),
        "Lena Fischer": None,
    }
    assert get_contact(lena).last_contact_at is None


def _version(contact_id: int) -> int:
    return int(t.Contact.get_by_id(contact_id).version)


def test_a_champion_who_left_or_lost_their_seat_is_on_today(
    ctx: Context, kestrel: int, acme: int, fixed_now: datetime
) -> None:
    ana = add_contact(ctx, kestrel, ANA)
    karl = add_contact(ctx, kestrel, ContactInput("Karl Brandt", "karl@kestrel.example", role="executive sponsor"))
    jonas = add_contact(ctx, kestrel, ContactInput("Jonas Weber", role="technical lead"))
    old = add_contact(ctx, kestrel, ContactInput("Old Champion", role="champion"))
    mia = add_contact(ctx, acme, ContactInput("Mia Chen", role="champion"))
    mark_left(ctx, ana, _version(ana), date(2026, 3, 3))
    mark_left(ctx, jonas, _version(jonas), date(2026, 3, 3))  # not a key stakeholder
    mark_left(ctx, old, _version(old), date(2026, 1, 5))  # more than 30 days ago
    mark_left(ctx, mia, _version(mia), date(2026, 3, 9))
    earlier = Context(ctx.actor, clock=lambda: fixed_now - timedelta(days=20))
    seat = request_seat(earlier, kestrel, SeatInput("Karl Brandt", "karl@kestrel.example"))
    assert get_contact(karl).seat_id == seat
    revoke_seat(ctx, seat, t.PortalSeat.get_by_id(seat).version, "Changed role", date(2026, 3, 8))

    everyone = stakeholders_lost(fixed_now)
    assert [(r.full_name, r.loss) for r in everyone] == [
        ("Mia Chen", Loss.LEFT), ("Karl Brandt", Loss.SEAT_REVOKED), ("Ana Ruiz", Loss.LEFT)
    ]  # fmt: skip
    assert [r.message for r in everyone[1:]] == [
        "Karl Brandt, executive sponsor at Kestrel: their portal seat (seat 1) was revoked on 8 Mar 2026",
        "Ana Ruiz, champion at Kestrel, left on 3 Mar 2026",
    ]
    assert everyone[0].target == ("contacts", acme)

    mine = needs_attention(fixed_now, tam=TESS)
    assert [r.full_name for r in mine.stakeholders] == ["Karl Brandt", "Ana Ruiz"], "Acme is Omar's"
    assert mine.counts()[Section.STAKEHOLDERS] == 2
    assert needs_attention(fixed_now, tam=TESS, sections={Section.TICKETS}).stakeholders == ()

    t.Customer.update(archived=True).where(t.Customer.id == acme).execute()
    assert [r.full_name for r in stakeholders_lost(fixed_now)] == ["Karl Brandt", "Ana Ruiz"]


def test_audit_entries_name_the_customer_and_the_values(ctx: Context, kestrel: int) -> None:
    contact_id = add_contact(ctx, kestrel, ANA)
    entry = t.AuditEntry.get((t.AuditEntry.entity == "contact") & (t.AuditEntry.entity_id == contact_id))
    after = json.loads(entry.after)
    assert (entry.actor, entry.customer_id) == ("Tess Tam", kestrel)
    assert (after["email"], after["role"], after["influence"]) == ("ana.ruiz@kestrel.example", "champion", "high")
