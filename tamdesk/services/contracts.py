"""Contract facts per customer: read and save them (optimistic lock, audited), renewal warnings, entitlement checks.

The rules are ``domain.contracts``; a customer has at most one contract row, created by its first save. A ticket is
outside the entitlement when the day it was opened, in the customer's own time zone, is before the entitlement
start or after its end.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

from tamdesk.domain.contracts import (
    ContractFacts,
    RenewalWarning,
    contract_problems,
    outside_entitlement_text,
    renewal_warning,
)
from tamdesk.domain.text import clean_line, identity_problem
from tamdesk.models import tables as t
from tamdesk.models.db import database
from tamdesk.services.base import (
    Context,
    NotFound,
    StaleEdit,
    ValidationFailed,
    record_audit,
    save_versioned,
    tuples,
)

_FACTS = tuple(f.name for f in fields(ContractFacts))


@dataclass(frozen=True)
class ContractView:
    """A customer's contract as read; ``version`` 0 when none was saved yet (``set_contract`` then creates it)."""

    customer_id: int
    customer: str
    version: int
    facts: ContractFacts
    warning: RenewalWarning | None


def _customer(customer_id: int) -> t.Customer:
    customer = t.Customer.get_or_none(t.Customer.id == customer_id)
    if customer is None:
        raise NotFound(f"Customer #{customer_id} no longer exists.")
    return customer


def _facts(row: t.Contract | None) -> ContractFacts:
    if row is None:
        return ContractFacts()
    return ContractFacts(**{name: getattr(row, name) for name in _FACTS})


def get_contract(customer_id: int, today: date) -> ContractView:
    """The customer's contract (empty facts when none is recorded) and its renewal warning as of ``today``."""
    customer = _customer(customer_id)
    row = t.Contract.get_or_none(t.Contract.customer == customer_id)
    facts = _facts(row)
    return ContractView(
        customer.id, customer.name, row.version if row else 0, facts, renewal_warning(facts.renewal_on, today)
    )


def _clean(facts: ContractFacts) -> ContractFacts:
    errors = {}
    for name, label in (("support_tier", "Support tier"), ("edition", "Edition")):
        if refused := identity_problem(label, getattr(facts, name)):
            errors[name] = refused
    if errors:
        raise ValidationFailed(errors)
    return ContractFacts(
        support_tier=" ".join(clean_line(facts.support_tier).split()),
        entitlement_start=facts.entitlement_start,
        entitlement_end=facts.entitlement_end,
        renewal_on=facts.renewal_on,
        arr_cents=facts.arr_cents,
        currency=facts.currency.strip().upper(),
        edition=" ".join(clean_line(facts.edition).split()),
    )


def set_contract(ctx: Context, customer_id: int, expected_version: int, facts: ContractFacts) -> int:
    """Save the customer's contract facts; returns the contract's new version.

    ``expected_version`` is the version read (0: no contract was recorded).

    Raises:
        ValidationFailed: by field (``renewal_on``, ``entitlement_end``, ``arr``, ``currency`` …); nothing written.
        StaleEdit: someone saved the contract since it was read.
    """
    clean = _clean(facts)
    if problems := contract_problems(clean):
        raise ValidationFailed(problems)
    values = {name: getattr(clean, name) for name in _FACTS}
    with database.atomic():
        customer = _customer(customer_id)
        row = t.Contract.get_or_none(t.Contract.customer == customer_id)
        if row is None:
            if expected_version != 0:
                raise StaleEdit("contract", {})
            row = t.Contract.create(customer=customer, **values)
            record_audit(
                ctx, entity="contract", entity_id=row.id, customer=customer, action="create",
                summary=f"Contract of {customer.name} recorded", after=values,
            )  # fmt: skip
            return int(row.version)
        before = _facts(row)
        changed = {name: value for name, value in values.items() if getattr(before, name) != value}
        if expected_version != row.version:
            raise StaleEdit("contract", row.__data__)
        if not changed:
            return int(row.version)
        save_versioned(row, expected_version, changed)
        record_audit(
            ctx, entity="contract", entity_id=row.id, customer=customer, action="update",
            summary=f"Contract of {customer.name} changed: {', '.join(_LABELS[n] for n in changed)}",
            before={n: getattr(before, n) for n in changed}, after=changed,
        )  # fmt: skip
        return int(row.version)


_LABELS = {
    "support_tier": "support tier",
    "entitlement_start": "entitlement start",
    "entitlement_end": "entitlement end",
    "renewal_on": "renewal",
    "arr_cents": "ARR",
    "currency": "currency",
    "edition": "edition",
}


@dataclass(frozen=True)
class RenewalDue:
    """A customer whose renewal is within 120 days, or passed."""

    customer_id: int
    customer: str
    warning: RenewalWarning

    @property
    def target(self) -> tuple[str, int]:
        return ("contract", self.customer_id)


def renewals_due(today: date, customer_ids: Collection[int] | None = None) -> list[RenewalDue]:
    """Customers (not archived; all or ``customer_ids``) whose renewal warns as of ``today``, the soonest first."""
    horizon = date.fromordinal(today.toordinal() + 120)
    query = (
        t.Contract.select(t.Customer.id, t.Customer.name, t.Contract.renewal_on)
        .join(t.Customer)
        .where(t.Contract.renewal_on.is_null(False) & (t.Contract.renewal_on <= horizon) & ~t.Customer.archived)
    )
    if customer_ids is not None:
        query = query.where(t.Customer.id.in_(sorted(customer_ids) or [-1]))
    found = []
    for cid, name, renewal in tuples(query):
        warning = renewal_warning(renewal, today)
        if warning is not None:
            found.append(RenewalDue(cid, name, warning))
    return sorted(found, key=lambda r: (r.warning.renewal_on, r.customer.casefold()))


def outside_entitlement(ticket_id: int) -> str:
    """Why the ticket was opened outside its customer's entitlement (``Opened 2 Jan 2026, before the entitlement
    starts on 1 Feb 2026``); "" when within it or when the contract says nothing about the entitlement."""
    query = (
        t.Ticket.select(t.Ticket.opened_at, t.Customer.time_zone, t.Contract.entitlement_start,
                        t.Contract.entitlement_end)
        .join(t.Customer).join(t.Contract, on=(t.Contract.customer == t.Customer.id))
        .where(t.Ticket.id == ticket_id)
    )  # fmt: skip
    rows = tuples(query)
    if not rows:
        return ""
    opened, zone, start, end = rows[0]
    return outside_entitlement_text(_opened_day(opened, zone), start, end)


def _opened_day(opened: object, zone: str) -> date:
    assert isinstance(opened, datetime)
    try:
        return opened.astimezone(ZoneInfo(zone)).date()
    except (KeyError, ValueError):
        return opened.date()
