"""An account's timeline: log, edit and delete the TAM's meetings, calls, emails and notes with their attendees,
links and follow-ups, read the merged timeline of a customer, and email a meeting's recap.

Each write is one transaction with its audit entries (entity ``timeline_entry`` and ``follow_up``): a bad
attendee, owner or link refuses the whole entry, so nothing is ever saved half. Events of tickets, escalations,
defects, seats and onboarding come from their own tables (``services.timeline_events``), never copied here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tamdesk.domain.calendar import day_label
from tamdesk.domain.text import clean_line, clean_text
from tamdesk.domain.timeline import (
    EntryKind,
    ItemSource,
    TimelineItem,
    check_due,
    check_filter_keys,
    plural,
    select_items,
)
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.secrets import SecretPrompt, SecretStore
from tamdesk.services.base import Context, DomainError, NotFound, ValidationFailed, record_audit, save_versioned
from tamdesk.services.email import OutgoingEmail, SmtpSettings, send_email
from tamdesk.services.escalations import EmailDraft
from tamdesk.services.sla import customer_calendar
from tamdesk.services.timeline_events import entry_items, event_items

MAX_TITLE = 200


@dataclass(frozen=True)
class FollowUpInput:
    """A task promised in an entry: what, who (a person of our side or a contact of the customer), by when."""

    what: str
    due_on: date
    owner_person_id: int | None = None
    owner_contact_id: int | None = None


@dataclass(frozen=True)
class EntryInput:
    """What the entry form (or the command line) hands to the service."""

    kind: EntryKind | str
    at: datetime
    title: str = ""
    body: str = ""
    attendee_contact_ids: Sequence[int] = ()
    attendee_person_ids: Sequence[int] = ()
    ticket_ids: Sequence[int] = ()
    escalation_ids: Sequence[int] = ()
    defect_ids: Sequence[int] = ()
    follow_ups: Sequence[FollowUpInput] = ()


@dataclass(frozen=True)
class SavedEntry:
    """A saved entry and what the TAM should know about it (a due date moved to a business day, one in the past)."""

    id: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntryDetail:
    """An entry as the form edits it."""

    id: int
    version: int
    customer_id: int
    customer: str
    input: EntryInput
    author: str
    recap_sent_at: datetime | None
    follow_up_ids: tuple[int, ...] = field(default=())


# -- checking ---------------------------------------------------------------------------------------------------


def _customer(customer_id: int) -> t.Customer:
    customer = t.Customer.get_or_none(t.Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer #{customer_id} no longer exists.")
    return customer


def _ids(values: Sequence[int]) -> list[int]:
    return list(dict.fromkeys(int(v) for v in values))


def _check_attendees(customer: t.Customer, data: EntryInput, errors: dict[str, str]) -> None:
    for cid in _ids(data.attendee_contact_ids):
        contact = t.Contact.get_or_none(t.Contact.id == cid)
        if contact is None:
            errors.setdefault("attendees", f"Attendee contact #{cid} does not exist.")
        elif contact.customer_id != customer.id:
            errors.setdefault(
                "attendees",
                f"Attendee {contact.full_name} is not a contact of {customer.name}; add them as a contact first.",
            )
    for pid in _ids(data.attendee_person_ids):
        if t.Person.get_or_none(t.Person.id == pid) is None:
            errors.setdefault("attendees", f"Attendee #{pid} is not in the people directory.")


def _ticket_customers(ticket_ids: Collection[int]) -> set[int]:
    if not ticket_ids:
        return set()
    query = t.Ticket.select(t.Ticket.customer).where(t.Ticket.id.in_(list(ticket_ids)))
    return {row.customer_id for row in query}


def _check_links(customer: t.Customer, data: EntryInput, errors: dict[str, str]) -> None:
    for tid in _ids(data.ticket_ids):
        ticket = t.Ticket.get_or_none(t.Ticket.id == tid)
        if ticket is None or ticket.customer_id != customer.id:
            name = f"Ticket {ticket.number}" if ticket else f"Ticket #{tid}"
            errors.setdefault("links", f"{name} is not a ticket of {customer.name}.")
    for eid in _ids(data.escalation_ids):
        esc = t.Escalation.get_or_none(t.Escalation.id == eid)
        if esc is None or esc.ticket.customer_id != customer.id:
            errors.setdefault("links", f"Escalation #{eid} is not an escalation of {customer.name}.")
    for did in _ids(data.defect_ids):
        links = t.DefectTicket.select(t.DefectTicket.ticket).where(t.DefectTicket.defect == did)
        if customer.id not in _ticket_customers([row.ticket_id for row in links]):
            errors.setdefault("links", f"Defect #{did} is not linked to a ticket of {customer.name}.")


def _owner_name(person_id: int | None, contact_id: int | None) -> str:
    if person_id is not None:
        person = t.Person.get_or_none(t.Person.id == person_id)
        return person.name if person else ""
    contact = t.Contact.get_or_none(t.Contact.id == contact_id)
    return contact.full_name if contact else ""


def check_owner(customer: t.Customer, person_id: int | None, contact_id: int | None, label: str) -> str | None:
    """Why the owner cannot own a follow-up of ``customer`` (None when they can)."""
    if (person_id is None) == (contact_id is None):
        return f"{label}: choose one owner, a person of our side or a contact of {customer.name}."
    if person_id is not None and t.Person.get_or_none(t.Person.id == person_id) is None:
        return f"{label}: the owner #{person_id} is not in the people directory."
    if contact_id is not None:
        contact = t.Contact.get_or_none(t.Contact.id == contact_id)
        if contact is None or contact.customer_id != customer.id:
            return f"{label}: the owner is not a contact of {customer.name}."
    return None


def _check_follow_ups(customer: t.Customer, data: EntryInput, errors: dict[str, str]) -> None:
    for n, item in enumerate(data.follow_ups, start=1):
        key, label = f"follow_up_{n}", f"Follow-up {n}"
        if not clean_line(item.what):
            errors[key] = f"{label}: say what is to be done."
        elif problem := check_owner(customer, item.owner_person_id, item.owner_contact_id, label):
            errors[key] = problem


def _check(customer: t.Customer, data: EntryInput) -> EntryInput:
    """``data`` cleaned, or every problem at once.

    Raises:
        ValidationFailed: one sentence per field (kind, time, title, body, attendees, links, each follow-up).
    """
    errors: dict[str, str] = {}
    kind: EntryKind | str = data.kind
    try:
        kind = EntryKind.parse(data.kind)
    except ValueError as exc:
        errors["kind"] = str(exc)
    if data.at is None or data.at.tzinfo is None:
        errors["at"] = "Say when it happened (a date and time)."
    title, body = clean_line(data.title), clean_text(data.body).strip("\n")
    if len(title) > MAX_TITLE:
        errors["title"] = f"The title has {len(title)} characters; keep it to {MAX_TITLE}."
    if kind is EntryKind.NOTE and not body.strip():
        errors["body"] = "A note needs some text."
    elif not body.strip() and not title:
        errors["body"] = f"A {kind.value if isinstance(kind, EntryKind) else 'entry'} needs a title or some text."
    _check_attendees(customer, data, errors)
    _check_links(customer, data, errors)
    _check_follow_ups(customer, data, errors)
    if errors:
        raise ValidationFailed(errors)
    return EntryInput(
        EntryKind(kind), data.at, title, body,
        _ids(data.attendee_contact_ids), _ids(data.attendee_person_ids),
        _ids(data.ticket_ids), _ids(data.escalation_ids), _ids(data.defect_ids),
        [FollowUpInput(clean_line(f.what), f.due_on, f.owner_person_id, f.owner_contact_id) for f in data.follow_ups],
    )  # fmt: skip


# -- writing ----------------------------------------------------------------------------------------------------


def _audit_values(data: EntryInput) -> dict[str, object]:
    return {
        "kind": data.kind,
        "at": data.at,
        "title": data.title,
        "body": data.body,
        "attendee_contacts": list(data.attendee_contact_ids),
        "attendee_people": list(data.attendee_person_ids),
        "tickets": list(data.ticket_ids),
        "escalations": list(data.escalation_ids),
        "defects": list(data.defect_ids),
    }


def _write_parts(entry: t.TimelineEntry, data: EntryInput) -> None:
    t.TimelineAttendee.delete().where(t.TimelineAttendee.entry == entry.id).execute()
    t.TimelineLink.delete().where(t.TimelineLink.entry == entry.id).execute()
    for cid in data.attendee_contact_ids:
        t.TimelineAttendee.create(entry=entry, contact=cid)
    for pid in data.attendee_person_ids:
        t.TimelineAttendee.create(entry=entry, person=pid)
    for tid in data.ticket_ids:
        t.TimelineLink.create(entry=entry, ticket=tid)
    for eid in data.escalation_ids:
        t.TimelineLink.create(entry=entry, escalation=eid)
    for did in data.defect_ids:
        t.TimelineLink.create(entry=entry, defect=did)


def _add_follow_ups(ctx: Context, customer: t.Customer, entry: t.TimelineEntry, data: EntryInput) -> list[str]:
    notes: list[str] = []
    if not data.follow_ups:
        return notes
    calendar = customer_calendar(customer)
    today = ctx.now().astimezone(ZoneInfo(customer.time_zone)).date()
    for item in data.follow_ups:
        due = check_due(item.due_on, today, calendar, customer.name)
        notes += [f"“{item.what}”: {m}" for m in due.messages]
        row = t.FollowUp.create(
            customer=customer, entry=entry, what=item.what, owner_person=item.owner_person_id,
            owner_contact=item.owner_contact_id, due_on=due.due_on, created_at=ctx.now(), created_by=ctx.actor,
        )  # fmt: skip
        owner = _owner_name(item.owner_person_id, item.owner_contact_id)
        record_audit(
            ctx, entity="follow_up", entity_id=row.id, action="create", customer=customer,
            summary=f"Follow-up for {customer.name}: {item.what} ({owner}, due {day_label(due.due_on)})",
            after={"what": item.what, "owner": owner, "due_on": due.due_on, "entry": entry.id},
        )  # fmt: skip
    return notes


def _describe(data: EntryInput) -> str:
    kind = EntryKind(data.kind).label
    return f"{kind} “{data.title}”" if data.title else kind


def add_entry(ctx: Context, customer_id: int, data: EntryInput) -> SavedEntry:
    """Log an entry with its attendees, links and follow-ups, all or nothing.

    Raises:
        ValidationFailed: a bad kind, time, body, attendee, link or follow-up (one sentence each).
    """
    with database.atomic():
        customer = _customer(customer_id)
        clean = _check(customer, data)
        entry = t.TimelineEntry.create(
            customer=customer, kind=EntryKind(clean.kind).value, at=clean.at, title=clean.title, body=clean.body,
            author=ctx.actor, created_at=ctx.now(),
        )  # fmt: skip
        _write_parts(entry, clean)
        record_audit(
            ctx, entity="timeline_entry", entity_id=entry.id, action="create", customer=customer,
            summary=f"{_describe(clean)} logged on {customer.name}'s timeline", after=_audit_values(clean),
        )  # fmt: skip
        notes = _add_follow_ups(ctx, customer, entry, clean)
    return SavedEntry(entry.id, tuple(notes))


def _entry(entry_id: int) -> t.TimelineEntry:
    entry = t.TimelineEntry.get_or_none(t.TimelineEntry.id == entry_id)
    if entry is None:
        raise NotFound(f"Timeline entry #{entry_id} no longer exists.")
    return entry


def get_entry(entry_id: int) -> EntryDetail:
    """An entry with its attendees, links and follow-ups, to edit."""
    entry = _entry(entry_id)
    attendees = list(entry.attendees)
    links = list(entry.links)
    follow_ups = list(entry.follow_ups.order_by(t.FollowUp.due_on, t.FollowUp.id))
    data = EntryInput(
        EntryKind(entry.kind), entry.at, entry.title, entry.body,
        [a.contact_id for a in attendees if a.contact_id], [a.person_id for a in attendees if a.person_id],
        [link.ticket_id for link in links if link.ticket_id],
        [link.escalation_id for link in links if link.escalation_id],
        [link.defect_id for link in links if link.defect_id],
        [FollowUpInput(f.what, f.due_on, f.owner_person_id, f.owner_contact_id) for f in follow_ups],
    )  # fmt: skip
    return EntryDetail(
        entry.id,
        entry.version,
        entry.customer_id,
        entry.customer.name,
        data,
        entry.author,
        entry.recap_sent_at,
        tuple(f.id for f in follow_ups),
    )


def edit_entry(ctx: Context, entry_id: int, expected_version: int, data: EntryInput) -> SavedEntry:
    """Change an entry's kind, time, text, attendees and links; ``data.follow_ups`` are added as new follow-ups
    (those already made are done, deferred or reassigned on their own).

    Raises:
        ValidationFailed: as for ``add_entry``.
        StaleEdit: someone saved the entry since it was read.
    """
    with database.atomic():
        entry = _entry(entry_id)
        customer = entry.customer
        clean = _check(customer, data)
        before = _audit_values(get_entry(entry_id).input)
        save_versioned(
            entry, expected_version,
            {"kind": EntryKind(clean.kind).value, "at": clean.at, "title": clean.title, "body": clean.body},
        )  # fmt: skip
        _write_parts(entry, clean)
        record_audit(
            ctx, entity="timeline_entry", entity_id=entry.id, action="update", customer=customer,
            summary=f"{_describe(clean)} edited on {customer.name}'s timeline", before=before,
            after=_audit_values(clean),
        )  # fmt: skip
        notes = _add_follow_ups(ctx, customer, entry, clean)
    return SavedEntry(entry.id, tuple(notes))


def delete_entry(ctx: Context, entry_id: int, expected_version: int) -> str:
    """Delete an entry; its follow-ups stay (a promise made is still owed), no longer tied to it.

    Raises:
        StaleEdit: someone saved the entry since it was read.
    """
    with database.atomic():
        entry = _entry(entry_id)
        customer = entry.customer
        detail = get_entry(entry_id)
        if entry.version != expected_version:
            save_versioned(entry, expected_version, {})  # raises StaleEdit with the current values
        t.FollowUp.update(entry=None).where(t.FollowUp.entry == entry.id).execute()
        entry.delete_instance()
        record_audit(
            ctx, entity="timeline_entry", entity_id=entry_id, action="delete", customer=customer,
            summary=f"{_describe(detail.input)} deleted from {customer.name}'s timeline",
            before=_audit_values(detail.input),
        )  # fmt: skip
    return f"{_describe(detail.input)} deleted."


# -- reading ----------------------------------------------------------------------------------------------------


def customer_timeline(
    customer_id: int,
    kinds: Collection[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[TimelineItem]:
    """The customer's whole story, newest first: its entries and the events of its tickets, escalations, defects,
    seats and onboarding, of the ``kinds`` chosen (None: all) from ``start`` (included) to ``end`` (excluded).

    Raises:
        ValueError: a kind is unknown (the message names it).
    """
    _customer(customer_id)
    keys = check_filter_keys(kinds) if kinds is not None else None
    items = entry_items(customer_id) if keys is None or keys & {k.value for k in EntryKind} else []
    sources = None if keys is None else {s for s in ItemSource if s.value in keys}
    items += event_items(customer_id, sources, start, end)
    return select_items(items, keys, start, end)


# -- the recap --------------------------------------------------------------------------------------------------


def _recipients(entry: t.TimelineEntry) -> list[str]:
    addresses: list[str] = []
    for attendee in entry.attendees:
        if attendee.contact_id and attendee.contact.email:
            addresses.append(attendee.contact.email)
        elif attendee.person_id and attendee.person.email:
            addresses.append(attendee.person.email)
    return list(dict.fromkeys(addresses))


def draft_recap(entry_id: int) -> EmailDraft:
    """A meeting's recap: to its attendees with an address, the follow-ups with owner and due date.

    Raises:
        DomainError: the entry is not a meeting, or no attendee has an email address.
    """
    entry = _entry(entry_id)
    customer = entry.customer
    if entry.kind != EntryKind.MEETING.value:
        raise DomainError(f"Only a meeting's recap can be emailed; this entry is a {entry.kind}.")
    to = _recipients(entry)
    if not to:
        raise DomainError("No attendee of this meeting has an email address, so there is nobody to send the recap to.")
    follow_ups = list(entry.follow_ups.order_by(t.FollowUp.due_on, t.FollowUp.id))
    when = entry.at.astimezone(ZoneInfo(customer.time_zone))
    title = entry.title or "our meeting"
    lines = [
        "Hello,",
        "",
        f"Thank you for {title} on {day_label(when.date())} at {when:%H:%M}. Here is what we agreed.",
        "",
    ]
    if follow_ups:
        lines.append(f"{plural(len(follow_ups), 'Follow-up')}:")
        for f in follow_ups:
            owner = _owner_name(f.owner_person_id, f.owner_contact_id) or "unassigned"
            state = " (done)" if f.done_at else ""
            lines.append(f"  - {f.what} — {owner}, by {day_label(f.due_on)}{state}")
    else:
        lines.append("No follow-ups were agreed.")
    if entry.body.strip():
        lines += ["", "Notes:", entry.body]
    lines += ["", "Kind regards,", entry.author or ""]
    subject = f"Recap: {entry.title} — {customer.name}" if entry.title else f"Meeting recap — {customer.name}"
    return EmailDraft(tuple(to), (), subject[:200], "\n".join(lines).rstrip() + "\n")


def send_recap(
    ctx: Context,
    entry_id: int,
    settings: SmtpSettings,
    secrets: SecretStore,
    *,
    prompt: SecretPrompt | None = None,
) -> str:
    """Send the meeting's recap through the SMTP server; once accepted, the entry records when it was sent."""
    draft = draft_recap(entry_id)
    send_email(settings, OutgoingEmail(list(draft.to), draft.subject, draft.body), secrets, prompt=prompt)
    with database.atomic():
        entry = _entry(entry_id)
        t.TimelineEntry.update(recap_sent_at=ctx.now()).where(t.TimelineEntry.id == entry_id).execute()
        record_audit(
            ctx, entity="timeline_entry", entity_id=entry_id, action="recap", customer=entry.customer_id,
            summary=f"Recap of {_describe(get_entry(entry_id).input)} emailed to {', '.join(draft.to)}",
        )  # fmt: skip
    return f"Recap emailed to {', '.join(draft.to)}."


# -- naming people --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """Someone named by text: a contact of the customer or a person of our side (exactly one id is set)."""

    name: str
    contact_id: int | None = None
    person_id: int | None = None


def find_party(customer_id: int, text: str) -> Party | None:
    """The contact of the customer, else the person of the directory, whose email or name is ``text`` (case and
    spacing aside); None when nobody is."""
    from tamdesk.domain.text import case_key

    wanted = case_key(text)
    if not wanted:
        return None
    for c in t.Contact.select().where(t.Contact.customer == customer_id).order_by(t.Contact.id):
        if wanted in (case_key(c.email), case_key(c.full_name)):
            return Party(c.full_name, contact_id=c.id)
    for p in t.Person.select().order_by(t.Person.id):
        if wanted in (case_key(p.email), case_key(p.name)):
            return Party(p.name, person_id=p.id)
    return None


@dataclass(frozen=True)
class LinkChoice:
    """A ticket, escalation or defect of the customer that an entry can mention."""

    kind: str  # "ticket", "escalation" or "defect"
    id: int
    label: str


def link_choices(customer_id: int) -> list[LinkChoice]:
    """The customer's tickets, escalations and defects, newest first within each kind."""
    tickets = t.Ticket.select().where(t.Ticket.customer == customer_id).order_by(t.Ticket.opened_at.desc())
    choices = [LinkChoice("ticket", tk.id, f"Ticket {tk.number} · {clean_line(tk.subject)[:80]}") for tk in tickets]
    escalations = (
        t.Escalation.select(t.Escalation, t.Ticket)
        .join(t.Ticket)
        .where(t.Ticket.customer == customer_id)
        .order_by(t.Escalation.opened_at.desc())
    )
    choices += [
        LinkChoice("escalation", e.id, f"Escalation #{e.id} of {e.ticket.number} · {clean_line(e.reason)[:80]}")
        for e in escalations
    ]
    defects = (
        t.Defect.select()
        .join(t.DefectTicket)
        .join(t.Ticket)
        .where(t.Ticket.customer == customer_id)
        .distinct()
        .order_by(t.Defect.id.desc())
    )
    choices += [LinkChoice("defect", d.id, f"Defect #{d.id} · {clean_line(d.title)[:80]}") for d in defects]
    return choices
