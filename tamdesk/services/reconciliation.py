"""A support system's own SLA verdict beside tamdesk's: which agree, which do not, and why when tamdesk can tell.

The source's figure is kept, never copied over tamdesk's verdict (DESIGN §7). Compared per source:

- Zendesk: "First reply time in minutes within business hours" against the first-response target of the
  customer's policy; tamdesk's verdict is its own evaluation of the first response on the customer's calendar.
- Salesforce: the first-response milestone's Violation flag; JSM: the sign of "Time to first response".

A disagreement's reason, when tamdesk can tell: the target runs round the clock in tamdesk's policy; a holiday of
the customer's calendar fell in the window; the source counted other business hours; the source's milestone had
another target; the export holds no first response for tamdesk to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from tamdesk.domain.calendar import BusinessCalendar, Clock
from tamdesk.domain.severity import Severity
from tamdesk.domain.sla import SlaPolicy, clock_for
from tamdesk.domain.sources import ImportSource
from tamdesk.domain.states import ClockKind
from tamdesk.services.sla import PolicyRevisions, SlaResolver

_SOURCE_NAMES = {ImportSource.ZENDESK: "Zendesk", ImportSource.SALESFORCE: "Salesforce", ImportSource.JSM: "JSM"}


class ReconcileInput(Protocol):
    """A ticket as imported (``ticket_export.ParsedTicket`` is one), with what its source concluded in ``facts``."""

    @property
    def number(self) -> str: ...
    @property
    def customer_id(self) -> int | None: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def opened(self) -> datetime: ...
    @property
    def first_response(self) -> datetime | None: ...
    @property
    def resolved(self) -> datetime | None: ...
    @property
    def facts(self) -> object: ...


@dataclass(frozen=True)
class ReconciliationLine:
    """One ticket whose source and tamdesk both have a first-response verdict."""

    number: str
    customer: str
    severity: Severity
    opened: datetime
    first_response: datetime | None
    policy: str
    source_figure: str
    source_met: bool
    tamdesk_met: bool
    reason: str = ""
    clock: Clock | None = field(default=None, compare=False, repr=False)
    target: timedelta = timedelta(0)

    @property
    def agrees(self) -> bool:
        return self.source_met == self.tamdesk_met

    @property
    def tamdesk_figure(self) -> str:
        """``525 business minutes (target 540)``: counted when asked (a workbook), not for every imported ticket."""
        if self.first_response is None or self.clock is None:
            return "no first response in the export"
        unit = "business minutes" if self.clock.business_time else "minutes"
        elapsed = self.clock.elapsed(self.opened, self.first_response)
        return f"{_minutes(elapsed):,} {unit} (target {_minutes(self.target):,})"


@dataclass(frozen=True)
class Reconciliation:
    source: ImportSource
    lines: tuple[ReconciliationLine, ...]

    @property
    def compared(self) -> int:
        return len(self.lines)

    @property
    def agree(self) -> int:
        return sum(1 for line in self.lines if line.agrees)

    @property
    def disagreements(self) -> tuple[ReconciliationLine, ...]:
        return tuple(line for line in self.lines if not line.agrees)

    @property
    def summary(self) -> str:
        """``1,180 of 1,200 agree with Zendesk on first response; 20 disagree.``"""
        name = _SOURCE_NAMES.get(self.source, self.source.label)
        return (
            f"{self.agree:,} of {self.compared:,} agree with {name} on first response; "
            f"{self.compared - self.agree:,} disagree."
        )


def _minutes(duration: timedelta) -> int:
    return round(duration.total_seconds() / 60)


def reconcile(source: ImportSource, tickets: Sequence[ReconcileInput], now: datetime | None = None) -> Reconciliation:
    """Compare each ticket's source verdict with tamdesk's, on the customer's policy and calendar."""
    resolver = _PerCustomer(SlaResolver())
    names: dict[int, str] = {}
    lines = []
    for ticket in tickets:
        line = _line(source, ticket, resolver, names, now)
        if line is not None:
            lines.append(line)
    return Reconciliation(source, tuple(lines))


class _PerCustomer:
    """An ``SlaResolver``'s policy revisions and calendar, looked up once per customer rather than per ticket."""

    def __init__(self, resolver: SlaResolver) -> None:
        self._resolver = resolver
        self._revisions: dict[int, PolicyRevisions] = {}
        self._calendars: dict[int, BusinessCalendar] = {}

    def policy(self, customer_id: int, opened: datetime | None = None) -> SlaPolicy:
        found = self._revisions.get(customer_id)
        if found is None:
            found = self._revisions[customer_id] = self._resolver.revisions(customer_id)
        return found.in_force(opened)

    def calendar(self, customer_id: int) -> BusinessCalendar:
        found = self._calendars.get(customer_id)
        if found is None:
            found = self._calendars[customer_id] = self._resolver.calendar(customer_id)
        return found


def _customer_name(customer_id: int, names: dict[int, str]) -> str:
    if not names:
        from tamdesk.models import tables as t
        from tamdesk.services.base import tuples

        names.update(tuples(t.Customer.select(t.Customer.id, t.Customer.name)))
    return names.get(customer_id, "")


def _line(
    source: ImportSource, ticket: ReconcileInput, resolver: _PerCustomer, names: dict[int, str], now: datetime | None
) -> ReconciliationLine | None:
    facts = ticket.facts
    business = getattr(facts, "first_reply_business_minutes", None)
    breached = getattr(facts, "first_response_breached", None)
    customer_id = ticket.customer_id
    if customer_id is None or (business is None and breached is None):
        return None
    policy = resolver.policy(customer_id, ticket.opened)
    calendar = resolver.calendar(customer_id)
    target = policy.target(ticket.severity)
    clock = clock_for(target.clock, calendar)
    # domain.sla's first-response rule (evaluate's first response, without replaying the update clock): due a
    # target's worth of the clock after opening, met by a response at or before it; a solve without one decides too
    due = clock.add(ticket.opened, target.first_response)
    stop = ticket.first_response or ticket.resolved
    if stop is None or (ticket.first_response is None and stop <= due):
        return None
    tamdesk_met = ticket.first_response is not None and stop <= due
    if business is not None:
        source_met = business <= _minutes(target.first_response)
        source_figure = f"{business:,} business minutes"
    else:
        source_met = not breached
        source_figure = "breached" if breached else "met"
    reason = ""
    if source_met != tamdesk_met:
        elapsed = clock.elapsed(ticket.opened, ticket.first_response) if ticket.first_response else None
        reason = _reason(ticket, policy, target.clock, calendar, due, business, elapsed)
    return ReconciliationLine(
        ticket.number, _customer_name(customer_id, names), ticket.severity, ticket.opened,
        ticket.first_response, policy.label, source_figure, source_met, tamdesk_met, reason, clock,
        target.first_response,
    )  # fmt: skip


_DESCRIBED: dict[int, tuple[object, str]] = {}


def _described(calendar: object) -> str:
    """``calendar.describe()``, once per calendar object (it lays out the week each time)."""
    found = _DESCRIBED.get(id(calendar))
    if found is None or found[0] is not calendar:
        found = _DESCRIBED[id(calendar)] = (calendar, getattr(calendar, "describe", lambda: "its calendar")())
    return found[1]


def _reason(
    ticket: ReconcileInput,
    policy: SlaPolicy,
    kind: ClockKind,
    calendar: object,
    due: datetime,
    business: int | None,
    elapsed: timedelta | None,
) -> str:
    if ticket.first_response is None:
        return "The export holds no first response time, so tamdesk counts the first response as missed."
    if kind is ClockKind.TWENTY_FOUR_SEVEN and business is not None:
        return (
            f"{ticket.severity.label} runs round the clock under {policy.label}; the source counted business "
            "hours only."
        )
    target = getattr(ticket.facts, "first_response_target", None)
    if target is not None and abs((target - due).total_seconds()) > 60:
        return (
            f"Another policy target: the source's milestone was due {target:%Y-%m-%d %H:%M} UTC, "
            f"{policy.label} due {due:%Y-%m-%d %H:%M} UTC."
        )
    end = max(ticket.first_response, due)
    holidays = getattr(calendar, "holidays_between", None)
    if holidays is not None:
        found = holidays(ticket.opened.date(), end.date())
        if found:
            day, name = found[0]
            return f"A holiday in the customer's calendar: {name} on {day:%a %d %b %Y}, which the source counted."
    if business is not None and elapsed is not None and abs(_minutes(elapsed) - business) > 1:
        describe = _described(calendar)
        return (
            f"Other business hours: the source counted {business:,} business minutes, the customer's calendar "
            f"({describe}) {_minutes(elapsed):,}."
        )
    return ""
