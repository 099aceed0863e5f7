"""Portal seats: request, edit, grant, confirm, revoke and re-issue, every rule checked by ``domain.seats``.

Each use case runs in one transaction, refuses a stale edit, leaves an audit entry and then lets the onboarding
checklist complete the steps the seats now prove.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import peewee as pw

from tamdesk.domain.mailbox import (
    DEFAULT_ROLE_LOCAL_PARTS,
    InvalidAddress,
    mailbox_key,
    normalize_address,
)
from tamdesk.domain.seats import (
    SeatCandidate,
    SeatCheck,
    SeatElsewhere,
    SeatHolder,
    check_roster,
)
from tamdesk.domain.states import SeatStatus
from tamdesk.domain.text import clean_text, collapse_spaces, identity_problem, refusal, strip_spaces, visible
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
from tamdesk.services.contact_links import link, link_seat_to_its_contact
from tamdesk.services.onboarding import sync_automatic_steps
from tamdesk.services.settings import get_setting

ROLE_SETTING = "role_local_parts"
_LIMITS = {"full_name": ("Full name", 200), "job_title": ("Job title", 200), "phone": ("Phone", 50)}


@dataclass(frozen=True)
class SeatInput:
    """What the seat dialog and the access form hand to the service."""

    full_name: str
    email: str
    job_title: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SeatRow:
    """One seat, held or revoked."""

    id: int
    version: int
    seat_no: int
    full_name: str
    email: str
    job_title: str
    phone: str
    status: SeatStatus
    requested_at: datetime
    granted_at: datetime | None
    welcome_confirmed_at: datetime | None
    revoked_at: datetime | None
    revoke_reason: str

    @property
    def label(self) -> str:
        """``Seat 3 (ana@acme.com)``, as the rule messages name seats."""
        return f"Seat {self.seat_no} ({self.email})"


@dataclass(frozen=True)
class SeatOverview:
    """A customer's seats: the counting ones by seat number, and the revoked ones newest first."""

    customer_id: int
    customer_name: str
    allowance: int
    used: int
    seats: tuple[SeatRow, ...]
    history: tuple[SeatRow, ...]

    @property
    def free(self) -> int:
        """Slots still free (never negative, even when the allowance was cut below the seats in use)."""
        return max(self.allowance - self.used, 0)


class SeatRejected(DomainError):
    """The seat breaks a rule (``check.errors``), or has warnings the TAM has not confirmed (``check.warnings``)."""

    def __init__(self, check: SeatCheck) -> None:
        # a message may end in a validator's own full stop: one sentence ends with one
        if check.errors:
            message = "; ".join(p.message.rstrip(".") for p in check.errors) + "."
        else:
            message = "; ".join(p.message.rstrip(".") for p in check.warnings) + ". Confirm to continue anyway."
        super().__init__(message)
        self.check = check


# -- reading --------------------------------------------------------------------------------------------------


def seat_overview(customer_id: int) -> SeatOverview:
    """The customer's seats for the Portal seats tab."""
    customer = customer_record(customer_id)
    rows = [seat_row(s) for s in customer.seats]
    counting = sorted((r for r in rows if r.status.counts), key=lambda r: (r.seat_no, r.requested_at))
    revoked = sorted((r for r in rows if not r.status.counts), key=_revoked_order, reverse=True)
    return SeatOverview(
        customer.id, customer.name, customer.seat_allowance, len(counting), tuple(counting), tuple(revoked)
    )


def _revoked_order(row: SeatRow) -> tuple[datetime, int]:
    return (row.revoked_at or row.requested_at, row.id)


def seat_row(seat: t.PortalSeat) -> SeatRow:
    """The plain row of a seat record."""
    return SeatRow(
        id=seat.id,
        version=seat.version,
        seat_no=seat.seat_no,
        full_name=seat.full_name,
        email=seat.email,
        job_title=seat.job_title,
        phone=seat.phone,
        status=SeatStatus(seat.status),
        requested_at=seat.requested_at,
        granted_at=seat.granted_at,
        welcome_confirmed_at=seat.welcome_confirmed_at,
        revoked_at=seat.revoked_at,
        revoke_reason=seat.revoke_reason,
    )


def role_local_parts() -> tuple[str, ...]:
    """The role and distribution local parts in force (Settings, else the default list)."""
    return tuple(get_setting(ROLE_SETTING, sorted(DEFAULT_ROLE_LOCAL_PARTS)))


def check_seat_input(customer_id: int, data: SeatInput, seat_id: int | None = None) -> SeatCheck:
    """Check input against every rule, for live validation.

    Args:
        customer_id: The customer the seat belongs to.
        data: The input as typed.
        seat_id: None for a new seat; a held seat for an edit of it; a revoked seat for a re-issue of its slot.
    """
    customer = customer_record(customer_id)
    seat_no = None
    if seat_id is not None:
        seat = _seat(seat_id)
        seat_no = seat.seat_no if SeatStatus(seat.status).counts else _reissue_slot(customer, seat)
    return _check(customer, clean_input(data), seat_no)


def _reissue_slot(customer: t.Customer, revoked: t.PortalSeat) -> int | None:
    """The revoked seat's number while no held seat has it, else None (the next free one)."""
    held = {s.seat_no for s in customer.seats if SeatStatus(s.status).counts}
    return None if revoked.seat_no in held else revoked.seat_no


def check_candidates(customer: t.Customer, candidates: Sequence[SeatCandidate]) -> dict[int, SeatCheck]:
    """Check rows of candidates against the customer's seats, domains, other customers and the role list."""
    existing = [_holder(s) for s in customer.seats]
    return check_roster(
        candidates,
        existing,
        allowance=customer.seat_allowance,
        customer_domains=customer_domains(customer),
        seated_elsewhere=seated_elsewhere(customer.id, (c.email for c in candidates)),
        role_local_parts=role_local_parts(),
    )


def customer_domains(customer: t.Customer) -> tuple[str, ...]:
    return tuple(d for d in customer.email_domains.split(",") if d)


def seated_elsewhere(customer_id: int, emails: Iterable[str]) -> dict[str, SeatElsewhere]:
    """Mailbox key -> the seat, for those of ``emails`` that hold a counting seat at another customer."""
    keys = sorted({key for email in emails if (key := _key(email))})
    if not keys:
        return {}
    query = (
        t.PortalSeat.select(t.PortalSeat.mailbox_key, t.Customer.name, t.PortalSeat.seat_no, t.PortalSeat.email)
        .join(t.Customer)
        .where(
            t.PortalSeat.mailbox_key.in_(keys)
            & (t.PortalSeat.customer != customer_id)
            & (t.PortalSeat.status != SeatStatus.REVOKED.value)
        )
        .order_by(t.Customer.name, t.PortalSeat.seat_no)
    )
    found: dict[str, SeatElsewhere] = {}
    for key, name, seat_no, email in tuples(query):
        found.setdefault(key, SeatElsewhere(name, seat_no, email))
    return found


def _check(customer: t.Customer, data: SeatInput, seat_no: int | None) -> SeatCheck:
    return check_candidates(customer, [SeatCandidate(seat_no, data.full_name, data.email)])[0]


def _holder(seat: t.PortalSeat) -> SeatHolder:
    return SeatHolder(seat.seat_no, seat.full_name, seat.email, SeatStatus(seat.status))


def _key(email: str) -> str | None:
    try:
        return mailbox_key(email)
    except InvalidAddress:
        return None


def clean_input(data: SeatInput) -> SeatInput:
    """Whitespace trimmed and collapsed; the address with its domain normalized when it is valid.

    Control characters and separators stay in the name and address, for the seat rules to refuse them by seat.

    Raises:
        ValidationFailed: a field is longer than its limit, or the job title or phone holds a control character.
    """
    clean = SeatInput(
        full_name=collapse_spaces(data.full_name),
        email=_address(data.email),
        job_title=collapse_spaces(data.job_title),
        phone=collapse_spaces(data.phone),
    )
    errors = {
        name: f"{label} is longer than {limit} characters."
        for name, (label, limit) in _LIMITS.items()
        if len(getattr(clean, name)) > limit
    }
    for name, label in (("job_title", "Job title"), ("phone", "Phone")):
        if name not in errors and (refused := identity_problem(label, getattr(clean, name))):
            errors[name] = refused
    if errors:
        raise ValidationFailed(errors)
    return clean


def _address(text: str) -> str:
    if refusal(text, address=True):
        return strip_spaces(text)  # the rules refuse it, naming the character
    try:
        return normalize_address(text)
    except InvalidAddress:
        return text.strip()  # the rules report why


@dataclass(frozen=True)
class RosterCustomer:
    """One customer's line of the roster summary."""

    name: str
    tam: str
    allowance: int
    requested: int
    granted: int
    active: int
    revoked: int

    @property
    def used(self) -> int:
        """Seats that count against the allowance."""
        return self.requested + self.granted + self.active


@dataclass(frozen=True)
class RosterLine:
    customer: str
    seat: SeatRow


@dataclass(frozen=True)
class SeatRoster:
    """Every seat of the chosen customers: held ones by seat number, then revoked ones newest first."""

    customers: tuple[RosterCustomer, ...]
    lines: tuple[RosterLine, ...]


def seat_roster(
    customer_id: int | None = None,
    *,
    customer_ids: Collection[int] = (),
    since: datetime | None = None,
    until: datetime | None = None,
) -> SeatRoster:
    """The seat roster of one customer, of ``customer_ids``, or of every customer not archived.

    With ``since``/``until`` only the seats held at some time in that period: requested before ``until`` and not
    revoked before ``since``.
    """
    query = t.Customer.select().order_by(pw.fn.lower(t.Customer.name))
    wanted = {customer_record(c).id for c in ([customer_id] if customer_id is not None else customer_ids)}
    query = query.where(t.Customer.id.in_(list(wanted))) if wanted else query.where(~t.Customer.archived)
    customers = list(query)
    seats: dict[int, list[SeatRow]] = {c.id: [] for c in customers}
    in_period = t.PortalSeat.customer.in_(list(seats))
    if until is not None:
        in_period &= t.PortalSeat.requested_at < until
    if since is not None:
        in_period &= t.PortalSeat.revoked_at.is_null() | (t.PortalSeat.revoked_at >= since)
    for seat in t.PortalSeat.select().where(in_period):
        seats[seat.customer_id].append(seat_row(seat))
    tams = dict(tuples(t.Person.select(t.Person.id, t.Person.name)))
    summary, lines = [], []
    for c in customers:
        held = sorted((r for r in seats[c.id] if r.status.counts), key=lambda r: (r.seat_no, r.requested_at))
        gone = sorted((r for r in seats[c.id] if not r.status.counts), key=_revoked_order, reverse=True)
        lines += [RosterLine(c.name, r) for r in (*held, *gone)]
        count = {s: sum(1 for r in seats[c.id] if r.status is s) for s in SeatStatus}
        summary.append(
            RosterCustomer(
                c.name,
                tams.get(c.tam_id, ""),
                c.seat_allowance,
                count[SeatStatus.REQUESTED],
                count[SeatStatus.GRANTED],
                count[SeatStatus.ACTIVE],
                count[SeatStatus.REVOKED],
            )
        )
    return SeatRoster(tuple(summary), tuple(lines))


# -- use cases ------------------------------------------------------------------------------------------------


def request_seat(ctx: Context, customer_id: int, data: SeatInput, *, accept_warnings: bool = False) -> int:
    """Request a seat on the next free slot; returns the new seat's id.

    Raises:
        SeatRejected: a rule is broken, or there are warnings and ``accept_warnings`` is False.
        NotFound, ValidationFailed.
    """
    with database.atomic():
        customer = customer_record(customer_id)
        clean = clean_input(data)
        check = _check(customer, clean, None)
        enforce(check, accept_warnings)
        assert check.seat_no is not None  # no free slot is an error of the check
        seat = create_seat(ctx, customer, clean, check.seat_no)
        record_audit(
            ctx,
            entity="portal_seat",
            entity_id=seat.id,
            customer=customer,
            action="request",
            summary=f"Seat {seat.seat_no} requested for {clean.full_name} ({clean.email})" + accepted_note(check),
            after=_values(seat),
        )
        link_seat_to_its_contact(ctx, seat)
        sync_automatic_steps(ctx, customer.id)
        return int(seat.id)


def create_seat(ctx: Context, customer: t.Customer, data: SeatInput, seat_no: int) -> t.PortalSeat:
    """Insert a requested seat for already checked, cleaned input (no audit; callers word their own)."""
    return t.PortalSeat.create(
        customer=customer,
        seat_no=seat_no,
        full_name=data.full_name,
        email=data.email,
        mailbox_key=mailbox_key(data.email),
        job_title=data.job_title,
        phone=data.phone,
        status=SeatStatus.REQUESTED.value,
        requested_at=ctx.now(),
    )


def edit_seat(
    ctx: Context, seat_id: int, expected_version: int, data: SeatInput, *, accept_warnings: bool = False
) -> None:
    """Correct a held seat's person details.

    A new mailbox on a seat with portal access sends it back to *requested*: the access was provisioned for the
    old address.

    Raises:
        SeatRejected, StaleEdit, NotFound, ValidationFailed; DomainError for a revoked seat.
    """
    with database.atomic():
        seat = _seat(seat_id)
        if not SeatStatus(seat.status).counts:
            raise DomainError(f"{seat_label(seat)} was revoked; re-issue the slot to change who holds it.")
        clean = clean_input(data)
        check = _check(seat.customer, clean, seat.seat_no)
        enforce(check, accept_warnings)
        update_seat(ctx, seat, expected_version, clean, check)


def update_seat(ctx: Context, seat: t.PortalSeat, expected_version: int, data: SeatInput, check: SeatCheck) -> bool:
    """Write checked, cleaned details to a held seat with its audit entry; False when nothing changed."""
    changes: dict[str, Any] = {
        name: getattr(data, name)
        for name in ("full_name", "email", "job_title", "phone")
        if getattr(seat, name) != getattr(data, name)
    }
    if not changes:
        return False
    note = ""
    key = mailbox_key(data.email)
    if key != seat.mailbox_key:
        changes["mailbox_key"] = key
        if seat.status != SeatStatus.REQUESTED.value:
            changes.update(status=SeatStatus.REQUESTED.value, granted_at=None, welcome_confirmed_at=None)
            note = "; back to requested: portal access must be granted for the new address"
    before = {name: getattr(seat, name) for name in changes}
    save_versioned(seat, expected_version, changes)
    record_audit(
        ctx,
        entity="portal_seat",
        entity_id=seat.id,
        customer=seat.customer_id,
        action="update",
        summary=f"{seat_label(seat)} edited: {', '.join(sorted(changes))}{note}" + accepted_note(check),
        before=before,
        after=changes,
    )
    sync_automatic_steps(ctx, seat.customer_id)
    return True


def grant_seat(ctx: Context, seat_id: int, expected_version: int) -> None:
    """Record that portal access was provisioned for a requested seat."""
    with database.atomic():
        seat = _seat(seat_id)
        status = SeatStatus(seat.status)
        if status is not SeatStatus.REQUESTED:
            raise DomainError(_not_grantable(seat, status))
        transition(ctx, seat, expected_version, {"status": SeatStatus.GRANTED.value, "granted_at": ctx.now()})


def _not_grantable(seat: t.PortalSeat, status: SeatStatus) -> str:
    if status is SeatStatus.REVOKED:
        return f"{seat_label(seat)} was revoked; re-issue the slot instead of granting it."
    return f"{seat_label(seat)} already has portal access (it is {status.label.lower()})."


def confirm_welcome(ctx: Context, seat_id: int, expected_version: int) -> None:
    """Record that the seat holder confirmed the welcome email: the seat becomes active."""
    with database.atomic():
        seat = _seat(seat_id)
        status = SeatStatus(seat.status)
        if status is not SeatStatus.GRANTED:
            raise DomainError(_not_confirmable(seat, status))
        changes = {"status": SeatStatus.ACTIVE.value, "welcome_confirmed_at": ctx.now()}
        transition(ctx, seat, expected_version, changes)


def _not_confirmable(seat: t.PortalSeat, status: SeatStatus) -> str:
    if status is SeatStatus.REQUESTED:
        return f"{seat_label(seat)} has no portal access yet; grant it before confirming the welcome email."
    if status is SeatStatus.ACTIVE:
        return f"{seat_label(seat)} already confirmed the welcome email."
    return f"{seat_label(seat)} was revoked; its welcome email can no longer be confirmed."


def revoke_seat(ctx: Context, seat_id: int, expected_version: int, reason: str, on: date | None = None) -> None:
    """Revoke a seat with a reason and date: the slot is freed and the person stays in the history.

    Raises:
        FieldError: no reason (field ``reason``), or a date in the future or before the request (field ``on``).
        DomainError: the seat is already revoked. StaleEdit, NotFound.
    """
    with database.atomic():
        seat = _seat(seat_id)
        if seat.status == SeatStatus.REVOKED.value:
            raise DomainError(f"{seat_label(seat)} is already revoked.")
        reason = clean_text(reason)
        if not reason.strip():
            raise FieldError("reason", f"Give a reason for revoking {_lower(seat_label(seat))}.")
        changes = {
            "status": SeatStatus.REVOKED.value,
            "revoked_at": revoked_moment(ctx, seat, on),
            "revoke_reason": reason.strip(),
        }
        transition(ctx, seat, expected_version, changes, f": {reason.strip()}")


def current_seat_version(seat_id: int) -> int:
    """The seat's version now (an undo acts on the seat as it is, and still refuses a seat changed since)."""
    return int(_seat(seat_id).version)


def undo_revoke(ctx: Context, seat_id: int, expected_version: int) -> None:
    """Take a revoke back: the seat returns to the state its dates prove, if its slot and mailbox are still free.

    Raises:
        DomainError: the seat is not revoked, or every seat is in use since (naming who holds its old slot).
        SeatRejected: the mailbox is seated again meanwhile. StaleEdit, NotFound.
    """
    with database.atomic():
        seat = _seat(seat_id)
        if seat.status != SeatStatus.REVOKED.value:
            raise DomainError(f"{seat_label(seat)} is not revoked.")
        customer = customer_record(seat.customer_id)
        check = _check(customer, SeatInput(seat.full_name, seat.email), None)  # as a new seat: allowance, clashes
        if check.over_allowance:
            raise DomainError(_no_room_to_undo(customer, seat))
        enforce(check, accept_warnings=True)
        taken = {s.seat_no for s in customer.seats if SeatStatus(s.status).counts}
        seat_no = seat.seat_no if seat.seat_no not in taken else check.seat_no
        if seat.welcome_confirmed_at is not None:
            status = SeatStatus.ACTIVE
        elif seat.granted_at is not None:
            status = SeatStatus.GRANTED
        else:
            status = SeatStatus.REQUESTED
        changes = {"status": status.value, "revoked_at": None, "revoke_reason": "", "seat_no": seat_no}
        transition(ctx, seat, expected_version, changes, " again: revoke undone")


def _no_room_to_undo(customer: t.Customer, seat: t.PortalSeat) -> str:
    """Why a revoked seat cannot come back: who took its slot since, else that every seat is in use."""
    back = f"to bring back {seat.email}"
    holder = next((s for s in customer.seats if s.seat_no == seat.seat_no and SeatStatus(s.status).counts), None)
    if holder is not None:
        return (
            f"Seat {seat.seat_no} was re-issued to {holder.full_name} ({holder.email}) since; revoke that seat first "
            f"{back}."
        )
    if customer.seat_allowance <= 0:
        return f"{customer.name}'s contract grants no seats now, so there is no seat {back}."
    seats = "the only seat is" if customer.seat_allowance == 1 else f"all {customer.seat_allowance} seats are"
    return f"Since seat {seat.seat_no} was revoked, {seats} in use; revoke one first {back}."


def revoked_moment(ctx: Context, seat: t.PortalSeat, on: date | None) -> datetime:
    """The moment to record for a revoke dated ``on``: now for today, else noon UTC of that day.

    Days are the user's: the app runs on the TAM's own machine, so its local zone is theirs.
    """
    now = ctx.now()
    today = now.astimezone().date()
    if on is None or on == today:
        return now
    if on > today:
        raise FieldError("on", f"The revoke date {on.isoformat()} is in the future.")
    if on < seat.requested_at.astimezone().date():
        raise FieldError("on", f"The revoke date {on.isoformat()} is before the seat was requested.")
    # Noon UTC reads as the same calendar day in every zone from UTC-11 to UTC+11.
    return datetime.combine(on, time(12), UTC)


def reissue_seat(ctx: Context, revoked_seat_id: int, data: SeatInput, *, accept_warnings: bool = False) -> int:
    """Give the slot a revoked seat freed to someone new: same seat number if still free; returns the new id.

    Raises:
        DomainError: the seat is not revoked. SeatRejected, NotFound, ValidationFailed.
    """
    with database.atomic():
        old = _seat(revoked_seat_id)
        if old.status != SeatStatus.REVOKED.value:
            raise DomainError(f"{seat_label(old)} is still held; revoke it before re-issuing the slot.")
        customer = old.customer
        clean = clean_input(data)
        check = _check(customer, clean, _reissue_slot(customer, old))
        enforce(check, accept_warnings)
        assert check.seat_no is not None
        seat = create_seat(ctx, customer, clean, check.seat_no)
        record_audit(
            ctx,
            entity="portal_seat",
            entity_id=seat.id,
            customer=customer,
            action="reissue",
            summary=f"Seat {seat.seat_no} re-issued to {clean.full_name} ({clean.email}), "
            f"replacing {old.full_name} ({old.email})" + accepted_note(check),
            after=_values(seat),
        )
        link_seat_to_its_contact(ctx, seat)
        sync_automatic_steps(ctx, customer.id)
        return int(seat.id)


def undo_reissue(ctx: Context, seat_id: int, expected_version: int) -> None:
    """Take a re-issue back: the seat it made goes, so its slot is free again, while the seat is as it was made.

    A contact the re-issue linked goes back to its earlier revoked seat of the same mailbox, if any.

    Raises:
        DomainError: the seat was changed since (granted, edited, revoked) or reported tickets. NotFound.
    """
    with database.atomic():
        seat = _seat(seat_id)
        if seat.version != expected_version:
            what = _SINCE_REISSUE[SeatStatus(seat.status)]
            raise DomainError(f"{seat_label(seat)} {what} since it was re-issued, so the re-issue is not undone.")
        reported = t.Ticket.select().where(t.Ticket.reporter == seat.id).count()
        if reported:
            tickets = "1 ticket" if reported == 1 else f"{reported} tickets"
            raise DomainError(f"{seat_label(seat)} has reported {tickets} since it was re-issued, so it stays.")
        for contact in t.Contact.select().where(t.Contact.seat == seat.id):
            earlier = (
                t.PortalSeat.select()
                .where(
                    (t.PortalSeat.customer == seat.customer_id)
                    & (t.PortalSeat.mailbox_key == seat.mailbox_key)
                    & (t.PortalSeat.status == SeatStatus.REVOKED.value)
                )
                .order_by(t.PortalSeat.revoked_at.desc(), t.PortalSeat.id.desc())
                .first()
            )
            link(ctx, contact, earlier)
        before = _values(seat)
        deleted = (
            t.PortalSeat.delete()
            .where((t.PortalSeat.id == seat.id) & (t.PortalSeat.version == expected_version))
            .execute()
        )
        if deleted != 1:
            raise DomainError(f"{seat_label(seat)} was changed since it was re-issued, so the re-issue is not undone.")
        record_audit(
            ctx,
            entity="portal_seat",
            entity_id=seat.id,
            customer=seat.customer_id,
            action="undo_reissue",
            summary=f"Re-issue of seat {seat.seat_no} to {seat.full_name} ({visible(seat.email)}) undone",
            before=before,
        )
        sync_automatic_steps(ctx, seat.customer_id)


_SINCE_REISSUE = {
    SeatStatus.REQUESTED: "was edited",
    SeatStatus.GRANTED: "was granted portal access",
    SeatStatus.ACTIVE: "was confirmed active",
    SeatStatus.REVOKED: "was revoked",
}


# -- helpers --------------------------------------------------------------------------------------------------


def transition(
    ctx: Context,
    seat: t.PortalSeat,
    expected_version: int,
    changes: Mapping[str, Any],
    detail: str = "",
    *,
    sync: bool = True,
) -> None:
    """Move a seat to ``changes["status"]`` with its audit entry; ``sync=False`` leaves the checklist to the caller.

    Raises:
        StaleEdit: the seat was saved since ``expected_version``; nothing is written.
    """
    before = {name: getattr(seat, name) for name in changes}
    save_versioned(seat, expected_version, changes)
    status = SeatStatus(changes["status"])
    record_audit(
        ctx,
        entity="portal_seat",
        entity_id=seat.id,
        customer=seat.customer_id,
        action=status.value,
        summary=f"{seat_label(seat)} {_VERBS[status]}{detail}",
        before=before,
        after=changes,
    )
    if sync:
        sync_automatic_steps(ctx, seat.customer_id)


_VERBS = {
    SeatStatus.REQUESTED: "requested",
    SeatStatus.GRANTED: "granted portal access",
    SeatStatus.ACTIVE: "active: welcome email confirmed",
    SeatStatus.REVOKED: "revoked",
}


def enforce(check: SeatCheck, accept_warnings: bool) -> None:
    """Raise SeatRejected for errors, or for warnings the TAM did not accept."""
    if check.errors or (check.warnings and not accept_warnings):
        raise SeatRejected(check)


def accepted_note(check: SeatCheck) -> str:
    """The audit note for warnings the TAM accepted (empty when there were none)."""
    if not check.warnings:
        return ""
    return ". Accepted warnings: " + "; ".join(p.message for p in check.warnings)


def _values(seat: t.PortalSeat) -> dict[str, Any]:
    names = ("seat_no", "full_name", "email", "job_title", "phone", "status")
    return {name: getattr(seat, name) for name in names}


def seat_label(seat: t.PortalSeat) -> str:
    """``Seat 3 (ana@acme.com)``, with any invisible character of the address shown."""
    return f"Seat {seat.seat_no} ({visible(seat.email)})"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def customer_record(customer_id: int) -> t.Customer:
    """The customer's record; NotFound when it was deleted."""
    customer = t.Customer.get_or_none(t.Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer #{customer_id} no longer exists.")
    return customer


def _seat(seat_id: int) -> t.PortalSeat:
    seat = t.PortalSeat.get_or_none(t.PortalSeat.id == seat_id)
    if seat is None:
        raise NotFound(f"Seat #{seat_id} no longer exists.")
    return seat
