"""Follow-ups: the tasks promised on an account. List the open ones (for Today and the command line), and mark one
done, defer it to another business day or give it to another owner; each change is audited and refused when
someone else changed the follow-up since it was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tamdesk.domain.calendar import day_label
from tamdesk.domain.timeline import Owner, check_defer, check_reassign
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import Context, DomainError, NotFound, StaleEdit, record_audit, save_versioned
from tamdesk.services.scope import tam_person_ids
from tamdesk.services.sla import customer_calendar
from tamdesk.services.timeline import check_owner


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    """One follow-up as lists show it."""

    id: int
    version: int
    customer_id: int
    customer: str
    what: str
    owner: str
    owner_person_id: int | None
    owner_contact_id: int | None
    due_on: date
    overdue: bool
    entry_id: int | None
    entry_title: str
    done_at: datetime | None

    @property
    def target(self) -> tuple[str, int]:
        """What Today opens for it: the customer's timeline."""
        return ("timeline", self.customer_id)


@dataclass(frozen=True)
class OwnerChoice:
    """Someone who can own a follow-up of a customer."""

    owner: Owner
    name: str
    detail: str  # "our side" or the contact's title / "contact"


def _row(f: t.FollowUp, today: date) -> FollowUpRow:
    owner = ""
    if f.owner_person is not None:
        owner = f.owner_person.name
    elif f.owner_contact is not None:
        owner = f.owner_contact.full_name
    entry = f.entry if f.entry_id is not None else None
    return FollowUpRow(
        f.id, f.version, f.customer_id, f.customer.name, f.what, owner, f.owner_person_id, f.owner_contact_id,
        f.due_on, f.done_at is None and f.due_on < today, f.entry_id, (entry.title or entry.kind.capitalize())
        if entry else "", f.done_at,
    )  # fmt: skip


def open_follow_ups(
    today: date,
    *,
    tam: str | None = None,
    customer_id: int | None = None,
    due_by: date | None = None,
) -> list[FollowUpRow]:
    """Follow-ups not done, soonest due first: of every customer not archived (``tam`` None), of the customers whose
    TAM is named ``tam``, or of one customer; with ``due_by``, only those due by that day (overdue included)."""
    query = (
        t.FollowUp.select(t.FollowUp, t.Customer)
        .join(t.Customer)
        .where(t.FollowUp.done_at.is_null() & ~t.Customer.archived)
    )
    if tam is not None:
        query = query.where(t.Customer.tam.in_(tam_person_ids(tam) or [-1]))
    if customer_id is not None:
        query = query.where(t.FollowUp.customer == customer_id)
    if due_by is not None:
        query = query.where(t.FollowUp.due_on <= due_by)
    rows = [_row(f, today) for f in query.order_by(t.FollowUp.due_on, t.FollowUp.id)]
    return sorted(rows, key=lambda r: (r.due_on, r.customer.casefold(), r.id))


def get_follow_up(follow_up_id: int, today: date) -> FollowUpRow:
    return _row(_follow_up(follow_up_id), today)


def _follow_up(follow_up_id: int) -> t.FollowUp:
    row = t.FollowUp.get_or_none(t.FollowUp.id == follow_up_id)
    if row is None:
        raise NotFound(f"Follow-up #{follow_up_id} no longer exists.")
    return row


def _check_version(row: t.FollowUp, expected_version: int) -> None:
    if row.version != expected_version:
        raise StaleEdit("follow-up", row.__data__)


def complete(ctx: Context, follow_up_id: int, expected_version: int) -> str:
    """Mark a follow-up done.

    Raises:
        DomainError: it is done already.
        StaleEdit: someone changed it since it was read.
    """
    with database.atomic():
        row = _follow_up(follow_up_id)
        _check_version(row, expected_version)
        if row.done_at is not None:
            raise DomainError(f"“{row.what}” is already done.")
        save_versioned(row, expected_version, {"done_at": ctx.now(), "done_by": ctx.actor})
        record_audit(
            ctx, entity="follow_up", entity_id=row.id, action="done", customer=row.customer_id,
            summary=f"Follow-up done: {row.what}", before={"done_at": None}, after={"done_at": row.done_at},
        )  # fmt: skip
    return f"Done: {row.what}."


def defer(ctx: Context, follow_up_id: int, expected_version: int, to: date) -> str:
    """Move a follow-up's due date to ``to`` (the next business day of the customer's calendar when ``to`` is not
    one); the summary says where it landed and warns when that is in the past.

    Raises:
        DomainError: it is done, or already due on that day.
        StaleEdit: someone changed it since it was read.
    """
    with database.atomic():
        row = _follow_up(follow_up_id)
        _check_version(row, expected_version)
        if row.done_at is not None:
            raise DomainError(f"“{row.what}” is done; a done follow-up is not deferred.")
        customer = row.customer
        today = ctx.now().astimezone(ZoneInfo(customer.time_zone)).date()
        try:
            checked = check_defer(row.due_on, to, today, customer_calendar(customer), customer.name)
        except ValueError as exc:
            raise DomainError(str(exc)) from None
        before = row.due_on
        save_versioned(row, expected_version, {"due_on": checked.due_on})
        record_audit(
            ctx, entity="follow_up", entity_id=row.id, action="defer", customer=customer,
            summary=f"Follow-up deferred to {day_label(checked.due_on)}: {row.what}",
            before={"due_on": before}, after={"due_on": checked.due_on},
        )  # fmt: skip
    return " ".join([f"“{row.what}” is now due on {day_label(checked.due_on)}.", *checked.messages])


def owner_choices(customer_id: int) -> list[OwnerChoice]:
    """Who can own a follow-up of the customer: the active people of our side, then the customer's contacts."""
    people = [
        OwnerChoice(Owner(person_id=p.id), p.name, "our side")
        for p in t.Person.select().where(t.Person.active).order_by(t.Person.name)
    ]
    contacts = [
        OwnerChoice(Owner(contact_id=c.id), c.full_name, c.title or "contact")
        for c in t.Contact.select()
        .where((t.Contact.customer == customer_id) & t.Contact.left_at.is_null())
        .order_by(t.Contact.full_name)
    ]
    return people + contacts


def reassign(ctx: Context, follow_up_id: int, expected_version: int, owner: Owner) -> str:
    """Give a follow-up to another owner (a person of our side or a contact of the customer).

    Raises:
        DomainError: the owner is unknown, not a contact of the customer, or owns it already.
        StaleEdit: someone changed it since it was read.
    """
    with database.atomic():
        row = _follow_up(follow_up_id)
        _check_version(row, expected_version)
        customer = row.customer
        if problem := check_owner(customer, owner.person_id, owner.contact_id, "Reassign"):
            raise DomainError(problem)
        current = _row(row, ctx.now().date())
        new_name = (
            t.Person.get_by_id(owner.person_id).name
            if owner.person_id is not None
            else t.Contact.get_by_id(owner.contact_id).full_name
        )
        if current.owner_person_id is not None or current.owner_contact_id is not None:
            try:
                check_reassign(Owner(current.owner_person_id, current.owner_contact_id), owner, new_name)
            except ValueError as exc:
                raise DomainError(str(exc)) from None
        save_versioned(row, expected_version, {"owner_person": owner.person_id, "owner_contact": owner.contact_id})
        record_audit(
            ctx, entity="follow_up", entity_id=row.id, action="reassign", customer=customer,
            summary=f"Follow-up reassigned to {new_name}: {row.what}",
            before={"owner": current.owner}, after={"owner": new_name},
        )  # fmt: skip
    return f"“{row.what}” is now {new_name}'s."
