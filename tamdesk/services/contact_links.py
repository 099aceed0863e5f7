"""The link between a portal seat and the contact who holds it: a seat holder is linked to their contact, not copied.

Kept apart from ``services.contacts`` so that the seat use cases can link a new seat without importing the contact
use cases (which read the seats' role-address list).
"""

from __future__ import annotations

from tamdesk.models import tables as t
from tamdesk.services.base import Context, record_audit, save_versioned


def link_seat_to_its_contact(ctx: Context, seat: t.PortalSeat) -> int | None:
    """Link a newly requested or re-issued seat to the customer's contact with the same mailbox; the contact's id.

    A contact already linked to a seat that still counts keeps it; a contact who left is not linked again. None when
    no contact matches.
    """
    contact = (
        t.Contact.select()
        .where(
            (t.Contact.customer == seat.customer_id)
            & (t.Contact.mailbox_key == seat.mailbox_key)
            & (t.Contact.mailbox_key != "")
            & t.Contact.left_at.is_null()
        )
        .order_by(t.Contact.id)
        .first()
    )
    if contact is None or contact.seat_id == seat.id:
        return None if contact is None else int(contact.id)
    if contact.seat_id is not None:
        held = t.PortalSeat.get_or_none(t.PortalSeat.id == contact.seat_id)
        if held is not None and held.status != "revoked":
            return None
    link(ctx, contact, seat)
    return int(contact.id)


def link(ctx: Context, contact: t.Contact, seat: t.PortalSeat | None) -> None:
    """Set (or clear, with None) the seat of a contact, with an audit entry; no entry when nothing changes."""
    seat_id = None if seat is None else seat.id
    if contact.seat_id == seat_id:
        return
    before = {"seat": contact.seat_id}
    save_versioned(contact, contact.version, {"seat": seat_id})
    summary = (
        f"{contact.full_name} unlinked from their portal seat"
        if seat is None
        else f"{contact.full_name} linked to seat {seat.seat_no} ({seat.email})"
    )
    record_audit(
        ctx,
        entity="contact",
        entity_id=contact.id,
        customer=contact.customer_id,
        action="link_seat",
        summary=summary,
        before=before,
        after={"seat": seat_id},
    )
