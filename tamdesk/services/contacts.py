"""Contacts and stakeholders of a customer: add, edit, mark as left, link to a portal seat; every change audited.

The rules are ``domain.contacts``; role addresses are the list the portal seats use (Settings). A contact's last
contact is never stored: it is the latest timeline entry the contact attended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import peewee as pw

from tamdesk.domain.contacts import (
    ContactDetails,
    ContactRole,
    Influence,
    KnownContact,
    check_contact,
    safe_key,
    tidy,
)
from tamdesk.domain.states import SeatStatus
from tamdesk.domain.text import case_key, clean_text, sort_key
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import (
    Context,
    DomainError,
    FieldError,
    NotFound,
    ValidationFailed,
    record_audit,
    save_versioned,
    tuples,
)
from tamdesk.services.contact_links import link
from tamdesk.services.seats import customer_record, role_local_parts

NOTES_LIMIT = 10_000


@dataclass(frozen=True)
class ContactInput:
    """What the contact dialog, the CLI and the import hand to the service."""

    full_name: str
    email: str = ""
    title: str = ""
    role: ContactRole | str = ContactRole.OTHER
    influence: Influence | str | None = None
    phone: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ContactRow:
    """One contact of a customer, with its seat and its last contact (from the timeline)."""

    id: int
    customer_id: int
    full_name: str
    email: str
    title: str
    role: ContactRole
    influence: Influence | None
    phone: str
    seat_id: int | None
    seat_no: int | None
    left_at: datetime | None
    last_contact_at: datetime | None
    version: int
    notes: str = ""
    seat_status: SeatStatus | None = None

    @property
    def seat_label(self) -> str:
        """``Seat 3``, ``Seat 3 (revoked)``, or "" without a seat."""
        if self.seat_no is None:
            return ""
        revoked = " (revoked)" if self.seat_status is SeatStatus.REVOKED else ""
        return f"Seat {self.seat_no}{revoked}"


# -- reading --------------------------------------------------------------------------------------------------


def list_contacts(customer_id: int, *, include_left: bool = False) -> list[ContactRow]:
    """The customer's contacts by name; those who left only with ``include_left`` (after the others)."""
    customer_record(customer_id)
    query = t.Contact.select().where(t.Contact.customer == customer_id)
    if not include_left:
        query = query.where(t.Contact.left_at.is_null())
    rows = _rows(list(query))
    return sorted(rows, key=lambda r: (r.left_at is not None, sort_key(r.full_name), r.id))


def get_contact(contact_id: int) -> ContactRow:
    """One contact.

    Raises:
        NotFound: the contact was deleted.
    """
    return _rows([_contact(contact_id)])[0]


def _rows(contacts: list[t.Contact]) -> list[ContactRow]:
    ids = [c.id for c in contacts]
    last = last_contacts(ids)
    seat_ids = [c.seat_id for c in contacts if c.seat_id is not None]
    seats: dict[int, tuple[int, str]] = {}
    if seat_ids:
        query = t.PortalSeat.select(t.PortalSeat.id, t.PortalSeat.seat_no, t.PortalSeat.status)
        seats = {sid: (no, status) for sid, no, status in tuples(query.where(t.PortalSeat.id.in_(seat_ids)))}
    rows = []
    for c in contacts:
        seat = seats.get(c.seat_id) if c.seat_id is not None else None
        rows.append(
            ContactRow(
                id=c.id,
                customer_id=c.customer_id,
                full_name=c.full_name,
                email=c.email,
                title=c.title,
                role=_role(c.role),
                influence=Influence(c.influence) if c.influence in Influence._value2member_map_ else None,
                phone=c.phone,
                seat_id=c.seat_id if seat else None,
                seat_no=seat[0] if seat else None,
                left_at=c.left_at,
                last_contact_at=last.get(c.id),
                version=c.version,
                notes=c.notes,
                seat_status=SeatStatus(seat[1]) if seat else None,
            )
        )
    return rows


def _role(value: str) -> ContactRole:
    return ContactRole(value) if value in ContactRole._value2member_map_ else ContactRole.OTHER


def last_contacts(contact_ids: Iterable[int]) -> dict[int, datetime]:
    """Contact id -> the time of the latest timeline entry they attended (absent when they attended none)."""
    ids = list(contact_ids)
    if not ids:
        return {}
    latest = pw.fn.MAX(t.TimelineEntry.at)
    query = (
        t.TimelineAttendee.select(t.TimelineAttendee.contact, latest.alias("last"))
        .join(t.TimelineEntry)
        .where(t.TimelineAttendee.contact.in_(ids))
        .group_by(t.TimelineAttendee.contact)
    )
    found: dict[int, datetime] = {}
    for cid, at in tuples(query):
        # peewee converts MAX() of the column through the column's field; a raw epoch is read the same way
        value = at if isinstance(at, datetime) else t.TimelineEntry.at.python_value(at)
        if value is not None:
            found[cid] = value
    return found


def contact_problems(customer_id: int, data: ContactInput, contact_id: int | None = None) -> dict[str, str]:
    """Field -> message for what is wrong with ``data`` (empty when it would save), for checking as the TAM types.

    Args:
        customer_id: The customer the contact belongs to.
        data: The input as typed.
        contact_id: The contact being edited (None for a new one): it does not clash with itself.
    """
    try:
        _validated(customer_id, data, contact_id)
    except ValidationFailed as exc:
        return exc.errors
    return {}


# -- use cases ------------------------------------------------------------------------------------------------


def add_contact(ctx: Context, customer_id: int, data: ContactInput) -> int:
    """Add a contact to a customer; links it to the customer's held seat with the same mailbox. Returns its id.

    Raises:
        ValidationFailed: field -> message (no name, invalid or role address, same mailbox as another contact …).
        NotFound: the customer was deleted.
    """
    with database.atomic():
        customer = customer_record(customer_id)
        values = _validated(customer.id, data, None)
        seat = _held_seat_for(customer.id, values["mailbox_key"])
        contact = t.Contact.create(customer=customer, created_at=ctx.now(), seat=seat, **values)
        linked = f", linked to seat {seat.seat_no}" if seat else ""
        record_audit(
            ctx,
            entity="contact",
            entity_id=contact.id,
            customer=customer,
            action="create",
            summary=f"Contact {contact.full_name} added" + _role_note(values) + linked,
            after={**values, "seat": seat.id if seat else None},
        )
        return int(contact.id)


def edit_contact(ctx: Context, contact_id: int, expected_version: int, data: ContactInput) -> bool:
    """Change a contact's details; False when nothing changed. A new address that is a held seat's links the contact
    to that seat, unless they hold another.

    Raises:
        ValidationFailed, StaleEdit, NotFound.
    """
    with database.atomic():
        contact = _contact(contact_id)
        values = _validated(contact.customer_id, data, contact.id)
        changes = {name: value for name, value in values.items() if getattr(contact, name) != value}
        if not changes:
            return False  # what was typed is what is stored, whoever saved it
        before = {name: getattr(contact, name) for name in changes}
        save_versioned(contact, expected_version, changes)
        shown = sorted(name for name in changes if name != "mailbox_key")
        record_audit(
            ctx,
            entity="contact",
            entity_id=contact.id,
            customer=contact.customer_id,
            action="update",
            summary=f"Contact {contact.full_name} edited: {', '.join(shown)}",
            before=before,
            after=changes,
        )
        seat = _held_seat_for(contact.customer_id, contact.mailbox_key) if "mailbox_key" in changes else None
        if seat is not None and not _holds_seat(contact):
            link(ctx, contact, seat)  # the new address is a seat holder's
        return True


def _holds_seat(contact: t.Contact) -> bool:
    """The contact is linked to a seat that still counts."""
    if contact.seat_id is None:
        return False
    status = t.PortalSeat.select(t.PortalSeat.status).where(t.PortalSeat.id == contact.seat_id).scalar()
    return status is not None and status != SeatStatus.REVOKED.value


def mark_left(ctx: Context, contact_id: int, expected_version: int, on: date | None) -> None:
    """Record that a contact left the customer on ``on`` (today when None); ``mark_returned`` takes it back.

    Raises:
        FieldError: the date is in the future (field ``on``).
        DomainError: the contact already left. StaleEdit, NotFound.
    """
    with database.atomic():
        contact = _contact(contact_id)
        if contact.left_at is not None:
            raise DomainError(f"{contact.full_name} already left on {_day(contact.left_at)}.")
        left_at = _left_at(ctx, on)
        save_versioned(contact, expected_version, {"left_at": left_at})
        record_audit(
            ctx,
            entity="contact",
            entity_id=contact.id,
            customer=contact.customer_id,
            action="left",
            summary=f"{contact.full_name} left the customer on {_day(left_at)}",
            before={"left_at": None},
            after={"left_at": left_at},
        )


def mark_returned(ctx: Context, contact_id: int, expected_version: int) -> None:
    """Take back a contact's leaving (recorded by mistake, or they came back)."""
    with database.atomic():
        contact = _contact(contact_id)
        if contact.left_at is None:
            raise DomainError(f"{contact.full_name} has not left.")
        before = {"left_at": contact.left_at}
        save_versioned(contact, expected_version, {"left_at": None})
        record_audit(
            ctx,
            entity="contact",
            entity_id=contact.id,
            customer=contact.customer_id,
            action="returned",
            summary=f"{contact.full_name} is with the customer again",
            before=before,
            after={"left_at": None},
        )


def link_seat(ctx: Context, contact_id: int, seat_id: int | None) -> None:
    """Link a contact to one of their customer's portal seats, or unlink it with None.

    Raises:
        DomainError: the seat is another customer's, or already linked to another contact. NotFound.
    """
    with database.atomic():
        contact = _contact(contact_id)
        seat = None
        if seat_id is not None:
            seat = t.PortalSeat.get_or_none(t.PortalSeat.id == seat_id)
            if seat is None:
                raise NotFound(f"Seat #{seat_id} no longer exists.")
            if seat.customer_id != contact.customer_id:
                raise DomainError(f"Seat {seat.seat_no} ({seat.email}) belongs to another customer.")
            other = t.Contact.get_or_none((t.Contact.seat == seat.id) & (t.Contact.id != contact.id))
            if other is not None:
                raise DomainError(f"Seat {seat.seat_no} ({seat.email}) is already linked to {other.full_name}.")
        link(ctx, contact, seat)


@dataclass(frozen=True)
class SeatHoldersAdded:
    """What "Add seat holders as contacts" did: contacts created, existing contacts linked, seats left as they were."""

    created: int
    linked: int
    skipped: tuple[str, ...] = ()  # one sentence per seat holder that could not become a contact, and why

    @property
    def summary(self) -> str:
        """``2 contacts added, 1 linked to their seat``; ``Every seat holder is already a contact``."""
        if not (self.created or self.linked):
            return "Every seat holder is already a contact." if not self.skipped else "No contact added."
        parts = [f"{self.created} contact{'s' if self.created != 1 else ''} added"] if self.created else []
        if self.linked:
            parts.append(f"{self.linked} existing contact{'s' if self.linked != 1 else ''} linked to their seat")
        return ", ".join(parts).capitalize() + "."


def add_seat_holders(ctx: Context, customer_id: int) -> SeatHoldersAdded:
    """Make each holder of a counting seat a contact linked to their seat, once.

    A contact with the seat's mailbox (or its name, when the contact has no address) is linked instead of a new one
    being added; a seat already linked to a contact is left alone.
    """
    with database.atomic():
        customer = customer_record(customer_id)
        linked_seats = {sid for (sid,) in tuples(t.Contact.select(t.Contact.seat).where(t.Contact.seat.is_null(False)))}
        seats = (
            t.PortalSeat.select()
            .where((t.PortalSeat.customer == customer.id) & (t.PortalSeat.status != SeatStatus.REVOKED.value))
            .order_by(t.PortalSeat.seat_no)
        )
        created = linked = 0
        skipped: list[str] = []
        for seat in seats:
            if seat.id in linked_seats:
                continue
            contact = _contact_for_seat(customer.id, seat)
            if contact is not None:
                if contact.seat_id is None or contact.seat_id not in _counting_seat_ids(customer.id):
                    link(ctx, contact, seat)
                    linked += 1
                continue
            data = ContactInput(seat.full_name, seat.email, title=seat.job_title, phone=seat.phone)
            try:
                add_contact(ctx, customer.id, data)
            except ValidationFailed as exc:
                skipped.append(f"Seat {seat.seat_no} ({seat.email}): {exc}")
                continue
            created += 1
        return SeatHoldersAdded(created, linked, tuple(skipped))


def _contact_for_seat(customer_id: int, seat: t.PortalSeat) -> t.Contact | None:
    same_mailbox = (t.Contact.mailbox_key == seat.mailbox_key) & (t.Contact.mailbox_key != "")
    query = t.Contact.select().where((t.Contact.customer == customer_id) & same_mailbox).order_by(t.Contact.id)
    if (found := query.first()) is not None:
        return found
    wanted = case_key(seat.full_name)
    without_address = t.Contact.select().where((t.Contact.customer == customer_id) & (t.Contact.email == ""))
    return next((c for c in without_address.order_by(t.Contact.id) if case_key(c.full_name) == wanted), None)


def _counting_seat_ids(customer_id: int) -> set[int]:
    query = t.PortalSeat.select(t.PortalSeat.id).where(
        (t.PortalSeat.customer == customer_id) & (t.PortalSeat.status != SeatStatus.REVOKED.value)
    )
    return {sid for (sid,) in tuples(query)}


# -- helpers --------------------------------------------------------------------------------------------------


def _validated(customer_id: int, data: ContactInput, contact_id: int | None) -> dict[str, Any]:
    """The stored values of valid input.

    Raises:
        ValidationFailed: field -> message.
    """
    details = tidy(ContactDetails(data.full_name, data.email, data.title, data.phone))
    query = t.Contact.select(t.Contact.id, t.Contact.full_name, t.Contact.email).where(
        (t.Contact.customer == customer_id) & (t.Contact.email != "")
    )
    if contact_id is not None:
        query = query.where(t.Contact.id != contact_id)
    others = [KnownContact(cid, name, email) for cid, name, email in tuples(query)]
    errors = check_contact(details, others, role_local_parts=role_local_parts())
    role, influence = _choice(ContactRole, data.role, "role", errors), None
    if data.influence not in (None, ""):
        influence = _choice(Influence, data.influence, "influence", errors)
    notes = clean_text(data.notes).strip()
    if len(notes) > NOTES_LIMIT:
        errors["notes"] = f"Notes are longer than {NOTES_LIMIT:,} characters."
    if errors:
        raise ValidationFailed(errors)
    return {
        "full_name": details.full_name,
        "email": details.email,
        "mailbox_key": safe_key(details.email),
        "title": details.title,
        "role": role.value if role else ContactRole.OTHER.value,
        "influence": influence.value if influence else "",
        "phone": details.phone,
        "notes": notes,
    }


def _choice(kind: Any, value: object, name: str, errors: dict[str, str]) -> Any:
    if isinstance(value, kind):
        return value
    try:
        return kind.parse(value)
    except ValueError as exc:
        errors[name] = f"{name.capitalize()} {exc}."
        return None


def _held_seat_for(customer_id: int, key: str) -> t.PortalSeat | None:
    """The customer's counting seat with this mailbox that no contact is linked to yet."""
    if not key:
        return None
    linked = t.Contact.select(t.Contact.seat).where(t.Contact.seat.is_null(False))
    return (
        t.PortalSeat.select()
        .where(
            (t.PortalSeat.customer == customer_id)
            & (t.PortalSeat.mailbox_key == key)
            & (t.PortalSeat.status != SeatStatus.REVOKED.value)
            & t.PortalSeat.id.not_in(linked)
        )
        .first()
    )


def _role_note(values: dict[str, Any]) -> str:
    role = ContactRole(values["role"])
    return "" if role is ContactRole.OTHER else f" as {role.label.lower()}"


def _left_at(ctx: Context, on: date | None) -> datetime:
    now = ctx.now()
    today = now.astimezone().date()
    if on is None or on == today:
        return now
    if on > today:
        raise FieldError("on", f"The date {on.isoformat()} is in the future.")
    # Noon UTC reads as the same calendar day in every zone from UTC-11 to UTC+11 (as a seat's revoke date).
    return datetime.combine(on, time(12), UTC)


def _day(at: datetime) -> str:
    local = at.astimezone()
    return f"{local.day} {local:%b %Y}"


def _contact(contact_id: int) -> t.Contact:
    contact = t.Contact.get_or_none(t.Contact.id == contact_id)
    if contact is None:
        raise NotFound(f"Contact #{contact_id} no longer exists.")
    return contact
