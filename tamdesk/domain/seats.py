"""Portal seat rules: seat holders are distinct, named people within the customer's seat allowance.

One core checks a list of candidates against the customer's counting seats and against each other;
``check_seat`` is that core for a single candidate and ``check_roster`` for a whole returned access form.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tamdesk.domain.mailbox import (
    DEFAULT_ROLE_LOCAL_PARTS,
    InvalidAddress,
    canonical_domain,
    domain_of,
    is_role_address,
    lookalike,
    mailbox_key,
    normalize_domain,
    role_local_part_set,
)
from tamdesk.domain.states import SeatStatus
from tamdesk.domain.text import collapse_spaces, identity_problem, refusal, strip_spaces, visible

DEFAULT_SEAT_ALLOWANCE = 5


class Level(StrEnum):
    """How bad a problem is: an error blocks the seat, a warning needs the TAM's confirmation."""

    ERROR = "error"
    WARNING = "warning"


class SeatField(StrEnum):
    """The form field a problem belongs to."""

    EMAIL = "email"
    FULL_NAME = "full_name"
    SEAT = "seat"


@dataclass(frozen=True)
class SeatHolder:
    """An existing seat of the customer."""

    seat_no: int
    full_name: str
    email: str
    status: SeatStatus


@dataclass(frozen=True)
class SeatElsewhere:
    """A counting seat at another customer, for the "seated at another customer" warning."""

    customer: str
    seat_no: int
    email: str


@dataclass(frozen=True)
class SeatCandidate:
    """A new or edited seat; ``seat_no`` None takes the next free seat."""

    seat_no: int | None
    full_name: str
    email: str


@dataclass(frozen=True)
class Problem:
    """One broken rule, with a message that names the seat and the address it clashes with."""

    level: Level
    field: SeatField
    message: str
    seat_no: int | None


@dataclass(frozen=True)
class SeatCheck:
    """The outcome of checking one candidate; ``seat_no`` is the seat it takes, None when none is free.

    ``over_allowance`` says the candidate is beyond the allowance; its seat error (field ``SEAT``) says so.
    """

    problems: tuple[Problem, ...]
    seat_no: int | None = None
    over_allowance: bool = False

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that block the seat."""
        return tuple(p for p in self.problems if p.level is Level.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems the TAM must confirm."""
        return tuple(p for p in self.problems if p.level is Level.WARNING)

    @property
    def ok(self) -> bool:
        """No errors (warnings may still need confirmation)."""
        return not self.errors


def check_seat(
    candidate: SeatCandidate,
    existing: Sequence[SeatHolder],
    *,
    allowance: int = DEFAULT_SEAT_ALLOWANCE,
    customer_domains: Sequence[str] = (),
    seated_elsewhere: Mapping[str, SeatElsewhere] | None = None,
    role_local_parts: Iterable[str] = DEFAULT_ROLE_LOCAL_PARTS,
) -> SeatCheck:
    """Check one new or edited seat against the customer's seats.

    Args:
        candidate: The seat as entered; its ``seat_no`` names the seat it edits if that seat counts, None takes the
            next free seat.
        existing: All seats of the customer, revoked ones included.
        allowance: How many seats the customer's contract grants.
        customer_domains: The customer's email domains; subdomains count as the customer's. None on record: no
            domain warnings.
        seated_elsewhere: Mailbox keys (see ``mailbox_key``) of counting seats at other customers -> that seat.
        role_local_parts: Local parts of role and distribution addresses.
    """
    return check_roster(
        [candidate],
        existing,
        allowance=allowance,
        customer_domains=customer_domains,
        seated_elsewhere=seated_elsewhere,
        role_local_parts=role_local_parts,
    )[0]


def check_roster(
    candidates: Sequence[SeatCandidate],
    existing: Sequence[SeatHolder],
    *,
    allowance: int = DEFAULT_SEAT_ALLOWANCE,
    customer_domains: Sequence[str] = (),
    seated_elsewhere: Mapping[str, SeatElsewhere] | None = None,
    role_local_parts: Iterable[str] = DEFAULT_ROLE_LOCAL_PARTS,
) -> dict[int, SeatCheck]:
    """Check the rows of a returned access form, against the customer's seats and each other, keyed by row index.

    A row clashes with the counting seats it does not edit and with the rows before it. Rows that would be new
    seats take the free seats in row order; the rows beyond the allowance are errors. Arguments as ``check_seat``.
    """
    context = _Context.build(customer_domains, seated_elsewhere or {}, role_local_parts)
    counting = [h for h in existing if h.status.counts]
    slots = _plan_slots(candidates, counting, allowance)
    edited = {c.seat_no for c in candidates}
    others = [_Entry.of_holder(h) for h in counting if h.seat_no not in edited]
    checks: dict[int, SeatCheck] = {}
    for row, (candidate, slot) in enumerate(zip(candidates, slots, strict=True)):
        entry = _Entry.of_candidate(candidate, slot.seat_no)
        problems = [*_slot_problems(entry, slot, allowance), *_own_problems(entry, context)]
        problems += _clash_problems(entry, others)
        checks[row] = SeatCheck(tuple(problems), slot.seat_no, slot.over_allowance)
        others.append(entry)
    return checks


def next_free_seat_no(existing: Sequence[SeatHolder], allowance: int = DEFAULT_SEAT_ALLOWANCE) -> int | None:
    """The lowest seat number no counting seat holds, or None when all seats of the allowance are in use."""
    counting = [h for h in existing if h.status.counts]
    return _plan_slots([SeatCandidate(None, "", "")], counting, allowance)[0].seat_no


@dataclass(frozen=True)
class _Context:
    customer_domains: tuple[str, ...]
    seated_elsewhere: Mapping[str, SeatElsewhere]
    role_local_parts: frozenset[str]

    @classmethod
    def build(cls, domains: Sequence[str], elsewhere: Mapping[str, SeatElsewhere], roles: Iterable[str]) -> _Context:
        return cls(
            customer_domains=tuple(_safe_domain(d) for d in domains if d.strip()),
            seated_elsewhere={_safe_key(key): seat for key, seat in elsewhere.items()},
            role_local_parts=role_local_part_set(roles),
        )


@dataclass(frozen=True)
class _Entry:
    """A seat (held or proposed) with the identities the rules compare."""

    seat_no: int | None
    full_name: str
    email: str
    name_key: str
    mailbox: str | None
    invalid_reason: str | None = None

    @classmethod
    def of_holder(cls, holder: SeatHolder) -> _Entry:
        name = " ".join(holder.full_name.split())
        return cls(holder.seat_no, name, holder.email.strip(), _name_key(name), _safe_key(holder.email))

    @classmethod
    def of_candidate(cls, candidate: SeatCandidate, seat_no: int | None) -> _Entry:
        # controls and separators survive the tidying, for the rules to refuse them by name
        email = strip_spaces(candidate.email)
        name = collapse_spaces(candidate.full_name)
        try:
            return cls(seat_no, name, email, _name_key(name), mailbox_key(email))
        except InvalidAddress as exc:
            return cls(seat_no, name, email, _name_key(name), None, exc.reason)

    @property
    def has_name(self) -> bool:
        """A name needs at least one letter: ``-`` or ``?`` in a returned form is no name."""
        return any(ch.isalpha() for ch in self.name_key)

    @property
    def label(self) -> str:
        """``Seat 3 (ana@acme.com)``; ``New seat`` when no seat number is free."""
        seat = f"Seat {self.seat_no}" if self.seat_no is not None else "New seat"
        return f"{seat} ({visible(self.email)})" if self.email else seat


@dataclass(frozen=True)
class _Slot:
    """Where a candidate goes: the seat it edits or takes, or why it cannot have one."""

    seat_no: int | None
    over_allowance: bool = False
    twin: SeatCandidate | None = None  # an earlier row with the same seat number


def _plan_slots(candidates: Sequence[SeatCandidate], counting: Sequence[SeatHolder], allowance: int) -> list[_Slot]:
    """Candidates editing a counting seat keep it; new ones take their own or the lowest free number, in order."""
    held = {h.seat_no for h in counting}
    taken = held | {c.seat_no for c in candidates if c.seat_no is not None}
    free = allowance - len(counting)
    slots: list[_Slot] = []
    for row, candidate in enumerate(candidates):
        twin = next((c for c in candidates[:row] if c.seat_no is not None and c.seat_no == candidate.seat_no), None)
        if candidate.seat_no in held:
            slots.append(_Slot(candidate.seat_no, twin=twin))
            continue
        free -= 1
        seat_no = candidate.seat_no
        if seat_no is None and free >= 0:
            seat_no = min(n for n in range(1, len(taken) + 2) if n not in taken)
            taken.add(seat_no)
        slots.append(_Slot(seat_no, over_allowance=free < 0, twin=twin))
    return slots


def _slot_problems(entry: _Entry, slot: _Slot, allowance: int) -> list[Problem]:
    """Seat number and allowance errors."""
    if slot.seat_no is not None and slot.seat_no < 1:
        return [_error(entry, SeatField.SEAT, f"{entry.label} is not a seat number: seat numbers start at 1")]
    if slot.twin is not None:
        other = visible(slot.twin.email.strip()) or "another row"
        return [_error(entry, SeatField.SEAT, f"{entry.label} is already given to {other} in this form")]
    if slot.over_allowance:
        return [_error(entry, SeatField.SEAT, f"{entry.label} would exceed the allowance: {_full(allowance)}")]
    return []


def _own_problems(entry: _Entry, context: _Context) -> list[Problem]:
    """Rules on the candidate alone: name, address, role address, domain, seated elsewhere."""
    problems: list[Problem] = []
    if (refused := identity_problem("the full name", entry.full_name, end="")) is not None:
        problems.append(_error(entry, SeatField.FULL_NAME, f"{entry.label}: {refused}"))
    elif not entry.has_name:
        problems.append(_error(entry, SeatField.FULL_NAME, f"{entry.label} has no full name"))
    if not entry.email:
        return [*problems, _error(entry, SeatField.EMAIL, f"{entry.label} has no email address")]
    if (why := refusal(entry.email, address=True)) is not None:
        return [*problems, _error(entry, SeatField.EMAIL, f"{entry.label}: the email address {why}; remove it")]
    if entry.mailbox is None:
        message = f"{entry.label} is not a valid email address: {entry.invalid_reason}"
        return [*problems, _error(entry, SeatField.EMAIL, message)]
    if is_role_address(entry.email, context.role_local_parts):
        message = f"{entry.label} is a role or distribution address; portal seats are for named people"
        problems.append(_error(entry, SeatField.EMAIL, message))
    problems += _domain_warning(entry, context)
    if (look := lookalike(entry.email)) is not None:
        problems.append(_warning(entry, SeatField.EMAIL, f"{entry.label} {look.description}"))
    elsewhere = context.seated_elsewhere.get(entry.mailbox)
    if elsewhere is not None:
        seat = f"seat {elsewhere.seat_no} ({visible(elsewhere.email)})"
        message = f"{entry.label} is the same mailbox as {seat} at {elsewhere.customer}"
        problems.append(_warning(entry, SeatField.EMAIL, message))
    return problems


def _domain_warning(entry: _Entry, context: _Context) -> list[Problem]:
    if not context.customer_domains:
        return []
    domain = domain_of(entry.email)
    canonical = canonical_domain(domain)
    if any(canonical == d or canonical.endswith(f".{d}") for d in context.customer_domains):
        return []
    domains = ", ".join(context.customer_domains)
    message = f"{entry.label}: {domain} is not one of the customer's domains ({domains})"
    return [_warning(entry, SeatField.EMAIL, message)]


def _clash_problems(entry: _Entry, others: Sequence[_Entry]) -> list[Problem]:
    """Same mailbox (error) or same full name (warning) as another seat."""
    problems: list[Problem] = []
    for other in others:
        if entry.mailbox is not None and entry.mailbox == other.mailbox:
            message = f"{entry.label} is the same mailbox as {_lower_first(other.label)}"
            problems.append(_error(entry, SeatField.EMAIL, message))
        if entry.has_name and entry.name_key == other.name_key:
            name = visible(entry.full_name)
            message = f"{entry.label} has the same full name, {name}, as {_lower_first(other.label)}"
            problems.append(_warning(entry, SeatField.FULL_NAME, message))
    return problems


def _full(allowance: int) -> str:
    if allowance <= 0:
        return "the contract grants no seats"
    seats = "the only seat is" if allowance == 1 else f"all {allowance} seats are"
    return f"{seats} in use; revoke one first"


def _name_key(name: str) -> str:
    """Full names compare without case, accents, surrounding or repeated whitespace, or Unicode compatibility forms.

    A form typed on a keyboard without accents gives "Ana Silva" for "Ána Silva": the same person to warn about.
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    bare = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(bare.split())


def _safe_key(address: str) -> str:
    """The mailbox key, or the folded text for an address stored before it was validated."""
    try:
        return mailbox_key(address)
    except InvalidAddress:
        return address.strip().casefold()


def _safe_domain(domain: str) -> str:
    try:
        return canonical_domain(normalize_domain(domain))
    except InvalidAddress:
        return domain.strip().removeprefix("@").casefold()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _error(entry: _Entry, field: SeatField, message: str) -> Problem:
    return Problem(Level.ERROR, field, message, entry.seat_no)


def _warning(entry: _Entry, field: SeatField, message: str) -> Problem:
    return Problem(Level.WARNING, field, message, entry.seat_no)
